"""The ``fasewiel`` command line: the Typer app and its entry point.

Each command group lives in a module of its own (``check``, ``batch``, ``cards``, ``history``,
``data``) that registers its commands on the app. A run imports only the module of the command it
runs, and registers only that command (``build``): Typer builds the parameters of every
registered command at each start, and the other modules' imports would only cost time.
``--help``, a typo or an option first get them all.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from typing import Annotated, Any

import typer

from fasewiel_cli.cli.common import STOPPING, emit, interrupted, stop
from fasewiel_cli.version import __version__

# Command (or command group) → the module of ``fasewiel_cli.cli`` that registers it, in the
# order ``--help`` lists them.
COMMANDS = {
    "check": "check",
    "phases": "check",
    "signals": "check",
    "batch": "batch",
    "card": "cards",
    "ingredient": "cards",
    "history": "history",
    "clients": "history",
    "data": "data",
}


def _version(value: bool) -> None:
    if value:
        emit(f"fasewiel {__version__}\n")
        raise typer.Exit()


def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A phase advisor for skin care, after the fasewiel of 'De huid als boodschapper'."""


def build(command: str | None = None) -> typer.Typer:
    """The app with ``command`` registered, or (None, or no such command) every command."""
    app = typer.Typer(
        name="fasewiel",
        help="A phase advisor for skin care, after the fasewiel of 'De huid als boodschapper'."
        "\n\nTell it what your skin shows; it names the phase of the wheel (Reset, Activate, "
        "Repair, Radiance, Sustain), explains why, and gives the care plan for that phase. "
        "Professionals assess intake files, check treatments and keep client histories; "
        "educators print reference cards.",
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
    app.callback()(main_options)
    if command in COMMANDS:
        importlib.import_module(f"fasewiel_cli.cli.{COMMANDS[command]}").register(app, command)
        return app
    for name in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"fasewiel_cli.cli.{name}").register(app)
    return app


def __getattr__(name: str) -> Any:
    """``app``: the whole command line (for tests and tools that import it)."""
    if name == "app":
        return build()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Fewer columns than this in COLUMNS is a mistake (Rich draws nothing at 0): the terminal's own
# width is used instead.
NARROWEST = 20


def main() -> None:
    """Console-script entry point."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns and not (columns.isascii() and columns.isdigit() and int(columns) >= NARROWEST):
        del os.environ["COLUMNS"]
    for name in STOPPING:
        signum = getattr(signal, name)
        if signal.getsignal(signum) is not signal.SIG_IGN:  # (nohup: ignored it stays)
            signal.signal(signum, stop)
    try:
        app = build(sys.argv[1] if len(sys.argv) > 1 else None)
        # What is loaded by now (Typer, Rich, the command's module) lives as long as the
        # process: the cycle collector need never walk it again, neither during the run nor in
        # the collections the interpreter makes as it exits (4-5% of a `check`'s instructions).
        gc.freeze()
        app()
    except KeyboardInterrupt as interrupt:
        sys.exit(interrupted(interrupt))
    except BrokenPipeError:
        # The reader went away (``fasewiel signals | head``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    finally:
        # Nor what the run made (the knowledge base, the lexicon): the process ends, and its
        # memory goes back whole (another 2%).
        gc.freeze()
