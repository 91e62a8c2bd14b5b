"""The README cannot drift from the program: help text, screenshot, commands, JSON fields."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from fasewiel_cli.cli.app import app
from fasewiel_cli.engine.advice import check
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.serialize import advice_to_dict

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_command_reference_is_current() -> None:
    assert load_generator().readme() == README, "run: python docs/generate.py"


def test_screenshot_is_current() -> None:
    svg = (ROOT / "docs" / "check.svg").read_text(encoding="utf-8")
    assert load_generator().screenshot() == svg, "run: python docs/generate.py"


def commands() -> list[str]:
    """Every command and group, sub-commands as "group command"."""
    names = []
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        names.append(name)
        names += [f"{name} {sub}" for sub in getattr(command, "commands", {})]
    return sorted(names)


def find_command(name: str) -> Any:
    command: Any = get_command(app)
    for part in name.split():
        command = command.commands[part]
    return command


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help_and_is_documented(name: str) -> None:
    assert find_command(name).help
    assert f"<!-- help: {name} -->" in README
    assert f"fasewiel {name}" in README


def test_quick_start_is_exactly_two_command_blocks() -> None:
    section = re.search(r"^## Quick start\n(.*?)^## ", README, re.S | re.M)
    assert section is not None
    blocks = re.findall(r"```sh\n(.*?)```", section.group(1), re.S)
    assert len(blocks) == 2
    assert section.group(1).count("```") == 4
    assert "fasewiel check" in blocks[0]
    assert "pytest" in blocks[1]


def test_every_json_field_is_documented(kb: KnowledgeBase) -> None:
    table = README.split("## JSON output")[1].split("## Where the knowledge")[0]
    documented = set(re.findall(r"`(\w+)`", table))
    fields = set(advice_to_dict(check("rood", kb=kb)))
    assert fields <= documented, fields - documented


def test_every_exit_code_is_documented() -> None:
    table = README.split("### Exit codes")[1].split("##")[0]
    for code in ("0", "1", "2", "130"):
        assert f"| {code} |" in table


def test_the_api_example_runs_and_prints_what_the_readme_says() -> None:
    section = README.split("## Python API")[1].split("\n## ")[0]
    code = section.split("```python\n")[1].split("```")[0]
    expected = section.split("```text\n")[1].split("```")[0]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == expected
