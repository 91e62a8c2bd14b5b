"""Reading CSV in blocks (``CsvSource.blocks`` + ``rows_of``) finds the same records as reading
it one line at a time: checked against a plain line-at-a-time reader (the one fasewiel used
before blocks), for any text made of the characters CSV cares about."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from fasewiel_cli import records
from fasewiel_cli.formats import RecordFormat
from fasewiel_cli.records import CsvSource, Row, open_source

# Pieces that steer a CSV reader: quotes, delimiters, every kind of line end, blanks, a byte
# that is not UTF-8 (decoded to a surrogate escape), and plain text.
PIECES = ['"', '""', ";", "\n", "\r\n", "\r", " ", "  \n", "a", "rood", "x;y", "\udcff", '"a;b"']


def reference_rows(source: CsvSource, lines: list[str], first: int) -> Iterator[Row]:
    """The records of ``lines`` (starting at line ``first``), read one line at a time through a
    feed that keeps the current record's lines; after a quote that is never closed, the lines
    behind its line are fed again."""
    pending: list[str] = []  # lines to read again, last first
    taken: list[str] = []
    rest = iter(lines)
    line_before = first - 1

    def feed() -> Iterator[str]:
        while True:
            if pending:
                line = pending.pop()
            else:
                found = next(rest, None)
                if found is None:
                    return
                line = found
            taken.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=source.delimiter, strict=True)
    width = len(source.header)
    while True:
        at = line_before + reader.line_num + 1
        taken.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error) or "unexpected end of data" in str(error):
                pending.extend(reversed(taken[1:]))
                line_before = at
                if "field limit" in str(error) and '"' not in taken[0]:
                    problem = (
                        f"line {at}: a field is longer than {csv.field_size_limit():,} characters"
                    )
                else:
                    problem = f"line {at}: a quote opened here is never closed"
                yield at, [], problem, None
            else:
                line_before += reader.line_num
                yield at, [], f"line {at}: malformed CSV ({error})", None
            reader = csv.reader(feed(), delimiter=source.delimiter, strict=True)
            continue
        one = taken[0] if len(taken) == 1 else None
        if (
            one is not None
            and len(row) == width
            and records.undecodable(one, at, source.codec) is None
            and (width > 1 or not one.isspace())
        ):
            yield at, row, None, one
        elif row and not all(line.isspace() for line in taken):
            yield at, row, source._problem(at, row, list(taken)), one


# Well-formed fields: plain, or quoted with line ends, delimiters and doubled quotes inside.
FIELD = st.one_of(
    st.sampled_from(["", "rood", "a b", "\udcff"]),
    st.lists(st.sampled_from(["a", ";", "\n", "\r\n", '""', " "]), max_size=6).map(
        lambda parts: '"' + "".join(parts) + '"'
    ),
)
RECORD = st.lists(FIELD, min_size=1, max_size=4).map(";".join)
LINE_END = st.sampled_from(["\n", "\r\n", "\r"])
# Records as a spreadsheet writes them, with now and then a piece that breaks them.
WELL_FORMED = st.lists(
    st.tuples(RECORD, LINE_END, st.sampled_from(["", "", "", '"', "\n", '"x'])), max_size=12
).map(lambda rows: "".join(record + end + noise for record, end, noise in rows))
# Without a quote, as most files are (each line a record: read without the csv module).
UNQUOTED = [p for p in PIECES if '"' not in p and "\udcff" not in p] + ["\x00", "\t", "=1"]
BODY = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    WELL_FORMED,
    st.lists(st.sampled_from(UNQUOTED), max_size=60).map("".join),
)


def _source(text: str) -> CsvSource:
    data = text.encode("utf-8", "surrogateescape")
    source = open_source(io.BufferedReader(io.BytesIO(data)), RecordFormat.csv, None, ";")  # type: ignore[arg-type]
    assert isinstance(source, CsvSource)
    return source


@settings(max_examples=500, deadline=None)
@given(
    header=st.sampled_from(["symptoms\n", "symptoms;b\n", "a;symptoms;c\r\n"]),
    body=BODY,
    block=st.integers(min_value=1, max_value=40),
    limit=st.sampled_from([8, 30, 1 << 20]),
)
def test_blocks_find_the_records_a_line_at_a_time_reader_finds(
    header: str, body: str, block: int, limit: int
) -> None:
    saved = (records.BLOCK_CHARS, records.MAX_RECORD_CHARS, csv.field_size_limit())
    records.BLOCK_CHARS, records.MAX_RECORD_CHARS = block, limit
    csv.field_size_limit(limit)  # (a quote never closed is also found at the field limit)
    try:
        source = _source(header + body)
        found = list(source.rows())
        blocks = _source(header + body)
        in_blocks = [row for block in blocks.blocks() for row in blocks.rows_of(*block)]
        again = _source(header + body)
        lines = again.text.readlines()
        expected = list(reference_rows(again, lines, again.line + 1))
    finally:
        records.BLOCK_CHARS, records.MAX_RECORD_CHARS = saved[:2]
        csv.field_size_limit(saved[2])
    assert found == expected
    assert in_blocks == expected


def test_a_quote_never_closed_is_found_at_the_field_limit_across_blocks() -> None:
    saved = (records.BLOCK_CHARS, records.MAX_RECORD_CHARS, csv.field_size_limit())
    records.BLOCK_CHARS, records.MAX_RECORD_CHARS = 16, 64
    csv.field_size_limit(64)
    try:
        text = 'symptoms;note\nrood;"open\n' + "jeuk;ok\n" * 40
        source = _source(text)
        blocks = list(source.blocks())
        rows = [row for block in blocks for row in source.rows_of(*block)]
    finally:
        records.BLOCK_CHARS, records.MAX_RECORD_CHARS = saved[:2]
        csv.field_size_limit(saved[2])
    assert rows[0][:3] == (2, [], "line 2: a quote opened here is never closed")
    assert [row[1] for row in rows[1:]] == [["jeuk", "ok"]] * 40  # none swallowed
    assert [row[0] for row in rows[1:]] == list(range(3, 43))
    # The open quote held lines back only until its field outgrew the limit.
    assert max(sum(map(len, lines)) for _, lines in blocks) <= 64 + 2 * 16


class _CountedLines(list[str]):
    """Lines that count how many of them are handed out (to the csv module)."""

    handed = 0

    def __iter__(self) -> Iterator[str]:
        for line in super().__iter__():
            _CountedLines.handed += 1
            yield line


def test_each_line_of_a_block_is_read_once_however_many_rows_are_malformed() -> None:
    source = _source("symptoms;note\n")
    lines = _CountedLines(['"a"b;c\n'] * 1000)  # (each one malformed)
    _CountedLines.handed = 0
    assert source._whole(lines) == 1000
    rows = list(source.rows_of(2, lines))
    assert len(rows) == 1000
    assert all(": malformed CSV (" in str(problem) for _, _, problem, _ in rows)
    # Searched for a quote, then read once to find the block's end and once for its rows.
    assert _CountedLines.handed == 3000


def test_all_decoded_tells_text_with_an_undecodable_byte() -> None:
    assert records.all_decoded("rood;jeuk\n")
    assert records.all_decoded("Geïrriteerde huid, 😣\n")
    assert not records.all_decoded("rood\udcff;jeuk\n")  # (0xff, as "fasewiel-escape" decodes it)
    assert not records.all_decoded("é" + "\udc80")
