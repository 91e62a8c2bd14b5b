"""Reading intake records — CSV, JSON Lines, a JSON array — one at a time, each with its line.

A CSV or JSON Lines record is one line: a quote left open at the end of a line is an error at
that line (never a record that swallows the lines after it), and so is a line longer than
``MAX_LINE_CHARS``. A JSON array is read element by element, each at most ``MAX_LINE_CHARS``. A
problem with a record becomes a ``Record`` with an ``error``, and the records after it are still
read. Whatever a file holds, reading takes time in proportion to its size and memory in
proportion to one record.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, NamedTuple, Protocol

from fasewiel_cli.errors import Message, said
from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.load import refusal
from fasewiel_cli.text import shortened

FIELD_NAMES = {
    "symptoms": ("symptoms", "symptomen", "symptom", "klachten"),
    "client": ("client", "klant", "cliënt", "client_id", "klantnummer"),
    "treatment": ("treatment", "treatments", "behandeling", "behandelingen"),
    # (read by --save: when the visit was, and a note to keep with it)
    "date": ("date", "datum", "visit_date", "bezoekdatum"),
    "note": ("note", "notes", "notitie", "notities", "opmerking", "opmerkingen"),
}
# What every run reads, and what only --save reads (two fields for one of them: see same_fields).
READ_ROLES = ("symptoms", "treatment")
SAVED_ROLES = ("client", "date", "note")
# A line (a CSV or JSON Lines record) or a JSON array element is at most this long.
MAX_LINE_CHARS = 1024 * 1024
_NEWLINES = ("\n", "\r")


class Record(NamedTuple):
    """One input record: its passthrough fields (in input order) and what fasewiel reads.
    ``cells`` are a CSV row's own cells, in column order (columns may share a name)."""

    line: int
    fields: dict[str, Any]
    symptoms: str
    client: str | None
    treatments: tuple[str, ...]
    # Why the record could not be read (said in the run's language when it is written).
    error: Message | None = None
    cells: tuple[str, ...] | None = None
    # The visit's date and note as written (batch --save); None where the input has none.
    date: Any = None
    note: Any = None
    # How many characters of input the record was read from (0: not known, or an error).
    size: int = 0


def error_record(line: int, message: Message) -> Record:
    return Record(line, {}, "", None, (), message)


# A record of a file is at a line; a row of one's own (``assess_rows``) is a row.
LINE = said("unit_line")
ROW = said("unit_row")


class Source(Protocol):
    """Records, in order; ``columns`` are the field names known before the first record."""

    columns: list[str]
    delimiter: str
    codec: str

    def __iter__(self) -> Iterator[Record]: ...

    @property
    def bytes_read(self) -> int: ...

    def close(self) -> None: ...


# --- text --------------------------------------------------------------------------------------


def detect_encoding(head: bytes, encoding: str | None) -> str:
    """The codec for a file starting with ``head``: a BOM wins, then ``--encoding``, then UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # (before UTF-16's: longer)
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if encoding is None:
        return "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise refusal(said("unknown_encoding", encoding=encoding), said("encoding_hint")) from None
    if codec in ("utf-16", "utf-32"):  # (these take their byte order from a BOM)
        raise refusal(
            said("no_byte_order", codec=codec.upper()), said("no_byte_order_hint", code=codec)
        )
    try:  # (a text encoding that reads any bytes, a bad one named at its line: not rot13, zlib…)
        bytes(range(256)).decode(codec, "fasewiel-escape")
    except (LookupError, UnicodeError, ValueError):
        raise refusal(
            said("not_a_text_encoding", encoding=encoding), said("not_a_text_encoding_hint")
        ) from None
    return codec


# Bytes that are not valid in the input's encoding are decoded to these "surrogate escapes"
# (U+DC00 plus the byte), so that reading goes on; a record holding one is reported as not
# decodable at its line. Python's own "surrogateescape" does this for bytes from 0x80 up, which
# is all UTF-8 and cp1252 can get wrong; UTF-16 can also end in half a character or hold half a
# surrogate pair, of any bytes.
_UNDECODABLE = re.compile("[\udc00-\udcff]")


def _escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start : error.end]), error.end


codecs.register_error("fasewiel-escape", _escape)


def undecodable(text: str, number: int, codec: str) -> Message | None:
    """The decoding problem of a line (or record) that starts at line ``number``, or None."""
    if text.isascii():
        return None
    found = _UNDECODABLE.search(text)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    damaged = codec.startswith(("utf-16", "utf-32"))
    hint = said("hint_damaged" if damaged else "hint_excel")
    return said(
        "row_undecodable", unit=LINE, line=number, codec=codec, byte=f"{byte:02x}", hint=hint
    )


class Text:
    """A byte stream decoded to text, read a bounded piece at a time."""

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        self.stream = stream
        self.codec = detect_encoding(stream.peek(4)[:4], encoding)
        self.text = io.TextIOWrapper(stream, self.codec, errors="fasewiel-escape", newline="")

    @property
    def bytes_read(self) -> int:
        """How far reading has got, in bytes (0 where the stream cannot tell, like a pipe)."""
        try:
            return self.stream.tell()
        except OSError:
            return 0

    def lines(self) -> Iterator[tuple[int, str | None]]:
        """Each line (with its line end) and its number; None for a line longer than
        ``MAX_LINE_CHARS``, which is skipped to its end without being kept."""
        number = 0
        while line := self.text.readline(MAX_LINE_CHARS + 1):
            number += 1
            if len(line) <= MAX_LINE_CHARS:
                yield number, line
                continue
            while not line.endswith(_NEWLINES) and (line := self.text.readline(1 << 16)):
                pass
            yield number, None

    def read(self, size: int) -> str:
        return self.text.read(size)

    def close(self) -> None:
        """Stop decoding; the byte stream stays open (it belongs to the caller)."""
        self.text.detach()


def too_long(number: int) -> Message:
    return said("row_too_long", unit=LINE, line=number, limit=MAX_LINE_CHARS)


# --- CSV ---------------------------------------------------------------------------------------


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


class _TextSource:
    """What every source of records shares: the decoded text it reads, and how far it got."""

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        self.text = Text(stream, encoding)
        self.codec = self.text.codec

    @property
    def bytes_read(self) -> int:
        return self.text.bytes_read

    def close(self) -> None:
        """Stop decoding; the byte stream stays open (it belongs to the caller)."""
        self.text.close()


class CsvSource(_TextSource):
    """Records from a CSV file: a header line, then one record per line."""

    def __init__(
        self, stream: io.BufferedReader, encoding: str | None, delimiter: str | None
    ) -> None:
        super().__init__(stream, encoding)
        self.lines = self.text.lines()
        # A field may be as long as its line (the csv module's own limit is 128 KiB).
        csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS))
        self.columns = self._header(delimiter)
        self.width = len(self.columns)
        # (the columns of each thing fasewiel reads; two for the client: see batch.run.execute)
        self.by_role = fields_by_role(self.columns)
        same = same_fields(self.by_role)
        if same:
            raise refusal(said("same_columns", columns=", ".join(same)), said("same_columns_hint"))
        position = {role: self.columns.index(found[0]) for role, found in self.by_role.items()}
        if "symptoms" not in position:
            columns = ", ".join(self.columns) or "—"
            raise refusal(
                said("no_symptoms_column", columns=columns), said("no_symptoms_column_hint")
            )
        self.symptoms = position["symptoms"]
        self.client = position.get("client")
        self.treatment = position.get("treatment")
        self.date = position.get("date")
        self.note = position.get("note")

    def _header(self, delimiter: str | None) -> list[str]:
        for number, line in self.lines:
            if line is None:
                raise refusal(too_long(number))
            if line.strip():
                break
        else:
            raise refusal(said("input_empty"))
        problem = undecodable(line, number, self.codec)
        if problem is not None:
            raise refusal(problem)
        self.delimiter = delimiter or sniff_delimiter(line)
        columns = next(csv.reader([line], delimiter=self.delimiter, strict=False))
        while len(columns) > 1 and not columns[-1].strip():
            columns.pop()  # (no column: the delimiters a spreadsheet writes after the last one)
        return columns

    def __iter__(self) -> Iterator[Record]:
        # One reader for the whole file, handed one line at a time: a record that asks for a
        # second line (a quote left open) finds the input at its end, an error at its line.
        feed = _OneLine()
        reader = csv.reader(feed, delimiter=self.delimiter, strict=True)
        for number, line in self.lines:
            if line is None:
                yield error_record(number, too_long(number))
                continue
            if not line.strip():  # (a blank line is no record; a line '""' is one)
                continue
            problem = undecodable(line, number, self.codec)
            if problem is not None:
                yield error_record(number, problem)
                continue
            feed.line = line
            try:
                row = next(reader)
            except csv.Error as error:
                yield error_record(number, _csv_problem(number, str(error)))
                continue
            yield self._record(number, row, len(line))

    def _record(self, number: int, row: list[str], size: int) -> Record:
        width = self.width
        if len(row) != width:
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                found = said("row_fields", unit=LINE, line=number, found=len(row), width=width)
                return error_record(number, found)
            row = row[:width]  # (blank fields at the end, as spreadsheets write them)
        planned = row[self.treatment] if self.treatment is not None else ""
        return Record(
            number,
            dict(zip(self.columns, row, strict=True)),
            row[self.symptoms],
            (row[self.client] or None) if self.client is not None else None,
            split_treatments(planned) if planned else (),
            cells=tuple(row),
            date=row[self.date] if self.date is not None else None,
            note=row[self.note] if self.note is not None else None,
            size=size,
        )


class _OneLine:
    """The input of the CSV reader: the line it is given, once."""

    def __init__(self) -> None:
        self.line: str | None = None

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line, self.line = self.line, None
        if line is None:
            raise StopIteration
        return line


def _csv_problem(number: int, error: str) -> Message:
    if "unexpected end of data" in error:  # (the csv module's words for a quote left open)
        return said("row_open_quote", unit=LINE, line=number)
    return said("row_malformed", unit=LINE, line=number, detail=error)


def fields_by_role(names: Iterable[Any]) -> dict[str, list[str]]:
    """The input fields of each thing fasewiel reads (symptoms, client…), in input order: one
    each, or more where fields mean the same (``same_fields``)."""
    by_role: dict[str, list[str]] = {}
    for name in names:
        if not isinstance(name, str):
            continue  # (a row of one's own may have other keys: no field fasewiel reads)
        key = name.strip().lower()
        for role, accepted in FIELD_NAMES.items():
            if key in accepted:
                by_role.setdefault(role, []).append(name)
    return by_role


def same_fields(by_role: dict[str, list[str]], roles: Iterable[str] = READ_ROLES) -> list[str]:
    """Fields that mean the same ("symptoms" and "symptomen", or one name twice): those of the
    first of ``roles`` that more than one field gives. Which one is meant is not for fasewiel
    to guess, and the other would be lost."""
    return next((by_role[role] for role in roles if len(by_role.get(role, ())) > 1), [])


def split_treatments(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()  # (an empty cell: pandas reads one as NaN, never a treatment called "nan")
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


# --- JSON --------------------------------------------------------------------------------------


class _RefusedError(ValueError):
    """A JSON value fasewiel refuses though the json module reads it."""


class _TwiceError(ValueError):
    """An object that gives a field twice (the json module keeps the last)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _TwiceError(name)
            seen.add(name)
    return found


def _no_constant(name: str) -> Any:
    raise _RefusedError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedError(f"the number {text[:20]}… is too large")
    return value


_DECODER = json.JSONDecoder(
    parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_object
)
# A \u escape of a surrogate: only a pair of them is text (an emoji); one alone is not.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json(text: str, number: int) -> Any:
    """The JSON value of ``text`` (a record at line ``number``), or the ``JsonProblem`` that
    says why it is none: not JSON, NaN or an infinite number, an integer of more digits than
    Python converts, nesting too deep to read, or text that holds half a surrogate pair."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        return _not_json(number, f"{error.msg} at column {error.colno}")
    except _RefusedError as error:
        return _not_json(number, str(error))
    except _TwiceError as error:
        field = shortened(error.name, 80)
        return JsonProblem(said("row_twice_field", unit=LINE, line=number, field=field))
    except ValueError:  # (int(): more digits than Python converts)
        return _not_json(number, said("json_digits"))
    except RecursionError:
        return _not_json(number, said("json_deep"))
    if _SURROGATE_ESCAPE.search(text) and not _all_text(value):
        return JsonProblem(said("row_surrogate", unit=LINE, line=number))
    return value


def _not_json(number: int, detail: str | Message) -> JsonProblem:
    return JsonProblem(said("row_json", unit=LINE, line=number, detail=detail))


def _all_text(value: Any) -> bool:
    """Whether every string in ``value`` can be written as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack += [*item, *item.values()]
        elif isinstance(item, list):
            stack += item
    return True


class JsonProblem(NamedTuple):
    message: Message


def object_record(line: int, value: Any, unit: Message = LINE, size: int = 0) -> Record:
    """The record of a JSON value (an object, or the reason it is none) found at ``line``, read
    from ``size`` characters."""
    if isinstance(value, JsonProblem):
        return error_record(line, value.message)
    if not isinstance(value, dict):
        found = type(value).__name__
        return error_record(line, said("row_not_object", unit=unit, line=line, found=found))
    by_role = fields_by_role(value)
    same = same_fields(by_role)
    if same:
        problem = said("same_fields", fields=", ".join(same))
        return error_record(line, said("row_problem", unit=unit, line=line, problem=problem))
    values = {role: value[found[0]] for role, found in by_role.items()}
    symptoms = values.get("symptoms")
    if isinstance(symptoms, list):
        symptoms = ", ".join(str(s) for s in symptoms)
    if symptoms is None:
        return error_record(line, said("row_no_symptoms", unit=unit, line=line))
    if not isinstance(symptoms, str):
        return error_record(line, said("row_symptoms_type", unit=unit, line=line))
    client = values.get("client")
    if isinstance(client, int) and not isinstance(client, bool):
        client = str(client)  # (a client number)
    return Record(
        line,
        value,
        symptoms,
        client if isinstance(client, str) and client else None,  # (true, 1.5, […]: no client)
        split_treatments(values.get("treatment")),
        date=values.get("date"),
        note=values.get("note"),
        size=size,
    )


def record_of(number: int, row: Mapping[str, Any]) -> Record:
    """The record of a row of one's own (``assess_rows``): a mapping with the fields a JSON
    record has."""
    return object_record(number, dict(row) if isinstance(row, Mapping) else row, ROW)


class JsonLinesSource(_TextSource):
    """Records from JSON Lines: one object per line; blank lines are skipped."""

    delimiter = ","

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        super().__init__(stream, encoding)
        self.columns: list[str] = []  # (known only as records come)

    def __iter__(self) -> Iterator[Record]:
        for number, line in self.text.lines():
            if line is None:
                yield error_record(number, too_long(number))
            elif line.strip():
                problem = undecodable(line, number, self.codec)
                if problem is not None:
                    yield error_record(number, problem)
                else:
                    yield object_record(number, parse_json(line, number), size=len(line))


class JsonArraySource(_TextSource):
    """Records from one JSON array, read element by element (never the whole file at once).

    Where each element ends is found by following strings and brackets, so that an element
    that is not valid JSON, or longer than ``MAX_LINE_CHARS``, is an error of its own and the
    elements after it are still read; an array cut short ends with an error."""

    delimiter = ","
    CHUNK = 1 << 16

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        super().__init__(stream, encoding)
        self.columns: list[str] = []  # (known only as records come)
        self.buffer = ""
        self.offset = 0
        self.line = 1

    def __iter__(self) -> Iterator[Record]:
        if self._next_char() != "[":
            yield error_record(self.line, said("row_not_array", unit=LINE, line=self.line))
            return
        self.offset += 1
        if self._next_char() == "]":
            return
        while True:
            self._next_char()
            line = self.line
            raw, end = self._element()
            if end == "":
                yield error_record(line, said("row_array_ends", unit=LINE, line=line))
                return
            if raw is None:
                longer = said("row_array_long", unit=LINE, line=line, limit=MAX_LINE_CHARS)
                yield error_record(line, longer)
            elif (problem := undecodable(raw, line, self.codec)) is not None:
                yield error_record(line, problem)
            else:
                yield object_record(line, parse_json(raw, line), size=len(raw))
            if end == "]":
                if self._next_char():  # (a second array, or anything else: never left unread)
                    line = self.line
                    yield error_record(line, said("row_array_after", unit=LINE, line=line))
                return

    def _fill(self) -> bool:
        chunk = self.text.read(self.CHUNK)
        self.buffer = self.buffer[self.offset :] + chunk
        self.offset = 0
        return bool(chunk)

    def _next_char(self) -> str:
        """The next character that is not white space (not taken), or "" at the end."""
        while True:
            rest = self.buffer[self.offset :]
            stripped = rest.lstrip(" \t\r\n")
            self.line += rest.count("\n", 0, len(rest) - len(stripped))
            self.offset += len(rest) - len(stripped)
            if stripped or not self._fill():
                return stripped[:1]

    def _element(self) -> tuple[str | None, str]:
        """The text of the next element (None when it is too long to keep) and what ends it:
        "," or "]", or "" when the input ends first."""
        pieces: list[str] = []
        kept = 0
        depth = 0
        in_string = False
        start = self.offset
        while True:
            pattern = _IN_STRING if in_string else _IN_VALUE
            found = pattern.search(self.buffer, self.offset)
            if found is None:
                kept += self._keep(pieces, kept, start, len(self.buffer))
                self.offset = len(self.buffer)
                if not self._fill():
                    return None, ""
                start = 0
                continue
            char = found.group()
            self.offset = found.end()
            if in_string:
                if char == "\n":
                    # JSON has no line break in a string: a quote was left open, and this element
                    # (not valid JSON, an error) ends with its line, so the next line is read.
                    kept += self._keep(pieces, kept, start, found.start())
                    self.line += 1  # (the line break, read past)
                    return ("".join(pieces) if kept <= MAX_LINE_CHARS else None), ","
                if char == "\\":
                    if self.offset >= len(self.buffer):
                        kept += self._keep(pieces, kept, start, self.offset)
                        if not self._fill():
                            return None, ""
                        start = 0
                    self.offset += 1
                else:
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif depth:
                depth -= char in "]}"  # (a comma inside this element leaves it be)
            elif char in ",]":  # (at depth 0: the end of this element)
                kept += self._keep(pieces, kept, start, found.start())
                return ("".join(pieces) if kept <= MAX_LINE_CHARS else None), char

    def _keep(self, pieces: list[str], kept: int, start: int, end: int) -> int:
        """Keep buffer[start:end] as part of the element (and count its line breaks), unless
        the element is too long already; how many characters that adds."""
        piece = self.buffer[start:end]
        self.line += piece.count("\n")
        if kept + len(piece) <= MAX_LINE_CHARS:
            pieces.append(piece)
        else:
            pieces.clear()
        return len(piece)


_IN_VALUE = re.compile(r'[\[\]{}",]')
_IN_STRING = re.compile(r'["\\\n]')


def open_source(
    stream: io.BufferedReader, fmt: Format, encoding: str | None, delimiter: str | None
) -> Source:
    if fmt is Format.csv:
        return CsvSource(stream, encoding, delimiter)
    if fmt is Format.jsonl:
        return JsonLinesSource(stream, encoding)
    return JsonArraySource(stream, encoding)


def sniff_format(head: bytes) -> Format:
    """For standard input without --from: '[' starts JSON, '{' JSON Lines, anything else CSV."""
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"["):
        return Format.json
    if text.startswith(b"{"):
        return Format.jsonl
    return Format.csv


class _Raw(io.RawIOBase):
    """A byte stream seen as a raw stream, so that it can be buffered (and peeked into)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peekable(stream: IO[bytes]) -> io.BufferedReader:
    """``stream``, able to ``peek`` at its start without consuming it."""
    return stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(_Raw(stream))
