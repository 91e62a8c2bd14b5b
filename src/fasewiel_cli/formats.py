"""The format choices of the command line, kept in a module that imports nothing heavy."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """How a result is shown (``--format``)."""

    rich = "rich"
    text = "text"
    markdown = "markdown"
    json = "json"


class RecordFormat(StrEnum):
    """How batch records are stored (``--from``, ``--to``)."""

    csv = "csv"
    jsonl = "jsonl"
    json = "json"


class CardFormat(StrEnum):
    """How reference cards are drawn (``fasewiel card --format``)."""

    rich = "rich"
    text = "text"
    markdown = "markdown"
    html = "html"
    svg = "svg"
    pdf = "pdf"


class Paper(StrEnum):
    """Printed card size (HTML and PDF)."""

    a4 = "a4"
    a5 = "a5"
    a6 = "a6"
