"""Word forms: which inflections of a knowledge-base word count as that word.

Cutting every word down to a stem makes unrelated words meet ("kort" and "koorts", "slaap" and
"slap", "valt" and "vaal"). fasewiel instead traces a word back to the few bases it may be an
inflection of (``bases``), and accepts a word as a form of a knowledge-base word only when its
language would build it from that base (``forms``): "rood" gives rode, roden, roodheid…;
"strak" gives strakke, strakker…; "scar" gives scars, scarred, scarring. The rules over-generate
a little (some forms are no real words), which is harmless as long as they are not other words.

Each language of ``LANGS`` has its rules in a module of this package named after it (``nl``,
``en``): ``forms(base)``, ``bases(word)``, ``own_bases(word)`` and ``COMPOUND_LINKS``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Protocol, cast

from fasewiel_cli.knowledge.models import LANGS, Lang


class Rules(Protocol):
    """What a language's module of word-form rules provides."""

    # What may join the two words of a compound written as one word ("wond-infectie").
    COMPOUND_LINKS: tuple[str, ...]

    def forms(self, base: str) -> set[str]: ...
    def bases(self, word: str) -> set[str]: ...
    def own_bases(self, word: str) -> set[str]: ...


RULES: dict[Lang, Rules] = {
    lang: cast(Rules, importlib.import_module(f"{__name__}.{lang}")) for lang in LANGS
}
# What may join the words of a compound, in any language.
COMPOUND_LINKS = tuple(dict.fromkeys(link for r in RULES.values() for link in r.COMPOUND_LINKS))


@lru_cache(maxsize=65536)
def bases(word: str) -> frozenset[str]:
    """Every base ``word`` may be an inflection of, in any language (``word`` included)."""
    return frozenset(base for rules in RULES.values() for base in rules.bases(word))


@lru_cache(maxsize=16384)
def forms(base: str, lang: Lang) -> frozenset[str]:
    """Every form the language builds from ``base`` (``base`` included)."""
    return frozenset(RULES[lang].forms(base))


def own_bases(word: str, lang: Lang) -> frozenset[str]:
    """The bases of a knowledge-base word, in its own language."""
    return frozenset(RULES[lang].own_bases(word))


def is_form_of(word: str, known: str) -> bool:
    """Is ``word`` the knowledge-base word ``known``, or a form of it, in any language?"""
    return word == known or word in _forms_of(known)


@lru_cache(maxsize=16384)
def _forms_of(known: str) -> frozenset[str]:
    """Every form of a knowledge-base word in any language (asked for each word of each name a
    lookup compares: remembered)."""
    return frozenset().union(
        *(forms(base, lang) for lang in LANGS for base in own_bases(known, lang))
    )
