"""``fasewiel history`` and ``clients``: each client's visits, the client list, export (the
right of access) and erasure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from fasewiel_cli.cli.common import (
    DataOption,
    DbOption,
    LangOption,
    builtin,
    command_group,
    emit,
    format_option,
    handle_errors,
    load,
    output_option,
    renderer,
    resolve_lang,
    say,
    spoken,
    stderr_console,
)
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.formats import Format
from fasewiel_cli.text import shown


def register(app: typer.Typer, only: str | None = None) -> None:
    """``history`` and ``clients`` on ``app``: both, or ``only`` the one of that name."""
    if only in (None, "history"):
        app.command()(history)
    if only in (None, "clients"):
        app.add_typer(clients_app)


HistoryFormatOption = Annotated[Format, format_option("history")]
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
    kb = builtin()
    did_you_mean = kb.labels.did_you_mean.get(spoken())
    hint = (
        f"{did_you_mean}: {', '.join(shown(n) for n in near)}?"
        if near
        else say(kb, "unknown_client_hint")
    )
    return FasewielError(say(kb, "unknown_client", client=shown(client)), hint=hint)


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


@handle_errors
def history(
    client: ClientArgument,
    fmt: HistoryFormatOption = Format.rich,
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
    from datetime import date

    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import history_blocks, history_csv, history_to_dict

    code = resolve_lang(lang)  # (first: the language of its messages too)
    with Store.reading(db or default_path()) as store:
        client = known_client(store, client)
        visits = store.visits(client)
    kb = load(data)
    if fmt is Format.csv:
        emit_csv(history_csv(kb, code, client, visits))
        return
    today = date.today()  # (local: the reminder speaks of the client's days)
    if fmt is Format.json:
        from fasewiel_cli.render.json import dumps

        emit(dumps(history_to_dict(kb, code, client, visits, today)))
        return
    blocks = history_blocks(kb, code, client, visits, today)
    rendered = renderer(fmt).render(blocks)  # type: ignore[attr-defined]
    emit(rendered, styled=fmt is Format.rich)


clients_app = command_group(
    "clients", "The clients in the history: list them, export one (right of access), erase one."
)


@clients_app.command("list")
@handle_errors
def clients_list(
    fmt: HistoryFormatOption = Format.rich,
    db: DbOption = None,
    lang: LangOption = None,
    data: DataOption = None,
) -> None:
    """One row per client: visits, the last phase and the last visit.

    Example:  fasewiel clients list --format csv
    """
    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import client_to_dict, clients_csv, clients_text

    code = resolve_lang(lang)  # (first: the language of its messages too)
    with Store.reading(db or default_path()) as store:
        rows = store.clients()
    if fmt is Format.json:
        from fasewiel_cli.render.json import dumps

        emit(dumps([client_to_dict(row) for row in rows]))
    elif fmt is Format.csv:
        emit_csv(clients_csv(load(data), code, rows))
    else:
        emit(clients_text(load(data), code, rows))


@clients_app.command("export")
@handle_errors
def clients_export(
    client: ClientArgument,
    output: Annotated[Path | None, output_option("export")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Everything stored about a client, as JSON (the right of access).

    Example:  fasewiel clients export anna -o anna.json
    """
    from fasewiel_cli.history.store import Store, default_path
    from fasewiel_cli.history.visits import export
    from fasewiel_cli.render.json import dumps

    resolve_lang(lang)  # (the language of its messages)

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
    lang: LangOption = None,
) -> None:
    """Erase every visit of a client, leaving no trace of it in the database files.

    Without --yes it asks on a terminal and refuses otherwise.

    Example:  fasewiel clients delete anna --yes
    """
    resolve_lang(lang)  # (the language of its messages and its question)
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
        kb = builtin()
        question = say(kb, "delete_question", count=count, client=shown(client), path=path)
        console.print(question, end="", markup=False)
        answer = sys.stdin.readline().strip().casefold()
        if answer not in ("y", "yes", "j", "ja"):
            console.print(say(kb, "nothing_deleted"), markup=False)
            raise typer.Exit(1)
    with Store.writing(path) as store:
        deleted = store.delete(client)
    emit(say(builtin(), "deleted", count=deleted, client=shown(client)) + "\n")


def emit_csv(text: str) -> None:
    """CSV for a spreadsheet to stdout: its BOM (for Excel) only where no terminal shows it."""
    emit(text.removeprefix("\ufeff") if sys.stdout.isatty() else text)
