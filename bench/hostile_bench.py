"""How long fasewiel takes to refuse each hostile knowledge-base file (tests/fixtures/hostile/,
plus a file over 1 MiB and 100,000 nested brackets made here).

Each case runs ``fasewiel phases --data COPY`` as a fresh process, against a baseline in the same
run: the same command on a clean copy with an empty cache (a cold, full load). Runs are
interleaved so machine noise hits all alike; medians are printed with each case's ratio to the
baseline. Target: every refusal within a second, i.e. no slower than a normal cold load.

    python bench/hostile_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "hostile"
# fixture -> the file of a knowledge base it replaces (as in tests/test_data.py)
CASES = {
    "python_tag.yaml": "phases.yaml",
    "alias_bomb.yaml": "signals.yaml",
    "duplicate_key.yaml": "knowledge.yaml",
    "latin1.yaml": "messages.yaml",
    "binary.yaml": "cards.yaml",
    "empty.yaml": "language.yaml",
    "tabs.yaml": "knowledge.yaml",
    "list_for_mapping.yaml": "knowledge.yaml",
    "number_for_text.yaml": "knowledge.yaml",
    "bool_for_text.yaml": "knowledge.yaml",
}
TARGET_SECONDS = 1.0


def make_cases(work: Path, script: str, env: dict[str, str]) -> dict[str, Path]:
    clean = work / "clean"
    subprocess.run([script, "data", "init", str(clean)], check=True, stdout=subprocess.DEVNULL)
    folders = {"baseline (clean, cold)": clean}
    for fixture, target in CASES.items():
        folder = work / fixture.removesuffix(".yaml")
        shutil.copytree(clean, folder)
        shutil.copyfile(FIXTURES / fixture, folder / target)
        folders[fixture] = folder
    big = work / "over_1_mib"
    shutil.copytree(clean, big)
    with (big / "treatments.yaml").open("a", encoding="utf-8") as file:
        file.write("# " + "x" * (1024 * 1024) + "\n")
    folders["over 1 MiB"] = big
    deep = work / "deep"
    shutil.copytree(clean, deep)
    (deep / "phases.yaml").write_text("phases: " + "[" * 100_000 + "]" * 100_000 + "\n")
    folders["100,000 nested brackets"] = deep
    return folders


def timed(command: list[str], env: dict[str, str], expect: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != expect or b"Traceback" in done.stderr:
        sys.exit(f"unexpected result ({done.returncode}) for {command}: {done.stderr[-300:]!r}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs of each case (at least 3)")
    args = parser.parse_args()
    script = shutil.which("fasewiel", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("fasewiel is not installed in this Python's environment: pip install -e .")
    env = {**os.environ, "FASEWIEL_LANG": "nl"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("FASEWIEL_DATA", None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folders = make_cases(work, script, env)
        times: dict[str, list[float]] = {name: [] for name in folders}
        for run in range(max(args.runs, 3)):
            for name, folder in folders.items():
                # A fresh, empty cache every time: the baseline is a cold load.
                cache = work / f"cache-{run}-{len(times[name])}-{folder.name}"
                run_env = {**env, "XDG_CACHE_HOME": str(cache)}
                expect = 0 if name.startswith("baseline") else 1
                times[name].append(
                    timed([script, "phases", "--data", str(folder)], run_env, expect)
                )
    base = statistics.median(times["baseline (clean, cold)"])
    worst = 0.0
    print(f"{'case':<28} {'median':>9} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        worst = max(worst, median)
        print(f"{name:<28} {median * 1000:>7.0f} ms {median / base:>6.2f}")
    verdict = "ok" if worst <= TARGET_SECONDS else "over target"
    print(f"slowest: {worst * 1000:.0f} ms (target <= {TARGET_SECONDS:.0f} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
