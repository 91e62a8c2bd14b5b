"""Markdown for wikis and handouts. All text is escaped, so nothing in it becomes markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import assert_never

from fasewiel_cli.engine.blocks import (
    Alert,
    Bars,
    Block,
    Bullets,
    Card,
    Heading,
    Pairs,
    Paragraph,
    Table,
    Wheel,
)
from fasewiel_cli.render.base import BlockRenderer, card_blocks
from fasewiel_cli.render.text import bar

# Characters that could start emphasis, code, links, HTML or tables anywhere in a line, and the
# ones that only matter at its start (headings, lists, quotes).
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
# At the start of any line of a text: headings, quotes, lists, rules and setext underlines.
_LINE_START = re.compile(r"^(\s*)([#>+=-])", re.M)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.M)


def escape(text: str) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    return _NUMBERED.sub(r"\1\\\2", _LINE_START.sub(r"\1\\\2", text))


class MarkdownRenderer(BlockRenderer):
    def render(self, blocks: Sequence[Block]) -> str:
        return "\n\n".join(self.block(b) for b in blocks) + "\n"

    def cards(self, cards: Sequence[Card]) -> str:
        return "\n---\n\n".join(self.render(card_blocks(card)) for card in cards)

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            return f"{'#' * block.level} {escape(block.text)}"
        if isinstance(block, Paragraph):
            text = escape(block.text)
            return {"quote": f"> {text}", "note": f"**{text}**", "muted": f"_{text}_"}.get(
                block.style, text
            )
        if isinstance(block, Pairs):
            return "\n".join(f"- **{escape(k)}**: {escape(v)}" for k, v in block.rows)
        if isinstance(block, Bars):
            return "\n".join(
                f"- {'**' + escape(n) + '**' if n == block.current else escape(n)}: "
                f"`{bar(share)}` {share:.0%}"
                for n, share in block.rows
            )
        if isinstance(block, Wheel):
            parts = [
                f"**{escape(n)}**"
                if n == block.current
                else f"_{escape(n)}_"
                if n == block.next
                else escape(n)
                for n in block.names
            ]
            return " → ".join(parts) + " ↺"
        if isinstance(block, Bullets):
            return "\n".join(f"- {escape(item)}" for item in block.items)
        if isinstance(block, Table):
            # A line break would end the table row: inside a cell it is a space.
            rows = [
                "| " + " | ".join(escape(" ".join(cell.split())) for cell in row) + " |"
                for row in (block.headers, *block.rows)
            ]
            rows.insert(1, "|" + " --- |" * len(block.headers))
            return "\n".join(rows)
        if isinstance(block, Alert):
            lines = "\n".join(f"> {escape(line)}" for line in block.lines if line)
            return f"> **⚠ {escape(block.title)}**\n>\n{lines}"
        assert_never(block)
