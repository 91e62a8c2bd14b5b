"""``fasewiel batch``: many intake records at once, with a progress bar and a summary on
stderr, and (``--save``) every visit into the history in one transaction."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from fasewiel_cli.cli.common import (
    DataOption,
    DbOption,
    LangOption,
    builtin,
    fail,
    format_option,
    handle_errors,
    load,
    number,
    output_option,
    resolve_lang,
    say,
    spoken,
    stderr_console,
)
from fasewiel_cli.cli.history import not_the_database
from fasewiel_cli.errors import FasewielError, said
from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.load import refusal
from fasewiel_cli.text import TerminalSafe, one_line

if TYPE_CHECKING:
    from fasewiel_cli.batch.records import Record
    from fasewiel_cli.batch.run import Assessor, Outcome, Summary
    from fasewiel_cli.knowledge.models import KnowledgeBase


class Delimiter(StrEnum):
    comma = ","
    semicolon = ";"
    tab = "tab"


def register(app: typer.Typer, only: str | None = None) -> None:
    """``batch`` on ``app`` (``only``: see ``app.build``)."""
    app.command()(batch)


@handle_errors
def batch(
    source: Annotated[
        str,
        typer.Argument(
            help="Intake records: a CSV, JSONL or JSON file, or '-' for standard input.",
            metavar="INPUT",
            show_default=False,
        ),
    ],
    output: Annotated[Path | None, output_option("results")] = None,
    from_: Annotated[
        Format | None,
        format_option("records", "Input format (default: from the file's extension).", "--from"),
    ] = None,
    to: Annotated[
        Format | None,
        format_option(
            "records", "Output format (default: from the --output extension, else jsonl).", "--to"
        ),
    ] = None,
    delimiter: Annotated[
        Delimiter | None,
        typer.Option(
            "--delimiter",
            help="CSV delimiter (default: detected from the header line).",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Encoding when the file has no BOM, e.g. cp1252 for Dutch Excel (default UTF-8).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
    ] = False,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Save each record's visit to its client's history: all or nothing (a record "
            "with an error, or without a client, saves none).",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=64,
            metavar="<n>",
            help="Worker processes that share the assessing (Linux; 1: none).",
        ),
    ] = 1,
    db: DbOption = None,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """Assess many intake records at once: one result per record, in order.

    Reads the columns symptoms (or symptomen), client (klant) and treatment (behandeling); all
    other columns pass through. Adds phase, next_phase, confidence, a share per phase, the
    matched signals, unrecognised words, red flags, treatment verdicts, status
    (ok, no_signal, red_flag, error), error and line. Exit 1 when any record has an error.

    A CSV or JSON Lines record is one line: a quote left open at the end of a line is an error
    at that line, never a record that takes in the lines after it. With --save, the visits are
    stored only when every record was read and assessed without an error: all or nothing.

    Examples:

      fasewiel batch intake.csv -o results.csv

      fasewiel batch klanten.csv --encoding cp1252 -o uitslag.csv

      cat intake.jsonl | fasewiel batch - --to csv > results.csv

      fasewiel batch visits.csv -o results.csv --save
    """
    from fasewiel_cli.batch.run import Assessor, Job, execute

    separator = (
        None if delimiter is None else "\t" if delimiter is Delimiter.tab else delimiter.value
    )
    # A spreadsheet in a language only when one is asked for (--lang, FASEWIEL_LANG): without,
    # a script's columns and values stay put whatever language the texts are in.
    header_lang = resolve_lang(lang) if lang is not None else None
    job = Job(source, output, from_, to, separator, encoding, jobs, header_lang)
    assessor = Assessor(load(data), resolve_lang(lang))
    # Without --lang or FASEWIEL_LANG, the language most of the first records are written in.
    choose = None if lang is not None else functools.partial(resolve_lang, None)
    spool = None
    if save:
        from fasewiel_cli.history.store import Store, default_path
        from fasewiel_cli.history.visits import now_utc

        path = db or default_path()
        not_the_database(output, path)
        Store.writing(path).close()  # a database that is not ours stops here, before the work
        spool = Spool(assessor, now_utc())
    elif db is not None:
        raise typer.BadParameter(
            "--db names where --save stores visits; add --save", param_hint="--db"
        )
    saved: list[int] = []  # filled the moment the visits are committed: saved, already there
    try:
        with batch_progress(job, quiet) as progress:
            keep = spool.keep if spool else None
            stdout: Any = TerminalSafe(sys.stdout) if sys.stdout.isatty() else sys.stdout
            summary = execute(job, assessor, sys.stdin.buffer, stdout, progress, keep, choose)
        kb = assessor.kb
        if spool is not None and summary.statuses["error"]:
            # All or nothing: a row that could not be read may be another client's visit.
            if not quiet:
                report(kb, summary, output)
            errors = summary.statuses["error"]
            key = "nothing_saved_error_one" if errors == 1 else "nothing_saved_errors"
            fail(
                say(kb, key, errors=errors, records=summary.records),
                hint=say(kb, "nothing_saved_hint"),
            )
        if spool is not None:
            save_spool(spool, path, saved)
    except (KeyboardInterrupt, FasewielError):
        if spool is not None:
            # Once the transaction committed, the visits are saved, whatever came after.
            kb = assessor.kb
            told = say(kb, "saved_before_stop", count=saved[0]) if saved else None
            nothing = say(kb, "nothing_saved")
            stderr_console().print(told or nothing, style="bold", markup=False, soft_wrap=True)
        raise
    finally:
        if spool is not None:
            spool.close()
    if saved and not quiet:
        told = say(kb, "saved_visits", count=saved[0], path=path)
        if saved[1]:
            told += " · " + say(kb, "already_saved", count=saved[1])
        stderr_console().print(told, style="dim", markup=False, soft_wrap=True)
    if not quiet:
        report(kb, summary, output)
    if summary.statuses["error"]:
        raise typer.Exit(1)


def save_spool(spool: Any, path: Path, saved: list[int]) -> None:
    """A batch's visits into the history, in one transaction; ``saved`` gets how many, and how
    many were there already."""
    from fasewiel_cli.history.store import Store

    store = Store.writing(path)
    try:
        store.add(spool.visits())
    finally:
        if store.saved or store.skipped:
            saved += [store.saved, store.skipped]
        # Closing checkpoints the WAL, which may take a moment: the visits are saved already,
        # so an interrupt here must not make it look otherwise.
        with contextlib.suppress(KeyboardInterrupt):
            store.close()


@contextlib.contextmanager
def batch_progress(job: Any, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr, only when stderr is a terminal (never on stdout)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    total = None if job.source == "-" else Path(job.source).stat().st_size
    # Rich would otherwise capture what is written to stdout and print it on its own console.
    stderr = stderr_console()
    # Refreshed from here, not from a thread of Rich's: worker processes are forked only while
    # this process runs no other thread (see workers.py).
    with Progress(
        console=stderr,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        auto_refresh=False,
    ) as bar:
        task = bar.add_task(say(builtin(), "progress"), total=total)
        shown = 0.0

        def update(done: int) -> None:
            nonlocal shown
            bar.update(task, completed=done)
            if (now := time.monotonic()) - shown >= 0.1:
                bar.refresh()
                shown = now

        yield update


def report(kb: KnowledgeBase, summary: Summary, output: Path | None) -> None:
    """The summary of a batch run, on stderr, in the run's language: phases and red flags by
    name."""
    from rich.text import Text

    console = stderr_console()

    def line(text: str, style: str = "") -> None:
        console.print(Text(text, style=style), soft_wrap=True)

    def counted(pairs: Iterable[tuple[str, int]]) -> str:
        return " · ".join(f"{name} {number(kb, n)}" for name, n in pairs)

    where = f" → {output}" if output else ""
    line(
        say(
            kb,
            "summary_one" if summary.records == 1 else "summary",
            count=summary.records,
            output=where,
        ),
        "bold",
    )
    statuses = [
        (say(kb, f"status_{status}"), summary.statuses[status])
        for status in ("ok", "no_signal", "red_flag", "error")
    ]
    line(f"  {say(kb, 'summary_status')}: {counted(statuses)}")
    if summary.phases:
        phases = [(_name(kb.phase, p), n) for p, n in summary.phases.items()]
        line(f"  {say(kb, 'summary_phases')}: {counted(phases)}")
    if summary.red_flags:
        flags = [(_name(kb.red_flag, f), n) for f, n in summary.red_flags.most_common()]
        line(f"  {say(kb, 'summary_red_flags')}: {counted(flags)}", "red")
    if summary.unknown:
        unknown = counted(summary.unknown.most_common(10))
        if summary.unknown_left:
            unknown += " " + say(kb, "more_at_least", count=len(summary.unknown) - 10 + 1)
        elif len(summary.unknown) > 10:
            unknown += " " + say(kb, "more", count=len(summary.unknown) - 10)
        line(f"  {say(kb, 'summary_unknown_treatments')}: {unknown}")
    for message in summary.errors:
        line(f"  {say(kb, 'summary_error')}: {one_line(kb.say(message, spoken()))}", "red")
    if summary.statuses["error"] > len(summary.errors):
        more = summary.statuses["error"] - len(summary.errors)
        line(f"  {say(kb, 'summary_more_errors', count=more)}")
    if summary.replaced:
        line(f"  {say(kb, 'summary_replaced', names=', '.join(summary.replaced))}")


def _name(find: Callable[[str], Any], item_id: str) -> str:
    """An item's name in the spoken language (its id, when the knowledge base has no such item)."""
    try:
        name: str = find(item_id).name.get(spoken())
    except KeyError:
        return item_id
    return name


# --- saving to the history (--save) --------------------------------------------------------------


class Spool:
    """The visits of a ``batch --save`` run, kept in a temporary file until the run is complete
    (memory stays flat), then stored in one transaction: all of them or none."""

    def __init__(self, assessor: Assessor, at: str) -> None:
        self.assessor = assessor
        self.at = at  # (a visit without a date of its own is saved at the run's time)
        self.now = datetime.now(UTC)
        self.file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.count = 0
        info = assessor.kb.info
        self.knowledge = (info.name, info.version, info.hash)
        self.phases = [p.id for p in assessor.kb.phases]

    def keep(self, record: Record, outcome: Outcome) -> Outcome:
        """Spool the record's visit, with its date and note when the input has them; a record
        without a client, or with a date or note that cannot be saved, becomes an error row."""
        if outcome.status in ("error", "no_signal"):
            return outcome  # nothing to save, as check saves nothing then
        from fasewiel_cli.batch.records import SAVED_ROLES, fields_by_role, same_fields
        from fasewiel_cli.history.visits import check_note, client_id, visit_at

        if record.cells is None:  # (a JSON record's "client" and "klant"; a CSV header's, once)
            same = same_fields(fields_by_role(record.fields), SAVED_ROLES)
            if same:
                return self.assessor.failed(said("same_fields", fields=", ".join(same)))
        try:
            if not (record.client or "").strip():
                return self.assessor.failed(said("no_client"))
            client = client_id(record.client or "")
            at = self.at if _blank(record.date) else visit_at(_text(record.date, "date"), self.now)
            note = None if _blank(record.note) else check_note(_text(record.note, "note"))
        except FasewielError as error:  # (these say what is wrong in any language: ``said``)
            why = error.said or said("plain", text=error.message)
            if error.hint_said is not None:
                why = said("with_hint", message=why, hint=error.hint_said)
            return self.assessor.failed(why)
        values = dict(zip(self.assessor.columns[:-2], outcome.values, strict=True))
        row = {
            "client": client,
            "at": at,
            "input": record.symptoms,
            "signals": values["matched"],
            "phase": values["phase"],
            "next_phase": values["next_phase"],
            "scores": {p: values[f"share_{p}"] for p in self.phases},
            "red_flags": values["red_flags"],
            "treatments": values["treatments"],
            "note": note,
            "lang": self.assessor.lang,
            "kb_name": self.knowledge[0],
            "kb_version": self.knowledge[1],
            "kb_hash": self.knowledge[2],
        }
        self.file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.count += 1
        return outcome

    def visits(self) -> Iterator[Any]:
        from fasewiel_cli.history.store import Visit

        self.file.seek(0)
        for line in self.file:
            yield Visit(**json.loads(line))

    def close(self) -> None:
        self.file.close()


def _blank(value: Any) -> bool:
    """No value: a field the input lacks, or an empty (or white) cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, field: str) -> str:
    """A field's value as text: a JSON record's number or list is no date or note."""
    if isinstance(value, str):
        return value
    if field == "date":
        shown = json.dumps(value)[:40]
        raise refusal(said("date_none", text=shown), said("date_hint"))
    raise refusal(said("field_not_text", field=field))
