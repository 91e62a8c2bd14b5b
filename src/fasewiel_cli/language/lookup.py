"""Lenient lookup of a named item (a treatment, an ingredient) by id, name or other word.

"micro-needling", "Microneedling" and "micro needling" all find ``microneedling``; "peelings"
finds ``peeling`` as a form of the word; a small typo is forgiven when only one item is that
close.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple, Protocol, TypeVar, cast

from fasewiel_cli.errors import UnknownNameError
from fasewiel_cli.knowledge.models import LANGS, Lang, Localized, LocalizedList
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


class _Index(NamedTuple):
    """Every spelling of every item, prepared once: by its letters and digits run together
    ("micro-needling" → "microneedling"), and as normalised words."""

    items: Sequence[Named]
    compact: dict[str, tuple[Named, ...]]
    words: tuple[tuple[tuple[str, ...], Named], ...]
    names: dict[str, Named]  # compact spelling → its item (the last one, for typos)
    keys: tuple[str, ...]  # those spellings, and each one's item's name per language
    labels: dict[Lang, tuple[str, ...]]
    # Names looked up lately → the item, or the suggestions for a name that is none (a batch
    # asks the same names again and again; a miss costs a fuzzy search).
    answers: OrderedDict[tuple[str, Lang], Named | tuple[str, ...]]


# The indexes of the item lists looked in lately (a knowledge base's treatments, ingredients),
# by the list's identity: built once per knowledge base, not once per lookup.
_INDEXES: dict[int, _Index] = {}
_KEPT = 8


def _index(items: Sequence[Named]) -> _Index:
    found = _INDEXES.get(id(items))
    if found is not None and found.items is items:
        return found
    spellings = [
        (phrase_norms(s), item)
        for item in items
        for s in (item.id.replace("_", " "), *item.name.all(), *item.words.all())
    ]
    compact: dict[str, list[Named]] = {}
    for norms, item in spellings:
        compact.setdefault("".join(norms), []).append(item)
    names = {"".join(norms): item for norms, item in spellings}
    index = _Index(
        items,
        {key: tuple(found) for key, found in compact.items()},
        tuple(spellings),
        names,
        tuple(names),
        {lang: tuple(item.name.get(lang) for item in names.values()) for lang in LANGS},
        OrderedDict(),
    )
    if len(_INDEXES) >= _KEPT:
        del _INDEXES[next(iter(_INDEXES))]
    _INDEXES[id(items)] = index
    return index


def _same_words(query: tuple[str, ...], spelling: tuple[str, ...]) -> bool:
    return len(query) == len(spelling) and all(map(is_form_of, query, spelling))


def find(kind: str, items: Sequence[T], name: str, lang: Lang = LANGS[0]) -> T:
    """The item ``name`` refers to; ``UnknownNameError`` with suggestions when there is none."""
    index = _index(items)
    key = (name, lang)
    answer = index.answers.get(key)
    if answer is None:
        answer = _answer(index, name, lang)
        if len(name) <= _LONGEST_NAME:
            index.answers[key] = answer
            if len(index.answers) > _ANSWERS:
                index.answers.popitem(last=False)
    if isinstance(answer, tuple):
        known = [item.name.get(lang) for item in items]
        raise UnknownNameError(kind, name, answer, known)
    return cast(T, answer)


# A name this long or longer is also looked for inside the names of items, and they in it.
_PART = 4
# How many answers each index keeps, and how long a name it keeps one for; a longer name is
# not looked for among the typos and parts of names either (the fuzzy search remembers what it
# is asked: that memory, and the time, would grow with the names' length).
_ANSWERS = 1024
_LONGEST_NAME = 200


def _answer(index: _Index, name: str, lang: Lang) -> Named | tuple[str, ...]:
    """The item ``name`` refers to, or the names it may have meant (perhaps none)."""
    query = phrase_norms(name)
    compact = "".join(query)
    # First "micro-needling" is "microneedling"; then "peelings" is a form of "peeling".
    hits = {item.id: item for item in index.compact.get(compact, ())}
    if len(hits) != 1:
        hits = {item.id: item for norms, item in index.words if _same_words(query, norms)}
    if len(hits) == 1:
        return next(iter(hits.values()))
    if len(compact) > _LONGEST_NAME:  # (a text pasted into the cell: no name looks like it)
        return ()
    from fasewiel_cli.language.fuzzy import closest, suggest

    keys = index.keys
    near = closest(compact, keys) if len(compact) >= 5 else ()
    typo = {index.names[word].id: index.names[word] for word in near}
    if len(typo) == 1:
        return next(iter(typo.values()))
    names = index.labels[lang]
    # What looks like it, and every item with the name in its own ("massage": collageenmassage,
    # glow-massage): a professional's word for a kind of treatment.
    within = (
        [
            item.name.get(lang)
            for key, item in index.names.items()
            if compact in key or key in compact
        ]
        if len(compact) >= _PART
        else []
    )
    return tuple(dict.fromkeys([*suggest(compact, keys, names), *within]))
