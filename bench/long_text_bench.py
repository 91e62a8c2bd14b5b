"""Time for one long text: ``fasewiel check`` and a one-record ``fasewiel batch`` stay linear.

Three kinds of text, each at 100 KB and at 1 MB: natural Dutch (the white paper, repeated); a
harsh mix of the knowledge base's words, negations, red-flag words and punctuation with one word
in five made up (so tens of thousands of words that are not understood, each one looked up);
and, as a worst case no one writes, nothing but made-up words (the target is not for these: they
are shown to stay linear).
Each run is a fresh process, as a user starts it; the median of the runs is printed.
The 100 KB run is the baseline: 1 MB should take about ten times as long (linear), and less
than two seconds.

    python bench/long_text_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fasewiel_cli.knowledge.load import load_knowledge

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def natural(size: int) -> str:
    paper = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    return (paper * (size // len(paper) + 1))[:size]


def harsh(size: int) -> str:
    kb = load_knowledge()
    rng = random.Random(3)
    words = [phrase for signal in kb.signals for phrase in signal.phrases()]
    words += [*kb.language.fillers.all(), *kb.language.negations.all()]
    words += ["koorts", "uitslag", "moedervlek", "bloedt", ",", ".", "en", "maar", "geen"]
    out: list[str] = []
    length = 0
    while length < size:
        if rng.random() < 0.8:
            word = rng.choice(words)
        else:
            word = "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12))
            )
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size]


def random_words(size: int) -> str:
    """Made-up words of three to five letters and nothing else: every word is new and looked up
    (a worst case no one writes, measured to show the time stays linear)."""
    rng = random.Random(1)
    out: list[str] = []
    length = 0
    while length < size:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 5)))
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size]


def timed(command: list[str], stdin: Path) -> float:
    with stdin.open("rb") as source:
        start = time.perf_counter()
        done = subprocess.run(command, stdin=source, stdout=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{command} failed ({done.returncode})")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each (the median counts)")
    args = parser.parse_args()
    script = shutil.which("fasewiel", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("fasewiel is not installed in this Python's environment: pip install -e .")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{'text':<10} {'command':<22} {'100 KB':>8} {'1 MB':>8} {'ratio':>6}")
        kinds = (("natural", natural), ("harsh", harsh), ("random", random_words))
        for name, make in kinds:
            for command in ("check -f json", "check (rich)", "batch (one record)"):
                medians = []
                for size in (100_000, 1_000_000):
                    text = make(size).replace(";", ",").replace("\n", " ")
                    if command.startswith("batch"):
                        path = work / "in.csv"
                        path.write_text(f"symptoms\n{text}\n", encoding="utf-8")
                        argv = [script, "batch", "-", "--from", "csv", "--delimiter", ";", "-q"]
                    else:
                        path = work / "in.txt"
                        path.write_text(text, encoding="utf-8")
                        argv = [
                            script,
                            "check",
                            "-",
                            *(["-f", "json"] if "json" in command else []),
                        ]
                    medians.append(statistics.median(timed(argv, path) for _ in range(args.runs)))
                if name != "random":  # (the target is for texts people write)
                    worst = max(worst, medians[1])
                ratio = medians[1] / medians[0]
                times = f"{medians[0]:>7.2f}s {medians[1]:>7.2f}s"
                print(f"{name:<10} {command:<22} {times} {ratio:>6.1f}")
    verdict = "ok" if worst < TARGET_SECONDS else "over target"
    print(f"slowest 1 MB run: {worst:.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
