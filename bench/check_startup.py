"""Time ``fasewiel check roodheid jeuk`` against the framework's floor (bench/floor_app.py).

Both run as fresh processes with the same interpreter, interleaved so that machine noise hits both
alike; the ratio of the medians is printed. Target: ratio <= 1.2.

    python bench/check_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 1.2


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs of each (at least 10)")
    args = parser.parse_args()
    env = {**os.environ, "FASEWIEL_LANG": "nl", "COLUMNS": "100"}
    # Users' Pythons cache bytecode; this machine's environment may say not to, which would
    # make every run compile fasewiel from source while the libraries' bytecode is installed.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The installed console script, exactly as a user types it.
    script = shutil.which("fasewiel", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("fasewiel is not installed in this Python's environment: pip install -e .")
    fasewiel = [script, "check", "roodheid", "jeuk"]
    floor = [sys.executable, str(HERE / "floor_app.py"), "roodheid", "jeuk"]
    # Warm-up: fills the knowledge-base cache and the OS file cache for both.
    timed(fasewiel, env)
    timed(floor, env)
    ours: list[float] = []
    base: list[float] = []
    for _ in range(max(args.runs, 10)):
        ours.append(timed(fasewiel, env))
        base.append(timed(floor, env))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"floor (typer + one rich panel): median {statistics.median(base) * 1000:.0f} ms")
    print(f"fasewiel check roodheid jeuk:   median {statistics.median(ours) * 1000:.0f} ms")
    verdict = "ok" if ratio <= TARGET else "over target"
    print(f"ratio {ratio:.2f} (target <= {TARGET}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
