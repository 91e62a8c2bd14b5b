"""Batch assessment: one result record out per input record, in input order, streaming.

One loop (``run``) reads a record, finds its outcome (``Assessor``) and writes it. Intake files
repeat the same complaints, and the same symptoms with the same treatments always get the same
outcome, so a bounded memo keyed by (symptoms, treatments) saves the work; a second one keeps the
readings of the latest texts, which come back with other treatments planned. ``assess_rows`` is the
same assessing for rows of one's own (a DataFrame's records, a Spark or Dask partition). Worker
processes (``--jobs``) share the assessing, and make the CSV cells of what they assess; reading
and writing stay here.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import json
import os
import shutil
import stat
import tempfile
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from fasewiel_cli.batch.records import (
    LINE,
    ROW,
    SAVED_ROLES,
    CsvSource,
    Record,
    Source,
    open_source,
    peekable,
    record_of,
    same_fields,
    sniff_format,
)
from fasewiel_cli.batch.workers import in_order
from fasewiel_cli.engine.advice import planned_treatments, verdict
from fasewiel_cli.engine.scoring import Assessment, assess
from fasewiel_cli.errors import Message, said
from fasewiel_cli.files import atomic_text
from fasewiel_cli.formats import Format, by_suffix
from fasewiel_cli.knowledge.load import load_knowledge, refusal
from fasewiel_cli.knowledge.models import LANGS, KnowledgeBase, Lang, lang_of
from fasewiel_cli.language.lexicon import detect_language, lexicon_of
from fasewiel_cli.language.matching import LONGEST_KEY, read_text
from fasewiel_cli.serialize import (
    column_names,
    csv_cell,
    decimal_mark,
    neutralise,
    readable_values,
    result_columns,
    result_values,
)
from fasewiel_cli.text import json_safe, shortened

# How many outcomes are remembered: bounded, so that memory stays flat whatever the input.
MEMO = 4096
# Treatments one record may plan: more is no plan but a mistake (a cell of pasted text).
MAX_TREATMENTS = 20
# Records handed to a worker process at a time (with --jobs): this many, or fewer that were
# read from this much input (the chunks in flight are kept until they are written).
CHUNK = 512
CHUNK_CHARS = 1 << 18
# The names of unknown treatments a summary counts, and how much of each name it keeps.
UNKNOWN_NAMES = 1000
NAME_CHARS = 80


def output_columns(kb: KnowledgeBase) -> tuple[str, ...]:
    """The columns fasewiel adds after the passthrough fields, in order."""
    return (*result_columns(p.id for p in kb.phases), "error", "line")


# --- assessing -----------------------------------------------------------------------------------


class Outcome:
    """What every record with the same symptoms and treatments gets."""

    __slots__ = ("_cells", "error", "values")

    def __init__(self, values: tuple[Any, ...], error: Message | None = None) -> None:
        # The result columns ("phase" … "status"), as JSON values.
        self.values = values
        self.error = error
        self._cells: tuple[str, tuple[str, ...]] | None = None  # (decimal mark, cells)

    @property
    def status(self) -> str:  # ok, no_signal, red_flag or error
        status: str = self.values[-1]
        return status

    def cells(
        self, decimal: str = ".", readable: Callable[[Sequence[Any]], Sequence[Any]] | None = None
    ) -> tuple[str, ...]:
        """``values`` as CSV cells (made ``readable`` for a person first, when asked): made once,
        for every record that shares this outcome, in a run that writes them one way."""
        if self._cells is None or self._cells[0] != decimal:
            values = self.values if readable is None else readable(self.values)
            self._cells = (decimal, tuple(csv_cell(value, decimal) for value in values))
        return self._cells[1]


# What an outcome depends on: a record's symptoms and its planned treatments.
Key = tuple[str, tuple[str, ...]]


class Assessor:
    """Turns a record's symptoms and treatments into its outcome, remembering the latest
    outcomes, and the latest readings of a text (the same text comes with other treatments)."""

    def __init__(self, kb: KnowledgeBase, lang: Lang) -> None:
        self.kb = kb
        self.lang = lang
        self.columns = output_columns(kb)
        self.blank = (None,) * (len(self.columns) - 3)
        self.memo: OrderedDict[Key, Outcome] = OrderedDict()
        self.readings: OrderedDict[str, Assessment] = OrderedDict()

    def failed(self, message: Message) -> Outcome:
        """The outcome of a record that cannot be assessed."""
        return Outcome((*self.blank, "error"), message)

    def outcome(
        self, record: Record, judged: Mapping[Key, Outcome] | None = None
    ) -> Outcome | None:
        """The record's outcome; None for a record that could not be read. ``judged`` holds
        outcomes found elsewhere (by a worker process) that the memo does not have yet."""
        if record.error is not None:
            return None
        if len(record.treatments) > MAX_TREATMENTS:  # (each unknown one costs a search)
            return self.failed(said("too_many_treatments", limit=MAX_TREATMENTS))
        key = (record.symptoms, record.treatments)
        found = self.memo.get(key)
        if found is not None:
            self.memo.move_to_end(key)
            return found
        found = judged.get(key) if judged else None
        if found is None:
            found = self.judge(*key)
        if len(key[0]) + sum(map(len, key[1])) <= LONGEST_KEY:  # (a long text: read once)
            _remember(self.memo, key, found)
        return found

    def not_remembered(self, records: Iterable[Record]) -> list[Key]:
        """The records' keys the memo has no outcome for, each once: a worker's work."""
        keys = (
            (record.symptoms, record.treatments)
            for record in records
            if record.error is None and len(record.treatments) <= MAX_TREATMENTS
        )
        return [key for key in dict.fromkeys(keys) if key not in self.memo]

    def judged(
        self, keys: list[Key], prepare: Callable[[Outcome], object] | None = None
    ) -> dict[Key, Outcome]:
        """The outcome of each key (done by a worker), made ready to be written (``prepare``)."""
        found = {key: self.judge(*key) for key in keys}
        if prepare is not None:
            for outcome in found.values():
                prepare(outcome)
        return found

    def reading(self, text: str) -> Assessment:
        """The assessment of a text."""
        found = self.readings.get(text)
        if found is not None:
            self.readings.move_to_end(text)
            return found
        found = assess(self.kb, read_text(self.kb, text))
        if len(text) <= LONGEST_KEY:
            _remember(self.readings, text, found)
        return found

    def judge(self, text: str, treatments: tuple[str, ...]) -> Outcome:
        """The outcome of a text, with these treatments planned."""
        kb, lang = self.kb, self.lang
        assessment = self.reading(text)
        match = assessment.match
        planned = planned_treatments(kb, treatments, lang)
        return Outcome(
            result_values(
                assessment.scores,
                assessment.phase,
                assessment.next_phase,
                match.signal_ids,
                [u.text for u in match.unrecognised],
                [f.flag for f in match.red_flags],
                [verdict(kb, assessment, t, lang) for t in planned],
            )
        )


def _remember(memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    """Keep ``value`` in a memo of at most ``MEMO`` entries, forgetting the least recently
    used."""
    memo[key] = value
    if len(memo) > MEMO:
        memo.popitem(last=False)


def assess_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    kb: KnowledgeBase | None = None,
    lang: Lang = LANGS[0],
) -> Iterator[dict[str, Any]]:
    """Each row with its result added, in order: the columns of ``flat_row``, and ``error``.

    A row's ``symptoms`` (or ``symptomen``) field is read, and its ``treatment``
    (``behandeling``) if it has one: the same fields ``fasewiel batch`` reads. Rows that repeat
    a text are assessed once (a bounded memo), so this is fast on real intake data::

        import pandas as pd
        from fasewiel import assess_rows

        results = pd.DataFrame(assess_rows(df.to_dict("records"), lang="en"))

    A row that cannot be assessed (no symptoms, say) gets status "error" and the reason, in
    ``lang``, in ``error``; the other rows go on. An unknown treatment is no error: its verdict
    is "unknown".
    """
    assessor = Assessor(kb or load_knowledge(), lang_of(lang))
    lang = assessor.lang
    columns = assessor.columns[:-1]  # (no line numbers: rows are not lines of a file)
    for number, row in enumerate(rows, 1):
        record = record_of(number, row)
        outcome = assessor.outcome(record)
        error = error_of(record, outcome, ROW)
        if error is not None:
            outcome = assessor.failed(error)
        assert outcome is not None  # (an outcome is missing only with an error)
        text = None if error is None else assessor.kb.say(error, lang)
        own = row if isinstance(row, Mapping) else {}  # (a row that is no mapping: its error)
        yield {**own, **dict(zip(columns, (*outcome.values, text), strict=True))}


# --- writing -------------------------------------------------------------------------------------


class Writer(Protocol):
    def prepare(self, outcome: Outcome) -> None:
        """Make what every record with this outcome writes (a worker does, beside judging)."""

    def write(self, record: Record, outcome: Outcome | None) -> None: ...
    def close(self) -> None: ...


def error_of(record: Record, outcome: Outcome | None, unit: Message = LINE) -> Message | None:
    """What is wrong with the record, naming its line; None when it was assessed fine."""
    if outcome is None:
        return record.error
    if outcome.error is not None:
        return said("row_problem", unit=unit, line=record.line, problem=outcome.error)
    return None


# Says a message in the run's language (``KnowledgeBase.say``).
Speaker = Callable[[Message], str]


def results(
    columns: tuple[str, ...], record: Record, outcome: Outcome | None, speak: Speaker
) -> dict[str, Any]:
    """fasewiel's own columns for a record, as JSON values."""
    values = outcome.values if outcome is not None else (*(None,) * (len(columns) - 3), "error")
    error = error_of(record, outcome)
    text = None if error is None else speak(error)
    return dict(zip(columns, (*values, text, record.line), strict=True))


class JsonLinesWriter:
    def __init__(self, out: IO[str], columns: tuple[str, ...], speak: Speaker) -> None:
        self.out = out
        self.columns = columns
        self.speak = speak

    def prepare(self, outcome: Outcome) -> None:
        """Nothing: each record's line is made whole, with its own fields."""

    def write(self, record: Record, outcome: Outcome | None) -> None:
        ours = results(self.columns, record, outcome, self.speak)
        self.out.write(json_safe(json.dumps(record.fields | ours, ensure_ascii=False)) + "\n")

    def close(self) -> None:
        """Nothing to end: each line is whole."""


class JsonWriter(JsonLinesWriter):
    def __init__(self, out: IO[str], columns: tuple[str, ...], speak: Speaker) -> None:
        super().__init__(out, columns, speak)
        self.count = 0
        out.write("[")

    def write(self, record: Record, outcome: Outcome | None) -> None:
        ours = results(self.columns, record, outcome, self.speak)
        text = json_safe(json.dumps(record.fields | ours, ensure_ascii=False))
        self.out.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")


class CsvWriter:
    """CSV with CRLF line ends (RFC 4180, Excel), every cell that could start a formula
    defused. A CSV input's own cells are written by position, so columns that share a name keep
    their own values."""

    def __init__(
        self,
        out: IO[str],
        columns: tuple[str, ...],
        passthrough: list[str],
        delimiter: str,
        speak: Speaker,
        names: Sequence[str] | None = None,
        readable: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
    ) -> None:
        self.passthrough = passthrough
        self.speak = speak
        self.readable = readable
        ours = {*columns, *(names or ())}  # (an input column of that name is replaced)
        self.kept = [n for n, name in enumerate(passthrough) if name not in ours]
        self.unread = (*("",) * (len(columns) - 3), "error")  # (a record that was not read)
        self.decimal = decimal_mark(delimiter)
        self.csv = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        own = [passthrough[n] for n in self.kept]
        self.csv.writerow([neutralise(name) for name in (*own, *(names or columns))])

    def prepare(self, outcome: Outcome) -> None:
        outcome.cells(self.decimal, self.readable)

    def write(self, record: Record, outcome: Outcome | None) -> None:
        if record.cells is not None:
            cells = record.cells
            own = [neutralise(cells[n]) for n in self.kept]
        else:
            own = [csv_cell(record.fields.get(self.passthrough[n])) for n in self.kept]
        ours = self.unread if outcome is None else outcome.cells(self.decimal, self.readable)
        error = error_of(record, outcome)
        text = "" if error is None else neutralise(self.speak(error))
        self.csv.writerow([*own, *ours, text, record.line])

    def close(self) -> None:
        """Nothing to end: each row is whole."""


def make_writer(
    out: IO[str],
    fmt: Format,
    columns: tuple[str, ...],
    passthrough: list[str],
    delimiter: str,
    speak: Speaker,
    names: Sequence[str] | None = None,
    readable: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> Writer:
    if fmt is Format.csv:
        return CsvWriter(out, columns, passthrough, delimiter, speak, names, readable)
    if fmt is Format.jsonl:
        return JsonLinesWriter(out, columns, speak)
    return JsonWriter(out, columns, speak)


# --- the run -------------------------------------------------------------------------------------


class Summary:
    """What a batch run did, for the report on stderr."""

    def __init__(self) -> None:
        self.records = 0
        self.statuses: Counter[str] = Counter()
        self.phases: Counter[str] = Counter()
        self.red_flags: Counter[str] = Counter()
        # Treatments planned that fasewiel does not know: the first UNKNOWN_NAMES names (each
        # cut to NAME_CHARS), and whether more were left uncounted (memory stays flat).
        self.unknown: Counter[str] = Counter()
        self.unknown_left = False
        self.errors: list[Message] = []  # the first ten
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
        assert outcome is not None  # (an outcome is missing only with an error)
        values = outcome.values
        self.statuses[values[-1]] += 1
        if values[0] is not None:
            self.phases[values[0]] += 1
        if values[-3]:  # (red_flags, treatments, status)
            self.red_flags.update(values[-3])
        for planned in values[-2]:
            if planned["verdict"] == "unknown":
                name = shortened(planned["name"], NAME_CHARS)
                if name in self.unknown or len(self.unknown) < UNKNOWN_NAMES:
                    self.unknown[name] += 1
                else:
                    self.unknown_left = True


def run(
    records: Iterable[Record],
    assessor: Assessor,
    writer: Writer,
    summary: Summary,
    progress: Callable[[], None] | None = None,
    keep: Callable[[Record, Outcome], Outcome] | None = None,
    jobs: int = 1,
) -> Summary:
    """Assess every record and write it: the whole batch, one record at a time. ``keep``
    (``--save``) sees each assessed record and may turn it into an error row."""
    for record, outcome in _assessed(records, assessor, jobs, writer.prepare):
        if keep is not None and outcome is not None:
            outcome = keep(record, outcome)
        writer.write(record, outcome)
        summary.add(record, outcome)
        if progress is not None and summary.records % 256 == 0:
            progress()
    writer.close()
    return summary


def _assessed(
    records: Iterable[Record], assessor: Assessor, jobs: int, prepare: Callable[[Outcome], None]
) -> Iterator[tuple[Record, Outcome | None]]:
    """Each record with its outcome, in order. With ``jobs`` > 1, worker processes judge the
    texts of a chunk of records that the memo does not know, and ``prepare`` what is written of
    them; only those go back and forth."""
    if jobs <= 1:
        yield from ((record, assessor.outcome(record)) for record in records)
        return
    waiting: deque[list[Record]] = deque()  # chunks handed out, in order

    def work() -> Iterator[list[Key]]:
        for chunk in chunks(records):
            waiting.append(chunk)
            yield assessor.not_remembered(chunk)

    judged = functools.partial(assessor.judged, prepare=prepare)
    with contextlib.closing(in_order(judged, work(), jobs)) as done:
        for found in done:
            for record in waiting.popleft():
                yield record, assessor.outcome(record, found)


def chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    """The records in order, ``CHUNK`` at a time, or fewer when they hold ``CHUNK_CHARS``."""
    chunk: list[Record] = []
    size = 0
    for record in records:
        chunk.append(record)
        size += record.size
        if len(chunk) >= CHUNK or size >= CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# --- one whole batch: files, formats, atomic output ----------------------------------------------


class Job(NamedTuple):
    """Everything a batch run needs besides the streams."""

    source: str
    output: Path | None
    from_: Format | None
    to: Format | None
    delimiter: str | None
    encoding: str | None
    jobs: int = 1  # worker processes
    # The language of a CSV output's column names (None: their ids, as in JSON).
    header_lang: Lang | None = None


def input_format(job: Job, stream: io.BufferedReader) -> Format:
    if job.from_ is not None:
        return job.from_
    if job.source != "-" and (found := by_suffix(Path(job.source), "records")) is not None:
        return found
    head = stream.peek(64)[:64]
    return sniff_format(head)


def output_format(job: Job) -> Format:
    if job.to is not None:
        return job.to
    if job.output is not None and (found := by_suffix(job.output, "records")) is not None:
        return found
    return Format.jsonl


def execute(
    job: Job,
    assessor: Assessor,
    stdin: IO[bytes],
    stdout: IO[str],
    progress: Callable[[int], None] | None = None,
    keep: Callable[[Record, Outcome], Outcome] | None = None,
    choose_lang: Callable[[Lang | None], Lang] | None = None,
) -> Summary:
    """Run a whole batch: read ``job.source``, write every result, return the summary.

    ``choose_lang`` (when no language was asked for) is told the language most of the first
    records are written in (``majority_language``) and says the one to answer in."""
    if job.output is not None and job.source != "-" and same_file(Path(job.source), job.output):
        raise refusal(said("output_is_input"), said("output_elsewhere_hint"))
    with contextlib.ExitStack() as stack:
        stream = (
            peekable(stdin) if job.source == "-" else stack.enter_context(_open_input(job.source))
        )
        fmt_in = input_format(job, stream)
        fmt_out = output_format(job)
        if fmt_out is Format.csv and fmt_in is not Format.csv and job.source == "-":
            stream = stack.enter_context(_spooled(stream))  # read twice: columns, then records
        delimiter = job.delimiter
        if delimiter is None and job.source.lower().endswith(".tsv"):
            delimiter = "\t"
        if _same_stream(stream, job.output, stdout):
            raise refusal(said("output_reads_itself"), said("output_elsewhere_hint"))
        source: Source = open_source(stream, fmt_in, job.encoding, delimiter)
        passthrough = list(source.columns)
        twice = next((c for n, c in enumerate(passthrough) if c in passthrough[:n]), None)
        if twice is not None and fmt_out is not Format.csv:  # (a CSV output keeps both)
            column = shortened(twice, 80)
            raise refusal(said("twice_column", column=column), said("twice_column_hint"))
        if keep is not None and isinstance(source, CsvSource):  # (a JSON record: Spool.keep)
            same = same_fields(source.by_role, SAVED_ROLES)
            if same:  # (two client columns: whose visits are they?)
                hint = said("same_columns_hint")
                raise refusal(said("same_columns", columns=", ".join(same)), hint)
        if fmt_out is Format.csv and not isinstance(source, CsvSource):
            with contextlib.closing(source):
                passthrough = _all_fields(source)
            stream.seek(0)
            source = open_source(stream, fmt_in, job.encoding, delimiter)
        stack.callback(source.close)
        summary = Summary()
        names = None
        if job.header_lang is not None and fmt_out is Format.csv:
            names = column_names(assessor.kb, job.header_lang, assessor.columns)
        ours = {*assessor.columns, *(names or ())}
        summary.replaced = [c for c in passthrough if c in ours]
        # Excel reads a UTF-8 file back right only with a BOM: written when the input came
        # from Excel (a BOM, or another encoding).
        bom = isinstance(source, CsvSource) and (
            source.codec != "utf-8" or job.encoding is not None
        )
        if job.output is None:
            out: IO[str] = stdout
        else:
            out = stack.enter_context(atomic_text(job.output, bom=bom and fmt_out is Format.csv))
        # (in the language the run settles on, which may be the first records')
        speak: Speaker = lambda message: assessor.kb.say(message, assessor.lang)  # noqa: E731
        # A spreadsheet asked for in a language says its values in it too (names, words).
        readable = None
        if job.header_lang is not None:
            lang = job.header_lang
            readable = functools.partial(readable_values, assessor.kb, lang)
        writer = make_writer(
            out, fmt_out, assessor.columns, passthrough, source.delimiter, speak, names, readable
        )
        update = None if progress is None else lambda: progress(source.bytes_read)
        records: Iterable[Record] = source
        if choose_lang is not None:
            records = iter(source)
            # (records that stream in through a pipe come out as they come: the first decides)
            count = LANG_RECORDS if stream.seekable() else 1
            head = _head(records, count, lambda: source.bytes_read)
            assessor.lang = choose_lang(majority_language(assessor.kb, head))
            records = itertools.chain(head, records)
        run(records, assessor, writer, summary, update, keep, job.jobs)
    return summary


# The records that decide a batch's language: the first ones, up to this many and as many as
# this much input holds (they are kept until they are written: every field counts).
LANG_RECORDS = 1000
LANG_BYTES = 1 << 20


def _head(records: Iterator[Record], count: int, bytes_read: Callable[[], int]) -> list[Record]:
    """The first records, up to ``count`` of them and ``LANG_BYTES`` of input."""
    head: list[Record] = []
    for record in records:
        head.append(record)
        if len(head) >= count or bytes_read() >= LANG_BYTES:
            break
    return head


def majority_language(kb: KnowledgeBase, records: Iterable[Record]) -> Lang | None:
    """The language most of these records' symptoms are clearly written in (None: a tie, or
    none is clear)."""
    votes = Counter(
        found
        for record in records
        if record.error is None
        and (found := detect_language(lexicon_of(kb), record.symptoms)) is not None
    )
    ranked = votes.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _same_stream(stream: IO[bytes], output: Path | None, stdout: IO[str]) -> bool:
    """Whether the results would go into the input itself: ``>> input.csv``, ``-o
    /dev/stdin``, ``-o /dev/fd/0`` (a regular file both ways)."""
    try:
        given = os.fstat(stream.fileno())
        if output is not None:
            target = output.stat() if output.exists() else None
        else:
            target = os.fstat(stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return False  # (not a file: a pipe, a terminal, a stream in memory)
    return (
        target is not None
        and stat.S_ISREG(given.st_mode)
        and (given.st_dev, given.st_ino) == (target.st_dev, target.st_ino)
    )


def same_file(a: Path, b: Path) -> bool:
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
        raise refusal(said("cannot_read", name=name, reason=error.strerror)) from None
    with stream:
        yield stream


@contextlib.contextmanager
def _spooled(stream: IO[bytes]) -> Iterator[io.BufferedReader]:
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool)
        spool.flush()
        spool.raw.seek(0)
        yield io.BufferedReader(spool.raw)


# A CSV made of JSON records has a column for each field any record has: at most this many,
# with names of at most this many characters in all.
MAX_FIELDS = 1000
MAX_FIELD_CHARS = 1 << 16


def _all_fields(source: Iterable[Record]) -> list[str]:
    """Every field name any record has, in order of first appearance (a first pass)."""
    names: dict[str, None] = {}
    size = 0
    for record in source:
        for name in record.fields:
            if name not in names:
                names[name] = None
                size += len(name)
        if len(names) > MAX_FIELDS or size > MAX_FIELD_CHARS:
            raise refusal(
                said("too_many_fields", limit=MAX_FIELDS, chars=MAX_FIELD_CHARS),
                said("too_many_fields_hint"),
            )
    return list(names)
