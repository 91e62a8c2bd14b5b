"""The one family of errors a user can cause. The CLI turns each into a message and exit 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class Message(NamedTuple):
    """Something to tell the user, in no language yet: the name of its text in messages.yaml
    (the ``cli`` section) and the values of its placeholders (a value may be a ``Message`` of
    its own). ``KnowledgeBase.say`` puts it in a language."""

    key: str
    values: tuple[tuple[str, Any], ...] = ()


def said(key: str, **values: Any) -> Message:
    """The message ``key`` of messages.yaml (cli) with these values."""
    return Message(key, tuple(values.items()))


class FasewielError(Exception):
    """Something the user can fix: bad input, a broken knowledge base, an unknown name.

    ``said`` and ``hint_said``, where given, are the message and hint in no language yet: the
    command line says them in the language it speaks (``message`` and ``hint`` are English)."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        said: Message | None = None,
        hint_said: Message | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.said = said
        self.hint_said = hint_said


class Problem(NamedTuple):
    """One finding about a knowledge-base file, at a position."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


class KnowledgeError(FasewielError):
    """The knowledge base could not be loaded; ``problems`` lists every error found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"the knowledge base has {count} {noun}:\n" + "\n".join(str(p) for p in problems),
            hint="fix the files named above, or run without --data / FASEWIEL_DATA to use the "
            "built-in knowledge base",
        )
        self.problems = tuple(problems)


class UnknownNameError(FasewielError):
    """A treatment, ingredient or phase name that the knowledge base does not know."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str], known: Sequence[str]):
        hint = (
            f"did you mean: {', '.join(suggestions)}?"
            if suggestions
            else f"known {kind}s: {', '.join(known)}"
        )
        super().__init__(
            f"unknown {kind} '{name}'",
            hint=hint,
            said=said(f"unknown_{kind}", name=name),
            hint_said=said("did_you_mean_hint", names=", ".join(suggestions))
            if suggestions
            else said(f"known_{kind}s", names=", ".join(known)),
        )
        self.suggestions = tuple(suggestions)
