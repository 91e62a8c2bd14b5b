"""Rich output for the terminal: the wheel, bars per phase, sections and a red-flag banner.

Every piece of text becomes a ``rich.text.Text`` (never markup), so square brackets in what a user
typed, or in a knowledge base, are printed literally.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from fasewiel_cli.render.base import BlockRenderer
from fasewiel_cli.render.blocks import Bars, Block, Heading, Pairs, Paragraph, Wheel

# One colour per position on the wheel: calm red, waking yellow, building blue, glowing magenta,
# steady green.
PHASE_STYLES = ("red", "yellow", "blue", "magenta", "green")
BAR_WIDTH = 24
_PARAGRAPH_STYLES = {"plain": "", "quote": "italic", "note": "yellow", "muted": "dim"}


def build(blocks: Sequence[Block]) -> Group:
    """The renderable for a list of blocks (also used to export SVG screenshots)."""
    colours: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, Wheel):
            colours = dict(zip(block.names, PHASE_STYLES, strict=False))
    return Group(*(_renderable(b, colours) for b in blocks))


def _renderable(block: Block, colours: dict[str, str]) -> RenderableType:
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
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, max_width=32)
        table.add_column()
        for key, value in block.rows:
            table.add_row(Text(key), Text(value))
        return Padding(table, (0, 0, 0, 2), expand=False)
    if isinstance(block, Bars):
        return Padding(_bars(block, colours), (0, 0, 0, 2), expand=False)
    if isinstance(block, Wheel):
        return Panel(_wheel(block, colours), title="fasewiel", expand=False, border_style="dim")
    lines = Text("\n").join(Text(line) for line in block.lines if line)
    return Panel(lines, title=Text(f"⚠ {block.title}", style="bold"), border_style="bold red")


def _bars(block: Bars, colours: dict[str, str]) -> Table:
    table = Table.grid(padding=(0, 1))
    for name, share in block.rows:
        filled = round(share * BAR_WIDTH)
        current = name == block.current
        style = colours.get(name, "")
        bar = Text("█" * filled, style=style)
        bar.append("░" * (BAR_WIDTH - filled), style="dim")
        table.add_row(
            Text(name, style=f"bold {style}" if current else ""),
            bar,
            Text(f"{share:4.0%}", style="bold" if current else "dim"),
        )
    return table


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
        out = io.StringIO()
        console = Console(
            file=out,
            width=self.width,
            force_terminal=self.color,
            color_system="auto" if self.color else None,
            highlight=False,
            emoji=False,
        )
        console.print(build(blocks))
        if self.color:
            return out.getvalue()
        # Without colour, the padding Rich adds to table cells is only trailing blanks.
        return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))
