"""Shared fixtures: every test runs away from the user's real folders and settings."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fasewiel_cli.knowledge.load import builtin_data_dir, load_knowledge
from fasewiel_cli.knowledge.models import KnowledgeBase


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the files in tests/golden/ from the current output",
    )


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cache for the whole session: the knowledge base is validated once, then unpickled.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_home: Path) -> None:
    monkeypatch.setenv("FASEWIEL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    for name in ("FASEWIEL_DATA", "FASEWIEL_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")  # (what a terminal can do is never the machine's)


@pytest.fixture(scope="session")
def kb(cache_home: Path) -> KnowledgeBase:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache_home))
        return load_knowledge()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the built-in knowledge base, for tests that break it on purpose."""
    target = tmp_path / "kb"
    shutil.copytree(builtin_data_dir(), target)
    return target


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden(update_golden: bool) -> Callable[[str, str], None]:
    """``golden(name, actual)``: assert ``actual`` equals tests/golden/NAME (rewritten first
    under ``--update-golden``)."""

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update_golden:
            path.write_text(actual, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert actual == path.read_text(encoding="utf-8")

    return compare


Interrupt = Callable[..., None]


@pytest.fixture
def interrupt_once_writing() -> Interrupt:
    return _interrupt_once_writing


def _interrupt_once_writing(
    process: subprocess.Popen[str], folder: Path, within: float, signum: int = signal.SIGINT
) -> None:
    """Ctrl-C (or ``signum``) ``process`` once its output file in ``folder`` has begun (a
    ``.tmp`` beside it), not while Python is still starting."""
    deadline = time.monotonic() + within
    while not any(p.name.endswith(".tmp") for p in folder.iterdir()):
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    process.send_signal(signum)


def english(message: object) -> str:
    """A message of fasewiel's (``errors.Message``) as it reads in English."""
    from fasewiel_cli.errors import Message

    assert isinstance(message, Message), message
    return load_knowledge().say(message, "en")
