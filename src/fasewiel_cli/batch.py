"""Batch assessment: one result record out per input record, in input order, streaming.

Readings are memoised per distinct symptom text, judgements per set of signals and verdicts
per judgement and treatments: intake files repeat the same complaints, and an identical text
always gets an identical assessment. CSV in and CSV out (the everyday case) has its own lean
loop, ``run_csv``; every other combination goes through ``run``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
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
from fasewiel_cli.matching import LONGEST_KEY, MatchResult, read_text
from fasewiel_cli.models import KnowledgeBase, Lang, Treatment
from fasewiel_cli.records import (
    CsvSource,
    Record,
    all_decoded,
    error_record,
    open_source,
    peekable,
    sniff_format,
    split_treatments,
)
from fasewiel_cli.safety import FlagMatch
from fasewiel_cli.scoring import Assessment, assess
from fasewiel_cli.workers import in_order

# How many distinct inputs, texts and signatures are remembered. Bounded, so memory stays flat
# (bench/batch_bench.py: a million rows within 10% of the peak at ten thousand; the sizes are
# what that allows, with some room). bench's 100,000 rows hold 20,712 distinct texts, 1,374
# judgements and 489 (verdict key, treatment) pairs: a reading is small (its text and a memo
# entry; the texts without unrecognised words share their judgement's), a judgement is not
# (about 2 KB); an outcome (every output column, twice) is bigger still. Twice as many readings
# as before (6,144) read 15% fewer texts anew and cost 1.5 MB at a million rows.
OUTCOMES = 2048
READINGS = 12288
JUDGEMENTS = 1024
VERDICT_CELLS = 2048  # (short: the cell text is kept with its verdicts, shared)
# How the CSV writer writes a cell (``Assessor._written``).
_AS_IS, _QUOTED, _OTHER = range(3)
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
    """A bounded memo that forgets the least recently used entry, so memory stays flat."""

    def __init__(self, size: int) -> None:
        self.items: OrderedDict[K, V] = OrderedDict()
        self.size = size

    def get(self, key: K) -> V | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: K, value: V, length: int) -> V:
        """Remember ``value``, unless its key holds more than ``LONGEST_KEY`` characters of
        text (``length``): a few thousand texts of a megabyte would not keep memory flat."""
        if length <= LONGEST_KEY:
            self.items[key] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


def _remember(memo: dict[K, V], key: K, value: V, size: int) -> V:
    """Remember ``value`` in a memo of few distinct keys, emptied when it holds ``size``."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value
    return value


class Judgement(NamedTuple):
    """The assessment of one (signals, red flags): shared by every text that says the same."""

    assessment: Assessment
    # What a treatment verdict depends on: the phase, the Reset signals, any red flag (as a
    # number: ``Assessor.verdict_keys``, so that memo keys made of it hash fast).
    verdict_key: int
    status: str
    head: tuple[Any, ...]  # the columns from "phase" to "matched"
    head_cells: tuple[str, ...] | None
    flags: list[str]
    flags_cell: str | None
    # A reading's CSV text (``Reading.line``) is these two around its unrecognised words;
    # ``line`` is it for every reading without any (one text, shared).
    around_words: tuple[str, str]
    line: str | None
    # How the summary counts a record judged so: status, phase, red flags.
    tally: tuple[str, str | None, tuple[str, ...]]


class Reading(NamedTuple):
    """What a symptom text says and how it is judged: all that its records share (memoised,
    so kept small)."""

    judgement: Judgement
    words: tuple[str, ...]  # the unrecognised words, as typed
    # The columns from "phase" to "red_flags" as they are in a CSV line (quoted where needed,
    # with delimiters between them), when writing CSV; ``Assessor.cells`` has them as cells.
    line: str | None


class Assessor:
    """Turns records into outcomes.

    Bounded memos, each for what really repeats: the outcome of a (text, treatments) seen
    lately; the reading of a text; the judgement of a set of signals and red flags (many texts
    share one); the verdict on a treatment for a verdict key (``_verdict``) and, when writing
    CSV, the verdicts cell of a treatment field as written. A new record's outcome is put
    together from them.
    """

    def __init__(self, kb: KnowledgeBase, lang: Lang) -> None:
        self.kb = kb
        self.lang = lang
        self.columns = output_columns(kb)
        self.csv = False  # set by a CSV writer (``write_csv``): cells and text are encoded once
        self.encode: Callable[[Iterable[str]], str] = str  # per memo entry, with this
        self.delimiter = ","
        self.outcomes: _Memo[tuple[str, tuple[str, ...]], Outcome] = _Memo(OUTCOMES)
        self.readings: _Memo[str, Reading] = _Memo(READINGS)
        # Each judgement as the reading of a text without unrecognised words: one for them all.
        self.judgements: _Memo[tuple[tuple[str, ...], tuple[str, ...]], Reading] = _Memo(JUDGEMENTS)
        # The verdicts cell, as in a CSV line, for a judgement and a treatment field as written
        # (None: the field names a treatment that does not exist).
        self.verdict_cells: _Memo[tuple[Any, ...], str | None] = _Memo(VERDICT_CELLS)
        self.treatment_names: dict[str, Treatment | UnknownNameError] = {}
        self.one_verdict: dict[tuple[int, str], tuple[dict[str, str], str]] = {}  # (``_verdict``)
        # How the CSV writer writes each verdict's text (``_written``).
        self.verdict_texts: dict[str, int] = {}
        # The treatments a field names as written (None: one does not exist).
        self.planned: dict[str, tuple[Treatment, ...] | None] = {}
        # (phase, Reset signals, any red flag) → a number; there are only so many of them.
        self.verdict_keys: dict[tuple[str | None, tuple[str, ...], bool], int] = {}
        self.signal_rank = {signal.id: n for n, signal in enumerate(kb.signals)}.__getitem__
        self.blank = (None,) * (len(self.columns) - 3)
        self.blank_cells = ("",) * (len(self.columns) - 3)

    def write_csv(self, delimiter: str) -> None:
        """Keep CSV cells and text with what is remembered, for a CSV writer."""
        self.csv = True
        self.encode = line_encoder(delimiter)
        self.delimiter = delimiter
        for memo in (self.outcomes, self.readings, self.judgements, self.verdict_cells):
            memo.items.clear()  # (remembered without the CSV text, or for another delimiter)
        self.verdict_texts.clear()

    def encode_cells(self, cells: Iterable[str]) -> str:
        """Cells as in a CSV line that goes on after them."""
        return self.encode([*cells, ""])[:-1]  # (an empty cell alone would be written '""')

    def encode_cell(self, cell: str) -> str:
        return self.encode_cells((cell,))

    def outcome(self, record: Record) -> Outcome:
        key = (record.symptoms, record.treatments)
        found = self.outcomes.get(key)
        if found is None:
            length = len(record.symptoms) + sum(map(len, record.treatments))
            found = self.outcomes.put(key, self.assess(record), length)
        return found

    def assess(self, record: Record) -> Outcome:
        """The record's outcome, put together from the memos below ``outcome``'s own."""
        try:
            planned = tuple(self._treatment(name) for name in record.treatments)
        except UnknownNameError as error:
            message = f"{error.message}; {error.hint}" if error.hint else error.message
            cells = self.blank_cells if self.csv else None
            return Outcome("error", None, (), message, self.blank, cells)
        reading = self.reading(record.symptoms)
        judgement = reading.judgement
        verdicts = [self._verdict(judgement, treatment)[0] for treatment in planned]
        values = (*judgement.head, list(reading.words), judgement.flags, verdicts)
        cells = None if reading.line is None else (*self.cells(reading), csv_cell(verdicts))
        flags = judgement.tally[2]
        return Outcome(judgement.status, judgement.head[0], flags, None, values, cells)

    def reading(self, symptoms: str) -> Reading:
        """The reading of a text, from the memo when it was read lately."""
        found = self.readings.get(symptoms)
        return self.new_reading(symptoms) if found is None else found

    def new_reading(self, symptoms: str) -> Reading:
        """The reading of a text that is not in the memo; remembered."""
        return self.readings.put(symptoms, self._read(symptoms), len(symptoms))

    def verdicts_cell(self, judgement: Judgement, field: str) -> str | None:
        """The verdicts cell for a treatment field as written, as it is in a CSV line; None
        when it names a treatment that does not exist (the record is then an error, reported
        the way ``assess`` does). Only for CSV."""
        key = (judgement.verdict_key, field)
        known = self.verdict_cells.items
        if key in known:
            known.move_to_end(key)
            return known[key]
        planned = self.planned[field] if field in self.planned else self._planned(field)
        if planned is None:
            return self.verdict_cells.put(key, None, len(field))
        verdict = self._verdict
        # (as ``csv_cell`` writes the verdicts: each one's text, remembered with it)
        texts = [verdict(judgement, treatment)[1] for treatment in planned]
        return self.verdict_cells.put(key, self._verdicts_encoded(texts), len(field))

    def _verdicts_encoded(self, texts: list[str]) -> str:
        """``encode_cell`` of the verdicts cell joined from these texts, put together from how
        the CSV writer writes each text (remembered): a long cell is slow to encode. The writer
        quotes a cell when a character in it calls for it, and then puts quotes around it and
        doubles those in it; a text with a quote in it has the cell encoded whole. (The quote
        that defuses a formula is no such character.)"""
        cell = neutralise(" | ".join(texts))
        ways = {self._written(text) for text in texts}
        if _OTHER in ways or self._written(" | ") != _AS_IS:
            return self.encode_cell(cell)
        return f'"{cell}"' if _QUOTED in ways else cell

    def _written(self, text: str) -> int:
        """How the CSV writer writes a cell of this text: as is, in quotes, or otherwise."""
        found = self.verdict_texts.get(text)
        if found is None:
            encoded = self.encode_cell(text)
            found = _AS_IS if encoded == text else _QUOTED if encoded == f'"{text}"' else _OTHER
            _remember(self.verdict_texts, text, found, VERDICT_CELLS)
        return found

    def _planned(self, field: str) -> tuple[Treatment, ...] | None:
        """The treatments a field names, None when one of them does not exist; remembered."""
        try:
            planned: tuple[Treatment, ...] | None = tuple(
                self._treatment(name) for name in split_treatments(field)
            )
        except UnknownNameError:
            planned = None
        if len(field) <= LONGEST_KEY:  # (fields as written: bounded too)
            _remember(self.planned, field, planned, JUDGEMENTS)
        return planned

    def _read(self, symptoms: str) -> Reading:
        match = read_text(self.kb, symptoms)
        found = match.signal_ids
        flag_ids = [f.flag for f in match.red_flags]
        words = [u.text for u in match.unrecognised]
        signals = tuple(found) if len(found) < 2 else tuple(sorted(found, key=self.signal_rank))
        key = (signals, tuple(flag_ids) if flag_ids else ())
        judgements = self.judgements.items
        plain = judgements.get(key)
        if plain is None:
            judged = self._judge(*key)
            plain = self.judgements.put(key, Reading(judged, (), judged.line), 0)
        else:
            judgements.move_to_end(key)
        if not words:
            return plain
        judgement = plain.judgement
        line = None
        if self.csv:
            before, after = judgement.around_words
            line = f"{before}{self.encode_cell(csv_cell(words))}{after}"
        return Reading(judgement, tuple(words), line)

    @staticmethod
    def cells(reading: Reading) -> tuple[str, ...]:
        """The columns from "phase" to "red_flags" as CSV cells (when writing CSV)."""
        judgement = reading.judgement
        words = csv_cell(list(reading.words))
        return (*(judgement.head_cells or ()), words, judgement.flags_cell or "")

    def _judge(self, signals: tuple[str, ...], flag_ids: tuple[str, ...]) -> Judgement:
        kb = self.kb
        flags = tuple(FlagMatch(flag, "") for flag in flag_ids)
        match = MatchResult("", (), (), flags, signals, frozenset())
        assessment = assess(kb, match)
        phase = assessment.phase
        status = "red_flag" if flags else "no_signal" if phase is None else "ok"
        head = (
            phase,
            assessment.next_phase,
            assessment.scores[phase] if phase else None,
            *assessment.scores.values(),
            list(signals),
        )
        cells = flags_cell = None
        around_words = ("", "")
        line = None
        if self.csv:
            cells = tuple(map(csv_cell, head))
            flags_cell = csv_cell(list(flag_ids))
            delimiter = self.delimiter
            around_words = (
                self.encode(cells) + delimiter,
                delimiter + self.encode_cell(flags_cell),
            )
            line = "".join(around_words)
        blockers = assessment.signals_pointing_to(kb, kb.scoring.intensive.blocked_by)
        return Judgement(
            assessment,
            self.verdict_keys.setdefault((phase, blockers, bool(flags)), len(self.verdict_keys)),
            status,
            head,
            cells,
            list(flag_ids),
            flags_cell,
            around_words,
            line,
            (status, phase, flag_ids),
        )

    def _verdict(self, judgement: Judgement, treatment: Treatment) -> tuple[dict[str, str], str]:
        """The verdict on one treatment, and its text in a CSV cell: the same for every
        judgement with its verdict key (bench's 1,556 judgements have 114 keys between them),
        and never changed once made."""
        key = (judgement.verdict_key, treatment.id)
        found = self.one_verdict.get(key)
        if found is None:
            verdict = treatment_verdict(self.kb, judgement.assessment, treatment, self.lang)
            value = {"id": verdict.id, "verdict": verdict.verdict, "reason": verdict.reason}
            found = _remember(self.one_verdict, key, (value, verdict_text(value)), VERDICT_CELLS)
        return found

    def _treatment(self, name: str) -> Treatment:
        found = self.treatment_names.get(name)
        if found is None:
            try:
                found = find("treatment", self.kb.treatments, name)
            except UnknownNameError as error:
                found = error
            if len(name) <= LONGEST_KEY:  # (names as written: bounded too)
                _remember(self.treatment_names, name, found, JUDGEMENTS)
        if isinstance(found, UnknownNameError):
            raise found
        return found


# --- writing -------------------------------------------------------------------------------------

# OWASP: a spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_START = frozenset("=+-@\t\r")


def neutralise(value: str) -> str:
    return "'" + value if value and value[0] in _FORMULA_START else value


def line_encoder(delimiter: str) -> Callable[[Iterable[str]], str]:
    """Cells → the text the CSV writer writes for them, without the line end. (One empty cell
    alone is written ``""``; an empty cell with others is written as nothing.)"""
    buffer = io.StringIO()
    # The line end the Writer uses: the csv module quotes a cell holding one of its characters.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def encode(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()[:-2]

    return encode


def verdict_text(verdict: dict[str, str]) -> str:
    """A treatment verdict as a CSV cell spells it out."""
    return f"{verdict['id']}: {verdict['verdict']} — {verdict['reason']}"


def csv_cell(value: Any) -> str:
    """One CSV cell: lists joined, verdicts spelled out, user text defused."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return neutralise(" | ".join(map(verdict_text, value)))
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
        self.blank = (None,) * (len(self.columns) - 3)
        self.blank_cells = ("",) * (len(self.columns) - 3)
        self.count = 0
        self.delimiter = delimiter
        if fmt is RecordFormat.csv:
            assessor.write_csv(delimiter)
            # CRLF, as RFC 4180 and Excel have it; it also makes the writer quote a carriage return.
            self.csv = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
            self.csv.writerow([neutralise(c) for c in (*self.passthrough, *self.columns)])
        elif fmt is RecordFormat.json:
            out.write("[")

    def write(self, record: Record, outcome: Outcome | None) -> None:
        """Write ``record``'s result; ``outcome`` is None for a record that could not be read."""
        if self.fmt is RecordFormat.csv:
            self.csv.writerow(self.csv_row(record, outcome))
        else:
            error = error_of(record, outcome)
            status = "error" if outcome is None else outcome.status
            values = self.blank if outcome is None else outcome.values
            row_ = {
                **record.fields,
                **dict(zip(self.columns, (*values, status, error, record.line), strict=True)),
            }
            text = json.dumps(row_, ensure_ascii=False)
            if self.fmt is RecordFormat.jsonl:
                self.out.write(text + "\n")
            else:
                self.out.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def csv_row(self, record: Record, outcome: Outcome | None) -> list[Any]:
        """The CSV cells of ``record``'s result."""
        fields = record.fields
        row: list[Any] = [csv_cell(fields.get(c)) for c in self.passthrough]
        row += self.blank_cells if outcome is None else outcome.cells or self.blank_cells
        error = error_of(record, outcome)
        status = "error" if outcome is None else outcome.status
        row += (status, "" if error is None else neutralise(error), record.line)
        return row

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
        if outcome is None or outcome.error is not None:
            self.records += 1
            self.statuses["error"] += 1
            if len(self.errors) < 10:
                self.errors.append(error_of(record, outcome) or "")
            return
        self.count(outcome.status, outcome.phase, outcome.red_flags)

    def merge(self, other: Summary) -> None:
        """Add what ``other`` counted (the summary of the records after this one's)."""
        self.records += other.records
        self.statuses.update(other.statuses)
        self.phases.update(other.phases)
        self.red_flags.update(other.red_flags)
        self.errors += other.errors[: max(0, 10 - len(self.errors))]

    def count(
        self, status: str, phase: str | None, red_flags: tuple[str, ...], times: int = 1
    ) -> None:
        """Count ``times`` records assessed alike."""
        self.records += times
        self.statuses[status] += times
        if phase is not None:
            self.phases[phase] += times
        for flag in red_flags:
            self.red_flags[flag] += times


def run(
    source: Iterable[Record],
    assessor: Assessor,
    writer: Writer,
    summary: Summary,
    progress: Callable[[], None] | None = None,
    keep: Callable[[Record, Outcome], Outcome] | None = None,
) -> Summary:
    """Assess every record of ``source`` and write it: the whole batch, one record at a time.
    ``keep`` (``--save``) sees each assessed record and may turn it into an error row."""
    outcome_of, write, add = assessor.outcome, writer.write, summary.add
    for record in source:
        outcome = None if record.error is not None else outcome_of(record)
        if keep is not None and outcome is not None:
            outcome = keep(record, outcome)
        write(record, outcome)
        add(record, outcome)
        if progress is not None:
            progress()
    writer.close()
    return summary


def run_csv(
    source: CsvSource,
    assessor: Assessor,
    writer: Writer,
    summary: Summary,
    progress: Callable[[], None] | None = None,
    keep: Callable[[Record, Outcome], Outcome] | None = None,
    jobs: int = 1,
) -> Summary:
    """``run`` for CSV in and CSV out, the everyday case of a practice: this process reads the
    input in blocks of whole records (``CsvSource.blocks``) and writes; each block becomes the
    text of its output lines (``CsvLines``), in ``jobs`` worker processes when there are more
    than one (not with ``--save``: its spool is this process's). ``progress`` is called after
    each block.
    The output is the same byte for byte as ``run``'s (tests/test_batch.py compares them),
    except that columns with the same name each keep their own value (a record's fields can
    hold only one)."""
    lines = CsvLines(source, assessor, writer, keep)
    blocks = _blocks(source, progress)
    # The first block is read here: workers forked after it start with what it taught the
    # memos, instead of each learning it again (and a file of one block needs none).
    first = map(lines, itertools.islice(blocks, 1))
    with contextlib.closing(in_order(lines, blocks, 1 if keep else jobs)) as results:
        for text, part in itertools.chain(first, results):
            writer.out.write(text)
            summary.merge(part)
    return summary


def _blocks(
    source: CsvSource, progress: Callable[[], None] | None
) -> Iterator[tuple[int, list[str]]]:
    for block in source.blocks():
        yield block
        if progress is not None:
            progress()


class _Written(NamedTuple):
    """What a block's lines become: the text of their output lines, their summary, and how
    each sound row was judged (``Judgement.tally``), counted into the summary at the end."""

    out: io.StringIO
    summary: Summary
    judged: list[tuple[str, str | None, tuple[str, ...]]]


class CsvLines:
    """A block of CSV lines → the text of their output lines, and their summary. Lean per row:
    a sound row is written from its own line (or cells) and the remembered text of its reading
    and of its verdicts, with no record built unless a treatment is unknown or ``--save`` needs
    one. Runs in this process and in forked workers alike (each fills its own memos)."""

    def __init__(
        self,
        source: CsvSource,
        assessor: Assessor,
        writer: Writer,
        keep: Callable[[Record, Outcome], Outcome] | None,
    ) -> None:
        self.source = source
        self.assessor = assessor
        self.writer = writer
        self.keep = keep
        header = source.header
        self.width = len(header)
        self.kept = [n for n, name in enumerate(header) if name not in assessor.columns]
        # A line is written as read when the CSV writer would write it so: every column is kept,
        # and no cell holds a quote or starts like a formula.
        self.whole = len(self.kept) == self.width
        starts = re.escape("".join(sorted(_FORMULA_START)))
        delimiter = re.escape(writer.delimiter)
        self.formula_cell = re.compile(f"{delimiter}[{starts}]").search
        # Most lines are sound rows of one line each: ``_lean`` writes them, with as little as
        # possible done per line.
        self.lean = self.whole and keep is None and self.width > 1

    def judged(self, row: list[str]) -> tuple[Reading, str | None]:
        """The reading of a sound row's symptoms, and its treatment verdicts as they are in a
        CSV line: "" for no treatment, None for a treatment that does not exist."""
        symptoms, _, treatment = self.source.columns
        reading = self.assessor.reading(row[symptoms])
        field = "" if treatment is None else row[treatment]
        return reading, self.assessor.verdicts_cell(reading.judgement, field) if field else ""

    def own_cells(self, row: list[str]) -> list[str]:
        """The row's cells that are written back: all but those replaced by results, and no
        extra blank field."""
        if self.whole and len(row) == self.width:
            return row
        return [row[n] for n in self.kept]

    def __call__(self, block: tuple[int, list[str]]) -> tuple[str, Summary]:
        first, lines = block
        written = _Written(io.StringIO(), Summary(), [])
        done = self._lean(first, lines, written) if self.lean else 0
        if done < len(lines):
            self._rows(first + done, lines[done:], written)
        summary = written.summary
        for (status, phase, red_flags), times in Counter(written.judged).items():
            summary.count(status, phase, red_flags, times)
        return written.out.getvalue(), summary

    def _lean(self, first: int, lines: list[str], written: _Written) -> int:
        """Write a block's sound rows of one line each as ``_rows`` writes them, with as little
        as possible done per line; hand every other record (a blank line, a row of too few or
        too many fields, one with an unknown treatment) to ``_rows``. How many lines are done:
        all, or those before a record that holds a quote and goes on past its line or is
        malformed (``_rows`` does the rest); none for a block ``_rows`` must read (a line past
        the field limit, or a byte that could not be decoded)."""
        text = "".join(lines)
        if len(text) > csv.field_size_limit() or not all_decoded(text):
            return 0
        assessor = self.assessor
        delimiter, width = self.writer.delimiter, self.width
        formula, formula_cell = _FORMULA_START, self.formula_cell
        symptoms, _, treatment = self.source.columns
        readings = assessor.readings.items
        known, used, read = readings.get, readings.move_to_end, assessor.new_reading
        verdicts_cell = assessor.verdicts_cell
        put, judged = written.out.write, written.judged.append
        for at, line in enumerate(lines, first):
            quoted = '"' in line
            if quoted:  # (read by the csv module, and written anew)
                try:
                    row = next(csv.reader((line,), delimiter=delimiter, strict=True))
                except csv.Error:
                    return at - first
            else:
                body = line.rstrip("\r\n")
                row = body.split(delimiter)
            if len(row) != width:
                self._rows(at, [line], written)
                continue
            if quoted or body[0] in formula or formula_cell(body):
                body = assessor.encode_cells(map(neutralise, row))
            # As ``Assessor.reading`` does, inline: this runs for almost every row.
            symptom_text = row[symptoms]
            reading = known(symptom_text)
            if reading is None:
                reading = read(symptom_text)
            else:
                used(symptom_text)
            judgement = reading.judgement
            if treatment is None or not (field := row[treatment]):
                cell: str | None = ""
            elif (cell := verdicts_cell(judgement, field)) is None:  # (an unknown treatment)
                self._rows(at, [line], written)
                continue
            put(
                f"{body}{delimiter}{reading.line}{delimiter}{cell}{delimiter}"
                f"{judgement.status}{delimiter}{delimiter}{at}\r\n"
            )
            judged(judgement.tally)
        return len(lines)

    def _rows(self, first: int, lines: list[str], written: _Written) -> None:
        """Write the records of whole lines (from ``rows_of``), any of them."""
        source, assessor, writer, keep = self.source, self.assessor, self.writer, self.keep
        whole, width, formula_cell = self.whole, self.width, self.formula_cell
        delimiter = writer.delimiter
        formula = _FORMULA_START
        out, summary, judged_rows = written
        put = out.write
        writerow = csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow
        judged = self.judged
        for at, row, problem, line in source.rows_of(first, lines):
            if problem is not None:
                record = error_record(at, problem)
                writerow(writer.csv_row(record, None))
                summary.add(record, None)
                continue
            reading, cell = judged(row)
            judgement = reading.judgement
            if cell is None or keep is not None:  # an unknown treatment, or --save
                record = source.record(at, row)
                outcome = assessor.assess(record)
                if keep is not None:
                    outcome = keep(record, outcome)
                summary.add(record, outcome)
                out_row: list[str | int] = [neutralise(v) for v in self.own_cells(row)]
                out_row += outcome.cells or writer.blank_cells
                out_row += (outcome.status, neutralise(error_of(record, outcome) or ""), at)
                writerow(out_row)
                continue
            if line is not None:
                line = line.rstrip("\r\n")
            if (
                not line
                or not whole
                or len(row) != width
                or '"' in line
                or line[0] in formula
                or formula_cell(line)
            ):
                line = assessor.encode_cells(map(neutralise, self.own_cells(row)))
            put(
                f"{line}{delimiter}{reading.line}{delimiter}{cell}{delimiter}"
                f"{judgement.status}{delimiter}{delimiter}{at}\r\n"
            )
            judged_rows.append(judgement.tally)


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
    jobs: int = 1  # worker processes for CSV to CSV


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
    keep: Callable[[Record, Outcome], Outcome] | None = None,
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
        update = None if progress is None else lambda: progress(source.bytes_read)
        if isinstance(source, CsvSource) and fmt_out is RecordFormat.csv:
            run_csv(source, assessor, writer, summary, update, keep, job.jobs)
        else:
            tick = None if update is None else _every(256, update)
            run(source, assessor, writer, summary, tick, keep)
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


# --- saving to the history (--save) --------------------------------------------------------------


class Spool:
    """The visits of a ``batch --save`` run, kept in a temporary file until the run is complete
    (memory stays flat), then stored in one transaction: all of them or none."""

    def __init__(self, assessor: Assessor, at: str) -> None:
        self.assessor = assessor
        self.at = at
        self.file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.count = 0
        info = assessor.kb.info
        self.knowledge = (info.name, info.version, info.hash)
        self.phases = [p.id for p in assessor.kb.phases]

    def keep(self, record: Record, outcome: Outcome) -> Outcome:
        """Spool the record's visit; a record without a client becomes an error row."""
        if outcome.status in ("error", "no_signal"):
            return outcome  # nothing to save, as check saves nothing then
        from fasewiel_cli.history import client_id

        try:
            if not (record.client or "").strip():
                raise FasewielError("no client: a visit is saved only with a client (--save)")
            client = client_id(record.client or "")
        except FasewielError as error:
            blank = self.assessor.blank_cells if self.assessor.csv else None
            return Outcome("error", None, (), error.message, self.assessor.blank, blank)
        count = len(self.phases)
        values = outcome.values
        shares = dict(zip(self.phases, values[3 : 3 + count], strict=True))
        row = {
            "client": client,
            "at": self.at,
            "input": record.symptoms,
            "signals": values[3 + count],
            "phase": values[0],
            "next_phase": values[1],
            "scores": shares,
            "red_flags": values[5 + count],
            "treatments": values[6 + count],
            "note": None,
            "lang": self.assessor.lang,
            "kb_name": self.knowledge[0],
            "kb_version": self.knowledge[1],
            "kb_hash": self.knowledge[2],
        }
        self.file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.count += 1
        return outcome

    def visits(self) -> Iterator[Any]:
        from fasewiel_cli.store import Visit

        self.file.seek(0)
        for line in self.file:
            yield Visit(**json.loads(line))

    def close(self) -> None:
        self.file.close()
