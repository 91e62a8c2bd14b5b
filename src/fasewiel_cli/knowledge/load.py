"""Load a knowledge base: read the YAML strictly, validate it, cross-check it, cache it.

The first load of a given set of files parses and validates them (PyYAML + pydantic, ~0.15 s);
the validated models are then kept as signed JSON in the user's cache folder (``cache``), under a
key made of the files' bytes and the code that defines the models, so later runs load them in a
few milliseconds without importing either. A cache that cannot be trusted, read or written is
simply not used.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fasewiel_cli.errors import FasewielError, KnowledgeError, Message, Problem
from fasewiel_cli.knowledge import MAX_FILE_BYTES, cache
from fasewiel_cli.knowledge.models import (
    LANGS,
    MODELS,
    PHASE_IDS,
    TEXT_PLACEHOLDERS,
    Care,
    Frozen,
    KnowledgeBase,
    KnowledgeInfo,
    LanguageFile,
    Localized,
    LocalizedList,
    RedFlag,
    Sourced,
)
from fasewiel_cli.text import INVISIBLE
from fasewiel_cli.version import __version__

if TYPE_CHECKING:
    from fasewiel_cli.knowledge.schema import KnowledgeFile, MessagesFile

# The files of a knowledge base; their shapes are in schema.py.
FILE_NAMES = (
    "knowledge.yaml",
    "phases.yaml",
    "signals.yaml",
    "messengers.yaml",
    "ingredients.yaml",
    "treatments.yaml",
    "red_flags.yaml",
    "language.yaml",
    "messages.yaml",
    "cards.yaml",
)
# Bounds that keep the arithmetic sane (shares, dates) whatever a knowledge base says.
MAX_WEIGHT = 1000
MAX_RECHECK_DAYS = 3650
MAX_NEAR = 200
# The code that shapes a validated knowledge base (part of the cache key).
_CODE_FILES = ("models.py", "schema.py", "safeyaml.py", "load.py", "cache.py")
# The patterns below are only for validating, which a start that reads the cache never does: they
# are left to ``re`` to compile when first used (compiling all at every start cost ~0.6 ms).
# A word, as matching reads one: a run of letters or digits (an entry needs at least one).
_LETTER_OR_DIGIT = r"[^\W_]"
_PLACEHOLDER = r"\{([^{}]*)\}"
# Control characters (a YAML escape such as "\e" makes them) could drive a terminal or break
# an SVG; line breaks and tabs are the only ones a text may hold. Bidirectional controls (U+202E
# and kin) would make a text read otherwise than it is written ("Trojan source"), and invisible
# characters (zero width, line and paragraph separators, a BOM) hide what a text says.
_CONTROL = rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]"
# Each knowledge base loaded in this process, and the name of its cache entry (``cache_name``).
_MEMO: dict[tuple[str, str], tuple[KnowledgeBase, str | None]] = {}
# The memo's key for the built-in knowledge base, which is part of the installation: read once
# per process (a custom one guards every text with its red flags).
_BUILTIN = ("", "")


def builtin_data_dir() -> Path:
    """The knowledge base shipped with fasewiel: inside the wheel, or ``data/`` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "data", package.parents[1] / "data"):
        if (candidate / "phases.yaml").is_file():
            return candidate
    raise FasewielError(
        "the built-in knowledge base is missing from this installation",
        hint="reinstall fasewiel, or point --data / FASEWIEL_DATA at a knowledge-base folder",
    )


def load_knowledge(data_dir: Path | str | None = None) -> KnowledgeBase:
    """The knowledge base in ``data_dir`` (default: the built-in one), loaded once per process
    (a custom one again when its files have changed)."""
    if isinstance(data_dir, str):
        data_dir = Path(data_dir)
    builtin = data_dir is None
    if builtin and _BUILTIN in _MEMO:
        return _MEMO[_BUILTIN][0]
    directory = builtin_data_dir() if data_dir is None else data_dir
    raw = read_files(directory)
    digest = content_hash(raw)
    memo_key = (str(directory.resolve()), digest)
    if memo_key in _MEMO:
        return _MEMO[memo_key][0]
    name = _cache_name(digest, builtin)
    kb = _from_cache(name)
    if kb is None:
        kb = build_knowledge(raw, directory, digest, builtin=builtin)
        if name is not None:
            cache.write(name, _plain_parts(kb))
    _MEMO[_BUILTIN if builtin else memo_key] = (kb, name)
    return kb


def cache_name(kb: KnowledgeBase) -> str | None:
    """The name of the cache entry of ``kb``, when ``load_knowledge`` gave it (what is cached of
    a knowledge base made otherwise could belong to another one with the same files); None
    also when there is no cache."""
    return next((name for found, name in _MEMO.values() if found is kb), None)


def read_files(directory: Path) -> dict[str, bytes]:
    """The bytes of every knowledge-base file; ``KnowledgeError`` if any cannot be read."""
    raw, problems = read_present(directory)
    if problems:
        raise KnowledgeError(problems)
    return raw


def read_present(directory: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """The bytes of the files that can be read, and a problem for each that cannot."""
    if not directory.is_dir():
        raise FasewielError(
            f"knowledge-base folder not found: {directory}",
            hint="pass a folder holding the knowledge-base files (a copy of fasewiel's data/), "
            "or leave out --data / FASEWIEL_DATA to use the built-in one",
        )
    raw: dict[str, bytes] = {}
    problems = []
    for name in FILE_NAMES:
        path = directory / name
        try:
            if path.is_symlink() and not path.exists():
                problems.append(Problem(str(path), 1, 1, "a broken symbolic link"))
            elif not path.exists():
                problems.append(Problem(str(path), 1, 1, "file is missing"))
            elif not path.is_file():
                problems.append(Problem(str(path), 1, 1, "not a regular file"))
            else:
                with path.open("rb") as file:
                    # One byte over the limit is enough to refuse the file as too large.
                    raw[name] = file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            problems.append(Problem(str(path), 1, 1, f"cannot read: {error.strerror}"))
    return raw, problems


def content_hash(raw: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(raw):
        digest.update(f"{name}\0{len(raw[name])}\0".encode())
        digest.update(raw[name])
    return digest.hexdigest()


def build_knowledge(
    raw: dict[str, bytes], directory: Path, digest: str, *, builtin: bool
) -> KnowledgeBase:
    """Parse, validate and cross-check; raise ``KnowledgeError`` listing every error found."""
    kb, problems, _ = examine(raw, directory, digest, builtin=builtin)
    if kb is None:
        raise KnowledgeError([p for p in problems if p.severity == "error"])
    return kb


def examine(
    raw: dict[str, bytes], directory: Path, digest: str, *, builtin: bool
) -> tuple[KnowledgeBase | None, list[Problem], dict[str, tuple[Any, Any]]]:
    """Every error in the files, and the knowledge base when there is none (else None)."""
    parsed, problems = validate_files(raw, directory, builtin=builtin)
    problems += cross_check(parsed)
    if any(p.severity == "error" for p in problems) or len(parsed) < len(FILE_NAMES):
        return None, problems, parsed
    return _assemble(parsed, digest, builtin), problems, parsed


@functools.cache
def _adapter(name: str) -> Any:
    """The validator of one file's shape, built once per process (building is the slow part)."""
    from pydantic import TypeAdapter

    from fasewiel_cli.knowledge.schema import SCHEMAS

    return TypeAdapter(SCHEMAS[name])


def validate_files(
    raw: dict[str, bytes], directory: Path, *, builtin: bool = True
) -> tuple[dict[str, tuple[Any, Any]], list[Problem]]:
    """Each file parsed and validated: ``{name: (document, model)}`` and the problems found.
    A custom messages.yaml may leave texts out: they are fasewiel's own (``missing_messages``)."""
    from pydantic import ValidationError

    from fasewiel_cli.knowledge.safeyaml import YamlError, read_document

    parsed: dict[str, tuple[Any, Any]] = {}
    problems: list[Problem] = []
    for name in FILE_NAMES:
        if name not in raw:  # unreadable: already reported
            continue
        try:
            document = read_document(raw[name], str(directory / name))
            if name == "knowledge.yaml":
                problems += _number_problems(document)
            data = document.data
            if name == "messages.yaml" and not builtin:
                data = with_builtin_messages(data)
            parsed[name] = (document, _adapter(name).validate_python(data))
        except YamlError as error:
            problems.append(error.problem)
        except ValidationError as error:
            problems += [
                document.problem(tuple(e["loc"]), _describe_error(e)) for e in error.errors()
            ]
    return parsed, problems


# The sections of messages.yaml whose texts a custom knowledge base may leave out.
MESSAGE_SECTIONS = ("texts", "labels", "intake", "history", "cli")


@functools.cache
def _builtin_messages() -> dict[str, Any]:
    from fasewiel_cli.knowledge.safeyaml import read_document

    path = builtin_data_dir() / "messages.yaml"
    data: dict[str, Any] = read_document(path.read_bytes(), str(path)).data
    return data


def missing_messages(data: Any) -> list[tuple[str, str]]:
    """The (section, name) of each built-in text a messages.yaml leaves out."""
    if not isinstance(data, dict):
        return []
    builtin = _builtin_messages()
    return [
        (section, name)
        for section in MESSAGE_SECTIONS
        if isinstance(data.get(section, {}), dict)
        for name in builtin[section]
        if name not in data.get(section, {})
    ]


def with_builtin_messages(data: Any) -> Any:
    """A custom messages.yaml with fasewiel's own text wherever it leaves one out: a folder made
    by an older ``data init`` keeps loading when fasewiel learns to say more."""
    missing = missing_messages(data)
    if not missing:
        return data
    builtin = _builtin_messages()
    filled = dict(data)
    for section, name in missing:
        filled[section] = {**filled.get(section, {}), name: builtin[section][name]}
    return filled


def _describe_error(error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    where = f"'{loc[-1]}'" if loc else "the file"
    found = _describe_value(error.get("input"))
    if kind == "missing":
        return f"{where} is missing"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown key {where}"
    if kind == "string_type":
        quote = "; put it in quotes" if isinstance(error.get("input"), bool | int | float) else ""
        return f"expected text, found {found}{quote}"
    if kind in ("dict_type", "dataclass_type", "dataclass_args_type", "model_type"):
        return f"expected a mapping (key: value), found {found}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, found {found}"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        return f"expected a number, found {found}"
    return f"{error['msg']} (found {found})"


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


# --- cross-reference checks -------------------------------------------------------------------


def cross_check(parsed: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Everything the types alone cannot say: ids that must exist, texts that must be there."""
    problems: list[Problem] = []
    for document, model in parsed.values():
        for path, item in _walk(model, ()):
            if isinstance(item, str):
                control = re.search(_CONTROL, item)
                if control:
                    code = ord(control.group())
                    kind = "control" if code < 0x100 else "invisible or bidirectional"
                    message = f"{kind} character U+{code:04X} in the text: remove it"
                    problems.append(document.problem(path, message))
                continue
            problems += [document.problem(path, m) for m in _item_problems(item)]
    return problems + _reference_problems(parsed)


def _number_problems(document: Any) -> list[Problem]:
    """The validator would read "1.0" and true as numbers; a knowledge base must write numbers
    as numbers (``12:30`` and ``no`` stay text), so the YAML itself is looked at."""
    data = document.data if isinstance(document.data, dict) else {}
    scoring = data.get("scoring")
    weights = scoring.get("weights") if isinstance(scoring, dict) else None
    found: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(weights, dict):
        for name, weight in weights.items():
            if isinstance(weight, dict) and "value" in weight:
                found.append((("scoring", "weights", name, "value"), weight["value"]))
    rules = data.get("recheck")
    for j, rule in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(rule, dict) and "days" in rule:
            found.append((("recheck", j, "days"), rule["days"]))
    return [
        document.problem(path, f"expected a number, found {_describe_value(value)}")
        for path, value in found
        if isinstance(value, bool | str)
    ]


def _walk(obj: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, obj
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _walk(getattr(obj, f.name), (*path, f.name))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk(item, (*path, i))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _walk(value, (*path, key))


def _item_problems(item: Any) -> list[str]:
    problems: list[str] = []
    if isinstance(item, Sourced) and bool(item.source) == bool(item.derived):
        problems.append("give exactly one of 'source:' (the paper's section) or 'derived:' (why)")
    if isinstance(item, Localized):
        problems += [f"the {lang} text is empty" for lang in LANGS if not item.get(lang).strip()]
    if isinstance(item, LocalizedList):
        for lang in LANGS:
            if any(not re.search(_LETTER_OR_DIGIT, text) for text in item.get(lang)):
                problems.append(f"an {lang} entry has no letters or digits")
    if isinstance(item, Care):
        for part in ("lifestyle", "ritual", "treatment"):
            lines: LocalizedList = getattr(item, part)
            if not lines.get(LANGS[0]) or len({len(lines.get(lang)) for lang in LANGS}) > 1:
                problems.append(
                    f"'{part}' needs the same number of lines in {' and '.join(LANGS)} (at least 1)"
                )
    return problems


def _reference_problems(parsed: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Ids that must exist elsewhere. Each check runs when the files it needs could be read, so a
    broken file hides only the checks that depend on it, not those of the other files."""
    docs = {name: doc for name, (doc, _) in parsed.items()}

    def items(file: str, key: str) -> tuple[Any, ...] | None:
        return getattr(parsed[file][1], key) if file in parsed else None

    knowledge: KnowledgeFile | None = (
        parsed["knowledge.yaml"][1] if "knowledge.yaml" in parsed else None
    )
    phases = items("phases.yaml", "phases")
    signals = items("signals.yaml", "signals")
    messengers = items("messengers.yaml", "messengers")
    ingredients = items("ingredients.yaml", "ingredients")
    ids: dict[str, set[str] | None] = {
        "phase": set(PHASE_IDS) if phases is None else {p.id for p in phases},
        "messenger": None if messengers is None else {m.id for m in messengers},
        "ingredient": None if ingredients is None else {i.id for i in ingredients},
        "weight": None if knowledge is None else set(knowledge.scoring.weights),
        "signal": None if signals is None else {s.id for s in signals},
    }
    found: list[tuple[str, tuple[Any, ...], str]] = []

    def need(kind: str, value: str, file: str, path: tuple[Any, ...]) -> None:
        known = ids[kind]
        if known is not None and value not in known:
            choices = ", ".join(sorted(known))
            found.append((file, path, f"unknown {kind} '{value}' (known: {choices})"))

    for file, key in (
        ("phases.yaml", "phases"),
        ("signals.yaml", "signals"),
        ("messengers.yaml", "messengers"),
        ("ingredients.yaml", "ingredients"),
        ("treatments.yaml", "treatments"),
        ("red_flags.yaml", "red_flags"),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items(file, key) or ()):
            if item.id in seen:
                found.append((file, (key, i, "id"), f"duplicate id '{item.id}'"))
            seen.add(item.id)

    if phases is not None:
        if tuple(p.id for p in phases) != PHASE_IDS:
            found.append(("phases.yaml", ("phases",), f"phases must be, in order: {PHASE_IDS}"))
        for i, phase in enumerate(phases):
            need("phase", phase.next, "phases.yaml", ("phases", i, "next"))
            for j, use in enumerate(phase.ingredients):
                need("ingredient", use.ingredient, "phases.yaml", ("phases", i, "ingredients", j))
            if signals is not None and not any(phase.id in s.phases for s in signals):
                found.append(("phases.yaml", ("phases", i), f"phase '{phase.id}' has no signals"))
    for i, signal in enumerate(signals or ()):
        if not signal.phases:
            found.append(("signals.yaml", ("signals", i, "phases"), "a signal needs a phase"))
        for phase_id, weight in signal.phases.items():
            need("phase", phase_id, "signals.yaml", ("signals", i, "phases", phase_id))
            need("weight", weight, "signals.yaml", ("signals", i, "phases", phase_id))
        for j, messenger in enumerate(signal.messengers):
            need("messenger", messenger, "signals.yaml", ("signals", i, "messengers", j))
    for i, treatment in enumerate(items("treatments.yaml", "treatments") or ()):
        if not treatment.phases:
            found.append(("treatments.yaml", ("treatments", i, "phases"), "no phases given"))
        for j, phase_id in enumerate(treatment.phases):
            need("phase", phase_id, "treatments.yaml", ("treatments", i, "phases", j))
    for i, flag in enumerate(items("red_flags.yaml", "red_flags") or ()):
        if not flag.patterns:
            found.append(("red_flags.yaml", ("red_flags", i, "patterns"), "no patterns given"))
        for j, pattern in enumerate(flag.patterns):
            where = ("red_flags", i, "patterns", j)
            if not pattern.groups:
                found.append(("red_flags.yaml", where, "a pattern needs at least one word group"))
            if not 1 <= pattern.near <= MAX_NEAR:
                message = f"near must be a number of words from 1 to {MAX_NEAR}"
                found.append(("red_flags.yaml", (*where, "near"), message))
            for k, group in enumerate(pattern.groups):
                if not group.all():
                    path: tuple[Any, ...] = (*where, "groups", k)
                    found.append(("red_flags.yaml", path, "a word group needs at least one word"))
    language = parsed["language.yaml"][1] if "language.yaml" in parsed else None
    for i, lost in enumerate(language.lost_positives if language else ()):
        need("signal", lost.means, "language.yaml", ("lost_positives", i, "means"))
    if knowledge is not None:
        found += _scoring_problems(knowledge, need)
    if "messages.yaml" in parsed:
        found += _placeholder_problems(parsed["messages.yaml"][1])
    return [docs[file].problem(path, message) for file, path, message in found]


def _scoring_problems(knowledge: KnowledgeFile, need: Any) -> list[tuple[str, Any, str]]:
    scoring = knowledge.scoring
    found: list[tuple[str, Any, str]] = []
    for name, weight in scoring.weights.items():
        if not 0 < weight.value <= MAX_WEIGHT:
            path = ("scoring", "weights", name, "value")
            message = f"a weight must be a number above 0 and at most {MAX_WEIGHT}"
            found.append(("knowledge.yaml", path, message))
    need("phase", scoring.calm_first.phase, "knowledge.yaml", ("scoring", "calm_first", "phase"))
    need("weight", scoring.calm_first.weight, "knowledge.yaml", ("scoring", "calm_first", "weight"))
    need("phase", scoring.intensive.blocked_by, "knowledge.yaml", ("scoring", "intensive"))
    for j, phase_id in enumerate(scoring.intensive.phases):
        need("phase", phase_id, "knowledge.yaml", ("scoring", "intensive", "phases", j))
    for j, rule in enumerate(knowledge.recheck):
        need("phase", rule.phase, "knowledge.yaml", ("recheck", j, "phase"))
        if not 1 <= rule.days <= MAX_RECHECK_DAYS:
            message = f"days must be from 1 to {MAX_RECHECK_DAYS}"
            found.append(("knowledge.yaml", ("recheck", j, "days"), message))
    return found


def _placeholder_problems(messages: MessagesFile) -> list[tuple[str, Any, str]]:
    found: list[tuple[str, Any, str]] = []
    for section in ("texts", "intake", "history", "cli"):
        texts = getattr(messages, section)
        for f in dataclasses.fields(texts):
            text = getattr(texts, f.name)
            if not isinstance(text, Localized):
                continue
            allowed = TEXT_PLACEHOLDERS.get(f.name, frozenset())
            for lang in LANGS:
                for name in re.findall(_PLACEHOLDER, text.get(lang)):
                    if name not in allowed:
                        choice = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
                        message = f"unknown placeholder {{{name}}} (allowed: {choice})"
                        found.append(("messages.yaml", (section, f.name, lang), message))
    return found


def _assemble(parsed: dict[str, tuple[Any, Any]], digest: str, builtin: bool) -> KnowledgeBase:
    model = {name: value for name, (_, value) in parsed.items()}
    knowledge: KnowledgeFile = model["knowledge.yaml"]
    signals = model["signals.yaml"].signals
    red_flags = model["red_flags.yaml"].red_flags
    messages = model["messages.yaml"]
    if not builtin:
        # Red flags can be added to, never weakened: the built-in ones keep their patterns, their
        # wording and the referral sentences, and are also read with the built-in language.
        red_flags = with_builtin_flags(red_flags)
        messages = with_builtin_wording(messages)
    language: LanguageFile = model["language.yaml"]
    parts = {
        "info": KnowledgeInfo(
            name=knowledge.name,
            version=knowledge.version,
            hash=digest,
            title=knowledge.title,
            builtin=builtin,
        ),
        "scoring": knowledge.scoring,
        "phases": model["phases.yaml"].phases,
        "signals": signals,
        "messengers": model["messengers.yaml"].messengers,
        "ingredients": model["ingredients.yaml"].ingredients,
        "treatments": model["treatments.yaml"].treatments,
        "red_flags": red_flags,
        "language": language,
        "texts": messages.texts,
        "labels": messages.labels,
        "intake": messages.intake,
        "history": messages.history,
        "cli": messages.cli,
        "recheck": knowledge.recheck,
        "cards": model["cards.yaml"],
    }
    return _complete(parts)


def _complete(parts: dict[str, Any]) -> KnowledgeBase:
    """The knowledge base of these validated parts."""
    return KnowledgeBase(**parts)


def refusal(message: Message, hint: Message | None = None) -> FasewielError:
    """An error to be said in the language of whoever reports it (``said``: the command line
    speaks its own); ``message`` and ``hint`` read in the first language."""
    kb, lang = load_knowledge(), LANGS[0]
    hint_text = kb.say(hint, lang) if hint else None
    return FasewielError(kb.say(message, lang), hint_text, said=message, hint_said=hint)


# What messages.yaml says about safety — the referral, the warning heading, the disclaimer, the
# verdict on a treatment, the intake's safety questions — is always the built-in wording
# (section → names).
SAFETY_WORDING = {
    "texts": (
        "disclaimer",
        "referral",
        "referral_with_plan",
        "referral_urgent",
        "verdict_red_flag",
    ),
    "labels": ("red_flags", "red_flags_urgent", "disclaimer", "advised", "not_advised"),
    "intake": (
        "safety",
        "safety_question",
        "safety_which",
        "continue_question",
        "stopped",
        "stopped_urgent",
    ),
}


def with_builtin_wording(messages: MessagesFile) -> MessagesFile:
    """A custom messages.yaml with the built-in wording wherever it speaks of safety."""
    base = load_knowledge()
    return dataclasses.replace(
        messages,
        **{
            section: dataclasses.replace(
                getattr(messages, section),
                **{name: getattr(getattr(base, section), name) for name in names},
            )
            for section, names in SAFETY_WORDING.items()
        },
    )


def with_builtin_flags(own: tuple[RedFlag, ...]) -> tuple[RedFlag, ...]:
    """A custom knowledge base's red flags on top of the built-in ones, which always apply.

    A flag with a built-in id adds its patterns to the built-in ones and keeps the built-in
    name and advice; a built-in flag left out is kept as it is; new flags follow.
    """
    remaining = {flag.id: flag for flag in own}
    merged = []
    for base in load_knowledge().red_flags:
        flag = remaining.pop(base.id, None)
        if flag is None:
            merged.append(base)
            continue
        added = tuple(p for p in flag.patterns if p not in base.patterns)
        merged.append(dataclasses.replace(base, patterns=base.patterns + added))
    return (*merged, *remaining.values())


# --- cache ------------------------------------------------------------------------------------


def _cache_name(digest: str, builtin: bool) -> str | None:
    """The cache entry of these files under this version of fasewiel (None: no cache)."""
    parts = [__version__, str(builtin), digest]
    if not builtin:  # a custom knowledge base carries built-in red flags and sentences too
        parts.append(load_knowledge().info.hash)
    here = Path(__file__).resolve().parent
    return cache.entry_name(parts, (here / name for name in _CODE_FILES))


def _plain_parts(kb: KnowledgeBase) -> dict[str, Any]:
    """What the cache keeps of a knowledge base: its validated parts as JSON-able data (each
    model a mapping that names its class)."""
    return {f.name: _plain(getattr(kb, f.name)) for f in dataclasses.fields(kb) if f.init}


def _plain(value: Any) -> Any:
    if isinstance(value, Frozen):
        fields = dataclasses.fields(value)  # type: ignore[arg-type]
        return {_MODEL_KEY: type(value).__name__} | {
            f.name: _plain(getattr(value, f.name)) for f in fields if f.init
        }
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# The key that names a model's class in the cache. (A mapping of the knowledge base's own with
# this key — a weight so named — makes its entry unreadable: that knowledge base is then read from
# its YAML each time.)
_MODEL_KEY = "$model"


def _unplain(mapping: dict[str, Any]) -> Any:
    """``_plain`` undone for one mapping (``json.loads``'s object hook): a model again, with
    every list a tuple, as validation makes them."""
    name = mapping.pop(_MODEL_KEY, None)
    if name is None:
        return mapping
    return MODELS[name](**{key: _tuples(item) for key, item in mapping.items()})


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _from_cache(name: str | None) -> KnowledgeBase | None:
    if name is None:
        return None
    try:
        parts = cache.read(name, object_hook=_unplain)
        if not isinstance(parts, dict):
            return None
        # (the top level is no model: ``_unplain`` left its lists as they were)
        return _complete({key: _tuples(item) for key, item in parts.items()})
    except (KeyError, TypeError, ValueError):
        # Signed by this user, so only an entry of an older fasewiel could get here.
        return None
