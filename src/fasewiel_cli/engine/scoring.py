"""Signals → phase. Each phase scores the summed weights of the signals pointing to it; the scores
become shares that sum to 1. The highest share leads (ties in wheel order), except under the
calm-first rule of the knowledge base: a primary Reset signal puts the skin in Reset, and the phase
the other signals point to is what comes next.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.language.matching import MatchResult


class Assessment(NamedTuple):
    match: MatchResult
    # Every phase id, in wheel order, with its share; all 0.0 when nothing was recognised.
    scores: dict[str, float]
    phase: str | None
    next_phase: str | None
    # True when the calm-first rule chose the phase.
    calm_first: bool

    def signals_pointing_to(self, kb: KnowledgeBase, phase_id: str) -> tuple[str, ...]:
        return tuple(s for s in self.match.signal_ids if phase_id in kb.signal(s).phases)


def assess(kb: KnowledgeBase, match: MatchResult) -> Assessment:
    return Assessment(match, *score(kb, match.signal_ids))


def score(
    kb: KnowledgeBase, signal_ids: Iterable[str]
) -> tuple[dict[str, float], str | None, str | None, bool]:
    """Shares per phase, the phase, the next phase and whether calm-first chose the phase."""
    raw = dict.fromkeys((p.id for p in kb.phases), 0.0)
    calm = False
    for signal_id in signal_ids:
        for phase_id, weight in kb.points(signal_id):
            raw[phase_id] += weight
        calm = calm or kb.calms_first(signal_id)
    total = sum(raw.values())
    if total <= 0:
        return dict.fromkeys(raw, 0.0), None, None, False
    scores = {phase_id: value / total for phase_id, value in raw.items()}
    rule = kb.scoring.calm_first
    if calm:
        others = {p: v for p, v in raw.items() if p != rule.phase and v > 0}
        after = _leader(others) if others else kb.phase(rule.phase).next
        return scores, rule.phase, after, True
    leader = _leader(raw)
    return scores, leader, kb.phase(leader).next, False


def _leader(raw: dict[str, float]) -> str:
    """The phase with the highest score; ``max`` keeps the first of equals, i.e. wheel order."""
    return max(raw, key=raw.__getitem__)
