"""Print-ready HTML cards: one self-contained file (inline CSS and SVG, no fonts, scripts or
images from elsewhere), one card per printed page, readable in black and white.

Every text goes through ``html.escape``: a knowledge base whose texts hold ``<script>`` yields
inert text. The output depends only on its input, so golden files can guard it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
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
from fasewiel_cli.knowledge.models import LANGS, Lang

# Page sizes in millimetres: browsers know the keyword A5 and A4, not all of them A6.
PAPER = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "a6": (105.0, 148.0)}
# Accent per position on the wheel (printed in black and white they differ in weight, not hue).
ACCENTS = ("#b3261e", "#8a6d00", "#1f5fa8", "#8e2f86", "#2e7d32")
# The body text of a card on A5 at type scale 1 (as in the PDF), and the share of the PDF's
# fitted type size the HTML takes: browsers break lines a little differently, so a card keeps a
# margin of room to stay on its page.
BODY_PT = 8.4
ROOM = 0.9

# Sizes in em are relative to the card's body text, set per card (``font-size``): the card's
# type scale, as the PDF renderer fits it to the page. Geometry (margins, the wheel) follows the
# paper (``--unit``: millimetres per millimetre of A5 width).
CSS = """
@page { size: %(width)smm %(height)smm; margin: %(margin)smm; }
* { box-sizing: border-box; }
html { font-size: %(font)spt; }
body { margin: 0; color: #111; background: #fff;
  font-family: "DejaVu Sans", "Verdana", "Helvetica Neue", Helvetica, Arial, sans-serif;
  line-height: 1.3; }
.card { break-after: page; page-break-after: always; break-inside: avoid;
  padding-top: calc(var(--unit) * 4mm); border-top: calc(var(--unit) * 1.4mm) solid var(--accent);
  overflow-wrap: break-word; hyphens: manual; }
.card:last-child { break-after: auto; page-break-after: auto; }
.card > header { display: flex; gap: calc(var(--unit) * 4mm); align-items: flex-start;
  margin: 0 0 calc(var(--unit) * 2mm); }
.card > header .titles { flex: 1; min-width: 0; }
h1 { font-size: 1.79em; margin: 0; line-height: 1.3; }
h2 { font-size: 0.905em; margin: 0.8em 0 0.5em; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--accent); border-bottom: 1px solid #999;
  padding-bottom: 0.1em; break-after: avoid; }
h3 { font-size: 1em; margin: 0.5em 0 0.2em; }
p { margin: 0 0 0.4em; }
p.quote { font-style: italic; font-size: 1.17em; margin: 0 0 calc(var(--unit) * 2mm);
  padding-left: calc(var(--unit) * 2.6mm);
  border-left: calc(var(--unit) * 0.9mm) solid var(--accent); }
p.note { font-weight: bold; }
p.muted { color: #555; font-size: 0.857em; }
svg.wheel { width: calc(var(--unit) * 42mm); height: calc(var(--unit) * 42mm); flex: none; }
svg.wheel text { font-family: inherit; }
ul { margin: 0 0 0.2em; padding-left: 1.08em; }
li { margin: 0 0 0.2em; }
dl { margin: 0; }
dt { font-weight: bold; }
dd { margin: 0 0 0.4em calc(var(--unit) * 3mm); }
table { width: 100%%; border-collapse: collapse; font-size: 0.857em; table-layout: fixed;
  margin-bottom: 0.4em; }
th, td { border: 1px solid #777; padding: 0.2em 0.3em; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
th { background: #eee; }
tbody th { background: none; }
.body { columns: 2; column-gap: calc(var(--unit) * 6mm); }
.body section { break-inside: avoid; }
.wide .body { columns: 1; }
footer { margin-top: 0.6em; font-size: 0.738em; color: #555; border-top: 1px solid #bbb;
  padding-top: 0.2em; }
@media screen {
  body { background: #e9e9e9; padding: 1rem 0; }
  .card { width: %(width)smm; max-width: 100%%; margin: 0 auto 1.2rem; background: #fff;
    padding: calc(var(--unit) * 4mm) %(margin)smm %(margin)smm;
    box-shadow: 0 0.1rem 0.5rem rgba(0, 0, 0, 0.2); }
}
"""


def wheel_svg(block: Wheel, accent: str, key: str = "wheel") -> str:
    """The five phases around a circle, arrows between them; the current one filled.

    ``key`` makes the arrowhead's id unique in a document that holds several wheels.
    """
    arrow = escape(f"arrow-{key}")
    count = len(block.names)
    parts = [
        '<svg class="wheel" viewBox="0 0 220 220" role="img" aria-label="'
        + escape(" → ".join(block.names))
        + '">',
        f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" '
        'markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#444"/></marker></defs>',
        '<circle cx="110" cy="110" r="78" fill="none" stroke="#bbb" stroke-width="1"/>',
    ]
    points = []
    for n in range(count):
        angle = -math.pi / 2 + 2 * math.pi * n / count
        points.append((110 + 78 * math.cos(angle), 110 + 78 * math.sin(angle)))
    for n in range(count):
        (x1, y1), (x2, y2) = points[n], points[(n + 1) % count]
        # Arrows along the chord, shortened to leave room for the nodes.
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        sx, sy = x1 + dx * 31 / length, y1 + dy * 31 / length
        ex, ey = x2 - dx * 31 / length, y2 - dy * 31 / length
        parts.append(
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#444" '
            f'stroke-width="1.6" marker-end="url(#{arrow})"/>'
        )
    for name, (x, y) in zip(block.names, points, strict=True):
        current = name == block.current
        following = name == block.next
        fill = accent if current else "#fff"
        dash = ' stroke-dasharray="4 3"' if following else ""
        width = "3" if current or following else "1.5"
        colour = "#fff" if current else "#111"
        weight = "bold" if current or following else "normal"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="29" fill="{fill}" stroke="#222" '
            f'stroke-width="{width}"{dash}/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="10" '
            f'font-weight="{weight}" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def block_html(block: Block, accent: str) -> str:
    if isinstance(block, Heading):
        level = 3 if block.level >= 3 else 2  # the card's own title is the one h1
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        text = f"“{block.text}”" if block.style == "quote" else block.text
        return f'<p class="{block.style}">{escape(text)}</p>'
    if isinstance(block, Pairs):
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in block.rows)
        return f"<dl>{rows}</dl>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.headers)
        body = "".join(
            "<tr>"
            + f'<th scope="row">{escape(row[0])}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
            + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Wheel):
        return wheel_svg(block, accent)
    if isinstance(block, Bars):
        rows = "".join(f"<dt>{escape(n)}</dt><dd>{share:.0%}</dd>" for n, share in block.rows)
        return f"<dl>{rows}</dl>"
    if isinstance(block, Alert):
        lines = "".join(f"<p>{escape(line)}</p>" for line in block.lines if line)
        return f'<div class="alert"><h2>{escape(block.title)}</h2>{lines}</div>'
    assert_never(block)


def card_html(card: Card, size: float = BODY_PT) -> str:
    """One card, its body text ``size`` points."""
    accent = ACCENTS[card.accent] if card.accent is not None else "#333"
    wheel = next((b for b in card.blocks if isinstance(b, Wheel)), None)
    rest = [b for b in card.blocks if not isinstance(b, Wheel)]
    wide = any(isinstance(b, Table) for b in rest)
    subtitle = f'<p class="muted">{escape(card.subtitle)}</p>' if card.subtitle else ""
    header = (
        f'<header><div class="titles"><h1>{escape(card.title)}</h1>{subtitle}</div>'
        + (wheel_svg(wheel, accent, card.id) if wheel else "")
        + "</header>"
    )
    # A quote right under the title stays out of the columns.
    lead = ""
    if rest and isinstance(rest[0], Paragraph) and rest[0].style == "quote":
        lead, rest = block_html(rest[0], accent), rest[1:]
    body = "".join(f"<section>{section}</section>" for section in _sections(rest, accent))
    footer = f"<footer>{escape(card.footer)}</footer>" if card.footer else ""
    classes = "card wide" if wide else "card"
    return (
        f'<section class="{classes}" id="{escape(card.id)}" '
        f'style="--accent: {accent}; font-size: {size:.2f}pt">'
        f'{header}{lead}<div class="body">{body}</div>{footer}</section>'
    )


def _sections(blocks: Sequence[Block], accent: str) -> list[str]:
    """Each heading with what follows it, so that a printed column never splits them."""
    sections: list[str] = []
    for block in blocks:
        html = block_html(block, accent)
        if isinstance(block, Heading) or not sections:
            sections.append(html)
        else:
            sections[-1] += html
    return sections


class HtmlRenderer:
    def __init__(self, paper: str = "a5", lang: Lang = LANGS[0]) -> None:
        self.paper = paper
        self.lang = lang

    def cards(self, cards: Sequence[Card]) -> str:
        from fasewiel_cli.render.pdf import fitted_scales

        title = " · ".join(card.title for card in cards)
        width, height = PAPER[self.paper]
        unit = width / 148
        css = CSS % {
            "width": f"{width:g}",
            "height": f"{height:g}",
            "margin": f"{9 * unit:.2f}",
            "font": f"{BODY_PT * unit:.2f}",
        }
        scales = fitted_scales(cards, self.paper)
        body = "\n".join(
            card_html(card, BODY_PT * unit * scale * ROOM)
            for card, scale in zip(cards, scales, strict=True)
        )
        css = css.replace("var(--unit)", f"{unit:.4f}")
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n"
        )
