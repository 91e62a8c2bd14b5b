"""Plain text: no colour, no boxes; stable enough for logs, pipes and golden files."""

from __future__ import annotations

from collections.abc import Sequence

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

BAR_WIDTH = 20
_UNDERLINE = {1: "=", 2: "-"}


def wheel_line(block: Wheel) -> str:
    """``[Reset] → ▸Activate → Repair → Radiance → Sustain ↺``: current in brackets, next marked."""
    parts = []
    for name in block.names:
        if name == block.current:
            parts.append(f"[{name}]")
        elif name == block.next:
            parts.append(f"▸{name}")
        else:
            parts.append(name)
    return " → ".join(parts) + " ↺"


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = round(share * width)
    return "█" * filled + "·" * (width - filled)


CARD_RULE = "═" * 72


class TextRenderer(BlockRenderer):
    def render(self, blocks: Sequence[Block]) -> str:
        return "\n\n".join(self.block(b) for b in blocks) + "\n"

    def cards(self, cards: Sequence[Card]) -> str:
        return f"\n{CARD_RULE}\n\n".join(self.render(card_blocks(card)) for card in cards)

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            rule = _UNDERLINE.get(block.level)
            return f"{block.text}\n{rule * len(block.text)}" if rule else f"{block.text}:"
        if isinstance(block, Paragraph):
            return f"  “{block.text}”" if block.style == "quote" else block.text
        if isinstance(block, Pairs):
            width = min(max((len(k) for k, _ in block.rows), default=0), 28)
            return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in block.rows)
        if isinstance(block, Bars):
            width = max(len(name) for name, _ in block.rows)
            return "\n".join(
                f"  {name.ljust(width)}  {bar(share)} {share:4.0%}"
                + ("  ◀" if name == block.current else "")
                for name, share in block.rows
            )
        if isinstance(block, Wheel):
            return wheel_line(block)
        if isinstance(block, Bullets):
            return "\n".join(f"  • {item}" for item in block.items)
        if isinstance(block, Table):
            return "\n\n".join(
                "\n".join(
                    [
                        row[0],
                        *(f"  {h}: {v}" for h, v in zip(block.headers[1:], row[1:], strict=True)),
                    ]
                )
                for row in block.rows
            )
        assert isinstance(block, Alert)
        title = f"!! {block.title.upper()} !!"
        return "\n".join([title, *(f"  {line}" for line in block.lines)])
