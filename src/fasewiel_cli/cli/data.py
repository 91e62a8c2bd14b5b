"""``fasewiel data``: knowledge bases of one's own, made (``init``) and checked (``validate``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fasewiel_cli.cli.common import command_group, emit, format_option, handle_errors
from fasewiel_cli.formats import Format


def register(app: typer.Typer, only: str | None = None) -> None:
    """``data`` on ``app`` (``only``: see ``app.build``)."""
    app.add_typer(data_app)


data_app = command_group(
    "data", "Make and check knowledge bases of your own (use one with --data or FASEWIEL_DATA)."
)


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
    fmt: Annotated[Format, format_option("report")] = Format.text,
) -> None:
    """Check a knowledge base: every error and warning in one run, as file:line:column.

    Errors stop the knowledge base from loading; warnings point at what loads but will not work
    as meant (an ingredient no phase uses, words in one language only, a phase with few signals,
    a word that does not reach its signal). Exit 0 without errors, 1 with.

    Examples:

      fasewiel data validate mijn-kennis

      fasewiel data validate mijn-kennis --format json
    """
    from fasewiel_cli.engine.validate import validate_folder
    from fasewiel_cli.knowledge.load import builtin_data_dir

    if folder is None:
        env = os.environ.get("FASEWIEL_DATA", "").strip()
        folder = Path(env) if env else None
    report = (
        validate_folder(builtin_data_dir(), builtin=True)
        if folder is None
        else validate_folder(folder)
    )
    if fmt is Format.json:
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
