"""Reading intake records — CSV, JSON Lines, a JSON array — one record at a time.

Reading keeps track of where each record starts (the CSV header is line 1), so every problem is
reported at its line; a malformed record becomes a ``Record`` with an ``error`` and the records
after it are still read. Memory stays flat: CSV is read a block of lines at a time (about
``BLOCK_CHARS``, or one record when it is longer), the other formats one record at a time.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, NamedTuple

from fasewiel_cli.errors import FasewielError
from fasewiel_cli.formats import RecordFormat

FIELD_NAMES = {
    "symptoms": ("symptoms", "symptomen", "symptom", "klachten"),
    "client": ("client", "klant", "cliënt", "client_id", "klantnummer"),
    "treatment": ("treatment", "treatments", "behandeling", "behandelingen"),
}
# A field (or JSON record) may be at most this long; an opening quote that is not closed before
# that is reported as unclosed, and the lines after it are read again as records.
MAX_RECORD_CHARS = 1024 * 1024


class Record(NamedTuple):
    """One input record: its passthrough fields (in input order) and what fasewiel reads."""

    line: int
    fields: dict[str, Any]
    symptoms: str
    client: str | None
    treatments: tuple[str, ...]
    error: str | None = None


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
        raise FasewielError(
            f"unknown encoding '{encoding}'", hint="for Dutch Excel files use --encoding cp1252"
        ) from None
    if codec in ("utf-16", "utf-32"):  # (these take their byte order from a BOM)
        raise FasewielError(
            f"the input has no byte order mark, so its {codec.upper()} byte order is unknown",
            hint=f"name it: --encoding {codec}-le (as Windows writes it) or --encoding {codec}-be",
        )
    return codec


# Bytes that are not valid in the input's encoding are decoded to these "surrogate escapes"
# (U+DC00 plus the byte), so that reading goes on at C speed; a record holding one is reported
# as not decodable at its line. Python's own "surrogateescape" does this for bytes from 0x80 up,
# which is all UTF-8 and cp1252 can get wrong; UTF-16 can also end in half a character or hold
# half a surrogate pair, of any bytes.
_UNDECODABLE = re.compile("[\udc00-\udcff]")


def _escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start : error.end]), error.end


codecs.register_error("fasewiel-escape", _escape)


def text_lines(stream: io.BufferedReader, codec: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(stream, codec, errors="fasewiel-escape", newline="")


def position(stream: io.BufferedReader) -> int:
    """How far reading has got, in bytes (0 where the stream cannot tell, like a pipe)."""
    try:
        return stream.tell()
    except OSError:
        return 0


def all_decoded(text: str) -> bool:
    """Whether ``text`` holds no surrogate escape (no byte that could not be decoded). Faster
    than searching a long text: ASCII has none, and text with one cannot be encoded."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def undecodable(line: str, number: int, codec: str) -> str | None:
    """The decoding problem of a line, naming it, or None."""
    found = _UNDECODABLE.search(line)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    hint = (
        "the file may be cut short or damaged"
        if codec.startswith(("utf-16", "utf-32"))
        else "if the file comes from Excel, try --encoding cp1252"
    )
    return f"line {number} is not valid {codec} (byte 0x{byte:02x}); {hint}"


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


# One row of a CSV file: its first line, its fields, what is wrong with it (None: nothing) and,
# when the row is one line, that line as read.
Row = tuple[int, list[str], str | None, str | None]

# The lines after the header are read in blocks of about this many characters (a block ends
# with a whole record, so it is longer when a record is).
BLOCK_CHARS = 1 << 16


class CsvSource:
    """Records from a CSV file: header first, then one record per row.

    The lines are read in blocks that end with a whole record (``blocks``); the records of a
    block are read on their own (``rows_of``, in a worker process as well), so that after an
    unclosed quote the lines behind it can be read again. A record on one line without a quote
    (most of them) is split at the delimiter; the csv module reads the others. A quoted field
    is limited to ``MAX_RECORD_CHARS`` (csv's own field limit): an opening quote that is never
    closed can not make the reader swallow the rest of a large file.
    """

    def __init__(
        self, stream: io.BufferedReader, encoding: str | None, delimiter: str | None
    ) -> None:
        self.stream = stream
        self.codec = detect_encoding(stream.peek(4)[:4], encoding)
        self.text = text_lines(stream, self.codec)
        self.delimiter = delimiter or ","
        self.header: list[str] = []
        self.roles: dict[str, str] = {}
        self.columns: tuple[int, int | None, int | None] = (0, None, None)
        self.line = 0  # the number of the header line
        csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))

    @property
    def bytes_read(self) -> int:
        return position(self.stream)

    def close(self) -> None:
        """Stop decoding; the byte stream stays open (it belongs to the caller)."""
        self.text.detach()

    def read_header(self, delimiter: str | None) -> list[str]:
        for line in self.text:
            self.line += 1
            if line.strip():
                break
        else:
            raise FasewielError(
                "the input is empty: expected a header line with a 'symptoms' column"
            )
        problem = undecodable(line, self.line, self.codec)
        if problem is not None:
            raise FasewielError(problem)
        self.delimiter = delimiter or sniff_delimiter(line)
        self.header = next(csv.reader([line], delimiter=self.delimiter, strict=False))
        self.roles = field_roles(self.header)
        position_of = {role: self.header.index(name) for name, role in self.roles.items()}
        if "symptoms" not in position_of:
            raise FasewielError(
                f"no symptoms column in the header ({', '.join(self.header) or 'empty'})",
                hint="name the column with the symptoms 'symptoms' or 'symptomen'",
            )
        self.columns = (
            position_of["symptoms"],
            position_of.get("client"),
            position_of.get("treatment"),
        )
        return self.header

    def __iter__(self) -> Iterator[Record]:
        record = self.record
        for first, row, problem, _ in self.rows():
            yield record(first, row) if problem is None else error_record(first, problem)

    def rows(self) -> Iterator[Row]:
        """Every record's row, in order, each as soon as its last line is read (records typed
        into a pipe come out as they are typed)."""
        for first, lines in self.blocks(1):
            yield from self.rows_of(first, lines)

    def blocks(self, size: int = 0) -> Iterator[tuple[int, list[str]]]:
        """The lines after the header, in blocks of whole records of about ``size`` characters
        (``BLOCK_CHARS`` when 0): the number of a block's first line, and its lines (as read,
        line ends and all). This is the only reading done in turn: where the records end is
        found as ``rows_of`` finds them (``_records``), at C speed for most lines."""
        size = size or BLOCK_CHARS
        first = self.line + 1
        carried: list[str] = []  # lines of a record that goes on in the next block
        while True:
            more = self.text.readlines(size)
            lines = carried + more if carried else more
            if not lines:
                return
            whole = self._whole(lines) if more else len(lines)
            if whole:
                yield first, lines[:whole] if whole < len(lines) else lines
                first += whole
            carried = lines[whole:]

    def _whole(self, lines: list[str]) -> int:
        """How many of ``lines`` (which start with a record, and which more lines follow) are
        whole records: all but those of a record with a quote still open at the end. Read as
        ``rows_of`` reads them (``_records``), so that a block holds the records it would find."""
        quoted = [line for line in lines if '"' in line]
        # Only a quote makes a record go on past the end of its line; a line whose quoted
        # fields are all closed on it is a whole record. Most quoted lines are so.
        record = self._one_line_record
        if all(map(record, quoted)):
            return len(lines)
        for done, _, _, error in self._records(lines, every=False):
            if error is not None and _OPEN_AT_END in error:
                return done  # the record may end in the lines to come
        return len(lines)

    @functools.cached_property
    def _one_line_record(self) -> Callable[[str], re.Match[str] | None]:
        """Whether a line is a whole record read as the csv module reads it, each quoted field
        closed on the line and followed by a delimiter or the line's end (``fullmatch``). A
        line that does not match may still be one (a quote inside an unquoted field)."""
        delimiter = re.escape(self.delimiter)
        field = f'[^"{delimiter}\\r\\n]*|"[^"]*(?:""[^"]*)*"'
        return re.compile(f"(?:{field})(?:{delimiter}(?:{field}))*(?:\\r\\n|\\n|\\r)?").fullmatch

    def _records(
        self, lines: list[str], every: bool = True
    ) -> Iterator[tuple[int, int, list[str], str | None]]:
        """Where each record of ``lines`` starts and ends (indexes), and its fields or what the
        csv module found wrong. A record whose first line holds no quote is that line, its
        fields what lies between the delimiters, as the csv module reads them (but for a blank
        line, which is no record either way); most records are read so. Any other is read by
        the csv module. After a quote that is never closed (still open at the end, or past the
        field limit) the lines after the record's first are read again; after any other error,
        the lines after the one it was found in. With ``every`` false, the records read without
        the csv module are left out (``_whole`` needs only the others)."""
        delimiter = self.delimiter
        limit = csv.field_size_limit()
        done = 0  # where the next record starts
        rest = iter(lines)  # lines[done:] (each line is read once, but after an open quote)
        reader: Any = None  # the csv module's, reading from ``rest`` while records need it
        count = len(lines)
        while done < count:
            line = lines[done]
            if '"' not in line and len(line) <= limit:
                next(rest)
                if every:  # (a line as read ends with its line end, if it has one)
                    yield done, done + 1, line.rstrip("\r\n").split(delimiter), None
                done += 1
                continue
            if reader is None:
                reader = csv.reader(rest, delimiter=delimiter, strict=True)
            before = reader.line_num
            try:
                row = next(reader)
            except csv.Error as error:
                message = str(error)
                end = done + reader.line_num - before
                yield done, end, [], message
                reader = None
                if _OPEN_AT_END in message or _TOO_LONG in message:
                    done += 1
                    rest = itertools.islice(lines, done, None)
                else:
                    done = end
                continue
            end = done + reader.line_num - before
            yield done, end, row, None
            done = end

    def rows_of(self, first: int, lines: list[str]) -> Iterator[Row]:
        """The rows of a block of whole records (from ``blocks``) that starts at line ``first``.
        Blank lines (nothing but white space) are skipped; a line of one quoted empty field
        (``""``) is a record. (This runs for every record: kept lean.)"""
        width = len(self.header)
        wide = width > 1  # (a line with one field may be a blank line)
        search = _UNDECODABLE.search
        for done, end, row, error in self._records(lines):
            at = first + done
            if error is not None:
                if _TOO_LONG in error and '"' not in lines[done]:
                    limit = csv.field_size_limit()
                    yield at, [], f"line {at}: a field is longer than {limit:,} characters", None
                elif _OPEN_AT_END in error or _TOO_LONG in error:
                    yield at, [], f"line {at}: a quote opened here is never closed", None
                else:
                    yield at, [], f"line {at}: malformed CSV ({error})", None
            elif end == done + 1:
                line = lines[done]
                if len(row) == width and search(line) is None and (wide or not line.isspace()):
                    yield at, row, None, line  # the common case: one sound line
                elif row and not line.isspace():  # a blank line is no record
                    yield at, row, self._problem(at, row, [line]), line
            else:
                taken = lines[done:end]
                if row and not all(line.isspace() for line in taken):
                    yield at, row, self._problem(at, row, taken), None

    def _problem(self, first: int, row: list[str], lines: list[str]) -> str | None:
        for offset, line in enumerate(lines):
            problem = undecodable(line, first + offset, self.codec)
            if problem is not None:
                return problem
        width = len(self.header)
        if len(row) != width and (len(row) < width or any(cell.strip() for cell in row[width:])):
            return f"line {first}: {len(row)} fields where the header has {width}"
        return None

    def record(self, first: int, row: list[str]) -> Record:
        """The record of a sound row (one without a problem)."""
        header = self.header
        symptoms, client, treatment = self.columns
        planned = row[treatment] if treatment is not None else ""
        return Record(
            first,
            dict(zip(header, row)),  # noqa: B905 - more fields than columns are blank: checked
            row[symptoms],
            (row[client] or None) if client is not None else None,
            split_treatments(planned) if planned else (),
        )


# What the csv module says when a quoted field is still open at the end of its input, and when
# a field outgrows its limit (an opening quote never closed, read up to MAX_RECORD_CHARS).
_OPEN_AT_END = "unexpected end of data"
_TOO_LONG = "field limit"


def field_roles(names: Iterable[str]) -> dict[str, str]:
    """Which input field is symptoms, client and treatment (the first match of each)."""
    roles: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        for role, accepted in FIELD_NAMES.items():
            if key in accepted and role not in roles.values():
                roles[name] = role
    return roles


def make_record(line: int, fields: dict[str, Any], roles: dict[str, str]) -> Record:
    values = {role: fields.get(name) for name, role in roles.items()}
    symptoms = values.get("symptoms")
    if isinstance(symptoms, list):
        symptoms = ", ".join(str(s) for s in symptoms)
    if symptoms is not None and not isinstance(symptoms, str):
        return error_record(line, f"line {line}: 'symptoms' must be text or a list of texts")
    if symptoms is None:
        return error_record(line, f"line {line}: no 'symptoms' field")
    client = values.get("client")
    return Record(
        line,
        fields,
        symptoms,
        None if client in (None, "") else str(client),
        split_treatments(values.get("treatment")),
    )


def split_treatments(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def error_record(line: int, message: str) -> Record:
    return Record(line, {}, "", None, (), message)


class JsonLinesSource:
    """Records from JSON Lines: one object per line; blank lines are skipped."""

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        self.stream = stream
        self.codec = detect_encoding(stream.peek(4)[:4], encoding)
        self.text = text_lines(stream, self.codec)

    @property
    def bytes_read(self) -> int:
        return position(self.stream)

    def close(self) -> None:
        """Stop decoding; the byte stream stays open (it belongs to the caller)."""
        self.text.detach()

    def __iter__(self) -> Iterator[Record]:
        for number, text in enumerate(self.text, start=1):
            if not text.strip():
                continue
            problem = undecodable(text, number, self.codec)
            if problem is not None:
                yield error_record(number, problem)
                continue
            yield object_record(number, _loads(text, number))


def _loads(text: str, number: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        return JsonProblem(f"line {number}: not valid JSON ({error.msg} at column {error.colno})")


class JsonProblem(NamedTuple):
    message: str


def object_record(line: int, value: Any) -> Record:
    if isinstance(value, JsonProblem):
        return error_record(line, value.message)
    if not isinstance(value, dict):
        return error_record(
            line, f"line {line}: expected a JSON object, found {type(value).__name__}"
        )
    return make_record(line, value, field_roles(value))


class JsonArraySource:
    """Records from one JSON array, decoded element by element (never the whole file at once)."""

    CHUNK = 64 * 1024

    def __init__(self, stream: io.BufferedReader, encoding: str | None) -> None:
        head = stream.peek(4)[:4]
        codec = detect_encoding(head, encoding)
        self.reader = codecs.getreader(codec)(stream, "strict")
        self.buffer = ""
        self.offset = 0
        self.line = 1
        self.bytes_read = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def close(self) -> None:
        """Nothing to let go of: the byte stream belongs to the caller."""

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.reader.read(self.CHUNK)
        except UnicodeDecodeError as error:
            raise FasewielError(
                f"the JSON input is not valid text near line {self.line} ({error.reason})",
                hint="JSON must be UTF-8; or pass --encoding",
            ) from None
        if not chunk:
            self.eof = True
            return False
        self.bytes_read += len(chunk.encode("utf-8", errors="replace"))
        self.buffer = self.buffer[self.offset :] + chunk
        self.offset = 0
        return True

    def _skip_space(self) -> str:
        while True:
            while self.offset < len(self.buffer) and self.buffer[self.offset] in " \t\r\n":
                if self.buffer[self.offset] == "\n":
                    self.line += 1
                self.offset += 1
            if self.offset < len(self.buffer) or not self._fill():
                return self.buffer[self.offset : self.offset + 1]

    def _broken(self, what: str) -> FasewielError:
        return FasewielError(
            f"the JSON array is broken at line {self.line}: {what}",
            hint="records before it were assessed; fix the file, or use JSON Lines so that a "
            "broken record does not stop the rest",
        )

    def __iter__(self) -> Iterator[Record]:
        if self._skip_space() != "[":
            raise self._broken("expected '[' at the start")
        self.offset += 1
        if self._skip_space() == "]":
            return
        while True:
            self._skip_space()
            line = self.line
            value = self._element()
            yield object_record(line, value)
            separator = self._skip_space()
            self.offset += 1
            if separator == "]":
                return
            if separator != ",":
                raise self._broken(f"expected ',' or ']' after the record at line {line}")

    def _element(self) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.offset)
            except json.JSONDecodeError as error:
                if len(self.buffer) - self.offset < MAX_RECORD_CHARS and self._fill():
                    continue
                raise self._broken(error.msg) from None
            if end == len(self.buffer) and self._fill():
                continue  # a number or literal may go on in the next chunk
            self.line += self.buffer.count("\n", self.offset, end)
            self.offset = end
            return value


Source = CsvSource | JsonLinesSource | JsonArraySource


def open_source(
    stream: io.BufferedReader, fmt: RecordFormat, encoding: str | None, delimiter: str | None
) -> Source:
    if fmt is RecordFormat.csv:
        source = CsvSource(stream, encoding, delimiter)
        source.read_header(delimiter)
        return source
    if fmt is RecordFormat.jsonl:
        return JsonLinesSource(stream, encoding)
    return JsonArraySource(stream, encoding)


def sniff_format(head: bytes) -> RecordFormat:
    """For standard input without --from: '[' starts JSON, '{' JSON Lines, anything else CSV."""
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"["):
        return RecordFormat.json
    if text.startswith(b"{"):
        return RecordFormat.jsonl
    return RecordFormat.csv


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
