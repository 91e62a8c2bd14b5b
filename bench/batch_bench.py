"""Benchmark ``fasewiel batch``: speed against an I/O floor, and memory at two file sizes.

1. Speed: 100,000 intake rows CSV → CSV, against a plain Python script that reads the same CSV
   with the csv module and writes each row plus twelve columns, without any scoring (the I/O
   floor). Runs are interleaved and the medians compared. Target: ratio <= 5.0 for the default
   run (one process); a run with two worker processes (--jobs 2) is reported beside it.
2. Memory: peak RSS of ``fasewiel batch`` at 10,000 and at 1,000,000 rows.
   Target: the 1M peak within 10% of the 10k peak (memory stays flat).

    python bench/batch_bench.py [--runs 5] [--rows 100000] [--big 1000000] [--keep DIR]

The intake files are generated (see ``symptoms`` and ``intake_rows``): mostly lists of everyday
complaints in Dutch and English, in random mixes, a fifth free sentences with fillers,
negations and typos; planned treatments, some red flags, some empty and some malformed rows —
the kind of file a practice keeps in Excel (semicolons). The number of distinct symptom texts
is printed, since it is what repetition-aware work depends on.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# What a practice writes in the symptoms column, roughly from more to less common.
COMPLAINTS = [
    "rood",
    "jeuk",
    "roodheid",
    "rode wangen",
    "gevoelig",
    "droge plekken",
    "fijne lijntjes",
    "branderig",
    "vale teint",
    "rimpels",
    "dof",
    "strak",
    "pigmentvlekken",
    "littekens",
    "slappe huid",
    "acne",
    "puistjes",
    "couperose",
    "egale teint",
    "rustige huid",
    "grauw",
    "opvlamming",
    "stralend",
    "redness",
    "itchy",
    "fine lines",
    "dull",
    "sensitive skin",
    "verlies van stevigheid",
    "lichte spanning",
    "minder elastisch",
    "vermoeide uitstraling",
]
FILLERS = ["mijn huid is", "ik heb last van", "sinds een paar weken", "vooral", "my skin is"]
NEGATED = ["geen jeuk", "niet rood", "geen pijn", "no redness"]
TYPOS = ["rodheid", "jeukk", "roodhied", "rimpeltjes", "gevoeligheit", "wrinklse"]
RED_FLAGS = ["moedervlek bloedt", "koorts en uitslag", "dikke lippen", "wond geneest niet"]
TREATMENTS = [
    "microneedling",
    "peeling",
    "LED",
    "collageenmassage",
    "zachte aanraking",
    "glow-massage",
    "chemische peeling",
    "doorbloedingstechnieken",
]
HEADER = ["klant", "datum", "symptomen", "behandeling", "notitie"]
WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(COMPLAINTS))]


def symptoms(rng: random.Random) -> str:
    """Four in five rows list complaints, as a form or a quick note does ("rood, jeuk");
    the fifth is a free sentence, with fillers, a negation, a typo, now and then a red flag."""
    parts = rng.choices(COMPLAINTS, WEIGHTS, k=rng.choices([1, 2, 3], [50, 35, 15])[0])
    if rng.random() < 0.8:
        return rng.choices([", ", "; ", " en "], [70, 15, 15])[0].join(parts)
    sentence = rng.choice(FILLERS) + " " + rng.choice([" en ", " and "]).join(parts)
    if rng.random() < 0.3:
        sentence += ", " + rng.choice(NEGATED)
    if rng.random() < 0.1:
        sentence += " " + rng.choice(TYPOS)
    if rng.random() < 0.03:
        sentence += ". " + rng.choice(RED_FLAGS)
    return sentence


def intake_rows(count: int, seed: int = 7) -> Iterator[list[str]]:
    """Rows of a practice's intake file, header first."""
    rng = random.Random(seed)
    yield HEADER
    for n in range(count):
        date = f"2026-11-{rng.randint(1, 28):02d}"
        roll = rng.random()
        if roll < 0.005:
            yield [f"K{n:06d}", date]  # malformed: too few fields
            continue
        text = "" if roll < 0.015 else symptoms(rng)
        planned = rng.sample(TREATMENTS, rng.choice([1, 1, 2])) if rng.random() < 0.3 else []
        note = rng.choice(["", "", "eerste bezoek", "controle", "follow-up na 6 weken"])
        yield [f"K{n:06d}", date, text, ", ".join(planned), note]


def write_intake(path: Path, count: int) -> int:
    """Write the file (semicolons, as Dutch Excel does); return how many symptom texts differ."""
    distinct: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        for row in intake_rows(count):
            writer.writerow(row)
            if len(row) > 2 and len(distinct) < 2_000_000:
                distinct.add(row[2])
    return len(distinct)


FLOOR = """
import csv, sys
source, target = sys.argv[1], sys.argv[2]
extra = ["reset", "activate", "0.6667", "0.6667", "0.3333", "0.0", "0.0", "0.0", "redness; itch",
         "", "", "ok"]
with open(source, newline="", encoding="utf-8") as f, \
        open(target, "w", newline="", encoding="utf-8") as g:
    reader = csv.reader(f, delimiter=";")
    writer = csv.writer(g, delimiter=";", lineterminator="\\n")
    writer.writerow(next(reader) + [f"column_{i}" for i in range(12)])
    for row in reader:
        writer.writerow(row + extra)
"""

RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def fasewiel() -> str:
    script = shutil.which("fasewiel", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("fasewiel is not installed in this Python's environment: pip install -e .")
    return script


# Users' Pythons cache bytecode; this machine's environment may say not to.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    return time.perf_counter() - start


def peak_rss_kib(command: list[str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", RSS, *command], capture_output=True, text=True, env=ENV
    )
    return int(out.stdout.strip())


def verdict(ok: bool) -> str:
    return "ok" if ok else "over target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (interleaved)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the speed test")
    parser.add_argument("--small", type=int, default=10_000, help="rows, small memory test")
    parser.add_argument("--big", type=int, default=1_000_000, help="rows, large memory test")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fasewiel-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        intake = work / "intake.csv"
        distinct = write_intake(intake, args.rows)
        size = intake.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {distinct:,} distinct symptom texts ({size:.1f} MB)")
        ours = [fasewiel(), "batch", str(intake), "-o", str(work / "ours.csv"), "--quiet"]
        shared = [*ours, "--jobs", "2"]  # (for comparison: two worker processes)
        floor = [sys.executable, "-c", FLOOR, str(intake), str(work / "floor.csv")]
        timed(ours)  # warm-up: knowledge-base cache, bytecode, OS file cache
        timed(floor)
        ours_times, shared_times, floor_times = [], [], []
        for _ in range(args.runs):
            ours_times.append(timed(ours))
            floor_times.append(timed(floor))
            shared_times.append(timed(shared))
        base, mine = statistics.median(floor_times), statistics.median(ours_times)
        two = statistics.median(shared_times)
        ratio = mine / base
        print(f"I/O floor (csv read + write, 12 extra columns): median {base:.2f} s")
        print(f"fasewiel batch CSV -> CSV (one process):        median {mine:.2f} s")
        print(f"fasewiel batch CSV -> CSV, --jobs 2:            median {two:.2f} s")
        print(f"speed ratio {ratio:.2f} (target <= 5.0: {verdict(ratio <= 5.0)}); ", end="")
        print(f"with --jobs 2 {two / base:.2f}")

        peaks = {}
        for rows in (args.small, args.big):
            path = work / f"intake-{rows}.csv"
            write_intake(path, rows)
            peaks[rows] = peak_rss_kib(
                [fasewiel(), "batch", str(path), "-o", str(work / "out.csv"), "--quiet"]
            )
            path.unlink()
            print(f"peak RSS at {rows:>9,} rows: {peaks[rows] / 1024:.1f} MiB")
        growth = peaks[args.big] / peaks[args.small]
        print(f"memory ratio {growth:.3f} (target <= 1.10: {verdict(growth <= 1.10)})")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
