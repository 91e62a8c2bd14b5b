"""Typed values as plain JSON data and back (``language.plain``): the shape is exact or refused."""

from __future__ import annotations

import json
from typing import Any, Literal, NamedTuple

import pytest

from fasewiel_cli.language.plain import read, shape


class Pair(NamedTuple):
    word: str
    count: int


EXAMPLES: list[tuple[Any, Any]] = [
    (str, "rood"),
    (int, 3),
    (Literal["nl", "en"], "en"),
    (tuple[str, ...], ("rode", "huid")),
    (tuple[str, ...], ()),
    (tuple[str, Literal["nl", "en"]], ("rode", "nl")),
    (frozenset[tuple[str, ...]], frozenset({("rode", "huid"), ("rood",)})),
    (dict[str, tuple[int, ...]], {"rood": (2, 1), "jeuk": ()}),
    (dict[tuple[str, ...], Pair], {("rode", "huid"): Pair("rood", 2)}),
    (tuple[frozenset[str], ...], (frozenset({"a"}), frozenset())),
    (dict[str, tuple[Pair, ...]], {}),
]


@pytest.mark.parametrize(("kind", "value"), EXAMPLES)
def test_a_value_comes_back_as_it_was(kind: Any, value: Any) -> None:
    of = shape(kind)
    back = read(of, json.loads(json.dumps(of.plain(value))))
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (str, 1),
        (int, True),
        (int, "1"),
        (Literal["nl", "en"], "de"),
        (tuple[str, ...], "rood"),
        (tuple[str, ...], [["rood"]]),
        (tuple[str, str], ["rood"]),
        (frozenset[str], [None]),
        (dict[str, int], [["rood", 1]]),
        (dict[str, int], {"rood": 1.5}),
        (dict[tuple[str, ...], int], {"rood": 1}),
        (dict[tuple[str, ...], int], [[["rood"], 1, 2]]),
        (Pair, ["rood"]),
        (Pair, {"word": "rood", "count": 1}),
    ],
)
def test_data_of_another_shape_is_refused(kind: Any, data: Any) -> None:
    with pytest.raises(ValueError, match="expected"):
        read(shape(kind), data)
