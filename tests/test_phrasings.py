"""The phrasings of bench/phrasings/, written for fasewiel's own evaluation, and the variants the
bench makes of them: the phase right for at least 97% of everyday sentences, every red flag
caught, nothing flagged that is not."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from fasewiel_cli import check


def _bench() -> ModuleType:
    path = Path(__file__).parents[1] / "bench" / "understanding_bench.py"
    spec = importlib.util.spec_from_file_location("understanding_bench", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
ROWS = BENCH.rows(BENCH.RED_FLAGS) + BENCH.rows(BENCH.REVIEW)


def test_the_corpus_is_large_and_covers_every_flag_in_both_languages() -> None:
    flagged = [(text, flag) for text, flag in ROWS if flag]
    assert len(flagged) >= 200
    assert len([row for row in ROWS if row[1] is None]) >= 60
    from fasewiel_cli.knowledge.load import load_knowledge

    assert {flag for _, flag in flagged} == {f.id for f in load_knowledge().red_flags}


@pytest.mark.parametrize(("text", "flag"), [row for row in ROWS if row[1]])
def test_every_written_red_flag_and_its_variants_are_caught(text: str, flag: str) -> None:
    for kind, variant in [("written", text), *BENCH.variants(text, flag)]:
        assert flag in BENCH.flags(variant), (kind, variant)


@pytest.mark.parametrize("text", [row[0] for row in ROWS if row[1] is None])
def test_nothing_is_flagged_that_should_not_be(text: str) -> None:
    assert check(text).red_flags == ()


def test_at_least_97_percent_of_everyday_sentences_get_their_phase() -> None:
    phrasings = BENCH.rows(BENCH.PHASES)
    assert len(phrasings) >= 150
    languages = [text for text, _ in phrasings if " my " in f" {text.lower()} "]
    assert len(languages) >= 40  # (English ones, too)
    misses = [(text, phase, BENCH.phase(text)) for text, phase in phrasings]
    misses = [miss for miss in misses if miss[1] != miss[2]]
    assert 1 - len(misses) / len(phrasings) >= BENCH.PHASE_TARGET, misses
