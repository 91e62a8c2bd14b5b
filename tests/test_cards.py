"""Reference cards (``fasewiel card``) and the ingredient glossary (``fasewiel ingredient``).

What a card says is checked against the knowledge base itself, so the cards and the advice can
never disagree; how each format looks is guarded by golden files; HTML, Markdown and SVG are fed
a hostile knowledge base; PDFs are read back as text with pypdf.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import shutil
import stat
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from fasewiel_cli.cli.app import app
from fasewiel_cli.cli.cards import Topic
from fasewiel_cli.engine.blocks import Bullets, Card, Heading, Pairs, Paragraph, Table, Wheel
from fasewiel_cli.engine.cards import TOPICS, build_cards, glossary, ingredient_card
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.models import KnowledgeBase, Lang
from fasewiel_cli.render import card_renderer_for
from fasewiel_cli.render.html import HtmlRenderer
from fasewiel_cli.render.pdf import PdfRenderer, _card_texts

LANGS: tuple[Lang, ...] = ("nl", "en")


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdfs(kb: KnowledgeBase) -> dict[tuple[str, str], bytes]:
    """Cards as PDF, made once (they are slow): every card in both languages on A5 and in Dutch
    on A6 (the smallest page, where a card is likeliest not to fit); a few on A4."""
    made = {}
    for lang, paper in (("nl", "a5"), ("en", "a5"), ("nl", "a6"), ("en", "a4")):
        cards = build_cards(kb, lang, PDF_TOPICS[lang, paper])  # type: ignore[arg-type]
        made[lang, paper] = PdfRenderer(paper, lang).cards(cards)
    return made


PDF_TOPICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("nl", "a5"): (),
    ("en", "a5"): (),
    ("nl", "a6"): (),
    ("en", "a4"): ("reset", "messengers"),
}


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# --- what the cards say ---------------------------------------------------------------------


def all_text(card: Card) -> str:
    return "\n".join(_card_texts(card))


def test_topics_are_the_cli_choices_in_order() -> None:
    assert tuple(t.value for t in Topic) == TOPICS
    assert TOPICS[:5] == ("reset", "activate", "repair", "radiance", "sustain")


@pytest.mark.parametrize("lang", LANGS)
def test_no_topic_gives_every_card_in_order(kb: KnowledgeBase, lang: Lang) -> None:
    assert [c.id for c in build_cards(kb, lang)] == list(TOPICS)
    assert [c.id for c in build_cards(kb, lang, ["wheel", "reset", "wheel"])] == ["wheel", "reset"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("phase_id", TOPICS[:5])
def test_phase_card_holds_everything_the_paper_gives_the_phase(
    kb: KnowledgeBase, phase_id: str, lang: Lang
) -> None:
    phase = kb.phase(phase_id)
    (card,) = build_cards(kb, lang, [phase_id])
    text = all_text(card)
    assert phase.name.get(lang) in card.title
    assert phase.tagline.get(lang) in card.title
    expected = [
        phase.nervous_system.get(lang),
        phase.core_message.get(lang),
        kb.phase(phase.next).name.get(lang),
        kb.texts.intensive_rule.get(lang),
        *(s.name.get(lang) for s in kb.signals_of(phase_id)),
        *phase.care.lifestyle.get(lang),
        *phase.care.ritual.get(lang),
        *phase.care.treatment.get(lang),
        *(use.role.get(lang) for use in phase.ingredients),
        *(kb.ingredient(use.ingredient).name.get(lang) for use in phase.ingredients),
    ]
    missing = [item for item in expected if item not in text]
    assert not missing
    wheel = next(b for b in card.blocks if isinstance(b, Wheel))
    assert wheel.current == phase.name.get(lang)
    assert wheel.next == kb.phase(phase.next).name.get(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_primary_signals_are_listed_apart_from_the_section_2_pictures(
    kb: KnowledgeBase, lang: Lang
) -> None:
    (card,) = build_cards(kb, lang, ["reset"])
    bullets = next(b for b in card.blocks if isinstance(b, Bullets))
    strongest = max(kb.weight(s, "reset") for s in kb.signals_of("reset"))
    assert list(bullets.items) == [
        s.name.get(lang) for s in kb.signals_of("reset") if kb.weight(s, "reset") == strongest
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_wheel_card_lists_the_cycle(kb: KnowledgeBase, lang: Lang) -> None:
    (card,) = build_cards(kb, lang, ["wheel"])
    pairs = next(b for b in card.blocks if isinstance(b, Pairs))
    assert pairs.rows == tuple((p.name.get(lang), p.tagline.get(lang)) for p in kb.phases)
    text = all_text(card)
    assert kb.cards.wheel.movement.text.get(lang) in text
    assert all(line in text for line in kb.cards.wheel.professionals.lines.get(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_messengers_card_is_the_section_2_table(kb: KnowledgeBase, lang: Lang) -> None:
    (card,) = build_cards(kb, lang, ["messengers"])
    (table,) = card.blocks
    assert isinstance(table, Table)
    assert len(table.headers) == 5
    assert [row[0] for row in table.rows] == [m.name.get(lang) for m in kb.messengers]
    for row, messenger in zip(table.rows, kb.messengers, strict=True):
        assert row[1:] == (
            messenger.role.get(lang),
            messenger.skin_effect.get(lang),
            messenger.shortage.get(lang),
            messenger.visible.get(lang),
        )


@pytest.mark.parametrize("lang", LANGS)
def test_nervous_system_card_has_sections_3_4_and_9(kb: KnowledgeBase, lang: Lang) -> None:
    (card,) = build_cards(kb, lang, ["nervous-system"])
    text = all_text(card)
    nerve = kb.cards.nervous_system
    assert len(nerve.parts) == 3
    for part in nerve.parts:
        assert part.name.get(lang) in text
        assert part.text.get(lang) in text
    assert all(line in text for line in nerve.touch.lines.get(lang))
    assert nerve.devices.text.get(lang) in text


def test_card_texts_name_their_source(kb: KnowledgeBase) -> None:
    wheel = kb.cards.wheel
    assert wheel.source == "§7"
    assert wheel.professionals.source == "§10"
    assert wheel.movement.derived  # an interpretation, and labelled so
    nerve = kb.cards.nervous_system
    assert nerve.touch.source == "§4"
    assert nerve.devices.source == "§9"


# --- the command ----------------------------------------------------------------------------


def test_unknown_topic_is_a_usage_error_naming_the_choices(runner: CliRunner) -> None:
    result = runner.invoke(app, ["card", "resett"])
    assert result.exit_code == 2
    assert "nervous-system" in result.stderr


def test_topics_ignore_case(runner: CliRunner) -> None:
    result = runner.invoke(app, ["card", "Reset", "WHEEL", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n---\n") == 1


@pytest.mark.parametrize(
    ("name", "start"),
    [("c.pdf", b"%PDF-"), ("c.html", b"<!DOCTYPE html>"), ("c.svg", b"<svg"), ("c.md", b"# ")],
)
def test_output_format_follows_the_file_extension(
    runner: CliRunner, tmp_path: Path, name: str, start: bytes
) -> None:
    target = tmp_path / name
    result = runner.invoke(app, ["card", "wheel", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(start)
    assert result.stdout == ""


def test_cards_file_is_readable_like_any_new_file(runner: CliRunner, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["card", "wheel", "-o", str(tmp_path / "c.html")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "c.html").stat().st_mode) == 0o644


def test_failed_run_leaves_the_old_file_alone(runner: CliRunner, kb_copy: Path) -> None:
    target = kb_copy.parent / "cards.pdf"
    target.write_bytes(b"the previous cards")
    edit_yaml(kb_copy / "phases.yaml", lambda d: set_core_message(d, "nl", "bloei ✿ en groei"))
    result = runner.invoke(app, ["card", "reset", "-o", str(target), "--data", str(kb_copy)])
    assert result.exit_code == 1
    assert "U+273F" in result.stderr
    assert "--format html" in result.stderr
    assert target.read_bytes() == b"the previous cards"
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".")] == []


def test_missing_folder_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["card", "-o", str(tmp_path / "nowhere" / "c.md")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_pdf_refuses_a_terminal(tmp_path: Path) -> None:
    """A real pseudo-terminal on stdout: the binary PDF must not be poured into it."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "fasewiel", "card", "reset", "--format", "pdf"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
            cwd=tmp_path,
        )
        os.set_blocking(controller, False)
        try:
            shown = os.read(controller, 65536)
        except BlockingIOError:
            shown = b""
    finally:
        os.close(controller)
        os.close(terminal)
    assert process.returncode == 2
    assert b"-o cards.pdf" in process.stderr
    assert b"%PDF" not in shown


def test_pdf_goes_to_a_pipe(runner: CliRunner) -> None:
    result = runner.invoke(app, ["card", "wheel", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(result.stdout_bytes)).pages) == 1


# --- golden files, one per format and language --------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("html", "html")])
def test_cards_golden(
    runner: CliRunner, fmt: str, suffix: str, lang: str, golden: Callable[[str, str], None]
) -> None:
    result = runner.invoke(app, ["card", "--format", fmt, "--lang", lang])
    assert result.exit_code == 0, result.output
    golden(f"cards.{lang}.{suffix}", result.stdout)


@pytest.mark.parametrize("lang", LANGS)
def test_svg_card_golden(runner: CliRunner, lang: str, golden: Callable[[str, str], None]) -> None:
    result = runner.invoke(app, ["card", "reset", "--format", "svg", "--lang", lang])
    assert result.exit_code == 0, result.output
    golden(f"card-reset.{lang}.svg", result.stdout)


@pytest.mark.parametrize("lang", LANGS)
def test_rich_cards_are_framed_per_card(runner: CliRunner, lang: str) -> None:
    result = runner.invoke(app, ["card", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("╭") >= len(TOPICS)
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal


@pytest.mark.parametrize("fmt", ["html", "markdown", "text", "svg"])
def test_text_formats_are_deterministic(kb: KnowledgeBase, fmt: str) -> None:
    cards = build_cards(kb, "nl")
    first = card_renderer_for(Format(fmt)).cards(cards)
    assert first == card_renderer_for(Format(fmt)).cards(build_cards(kb, "nl"))


# --- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("a4", "210mm 297mm"), ("a5", "148mm 210mm")])
def test_html_prints_one_card_per_page(kb: KnowledgeBase, paper: str, size: str) -> None:
    html = HtmlRenderer(paper, "nl").cards(build_cards(kb, "nl"))
    assert f"@page {{ size: {size};" in html
    assert html.count('<section class="card') == len(TOPICS)
    assert "break-after: page" in html
    assert html.count("<svg") == 6  # the wheel on the five phase cards and the wheel card


def test_html_is_self_contained(kb: KnowledgeBase) -> None:
    html = HtmlRenderer("a5", "en").cards(build_cards(kb, "en"))
    for reference in ("http:", "https:", "<link", "<script", "<img", "@import", " src="):
        assert reference not in html
    # The only references are to each wheel's own arrowhead, one id per wheel.
    references = set(re.findall(r"url\(([^)]*)\)", html))
    assert references == {f"#arrow-{topic}" for topic in (*TOPICS[:5], "wheel")}
    assert len(re.findall(r'id="arrow-', html)) == len(references)
    assert '<html lang="en">' in html
    assert '<meta charset="utf-8">' in html


# --- a hostile knowledge base -----------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> </style> & *b* | [l](j:)'


def edit_yaml(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")


def set_core_message(document: Any, lang: str, text: str) -> None:
    document["phases"][0]["core_message"][lang] = text


@pytest.fixture
def hostile(kb_copy: Path) -> Path:
    """The built-in knowledge base with markup in a title, a core message and a table cell."""

    def phases(document: Any) -> None:
        for lang in LANGS:
            set_core_message(document, lang, HOSTILE)
            document["phases"][0]["tagline"][lang] = HOSTILE

    def messengers(document: Any) -> None:
        document["messengers"][0]["visible"]["nl"] = HOSTILE

    edit_yaml(kb_copy / "phases.yaml", phases)
    edit_yaml(kb_copy / "messengers.yaml", messengers)
    return kb_copy


def test_html_escapes_every_text_of_a_custom_knowledge_base(
    runner: CliRunner, hostile: Path
) -> None:
    result = runner.invoke(app, ["card", "-f", "html", "--data", str(hostile)])
    assert result.exit_code == 0, result.output
    html = result.stdout
    assert "<script" not in html
    assert "<img" not in html
    assert html.count("</style>") == 1  # only the document's own
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&amp; *b*" in html


def test_markdown_escapes_a_custom_knowledge_base(runner: CliRunner, hostile: Path) -> None:
    result = runner.invoke(app, ["card", "messengers", "reset", "-f", "markdown", *data(hostile)])
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert not re.search(r"(?<!\\)<", md)  # every angle bracket escaped
    assert "\\<script\\>" in md
    assert "\\*b\\*" in md
    assert "\\[l\\](j:)" in md
    # The pipe in a cell is escaped: every table row still has exactly five cells.
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert rows
    assert all(line.replace("\\|", "").count("|") == 6 for line in rows)


def test_svg_escapes_a_custom_knowledge_base(runner: CliRunner, hostile: Path) -> None:
    result = runner.invoke(app, ["card", "reset", "-f", "svg", "--lang", "en", *data(hostile)])
    assert result.exit_code == 0, result.output
    assert "<script" not in result.stdout
    assert "&lt;script" in result.stdout.replace("\n", "")


def test_svg_does_not_fetch_fonts(runner: CliRunner) -> None:
    svg = runner.invoke(app, ["card", "wheel", "-f", "svg"]).stdout
    assert "@font-face" not in svg
    assert "url(http" not in svg
    assert "cdnjs" not in svg


def test_pdf_keeps_markup_as_plain_text(hostile: Path, runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "c.pdf"
    result = runner.invoke(app, ["card", "reset", "-o", str(target), *data(hostile)])
    assert result.exit_code == 0, result.output
    (text,) = pages(target.read_bytes())
    assert squeeze(HOSTILE) in squeeze(text)


def data(folder: Path) -> list[str]:
    return ["--data", str(folder)]


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "paper"), [("nl", "a5"), ("en", "a5"), ("nl", "a6"), ("en", "a4")]
)
def test_pdf_has_one_page_per_card_in_topic_order(
    pdfs: dict[tuple[str, str], bytes], kb: KnowledgeBase, lang: Lang, paper: str
) -> None:
    texts = pages(pdfs[lang, paper])
    cards = build_cards(kb, lang, PDF_TOPICS[lang, paper])
    assert len(texts) == len(cards)
    for text, card in zip(texts, cards, strict=True):
        assert squeeze(card.title) in squeeze(text)


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_text_extracts_back_completely(
    pdfs: dict[tuple[str, str], bytes], kb: KnowledgeBase, lang: Lang
) -> None:
    """Every text of every card is on its page, character for character."""
    for text, card in zip(pages(pdfs[lang, "a5"]), build_cards(kb, lang), strict=True):
        page = squeeze(text)
        for block in card.blocks:
            if isinstance(block, Heading):
                assert squeeze(block.text.upper()) in page
            elif isinstance(block, Paragraph):
                assert squeeze(block.text) in page
        expected = [t for t in _card_texts(card) if t]
        missing = [t for t in expected if squeeze(t) not in page and squeeze(t.upper()) not in page]
        assert not missing, card.id


def test_pdf_draws_and_extracts_dutch_and_english_typography() -> None:
    sample = "cliënt café naïef óók ‘enkel’ “dubbel” – streep"
    card = Card("sample", "Tëst – “kaart”", None, (Paragraph(sample), Bullets(("één", "twee"))))
    (text,) = pages(PdfRenderer("a6", "nl").cards([card]))
    assert sample in " ".join(text.split())
    assert "• één" in text
    assert "Tëst – “kaart”" in text


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_of_the_knowledge_base_keeps_its_special_characters(
    pdfs: dict[tuple[str, str], bytes], lang: Lang
) -> None:
    text = "".join(pages(pdfs[lang, "a5"]))
    for char in "‘’“”–•" + ("ëï" if lang == "nl" else ""):
        assert char in text, char


def test_pdf_is_byte_identical_for_the_same_input(
    pdfs: dict[tuple[str, str], bytes], kb: KnowledgeBase
) -> None:
    again = PdfRenderer("a5", "nl").cards(build_cards(kb, "nl"))
    assert again == pdfs["nl", "a5"]
    assert b"/CreationDate (D:20261101000000Z)" in again


def test_pdf_page_size_follows_the_paper(pdfs: dict[tuple[str, str], bytes]) -> None:
    sizes = {
        paper: PdfReader(io.BytesIO(pdfs[lang, paper])).pages[0].mediabox for lang, paper in pdfs
    }
    millimetres = {
        p: (round(float(b.width) * 25.4 / 72), round(float(b.height) * 25.4 / 72))
        for p, b in sizes.items()
    }
    assert millimetres == {"a4": (210, 297), "a5": (148, 210), "a6": (105, 148)}


def test_a_card_too_long_for_its_page_continues_without_losing_text() -> None:
    items = tuple(f"regel {n}: " + "woorden " * 12 for n in range(160))
    card = Card("long", "Lang", None, (Heading("Alles"), Bullets(items)), footer="voet")
    texts = pages(PdfRenderer("a6", "nl").cards([card]))
    assert len(texts) > 1
    joined = squeeze("".join(texts))
    assert all(squeeze(item) in joined for item in items)


def test_a_character_the_font_lacks_is_refused_not_boxed() -> None:
    card = Card("x", "漢字", None, ())
    with pytest.raises(FasewielError, match="U\\+6F22"):
        PdfRenderer().cards([card])


def test_bold_and_italic_fonts_cover_what_the_regular_one_does() -> None:
    from fontTools.ttLib import TTFont

    fonts = Path(sys.modules["fasewiel_cli.render"].__file__ or "").parent / "fonts"
    cmaps = []
    for style in ("", "-Bold", "-Oblique"):
        with TTFont(fonts / f"DejaVuSans{style}.ttf") as font:
            cmaps.append(set(font.getBestCmap()))
    assert cmaps[0] == cmaps[1] == cmaps[2]
    assert (fonts / "LICENSE").read_text(encoding="utf-8").count("Bitstream") > 1


# --- the ingredient glossary ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_lists_every_ingredient_with_its_roles(kb: KnowledgeBase, lang: Lang) -> None:
    card = glossary(kb, lang)
    text = all_text(card)
    headings = [b.text for b in card.blocks if isinstance(b, Heading)]
    assert sorted(headings, key=str.casefold) == headings
    assert len(headings) == len(kb.ingredients)
    for phase in kb.phases:
        for use in phase.ingredients:
            assert use.role.get(lang) in text


def test_niacinamide_has_three_roles(kb: KnowledgeBase) -> None:
    card = ingredient_card(kb, "nl", "niacinamide")
    pairs = next(b for b in card.blocks if isinstance(b, Pairs))
    assert [name for name, _ in pairs.rows] == ["Reset", "Activate", "Repair"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("niacinamide", "niacinamide"),
        ("hyaluronzuur", "hyaluronic_acid"),
        ("Hyaluronic Acid", "hyaluronic_acid"),
        ("hyaluronzur", "hyaluronic_acid"),
        ("retinoiden", "retinoids"),
        ("vitamine b3", "niacinamide"),
    ],
)
def test_ingredient_lookup_is_lenient(runner: CliRunner, name: str, expected: str) -> None:
    result = runner.invoke(app, ["ingredient", name, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1
    assert doc["id"] == expected


def test_ingredient_json_gives_every_phase_role(runner: CliRunner, kb: KnowledgeBase) -> None:
    doc = json.loads(
        runner.invoke(app, ["ingredient", "niacinamide", "-f", "json", "-l", "en"]).stdout
    )
    uses = [
        (p.id, u.role.en) for p in kb.phases for u in p.ingredients if u.ingredient == "niacinamide"
    ]
    assert [(p["phase"], p["role"]) for p in doc["phases"]] == uses
    assert doc["lang"] == "en"
    assert doc["source"]


def test_glossary_json_lists_every_ingredient(runner: CliRunner, kb: KnowledgeBase) -> None:
    doc = json.loads(runner.invoke(app, ["ingredient", "--format", "json"]).stdout)
    assert sorted(i["id"] for i in doc["ingredients"]) == sorted(i.id for i in kb.ingredients)


def test_unknown_ingredient_says_what_is_known(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingredient", "kryptonite"])
    assert result.exit_code == 1
    assert "onbekend ingrediënt 'kryptonite'" in result.stderr
    assert "bekende ingrediënten: Niacinamide" in result.stderr
    english = runner.invoke(app, ["ingredient", "kryptonite", "--lang", "en"])
    assert "unknown ingredient 'kryptonite'" in english.stderr


@pytest.mark.parametrize("fmt", ["rich", "text", "markdown"])
def test_ingredient_card_in_each_format(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(app, ["ingredient", "ceramiden", "-f", fmt, "-l", "en"])
    assert result.exit_code == 0, result.output
    assert "Ceramides" in result.stdout
    assert "strengthen the barrier" in result.stdout
    assert "Source: §8" in result.stdout.replace("\\", "")


# --- odd targets, odd texts ---------------------------------------------------------------------


def test_a_read_only_file_is_refused_and_kept(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "c.html"
    target.write_text("mine", encoding="utf-8")
    target.chmod(0o444)
    result = runner.invoke(app, ["card", "reset", "-o", str(target)])
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine"


def test_a_symbolic_link_is_followed_and_kept(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("old", encoding="utf-8")
    (tmp_path / "link.md").symlink_to("real.md")
    assert runner.invoke(app, ["card", "reset", "-o", str(tmp_path / "link.md")]).exit_code == 0
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_text(encoding="utf-8").startswith("# Reset")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a link to another user needs root")
def test_a_symbolic_link_of_another_user_is_not_followed(runner: CliRunner, tmp_path: Path) -> None:
    """In a folder others may write to (/tmp), another user's link would have us overwrite a
    file of theirs choosing (a ~/.bashrc) with an export of personal data."""
    (tmp_path / "precious").write_text("mine", encoding="utf-8")
    link = tmp_path / "export.md"
    link.symlink_to(tmp_path / "precious")
    os.lchown(link, 65534, 65534)  # (nobody's)
    result = runner.invoke(app, ["card", "reset", "-o", str(link)])
    assert result.exit_code == 1
    assert "symbolic link of another user" in result.stderr
    assert (tmp_path / "precious").read_text(encoding="utf-8") == "mine"
    mine = tmp_path / "mine.md"
    mine.symlink_to(link)  # (a link of one's own that leads to theirs)
    result = runner.invoke(app, ["card", "reset", "-o", str(mine)])
    assert result.exit_code == 1
    assert (tmp_path / "precious").read_text(encoding="utf-8") == "mine"
    os.mkfifo(tmp_path / "fifo")
    pipe = tmp_path / "pipe.md"
    pipe.symlink_to(tmp_path / "fifo")
    os.lchown(pipe, 65534, 65534)
    result = runner.invoke(app, ["card", "reset", "-o", str(pipe)])  # (never waits on the pipe)
    assert result.exit_code == 1
    assert "symbolic link of another user" in result.stderr


def test_a_device_is_written_in_place_never_replaced(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "null.txt").symlink_to(os.devnull)
    result = runner.invoke(app, ["card", "reset", "-o", str(tmp_path / "null.txt")])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    assert (tmp_path / "null.txt").is_symlink()


def test_an_unknown_extension_asks_for_a_format(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["card", "-o", str(tmp_path / "c.json")])
    assert result.exit_code == 2
    assert "add --format" in result.stderr
    assert not (tmp_path / "c.json").exists()


def test_markdown_escapes_every_line_of_a_text(runner: CliRunner, kb_copy: Path) -> None:
    text = "|-\n      tekst\n      # KOP\n      1. lijst\n      - item\n      ---\n      ==="
    edit_yaml(kb_copy / "phases.yaml", lambda d: set_core_message(d, "nl", "PLACEHOLDER"))
    path = kb_copy / "phases.yaml"
    path.write_text(path.read_text("utf-8").replace("nl: PLACEHOLDER", "nl: " + text), "utf-8")
    result = runner.invoke(app, ["card", "reset", "-f", "markdown", "--data", str(kb_copy)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for line in ("\\# KOP", "1\\. lijst", "\\- item", "\\---", "\\==="):
        assert line in lines


def test_svg_does_not_depend_on_the_environment(runner: CliRunner) -> None:
    plain = runner.invoke(app, ["card", "reset", "-f", "svg"]).stdout
    for env in ({"TERM": "dumb"}, {"COLUMNS": "40", "COLORTERM": "truecolor"}, {"NO_COLOR": ""}):
        assert runner.invoke(app, ["card", "reset", "-f", "svg"], env=env).stdout == plain


def test_pdf_composes_accents_typed_as_separate_marks() -> None:
    card = Card("x", "Cafe\u0301", None, (Paragraph("nai\u0308ef"),))
    (text,) = pages(PdfRenderer("a6", "nl").cards([card]))
    assert "Café" in text
    assert "naïef" in text  # composed: one letter, as the font has it


def test_pdf_refuses_a_heading_letter_whose_capital_the_font_lacks() -> None:
    card = Card("x", "Dosering", None, (Heading("5 µg per dag"),))
    with pytest.raises(FasewielError, match="U\\+039C"):
        PdfRenderer().cards([card])


def test_a_huge_table_cell_flows_over_pages_without_losing_text() -> None:
    cell = " ".join(f"woord{n}" for n in range(2500))
    table = Table(("naam", "tekst", "kort"), (("rij1", cell, "ok"), ("rij2", "x", "y")))
    texts = pages(PdfRenderer("a5", "nl").cards([Card("m", "Tabel", None, (table,))]))
    assert len(texts) > 1
    joined = squeeze("".join(texts))
    assert squeeze(cell) in joined
    assert "RIJ2" in joined


def test_an_empty_ingredient_name_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingredient", "  "])
    assert result.exit_code == 2
    assert "the name is empty" in result.stderr


def test_a_control_character_in_a_name_is_shown_escaped(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingredient", "\x1b[2Jnia"])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert "\\x1b[2Jnia" in result.stderr


# --- HTML cards in a real browser -------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium and sets this: there the test must run, never skip.
REQUIRE_CHROMIUM = os.environ.get("FASEWIEL_REQUIRE_CHROMIUM") == "1"


def print_to_pdf(html: Path, pdf: Path, profile: Path) -> None:
    """Print ``html`` as Chromium does for a user's print dialog (headless, no network)."""
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.skipif(
    CHROMIUM is None and not REQUIRE_CHROMIUM, reason="Chromium is not installed (.ci/run has it)"
)
@pytest.mark.parametrize("paper", ["a4", "a5", "a6"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_chromium_prints_each_html_card_on_one_page(
    tmp_path: Path, paper: str, lang: Lang, kb: KnowledgeBase
) -> None:
    """Printed from a browser, eight cards are eight pages of the paper asked for: no card runs
    onto a second page, no table is split, no text is lost."""
    cards = build_cards(kb, lang)
    html, pdf = tmp_path / "cards.html", tmp_path / "cards.pdf"
    html.write_text(HtmlRenderer(paper, lang).cards(cards), encoding="utf-8")
    print_to_pdf(html, pdf, tmp_path / "profile")
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(cards)
    width, height = {"a4": (210, 297), "a5": (148, 210), "a6": (105, 148)}[paper]
    box = reader.pages[0].mediabox
    assert abs(float(box.width) * 25.4 / 72 - width) < 1
    assert abs(float(box.height) * 25.4 / 72 - height) < 1
    for card, page in zip(cards, reader.pages, strict=True):
        # (NFKC: the browser's font joins "ff" into one ligature)
        text = " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        assert " ".join(card.title.split()) in text  # each page is its own card, in order
        if card.footer:
            assert " ".join(card.footer.split())[:30] in text  # (its end is on the page too)


def test_an_html_card_may_hold_what_the_pdf_font_cannot_draw(
    kb_copy: Path, runner: CliRunner, tmp_path: Path
) -> None:
    path = kb_copy / "phases.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("de noodrem van de huid", "de noodrem 🌿 漢字", 1), encoding="utf-8"
    )
    html = runner.invoke(app, ["card", "reset", "--data", str(kb_copy), "-f", "html"])
    assert html.exit_code == 0, html.output
    assert "de noodrem 🌿 漢字" in html.stdout
    target = str(tmp_path / "x.pdf")
    pdf = runner.invoke(app, ["card", "reset", "--data", str(kb_copy), "-f", "pdf", "-o", target])
    assert pdf.exit_code == 1
    assert "U+1F33F" in pdf.stderr


def test_a_dash_as_the_output_is_standard_output(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["card", "reset", "-f", "markdown", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Reset")
    assert not (tmp_path / "-").exists()
