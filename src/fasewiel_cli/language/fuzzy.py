"""Typo tolerance and "did you mean", with rapidfuzz (imported only when a word is unknown)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# How alike a word must be to a known phrase to be offered as a suggestion (0-100).
SUGGESTION_CUTOFF = 75
# Prefixes that turn a word into its opposite: "onrustig" must not suggest "rustig".
_OPPOSITE_PREFIXES = ("on", "in", "un", "non", "dis", "niet")


# Remembered per word: a text is read for its signals and then for its red flags, and each
# reading asks for the same words (a long text may hold tens of thousands of unknown ones).
@lru_cache(maxsize=65536)
def closest(norm: str, targets: tuple[str, ...]) -> tuple[str, ...]:
    """The known words ``norm`` may be a typo of: the nearest ones, or none.

    Conservative on purpose: one edit for words up to seven letters, two for longer ones (two
    letters swapped count as one edit), and the first letter must agree. The caller decides
    what a tie between different words means.
    """
    edits = 1 if len(norm) < 8 else 2
    near = process.extract(norm, targets, scorer=OSA.distance, score_cutoff=edits, limit=8)
    found = [
        (word, int(distance))
        for word, distance, _ in near
        if word[0] == norm[0] and (len(norm) >= 7 or _slip(norm, word))
    ]
    if not found:
        return ()
    best = min(distance for _, distance in found)
    return tuple(word for word, distance in found if distance == best)


def _slip(typed: str, word: str) -> bool:
    """The typos trusted in short words: a consonant doubled or undoubled, or two letters
    swapped. Any other single edit turns many short words into other real words ("fiets" and
    "flets"), and so does a doubled vowel ("slaap" and "slap").
    """
    if len(typed) == len(word) + 1:
        return any(
            typed[i] == typed[i - 1] not in "aeiou" and typed[:i] + typed[i + 1 :] == word
            for i in range(1, len(typed))
        )
    if len(word) == len(typed) + 1:
        return _slip(word, typed)
    if len(word) == len(typed):
        diff = [i for i in range(len(word)) if word[i] != typed[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == word[diff[1]]
            and typed[diff[1]] == word[diff[0]]
        )
    return False


@lru_cache(maxsize=16384)
def suggest(norm: str, keys: tuple[str, ...], texts: tuple[str, ...]) -> tuple[str, ...]:
    """Up to three known phrases with a word that looks like ``norm``, best first.

    ``keys`` are single words, ``texts`` the phrase each belongs to (the same word may appear
    in several phrases: "teint" suggests both "vale teint" and "egale teint").
    """
    found = process.extract(norm, keys, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=12)
    kept = [texts[index] for key, _, index in found if not _opposite(norm, key)]
    return tuple(dict.fromkeys(kept))[:3]


def _opposite(word: str, phrase: str) -> bool:
    """Is ``word`` the phrase's opposite: "onrustige" against "rustige huid"?"""
    for prefix in _OPPOSITE_PREFIXES:
        rest = word[len(prefix) :]
        if (
            word.startswith(prefix)
            and rest
            and any(part.startswith(rest[:4]) for part in phrase.split())
        ):
            return True
    return False
