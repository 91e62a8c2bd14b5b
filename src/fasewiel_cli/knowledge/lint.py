"""Knowledge-base folders of one's own: ``fasewiel data init`` and ``fasewiel data validate``.

``init`` copies the built-in knowledge base into a folder, each file headed by a note on how to
extend it. ``validate`` reports every problem of a folder in one run: the errors that stop it
from loading (from the loader itself) and warnings about what loads but will not work as meant —
an ingredient no phase uses, a signal with words in one language only, a phase with few signals,
a word that does not reach its own signal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from fasewiel_cli.errors import FasewielError, Problem
from fasewiel_cli.knowledge.load import (
    FILE_NAMES,
    SAFETY_WORDING,
    builtin_data_dir,
    content_hash,
    examine,
    load_knowledge,
    read_present,
)
from fasewiel_cli.knowledge.models import LANGS, KnowledgeBase, KnowledgeInfo

# A phase with fewer signals than this is hard to recognise.
FEW_SIGNALS = 2

# How to extend each file, written at its top by ``data init`` (above the file's own comments).
EXTEND = {
    "knowledge.yaml": "Give your knowledge base its own name and version; they are reported with "
    "every assessment. The weights and rules under `scoring` decide the phase.",
    "phases.yaml": "The five phases and their order are fixed; change or translate their texts, "
    "add care lines (as many in nl as in en) or ingredients (ids from ingredients.yaml).",
    "signals.yaml": "Add words to a signal's `words` (nl and en), or add a signal: a new id, a "
    "name, `phases: {phase_id: primary}` and `derived:` saying where it comes from.",
    "messengers.yaml": "The four messengers of the paper; change or translate their texts.",
    "ingredients.yaml": "Add an ingredient here (id, name, words), then give it a role in a "
    "phase in phases.yaml.",
    "treatments.yaml": "Add a treatment: id, name, `intensity: gentle` or `intensive`, the "
    "phases where it belongs, and other ways to write it under `words`.",
    "red_flags.yaml": "You may add red flags or patterns; fasewiel's built-in red flags always "
    "apply, also when they are missing here.",
    "language.yaml": "Add filler words, negations or scope breakers for the way your clients "
    "write.",
    "messages.yaml": "Change or translate what fasewiel says around the advice; keep each "
    "text's {placeholders}.",
    "cards.yaml": "The texts of the reference cards (fasewiel card) that are not about one phase.",
}


def header(name: str, folder: Path) -> str:
    """The note ``data init`` writes at the top of ``name``."""
    # A folder name with a line break in it must not end the comment.
    folder = Path("".join(c if c.isprintable() else "?" for c in str(folder)))
    lines = [
        f"# fasewiel knowledge base: {name}, copied from fasewiel's built-in knowledge base.",
        *_comment(f"To extend: {EXTEND[name]}"),
        "# Every item says where it comes from: `source:` (a section of the white paper) or",
        "# `derived:` (one line on why). Every text has a Dutch (nl) and an English (en) version.",
        f"# Check: fasewiel data validate {folder}   Use: fasewiel check ... --data {folder}",
        "",
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str, width: int = 98) -> list[str]:
    import textwrap

    return ["# " + line for line in textwrap.wrap(text, width - 2)]


def init_folder(folder: Path, *, force: bool = False) -> list[Path]:
    """Write a copy of the built-in knowledge base into ``folder``; the files written."""
    from fasewiel_cli.files import atomic_text

    if not str(folder).strip():
        raise FasewielError("no folder given", hint="name a folder: fasewiel data init mijn-kennis")
    existing = [name for name in FILE_NAMES if (folder / name).exists()]
    odd = [name for name in existing if not (folder / name).is_file()]
    if odd:
        raise FasewielError(
            f"{folder} holds {', '.join(odd)}, which is not a file; nothing was written",
            hint="choose another folder, or move those away first",
        )
    if existing and not force:
        raise FasewielError(
            f"{folder} already holds a knowledge base ({', '.join(existing)})",
            hint="choose another folder, or add --force to overwrite those files",
        )
    if folder.exists() and not folder.is_dir():
        raise FasewielError(f"{folder} is a file, not a folder", hint="choose a folder name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FasewielError(f"cannot create {folder}: {error.strerror}") from None
    source = builtin_data_dir()
    written = []
    for name in FILE_NAMES:
        text = (source / name).read_text(encoding="utf-8")
        with atomic_text(folder / name, private=False) as file:
            file.write(header(name, folder) + text)
        written.append(folder / name)
    return written


class Report(NamedTuple):
    """What ``data validate`` found in a folder."""

    folder: Path
    problems: tuple[Problem, ...]
    info: KnowledgeInfo | None  # None when the knowledge base does not load

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "folder": str(self.folder),
            "valid": self.errors == 0,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p._asdict() for p in self.problems],
            "knowledge": None
            if self.info is None
            else {"name": self.info.name, "version": self.info.version, "hash": self.info.hash},
        }


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
    problems += lint(kb, parsed, builtin=builtin)
    order = {str(folder / name): n for n, name in enumerate(FILE_NAMES)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line, p.column))
    return Report(folder, tuple(problems), kb.info if kb else None)


def lint(
    kb: KnowledgeBase | None, parsed: dict[str, tuple[Any, Any]], *, builtin: bool
) -> list[Problem]:
    """Warnings: what loads, but will not work the way its author meant. Each check runs when the
    files it reads could be read, so warnings come along with the errors of other files; the
    reach of words needs the whole knowledge base (``kb``)."""
    from fasewiel_cli.language.matching import match_text

    found: list[Problem] = []

    def warn(file: str, path: tuple[Any, ...], message: str) -> None:
        found.append(parsed[file][0].problem(path, message, "warning"))

    def model(name: str) -> Any:
        return parsed[name][1] if name in parsed else None

    phases, signals = model("phases.yaml"), model("signals.yaml")
    ingredients = model("ingredients.yaml")
    if phases and ingredients:
        used = {use.ingredient for phase in phases.phases for use in phase.ingredients}
        for i, ingredient in enumerate(ingredients.ingredients):
            if ingredient.id not in used:
                warn(
                    "ingredients.yaml",
                    ("ingredients", i, "id"),
                    f"no phase uses the ingredient '{ingredient.id}': "
                    "give it a role in phases.yaml",
                )
    if phases and signals:
        for i, phase in enumerate(phases.phases):
            count = sum(phase.id in s.phases for s in signals.signals)
            if 0 < count < FEW_SIGNALS:
                warn(
                    "phases.yaml",
                    ("phases", i, "id"),
                    f"phase '{phase.id}' has only {count} signal: it is rarely recognised",
                )
    for i, signal in enumerate(signals.signals if signals else ()):
        languages = [lang for lang in LANGS if signal.words.get(lang)]
        if len(languages) == 1:
            missing = "en" if languages == ["nl"] else "nl"
            warn(
                "signals.yaml",
                ("signals", i, "words"),
                f"signal '{signal.id}' has words in {languages[0]} only: add {missing} words too",
            )
        if kb is not None:
            _reach(signal, i, kb, match_text, warn)
    language = model("language.yaml")
    if kb is not None and language is not None:
        for i, lost in enumerate(language.lost_positives):
            for lang in LANGS:
                for j, word in enumerate(lost.words.get(lang)):
                    if not match_text(kb.lexicon, word).signal_ids:
                        warn(
                            "language.yaml",
                            ("lost_positives", i, "words", lang, j),
                            f"'{word}' is no word of a signal: its loss is never read "
                            "(add it to a signal's words)",
                        )
    if not builtin:
        _safety_warnings(parsed, warn)
    return found


def _safety_warnings(
    parsed: dict[str, tuple[Any, Any]], warn: Callable[[str, tuple[Any, ...], str], None]
) -> None:
    """What a custom knowledge base cannot change about red flags, said where it tries to."""
    base = load_knowledge()
    if "red_flags.yaml" in parsed:
        flags = parsed["red_flags.yaml"][1].red_flags
        own = {flag.id for flag in flags}
        left_out = [flag.id for flag in base.red_flags if flag.id not in own]
        if left_out:
            warn(
                "red_flags.yaml",
                ("red_flags",),
                f"built-in red flags left out here still apply: {', '.join(left_out)} "
                "(red flags can be added, never removed)",
            )
        for i, flag in enumerate(flags):
            builtin = next((b for b in base.red_flags if b.id == flag.id), None)
            for part in ("name", "advice"):
                if builtin is not None and getattr(flag, part) != getattr(builtin, part):
                    warn(
                        "red_flags.yaml",
                        ("red_flags", i, part),
                        f"the {part} of the built-in red flag '{flag.id}' cannot be changed: "
                        "fasewiel's own wording is used (add patterns, or a flag of your own)",
                    )
    if "messages.yaml" in parsed:
        messages = parsed["messages.yaml"][1]
        for section, names in SAFETY_WORDING.items():
            for name in names:
                if getattr(getattr(messages, section), name) != getattr(
                    getattr(base, section), name
                ):
                    warn(
                        "messages.yaml",
                        (section, name),
                        f"'{name}' speaks of safety: fasewiel's own wording is used",
                    )


def _reach(
    signal: Any,
    index: int,
    kb: KnowledgeBase,
    match_text: Callable[..., Any],
    warn: Callable[[str, tuple[Any, ...], str], None],
) -> None:
    """Each of a signal's names and words, read as a text of its own, must find that signal."""
    phrases = [(("signals", index, "name", lang), signal.name.get(lang)) for lang in LANGS] + [
        (("signals", index, "words", lang, j), word)
        for lang in LANGS
        for j, word in enumerate(signal.words.get(lang))
    ]
    reached = False
    for path, phrase in phrases:
        result = match_text(kb.lexicon, phrase)
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
