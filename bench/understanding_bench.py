"""How well fasewiel understands everyday words: the phase of everyday sentences, red flags
found, and nothing flagged that is not.

Reads the phrasings in bench/phrasings/ (written for this purpose, Dutch and English):
phases.tsv, sentences with the phase the paper gives them, and red_flags.tsv and
red_flags_review.tsv (the latter written by a review that had not seen the vocabulary), with, for
every one that should show a red flag, three variants made from it:

- with a negation of another word in front ("geen jeuk, …" and "no itching, …");
- with a typo: two neighbouring letters swapped in its longest word, when that is a word of the
  knowledge base of six letters or more (typos are read as the words they may be a typo of);
- with punctuation between the words of the flag (a full stop after its first word).

Prints, per kind, how many were tried and right, and every miss and every false flag.
Targets: at least 97% of phases right, every red flag caught, no false flag. Exit 1 when a
target is missed.

    python bench/understanding_bench.py [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from fasewiel_cli import check
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.language.lexicon import lexicon_of, normalize

HERE = Path(__file__).resolve().parent
RED_FLAGS = HERE / "phrasings" / "red_flags.tsv"
# Written by a review session that had not seen the vocabulary.
REVIEW = HERE / "phrasings" / "red_flags_review.tsv"
PHASES = HERE / "phrasings" / "phases.tsv"
PHASE_TARGET = 0.97


def rows(path: Path) -> list[tuple[str, str | None]]:
    """(text, expected red flag id or None) for each line of a phrasing file."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, expected = line.split("\t")
            found.append((text, None if expected == "-" else expected))
    return found


def known(word: str) -> bool:
    """Whether ``word`` is written as a word of the knowledge base (typos are read as those)."""
    return normalize(word) in lexicon_of(load_knowledge()).lemmas


def phase(text: str) -> str | None:
    advice = check(text)
    return advice.phase.id if advice.phase else None


def flags(text: str) -> list[str]:
    return [flag.id for flag in check(text).red_flags]


def variants(text: str, flag: str) -> Iterator[tuple[str, str]]:
    """(kind, text) for the variants of a phrasing that shows ``flag``."""
    yield "a negated word in front (nl)", f"geen jeuk, {text}"
    yield "a negated word in front (en)", f"no itching, {text}"
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i].strip(".,:;?!")))
    word = words[longest]
    if len(word.strip(".,:;?!")) >= 6 and known(word.strip(".,:;?!")):
        middle = len(word) // 2
        swapped = word[:middle] + word[middle + 1] + word[middle] + word[middle + 2 :]
        typo = " ".join([*words[:longest], swapped, *words[longest + 1 :]])
        yield "a typo in its longest word", typo
    for match in (f for f in check(text).red_flags if f.id == flag and " " in f.text):
        first, rest = match.text.split(" ", 1)
        yield "a full stop inside the flag", text.replace(match.text, f"{first}. {rest}", 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true", help="only the totals")
    args = parser.parse_args()
    tally: dict[str, list[int]] = {}  # kind → [tried, right]
    wrong: list[str] = []

    def record(kind: str, text: str, expected: str | None) -> None:
        got = flags(text)
        right = expected in got if expected else not got
        counts = tally.setdefault(kind, [0, 0])
        counts[0] += 1
        counts[1] += right
        if not right:
            wrong.append(f"{kind}: {text!r} expected {expected or 'no flag'}, got {got or 'none'}")

    start = time.perf_counter()
    phase_misses = []
    phase_rows = rows(PHASES)
    for text, expected in phase_rows:
        got = phase(text)
        if got != expected:
            phase_misses.append(f"phase: {text!r} expected {expected}, got {got}")
    for text, expected in rows(RED_FLAGS) + rows(REVIEW):
        if expected is None:
            record("no flag: written", text, None)
            continue
        record("red flag: written", text, expected)
        for kind, variant in variants(text, expected):
            record(f"red flag: {kind}", variant, expected)
    elapsed = time.perf_counter() - start
    total = sum(tried for tried, _ in tally.values()) + len(phase_rows)
    right = len(phase_rows) - len(phase_misses)
    share = right / len(phase_rows)
    print(f"phases right: {right} of {len(phase_rows)} ({share:.1%}; target >= {PHASE_TARGET:.0%})")
    print(f"{'kind':<48} {'tried':>6} {'right':>6}")
    for kind, (tried, right) in tally.items():
        print(f"{kind:<48} {tried:>6} {right:>6}")
    flagged = [(t, r) for k, (t, r) in tally.items() if k.startswith("red flag")]
    caught = sum(r for _, r in flagged)
    should = sum(t for t, _ in flagged)
    clean = tally.get("no flag: written", [0, 0])
    false_flags = clean[0] - clean[1]
    print(f"red flags caught: {caught} of {should}; false flags: {false_flags} of {clean[0]}")
    print(f"{total} texts in {elapsed:.2f} s ({elapsed / total * 1e6:.0f} µs a text)")
    if not args.quiet:
        for line in phase_misses + wrong:
            print("  " + line)
    return 0 if not wrong and share >= PHASE_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
