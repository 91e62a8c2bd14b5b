"""A strict YAML reader for knowledge-base files.

PyYAML's parser (its C version when available) produces the event stream; this module builds the
Python values itself, which lets it refuse what a knowledge base never needs and a hostile file
might use: anchors and aliases (the "billion laughs"), tags such as ``!!python/object``, duplicate
keys, and very deep nesting. Plain scalars resolve conservatively: only ``true``/``false`` are
booleans, only digit strings are numbers, so ``no``, ``on``, ``nee`` and ``12:30`` stay text.
Every value's position is recorded, so later validation errors can name ``file:line:column``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from fasewiel_cli.errors import Problem
from fasewiel_cli.knowledge import MAX_FILE_BYTES

try:
    _Parser: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader

MAX_DEPTH = 32

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_NULLS = frozenset({"", "~", "null"})

Path = tuple[str | int, ...]


class YamlError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: its data and where each value (and each mapping key) starts."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]]
    key_positions: dict[Path, tuple[int, int]]

    def locate(self, path: Path) -> tuple[int, int]:
        """The line and column of ``path``'s value (else its key), or of its nearest ancestor."""
        for end in range(len(path), -1, -1):
            here = path[:end]
            if here in self.positions:
                return self.positions[here]
            if here in self.key_positions:
                return self.key_positions[here]
        return (1, 1)

    def problem(self, path: Path, message: str, severity: str = "error") -> Problem:
        line, column = self.locate(path)
        return Problem(self.file, line, column, message, severity)


class _StrictLoader(_Parser):  # type: ignore[misc]
    """Used only as a parser: ``read_document`` builds the values from its events."""


def read_document(raw: bytes, file: str) -> Document:
    """Parse one YAML file; raise ``YamlError`` naming the file and line on anything unsafe."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(Problem(file, 1, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB"))
    text = _decode(raw, file)
    if not text.strip():
        raise YamlError(Problem(file, 1, 1, "file is empty"))
    loader = _StrictLoader(text)
    try:
        return _Builder(file).build(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        on_tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
        raise YamlError(Problem(file, line, column, _yaml_message(error, on_tab))) from None
    except yaml.reader.ReaderError as error:
        # A character YAML does not allow (a control character): name where it is.
        char = chr(error.character) if isinstance(error.character, int) else str(error.character)
        index = max(text.find(char), 0)
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        message = f"character U+{ord(char[:1] or ' '):04X} is not allowed (a control character)"
        raise YamlError(Problem(file, line, column, message)) from None
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise YamlError(Problem(file, 1, 1, f"not valid YAML: {detail}")) from None
    finally:
        loader.dispose()


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlError(
            Problem(file, line, 1, f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save as UTF-8")
        ) from None


def _yaml_message(error: yaml.MarkedYAMLError, on_tab: bool) -> str:
    problem = " ".join(str(error.problem or error.context or "not valid YAML").split())
    if on_tab or "\\t" in problem:
        return "tab character found: indent with spaces, not tabs"
    if "nesting depth" in problem:
        return f"nested more than {MAX_DEPTH} levels deep"
    return f"not valid YAML: {problem}"


# No number in a knowledge base needs more digits than this; Python refuses beyond 4300.
MAX_DIGITS = 30


def _resolve(value: str) -> Any:
    if value in _NULLS:
        return None
    if value in ("true", "false"):
        return value == "true"
    if _INT.fullmatch(value) or _FLOAT.fullmatch(value):
        if sum(c.isdigit() for c in value) > MAX_DIGITS:
            raise ValueError(f"a number of more than {MAX_DIGITS} digits")
        return int(value) if _INT.fullmatch(value) else float(value)
    return value


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}
        # Each open collection: (container, its path, the mapping key waiting for a value).
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0

    def fail(self, event: Any, message: str) -> YamlError:
        mark = event.start_mark
        return YamlError(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def build(self, loader: Any) -> Document:
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            self.handle(event)
        return Document(self.file, self.root, self.positions, self.key_positions)

    def handle(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(event, "only one YAML document per file (remove the '---')")
            return
        if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
            return
        if isinstance(event, yaml.AliasEvent):
            raise self.fail(event, f"aliases (*{event.anchor}) are not allowed")
        if isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()
            return
        if getattr(event, "anchor", None):
            raise self.fail(event, f"anchors (&{event.anchor}) are not allowed")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise self.fail(event, f"tags such as {tag} are not allowed")
        if isinstance(event, yaml.ScalarEvent):
            plain = not event.style  # the C parser says "" for plain, the Python one None
            try:
                value = _resolve(event.value) if plain else event.value
            except ValueError as error:
                raise self.fail(event, str(error)) from None
            self.add(event, value)
        elif isinstance(event, yaml.MappingStartEvent):
            self.open(event, {})
        elif isinstance(event, yaml.SequenceStartEvent):
            self.open(event, [])

    def open(self, event: Any, container: dict[Any, Any] | list[Any]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"nested more than {MAX_DEPTH} levels deep")
        path = self.add(event, container)
        self.stack.append([container, path, _NO_KEY])

    def add(self, event: Any, value: Any) -> Path:
        """Attach a value to the open collection; return its path."""
        position = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not self.stack:
            self.root = value
            self.positions[()] = position
            return ()
        frame = self.stack[-1]
        container, path, key = frame
        if isinstance(container, list):
            here: Path = (*path, len(container))
            container.append(value)
        elif key is _NO_KEY:
            if isinstance(value, dict | list):
                raise self.fail(event, "a mapping key must be plain text")
            if value in container:
                raise self.fail(event, f"duplicate key '{value}'")
            frame[2] = value
            self.key_positions[(*path, value)] = position
            return (*path, value)
        else:
            here = (*path, key)
            container[key] = value
            frame[2] = _NO_KEY
        self.positions[here] = position
        return here


class _NoKey:
    pass


_NO_KEY = _NoKey()
