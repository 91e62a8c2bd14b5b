"""Regenerate what the README shows from the program itself, so the docs cannot drift.

- the command reference: every ``<!-- help: ARGS -->`` block in README.md is replaced by the
  output of ``fasewiel ARGS --help``;
- the screenshot: docs/check.svg, a ``fasewiel check`` exported by Rich;
- on request (``--picture``), docs/card-reset.png: the Reset card as printed, drawn from the PDF
  by poppler's ``pdftoppm`` (a system tool, so not part of ``--check``).

    python docs/generate.py            # rewrite README.md and docs/check.svg
    python docs/generate.py --check    # exit 1 if either is out of date (tests/test_docs.py)
    python docs/generate.py --picture  # also redraw docs/card-reset.png
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SCREENSHOT = ROOT / "docs" / "check.svg"
SCREENSHOT_TEXT = "rode wangen, jeuk en fijne lijntjes"
SCREENSHOT_TREATMENT = "microneedling"
WIDTH = 100
HELP_BLOCK = re.compile(r"(<!-- help:(?P<args>[^>]*?)-->\n```text\n)(?P<body>.*?)(```\n)", re.S)


def command_help(args: str) -> str:
    """``fasewiel ARGS --help`` as plain text at a fixed width."""
    from typer.testing import CliRunner

    from fasewiel_cli.cli.app import app

    env = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, [*args.split(), "--help"], env=env)
    lines = [line.rstrip() for line in result.stdout.strip("\n").splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def readme() -> str:
    text = README.read_text(encoding="utf-8")
    return HELP_BLOCK.sub(lambda m: m.group(1) + command_help(m.group("args")) + m.group(4), text)


def screenshot() -> str:
    from rich.console import Console

    from fasewiel_cli.engine.advice import check
    from fasewiel_cli.engine.blocks import advice_blocks
    from fasewiel_cli.knowledge.load import load_knowledge
    from fasewiel_cli.render.rich import build

    advice = check(SCREENSHOT_TEXT, treatments=[SCREENSHOT_TREATMENT], kb=load_knowledge())
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True)
    console.print(build(advice_blocks(advice), WIDTH))
    title = f'fasewiel check "{SCREENSHOT_TEXT}" --treatment {SCREENSHOT_TREATMENT}'
    return console.export_svg(title=title)


PICTURE = ROOT / "docs" / "card-reset.png"


def picture() -> None:
    """The Reset card, printed on A5 as PDF, as a PNG for the README."""
    import subprocess
    import tempfile

    from fasewiel_cli.engine.cards import build_cards
    from fasewiel_cli.knowledge.load import load_knowledge
    from fasewiel_cli.render.pdf import PdfRenderer

    pdf = PdfRenderer("a5", "nl").cards(build_cards(load_knowledge(), "nl", ["reset"]))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "card.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-singlefile",
                str(source),
                str(PICTURE.with_suffix("")),
            ],
            check=True,
        )
    print(f"rewrote {PICTURE.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report whether files are stale")
    parser.add_argument("--picture", action="store_true", help="also redraw docs/card-reset.png")
    args = parser.parse_args()
    if args.picture:
        picture()
    stale = []
    for path, content in ((README, readme()), (SCREENSHOT, screenshot())):
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.write_text(content, encoding="utf-8")
    if stale and args.check:
        print(f"out of date: {', '.join(map(str, stale))}; run python docs/generate.py")
        return 1
    for path in stale:
        print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
