"""Word forms: which inflections of a knowledge-base word count as that word.

Cutting every word down to a stem makes unrelated words meet ("kort" and "koorts", "slaap" and
"slap", "valt" and "vaal"). fasewiel instead traces a word back to the few bases it may be an
inflection of (``bases``), and accepts a word as a form of a knowledge-base word only when Dutch
or English would build it from that base (``forms``): "rood" gives rode, roden, roodheid…;
"strak" gives strakke, strakker…; "scar" gives scars, scarred, scarring. The rules over-generate
a little (some forms are no real words), which is harmless as long as they are not other words.
"""

from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("aeiou")
_NO_DOUBLING = frozenset("wxyh")

# Endings a Dutch word may carry: diminutive, plural, adjective, comparative, verb (present and
# past: "groeit", "groeide", "groeid" as typed for "groeit"), -heid, -ing ("veroudering").
# (Each is one that ``dutch_forms`` builds: a word is traced back only to bases that build it.)
_DUTCH_ENDINGS = (
    "etjes", "tjes", "jes", "etje", "tje", "je", "heden", "heid",
    "ende", "end", "ere", "er", "en", "e", "t", "s", "ste", "d", "de", "den", "te", "ten", "ing",
)  # fmt: skip
# Endings after which Dutch spelling drops a doubled vowel ("rood" → "rode").
_OPEN_SYLLABLE_ENDINGS = frozenset({"e", "en", "er", "ere", "ende", "end", "ste", "ing"})
_ENGLISH_ENDINGS = ("iness", "ness", "ings", "ing", "ies", "ied", "ish", "est", "es", "ed", "er",
                    "ly", "s", "y")  # fmt: skip
# Endings before which English drops a final "e" ("scare" → "scaring").
_E_DROPPING_ENDINGS = frozenset({"ing", "ed", "er", "est", "ish", "y"})


def _consonant(char: str) -> bool:
    return char.isalpha() and char not in VOWELS


def _short_vowel_final(word: str) -> bool:
    """consonant, one vowel, one consonant at the end: "strak", "dof", "scar" (not "rood")."""
    return (
        len(word) >= 3
        and _consonant(word[-1])
        and word[-1] not in _NO_DOUBLING
        and word[-2] in VOWELS
        and _consonant(word[-3])
    )


def _long_vowel_final(word: str) -> bool:
    """a doubled vowel and one consonant at the end: "rood", "vaal"."""
    return len(word) >= 3 and _consonant(word[-1]) and word[-2] == word[-3] and word[-2] in VOWELS


def dutch_forms(base: str) -> set[str]:
    forms = {base}
    if _long_vowel_final(base):
        stem = base[:-3] + base[-2:]  # rood → rod-e
    elif _short_vowel_final(base):
        stem = base + base[-1]  # strak → strakk-e
    else:
        stem = base
    if not _short_vowel_final(base) and stem[-1] in "fs" and not base.endswith("ss"):
        voiced = stem[:-1] + ("v" if stem[-1] == "f" else "z")  # lief → lieve, grijs → grijze
        forms |= {voiced + "e", voiced + "en", voiced + "er"}
    forms |= {stem + "e", stem + "en", stem + "er", stem + "ere", stem + "ste", stem + "ende"}
    forms.add(stem + "ing")  # (the verb's noun: verslap → verslapping, verouder → veroudering)
    forms |= {base + "st", base + "heid", base + "heden", base + "t", base + "te", base + "ten"}
    forms |= {base + "d", base + "de", base + "end", base + "ig", base + "ige"}
    forms |= {base + "je", base + "jes", base + "tje", base + "tjes", base + "etje", base + "etjes"}
    if base.endswith(("el", "er", "em", "en", "je", "ie")) or base[-1] in VOWELS:
        forms.add(base + "s")
    return forms


def english_forms(base: str) -> set[str]:
    forms = {base, base + "s", base + "ness", base + "ly"}
    vowel_endings = ("ed", "ing", "er", "est", "y", "ish", "iness")
    if _short_vowel_final(base):
        forms |= {base + base[-1] + ending for ending in vowel_endings}  # scar → scarred
    elif base.endswith("e"):
        cut = base[:-1]
        forms |= {base + "d", base + "r", base + "st", cut + "ing", cut + "y", cut + "ish"}
    elif base.endswith("y") and len(base) > 2 and base[-2] not in VOWELS:
        cut = base[:-1]
        forms |= {base + "ing", cut + "ies", cut + "ied", cut + "ier", cut + "iest", cut + "ily"}
        forms.add(cut + "iness")
    else:
        forms |= {base + ending for ending in vowel_endings} | {base + "es"}
    return forms


def _by_last_letter(endings: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The endings by their last letter: a word can only end in those of its own last letter."""
    found: dict[str, list[str]] = {}
    for ending in endings:
        found.setdefault(ending[-1], []).append(ending)
    return {letter: tuple(group) for letter, group in found.items()}


_DUTCH_BY_LAST = _by_last_letter(_DUTCH_ENDINGS)
_ENGLISH_BY_LAST = _by_last_letter(_ENGLISH_ENDINGS)


def dutch_bases(word: str) -> set[str]:
    """``word`` and what it may be an inflection of: "lijntjes" → lijn, "rode" → rood."""
    bases = {word}
    for ending in _DUTCH_BY_LAST.get(word[-1:], ()):
        if not word.endswith(ending) or len(word) - len(ending) < 3:
            continue
        base = word[: -len(ending)]
        if base[-1] == base[-2] and _consonant(base[-1]):
            base = base[:-1]  # strakke → strak, prikkend → prik
        elif ending in _OPEN_SYLLABLE_ENDINGS and len(base) <= 4 and _short_vowel_final(base):
            base = base[:-1] + base[-2] + base[-1]  # rode → rood, vale → vaal
        bases.add(base)
    return bases


def english_bases(word: str) -> set[str]:
    bases = {word}
    for ending in _ENGLISH_BY_LAST.get(word[-1:], ()):
        # Four letters at least: "gray" is no "-y" word of "gra" (which would make "gras").
        if not word.endswith(ending) or len(word) - len(ending) < 4:
            continue
        base = word[: -len(ending)]
        if ending in ("ies", "ied", "iness"):
            bases.add(base + "y")
            continue
        if base[-1] == base[-2] and _consonant(base[-1]):
            bases.add(base[:-1])  # scarring → scar
        elif ending in _E_DROPPING_ENDINGS:
            bases.add(base + "e")  # scaring → scare
        bases.add(base)
    return bases


@lru_cache(maxsize=65536)
def bases(word: str) -> frozenset[str]:
    """Every base ``word`` may be an inflection of, in either language (``word`` included)."""
    return frozenset(dutch_bases(word) | english_bases(word))


@lru_cache(maxsize=16384)
def forms(base: str, lang: str) -> frozenset[str]:
    """Every form the language builds from ``base`` (``base`` included)."""
    return frozenset(dutch_forms(base) if lang == "nl" else english_forms(base))


def own_bases(word: str, lang: str) -> frozenset[str]:
    """The bases of a knowledge-base word, in its own language.

    A Dutch word whose spelling shows it is inflected ("vale" from "vaal", "slappe" from "slap")
    is not a base itself: forms built on it ("valet") would be other words.
    """
    if lang != "nl":
        return frozenset(english_bases(word))
    found = dutch_bases(word)
    respelled = any(base not in word for base in found)
    return frozenset(found - {word} if respelled else found)


def is_form_of(word: str, known: str) -> bool:
    """Is ``word`` the knowledge-base word ``known``, or a form of it, in either language?"""
    return word == known or any(
        word in forms(base, lang) for lang in ("nl", "en") for base in own_bases(known, lang)
    )
