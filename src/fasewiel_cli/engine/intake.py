"""The guided intake's decisions: pure functions of the knowledge base and the answers so far.

The intake asks, like a professional would (§10: "gebruik het fasewiel als intake-instrument"):
safety first (the red flags), then what the skin shows (the signals, grouped per phase), then at
most three follow-up questions — the signals whose answer would most change which of the two
leading phases comes out on top. The answers become a text that goes through ``check`` like any
other, so the intake ends with exactly the advice of ``fasewiel check`` with words.

Nothing here reads or writes a terminal; the prompt loop is in ``interview`` (the CLI layer).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import NamedTuple

from fasewiel_cli.engine.scoring import score
from fasewiel_cli.knowledge.models import KnowledgeBase, Lang

# Follow-up questions stop once the leading phase's share is ahead of the second by this much.
CLEAR_MARGIN = 1 / 3
MAX_FOLLOW_UPS = 3

YES = frozenset({"j", "ja", "y", "yes"})
NO = frozenset({"n", "nee", "no"})
_SEPARATORS = re.compile(r"[\s,;]+")


class MenuItem(NamedTuple):
    number: int
    id: str
    text: str


class MenuGroup(NamedTuple):
    """The signals of one phase (each under the phase it weighs most in)."""

    phase: str
    title: str
    items: tuple[MenuItem, ...]


def signal_menu(kb: KnowledgeBase, lang: Lang) -> tuple[MenuGroup, ...]:
    """Every signal, grouped per phase in wheel order and numbered from 1 throughout."""
    home: dict[str, list[str]] = {p.id: [] for p in kb.phases}
    for signal in kb.signals:
        points = dict(kb.points(signal.id))
        # The phase it weighs most in; equal weights go to the earlier phase on the wheel.
        best = max(home, key=lambda p: points.get(p, 0.0))
        home[best].append(signal.id)
    groups = []
    number = 0
    for phase in kb.phases:
        items = []
        for signal_id in home[phase.id]:
            number += 1
            items.append(MenuItem(number, signal_id, kb.signal(signal_id).name.get(lang)))
        if items:
            groups.append(MenuGroup(phase.id, phase.name.get(lang), tuple(items)))
    return tuple(groups)


def flag_menu(kb: KnowledgeBase, lang: Lang) -> tuple[MenuItem, ...]:
    """The red flags, numbered from 1: the intake's safety screen."""
    return tuple(
        MenuItem(n, flag.id, flag.name.get(lang)) for n, flag in enumerate(kb.red_flags, 1)
    )


def parse_numbers(answer: str, last: int) -> list[int] | None:
    """ "1, 4, 7" or "1 4 7" → [1, 4, 7] (each once, in order); "" → []; None when invalid."""
    numbers: list[int] = []
    for part in _SEPARATORS.split(answer.strip()):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or len(part) > 6 or not 1 <= int(part) <= last:
            return None
        if int(part) not in numbers:
            numbers.append(int(part))
    return numbers


def parse_yes_no(answer: str) -> bool | None:
    """j/ja/y/yes → True, n/nee/no → False (either language, any case); else None."""
    word = answer.strip().strip(".!").casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def is_clear(kb: KnowledgeBase, present: Collection[str]) -> bool:
    """Whether more answers could no longer change the outcome much: calm-first decides it, or
    the leading phase is ahead of the second by ``CLEAR_MARGIN``."""
    shares, phase, _, calm = score(kb, present)
    if phase is None:
        return False
    if calm:
        return True
    first, second = sorted(shares.values(), reverse=True)[:2]
    return first - second >= CLEAR_MARGIN


def follow_up(kb: KnowledgeBase, present: Collection[str], asked: Collection[str]) -> str | None:
    """The signal to ask about next, or None when nothing is worth asking.

    Only when signals are present and the outcome is not yet clear. Candidates are the signals
    not yet present or asked that point to one of the two leading phases; the chosen one is the
    one whose "yes" would move the balance between those two the most. Among equals, the side
    that has had fewer questions so far goes first (so both phases get a fair hearing), then the
    knowledge base's order.
    """
    if not present or is_clear(kb, present):
        return None
    shares, _, _, _ = score(kb, present)
    first, second = sorted(shares, key=lambda p: -shares[p])[:2]  # stable: wheel order
    margin = shares[first] - shares[second]

    def side(signal_id: str) -> str:
        points = dict(kb.points(signal_id))
        return first if points.get(first, 0.0) >= points.get(second, 0.0) else second

    heard = {first: 0, second: 0}
    for signal_id in asked:
        if first in kb.signal(signal_id).phases or second in kb.signal(signal_id).phases:
            heard[side(signal_id)] += 1
    best: tuple[float, int, str] | None = None
    for signal in kb.signals:
        if signal.id in present or signal.id in asked:
            continue
        if first not in signal.phases and second not in signal.phases:
            continue
        after, _, _, _ = score(kb, [*present, signal.id])
        shift = round(abs((after[first] - after[second]) - margin), 9)
        if shift <= 0:
            continue
        key = (shift, -heard[side(signal.id)])
        if best is None or key > best[:2]:
            best = (*key, signal.id)
    return None if best is None else best[2]


def compose(
    kb: KnowledgeBase,
    lang: Lang,
    chosen: Sequence[str],
    own_words: str = "",
    denied: Sequence[str] = (),
) -> str:
    """The answers as one text for ``check``: each chosen signal by its name, the person's own
    words, and each signal they said no to behind the language's first negation ("geen …")."""
    negation = kb.language.negations.get(lang)[0]
    clauses = [kb.signal(s).name.get(lang) for s in chosen]
    if own_words.strip():
        clauses.append(" ".join(own_words.split()))
    clauses += [f"{negation} {kb.signal(s).name.get(lang)}" for s in denied]
    return ". ".join(clauses)
