"""``fasewiel data validate``: every problem of a knowledge-base folder in one run.

The errors come from the loader itself, the data warnings from ``knowledge.lint``; here are added
the warnings that need the folder's words read as a client's text would be: a word or name that
does not reach its own signal (or also reaches another), a lost positive that is no signal's word.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fasewiel_cli.errors import FasewielError, Problem
from fasewiel_cli.knowledge.lint import Report, lint
from fasewiel_cli.knowledge.load import FILE_NAMES, content_hash, examine, read_present
from fasewiel_cli.knowledge.models import LANGS, KnowledgeBase, Signal
from fasewiel_cli.language.lexicon import lexicon_of
from fasewiel_cli.language.matching import match_text

Warn = Callable[[str, tuple[Any, ...], str], None]


def validate_folder(folder: Path, *, builtin: bool = False) -> Report:
    """Every error and warning of the knowledge base in ``folder``, in file and line order."""
    try:
        raw, unread = read_present(folder)
    except FasewielError as error:  # not a folder: that is the one problem
        return Report(folder, (Problem(str(folder), 1, 1, error.message),), None)
    kb, problems, parsed = examine(raw, folder, content_hash(raw), builtin=builtin)
    if unread:  # the files that could be read are still checked
        kb = None
        problems = [*unread, *problems]
    problems += lint(parsed, builtin=builtin)
    if kb is not None:  # (reading words needs the whole knowledge base)
        problems += reach(kb, parsed)
    order = {str(folder / name): n for n, name in enumerate(FILE_NAMES)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line, p.column))
    return Report(folder, tuple(problems), kb.info if kb else None)


def reach(kb: KnowledgeBase, parsed: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Warnings about words that do not read as their author meant."""
    found: list[Problem] = []

    def warn(file: str, path: tuple[Any, ...], message: str) -> None:
        found.append(parsed[file][0].problem(path, message, "warning"))

    # (as the files have them: a warning names the file's own line)
    for i, signal in enumerate(parsed["signals.yaml"][1].signals):
        _signal_reach(kb, signal, i, warn)
    for i, lost in enumerate(parsed["language.yaml"][1].lost_positives):
        for lang in LANGS:
            for j, word in enumerate(lost.words.get(lang)):
                if not match_text(lexicon_of(kb), word).signal_ids:
                    warn(
                        "language.yaml",
                        ("lost_positives", i, "words", lang, j),
                        f"'{word}' is no word of a signal: its loss is never read "
                        "(add it to a signal's words)",
                    )
    return found


def _signal_reach(kb: KnowledgeBase, signal: Signal, index: int, warn: Warn) -> None:
    """Each of a signal's names and words, read as a text of its own, must find that signal."""
    phrases = [(("signals", index, "name", lang), signal.name.get(lang)) for lang in LANGS] + [
        (("signals", index, "words", lang, j), word)
        for lang in LANGS
        for j, word in enumerate(signal.words.get(lang))
    ]
    reached = False
    for path, phrase in phrases:
        result = match_text(lexicon_of(kb), phrase)
        if signal.id in result.signal_ids:
            reached = True
            others = [s for s in result.signal_ids if s != signal.id]
            if others:
                warn(
                    "signals.yaml",
                    path,
                    f"'{phrase}' also counts for {', '.join(others)}: "
                    "a client who writes it gets both",
                )
        else:
            read_as = ", ".join(result.signal_ids) or "nothing"
            warn(
                "signals.yaml",
                path,
                f"'{phrase}' does not reach signal '{signal.id}' (it reads as: {read_as}); "
                "a filler word, a negation or another signal's phrase is in the way",
            )
    if not reached:
        warn(
            "signals.yaml",
            ("signals", index, "id"),
            f"no name or word of signal '{signal.id}' reaches it: it can never be matched",
        )
