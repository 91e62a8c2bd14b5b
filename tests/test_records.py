"""Reading records: a CSV or JSON Lines record is one line, so every line that is not blank is
exactly one record or one error, in order, whatever the text holds; a JSON array is read
element by element, the same as ``json.loads`` reads it whole."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import english
from fasewiel_cli.batch import records
from fasewiel_cli.batch.records import CsvSource, Record, open_source
from fasewiel_cli.formats import Format

# Pieces that steer a CSV reader: quotes, delimiters, every kind of line end, blanks, a byte
# that is not UTF-8 (decoded to a surrogate escape), and plain text.
PIECES = ['"', '""', ";", "\n", "\r\n", "\r", " ", "  \n", "a", "rood", "x;y", "\udcff", '"a;b"']
FIELD = st.one_of(
    st.sampled_from(["", "rood", "a b", "\udcff", "\x00", "=1"]),
    st.lists(st.sampled_from(["a", ";", '""', " ", "\n"]), max_size=6).map(
        lambda parts: '"' + "".join(parts) + '"'
    ),
)
RECORD = st.lists(FIELD, min_size=1, max_size=4).map(";".join)
LINE_END = st.sampled_from(["\n", "\r\n", "\r"])
BODY = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.lists(st.tuples(RECORD, LINE_END), max_size=12).map(
        lambda rows: "".join(record + end for record, end in rows)
    ),
)


def _open(text: str, fmt: Format = Format.csv, delimiter: str | None = ";") -> Any:
    data = text.encode("utf-8", "surrogateescape")
    stream = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    return open_source(stream, fmt, None, delimiter)


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as a text file with universal line ends has them."""
    return io.StringIO(text, newline="").readlines()


@settings(max_examples=500, deadline=None)
@given(header=st.sampled_from(["symptoms\n", "symptoms;b\n", "a;symptoms;c\r\n"]), body=BODY)
def test_each_line_that_is_not_blank_is_one_record_or_one_error(header: str, body: str) -> None:
    source = _open(header + body)
    assert isinstance(source, CsvSource)
    found: list[Record] = list(source)
    lines = _lines(body)
    expected = [n + 2 for n, line in enumerate(lines) if line.strip()]
    assert [record.line for record in found] == expected
    for record in found:
        line = lines[record.line - 2]
        if record.error is not None:
            assert english(record.error).startswith(f"line {record.line}")
            continue
        # A sound record is what the csv module reads from its line alone.
        (row,) = csv.reader([line], delimiter=";", strict=True)
        assert record.cells == tuple(row[: source.width])
        assert "\udcff" not in line


def test_a_stray_quote_never_merges_records() -> None:
    """``1,"rood, anna`` ... ``3",zed``: 500 records stay 500, the two broken ones errors at
    their own lines, and every client keeps their own record."""
    body = ['1,"rood, anna\n'] + [f"{n},jeuk,c{n}\n" for n in range(2, 500)] + ['500",zed\n']
    found = list(_open("id,symptoms,client\n" + "".join(body), delimiter=None))
    assert len(found) == 500
    assert [r.line for r in found] == list(range(2, 502))
    assert found[0].error is not None
    assert "not closed on this line" in english(found[0].error)
    assert english(found[-1].error) == "line 501: 2 fields where the header has 3"
    assert [r.client for r in found[1:-1]] == [f"c{n}" for n in range(2, 500)]


def test_a_long_line_is_skipped_without_being_kept(monkeypatch: Any) -> None:
    monkeypatch.setattr(records, "MAX_LINE_CHARS", 10)
    text = "symptoms\nrood\n" + "x" * 100_000 + "\r\njeuk\n" + "y" * 11 + "\n"
    found = list(_open(text))
    assert [(r.line, r.error is None) for r in found] == [
        (2, True),
        (3, False),
        (4, True),
        (5, False),
    ]
    assert english(found[1].error) == "line 3 is longer than 10 characters"
    assert found[2].symptoms == "jeuk"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)
OBJECTS = st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4).map(
    lambda d: {"symptoms": "rood"} | d
)


@settings(max_examples=300, deadline=None)
@given(
    elements=st.lists(OBJECTS, max_size=6),
    indent=st.sampled_from([None, 1, 2]),
    chunk=st.sampled_from([1, 3, 16, 1 << 16]),
)
def test_a_json_array_is_read_as_json_loads_reads_it(
    elements: list[dict[str, Any]], indent: int | None, chunk: int
) -> None:
    text = json.dumps(elements, indent=indent, ensure_ascii=False)
    source = _open(text, Format.json)
    source.CHUNK = chunk  # (elements across the ends of what is read at a time)
    found = list(source)
    assert [r.error for r in found] == [None] * len(elements)
    assert [r.fields for r in found] == json.loads(text)


def test_json_values_fasewiel_cannot_write_back_are_errors_of_their_own() -> None:
    lines = [
        '{"symptoms": "rood", "n": ' + "9" * 5000 + "}",  # more digits than int() converts
        '{"symptoms": "rood", "n": NaN}',
        '{"symptoms": "rood", "n": -Infinity}',
        '{"symptoms": "rood", "n": 1e999}',
        '{"symptoms": "rood", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"symptoms": "rood \\ud800"}',  # half a surrogate pair
        '{"symptoms": "rood \\ud83d\\ude00"}',  # a whole pair: an emoji, fine
        '{"symptoms": "jeuk"}',
    ]
    found = list(_open("\n".join(lines), Format.jsonl))
    assert [r.error is None for r in found] == [False] * 6 + [True, True]
    errors = [english(r.error) for r in found[:6]]
    assert "too many digits" in errors[0]
    assert "NaN is not a number JSON allows" in errors[1]
    assert "-Infinity" in errors[2]
    assert "too large" in errors[3]
    assert "nested too deeply" in errors[4]
    assert "surrogate" in errors[5]


def test_a_field_as_long_as_a_line_may_be_is_read() -> None:
    """The csv module stops at 128 KiB a field by itself; a record may be a whole line."""
    long = "rood " * 100_000  # (500,000 characters)
    (record,) = list(_open(f"symptoms;client\n{long};anna\n"))
    assert record.error is None
    assert record.symptoms == long
    assert record.client == "anna"
