"""Output formats. ``Format`` is the ``--format`` choice; ``renderer_for`` maps each member to the
one module that draws it (a test proves the mapping is exhaustive)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fasewiel_cli.formats import Format

if TYPE_CHECKING:
    from fasewiel_cli.advice import Advice
    from fasewiel_cli.overview import PhasesView, SignalsView


__all__ = ["Format", "Renderer", "renderer_for"]


class Renderer(Protocol):
    def advice(self, advice: Advice) -> str: ...
    def phases(self, view: PhasesView) -> str: ...
    def signals(self, view: SignalsView) -> str: ...


def renderer_for(fmt: Format, *, width: int = 100, color: bool = False) -> Renderer:
    """The renderer for ``fmt``; modules are imported on demand to keep start-up fast."""
    if fmt is Format.rich:
        from fasewiel_cli.render.rich import RichRenderer

        return RichRenderer(width=width, color=color)
    if fmt is Format.text:
        from fasewiel_cli.render.text import TextRenderer

        return TextRenderer()
    if fmt is Format.markdown:
        from fasewiel_cli.render.markdown import MarkdownRenderer

        return MarkdownRenderer()
    from fasewiel_cli.render.json import JsonRenderer

    return JsonRenderer()
