"""The ``fasewiel`` command line: parses arguments, calls the pipeline, prints the result.

Commands stay thin. Data goes to stdout, messages to stderr; every ``FasewielError`` becomes one
red message and exit 1, a usage error exit 2, Ctrl-C exit 130.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from fasewiel_cli.errors import FasewielError
from fasewiel_cli.formats import CardFormat, Format, Paper, RecordFormat
from fasewiel_cli.knowledge.models import Lang as LangCode
from fasewiel_cli.render import Renderer, renderer_for
from fasewiel_cli.text import TerminalSafe, for_terminal, one_line, shown
from fasewiel_cli.version import __version__

if TYPE_CHECKING:
    from fasewiel_cli.engine.advice import Advice
    from fasewiel_cli.knowledge.models import KnowledgeBase

app = typer.Typer(
    name="fasewiel",
    help="A phase advisor for skin care, after the fasewiel of 'De huid als boodschapper'.\n\n"
    "Tell it what your skin shows; it names the phase of the wheel (Reset, Activate, Repair, "
    "Radiance, Sustain), explains why, and gives the care plan for that phase. Professionals "
    "assess intake files, check treatments and keep client histories; educators print "
    "reference cards.",
    epilog="Examples:\n\n"
    "fasewiel check roodheid jeuk\n\n"
    'fasewiel check "my skin is dull and feels tight" --lang en\n\n'
    "fasewiel check          (on a terminal, without words: a guided intake)\n\n"
    "fasewiel card --lang en -o cards.pdf\n\n"
    "fasewiel check rood --client anna --save; fasewiel history anna\n\n"
    "fasewiel data init mijn-kennis",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


class Delimiter(StrEnum):
    comma = ","
    semicolon = ";"
    tab = "tab"


class Topic(StrEnum):
    """The card topics, in the order ``fasewiel card`` prints them (cards.TOPICS)."""

    reset = "reset"
    activate = "activate"
    repair = "repair"
    radiance = "radiance"
    sustain = "sustain"
    wheel = "wheel"
    messengers = "messengers"
    nervous_system = "nervous-system"


class IngredientFormat(StrEnum):
    rich = "rich"
    text = "text"
    markdown = "markdown"
    json = "json"


# What an --output file's extension says about its format, when --format is not given.
CARD_SUFFIXES = {
    ".html": CardFormat.html,
    ".htm": CardFormat.html,
    ".svg": CardFormat.svg,
    ".pdf": CardFormat.pdf,
    ".md": CardFormat.markdown,
    ".markdown": CardFormat.markdown,
    ".txt": CardFormat.text,
}


class PhaseId(StrEnum):
    reset = "reset"
    activate = "activate"
    repair = "repair"
    radiance = "radiance"
    sustain = "sustain"


LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        "-l",
        envvar="FASEWIEL_LANG",
        case_sensitive=False,
        show_default=False,
        help="Language of the advice: nl or en. Default: $FASEWIEL_LANG, then the language the "
        "symptoms are clearly written in (check, batch), then the locale, then nl.",
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="FASEWIEL_DATA",
        show_default=False,
        help="Use the knowledge base in this folder instead of the built-in one.",
    ),
]


def file_path(value: str) -> Path:
    """A path that must name a file: not a folder, and not a name ending in a slash (which
    ``Path`` would quietly drop, writing a file where the user meant a folder)."""
    path = Path(value)
    if path.is_dir():
        raise typer.BadParameter(f"'{value}' is a folder, not a file: add a file name")
    if value.endswith(("/", os.sep)):
        raise typer.BadParameter(f"'{value}' names a folder, not a file: add a file name")
    return path


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        parser=file_path,
        metavar="<file>",
        help="The history database (default: $FASEWIEL_HOME/fasewiel.db, else the user data "
        "folder).",
        show_default=False,
    ),
]


def output_option(what: str) -> Any:
    """``-o FILE``: where a command writes ``what`` instead of standard output."""
    return typer.Option(
        "--output",
        "-o",
        parser=file_path,
        metavar="<file>",
        help=f"Write the {what} to this file (atomically) instead of standard output.",
        show_default=False,
    )


F = TypeVar("F", bound=Callable[..., None])


def handle_errors(command: F) -> F:
    """Turn the project's own errors into a message and exit 1, and Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except FasewielError as error:
            fail(error.message, error.hint)
        except BrokenPipeError:
            raise  # the reader left (``| head``): handled quietly in main()
        except OSError as error:
            # The safety net for what the system refuses (a full disk, a vanished folder).
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or error}{where}")
        except KeyboardInterrupt as interrupt:
            sys.stderr.write("\n")
            raise typer.Exit(interrupted(interrupt)) from None

    wrapper.__doc__ = reflow(command.__doc__ or "")
    return wrapper  # type: ignore[return-value]


def reflow(doc: str) -> str:
    """A docstring's prose paragraphs as single lines, so that ``--help`` wraps them to the
    terminal instead of keeping the source's line breaks; indented examples stay as they are."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        p if p.startswith(" ") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def fail(message: str, hint: str | None = None, code: int = 1) -> NoReturn:
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    # soft_wrap: a file:line:column message must stay on one line to stay clickable/greppable.
    console.print(Text.assemble(("Error: ", "bold red"), shown(message)), soft_wrap=True)
    if hint:
        console.print(Text.assemble(("Hint: ", "bold"), shown(hint)), soft_wrap=True)
    raise typer.Exit(code)


def resolve_lang(lang: Lang | None, found: LangCode | None = None) -> LangCode:
    """--lang, then $FASEWIEL_LANG (handled by the option), then ``found``: the language the
    user's own words are clearly in (check, batch), then the locale, then Dutch."""
    if lang is not None:
        return "en" if lang is Lang.en else "nl"
    if found is not None:
        return found
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "nl"
    return "nl"


def emit(text: str, *, styled: bool = False) -> None:
    """``text`` to stdout. On a terminal, control characters a text may hold (typed by a user,
    kept in a file) are written as escapes, so they cannot drive it; ``styled`` text is Rich's
    own, which escapes what it draws itself."""
    if not styled and sys.stdout.isatty():
        text = for_terminal(text)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (``| head``): handled quietly in main()
    except OSError as error:
        raise FasewielError(f"cannot write the output: {error.strerror}") from None


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def renderer(fmt: Format) -> Renderer:
    width = shutil.get_terminal_size((100, 24)).columns
    return renderer_for(fmt, width=width, color=sys.stdout.isatty())


def load(data: Path | None) -> KnowledgeBase:
    from fasewiel_cli.knowledge.load import load_knowledge

    return load_knowledge(data)


def read_symptoms(symptoms: list[str]) -> str:
    """The words, with ``-`` replaced by what arrives on standard input."""
    parts = []
    for word in symptoms:
        if word == "-":
            raw = sys.stdin.buffer.read()
            try:
                parts.append(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise FasewielError(
                    "standard input is not UTF-8 text", hint="save or convert the text as UTF-8"
                ) from None
        else:
            parts.append(word)
    return " ".join(parts)


def _version(value: bool) -> None:
    if value:
        emit(f"fasewiel {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A phase advisor for skin care, after the fasewiel of 'De huid als boodschapper'."""


@app.command()
@handle_errors
def check(
    symptoms: Annotated[
        list[str] | None,
        typer.Argument(
            help="What the skin shows, as words or one sentence, Dutch or English; "
            "'-' reads the text from standard input.",
            metavar="SYMPTOMS",
            show_default=False,
        ),
    ] = None,
    treatment: Annotated[
        list[str] | None,
        typer.Option(
            "--treatment",
            "-t",
            help="A planned treatment to check against the phase (repeatable).",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Ask the guided intake questions (the default without symptoms on a terminal).",
        ),
    ] = False,
    client: Annotated[
        str | None,
        typer.Option(
            "--client", "-c", help="The client this visit is for (with --save).", show_default=False
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Save this visit to the client's history.")
    ] = False,
    note: Annotated[
        str | None,
        typer.Option("--note", help="A note to save with the visit.", show_default=False),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = Format.rich,
    data: DataOption = None,
) -> None:
    """Assess what the skin shows: the phase, why, and the care plan.

    Dutch and English words are both understood, in everyday forms ("rode wangen", "itchy"), with
    small typos forgiven and negation honoured ("geen jeuk"). Warning signs that belong with a
    doctor come first.

    Without symptoms, on a terminal (or with --interactive), a guided intake asks instead: safety
    first, then what you see, then at most three follow-up questions; the advice is the same.

    Examples:

      fasewiel check roodheid jeuk

      fasewiel check "mijn huid is rood en jeukt, geen schilfers"

      fasewiel check "fine lines and loss of firmness" --lang en --treatment microneedling

      echo "vale teint en dof" | fasewiel check - --format json

      fasewiel check            (on a terminal: the guided intake)

      fasewiel check "vale teint" --client anna --save --note "na de zomer"
    """
    from fasewiel_cli.engine.advice import check as assess_text
    from fasewiel_cli.language.lexicon import detect_language

    if not symptoms and not (interactive or sys.stdin.isatty()):
        raise typer.BadParameter(
            "no symptoms given. Pass them as words (fasewiel check roodheid jeuk), '-' to read "
            "them from standard input, or run on a terminal for the guided intake.",
            param_hint="SYMPTOMS",
        )
    keeper = history_keeper(client, save, note, db)
    kb = load(data)
    planned = treatment or ()
    if symptoms:
        text = read_symptoms(symptoms)
        code = resolve_lang(lang, detect_language(kb.lexicon, text))
        advice = assess_text(text, lang=code, treatments=planned, kb=kb)
    else:
        code = resolve_lang(lang)
        from fasewiel_cli.cli.interview import Interview

        if planned:  # an unknown treatment is said before the questions, not after them
            assess_text("", lang=code, treatments=planned, kb=kb)
        answers = Interview(kb, code, sys.stdin.readline, stderr_console()).run()
        advice = assess_text(
            answers.text, lang=code, treatments=planned, kb=kb, flags=answers.flags
        )
    if advice.phase is None and not advice.red_flags:
        if fmt is Format.json:
            emit(renderer(fmt).advice(advice))
        fail(*nothing_recognised(kb, advice))
    if keeper is not None:
        keeper(advice)
    emit(renderer(fmt).advice(advice), styled=fmt is Format.rich)


def history_keeper(
    client: str | None, save: bool, note: str | None, db: Path | None
) -> Callable[[Advice], None] | None:
    """With --save: checks the options and the database before the assessment, and returns
    what stores the visit after it."""
    if not save:
        if client is not None or note is not None:
            raise typer.BadParameter(
                "--client and --note are saved with --save; add it", param_hint="--save"
            )
        return None
    if client is None:
        raise typer.BadParameter(
            "--save needs the client: add --client NAME", param_hint="--client"
        )
    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import check_note, client_id, now_utc, visit_from_advice

    who, text = client_id(client), check_note(note)
    path = db or default_path()
    Store.writing(path).close()  # a database that is not ours stops here, before any question

    def keep(advice: Advice) -> None:
        with Store.writing(path) as store:
            store.add([visit_from_advice(advice, who, text, now_utc())])
        stderr_console().print(f"saved to the history of '{shown(who)}' ({path})", style="dim")

    return keep


def nothing_recognised(kb: KnowledgeBase, advice: Advice) -> tuple[str, str]:
    """The message and hint when no signal is left: in the advice's language, from the data."""
    from fasewiel_cli.engine.advice import fill

    lang = advice.lang
    message = advice.only_negated or kb.texts.no_signal.get(lang)
    hint = fill(kb.texts.no_signal_hint.get(lang), command="fasewiel signals")
    suggestions = list(dict.fromkeys(s for u in advice.unmatched for s in u.suggestions))
    if suggestions:
        hint = f"{kb.labels.did_you_mean.get(lang)}: {', '.join(suggestions[:5])}? {hint}"
    return message, hint


@app.command()
@handle_errors
def phases(
    lang: LangOption = None, fmt: FormatOption = Format.rich, data: DataOption = None
) -> None:
    """Show the wheel: the five phases with their signals, nervous-system state and core message.

    Example:  fasewiel phases --lang en --format markdown
    """
    from fasewiel_cli.engine.overview import phases_view

    emit(
        renderer(fmt).phases(phases_view(load(data), resolve_lang(lang))), styled=fmt is Format.rich
    )


@app.command()
@handle_errors
def signals(
    phase: Annotated[
        PhaseId | None,
        typer.Option("--phase", "-p", help="Only the signals of this phase.", show_default=False),
    ] = None,
    lang: LangOption = None,
    fmt: FormatOption = Format.rich,
    data: DataOption = None,
) -> None:
    """List every signal fasewiel recognises, with its Dutch and English words.

    Example:  fasewiel signals --phase reset
    """
    from fasewiel_cli.engine.overview import signals_view

    view = signals_view(load(data), resolve_lang(lang), phase.value if phase else None)
    emit(renderer(fmt).signals(view), styled=fmt is Format.rich)


@app.command()
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
        RecordFormat | None,
        typer.Option(
            "--from", help="Input format (default: from the file's extension).", show_default=False
        ),
    ] = None,
    to: Annotated[
        RecordFormat | None,
        typer.Option(
            "--to",
            help="Output format (default: from the --output extension, else jsonl).",
            show_default=False,
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
    from fasewiel_cli.batch.run import Assessor, Job, Spool, execute

    separator = (
        None if delimiter is None else "\t" if delimiter is Delimiter.tab else delimiter.value
    )
    job = Job(source, output, from_, to, separator, encoding, jobs)
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
    saved: list[int] = []  # filled the moment the visits are committed
    try:
        with batch_progress(job, quiet) as progress:
            keep = spool.keep if spool else None
            stdout: Any = TerminalSafe(sys.stdout) if sys.stdout.isatty() else sys.stdout
            summary = execute(job, assessor, sys.stdin.buffer, stdout, progress, keep, choose)
        if spool is not None and summary.statuses["error"]:
            # All or nothing: a row that could not be read may be another client's visit.
            if not quiet:
                report(summary, output)
            errors = summary.statuses["error"]
            fail(
                f"nothing was saved to the history: {errors:,} of {summary.records:,} records "
                "have an error",
                hint="fix the records named above (or leave them out) and run the batch again",
            )
        if spool is not None:
            save_spool(spool, path, saved)
    except (KeyboardInterrupt, FasewielError):
        if spool is not None:
            # Once the transaction committed, the visits are saved, whatever came after.
            said = f"{saved[0]:,} visits were saved" if saved else "nothing was saved"
            stderr_console().print(f"{said} to the history", style="bold")
        raise
    finally:
        if spool is not None:
            spool.close()
    if saved and not quiet:
        stderr_console().print(f"saved {saved[0]:,} visits to the history ({path})", style="dim")
    if not quiet:
        report(summary, output)
    if summary.statuses["error"]:
        raise typer.Exit(1)


def save_spool(spool: Any, path: Path, saved: list[int]) -> None:
    """A batch's visits into the history, in one transaction; ``saved`` gets how many."""
    from fasewiel_cli.history.store import Store

    store = Store.writing(path)
    try:
        store.add(spool.visits())
    finally:
        if store.saved:
            saved.append(store.saved)
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
    from rich.console import Console
    from rich.progress import Progress

    total = None if job.source == "-" else Path(job.source).stat().st_size
    # Rich would otherwise capture what is written to stdout and print it on its own console.
    stderr = Console(stderr=True)
    # Refreshed from here, not from a thread of Rich's: worker processes are forked only while
    # this process runs no other thread (see workers.py).
    with Progress(
        console=stderr,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("Assessing", total=total)
        shown = 0.0

        def update(done: int) -> None:
            nonlocal shown
            bar.update(task, completed=done)
            if (now := time.monotonic()) - shown >= 0.1:
                bar.refresh()
                shown = now

        yield update


def report(summary: Any, output: Path | None) -> None:
    """The summary of a batch run, on stderr."""
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    where = f" → {output}" if output else ""
    console.print(Text(f"fasewiel batch: {summary.records:,} records{where}", style="bold"))
    statuses = " · ".join(
        f"{s} {summary.statuses[s]:,}" for s in ("ok", "no_signal", "red_flag", "error")
    )
    console.print(Text(f"  status: {statuses}"))
    if summary.phases:
        phases = " · ".join(f"{p} {n:,}" for p, n in summary.phases.items())
        console.print(Text(f"  phases: {phases}"))
    if summary.red_flags:
        flags = " · ".join(f"{f} {n:,}" for f, n in summary.red_flags.most_common())
        console.print(Text(f"  red flags: {flags}", style="red"))
    for message in summary.errors:
        console.print(Text(f"  error: {one_line(message)}", style="red"), soft_wrap=True)
    if summary.statuses["error"] > len(summary.errors):
        console.print(
            Text(f"  … and {summary.statuses['error'] - len(summary.errors):,} more errors")
        )
    if summary.replaced:
        names = ", ".join(summary.replaced)
        console.print(Text(f"  note: input columns replaced by this run's results: {names}"))


@app.command()
@handle_errors
def card(
    topics: Annotated[
        list[Topic] | None,
        typer.Argument(
            help="Which cards: a phase, wheel, messengers or nervous-system. Default: all, "
            "in that order.",
            metavar="TOPIC",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        CardFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="Output format. Default: from the --output extension, else rich.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Path | None, output_option("cards")] = None,
    paper: Annotated[
        Paper,
        typer.Option("--paper", case_sensitive=False, help="Page size for html and pdf."),
    ] = Paper.a5,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """Print reference cards: one per phase, the wheel, the messengers, the nervous system.

    The same knowledge base as the advice, in Dutch or English. html and pdf print one card per
    page; svg is a picture for slides; markdown is for wikis and handouts.

    Examples:

      fasewiel card reset

      fasewiel card --lang en -o cards.pdf

      fasewiel card wheel messengers --format html --paper a4 -o handout.html

      fasewiel card --format markdown > fasewiel.md
    """
    from fasewiel_cli.engine.cards import build_cards
    from fasewiel_cli.render import card_renderer_for

    if fmt is None:
        fmt = card_format_for(output)
    if fmt is CardFormat.pdf and output is None and sys.stdout.isatty():
        fail(
            "a PDF is binary and would garble the terminal",
            hint="write it to a file: fasewiel card --format pdf -o cards.pdf",
            code=2,
        )
    code = resolve_lang(lang)
    cards = build_cards(load(data), code, [t.value for t in topics or ()])
    width = shutil.get_terminal_size((100, 24)).columns
    colour = output is None and sys.stdout.isatty()
    result = card_renderer_for(fmt, paper=paper.value, lang=code, width=width, color=colour).cards(
        cards
    )
    write_output(result, output, styled=fmt is CardFormat.rich)


def card_format_for(output: Path | None) -> CardFormat:
    """The format an ``-o`` file's extension asks for: rich without a file or an extension."""
    if output is None or not output.suffix:
        return CardFormat.rich
    found = CARD_SUFFIXES.get(output.suffix.lower())
    if found is None:
        known = ", ".join(dict.fromkeys(CARD_SUFFIXES))
        raise typer.BadParameter(
            f"cannot tell the format from '{output.suffix}' (known: {known}); add --format",
            param_hint="--output",
        )
    return found


def write_output(result: str | bytes, output: Path | None, *, styled: bool = False) -> None:
    """``result`` to the file ``output`` (atomically, readable like any new file) or stdout."""
    from fasewiel_cli.files import atomic_bytes, atomic_text

    if output is None:
        if isinstance(result, bytes):
            try:
                sys.stdout.buffer.write(result)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                raise
            except OSError as error:
                raise FasewielError(f"cannot write the output: {error.strerror}") from None
        else:
            emit(result, styled=styled)
        return
    if isinstance(result, bytes):
        with atomic_bytes(output, private=False) as binary:
            binary.write(result)
    else:
        with atomic_text(output, private=False) as text:
            text.write(result)


@app.command()
@handle_errors
def ingredient(
    name: Annotated[
        str | None,
        typer.Argument(
            help="An ingredient, in Dutch or English (typos forgiven). Default: the glossary "
            "of all ingredients.",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        IngredientFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="Output format."),
    ] = IngredientFormat.rich,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """Look up an ingredient: the phases that use it and its role in each.

    Without NAME, the glossary of every ingredient. A name may be Dutch or English
    ("hyaluronzuur", "hyaluronic acid") and have a small typo.

    Examples:

      fasewiel ingredient

      fasewiel ingredient niacinamide

      fasewiel ingredient "hyaluronic acid" --lang en --format json
    """
    from fasewiel_cli.engine.cards import (
        glossary,
        glossary_to_dict,
        ingredient_card,
        ingredient_to_dict,
    )
    from fasewiel_cli.language.lookup import find
    from fasewiel_cli.render import card_renderer_for
    from fasewiel_cli.render.json import dumps

    if name is not None and not name.strip():
        raise typer.BadParameter(
            "the name is empty; leave it out for the whole glossary", param_hint="NAME"
        )
    kb = load(data)
    code = resolve_lang(lang)
    found = find("ingredient", kb.ingredients, name, code) if name else None
    if fmt is IngredientFormat.json:
        data_ = ingredient_to_dict(kb, code, found.id) if found else glossary_to_dict(kb, code)
        emit(dumps({"schema": 1, "lang": code, **data_}))
        return
    card = ingredient_card(kb, code, found.id) if found else glossary(kb, code)
    width = shutil.get_terminal_size((100, 24)).columns
    renderer_ = card_renderer_for(CardFormat(fmt.value), width=width, color=sys.stdout.isatty())
    emit(str(renderer_.cards([card])), styled=fmt is IngredientFormat.rich)


class HistoryFormat(StrEnum):
    rich = "rich"
    text = "text"
    json = "json"
    csv = "csv"


HistoryFormatOption = Annotated[
    HistoryFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format."),
]
ClientArgument = Annotated[str, typer.Argument(help="The client id.", show_default=False)]


def known_client(store: Any, client: str) -> str:
    """``client`` as stored (one form: spaces trimmed, accents composed); an unknown client is
    an error naming near ones."""
    from fasewiel_cli.history.visits import client_id

    who = client_id(client)
    if store.count(who):
        return who
    raise unknown_client(store, who)


def unknown_client(store: Any, client: str) -> FasewielError:
    from rapidfuzz import fuzz, process

    ids = store.client_ids()
    near = [
        match
        for match, _, _ in process.extract(
            client, ids, scorer=fuzz.WRatio, processor=str.casefold, score_cutoff=80, limit=3
        )
    ]
    hint = (
        f"did you mean: {', '.join(shown(n) for n in near)}?"
        if near
        else "fasewiel clients list shows the clients in the history"
    )
    return FasewielError(f"unknown client '{shown(client)}'", hint=hint)


def not_the_database(output: Path | None, db: Path) -> None:
    """Refuse an output file that is the history database (or its -wal/-shm file)."""
    if output is None:
        return
    from fasewiel_cli.batch.run import same_file

    for part in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if same_file(output, part):
            raise typer.BadParameter(
                f"{output} is the history database; writing there would destroy it",
                param_hint="--output",
            )


@app.command()
@handle_errors
def history(
    client: ClientArgument,
    fmt: HistoryFormatOption = HistoryFormat.rich,
    db: DbOption = None,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """Show a client's visits: the trajectory around the wheel, what changed, when to check.

    Visits are saved with check --client NAME --save, or batch --save. The re-check reminder
    follows knowledge.yaml (recheck: Sustain's seizoenscheck, about every three months).

    Examples:

      fasewiel history anna

      fasewiel history anna --format json
    """
    from datetime import UTC, datetime

    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import history_blocks, history_csv, history_to_dict

    with Store.reading(db or default_path()) as store:
        client = known_client(store, client)
        visits = store.visits(client)
    if fmt is HistoryFormat.csv:
        emit(history_csv(client, visits))
        return
    kb = load(data)
    code = resolve_lang(lang)
    today = datetime.now(UTC).date()
    if fmt is HistoryFormat.json:
        from fasewiel_cli.render.json import dumps

        emit(dumps(history_to_dict(kb, code, client, visits, today)))
        return
    blocks = history_blocks(kb, code, client, visits, today)
    rendered = renderer(Format(fmt.value)).render(blocks)  # type: ignore[attr-defined]
    emit(rendered, styled=fmt is HistoryFormat.rich)


def command_group(name: str, help: str) -> typer.Typer:
    """A group of subcommands under ``fasewiel NAME``, with -h like every command."""
    group = typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(group)
    return group


clients_app = command_group(
    "clients", "The clients in the history: list them, export one (right of access), erase one."
)


@clients_app.command("list")
@handle_errors
def clients_list(
    fmt: HistoryFormatOption = HistoryFormat.rich,
    db: DbOption = None,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """One row per client: visits, the last phase and the last visit.

    Example:  fasewiel clients list --format csv
    """
    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import client_to_dict, clients_csv, clients_text

    with Store.reading(db or default_path()) as store:
        rows = store.clients()
    if fmt is HistoryFormat.json:
        from fasewiel_cli.render.json import dumps

        emit(dumps([client_to_dict(row) for row in rows]))
    elif fmt is HistoryFormat.csv:
        emit(clients_csv(rows))
    else:
        emit(clients_text(load(data), resolve_lang(lang), rows))


@clients_app.command("export")
@handle_errors
def clients_export(
    client: ClientArgument,
    output: Annotated[Path | None, output_option("export")] = None,
    db: DbOption = None,
) -> None:
    """Everything stored about a client, as JSON (the right of access).

    Example:  fasewiel clients export anna -o anna.json
    """
    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import export
    from fasewiel_cli.render.json import dumps

    path = db or default_path()
    not_the_database(output, path)
    with Store.reading(path) as store:
        client = known_client(store, client)
        text = dumps(export(client, store.rows(client)))
    if output is None:
        emit(text)
    else:
        from fasewiel_cli.files import atomic_text

        with atomic_text(output) as file:  # personal data: 0600
            file.write(text)


@clients_app.command("delete")
@handle_errors
def clients_delete(
    client: ClientArgument,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete without asking (needed off a terminal).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Erase every visit of a client, leaving no trace of it in the database files.

    Without --yes it asks on a terminal and refuses otherwise.

    Example:  fasewiel clients delete anna --yes
    """
    from fasewiel_cli.history.store import Store, default_path

    path = db or default_path()
    from fasewiel_cli.history.visits import client_id

    who = client_id(client)
    with Store.reading(path) as store:
        count = store.count(who)
        if not count:
            missing = unknown_client(store, who)
    if not count:
        if yes:
            # Perhaps an earlier delete could not finish its clean-up (another process held
            # the database): finish it now, then say the client is not there.
            with Store.writing(path) as store:
                store.compact()
        raise missing
    client = who
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter(
                "erasing needs confirmation: add --yes (or run on a terminal)", param_hint="--yes"
            )
        console = stderr_console()
        question = f"Erase all {count} visits of '{shown(client)}' from {path}? [y/N] "
        console.print(question, end="", markup=False)
        answer = sys.stdin.readline().strip().casefold()
        if answer not in ("y", "yes", "j", "ja"):
            console.print("nothing was deleted")
            raise typer.Exit(1)
    with Store.writing(path) as store:
        deleted = store.delete(client)
    emit(f"deleted {deleted} visits of '{shown(client)}'\n")


data_app = command_group(
    "data", "Make and check knowledge bases of your own (use one with --data or FASEWIEL_DATA)."
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@data_app.command("init")
@handle_errors
def data_init(
    folder: Annotated[
        str,
        typer.Argument(
            help="The folder to write the knowledge base into.",
            metavar="FOLDER",
            show_default=False,
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the knowledge-base files already there.")
    ] = False,
) -> None:
    """Copy the built-in knowledge base into FOLDER, to adapt it to your practice.

    Each file starts with a note on what it holds and how to extend it. Check your changes with
    fasewiel data validate FOLDER, then use them with --data FOLDER or FASEWIEL_DATA=FOLDER.

    Examples:

      fasewiel data init mijn-kennis

      fasewiel check "vuurrode wangen" --data mijn-kennis
    """
    from fasewiel_cli.knowledge.lint import init_folder

    if not folder.strip():  # (a Path would have made "" the current folder)
        raise typer.BadParameter("the folder name is empty", param_hint="FOLDER")
    written = init_folder(Path(folder), force=force)
    emit("".join(f"wrote {path}\n" for path in written))
    emit(f"next: edit the files, then run: fasewiel data validate {folder}\n")


@data_app.command("validate")
@handle_errors
def data_validate(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="A knowledge-base folder. Default: $FASEWIEL_DATA, else the built-in one.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="Output format."),
    ] = ReportFormat.text,
) -> None:
    """Check a knowledge base: every error and warning in one run, as file:line:column.

    Errors stop the knowledge base from loading; warnings point at what loads but will not work
    as meant (an ingredient no phase uses, words in one language only, a phase with few signals,
    a word that does not reach its signal). Exit 0 without errors, 1 with.

    Examples:

      fasewiel data validate mijn-kennis

      fasewiel data validate mijn-kennis --format json
    """
    from fasewiel_cli.knowledge.lint import validate_folder
    from fasewiel_cli.knowledge.load import builtin_data_dir

    if folder is None:
        env = os.environ.get("FASEWIEL_DATA", "").strip()
        folder = Path(env) if env else None
    report = (
        validate_folder(builtin_data_dir(), builtin=True)
        if folder is None
        else validate_folder(folder)
    )
    if fmt is ReportFormat.json:
        from fasewiel_cli.render.json import dumps

        emit(dumps(report.to_dict()))
    else:
        emit("".join(f"{problem}\n" for problem in report.problems))
        errors = f"{report.errors} error{'s' if report.errors != 1 else ''}"
        warnings = f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
        if report.info is not None and report.errors == 0:
            info = report.info
            emit(f"ok: {info.name} {info.version} ({info.hash[:12]}): {errors}, {warnings}\n")
        else:
            emit(f"not valid: {errors}, {warnings}\n")
    if report.errors:
        raise typer.Exit(1)


def only_the_command(args: list[str]) -> typer.Typer:
    """``app`` with just the command (or command group) ``args`` start with, when they start
    with one. Typer builds the parameters of every command at each start, and a run needs one:
    ``fasewiel check`` starts about 25 ms sooner. Anything else (``--help``, a typo, an option
    first) gets the whole app."""
    name = args[0] if args else ""
    commands = [
        command
        for command in app.registered_commands
        if name
        == (command.name or typer.main.get_command_name(getattr(command.callback, "__name__", "")))
    ]
    groups = [
        group  # (added by ``command_group``: named by its own Typer)
        for group in app.registered_groups
        if group.typer_instance is not None and name == group.typer_instance.info.name
    ]
    if not commands and not groups:
        return app
    pruned = copy.copy(app)
    pruned.registered_commands, pruned.registered_groups = commands, groups
    return pruned


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run stops as on Ctrl-C (a file being written is removed, nothing
    half-saved), with exit code 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminated(signum: int, frame: object) -> None:
    for name in _STOPPING:  # (a second signal must not cut the clean-up short)
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signum)


# The signals that stop a run as Ctrl-C does (SIGHUP is not on Windows).
_STOPPING = tuple(name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def interrupted(interrupt: KeyboardInterrupt) -> int:
    """The exit code of a run stopped by Ctrl-C (130) or by another signal."""
    return 128 + (interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT)


def main() -> None:
    """Console-script entry point."""
    for name in _STOPPING:
        signum = getattr(signal, name)
        if signal.getsignal(signum) is not signal.SIG_IGN:  # (nohup: ignored it stays)
            signal.signal(signum, _terminated)
    try:
        only_the_command(sys.argv[1:2])()
    except KeyboardInterrupt as interrupt:
        sys.exit(interrupted(interrupt))
    except BrokenPipeError:
        # The reader went away (``fasewiel signals | head``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
