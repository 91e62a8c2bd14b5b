"""``fasewiel card`` and ``ingredient``: reference cards for teaching, in every format."""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fasewiel_cli.cli.common import (
    DataOption,
    LangOption,
    emit,
    fail,
    format_option,
    handle_errors,
    load,
    output_option,
    resolve_lang,
    write_output,
)
from fasewiel_cli.formats import Format, Paper, by_suffix, suffixes


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


def register(app: typer.Typer, only: str | None = None) -> None:
    """This module's commands on ``app``: all of them, or ``only`` the one of that name."""
    for command in (card, ingredient):
        if only in (None, command.__name__):
            app.command()(command)


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
        Format | None,
        format_option("cards", "Output format. Default: from the --output extension, else rich."),
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
    if fmt is Format.pdf and output is None and sys.stdout.isatty():
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
    write_output(result, output, styled=fmt is Format.rich)


def card_format_for(output: Path | None) -> Format:
    """The format an ``-o`` file's extension asks for: rich without a file or an extension."""
    if output is None or not output.suffix:
        return Format.rich
    found = by_suffix(output, "cards")
    if found is None:
        known = ", ".join(suffixes("cards"))
        raise typer.BadParameter(
            f"cannot tell the format from '{output.suffix}' (known: {known}); add --format",
            param_hint="--output",
        )
    return found


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
    fmt: Annotated[Format, format_option("ingredient")] = Format.rich,
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
    from fasewiel_cli.engine.cards import glossary, ingredient_card
    from fasewiel_cli.language.lookup import find
    from fasewiel_cli.render import card_renderer_for
    from fasewiel_cli.render.json import dumps
    from fasewiel_cli.serialize import glossary_to_dict, ingredient_to_dict

    if name is not None and not name.strip():
        raise typer.BadParameter(
            "the name is empty; leave it out for the whole glossary", param_hint="NAME"
        )
    kb = load(data)
    code = resolve_lang(lang)
    found = find("ingredient", kb.ingredients, name, code) if name else None
    if fmt is Format.json:
        data_ = ingredient_to_dict(kb, code, found.id) if found else glossary_to_dict(kb, code)
        emit(dumps({"schema": 1, "lang": code, **data_}))
        return
    card = ingredient_card(kb, code, found.id) if found else glossary(kb, code)
    width = shutil.get_terminal_size((100, 24)).columns
    renderer_ = card_renderer_for(fmt, width=width, color=sys.stdout.isatty())
    emit(str(renderer_.cards([card])), styled=fmt is Format.rich)
