"""``fasewiel check``, ``phases`` and ``signals``: one assessment, and the wheel it is made on.

The annotations are evaluated at import (no ``from __future__ import annotations``): Typer reads
every parameter's at each start, and would compile and evaluate each kept as text (~1.5% of a
``check``'s work). Names imported only for type checkers are quoted.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fasewiel_cli.cli.common import (
    DataOption,
    DbOption,
    LangOption,
    builtin,
    emit,
    fail,
    format_option,
    handle_errors,
    load,
    one_of,
    renderer,
    resolve_lang,
    say,
    stderr_console,
)
from fasewiel_cli.errors import said
from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.load import refusal
from fasewiel_cli.knowledge.models import PHASE_IDS
from fasewiel_cli.text import shown

if TYPE_CHECKING:
    from fasewiel_cli.engine.advice import Advice
    from fasewiel_cli.knowledge.models import KnowledgeBase


def register(app: typer.Typer, only: str | None = None) -> None:
    """This module's commands on ``app``: all of them, or ``only`` the one of that name."""
    for command in (check, phases, signals):
        if only in (None, command.__name__):
            app.command()(command)


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
    fmt: Annotated[Format, format_option("advice")] = Format.rich,
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
    from fasewiel_cli.language.lexicon import detect_language, lexicon_of

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
        code = resolve_lang(lang, detect_language(lexicon_of(kb), text))
        advice = assess_text(text, lang=code, treatments=planned, kb=kb)
    else:
        code = resolve_lang(lang)
        from fasewiel_cli.cli.interview import Interview

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
) -> "Callable[[Advice], None] | None":
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

    def keep(advice: "Advice") -> None:
        with Store.writing(path) as store:
            store.add([visit_from_advice(advice, who, text, now_utc())], again=True)
        told = say(builtin(), "saved_visit", advice.lang, client=shown(who), path=path)
        stderr_console().print(told, style="dim", markup=False, soft_wrap=True)

    return keep


def nothing_recognised(kb: "KnowledgeBase", advice: "Advice") -> tuple[str, str]:
    """The message and hint when no signal is left: in the advice's language, from the data."""
    from fasewiel_cli.engine.advice import fill

    lang = advice.lang
    message = advice.only_negated or kb.texts.no_signal.get(lang)
    if advice.unmatched:  # (what was not understood is said, never dropped)
        words = ", ".join(u.text for u in advice.unmatched[:10])
        more = " …" if len(advice.unmatched) > 10 else ""
        message = f"{message} {kb.labels.unrecognised.get(lang)}: {words}{more}."
    hint = fill(kb.texts.no_signal_hint.get(lang), command="fasewiel signals")
    suggestions = list(dict.fromkeys(s for u in advice.unmatched for s in u.suggestions))
    if suggestions:
        hint = f"{kb.labels.did_you_mean.get(lang)}: {', '.join(suggestions[:5])}? {hint}"
    return message, hint


@handle_errors
def phases(
    lang: LangOption = None,
    fmt: Annotated[Format, format_option("advice")] = Format.rich,
    data: DataOption = None,
) -> None:
    """Show the wheel: the five phases with their signals, nervous-system state and core message.

    Example:  fasewiel phases --lang en --format markdown
    """
    from fasewiel_cli.engine.overview import phases_view

    emit(
        renderer(fmt).phases(phases_view(load(data), resolve_lang(lang))), styled=fmt is Format.rich
    )


@handle_errors
def signals(
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase",
            "-p",
            **one_of(PHASE_IDS),
            help="Only the signals of this phase.",
            show_default=False,
        ),
    ] = None,
    lang: LangOption = None,
    fmt: Annotated[Format, format_option("advice")] = Format.rich,
    data: DataOption = None,
) -> None:
    """List every signal fasewiel recognises, with its Dutch and English words.

    Example:  fasewiel signals --phase reset
    """
    from fasewiel_cli.engine.overview import signals_view

    view = signals_view(load(data), resolve_lang(lang), phase)
    emit(renderer(fmt).signals(view), styled=fmt is Format.rich)


def read_symptoms(symptoms: list[str]) -> str:
    """The words, with ``-`` replaced by what arrives on standard input."""
    parts = []
    for word in symptoms:
        if word == "-":
            raw = sys.stdin.buffer.read()
            try:
                parts.append(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise refusal(said("stdin_not_utf8"), said("stdin_not_utf8_hint")) from None
        else:
            parts.append(word)
    return " ".join(parts)
