"""The shared shape of the block-drawing renderers (rich, text, markdown)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fasewiel_cli.engine.blocks import (
    Block,
    Card,
    advice_blocks,
    phases_blocks,
    signals_blocks,
)

if TYPE_CHECKING:
    from fasewiel_cli.engine.advice import Advice
    from fasewiel_cli.engine.overview import PhasesView, SignalsView


class BlockRenderer(ABC):
    def advice(self, advice: Advice) -> str:
        return self.render(advice_blocks(advice))

    def phases(self, view: PhasesView) -> str:
        return self.render(phases_blocks(view))

    def signals(self, view: SignalsView) -> str:
        return self.render(signals_blocks(view))

    @abstractmethod
    def render(self, blocks: Sequence[Block]) -> str: ...


def card_blocks(card: Card) -> list[Block]:
    """A card as plain blocks: its title, its subtitle, its content."""
    from fasewiel_cli.engine.blocks import Heading, Paragraph

    head: list[Block] = [Heading(card.title, level=1)]
    if card.subtitle:
        head.append(Paragraph(card.subtitle, "muted"))
    return [*head, *card.blocks]
