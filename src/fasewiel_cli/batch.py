"""Batch assessment: one result record out per input record, in input order, streaming.

Results are memoised per distinct (symptoms, treatments): intake files repeat the same
complaints, and an identical text always gets an identical assessment.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import tempfile
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Generic, NamedTuple, TypeVar

from fasewiel_cli.advice import treatment_verdict
from fasewiel_cli.errors import FasewielError, UnknownNameError
from fasewiel_cli.files import atomic_text
from fasewiel_cli.formats import RecordFormat
from fasewiel_cli.lookup import find
from fasewiel_cli.matching import MatchResult, match_text
from fasewiel_cli.models import KnowledgeBase, Lang, Treatment
from fasewiel_cli.records import CsvSource, Record, open_source, peekable, sniff_format
from fasewiel_cli.scoring import assess

MEMO_SIZE = 4096
K = TypeVar("K")
V = TypeVar("V")


def output_columns(kb: KnowledgeBase) -> tuple[str, ...]:
    """The columns fasewiel adds after the passthrough fields, in order."""
    shares = tuple(f"share_{p.id}" for p in kb.phases)
    return (
        "phase",
        "next_phase",
        "confidence",
        *shares,
        "core_message",
        "matched",
        "unrecognised",
        "red_flags",
        "treatments",
        "status",
        "error",
        "line",
    )


# --- assessing -----------------------------------------------------------------------------------


class Outcome(NamedTuple):
    """The assessment of one distinct (symptoms, treatments): what every such record gets."""

    status: str
    phase: str | None
    red_flags: tuple[str, ...]
    error: str | None
    # The output columns from "phase" to "treatments", as JSON values …
    values: tuple[Any, ...]
    # … and as CSV cells, when writing CSV (encoded once per distinct input, not per record).
    cells: tuple[str, ...] | None


class _Memo(Generic[K, V]):
    """A bounded memo that forgets the least recently used entry (so memory stays flat)."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.items: OrderedDict[K, V] = OrderedDict()
        self.size = size

    def get(self, key: K) -> V | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> V:
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


# What an assessment depends on: the signals that count (in knowledge-base order), the red
# flags and the planned treatments. Many different texts share one.
Signature = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


class Assessor:
    """Turns records into outcomes, remembering recent texts and recent signatures."""

    def __init__(self, kb: KnowledgeBase, lang: Lang) -> None:
        self.kb = kb
        self.lang = lang
        self.columns = output_columns(kb)
        self.unrecognised_at = self.columns.index("unrecognised")
        self.encode: Callable[[tuple[Any, ...]], tuple[str, ...]] | None = None
        self.texts: _Memo[tuple[str, tuple[str, ...]], Outcome] = _Memo()
        self.signatures: _Memo[Signature, Outcome] = _Memo()
        self.treatment_names: dict[str, Treatment | UnknownNameError] = {}
        self.signal_order = {signal.id: n for n, signal in enumerate(kb.signals)}
        self.blank = (None,) * (len(self.columns) - 3)

    def outcome(self, record: Record) -> Outcome:
        key = (record.symptoms, record.treatments)
        found = self.texts.get(key)
        if found is None:
            found = self.texts.put(key, self._outcome(record))
        return found

    def _outcome(self, record: Record) -> Outcome:
        try:
            planned = [self._treatment(name) for name in record.treatments]
        except UnknownNameError as error:
            message = f"{error.message}; {error.hint}" if error.hint else error.message
            return self._result("error", message, self.blank)
        match = match_text(self.kb.lexicon, record.symptoms)
        signals = tuple(sorted(match.signal_ids, key=self.signal_order.__getitem__))
        signature = (signals, tuple(f.flag for f in match.red_flags), record.treatments)
        found = self.signatures.get(signature)
        if found is None:
            found = self.signatures.put(signature, self._assess(match, signals, planned))
        if not match.unrecognised:
            return found
        values = list(found.values)
        values[self.unrecognised_at] = [u.text for u in match.unrecognised]
        return self._result(found.status, None, tuple(values), found.red_flags)

    def _result(
        self,
        status: str,
        error: str | None,
        values: tuple[Any, ...],
        red_flags: tuple[str, ...] = (),
    ) -> Outcome:
        cells = self.encode(values) if self.encode is not None else None
        return Outcome(status, values[0], red_flags, error, values, cells)

    def _assess(
        self, match: MatchResult, signals: tuple[str, ...], planned: list[Treatment]
    ) -> Outcome:
        kb, lang = self.kb, self.lang
        assessment = assess(kb, match)
        phase = assessment.phase
        verdicts = [treatment_verdict(kb, assessment, t, lang) for t in planned]
        flags = tuple(f.flag for f in match.red_flags)
        status = "red_flag" if flags else "no_signal" if phase is None else "ok"
        values = (
            phase,
            assessment.next_phase,
            assessment.scores[phase] if phase else None,
            *assessment.scores.values(),
            kb.phase(phase).core_message.get(lang) if phase else None,
            list(signals),
            [],
            list(flags),
            [{"id": v.id, "verdict": v.verdict, "reason": v.reason} for v in verdicts],
        )
        return self._result(status, None, values, flags)

    def _treatment(self, name: str) -> Treatment:
        found = self.treatment_names.get(name)
        if found is None:
            try:
                found = find("treatment", self.kb.treatments, name)
            except UnknownNameError as error:
                found = error
            self.treatment_names[name] = found
        if isinstance(found, UnknownNameError):
            raise found
        return found


# --- writing -------------------------------------------------------------------------------------

# OWASP: a spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_START = frozenset("=+-@\t\r")


def neutralise(value: str) -> str:
    return "'" + value if value[:1] in _FORMULA_START else value


def csv_cell(value: Any) -> str:
    """One CSV cell: lists joined, verdicts spelled out, user text defused."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return neutralise(
                " | ".join(f"{v['id']}: {v['verdict']} — {v['reason']}" for v in value)
            )
        return neutralise("; ".join(map(str, value)))
    if isinstance(value, dict):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return neutralise(str(value))


class Writer:
    """Writes one output record per input record; ``passthrough`` are the input's own columns."""

    def __init__(
        self,
        out: IO[str],
        fmt: RecordFormat,
        passthrough: list[str],
        assessor: Assessor,
        delimiter: str = ",",
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.passthrough = [c for c in passthrough if c not in assessor.columns]
        self.columns = assessor.columns
        self.blank_cells = ("",) * (len(self.columns) - 3)
        self.count = 0
        if fmt is RecordFormat.csv:
            assessor.encode = lambda values: tuple(map(csv_cell, values))
            # CRLF, as RFC 4180 and Excel have it; it also makes the writer quote a carriage return.
            self.csv = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
            self.csv.writerow([neutralise(c) for c in (*self.passthrough, *self.columns)])
        elif fmt is RecordFormat.json:
            out.write("[")

    def write(self, record: Record, outcome: Outcome | None) -> None:
        """Write ``record``'s result; ``outcome`` is None for a record that could not be read."""
        error = error_of(record, outcome)
        status = "error" if outcome is None else outcome.status
        if self.fmt is RecordFormat.csv:
            fields = record.fields
            cells = self.blank_cells if outcome is None else outcome.cells or self.blank_cells
            self.csv.writerow(
                [
                    *(csv_cell(fields.get(c)) for c in self.passthrough),
                    *cells,
                    status,
                    "" if error is None else neutralise(error),
                    record.line,
                ]
            )
        else:
            values = (None,) * (len(self.columns) - 3) if outcome is None else outcome.values
            row = {
                **record.fields,
                **dict(zip(self.columns, (*values, status, error, record.line), strict=True)),
            }
            text = json.dumps(row, ensure_ascii=False)
            if self.fmt is RecordFormat.jsonl:
                self.out.write(text + "\n")
            else:
                self.out.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def close(self) -> None:
        if self.fmt is RecordFormat.json:
            self.out.write("\n]\n" if self.count else "]\n")


def error_of(record: Record, outcome: Outcome | None) -> str | None:
    """The record's error message, naming its line; None when it was assessed fine."""
    if outcome is None:
        return record.error
    if outcome.error is not None:
        return f"line {record.line}: {outcome.error}"
    return None


# --- the run -------------------------------------------------------------------------------------


class Summary:
    """What a batch run did, for the report on stderr."""

    def __init__(self) -> None:
        self.records = 0
        self.statuses: Counter[str] = Counter()
        self.phases: Counter[str] = Counter()
        self.red_flags: Counter[str] = Counter()
        self.errors: list[str] = []
        # Input columns named like an output column: their values are replaced by the results.
        self.replaced: list[str] = []

    def add(self, record: Record, outcome: Outcome | None) -> None:
        self.records += 1
        error = error_of(record, outcome)
        if error is not None:
            self.statuses["error"] += 1
            if len(self.errors) < 10:
                self.errors.append(error)
            return
        assert outcome is not None  # a record without an outcome always has an error
        self.statuses[outcome.status] += 1
        if outcome.phase is not None:
            self.phases[outcome.phase] += 1
        self.red_flags.update(outcome.red_flags)


def run(
    source: Iterable[Record],
    assessor: Assessor,
    writer: Writer,
    summary: Summary,
    progress: Callable[[], None] | None = None,
) -> Summary:
    """Assess every record of ``source`` and write it: the whole batch, one record at a time."""
    for record in source:
        outcome = None if record.error is not None else assessor.outcome(record)
        writer.write(record, outcome)
        summary.add(record, outcome)
        if progress is not None:
            progress()
    writer.close()
    return summary


# --- one whole batch: files, formats, atomic output ----------------------------------------------

EXTENSIONS = {
    ".csv": RecordFormat.csv,
    ".tsv": RecordFormat.csv,
    ".txt": RecordFormat.csv,
    ".jsonl": RecordFormat.jsonl,
    ".ndjson": RecordFormat.jsonl,
    ".json": RecordFormat.json,
}


class Job(NamedTuple):
    """Everything a batch run needs besides the streams."""

    source: str
    output: Path | None
    from_: RecordFormat | None
    to: RecordFormat | None
    delimiter: str | None
    encoding: str | None


def input_format(job: Job, stream: io.BufferedReader) -> RecordFormat:
    if job.from_ is not None:
        return job.from_
    if job.source != "-":
        suffix = Path(job.source).suffix.lower()
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    head = stream.peek(64)[:64]
    return sniff_format(head)


def output_format(job: Job) -> RecordFormat:
    if job.to is not None:
        return job.to
    if job.output is not None:
        suffix = job.output.suffix.lower()
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    return RecordFormat.jsonl


def execute(
    job: Job,
    assessor: Assessor,
    stdin: IO[bytes],
    stdout: IO[str],
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Run a whole batch: read ``job.source``, write every result, return the summary."""
    if job.output is not None and job.source != "-" and _same_file(Path(job.source), job.output):
        raise FasewielError(
            "the output file is the input file", hint="write the results to another file with -o"
        )
    with contextlib.ExitStack() as stack:
        stream = (
            peekable(stdin) if job.source == "-" else stack.enter_context(_open_input(job.source))
        )
        fmt_in = input_format(job, stream)
        fmt_out = output_format(job)
        if fmt_out is RecordFormat.csv and fmt_in is not RecordFormat.csv and job.source == "-":
            stream = stack.enter_context(_spooled(stream))  # read twice: columns, then records
        delimiter = job.delimiter
        if delimiter is None and job.source.lower().endswith(".tsv"):
            delimiter = "\t"
        source = open_source(stream, fmt_in, job.encoding, delimiter)
        if isinstance(source, CsvSource):
            passthrough = list(source.header)
        elif fmt_out is RecordFormat.csv:
            with contextlib.closing(source):
                passthrough = _all_fields(source)
            stream.seek(0)
            source = open_source(stream, fmt_in, job.encoding, delimiter)
        else:
            passthrough = []
        stack.callback(source.close)
        summary = Summary()
        summary.replaced = [c for c in passthrough if c in assessor.columns]
        out_delimiter = source.delimiter if isinstance(source, CsvSource) else ","
        bom = isinstance(source, CsvSource) and (
            source.codec != "utf-8" or job.encoding is not None
        )
        if job.output is None:
            out: IO[str] = stdout
        else:
            out = stack.enter_context(
                atomic_text(job.output, bom=bom and fmt_out is RecordFormat.csv)
            )
        writer = Writer(out, fmt_out, passthrough, assessor, out_delimiter or ",")
        tick = None if progress is None else _every(256, lambda: progress(source.bytes_read))
        run(source, assessor, writer, summary, tick)
    return summary


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


@contextlib.contextmanager
def _open_input(name: str) -> Iterator[io.BufferedReader]:
    try:
        # Not a with-block: only the opening is guarded here, not the work done while it is open.
        stream = Path(name).open("rb")  # noqa: SIM115
    except OSError as error:
        raise FasewielError(f"cannot read {name}: {error.strerror}") from None
    with stream:
        yield stream


@contextlib.contextmanager
def _spooled(stream: IO[bytes]) -> Iterator[io.BufferedReader]:
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool)
        spool.flush()
        spool.raw.seek(0)
        yield io.BufferedReader(spool.raw)


def _all_fields(source: Iterable[Record]) -> list[str]:
    """Every field name any record has, in order of first appearance (a first pass)."""
    names: dict[str, None] = {}
    for record in source:
        names.update(dict.fromkeys(record.fields))
    return list(names)


def _every(n: int, action: Callable[[], None]) -> Callable[[], None]:
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if count % n == 0:
            action()

    return tick
