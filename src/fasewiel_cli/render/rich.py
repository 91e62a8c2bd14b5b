"""Rich output for the terminal: the wheel, bars per phase, sections and a red-flag banner.

Every piece of text becomes a ``rich.text.Text`` (never markup), so square brackets in what a user
typed, or in a knowledge base, are printed literally; and every control character in it is shown
as its escape (``text.shown``): Rich prints an escape sequence as it is, which would drive the
terminal (a treatment typed as ``peel\x1b[2J``).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from typing import Any, TypeVar, assert_never, cast

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

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
from fasewiel_cli.text import shown

# One colour per position on the wheel: calm red, waking yellow, building blue, glowing magenta,
# steady green.
PHASE_STYLES = ("red", "yellow", "blue", "magenta", "green")
BAR_WIDTH = 24
KEY_WIDTH = 32
_PARAGRAPH_STYLES = {"plain": "", "quote": "italic", "note": "yellow", "muted": "dim"}


def build(blocks: Sequence[Block], width: int = 100) -> Group:
    """The renderable for a list of blocks (also used to export SVG screenshots)."""
    blocks = [_shown(block) for block in blocks]
    colours: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, Wheel):
            colours = dict(zip(block.names, PHASE_STYLES, strict=False))
    return Group(*(_renderable(b, colours, width) for b in blocks))


T = TypeVar("T")


def _shown(value: T) -> T:
    """``value`` (a block, or what a block holds) with each of its texts ``shown``."""
    found: Any = value
    if isinstance(found, str):
        found = shown(found)
    elif isinstance(found, tuple):
        items = [_shown(item) for item in found]
        found = type(found)(*items) if hasattr(found, "_fields") else tuple(items)
    return cast(T, found)


def _renderable(block: Block, colours: dict[str, str], width: int) -> RenderableType:
    if isinstance(block, Heading):
        if block.level == 1:
            return Padding(Text(block.text, style="bold"), (1, 0, 0, 0), expand=False)
        if block.level == 2:
            return Group(
                Text(), Rule(Text(block.text, style="bold cyan"), align="left", style="cyan")
            )
        return Text(block.text, style="bold")
    if isinstance(block, Paragraph):
        text = f"“{block.text}”" if block.style == "quote" else block.text
        top = 1 if block.style == "muted" else 0
        style = _PARAGRAPH_STYLES[block.style]
        return Padding(Text(text, style=style), (top, 0, 0, 2), expand=False)
    if isinstance(block, Pairs):
        return _pairs(block, width)
    if isinstance(block, Bars):
        return _bars(block, colours)
    if isinstance(block, Wheel):
        # (a title as Text: one as str is read as markup with emoji codes, whose table of
        # ~4,000 names Rich imports on first use: ~2 ms of every start)
        title = Text("fasewiel")
        return Panel(_wheel(block, colours), title=title, expand=False, border_style="dim")
    if isinstance(block, Bullets):
        return _pairs(Pairs(tuple(("•", item) for item in block.items)), width)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Alert):
        lines = Text("\n").join(Text(line) for line in block.lines if line)
        return Panel(lines, title=Text(f"⚠ {block.title}", style="bold"), border_style="bold red")
    assert_never(block)


def _table(block: Table) -> RenderableType:
    from rich.table import Table as RichTable  # only cards have tables: not on every start

    table = RichTable(show_lines=True, expand=True, header_style="bold")
    for header in block.headers:
        table.add_column(Text(header), ratio=1)
    for row in block.rows:
        table.add_row(*(Text(cell, style="bold" if n == 0 else "") for n, cell in enumerate(row)))
    return table


def _pairs(block: Pairs, width: int) -> Text:
    """Two columns, the values wrapped under themselves. Built as text rather than a Rich
    table: tables measure every cell, which costs more than the rest of the output together."""
    key_width = min(max((len(key) for key, _ in block.rows), default=0), KEY_WIDTH)
    value_width = max(width - key_width - 6, 20)
    out = Text()
    for key, value in block.rows:
        lines = textwrap.wrap(value, value_width) or [""]
        for n, line in enumerate(lines):
            out.append("\n" if len(out) else "")
            out.append("  ")
            out.append((key if n == 0 else "").ljust(key_width), style="bold")
            out.append("  " + line)
    return out


def _bars(block: Bars, colours: dict[str, str]) -> Text:
    name_width = max(len(name) for name, _ in block.rows)
    out = Text()
    for name, share in block.rows:
        filled = round(share * BAR_WIDTH)
        current = name == block.current
        style = colours.get(name, "")
        out.append("\n" if len(out) else "")
        out.append("  " + name.ljust(name_width) + " ", style=f"bold {style}" if current else "")
        out.append("█" * filled, style=style)
        out.append("░" * (BAR_WIDTH - filled), style="dim")
        out.append(f" {share:4.0%}", style="bold" if current else "dim")
    return out


def _wheel(block: Wheel, colours: dict[str, str]) -> Text:
    text = Text()
    for i, name in enumerate(block.names):
        if i:
            text.append(" → ", style="dim")
        style = colours.get(name, "")
        if name == block.current:
            text.append(f" ● {name} ", style=f"bold reverse {style}")
        elif name == block.next:
            text.append(f"▸ {name}", style=f"bold underline {style}")
        else:
            text.append(f"○ {name}", style=style)
    text.append(" ↺", style="dim")
    return text


class RichRenderer(BlockRenderer):
    def __init__(self, width: int = 100, color: bool = False) -> None:
        self.width = width
        self.color = color

    def render(self, blocks: Sequence[Block]) -> str:
        return self._print(build(blocks, self.width))

    def cards(self, cards: Sequence[Card]) -> str:
        return self._print(card_panels(cards, self.width))

    def _print(self, renderable: RenderableType) -> str:
        out = io.StringIO()
        console = Console(
            file=out,
            width=self.width,
            force_terminal=self.color,
            color_system="auto" if self.color else None,
            highlight=False,
            emoji=False,
        )
        console.print(renderable)
        if self.color:
            return out.getvalue()
        # Without colour, the padding Rich adds to table cells is only trailing blanks.
        return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))


def card_panels(cards: Sequence[Card], width: int) -> Group:
    """Each card in a frame of its phase's colour, its title on the frame."""
    panels = []
    for card in cards:
        colour = PHASE_STYLES[card.accent] if card.accent is not None else "cyan"
        body = build(card_blocks(card)[1:], width - 4)
        title = Text(shown(card.title), style=f"bold {colour}")
        footer = shown(card.footer) or None
        panels.append(Panel(body, title=title, border_style=colour, subtitle=footer))
    return Group(*panels)


# Rich's SVG asks for Fira Code from a CDN; a slide must not reach out to the network. (A
# pattern compiled when first used: only SVG cards need it.)
_REMOTE_FONTS = r"\s*@font-face\s*\{[^}]*\}"
_FONT_FAMILY = "font-family: Fira Code, monospace;"
LOCAL_FONTS = 'font-family: "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace;'


class SvgRenderer(RichRenderer):
    """The rich cards, exported by Rich as one SVG picture (for slides), at a fixed width so
    that the same cards always give the same file."""

    def __init__(self, width: int = 90) -> None:
        super().__init__(width=width, color=True)

    def cards(self, cards: Sequence[Card]) -> str:
        # Nothing from the environment (TERM, COLUMNS, COLORTERM, NO_COLOR) may change the file.
        console = Console(
            record=True,
            width=self.width,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            legacy_windows=False,
            _environ={},
        )
        console.print(card_panels(cards, self.width))
        svg = console.export_svg(title=" · ".join(card.title for card in cards))
        return re.sub(_REMOTE_FONTS, "", svg).replace(_FONT_FAMILY, LOCAL_FONTS)
