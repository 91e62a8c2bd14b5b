"""fasewiel as a real process: the module entry point, Ctrl-C, and no traceback for any input."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fasewiel_cli.cli.app import app

runner = CliRunner()


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fasewiel", "check", "rood", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"phase": "reset"' in out.stdout


def test_ctrl_c_while_reading_stdin_exits_130_without_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "fasewiel", "check", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_blocked(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "Traceback" not in stderr


def wait_until_blocked(pid: int, timeout: float = 20.0) -> None:
    """Wait until the process has been asleep (blocked on its input) for a while."""
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + timeout
    asleep_since = None
    while time.monotonic() < deadline:
        state = next(line for line in status.read_text().splitlines() if line.startswith("State:"))
        if "S (sleeping)" in state:
            asleep_since = asleep_since or time.monotonic()
            if time.monotonic() - asleep_since > 0.3:
                return
        else:
            asleep_since = None
        time.sleep(0.02)
    raise AssertionError("the process never blocked on its input")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=20), max_size=5))
def test_any_arguments_give_a_clean_exit(args: list[str]) -> None:
    result = runner.invoke(app, ["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
