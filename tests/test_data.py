"""Knowledge bases of one's own: ``--data``, ``fasewiel data init|validate``, hostile files.

Whatever a practice writes — or receives from a colleague — must never run code, hang or crash
fasewiel: each hostile file in tests/fixtures/hostile/ is refused with exit 1, its file and line
named, and no traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fasewiel_cli.cli.app import app
from fasewiel_cli.engine.advice import check
from fasewiel_cli.engine.validate import validate_folder
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.knowledge.lint import EXTEND
from fasewiel_cli.knowledge.load import FILE_NAMES, builtin_data_dir, load_knowledge
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.serialize import advice_to_dict

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- hostile and broken files -----------------------------------------------------------------

# fixture -> (the file it replaces, what the message says, the line it names)
HOSTILE = {
    "python_tag.yaml": ("phases.yaml", "tags such as", 1),
    "alias_bomb.yaml": ("signals.yaml", "anchors (&a) are not allowed", 2),
    "duplicate_key.yaml": ("knowledge.yaml", "duplicate key 'name'", 4),
    "latin1.yaml": ("messages.yaml", "not UTF-8 text (byte 0xe9)", 1),
    "binary.yaml": ("cards.yaml", "not UTF-8 text (byte 0xff)", 1),
    "empty.yaml": ("language.yaml", "file is empty", 1),
    "tabs.yaml": ("knowledge.yaml", "indent with spaces, not tabs", 4),
    "list_for_mapping.yaml": ("knowledge.yaml", "expected a mapping (key: value), found a list", 3),
    "number_for_text.yaml": ("knowledge.yaml", "found the number 2026.11; put it in quotes", 5),
    "bool_for_text.yaml": ("knowledge.yaml", "found the boolean true; put it in quotes", 4),
}


def test_every_fixture_has_a_case() -> None:
    stored = {p.name for p in FIXTURES.glob("*.yaml")} - {"words_stay_text.yaml"}
    assert stored == set(HOSTILE)


def assert_refused(result: Any, file: str, message: str, line: int) -> None:
    assert result.exit_code == 1, result.output
    assert re.search(rf"{re.escape(file)}:{line}:\d+: error: .*{re.escape(message)}", result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fixture", sorted(HOSTILE))
def test_hostile_file_is_refused_with_file_and_line(
    fixture: str, kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, message, line = HOSTILE[fixture]
    shutil.copyfile(FIXTURES / fixture, kb_copy / target)
    monkeypatch.chdir(tmp_path)
    assert_refused(run("check", "rood", "--data", str(kb_copy)), target, message, line)
    assert not (tmp_path / "pwned-by-yaml").exists()  # the python tag ran nothing


@pytest.mark.parametrize("fixture", sorted(HOSTILE))
def test_validate_reports_hostile_files_too(fixture: str, kb_copy: Path) -> None:
    target, message, line = HOSTILE[fixture]
    shutil.copyfile(FIXTURES / fixture, kb_copy / target)
    result = run("data", "validate", str(kb_copy), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["knowledge"] is None
    assert any(
        p["file"].endswith(target) and p["line"] == line and message in p["message"]
        for p in report["problems"]
    ), report["problems"]


def test_a_file_over_one_mebibyte(kb_copy: Path) -> None:
    with (kb_copy / "treatments.yaml").open("a", encoding="utf-8") as file:
        file.write("# " + "x" * (1024 * 1024) + "\n")
    assert_refused(run("phases", "--data", str(kb_copy)), "treatments.yaml", "larger than", 1)


def test_deeply_nested_brackets(kb_copy: Path) -> None:
    (kb_copy / "phases.yaml").write_text("phases: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert_refused(run("signals", "--data", str(kb_copy)), "phases.yaml", "nested more than", 1)


def test_deep_nesting_with_the_pure_python_parser() -> None:
    """Without libyaml, PyYAML's composer would recurse; the reader never uses it."""
    from fasewiel_cli.knowledge import safeyaml

    loader = yaml.SafeLoader("a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(safeyaml.YamlError, match="nested more than"):
        safeyaml._Builder("x.yaml").build(loader)
    loader.dispose()


def test_no_on_and_times_stay_text(kb_copy: Path) -> None:
    shutil.copyfile(FIXTURES / "words_stay_text.yaml", kb_copy / "knowledge.yaml")
    result = run("check", "rood", "--format", "json", "--data", str(kb_copy))
    assert result.exit_code == 0, result.output
    knowledge = json.loads(result.stdout)["knowledge"]
    assert (knowledge["name"], knowledge["version"]) == ("no", "12:30")
    assert load_knowledge(kb_copy).info.title.nl == "on"


def test_several_broken_files_are_all_reported(kb_copy: Path) -> None:
    shutil.copyfile(FIXTURES / "tabs.yaml", kb_copy / "knowledge.yaml")
    shutil.copyfile(FIXTURES / "empty.yaml", kb_copy / "language.yaml")
    # Checked although knowledge.yaml (where the weights live) cannot be read.
    edit(kb_copy / "signals.yaml", "phases: {reset: primary}", "phases: {resett: primary}")
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in lines[:-1]] == [
        "knowledge.yaml",
        "signals.yaml",
        "language.yaml",
    ]
    assert lines[-1] == "not valid: 3 errors, 0 warnings"


YAMLISH = st.lists(
    st.sampled_from(
        [*"abc:-[]{}&*!|>'\"#%@`,?\n\t ", "\x00", "é", "12", "no", "on", "!!python/name:os"]
    ),
    max_size=40,
).map("".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=300), YAMLISH), name=st.sampled_from(FILE_NAMES))
def test_any_text_is_a_knowledge_base_or_our_own_error(text: str, name: str, kb_copy: Path) -> None:
    (kb_copy / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    outcome: KnowledgeBase | FasewielError
    try:
        # Any other exception escapes here and fails the test.
        outcome = load_knowledge(kb_copy)
    except FasewielError as error:
        outcome = error
    finally:
        shutil.copyfile(builtin_data_dir() / name, kb_copy / name)
    if isinstance(outcome, FasewielError):
        assert outcome.message.startswith("the knowledge base has")
        # YAML counts \r, \r\n, NEL and the Unicode separators as line breaks too.
        lines = len(re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text))
        for problem in getattr(outcome, "problems", ()):
            assert 1 <= problem.line <= lines + 1  # a real place in the file
            assert "\n" not in problem.message


# --- data init / validate ---------------------------------------------------------------------


def test_init_copies_the_built_in_knowledge_base_with_a_note_on_top(tmp_path: Path) -> None:
    folder = tmp_path / "mijn-kennis"
    result = run("data", "init", str(folder))
    assert result.exit_code == 0, result.output
    for name in FILE_NAMES:
        text = (folder / name).read_text(encoding="utf-8")
        original = (builtin_data_dir() / name).read_text(encoding="utf-8")
        assert text.endswith(original)
        note = text[: -len(original)]
        assert all(line.startswith("#") or not line for line in note.splitlines())
        assert f"fasewiel data validate {folder}" in note
        assert EXTEND[name].split()[0] in note
    assert f"fasewiel data validate {folder}" in result.stdout


def test_init_into_a_new_nested_folder(tmp_path: Path) -> None:
    assert run("data", "init", str(tmp_path / "a" / "b")).exit_code == 0
    assert (tmp_path / "a" / "b" / "phases.yaml").is_file()


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "signals.yaml").write_text("# my own work\n", encoding="utf-8")
    result = run("data", "init", str(folder))
    assert result.exit_code == 1
    assert "already holds a knowledge base (signals.yaml)" in result.stderr
    assert "--force" in result.stderr
    assert (folder / "signals.yaml").read_text(encoding="utf-8") == "# my own work\n"
    assert not (folder / "phases.yaml").exists()
    assert run("data", "init", str(folder), "--force").exit_code == 0
    assert "signals:" in (folder / "signals.yaml").read_text(encoding="utf-8")


def test_init_onto_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run("data", "init", str(tmp_path / "file"))
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.stderr


def test_round_trip_init_validate_check(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = tmp_path / "kb"
    assert run("data", "init", str(folder)).exit_code == 0
    result = run("data", "validate", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: fasewiel 2026.12 (")
    assert result.stdout.endswith("0 errors, 0 warnings\n")
    text = "rode wangen, jeuk en fijne lijntjes, geen schilfers"
    own = advice_to_dict(check(text, treatments=["microneedling"], kb=load_knowledge(folder)))
    builtin = advice_to_dict(check(text, treatments=["microneedling"], kb=kb))
    assert own.pop("knowledge")["hash"] != builtin.pop("knowledge")["hash"]
    assert own == builtin


def test_validate_defaults_to_the_active_knowledge_base(kb_copy: Path) -> None:
    result = run("data", "validate")
    assert result.exit_code == 0
    assert (
        result.stdout
        == f"ok: fasewiel 2026.12 ({load_knowledge().info.hash[:12]}): 0 errors, 0 warnings\n"
    )
    edit(kb_copy / "signals.yaml", "phases: {reset: primary}", "phases: {reset: primery}")
    result = runner.invoke(app, ["data", "validate"], env={"FASEWIEL_DATA": str(kb_copy)})
    assert result.exit_code == 1
    assert "unknown weight 'primery'" in result.stdout


def test_validate_a_missing_folder_or_file(tmp_path: Path, kb_copy: Path) -> None:
    result = run("data", "validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "nowhere:1:1: error: knowledge-base folder not found" in result.stdout
    report = json.loads(run("data", "validate", str(tmp_path / "nowhere"), "-f", "json").stdout)
    assert report["valid"] is False
    assert "folder not found" in report["problems"][0]["message"]
    (kb_copy / "cards.yaml").unlink()
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 1
    assert "cards.yaml:1:1: error: file is missing" in result.stdout


def test_a_missing_file_does_not_hide_the_others(kb_copy: Path) -> None:
    (kb_copy / "cards.yaml").unlink()
    edit(kb_copy / "phases.yaml", "en: Reset}", "en: 12}")
    with (kb_copy / "signals.yaml").open("a", encoding="utf-8") as file:
        file.write("x: [\n")
    lines = run("data", "validate", str(kb_copy)).stdout.splitlines()
    assert [line.split(": error: ")[1][:20] for line in lines[:-1]] == [
        "expected text, found",
        "not valid YAML: did ",
        "file is missing",
    ]


HOUSE_INGREDIENT = """  - id: house_cream
    derived: "a practice's own product"
    name: {nl: Huiscrème, en: House cream}
"""


def test_validate_warns_about_what_will_not_work(kb_copy: Path) -> None:
    with (kb_copy / "ingredients.yaml").open("a", encoding="utf-8") as file:
        file.write(HOUSE_INGREDIENT)
    # Words in one language only; a word another signal also counts for; a filler word.
    edit(
        kb_copy / "signals.yaml",
        "en: [red, red skin, red cheeks, red patches, reddened, reddish]",
        "en: []",
    )
    edit(kb_copy / "signals.yaml", "nl: [jeukt, jeuken,", "nl: [jeukt, rode wangen, maar, jeuken,")
    # Sustain keeps one signal only.
    edit(kb_copy / "signals.yaml", "phases: {sustain: primary}", "phases: {radiance: primary}")
    result = run("data", "validate", str(kb_copy), "--format", "json")
    assert result.exit_code == 0, result.output  # warnings alone do not fail
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["errors"] == 0
    messages = [p["message"] for p in report["problems"]]
    assert all(p["severity"] == "warning" for p in report["problems"])
    expected = [
        "no phase uses the ingredient 'house_cream'",
        "signal 'redness' has words in nl only: add en words too",
        "phase 'sustain' has only 1 signal",
        "'rode wangen' also counts for redness",
        "'maar' does not reach signal 'itch' (it reads as: nothing)",
    ]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert report["warnings"] == len(messages)


def test_warnings_name_file_and_line(kb_copy: Path) -> None:
    with (kb_copy / "ingredients.yaml").open("a", encoding="utf-8") as file:
        file.write(HOUSE_INGREDIENT)
    line = (
        (kb_copy / "ingredients.yaml")
        .read_text(encoding="utf-8")
        .splitlines()
        .index("  - id: house_cream")
    )
    result = run("data", "validate", str(kb_copy))
    assert f"ingredients.yaml:{line + 1}:9: warning: no phase uses" in result.stdout
    assert result.stdout.endswith("0 errors, 1 warning\n")


# --- red flags: added, never removed ----------------------------------------------------------


def test_built_in_red_flags_apply_with_an_empty_custom_list(kb_copy: Path) -> None:
    (kb_copy / "red_flags.yaml").write_text("red_flags: []\n", encoding="utf-8")
    result = run("check", "een moedervlek die bloedt", "--format", "json", "--data", str(kb_copy))
    assert result.exit_code == 0, result.output
    assert [f["id"] for f in json.loads(result.stdout)["red_flags"]] == ["changing_mole"]
    report = run("data", "validate", str(kb_copy)).stdout
    assert "built-in red flags left out here still apply: changing_mole" in report


def test_a_custom_red_flag_adds_and_a_built_in_id_only_gains_patterns(kb_copy: Path) -> None:
    flags = yaml.safe_load((kb_copy / "red_flags.yaml").read_text(encoding="utf-8"))
    mole = next(f for f in flags["red_flags"] if f["id"] == "changing_mole")
    # The built-in patterns left out here: they still apply.
    mole["patterns"] = [
        {"groups": [{"nl": ["wrat"], "en": ["wart"]}, {"nl": ["groeit"], "en": ["grows"]}]}
    ]
    flags["red_flags"].append(
        {
            "id": "practice_rule",
            "derived": "our practice refers every burn from a sunbed",
            "name": {"nl": "zonnebankverbranding", "en": "sunbed burn"},
            "patterns": [
                {
                    "groups": [
                        {"nl": ["zonnebank"], "en": ["sunbed"]},
                        {"nl": ["verbrand"], "en": ["burn"]},
                    ]
                }
            ],
            "advice": {"nl": "Eerst naar de huisarts.", "en": "See your GP first."},
        }
    )
    (kb_copy / "red_flags.yaml").write_text(yaml.safe_dump(flags, allow_unicode=True), "utf-8")
    own = load_knowledge(kb_copy)

    def flagged(text: str) -> list[str]:
        return [f.id for f in check(text, kb=own).red_flags]

    assert flagged("een moedervlek die bloedt") == ["changing_mole"]  # built-in pattern kept
    assert flagged("een wrat die groeit") == ["changing_mole"]  # the practice's pattern added
    assert flagged("verbrand op de zonnebank") == ["practice_rule"]
    assert flagged("sunbed, verbrand") == ["practice_rule"]  # (either language, across a comma)
    builtin_ids = [f.id for f in load_knowledge().red_flags]
    assert [f.id for f in own.red_flags] == [*builtin_ids, "practice_rule"]


# --- every command honours --data -------------------------------------------------------------


@pytest.fixture
def own_words(kb_copy: Path) -> Path:
    edit(kb_copy / "signals.yaml", "[rood, ", "[rood, vuurrood, ")
    edit(kb_copy / "knowledge.yaml", "name: fasewiel", "name: praktijk-de-linde")
    edit(kb_copy / "cards.yaml", '"Het fasewiel – de taal van de huid"', '"Ons fasewiel"')
    return kb_copy


def test_batch_honours_data(own_words: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("client,symptoms\nA,vuurrood\n", encoding="utf-8")
    result = run("batch", str(source), "--quiet", "--data", str(own_words))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["phase"] == "reset"
    assert run("batch", str(source), "--quiet").exit_code == 0  # built-in: no_signal, not error
    assert json.loads(run("batch", str(source), "--quiet").stdout)["status"] == "no_signal"


def test_card_and_overviews_honour_data(own_words: Path) -> None:
    assert "Ons fasewiel" in run("card", "wheel", "-f", "text", "--data", str(own_words)).stdout
    assert "vuurrood" in run("signals", "-f", "text", "--data", str(own_words)).stdout
    assert run("phases", "-f", "text", "--data", str(own_words)).exit_code == 0
    assert run("ingredient", "niacinamide", "--data", str(own_words)).exit_code == 0


def test_check_names_the_knowledge_it_used(own_words: Path) -> None:
    doc = json.loads(run("check", "vuurrood", "-f", "json", "--data", str(own_words)).stdout)
    assert doc["knowledge"]["name"] == "praktijk-de-linde"
    assert re.fullmatch(r"[0-9a-f]{64}", doc["knowledge"]["hash"])
    assert doc["knowledge"]["hash"] != load_knowledge().info.hash


def test_validate_report_knows_the_folder(tmp_path: Path) -> None:
    assert run("data", "init", str(tmp_path / "kb")).exit_code == 0
    report = validate_folder(tmp_path / "kb")
    assert report.info is not None
    assert (report.errors, report.warnings) == (0, 0)
    assert report.to_dict()["knowledge"]["name"] == "fasewiel"


# --- the README's worked example ----------------------------------------------------------------


def test_readme_worked_example_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = readme.split("<!-- example: professionals -->\n```sh\n")[1].split("```")[0]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "0 errors, 0 warnings" in done.stdout
    advice = json.loads(done.stdout[done.stdout.index("{") :])
    assert advice["phase"] == "reset"
    assert [m["signal"] for m in advice["matched"]] == ["fiery_red"]


# --- what a custom knowledge base cannot do, and odd values ------------------------------------


def test_custom_language_rules_cannot_switch_off_built_in_red_flags(kb_copy: Path) -> None:
    # "ik" as a negation would otherwise negate "ik heb een moedervlek die bloedt".
    edit(kb_copy / "language.yaml", "nl: [geen, niet,", "nl: [ik, heb, geen, niet,")
    flags = yaml.safe_load((kb_copy / "red_flags.yaml").read_text(encoding="utf-8"))
    flags["red_flags"][0]["advice"] = {"nl": "Niets aan de hand.", "en": "Nothing to worry about."}
    (kb_copy / "red_flags.yaml").write_text(yaml.safe_dump(flags, allow_unicode=True), "utf-8")
    edit(kb_copy / "messages.yaml", "Dit hoort eerst bij een arts", "Geen zorgen, dit hoort")
    own = load_knowledge(kb_copy)
    advice = check("ik heb een moedervlek die bloedt", kb=own)
    builtin = load_knowledge()
    assert [f.id for f in advice.red_flags] == ["changing_mole"]
    assert advice.red_flags[0].advice == builtin.red_flags[0].advice.nl
    assert advice.referral is not None
    assert advice.referral.startswith(builtin.texts.referral.nl)
    report = run("data", "validate", str(kb_copy)).stdout
    assert "the advice of the built-in red flag 'changing_mole' cannot be changed" in report
    assert "'referral' speaks of safety: fasewiel's own wording is used" in report


def test_custom_messages_cannot_reword_what_speaks_of_safety(kb_copy: Path) -> None:
    messages = yaml.safe_load((kb_copy / "messages.yaml").read_text(encoding="utf-8"))
    messages["texts"]["disclaimer"] = {"nl": "Alles komt goed.", "en": "All will be well."}
    messages["labels"]["red_flags"] = {"nl": "Ter info", "en": "FYI"}
    messages["labels"]["not_advised"] = {"nl": "gewoon doen", "en": "advised - go ahead"}
    messages["intake"]["stopped"] = {"nl": "Ga gewoon door.", "en": "Just carry on."}
    messages["labels"]["phase"] = {"nl": "Stadium", "en": "Stage"}  # not about safety: kept
    (kb_copy / "messages.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True), "utf-8")
    own, builtin = load_knowledge(kb_copy), load_knowledge()
    assert own.texts.disclaimer == builtin.texts.disclaimer
    assert own.labels.red_flags == builtin.labels.red_flags
    assert own.labels.not_advised == builtin.labels.not_advised
    assert own.intake.stopped == builtin.intake.stopped
    assert own.labels.phase.nl == "Stadium"
    shown = run("check", "moedervlek bloedt", "--data", str(kb_copy), "-f", "text").stdout
    assert "EERST NAAR EEN ARTS" in shown
    assert "TER INFO" not in shown.upper()
    assert "Alles komt goed" not in shown
    report = run("data", "validate", str(kb_copy)).stdout
    for name in ("disclaimer", "red_flags", "stopped", "not_advised"):
        assert f"'{name}' speaks of safety: fasewiel's own wording is used" in report


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\u061c", "\u200b", "\u2028"])
def test_invisible_and_bidirectional_characters_are_refused(kb_copy: Path, char: str) -> None:
    edit(kb_copy / "phases.yaml", "de noodrem van de huid", f"de noodrem {char}van de huid")
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 1
    code = f"U+{ord(char):04X}"
    assert "phases.yaml:" in result.stdout
    assert f"invisible or bidirectional character {code} in the text: remove it" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      value: 1.0", '      value: "1.0"', "expected a number, found '1.0'"),
        ("      value: 0.5", "      value: true", "expected a number, found the boolean true"),
        ("      value: 1.0", "      value: 1e308", "expected a number, found '1e308'"),
        ("      value: 1.0", "      value: 5000", "at most 1000"),
        ("    days: 91", '    days: "91"', "expected a number, found '91'"),
        ("    days: 91", "    days: 0", "days must be from 1 to 3650"),
    ],
)
def test_numbers_must_be_numbers_and_sane(kb_copy: Path, old: str, new: str, message: str) -> None:
    edit(kb_copy / "knowledge.yaml", old, new)
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 1
    assert message in result.stdout
    assert re.search(r"knowledge\.yaml:\d+:\d+: error: ", result.stdout)


def test_control_characters_in_texts_are_refused_with_their_line(kb_copy: Path) -> None:
    edit(
        kb_copy / "phases.yaml",
        "tagline: {nl: de noodrem van de huid",
        'tagline: {nl: "de \\e]0;X\\a noodrem"',
    )
    line = next(
        n
        for n, text in enumerate((kb_copy / "phases.yaml").read_text("utf-8").splitlines(), 1)
        if "noodrem" in text and "tagline" in text
    )
    result = run("card", "reset", "-f", "text", "--data", str(kb_copy))
    assert result.exit_code == 1
    assert f"phases.yaml:{line}:" in result.stderr
    assert "control character U+001B in the text" in result.stderr
    assert "\x1b" not in result.output


def test_init_checks_every_target_before_writing(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "knowledge.yaml").write_text("# mine\n", encoding="utf-8")
    (folder / "phases.yaml").mkdir()
    result = run("data", "init", str(folder), "--force")
    assert result.exit_code == 1
    assert "phases.yaml, which is not a file; nothing was written" in result.stderr
    assert (folder / "knowledge.yaml").read_text(encoding="utf-8") == "# mine\n"


def test_init_refuses_an_empty_folder_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("data", "init", "")
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_folder_with_a_line_break_in_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "mijn\nkennis"
    assert run("data", "init", str(folder)).exit_code == 0
    assert run("data", "validate", str(folder)).exit_code == 0


def test_a_lost_positive_must_mean_a_signal_and_be_read_from_signal_words(kb_copy: Path) -> None:
    edit(kb_copy / "language.yaml", "  - means: dull_skin", "  - means: dull_sky")
    edit(
        kb_copy / "language.yaml", "nl: [glans, gloed, stralend, straalt]", "nl: [glans, sprankel]"
    )
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 1
    assert "unknown signal 'dull_sky'" in result.stdout
    edit(kb_copy / "language.yaml", "  - means: dull_sky", "  - means: dull_skin")
    result = run("data", "validate", str(kb_copy))
    assert result.exit_code == 0
    assert "'sprankel' is no word of a signal: its loss is never read" in result.stdout


def test_a_text_left_out_of_messages_yaml_is_fasewiels_own(
    kb_copy: Path, kb: KnowledgeBase
) -> None:
    """A folder made by an older ``data init`` lacks the texts fasewiel learned since."""
    path = kb_copy / "messages.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["texts"]["verdict_unknown"]
    del doc["labels"]["unknown"]
    del doc["history"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    custom = load_knowledge(kb_copy)
    assert custom.texts.verdict_unknown == kb.texts.verdict_unknown
    assert custom.history.recheck_due == kb.history.recheck_due
    (unknown,) = check("rood", treatments=["botox"], kb=custom).treatments
    assert "geen behandeling die fasewiel kent" in unknown.reason
    warnings = [p.message for p in validate_folder(kb_copy).problems if p.severity == "warning"]
    assert "'verdict_unknown' not in texts: fasewiel's own wording is used" in warnings
    assert "no 'history' section: fasewiel's own wording is used" in warnings
