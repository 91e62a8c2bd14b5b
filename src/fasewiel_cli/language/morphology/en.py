"""English word forms: "scar" gives scars, scarred, scarring; "itch" gives itchy, itchiness…"""

from __future__ import annotations

from fasewiel_cli.language.morphology.spelling import (
    VOWELS,
    by_last_letter,
    consonant,
    short_vowel_final,
)

_ENDINGS = ("iness", "ness", "ings", "ing", "ies", "ied", "ish", "est", "es", "ed", "er",
            "ly", "s", "y")  # fmt: skip
_BY_LAST = by_last_letter(_ENDINGS)
# Endings before which English drops a final "e" ("scare" → "scaring").
_E_DROPPING_ENDINGS = frozenset({"ing", "ed", "er", "est", "ish", "y"})

# English writes compounds apart or with a hyphen: no word is two joined ones.
COMPOUND_LINKS: tuple[str, ...] = ()


def forms(base: str) -> set[str]:
    """Every form English builds from ``base`` (``base`` included)."""
    found = {base, base + "s", base + "ness", base + "ly"}
    vowel_endings = ("ed", "ing", "er", "est", "y", "ish", "iness")
    if short_vowel_final(base):
        found |= {base + base[-1] + ending for ending in vowel_endings}  # scar → scarred
    elif base.endswith("e"):
        cut = base[:-1]
        found |= {base + "d", base + "r", base + "st", cut + "ing", cut + "y", cut + "ish"}
    elif base.endswith("y") and len(base) > 2 and base[-2] not in VOWELS:
        cut = base[:-1]
        found |= {base + "ing", cut + "ies", cut + "ied", cut + "ier", cut + "iest", cut + "ily"}
        found.add(cut + "iness")
    else:
        found |= {base + ending for ending in vowel_endings} | {base + "es"}
    return found


def bases(word: str) -> set[str]:
    """``word`` and what it may be an inflection of: "scarring" → scar, "itchy" → itch."""
    found = {word}
    for ending in _BY_LAST.get(word[-1:], ()):
        # Four letters at least: "gray" is no "-y" word of "gra" (which would make "gras").
        if not word.endswith(ending) or len(word) - len(ending) < 4:
            continue
        base = word[: -len(ending)]
        if ending in ("ies", "ied", "iness"):
            found.add(base + "y")
            continue
        if base[-1] == base[-2] and consonant(base[-1]):
            found.add(base[:-1])  # scarring → scar
        elif ending in _E_DROPPING_ENDINGS:
            found.add(base + "e")  # scaring → scare
        found.add(base)
    return found


def own_bases(word: str) -> set[str]:
    """The bases of a knowledge-base word: English spelling does not show an inflection the way
    Dutch does, so these are its bases."""
    return bases(word)
