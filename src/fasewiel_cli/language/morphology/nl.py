"""Dutch word forms: "rood" gives rode, roden, roodheid…; "strak" gives strakke, strakker…"""

from __future__ import annotations

from fasewiel_cli.language.morphology.spelling import (
    VOWELS,
    by_last_letter,
    consonant,
    long_vowel_final,
    short_vowel_final,
)

# Endings a Dutch word may carry: diminutive, plural, adjective, comparative, verb (present and
# past: "groeit", "groeide", "groeid" as typed for "groeit"), -heid, -ing ("veroudering").
# (Each is one that ``forms`` builds: a word is traced back only to bases that build it.)
_ENDINGS = (
    "etjes", "tjes", "jes", "etje", "tje", "je", "heden", "heid",
    "ende", "end", "ere", "er", "en", "e", "t", "s", "ste", "d", "de", "den", "te", "ten", "ing",
)  # fmt: skip
_BY_LAST = by_last_letter(_ENDINGS)
# Endings after which Dutch spelling drops a doubled vowel ("rood" → "rode").
_OPEN_SYLLABLE_ENDINGS = frozenset({"e", "en", "er", "ere", "ende", "end", "ste", "ing"})

# What may join the two words of a compound: "benauwdheid-s-klachten", "zweer-en-…".
COMPOUND_LINKS = ("", "s", "e", "en")


def forms(base: str) -> set[str]:
    """Every form Dutch builds from ``base`` (``base`` included)."""
    found = {base}
    if long_vowel_final(base):
        stem = base[:-3] + base[-2:]  # rood → rod-e
    elif short_vowel_final(base):
        stem = base + base[-1]  # strak → strakk-e
    else:
        stem = base
    if not short_vowel_final(base) and stem[-1] in "fs" and not base.endswith("ss"):
        voiced = stem[:-1] + ("v" if stem[-1] == "f" else "z")  # lief → lieve, grijs → grijze
        found |= {voiced + "e", voiced + "en", voiced + "er"}
    found |= {stem + "e", stem + "en", stem + "er", stem + "ere", stem + "ste", stem + "ende"}
    found.add(stem + "ing")  # (the verb's noun: verslap → verslapping, verouder → veroudering)
    found |= {base + "st", base + "heid", base + "heden", base + "t", base + "te", base + "ten"}
    found |= {base + "d", base + "de", base + "end", base + "ig", base + "ige"}
    found |= {base + "je", base + "jes", base + "tje", base + "tjes", base + "etje", base + "etjes"}
    if base.endswith(("el", "er", "em", "en", "je", "ie")) or base[-1] in VOWELS:
        found.add(base + "s")
    return found


def bases(word: str) -> set[str]:
    """``word`` and what it may be an inflection of: "lijntjes" → lijn, "rode" → rood."""
    found = {word}
    for ending in _BY_LAST.get(word[-1:], ()):
        if not word.endswith(ending) or len(word) - len(ending) < 3:
            continue
        base = word[: -len(ending)]
        if base[-1] == base[-2] and consonant(base[-1]):
            base = base[:-1]  # strakke → strak, prikkend → prik
        elif ending in _OPEN_SYLLABLE_ENDINGS and len(base) <= 4 and short_vowel_final(base):
            base = base[:-1] + base[-2] + base[-1]  # rode → rood, vale → vaal
        found.add(base)
    return found


def own_bases(word: str) -> set[str]:
    """The bases of a knowledge-base word. A word whose spelling shows it is inflected ("vale"
    from "vaal", "slappe" from "slap") is not a base itself: forms built on it ("valet") would
    be other words."""
    found = bases(word)
    respelled = any(base not in word for base in found)
    return found - {word} if respelled else found
