"""Golden files for the text and Markdown views: the exact output, reviewed in diffs.

Regenerate after an intended change with ``pytest tests/test_golden.py --update-golden``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from fasewiel_cli.cli.app import app

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


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", list(CASES))
def test_check_golden(case: str, fmt: str, lang: str, golden: Callable[[str, str], None]) -> None:
    result = runner.invoke(app, ["check", *CASES[case], "--format", fmt, "--lang", lang])
    assert result.exit_code == 0, result.output
    golden(f"check-{case}.{lang}.{FORMATS[fmt]}", result.stdout)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("command", ["phases", "signals"])
def test_reference_golden(command: str, lang: str, golden: Callable[[str, str], None]) -> None:
    result = runner.invoke(app, [command, "--format", "markdown", "--lang", lang])
    assert result.exit_code == 0, result.output
    golden(f"{command}.{lang}.md", result.stdout)
