"""The Python API: ``from fasewiel import check, assess_rows, flat_row, load_knowledge``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fasewiel
import fasewiel_cli
from fasewiel_cli.batch.records import Record
from fasewiel_cli.batch.run import Assessor
from fasewiel_cli.knowledge.models import KnowledgeBase

TEXTS = [
    "rood, jeuk",
    "mijn huid is dof en vaal, geen jeuk",
    "fine lines and loss of firmness",
    "moedervlek bloedt",
    "hallo",
    "rood rood rood, niet rood",
    "koorts en uitslag, rode wangen",
]


def test_both_names_give_the_same_api() -> None:
    assert fasewiel.__all__ == fasewiel_cli.__all__
    for name in ("check", "assess_rows", "flat_row", "load_knowledge", "__version__"):
        assert name in fasewiel.__all__
    for name in fasewiel.__all__:
        assert getattr(fasewiel, name) is getattr(fasewiel_cli, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        fasewiel.nothing  # noqa: B018


def test_importing_the_api_imports_no_engine() -> None:
    code = "import fasewiel, sys; print(sorted(m for m in sys.modules if 'fasewiel' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['fasewiel', 'fasewiel_cli', 'fasewiel_cli.version']"


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("treatments", [(), ("microneedling",), ("led", "peeling")])
def test_flat_row_is_the_row_batch_writes(
    kb: KnowledgeBase, text: str, treatments: tuple[str, ...]
) -> None:
    row = fasewiel.flat_row(fasewiel.check(text, lang="en", treatments=treatments, kb=kb))
    outcome = Assessor(kb, "en").outcome(Record(1, {}, text, None, treatments))
    assert outcome is not None
    assert row == dict(zip(Assessor(kb, "en").columns[:-2], outcome.values, strict=True))
    json.dumps(row)  # (plain data)


def test_assess_rows_keeps_each_row_and_adds_its_result(kb: KnowledgeBase) -> None:
    rows: list[dict[str, Any]] = [
        {"id": 1, "symptoms": "rood, jeuk", "treatment": "microneedling"},
        {"id": 2, "symptomen": "dof", "behandeling": "botoxx"},
        {"id": 3, "note": "no symptoms"},
        {"id": 4, "symptoms": ["rood", "jeuk"]},
        {"id": 5, "symptoms": 12},
    ]
    results = list(fasewiel.assess_rows(rows, kb=kb, lang="nl"))
    assert [r["id"] for r in results] == [1, 2, 3, 4, 5]
    assert [r["status"] for r in results] == ["ok", "ok", "error", "ok", "error"]
    assert results[0]["phase"] == "reset"
    assert results[0]["treatments"][0]["verdict"] == "not_advised"
    assert results[0]["error"] is None
    assert results[1]["phase"] == "activate"
    assert results[1]["treatments"][0]["verdict"] == "unknown"
    assert results[2]["error"] == "rij 3: geen veld 'symptoms' of 'symptomen'"  # (lang="nl")
    assert results[3]["matched"] == results[0]["matched"]
    assert "moet tekst zijn" in results[4]["error"]
    (english,) = fasewiel.assess_rows([{"note": "none"}], kb=kb, lang="en")
    assert english["error"] == "row 1: no 'symptoms' field"
    assert rows[0] == {"id": 1, "symptoms": "rood, jeuk", "treatment": "microneedling"}


def test_assess_rows_is_lazy_and_streams(kb: KnowledgeBase) -> None:
    def endless() -> Any:
        n = 0
        while True:
            n += 1
            yield {"symptoms": "rood" if n % 2 else "dof"}

    results = fasewiel.assess_rows(endless(), kb=kb)
    first = [next(results)["phase"] for _ in range(4)]
    assert first == ["reset", "activate", "reset", "activate"]


def test_a_knowledge_base_of_ones_own(kb_copy: Path) -> None:
    kb = fasewiel.load_knowledge(kb_copy)
    assert not kb.info.builtin
    assert fasewiel.check("rood", kb=kb).phase is not None
    with pytest.raises(fasewiel.FasewielError) as raised:
        fasewiel.load_knowledge(kb_copy / "missing")
    assert raised.value.hint


def test_the_api_refuses_a_language_it_does_not_speak(kb: KnowledgeBase) -> None:
    assert fasewiel.check("rood", lang="EN", kb=kb).lang == "en"  # type: ignore[arg-type]
    with pytest.raises(fasewiel.FasewielError, match="unknown language 'de'"):
        fasewiel.check("rood", lang="de", kb=kb)  # type: ignore[arg-type]
    with pytest.raises(fasewiel.FasewielError, match="unknown language 'fr'"):
        next(fasewiel.assess_rows([{"symptoms": "rood"}], kb=kb, lang="fr"))  # type: ignore[arg-type]


def test_one_treatment_as_a_string_is_one_treatment(kb: KnowledgeBase) -> None:
    (peeling,) = fasewiel.check("fijne lijntjes", treatments="peeling", kb=kb).treatments
    assert peeling.id == "peeling"
    assert fasewiel.check("rood", treatments=["", "  "], kb=kb).treatments == ()


def test_a_row_that_is_no_mapping_is_an_error_row(kb: KnowledgeBase) -> None:
    (row,) = fasewiel.assess_rows(["rood"], kb=kb, lang="en")  # type: ignore[list-item]
    assert row["status"] == "error"
    assert row["error"] == "row 1: expected a JSON object, found str"


def test_more_treatments_than_a_plan_holds_is_an_error_row(kb: KnowledgeBase) -> None:
    names = ", ".join(f"t{n}" for n in range(21))
    (row,) = fasewiel.assess_rows([{"symptoms": "rood", "treatment": names}], kb=kb, lang="en")
    assert row["status"] == "error"
    assert "more than 20 planned treatments" in row["error"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "says"),
    [
        ((None,), {}, TypeError, "text must be a text or a list of texts, not NoneType"),
        ((b"rood",), {}, TypeError, "not bytes"),
        (("rood",), {"treatments": [None]}, TypeError, "treatments must be texts, not NoneType"),
        (("rood",), {"treatments": [5]}, TypeError, "not int"),
        (("rood",), {"flags": [("nope", "x")]}, ValueError, "unknown red flag 'nope'"),
    ],
)
def test_check_says_what_it_takes(
    kb: KnowledgeBase, args: Any, kwargs: Any, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        fasewiel.check(*args, kb=kb, **kwargs)


def test_an_empty_pandas_cell_is_no_treatment(kb: KnowledgeBase) -> None:
    """pandas reads an empty cell as NaN: it was a treatment called 'nan', verdict unknown."""
    (row,) = fasewiel.assess_rows([{"symptoms": "rood", "treatment": float("nan")}], kb=kb)
    assert row["treatments"] == []
    assert row["status"] == "ok"


def test_a_row_with_keys_that_are_no_text_is_read(kb: KnowledgeBase) -> None:
    (row,) = fasewiel.assess_rows([{5: "x", "symptoms": "rood"}], kb=kb)
    assert row["status"] == "ok"
    assert row[5] == "x"


def test_a_knowledge_base_folder_may_be_named_by_a_string(kb_copy: Path) -> None:
    assert fasewiel.load_knowledge(str(kb_copy)) == fasewiel.load_knowledge(kb_copy)


@pytest.mark.parametrize(
    "text",
    [
        "wond is gei\u0308nfecteerd",  # (accents as separate marks, as macOS may send them)
        "my mo\u00adle is bleeding",  # (a soft hyphen)
        "mijn moe\u200bdervlek bloedt",  # (a zero-width space)
        "my mo\u2060le is bleeding",  # (a word joiner)
    ],
)
def test_nothing_invisible_inside_a_word_hides_a_red_flag(kb: KnowledgeBase, text: str) -> None:
    assert fasewiel.check(text, kb=kb).red_flags
    (row,) = fasewiel.assess_rows([{"symptoms": text}], kb=kb)
    assert row["status"] == "red_flag"


def test_red_flags_confirmed_elsewhere_may_come_from_a_generator(kb: KnowledgeBase) -> None:
    confirmed = (flag for flag in [("changing_mole", "ja")])
    advice = fasewiel.check("ik ben moe", kb=kb, flags=confirmed)
    assert [f.id for f in advice.red_flags] == ["changing_mole"]


def test_the_advice_keeps_the_text_as_written(kb: KnowledgeBase) -> None:
    text = "roodheid 👩\u200d⚕\ufe0f cafe\u0301"  # (a joined emoji; an accent as its own mark)
    assert fasewiel.check(text, kb=kb).text == text
    assert fasewiel.check("mo\u034fle bleeding", kb=kb).red_flags  # (a grapheme joiner)
