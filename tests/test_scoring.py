"""Signals → phase: shares, ties, calm first, the next phase."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from fasewiel_cli.engine.scoring import Assessment, assess
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.knowledge.models import PHASE_IDS, KnowledgeBase
from fasewiel_cli.language.lexicon import lexicon_of
from fasewiel_cli.language.matching import match_text


def run(kb: KnowledgeBase, text: str) -> Assessment:
    return assess(kb, match_text(lexicon_of(kb), text))


@pytest.mark.parametrize(
    ("text", "phase", "next_phase"),
    [
        ("roodheid jeuk", "reset", "activate"),
        ("vale teint", "activate", "repair"),
        ("fijne lijntjes, littekens", "repair", "radiance"),
        ("egale teint", "radiance", "sustain"),
        ("rustige huid", "sustain", "reset"),
        ("dull and tight", "activate", "repair"),
        ("sagging skin and wrinkles", "repair", "radiance"),
    ],
)
def test_phase_and_next(kb: KnowledgeBase, text: str, phase: str, next_phase: str) -> None:
    result = run(kb, text)
    assert (result.phase, result.next_phase) == (phase, next_phase)


def test_shares_are_weights_normalised(kb: KnowledgeBase) -> None:
    # vale teint (activate, primary 1.0), doffe huid (activate, secondary 0.5),
    # fijne lijntjes (repair, primary 1.0): activate 1.5/2.5, repair 1.0/2.5.
    result = run(kb, "vale teint, dof, fijne lijntjes")
    assert result.scores["activate"] == pytest.approx(0.6)
    assert result.scores["repair"] == pytest.approx(0.4)
    assert math.fsum(result.scores.values()) == pytest.approx(1.0)
    assert list(result.scores) == list(PHASE_IDS)


def test_ties_go_in_wheel_order(kb: KnowledgeBase) -> None:
    assert run(kb, "egale teint, rustige huid").phase == "radiance"
    assert run(kb, "rustige huid, egale teint").phase == "radiance"
    assert run(kb, "fijne lijntjes, vale teint").phase == "activate"


def test_calm_first_puts_reset_ahead_and_names_what_follows(kb: KnowledgeBase) -> None:
    # Repair outweighs Reset here, but a primary Reset signal means: calm first.
    result = run(kb, "fijne lijntjes, littekens, slappe huid, jeuk")
    assert result.scores["repair"] > result.scores["reset"]
    assert (result.phase, result.next_phase, result.calm_first) == ("reset", "repair", True)


def test_a_secondary_reset_signal_does_not_force_reset(kb: KnowledgeBase) -> None:
    result = run(kb, "fijne lijntjes, littekens, couperose")
    assert (result.phase, result.calm_first) == ("repair", False)


def test_nothing_recognised_means_no_phase(kb: KnowledgeBase) -> None:
    result = run(kb, "hallo wereld")
    assert (result.phase, result.next_phase) == (None, None)
    assert set(result.scores.values()) == {0.0}


def test_weights_come_from_the_knowledge_base(kb_copy: Path, kb: KnowledgeBase) -> None:
    """Changing the YAML weights changes the outcome: they are not constants in code."""
    path = kb_copy / "knowledge.yaml"
    path.write_text(path.read_text().replace("value: 0.5", "value: 3.0"), encoding="utf-8")
    custom = load_knowledge(kb_copy)
    # littekens: Repair, primary; dof: Activate, secondary.
    assert run(kb, "littekens, dof").phase == "repair"
    assert run(custom, "littekens, dof").phase == "activate"


def test_the_calm_first_phase_comes_from_the_knowledge_base(kb_copy: Path) -> None:
    path = kb_copy / "knowledge.yaml"
    path.write_text(path.read_text().replace("    phase: reset\n", "    phase: repair\n"))
    custom = load_knowledge(kb_copy)
    result = run(custom, "jeuk, rood, fijne lijntjes")
    assert (result.phase, result.next_phase, result.calm_first) == ("repair", "reset", True)
