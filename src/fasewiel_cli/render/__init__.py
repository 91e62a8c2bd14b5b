"""Drawing results: ``renderer_for`` maps each format of advice (``formats.KINDS["advice"]``) and
``card_renderer_for`` each format of cards to the one module that draws it (a test proves both
mappings are exhaustive). Modules are imported on demand to keep start-up fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.models import LANGS, Lang

if TYPE_CHECKING:
    from fasewiel_cli.engine.advice import Advice
    from fasewiel_cli.engine.blocks import Card
    from fasewiel_cli.engine.overview import PhasesView, SignalsView


__all__ = ["CardRenderer", "Format", "Renderer", "card_renderer_for", "renderer_for"]


class Renderer(Protocol):
    def advice(self, advice: Advice) -> str: ...
    def phases(self, view: PhasesView) -> str: ...
    def signals(self, view: SignalsView) -> str: ...


def renderer_for(fmt: Format, *, width: int = 100, color: bool = False) -> Renderer:
    """The renderer of advice, phases and signals in ``fmt``."""
    if fmt is Format.rich:
        from fasewiel_cli.render.rich import RichRenderer

        return RichRenderer(width=width, color=color)
    if fmt is Format.text:
        from fasewiel_cli.render.text import TextRenderer

        return TextRenderer()
    if fmt is Format.markdown:
        from fasewiel_cli.render.markdown import MarkdownRenderer

        return MarkdownRenderer()
    if fmt is Format.json:
        from fasewiel_cli.render.json import JsonRenderer

        return JsonRenderer()
    raise ValueError(f"advice is not drawn as {fmt}")


class CardRenderer(Protocol):
    def cards(self, cards: Sequence[Card]) -> str | bytes: ...


def card_renderer_for(
    fmt: Format, *, paper: str = "a5", lang: Lang = LANGS[0], width: int = 100, color: bool = False
) -> CardRenderer:
    """The renderer for reference cards in ``fmt``; pdf gives bytes, the others text."""
    if fmt is Format.html:
        from fasewiel_cli.render.html import HtmlRenderer

        return HtmlRenderer(paper, lang)
    if fmt is Format.pdf:
        from fasewiel_cli.render.pdf import PdfRenderer

        return PdfRenderer(paper, lang)
    if fmt is Format.svg:
        from fasewiel_cli.render.rich import SvgRenderer

        return SvgRenderer()
    if fmt is Format.rich:
        from fasewiel_cli.render.rich import RichRenderer

        return RichRenderer(width=width, color=color)
    if fmt is Format.text:
        from fasewiel_cli.render.text import TextRenderer

        return TextRenderer()
    if fmt is Format.markdown:
        from fasewiel_cli.render.markdown import MarkdownRenderer

        return MarkdownRenderer()
    raise ValueError(f"cards are not drawn as {fmt}")
