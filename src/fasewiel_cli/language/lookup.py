"""Lenient lookup of a named item (a treatment, an ingredient) by id, name or other word.

"micro-needling", "Microneedling" and "micro needling" all find ``microneedling``; "peelings"
finds ``peeling`` as a form of the word; a small typo is forgiven when only one item is that
close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from fasewiel_cli.errors import UnknownNameError
from fasewiel_cli.knowledge.models import Lang, Localized, LocalizedList
from fasewiel_cli.language.lexicon import phrase_norms
from fasewiel_cli.language.morphology import is_form_of


class Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> Localized: ...
    @property
    def words(self) -> LocalizedList: ...


T = TypeVar("T", bound=Named)


def _spellings(item: Named) -> list[str]:
    return [item.id.replace("_", " "), item.name.nl, item.name.en, *item.words.all()]


def _compact(text: str) -> str:
    return "".join(phrase_norms(text))


def _same_words(query: tuple[str, ...], spelling: tuple[str, ...]) -> bool:
    return len(query) == len(spelling) and all(map(is_form_of, query, spelling))


def find(kind: str, items: Sequence[T], name: str, lang: Lang = "en") -> T:
    """The item ``name`` refers to; ``UnknownNameError`` with suggestions when there is none."""
    query = phrase_norms(name)
    compact = "".join(query)
    for forms in (False, True):
        # First "micro-needling" is "microneedling"; then "peelings" is a form of "peeling".
        hits = {
            item.id: item
            for item in items
            for s in _spellings(item)
            if (_same_words(query, phrase_norms(s)) if forms else _compact(s) == compact)
        }
        if len(hits) == 1:
            return next(iter(hits.values()))
    from fasewiel_cli.language.fuzzy import closest, suggest

    spellings = {_compact(s): item for item in items for s in _spellings(item)}
    near = closest(compact, tuple(spellings)) if len(compact) >= 5 else ()
    typo = {spellings[word].id: spellings[word] for word in near}
    if len(typo) == 1:
        return next(iter(typo.values()))
    names = tuple(item.name.get(lang) for item in spellings.values())
    found = suggest(compact, tuple(spellings), names)
    known = [item.name.get(lang) for item in items]
    raise UnknownNameError(kind, name, list(dict.fromkeys(found)), known)
