"""Hostile batch files, generated: whatever a file holds, a batch ends with a clear error or with
valid output that has one row per record, each at its own line, and never a traceback.

Each file is made of the pieces that break readers — quotes left open, every kind of line end,
NUL, escape sequences, bytes that are not UTF-8, lines over the limit (made small here), and in
JSON: huge numbers, NaN, deep nesting, half surrogate pairs, arrays cut short.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fasewiel_cli.batch import records
from fasewiel_cli.batch.run import Assessor, Job, execute
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.formats import KINDS, Format
from fasewiel_cli.knowledge.load import load_knowledge

LIMIT = 80  # (MAX_LINE_CHARS for these tests: long lines are cheap to make)
PROFILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
STATUSES = {"ok", "no_signal", "red_flag", "error"}

CSV_PIECES = [
    "rood",
    "jeuk en koorts",
    "moedervlek: bloedt",
    '"',
    '""',
    '"a;b"',
    ";",
    ",",
    "\t",
    "\n",
    "\r",
    "\r\n",
    " ",
    "\x00",
    "\x1b[2J",
    "=HYPERLINK()",
    "é",
    "\udcff",  # (a byte that is not UTF-8)
    "x" * 100,  # (over LIMIT with what surrounds it)
    "microneedling",
]
JSON_VALUES = [
    '"rood"',
    '"jeuk\\u001b[31m"',
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    "NaN",
    "-Infinity",
    "1e999",
    "9" * 5000,
    "[" * 3000 + "]" * 3000,
    "[1, 2",
    '{"a": }',
    "null",
    "true",
    '"' + "y" * 100 + '"',
    '["rood", "dof"]',
    '"peeling, botox"',
]


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


csv_files = st.tuples(
    st.sampled_from(["symptoms;client;treatment\n", "client,symptomen\r\n", "symptoms\n", ""]),
    st.lists(st.sampled_from(CSV_PIECES), max_size=40).map("".join),
    st.booleans(),
).map(lambda t: (b"\xef\xbb\xbf" if t[2] else b"") + _bytes(t[0] + t[1]))

json_records = st.lists(
    st.tuples(
        st.sampled_from(["symptoms", "client", "treatment", "x"]), st.sampled_from(JSON_VALUES)
    ),
    max_size=4,
).map(lambda pairs: "{" + ", ".join(f'"{k}": {v}' for k, v in pairs) + "}")
jsonl_files = st.lists(
    st.one_of(json_records, st.sampled_from(JSON_VALUES), st.just(""), st.just("{broken")),
    max_size=12,
).map(lambda lines: _bytes("\n".join(lines)))
json_files = st.tuples(
    st.lists(st.one_of(json_records, st.sampled_from(JSON_VALUES)), max_size=8),
    st.sampled_from(["", "]", "]\n", " ] trailing", ",]"]),
    st.sampled_from([", ", ",\n", " , "]),
).map(lambda t: _bytes("[" + t[2].join(t[0]) + t[1]))


def _run(data: bytes, fmt_in: Format, fmt_out: Format) -> Any:
    job = Job("-", None, fmt_in, fmt_out, None, None)
    out = io.StringIO()
    refused: FasewielError | None = None
    try:
        summary = execute(job, Assessor(load_knowledge(), "nl"), io.BytesIO(data), out)
    except FasewielError as error:  # (a file that cannot be read at all: a clear message)
        refused = error
    if refused is not None:
        assert refused.message
        return None
    text = out.getvalue()
    text.encode("utf-8")  # (no half characters: the output is valid text)
    if fmt_out is Format.csv:
        first = text.split("\r\n", 1)[0]
        assert first.endswith("status" + first[-5] + "error" + first[-5] + "line")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=first[-5]))
        header, body = rows[0], rows[1:]
        assert all(len(row) == len(header) for row in body)
        found = [dict(zip(header, row, strict=True)) for row in body]
    elif fmt_out is Format.jsonl:
        found = [json.loads(line) for line in text.splitlines()]
    else:
        found = json.loads(text)
    assert summary.records == len(found)
    lines = [int(row["line"]) for row in found]
    assert lines == sorted(lines)  # in order (a JSON array may hold several on a line)
    assert {row["status"] for row in found} <= STATUSES
    assert all(row["error"] for row in found if row["status"] == "error")
    return lines


def _record_lines(data: bytes, header: bool) -> list[int]:
    """The line of every record of a CSV or JSON Lines file: each line that is not blank (for
    CSV, after the first such line: the header)."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    numbered = [(n, line) for n, line in enumerate(io.StringIO(text, newline=""), 1)]
    found = [n for n, line in numbered if line.strip()]
    return found[1:] if header else found


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_LINE_CHARS", LIMIT)


@PROFILE
@given(data=csv_files, to=st.sampled_from(KINDS["records"]))
def test_hostile_csv(data: bytes, to: Format) -> None:
    lines = _run(data, Format.csv, to)
    if lines is not None:
        assert lines == _record_lines(data, header=True)


@PROFILE
@given(data=jsonl_files, to=st.sampled_from(KINDS["records"]))
def test_hostile_json_lines(data: bytes, to: Format) -> None:
    lines = _run(data, Format.jsonl, to)
    assert lines == _record_lines(data, header=False)


@PROFILE
@given(data=json_files, to=st.sampled_from(KINDS["records"]))
def test_hostile_json_arrays(data: bytes, to: Format) -> None:
    lines = _run(data, Format.json, to)
    assert lines is not None
