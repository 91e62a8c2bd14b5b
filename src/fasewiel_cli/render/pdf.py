"""Print-ready PDF cards with fpdf2 (pure Python, installs from PyPI alone).

One card per page. Each card is laid out at the largest type size at which it fits its page: the
sections are measured first, then placed in one or two balanced columns. A card too long for its
page even in small type (a custom knowledge base) continues on the next page instead of being cut.

The fonts (DejaVu Sans, subset to Latin, punctuation and arrows) travel inside the package, so
accented letters, curly quotes, dashes and bullets render and extract back as text. The creation
date is fixed: the same cards give byte-identical files.
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, assert_never

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
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.knowledge.models import LANGS, Lang

if TYPE_CHECKING:
    from fpdf import FPDF

# Page sizes in millimetres.
PAPER = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "a6": (105.0, 148.0)}
ACCENTS = ("#b3261e", "#8a6d00", "#1f5fa8", "#8e2f86", "#2e7d32")
NEUTRAL = "#333333"
# Any fixed moment will do; this one is the knowledge base's first release.
CREATION_DATE = datetime(2026, 11, 1, tzinfo=UTC)
PT = 25.4 / 72  # millimetres per point
FONT = "dejavu"
FONT_FILES = (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"), ("I", "DejaVuSans-Oblique"))
# Type sizes in points on A5; other papers scale with the page width.
SIZE = {"title": 15.0, "lead": 9.8, "heading": 7.6, "body": 8.4, "small": 7.2, "footer": 6.2}
LINE = 1.3  # line height as a multiple of the type size
# A card starts in large type and shrinks by steps until it fits; below the smallest scale it
# overflows onto a next page instead.
LARGEST, SHRINK, SMALLEST = 1.4, 0.95, 0.5


@dataclass(frozen=True)
class Style:
    size: float  # points
    bold: bool = False
    italic: bool = False
    colour: str = "#111111"


class PdfRenderer:
    def __init__(self, paper: str = "a5", lang: Lang = LANGS[0]) -> None:
        self.paper = paper
        self.lang = lang

    def cards(self, cards: Sequence[Card]) -> bytes:
        width, height = PAPER[self.paper]
        with _document(self.paper, cards) as (pdf, widths):
            pdf.set_lang(self.lang)
            pdf.set_title(" · ".join(card.title for card in cards))
            pdf.set_creator("fasewiel")
            for card in cards:
                _CardLayout(pdf, card, width, height, widths).draw()
            return bytes(pdf.output())


@contextlib.contextmanager
def _document(
    paper: str, cards: Sequence[Card], *, drawn: bool = True
) -> Iterator[tuple[FPDF, _Widths]]:
    """A PDF of ``paper`` with the fonts the cards need; when it is to be ``drawn``, cards with
    a character the fonts lack are refused (measuring only, such a character takes no room)."""
    from fpdf import FPDF

    width, height = PAPER[paper]
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0
    fonts = resources.files("fasewiel_cli.render") / "fonts"
    with contextlib.ExitStack() as stack:
        # fpdf2 reads the font files lazily, until the output is made: keep them open.
        for style, name in FONT_FILES:
            path = stack.enter_context(resources.as_file(fonts / f"{name}.ttf"))
            pdf.add_font(FONT, style, str(path))
        stack.callback(_close_fonts, pdf)
        if drawn:
            _refuse_missing_glyphs(pdf, cards)
        yield pdf, _Widths(pdf)


def fitted_scales(cards: Sequence[Card], paper: str) -> list[float]:
    """The type scale at which each card fits its page, as the PDF lays it out (1.0 for a card
    that fits at no scale). The HTML cards take their type size from it."""
    width, height = PAPER[paper]
    scales = []
    with _document(paper, cards, drawn=False) as (pdf, widths):
        pdf.add_page()  # fpdf2 measures text on a page
        for card in cards:
            if _missing_glyph(pdf, card) is not None:
                # (what the PDF font cannot draw, it cannot measure; the browser draws it)
                scales.append(1.0)
                continue
            layout = _CardLayout(pdf, card, width, height, widths)
            fits, _ = layout.fit()
            scales.append(layout.scale if fits else 1.0)
    return scales


def _close_fonts(pdf: FPDF) -> None:
    from fpdf.fonts import TTFFont

    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.ttfont.close()


def _card_texts(card: Card) -> list[str]:
    texts = [card.title, card.subtitle or "", card.footer]
    for block in card.blocks:
        if isinstance(block, Heading | Paragraph):
            texts.append(block.text)
        elif isinstance(block, Pairs):
            texts += [part for row in block.rows for part in row]
        elif isinstance(block, Bullets):
            texts += block.items
        elif isinstance(block, Table):
            texts += [*block.headers, *(cell for row in block.rows for cell in row)]
        elif isinstance(block, Wheel):
            texts += block.names
        elif isinstance(block, Alert):
            texts += [block.title, *block.lines]
        elif isinstance(block, Bars):
            texts += [name for name, _ in block.rows]
    return texts


def _refuse_missing_glyphs(pdf: FPDF, cards: Sequence[Card]) -> None:
    """A character the embedded font cannot draw would print as an empty box: say so instead."""
    for card in cards:
        char = _missing_glyph(pdf, card)
        if char is not None:
            raise FasewielError(
                f"the card '{card.id}' holds the character {char!r} "
                f"(U+{ord(char):04X}), which the PDF font cannot draw",
                hint="use --format html for this text, or change it in your knowledge base",
            )


def _missing_glyph(pdf: FPDF, card: Card) -> str | None:
    """The first character of the card that the embedded font cannot draw, if any."""
    from fpdf.fonts import TTFFont

    pdf.set_font(FONT, "", 10)
    font = pdf.current_font
    assert isinstance(font, TTFFont)
    cmap = font.cmap
    for text in _card_texts(card):
        # As drawn: composed (NFC), and upper-cased where a heading is (µ has no capital here).
        shown = _clean(text)
        for char in shown + shown.upper():
            if ord(char) not in cmap and not char.isspace():
                return char
    return None


def _clean(text: str) -> str:
    # Line breaks and tabs inside a knowledge-base text are layout, not content; accents typed
    # as separate marks (as macOS does) are composed into the letters the font has.
    return unicodedata.normalize("NFC", " ".join(text.split()))


class _CardLayout:
    """Measures and draws one card; ``scale`` shrinks the type until the card fits its page."""

    def __init__(self, pdf: FPDF, card: Card, width: float, height: float, widths: _Widths) -> None:
        self.pdf = pdf
        self.card = card
        self.width, self.height = width, height
        self.unit = width / 148  # geometry scales with the paper
        self.margin = 9 * self.unit
        self.inner = width - 2 * self.margin
        self.accent = ACCENTS[card.accent] if card.accent is not None else NEUTRAL
        self.scale = LARGEST
        self.fitting = False  # while measuring, a table too wide asks for smaller type
        self.quick = False  # while searching, heights come from cached word widths
        self.widths = widths
        self.wheel = next((b for b in card.blocks if isinstance(b, Wheel)), None)
        rest = [b for b in card.blocks if not isinstance(b, Wheel)]
        self.lead: Paragraph | None = None
        if rest and isinstance(rest[0], Paragraph) and rest[0].style == "quote":
            self.lead, rest = rest[0], rest[1:]
        self.sections = _sections(rest)
        self.columns = 1 if any(isinstance(b, Table) for b in rest) else 2
        self.gutter = 6 * self.unit

    # -- type -----------------------------------------------------------------------------------

    def style(self, role: str, **kw: Any) -> Style:
        return Style(SIZE[role] * self.unit * self.scale, **kw)

    def use(self, style: Style) -> float:
        """Select ``style``; return its line height in millimetres."""
        emphasis = ("B" if style.bold else "") + ("I" if style.italic else "")
        # The font has no bold italic: bold wins.
        self.pdf.set_font(FONT, "B" if style.bold else emphasis, style.size)
        self.pdf.set_text_color(style.colour)
        return style.size * PT * LINE

    def text(self, x: float, y: float, w: float, text: str, style: Style, dry: bool) -> float:
        """Wrapped text in a column ``w`` wide at (x, y); the height it takes."""
        if dry and self.quick:
            return self.widths.lines(_clean(text), w, style) * style.size * PT * LINE
        line = self.use(style)
        if dry:
            height = self.pdf.multi_cell(
                w, line, _clean(text), align="L", dry_run=True, output="HEIGHT"
            )
            assert isinstance(height, float | int)
            return float(height)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, line, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        return float(self.pdf.get_y() - y)

    # -- blocks ---------------------------------------------------------------------------------

    def block(self, block: Block, x: float, y: float, w: float, dry: bool) -> float:
        gap = 1.2 * self.unit * self.scale
        if isinstance(block, Heading):
            style = self.style("heading", bold=True, colour=self.accent)
            top = 2.2 * self.unit * self.scale
            h = self.text(x, y + top, w, block.text.upper(), style, dry)
            rule = y + top + h + 0.4 * self.unit
            if not dry:
                self.pdf.set_draw_color("#999999")
                self.pdf.set_line_width(0.2 * self.unit)
                self.pdf.line(x, rule, x + w, rule)
            return top + h + 1.4 * self.unit * self.scale
        if isinstance(block, Paragraph):
            if block.style == "quote":
                return self.quote(f"“{block.text}”", x, y, w, dry) + gap
            style = {
                "plain": self.style("body"),
                "note": self.style("body", bold=True),
                "muted": self.style("small", colour="#555555"),
            }[block.style]
            return self.text(x, y, w, block.text, style, dry) + gap
        if isinstance(block, Pairs):
            total = 0.0
            indent = 3 * self.unit
            for key, value in block.rows:
                total += self.text(x, y + total, w, key, self.style("body", bold=True), dry)
                total += self.text(
                    x + indent, y + total, w - indent, value, self.style("body"), dry
                )
                total += gap
            return total
        if isinstance(block, Bullets):
            total = 0.0
            indent = 3.2 * self.unit * self.scale
            for item in block.items:
                if not dry:
                    self.text(
                        x, y + total, indent, "•", self.style("body", colour=self.accent), dry
                    )
                total += self.text(x + indent, y + total, w - indent, item, self.style("body"), dry)
                total += 0.5 * gap
            return total + 0.5 * gap
        if isinstance(block, Table):
            return self.table(block, x, y, w, dry) + gap
        if isinstance(block, Bars):
            rows = tuple((name, f"{share:.0%}") for name, share in block.rows)
            return self.block(Pairs(rows), x, y, w, dry)
        if isinstance(block, Alert):
            h = self.text(x, y, w, block.title, self.style("body", bold=True), dry)
            for line in block.lines:
                h += self.text(x, y + h, w, line, self.style("body"), dry)
            return h + gap
        if isinstance(block, Wheel):
            size = min(w, 40 * self.unit)
            if not dry:
                self.draw_wheel(block, x + (w - size) / 2, y, size)
            return size + gap
        assert_never(block)

    def quote(self, text: str, x: float, y: float, w: float, dry: bool) -> float:
        bar = 0.9 * self.unit
        pad = 2.6 * self.unit
        h = self.text(x + pad, y, w - pad, text, self.style("lead", italic=True), dry)
        if not dry:
            self.pdf.set_fill_color(self.accent)
            self.pdf.rect(x, y, bar, h, style="F")
        return h

    def table(self, block: Table, x: float, y: float, w: float, dry: bool) -> float:
        pad = 1.2 * self.unit
        widths = self.column_widths(block, w, pad)
        if widths is None:
            return math.inf  # a word wider than its column: try smaller type
        total = 0.0
        for index, row in enumerate((block.headers, *block.rows)):
            head = index == 0
            styles = [self.style("small", bold=head or column == 0) for column in range(len(row))]
            heights = [
                self.text(0, 0, cw - 2 * pad, cell, style, True)
                for cell, cw, style in zip(row, widths, styles, strict=False)
            ]
            row_h = max(heights) + 2 * pad
            if not dry:
                left = x
                self.pdf.set_draw_color("#777777")
                self.pdf.set_line_width(0.2 * self.unit)
                for cell, cw, style in zip(row, widths, styles, strict=False):
                    if head:
                        self.pdf.set_fill_color("#eeeeee")
                        self.pdf.rect(left, y + total, cw, row_h, style="DF")
                    else:
                        self.pdf.rect(left, y + total, cw, row_h)
                    self.text(left + pad, y + total + pad, cw - 2 * pad, cell, style, False)
                    left += cw
            total += row_h
        return total

    def column_widths(self, block: Table, w: float, pad: float) -> list[float] | None:
        """Each column at least as wide as its longest word; the rest shared by text length.

        None when the words do not fit side by side and the type can still shrink.
        """
        self.use(self.style("small", bold=True))
        columns = list(zip(block.headers, *block.rows, strict=True))
        words = [
            max(self.pdf.get_string_width(word) for cell in column for word in cell.split() or [""])
            + 2 * pad
            for column in columns
        ]
        lengths = [sum(len(cell) for cell in column) + 1 for column in columns]
        spare = w - sum(words)
        if spare <= 0:
            if self.fitting and self.scale * SHRINK >= SMALLEST:
                return None
            # The smallest type and still too wide: share the width by word length.
            return [w * word / sum(words) for word in words]
        return [word + spare * n / sum(lengths) for word, n in zip(words, lengths, strict=True)]

    def draw_wheel(self, block: Wheel, x: float, y: float, size: float) -> None:
        """The phases around a circle, arrows between them; the current one filled."""
        pdf = self.pdf
        count = len(block.names)
        cx, cy = x + size / 2, y + size / 2
        ring = size * 0.355
        node = size * 0.132
        pdf.set_draw_color("#bbbbbb")
        pdf.set_line_width(0.2 * self.unit)
        pdf.circle(cx, cy, ring)  # centre and radius (fpdf2 >= 2.8.1)
        points = [
            (
                cx + ring * math.cos(-math.pi / 2 + 2 * math.pi * n / count),
                cy + ring * math.sin(-math.pi / 2 + 2 * math.pi * n / count),
            )
            for n in range(count)
        ]
        pdf.set_draw_color("#444444")
        pdf.set_fill_color("#444444")
        pdf.set_line_width(0.3 * self.unit)
        for n in range(count):
            (x1, y1), (x2, y2) = points[n], points[(n + 1) % count]
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy)
            ux, uy = dx / length, dy / length
            sx, sy = x1 + ux * node * 1.1, y1 + uy * node * 1.1
            ex, ey = x2 - ux * node * 1.1, y2 - uy * node * 1.1
            head = size * 0.035
            pdf.line(sx, sy, ex - ux * head, ey - uy * head)
            pdf.polygon(
                [
                    (ex, ey),
                    (ex - ux * head - uy * head * 0.55, ey - uy * head + ux * head * 0.55),
                    (ex - ux * head + uy * head * 0.55, ey - uy * head - ux * head * 0.55),
                ],
                style="F",
            )
        for name, (px, py) in zip(block.names, points, strict=True):
            current = name == block.current
            following = name == block.next
            pdf.set_draw_color("#222222")
            pdf.set_line_width((0.7 if current or following else 0.3) * self.unit)
            if following:
                pdf.set_dash_pattern(dash=0.9 * self.unit, gap=0.7 * self.unit)
            pdf.set_fill_color(self.accent if current else "#ffffff")
            pdf.circle(px, py, node, style="DF")
            pdf.set_dash_pattern()
            # The name, shrunk until it fits inside its circle.
            size_pt = 6.4 * self.unit
            pdf.set_font(FONT, "B" if current or following else "", size_pt)
            while pdf.get_string_width(name) > node * 1.8 and size_pt > 3:
                size_pt -= 0.2
                pdf.set_font_size(size_pt)
            pdf.set_text_color("#ffffff" if current else "#111111")
            pdf.set_xy(px - node, py - size_pt * PT / 2)
            pdf.cell(node * 2, size_pt * PT, name, align="C")

    # -- the page -------------------------------------------------------------------------------

    def header(self, y: float, dry: bool) -> float:
        """Title and subtitle, with the wheel on the right; the height taken."""
        wheel = 42 * self.unit if self.wheel else 0.0
        w = self.inner - (wheel + 4 * self.unit if wheel else 0)
        title = self.style("title", bold=True)
        h = self.text(self.margin, y, w, self.card.title, title, dry)
        if self.card.subtitle:
            h += self.text(self.margin, y + h, w, self.card.subtitle, self.style("small"), dry)
        if self.wheel and not dry:
            self.draw_wheel(self.wheel, self.width - self.margin - wheel, y, wheel)
        return max(h, wheel) + 2 * self.unit

    def section_heights(self, w: float) -> list[float]:
        return [sum(self.block(b, 0, 0, w, True) for b in section) for section in self.sections]

    def column_width(self) -> float:
        return (self.inner - (self.columns - 1) * self.gutter) / self.columns

    def fits(self, top: float, bottom: float) -> tuple[bool, int, float]:
        """Whether the body fits between ``top`` and ``bottom``, where the second column starts,
        and how much of the room the (taller) column needs: above 1 it does not fit."""
        heights = self.section_heights(self.column_width())
        room = max(bottom - top, 1e-6)
        if self.columns == 1:
            return sum(heights) <= room, len(heights), sum(heights) / room
        # The split that makes the taller column as short as possible.
        best, split = math.inf, len(heights)
        for n in range(len(heights) + 1):
            taller = max(sum(heights[:n]), sum(heights[n:]))
            if taller < best:
                best, split = taller, n
        return best <= room, split, best / room

    def body_top(self, dry: bool) -> float:
        top = self.margin + 4 * self.unit
        top += self.header(top, dry)
        if self.lead:
            top += self.quote(f"“{self.lead.text}”", self.margin, top, self.inner, dry)
            top += 2 * self.unit
        return top

    def footer_top(self) -> float:
        return self.height - self.margin - 4 * self.unit

    def fit(self) -> tuple[bool, int]:
        """Settle on the largest type scale (one of the steps from LARGEST down to SMALLEST) at
        which the card fits its page. The search measures with cached word widths (quick); the
        step it finds is then measured exactly, as drawn, and stepped down until it fits. When
        even the smallest step does not fit, the card overflows onto more pages in normal type."""
        steps = [LARGEST * SHRINK**n for n in range(64) if LARGEST * SHRINK**n >= SMALLEST]

        def attempt(index: int) -> tuple[bool, int, float]:
            self.scale = steps[index]
            return self.fits(self.body_top(True), self.footer_top())

        self.fitting = True
        try:
            self.quick = True
            low, high = 0, len(steps) - 1  # the first step that fits is in [low, high]
            while low < high:
                middle = (low + high) // 2
                if attempt(middle)[0]:
                    high = middle
                else:
                    low = middle + 1
            self.quick = False
            for index in range(low, len(steps)):
                fits, split, _ = attempt(index)
                if fits:
                    return True, split
            self.scale = 1.0
            return False, split
        finally:
            self.fitting = False
            self.quick = False

    def draw(self) -> None:
        pdf = self.pdf
        pdf.add_page()  # fpdf2 measures text on a page
        fits, split = self.fit()
        pdf.set_fill_color(self.accent)
        pdf.rect(self.margin, self.margin, self.inner, 1.4 * self.unit, style="F")
        top = self.body_top(False)
        if fits:
            width = self.column_width()
            for column, sections in enumerate((self.sections[:split], self.sections[split:])):
                x = self.margin + column * (width + self.gutter)
                y = top
                for section in sections:
                    for block in section:
                        y += self.block(block, x, y, width, False)
        else:
            self.overflow(top)
        self.footer()

    def overflow(self, top: float) -> None:
        """One column that continues on new pages: nothing of a long card is cut off."""
        y = top
        for section in self.sections:
            for block in _units(section):
                h = self.block(block, self.margin, 0, self.inner, True)
                if y + h > self.footer_top() and y > self.margin + 1:
                    self.footer()
                    self.pdf.add_page()
                    y = self.margin
                if h > self.footer_top() - y:
                    # Taller than a page: let fpdf2 break it across pages.
                    self.pdf.set_auto_page_break(True, self.height - self.footer_top())
                    self.block(block, self.margin, y, self.inner, False)
                    self.pdf.set_auto_page_break(False)
                    y = self.pdf.get_y()
                else:
                    y += self.block(block, self.margin, y, self.inner, False)

    def footer(self) -> None:
        if not self.card.footer:
            return
        pdf = self.pdf
        y = self.footer_top() + 1.2 * self.unit
        pdf.set_draw_color("#bbbbbb")
        pdf.set_line_width(0.2 * self.unit)
        pdf.line(self.margin, y, self.width - self.margin, y)
        style = Style(SIZE["footer"] * self.unit, colour="#555555")
        self.text(self.margin, y + 0.8 * self.unit, self.inner, self.card.footer, style, False)


class _Widths:
    """Line counts from cached word widths, for the search for a card's type size: the same
    words are measured at a dozen sizes, and a word's width grows in step with the size."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.unit: dict[tuple[str, str], float] = {}  # (font style, word) -> width at 1 pt

    def width(self, style: str, word: str) -> float:
        key = (style, word)
        found = self.unit.get(key)
        if found is None:
            self.pdf.set_font(FONT, style, 100)
            found = self.unit[key] = self.pdf.get_string_width(word) / 100
        return found

    def lines(self, text: str, w: float, style: Style) -> int:
        """How many lines ``text`` takes in a column ``w`` wide, broken at spaces as fpdf2
        does (a word wider than the column is broken where it reaches the edge)."""
        font = "B" if style.bold else "I" if style.italic else ""
        size = style.size
        space = self.width(font, " ") * size
        count, x = 1, 0.0
        for word in text.split(" "):
            length = self.width(font, word) * size
            if x and x + space + length <= w:
                x += space + length
                continue
            if x:
                count += 1
            while length > w:  # a word longer than the line
                count += 1
                length -= w
            x = length
        return count


def _units(blocks: Sequence[Block]) -> list[Block]:
    """Blocks cut into the smallest pieces that flow from page to page: a row, an item; a table
    row becomes its name and its cells as pairs."""
    units: list[Block] = []
    for block in blocks:
        if isinstance(block, Pairs):
            units += [Pairs((row,)) for row in block.rows]
        elif isinstance(block, Bullets):
            units += [Bullets((item,)) for item in block.items]
        elif isinstance(block, Table):
            for row in block.rows:
                units.append(Heading(row[0], level=3))
                units += [
                    Pairs(((h, cell),)) for h, cell in zip(block.headers[1:], row[1:], strict=False)
                ]
        else:
            units.append(block)
    return units


def _sections(blocks: Sequence[Block]) -> list[list[Block]]:
    """Each heading with what follows it, so that a column never splits them."""
    sections: list[list[Block]] = []
    for block in blocks:
        if isinstance(block, Heading) or not sections:
            sections.append([block])
        else:
            sections[-1].append(block)
    return sections
