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
