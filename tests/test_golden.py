"""Golden files for the text and Markdown views: the exact output, reviewed in diffs.

Regenerate after an intended change with ``pytest tests/test_golden.py --update-golden``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fasewiel_cli.cli import app

GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()

CASES = {
    "reset": ["roodheid", "jeuk"],
    "calm-first": [
        "fijne lijntjes, littekens, jeuk, geen branderigheid, superdroog",
        "-t",
        "microneedling",
        "-t",
        "led",
    ],
    "activate": ["vale teint en een strak gevoel", "-t", "doorbloedingstechnieken"],
    "red-flag": ["rode wangen en een moedervlek die bloedt"],
}
FORMATS = {"text": "txt", "markdown": "md"}


def compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", list(CASES))
def test_check_golden(case: str, fmt: str, lang: str, update_golden: bool) -> None:
    result = runner.invoke(app, ["check", *CASES[case], "--format", fmt, "--lang", lang])
    assert result.exit_code == 0, result.output
    compare(f"check-{case}.{lang}.{FORMATS[fmt]}", result.stdout, update_golden)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("command", ["phases", "signals"])
def test_reference_golden(command: str, lang: str, update_golden: bool) -> None:
    result = runner.invoke(app, [command, "--format", "markdown", "--lang", lang])
    assert result.exit_code == 0, result.output
    compare(f"{command}.{lang}.md", result.stdout, update_golden)
