"""Knowledge-base folders of one's own: ``fasewiel data init`` and the data checks of
``fasewiel data validate``.

``init`` copies the built-in knowledge base into a folder, each file headed by a note on how to
extend it. ``lint`` warns about what loads but will not work as meant: an ingredient no phase
uses, a signal with words in one language only, a phase with few signals, a red flag or safety
wording a custom knowledge base tries to change. (``engine.validate`` runs the whole check of a
folder, and adds the warnings that need words read: a word that does not reach its signal.)
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
    load_knowledge,
    missing_messages,
)
from fasewiel_cli.knowledge.models import LANGS, KnowledgeInfo

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


def lint(parsed: dict[str, tuple[Any, Any]], *, builtin: bool) -> list[Problem]:
    """Warnings: what loads, but will not work the way its author meant. Each check runs when the
    files it reads could be read, so warnings come along with the errors of other files. (Whether
    words reach their signals is checked by ``engine.validate``, which reads them.)"""
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
        missing = [lang for lang in LANGS if lang not in languages]
        if languages and missing:
            warn(
                "signals.yaml",
                ("signals", i, "words"),
                f"signal '{signal.id}' has words in {', '.join(languages)} only: "
                f"add {', '.join(missing)} words too",
            )
    if not builtin:
        _safety_warnings(parsed, warn)
        if "messages.yaml" in parsed:
            data = parsed["messages.yaml"][0].data
            left_out: dict[str, list[str]] = {}
            for section, name in missing_messages(data):
                left_out.setdefault(section, []).append(name)
            for section, names in left_out.items():
                whole = section not in data  # (a folder made before fasewiel had the section)
                warn(
                    "messages.yaml",
                    (section,),
                    f"no '{section}' section: fasewiel's own wording is used"
                    if whole
                    else f"{', '.join(repr(n) for n in names)} not in {section}: "
                    "fasewiel's own wording is used",
                )
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
