"""Typo tolerance and "did you mean", with rapidfuzz (imported only when a word is unknown)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from fasewiel_cli.lexicon import stem

# How alike a word must be to a known phrase to be offered as a suggestion (0-100).
SUGGESTION_CUTOFF = 60


@lru_cache(maxsize=16384)
def correct(norm: str, targets: tuple[str, ...]) -> str | None:
    """The known word ``norm`` is a typo of, or None.

    Conservative on purpose: one edit for words up to seven letters, two for longer ones; the
    first letter must agree; and if two different known words are equally close, it is no typo
    but an unknown word.
    """
    edits = 1 if len(norm) < 8 else 2
    near = process.extract(norm, targets, scorer=Levenshtein.distance, score_cutoff=edits, limit=4)
    found: list[tuple[str, int]] = [(w, int(d)) for w, d, _ in near if w[0] == norm[0]]
    if not found:
        return None
    best_word, best = min(found, key=lambda item: item[1])
    rivals = {stem(word) for word, distance in found if distance == best}
    return best_word if len(rivals) == 1 else None


@lru_cache(maxsize=16384)
def suggest(norm: str, keys: tuple[str, ...], texts: tuple[str, ...]) -> tuple[str, ...]:
    """Up to three known phrases that look like ``norm``, best first."""
    found = process.extract(norm, keys, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=3)
    return tuple(texts[index] for _, _, index in found)
