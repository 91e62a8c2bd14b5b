"""Spelling facts the word-form rules of more than one language use."""

from __future__ import annotations

VOWELS = frozenset("aeiou")
_NO_DOUBLING = frozenset("wxyh")


def consonant(char: str) -> bool:
    return char.isalpha() and char not in VOWELS


def short_vowel_final(word: str) -> bool:
    """consonant, one vowel, one consonant at the end: "strak", "dof", "scar" (not "rood")."""
    return (
        len(word) >= 3
        and consonant(word[-1])
        and word[-1] not in _NO_DOUBLING
        and word[-2] in VOWELS
        and consonant(word[-3])
    )


def long_vowel_final(word: str) -> bool:
    """a doubled vowel and one consonant at the end: "rood", "vaal"."""
    return len(word) >= 3 and consonant(word[-1]) and word[-2] == word[-3] and word[-2] in VOWELS


def by_last_letter(endings: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The endings by their last letter: a word can only end in those of its own last letter."""
    found: dict[str, list[str]] = {}
    for ending in endings:
        found.setdefault(ending[-1], []).append(ending)
    return {letter: tuple(group) for letter, group in found.items()}
