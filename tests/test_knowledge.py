"""The built-in knowledge base: complete, translated, sourced; and the loader's checks."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from fasewiel_cli.errors import KnowledgeError
from fasewiel_cli.knowledge.load import FILE_NAMES, builtin_data_dir, load_knowledge
from fasewiel_cli.knowledge.models import (
    PHASE_IDS,
    KnowledgeBase,
    Localized,
    LocalizedList,
    Sourced,
)
from fasewiel_cli.knowledge.schema import SCHEMAS


def test_phases_in_wheel_order(kb: KnowledgeBase) -> None:
    assert tuple(p.id for p in kb.phases) == PHASE_IDS
    assert [kb.phase(p).next for p in PHASE_IDS] == [*PHASE_IDS[1:], PHASE_IDS[0]]


def test_taglines_are_the_papers(kb: KnowledgeBase) -> None:
    assert kb.phase("reset").tagline.nl == "de noodrem van de huid"
    assert kb.phase("activate").tagline.nl == "zacht wakker maken"


def test_primary_signals_are_section_8(kb: KnowledgeBase) -> None:
    primary = {
        p: {s.name.nl for s in kb.signals_of(p) if s.phases[p] == "primary"} for p in PHASE_IDS
    }
    assert primary == {
        "reset": {"roodheid", "jeuk", "branderigheid", "opvlamming", "gevoeligheid"},
        "activate": {"vale teint", "lichte spanning"},
        "repair": {"fijne lijntjes", "littekens", "verlies van stevigheid"},
        "radiance": {"egale teint", "veerkracht"},
        "sustain": {"rustige huid", "stabiel beeld"},
    }


def test_secondary_signals_are_the_section_2_pictures(kb: KnowledgeBase) -> None:
    for messenger in kb.messengers:
        pictures = {p.strip() for p in messenger.visible.nl.split(",")}
        linked = {s.name.nl for s in kb.signals if messenger.id in s.messengers}
        assert pictures == linked, messenger.id


def test_niacinamide_is_one_ingredient_with_three_roles(kb: KnowledgeBase) -> None:
    uses = [p.id for p in kb.phases for i in p.ingredients if i.ingredient == "niacinamide"]
    assert uses == ["reset", "activate", "repair"]
    assert sum(1 for i in kb.ingredients if "niacin" in i.id) == 1


def test_every_ingredient_is_used_and_named_in_both_languages(kb: KnowledgeBase) -> None:
    used = {i.ingredient for p in kb.phases for i in p.ingredients}
    assert used == {i.id for i in kb.ingredients}


def test_treatments(kb: KnowledgeBase) -> None:
    assert kb.treatment("microneedling").intensity == "intensive"
    assert kb.treatment("peeling").intensity == "intensive"
    assert kb.scoring.intensive.phases == ("repair", "sustain")


def _walk(obj: object, path: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = [(path, obj)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            found += _walk(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            found += _walk(item, f"{path}[{i}]")
    return found


def test_every_text_is_in_dutch_and_english(kb: KnowledgeBase) -> None:
    for path, item in _walk(kb):
        if isinstance(item, Localized):
            assert item.nl.strip(), path
            assert item.en.strip(), path
        if isinstance(item, LocalizedList) and not path.endswith(".words"):
            assert item.nl, path
            assert item.en, path


def test_every_item_says_where_it_comes_from(kb: KnowledgeBase) -> None:
    sourced = [(path, item) for path, item in _walk(kb) if isinstance(item, Sourced)]
    assert len(sourced) > 60
    for path, item in sourced:
        assert bool(item.source) != bool(item.derived), path


def test_red_flags_are_labelled_derived(kb: KnowledgeBase) -> None:
    assert all(flag.derived and not flag.source for flag in kb.red_flags)


def test_schemas_cover_the_files() -> None:
    assert set(SCHEMAS) == set(FILE_NAMES)
    assert {p.name for p in builtin_data_dir().glob("*.yaml")} == set(FILE_NAMES)


def test_the_seed_paper_is_in_the_project() -> None:
    seeds = list((Path(__file__).parents[1] / "seeds").glob("*.txt"))
    assert any("De huid als boodschapper" in p.read_text(encoding="utf-8") for p in seeds)


def test_loaded_once_per_process(kb: KnowledgeBase) -> None:
    assert load_knowledge() is load_knowledge()


def test_a_warm_start_neither_parses_yaml_nor_builds_validators(kb: KnowledgeBase) -> None:
    """What keeps the load at a few milliseconds (timed in bench/, not here)."""

    code = (
        "import sys; from fasewiel_cli.knowledge.load import load_knowledge; load_knowledge(); "
        "print('pydantic.type_adapter' in sys.modules, 'yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- a broken knowledge base is reported precisely ---------------------------------------------


def broken(kb_copy: Path, file: str, old: str, new: str) -> KnowledgeError:
    path = kb_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_copy)
    return error.value


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "signals.yaml",
            "phases: {reset: primary}",
            "phases: {rest: primary}",
            "unknown phase 'rest'",
        ),
        (
            "signals.yaml",
            "phases: {reset: primary}",
            "phases: {reset: main}",
            "unknown weight 'main'",
        ),
        ("signals.yaml", "messengers: [serotonin]", "messengers: [melatonin]", "unknown messenger"),
        (
            "phases.yaml",
            "ingredient: ectoin",
            "ingredient: ectoine",
            "unknown ingredient 'ectoine'",
        ),
        (
            "phases.yaml",
            "tagline: {nl: zacht wakker maken, en: gently waking up}",
            "tagline: {nl: zacht wakker maken}",
            "'en' is missing",
        ),
        (
            "phases.yaml",
            "tagline: {nl: zacht wakker maken,",
            "tagline: {nl: '',",
            "the nl text is empty",
        ),
        (
            "phases.yaml",
            "    next: activate",
            "    next: activate\n    colour: red",
            "unknown key 'colour'",
        ),
        (
            "phases.yaml",
            "name: {nl: Reset, en: Reset}",
            "name: {nl: Reset, en: 12}",
            "expected text, found the number 12; put it in quotes",
        ),
        (
            "phases.yaml",
            "name: {nl: Reset, en: Reset}",
            "name: {nl: Reset, en: true}",
            "found the boolean true",
        ),
        (
            "phases.yaml",
            "name: {nl: Reset, en: Reset}",
            "name: [Reset, Reset]",
            "expected a mapping",
        ),
        (
            "phases.yaml",
            'source: "§7 (tagline), §8 Reset"',
            'derived: "x"\n    source: "y"',
            "exactly one of",
        ),
        (
            "treatments.yaml",
            "    intensity: intensive",
            "    intensity: strong",
            "'gentle' or 'intensive'",
        ),
        (
            "messages.yaml",
            "{treatment} hoort bij de zorg in {phase}.",
            "{treatment} in {fase}.",
            "unknown placeholder {fase}",
        ),
        ("knowledge.yaml", "value: 0.5", "value: -1", "a weight must be a number above 0"),
    ],
)
def test_problems_name_file_line_and_what(
    kb_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    error = broken(kb_copy, file, old, new)
    problems = [str(p) for p in error.problems]
    assert problems
    assert all(p.startswith(str(kb_copy)) for p in problems)
    assert any(f"{file}:" in p and message in p for p in problems), problems


def test_no_and_on_stay_text(kb_copy: Path) -> None:
    path = kb_copy / "phases.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: {nl: Reset, en: Reset}", "name: {nl: on, en: no}", 1)
    path.write_text(text, encoding="utf-8")
    assert load_knowledge(kb_copy).phase("reset").name == Localized(nl="on", en="no")


def test_a_phase_without_signals(kb_copy: Path) -> None:
    path = kb_copy / "signals.yaml"
    text = path.read_text(encoding="utf-8").replace("{radiance: primary}", "{sustain: primary}")
    text = text.replace("{radiance: secondary}", "{sustain: secondary}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_copy)
    assert "phase 'radiance' has no signals" in str(error.value)


def test_all_problems_are_reported_together(kb_copy: Path) -> None:
    for file, old, new in [
        ("phases.yaml", "next: repair", "next: nowhere"),
        ("treatments.yaml", "phases: [activate]", "phases: [autumn]"),
    ]:
        path = kb_copy / file
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_copy)
    assert len(error.value.problems) == 2


def test_a_missing_file(kb_copy: Path) -> None:
    (kb_copy / "messengers.yaml").unlink()
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(kb_copy)
    assert "messengers.yaml:1:1: error: file is missing" in str(error.value)


def test_label_keys_are_the_labels() -> None:
    from typing import get_args

    from fasewiel_cli.knowledge.models import LabelKey, Labels

    fields = {f.name for f in dataclasses.fields(Labels)} - {"source", "derived"}
    assert set(get_args(LabelKey)) == fields
