"""Lenient lookup of a named item (a treatment, an ingredient) by id, name or other word.

"micro-needling", "Microneedling" and "micro needling" all find ``microneedling``; "peelings" finds
``peeling`` through its stem; a small typo is forgiven when only one item is that close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from fasewiel_cli.errors import UnknownNameError
from fasewiel_cli.lexicon import phrase_norms, phrase_stems
from fasewiel_cli.models import Localized, LocalizedList


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


def _compact(text: str, stemmed: bool = False) -> str:
    return "".join(phrase_stems(text) if stemmed else phrase_norms(text))


def find(kind: str, items: Sequence[T], name: str) -> T:
    """The item ``name`` refers to; ``UnknownNameError`` with suggestions when there is none."""
    for stemmed in (False, True):
        query = _compact(name, stemmed)
        hits = {i.id: i for i in items for s in _spellings(i) if _compact(s, stemmed) == query}
        if len(hits) == 1:
            return next(iter(hits.values()))
    from fasewiel_cli.fuzzy import correct, suggest

    spellings = {_compact(s): item for item in items for s in _spellings(item)}
    query = _compact(name)
    typo = correct(query, tuple(spellings)) if len(query) >= 4 else None
    if typo is not None:
        return spellings[typo]
    found = suggest(query, tuple(spellings), tuple(item.id for item in spellings.values()))
    raise UnknownNameError(kind, name, list(dict.fromkeys(found)), [item.id for item in items])
