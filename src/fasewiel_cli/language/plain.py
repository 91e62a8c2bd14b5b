"""Typed values as plain JSON data, and back in exactly the shape their type declares.

The lexicon is kept in the cache as such data (``lexicon``). Reading it back checks every value
against the type of its place — text where text belongs, a pair where a pair belongs — so data of
any other shape is refused as a whole (``ValueError``), never read as something it is not. The
types known are those the lexicon is made of: str, int, Literal texts, tuples, frozensets, dicts
and NamedTuples.

A lexicon holds tens of thousands of values, so a shape reads all the values of its place at
once (``read_all``): every value of every tuple in a field is checked and made in one pass, not
one call per value, which makes reading several times faster than building the lexicon again.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, islice
from typing import Any, Literal, Protocol, get_args, get_origin, get_type_hints


class Shape(Protocol):
    def plain(self, value: Any) -> Any:
        """``value`` as JSON-able data."""

    def read_all(self, data: list[Any]) -> list[Any]:
        """The values the items of ``data`` (JSON-decoded) hold; ``ValueError`` when one is of
        another shape."""


def shape(kind: Any) -> Shape:
    """The shape of the values of type ``kind``."""
    origin, args = get_origin(kind), get_args(kind)
    if kind is str or kind is int:
        return _Leaf(kind)
    if origin is Literal and all(type(arg) is str for arg in args):
        return _Leaf(str, frozenset(args))
    if origin is tuple and args[1:] == (...,):
        return _Many(tuple, shape(args[0]))
    if origin is tuple:
        return _Fixed(tuple, [shape(arg) for arg in args])
    if origin is frozenset:
        return _Many(frozenset, shape(args[0]))
    if origin is dict and args[0] is str:
        return _Mapping(shape(args[1]))
    if origin is dict:  # (keys that are no text: a list of [key, value] pairs)
        return _Many(dict, _Fixed(tuple, [shape(arg) for arg in args]))
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        hints = get_type_hints(kind)
        make = kind._make  # type: ignore[attr-defined]
        return _Fixed(make, [shape(hints[name]) for name in kind._fields])
    raise TypeError(f"no shape for {kind!r}")


def read(kind: Shape, data: Any) -> Any:
    """The value ``data`` holds (``Shape.read_all`` of one)."""
    (value,) = kind.read_all([data])
    return value


def _check_types(data: list[Any], kind: type) -> None:
    if not set(map(type, data)) <= {kind}:  # (a JSON ``true`` is no int)
        found = ", ".join(sorted(t.__name__ for t in set(map(type, data)) - {kind}))
        raise ValueError(f"expected {kind.__name__}, found {found}")


class _Leaf:
    """Text or a whole number, maybe one of a few ``choices``."""

    def __init__(self, kind: type, choices: frozenset[str] | None = None) -> None:
        self.kind = kind
        self.choices = choices

    def plain(self, value: Any) -> Any:
        return value

    def read_all(self, data: list[Any]) -> list[Any]:
        _check_types(data, self.kind)
        if self.choices is not None and not self.choices.issuperset(data):
            raise ValueError(f"expected one of {sorted(self.choices)}")
        return data


class _Many:
    """Any number of items of one shape, made into a tuple, a frozenset or a dict (of pairs)."""

    def __init__(self, make: Callable[[Any], Any], item: Shape) -> None:
        self.make = make
        self.item = item

    def plain(self, value: Any) -> Any:
        items = value.items() if isinstance(value, dict) else value
        return [self.item.plain(item) for item in items]

    def read_all(self, data: list[Any]) -> list[Any]:
        _check_types(data, list)
        items = self.item.read_all(list(chain.from_iterable(data)))
        if isinstance(self.item, _Leaf):  # (read as they are: each list is made in one go)
            return list(map(self.make, data))
        rest = iter(items)
        return [self.make(islice(rest, len(part))) for part in data]


class _Mapping:
    """A dict with text keys: a JSON object."""

    def __init__(self, item: Shape) -> None:
        self.item = item

    def plain(self, value: Any) -> Any:
        return {key: self.item.plain(item) for key, item in value.items()}

    def read_all(self, data: list[Any]) -> list[Any]:
        _check_types(data, dict)
        items = iter(self.item.read_all([item for part in data for item in part.values()]))
        return [dict(zip(part, islice(items, len(part)), strict=True)) for part in data]


class _Fixed:
    """A fixed number of items, each of its own shape: a pair, a NamedTuple."""

    def __init__(self, make: Callable[[Any], Any], items: list[Shape]) -> None:
        self.make = make
        self.items = items

    def plain(self, value: Any) -> Any:
        return [item.plain(part) for item, part in zip(self.items, value, strict=True)]

    def read_all(self, data: list[Any]) -> list[Any]:
        _check_types(data, list)
        if not set(map(len, data)) <= {len(self.items)}:
            raise ValueError(f"expected lists of {len(self.items)}")
        columns = zip(*data, strict=True) if data else [()] * len(self.items)
        read = [item.read_all(list(c)) for item, c in zip(self.items, columns, strict=True)]
        return list(map(self.make, zip(*read, strict=True)))
