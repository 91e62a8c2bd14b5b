"""Renderers: one per format, exhaustive; nothing in the knowledge base or the input is markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fasewiel_cli.engine.advice import check
from fasewiel_cli.engine.cards import build_cards
from fasewiel_cli.engine.overview import phases_view, signals_view
from fasewiel_cli.formats import KINDS, Format
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.render import card_renderer_for, renderer_for

HOSTILE = "[bold red]boo[/] <script>alert(1)</script> *star* _u_ `tick` # x"


def test_every_format_of_advice_has_a_renderer(kb: KnowledgeBase) -> None:
    advice = check("rood", kb=kb)
    modules = set()
    for fmt in KINDS["advice"]:
        renderer = renderer_for(fmt)
        modules.add(type(renderer).__module__)
        assert renderer.advice(advice)
        assert renderer.phases(phases_view(kb, "nl"))
        assert renderer.signals(signals_view(kb, "nl"))
    assert len(modules) == len(KINDS["advice"])
    with pytest.raises(ValueError, match="not drawn as pdf"):
        renderer_for(Format.pdf)


def test_every_format_of_cards_has_a_renderer(kb: KnowledgeBase) -> None:
    cards = build_cards(kb, "nl", ["reset"])
    for fmt in KINDS["cards"]:
        assert card_renderer_for(fmt).cards(cards)
    with pytest.raises(ValueError, match="not drawn as csv"):
        card_renderer_for(Format.csv)


@pytest.fixture
def hostile_kb(kb_copy: Path) -> KnowledgeBase:
    """A knowledge base whose core message for Reset is full of markup."""
    path = kb_copy / "phases.yaml"
    text = path.read_text(encoding="utf-8")
    old = (
        "Herstel en veiligheid staan centraal: kalmeer, bescherm en geef de huid haar basisrust "
        "terug."
    )
    path.write_text(text.replace(f'"{old}"', json.dumps(HOSTILE)), encoding="utf-8")
    return load_knowledge(kb_copy)


@pytest.mark.parametrize("fmt", [Format.rich, Format.text, Format.json])
def test_knowledge_base_text_is_printed_literally(hostile_kb: KnowledgeBase, fmt: Format) -> None:
    out = renderer_for(fmt).advice(check("rood", kb=hostile_kb))
    assert HOSTILE in out or json.dumps(HOSTILE)[1:-1] in out


def test_rich_markup_is_not_interpreted_even_with_colour(hostile_kb: KnowledgeBase) -> None:
    out = renderer_for(Format.rich, color=True).advice(check("rood", kb=hostile_kb))
    assert "[bold red]boo[/]" in out


def test_markdown_escapes_everything(hostile_kb: KnowledgeBase) -> None:
    out = renderer_for(Format.markdown).advice(check("rood", kb=hostile_kb))
    assert "<script>" not in out
    assert "\\[bold red\\]boo\\[/\\] \\<script\\>" in out
    assert "\\*star\\* \\_u\\_ \\`tick\\` # x" in out


def test_rich_colour_only_on_request(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    advice = check("rood", kb=kb)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[" not in renderer_for(Format.rich).advice(advice)
    assert "\x1b[" in renderer_for(Format.rich, color=True).advice(advice)
    # A terminal that says it has no colours gets none, even when they are asked for.
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b[" not in renderer_for(Format.rich, color=True).advice(advice)


def test_rich_output_fits_the_width(kb: KnowledgeBase) -> None:
    advice = check("fijne lijntjes, jeuk", treatments=["microneedling"], kb=kb)
    for width in (60, 80, 120):
        out = renderer_for(Format.rich, width=width).advice(advice)
        assert max(len(line) for line in out.splitlines()) <= width
