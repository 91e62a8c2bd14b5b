"""The ``fasewiel`` command line: parses arguments, calls the pipeline, prints the result.

Commands stay thin. Data goes to stdout, messages to stderr; every ``FasewielError`` becomes one
red message and exit 1, a usage error exit 2, Ctrl-C exit 130.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from fasewiel_cli import __version__
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.models import Lang as LangCode
from fasewiel_cli.render import Format, renderer_for

app = typer.Typer(
    name="fasewiel",
    help="A phase advisor for skin care, after the fasewiel of 'De huid als boodschapper'.\n\n"
    "Tell it what your skin shows; it names the phase of the wheel (Reset, Activate, Repair, "
    "Radiance, Sustain), explains why, and gives the care plan for that phase.",
    epilog="Examples:\n\n"
    "fasewiel check roodheid jeuk\n\n"
    'fasewiel check "my skin is dull and feels tight" --lang en\n\n'
    "fasewiel phases\n\n"
    "fasewiel signals --phase repair",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


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
        show_default=False,
        help="Language of the advice: nl or en. Default: $FASEWIEL_LANG, then the locale, then nl.",
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
        exists=True,
        file_okay=False,
        help="Use the knowledge base in this folder instead of the built-in one.",
    ),
]

F = TypeVar("F", bound=Callable[..., None])


def handle_errors(command: F) -> F:
    """Turn the project's own errors into a message and exit 1, and Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except FasewielError as error:
            fail(error.message, error.hint)
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def fail(message: str, hint: str | None = None, code: int = 1) -> NoReturn:
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    # soft_wrap: a file:line:column message must stay on one line to stay clickable/greppable.
    console.print(Text.assemble(("Error: ", "bold red"), message), soft_wrap=True)
    if hint:
        console.print(Text.assemble(("Hint: ", "bold"), hint), soft_wrap=True)
    raise typer.Exit(code)


def resolve_lang(lang: Lang | None) -> LangCode:
    """--lang, then $FASEWIEL_LANG (handled by the option), then the locale, then Dutch."""
    if lang is not None:
        return "en" if lang is Lang.en else "nl"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "nl"
    return "nl"


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def renderer(fmt: Format) -> Any:
    width = shutil.get_terminal_size((100, 24)).columns
    return renderer_for(fmt, width=width, color=sys.stdout.isatty())


def load(data: Path | None) -> Any:
    from fasewiel_cli.knowledge import load_knowledge

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
    lang: LangOption = None,
    fmt: FormatOption = Format.rich,
    data: DataOption = None,
) -> None:
    """Assess what the skin shows: the phase, why, and the care plan.

    Examples:

      fasewiel check roodheid jeuk

      fasewiel check "mijn huid is rood en jeukt, geen schilfers"

      fasewiel check "fine lines and loss of firmness" --lang en --treatment microneedling

      echo "vale teint en dof" | fasewiel check - --format json
    """
    from fasewiel_cli.advice import advise
    from fasewiel_cli.lookup import find
    from fasewiel_cli.matching import match_text
    from fasewiel_cli.scoring import assess

    if not symptoms:
        raise typer.BadParameter(
            "no symptoms given. Pass them as words (fasewiel check roodheid jeuk) "
            "or '-' to read them from standard input.",
            param_hint="SYMPTOMS",
        )
    kb = load(data)
    code = resolve_lang(lang)
    text = read_symptoms(symptoms)
    planned = [find("treatment", kb.treatments, name) for name in treatment or ()]
    advice = advise(kb, assess(kb, match_text(kb.lexicon, text)), code, planned)
    if advice.phase is None and not advice.red_flags:
        if fmt is Format.json:
            emit(renderer(fmt).advice(advice))
        suggestions = sorted({s for u in advice.unmatched for s in u.suggestions})
        hint = kb.texts.no_signal_hint.get(code).replace("{command}", "fasewiel signals")
        if suggestions:
            hint = f"{kb.labels.did_you_mean.get(code)}: {', '.join(suggestions)}? {hint}"
        fail(kb.texts.no_signal.get(code), hint)
    emit(renderer(fmt).advice(advice))


@app.command()
@handle_errors
def phases(
    lang: LangOption = None, fmt: FormatOption = Format.rich, data: DataOption = None
) -> None:
    """Show the wheel: the five phases with their signals, nervous-system state and core message.

    Example:  fasewiel phases --lang en --format markdown
    """
    from fasewiel_cli.overview import phases_view

    emit(renderer(fmt).phases(phases_view(load(data), resolve_lang(lang))))


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
    from fasewiel_cli.overview import signals_view

    view = signals_view(load(data), resolve_lang(lang), phase.value if phase else None)
    emit(renderer(fmt).signals(view))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (``fasewiel signals | head``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
