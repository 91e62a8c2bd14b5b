"""The one registry of formats: every format fasewiel reads or writes, the file extensions that
ask for each, and which formats each kind of output comes in. Imports nothing heavy.

A command's ``--format`` (or ``--from``/``--to``) offers the formats of its kind (``KINDS``); an
``-o`` file's extension picks one of them (``by_suffix``) when no format is given.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal


class Format(StrEnum):
    """A way of writing (or reading) a result."""

    rich = "rich"  # the terminal: colour, panels, tables
    text = "text"  # plain text
    markdown = "markdown"
    json = "json"
    jsonl = "jsonl"  # JSON Lines: one record per line
    csv = "csv"
    html = "html"
    svg = "svg"
    pdf = "pdf"


# The file extensions that ask for each format (an -o file, a batch input).
SUFFIXES: dict[Format, tuple[str, ...]] = {
    Format.text: (".txt",),
    Format.markdown: (".md", ".markdown"),
    Format.json: (".json",),
    Format.jsonl: (".jsonl", ".ndjson"),
    Format.csv: (".csv", ".tsv", ".txt"),  # (a .txt intake file is CSV: records are lines)
    Format.html: (".html", ".htm"),
    Format.svg: (".svg",),
    Format.pdf: (".pdf",),
}

Kind = Literal["advice", "cards", "ingredient", "records", "history", "report"]

# The formats each kind of output comes in (the first is the default, but for records: batch
# writes JSON Lines unless told otherwise).
KINDS: dict[Kind, tuple[Format, ...]] = {
    # check, phases, signals
    "advice": (Format.rich, Format.text, Format.markdown, Format.json),
    "cards": (Format.rich, Format.text, Format.markdown, Format.html, Format.svg, Format.pdf),
    "ingredient": (Format.rich, Format.text, Format.markdown, Format.json),
    # batch --from and --to
    "records": (Format.csv, Format.jsonl, Format.json),
    # history, clients list
    "history": (Format.rich, Format.text, Format.json, Format.csv),
    # data validate
    "report": (Format.text, Format.json),
}


def by_suffix(path: Path, kind: Kind) -> Format | None:
    """The format of ``kind`` that ``path``'s extension asks for (None: none of them does)."""
    suffix = path.suffix.lower()
    return next((f for f in KINDS[kind] if suffix in SUFFIXES.get(f, ())), None)


def suffixes(kind: Kind) -> list[str]:
    """Every extension that names a format of ``kind``, for a message that lists them."""
    return list(dict.fromkeys(s for f in KINDS[kind] for s in SUFFIXES.get(f, ())))


class Paper(StrEnum):
    """Printed card size (HTML and PDF)."""

    a4 = "a4"
    a5 = "a5"
    a6 = "a6"
