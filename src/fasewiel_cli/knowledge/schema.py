"""The shape of each knowledge-base file, for validation only.

These wrappers exist for pydantic (each file is one mapping with fixed keys); the loaded knowledge
base keeps only their contents, so this module is imported only when YAML is actually read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fasewiel_cli.knowledge.models import (
    CardTexts,
    CliTexts,
    HistoryTexts,
    Ingredient,
    IntakeTexts,
    Labels,
    LanguageFile,
    Localized,
    Messenger,
    Phase,
    Recheck,
    RedFlag,
    Scoring,
    Signal,
    Texts,
    Treatment,
)

_STRICT: Any = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class KnowledgeFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    name: str
    version: str
    title: Localized
    scoring: Scoring
    recheck: tuple[Recheck, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PhasesFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    phases: tuple[Phase, ...]


@dataclass(frozen=True, kw_only=True)
class SignalsFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    signals: tuple[Signal, ...]


@dataclass(frozen=True, kw_only=True)
class MessengersFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    messengers: tuple[Messenger, ...]


@dataclass(frozen=True, kw_only=True)
class IngredientsFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    ingredients: tuple[Ingredient, ...]


@dataclass(frozen=True, kw_only=True)
class TreatmentsFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    treatments: tuple[Treatment, ...]


@dataclass(frozen=True, kw_only=True)
class RedFlagsFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    red_flags: tuple[RedFlag, ...]


@dataclass(frozen=True, kw_only=True)
class MessagesFile:
    __pydantic_config__: ClassVar[Any] = _STRICT
    texts: Texts
    labels: Labels
    intake: IntakeTexts
    history: HistoryTexts
    cli: CliTexts


SCHEMAS: dict[str, type[Any]] = {
    "knowledge.yaml": KnowledgeFile,
    "phases.yaml": PhasesFile,
    "signals.yaml": SignalsFile,
    "messengers.yaml": MessengersFile,
    "ingredients.yaml": IngredientsFile,
    "treatments.yaml": TreatmentsFile,
    "red_flags.yaml": RedFlagsFile,
    "language.yaml": LanguageFile,
    "messages.yaml": MessagesFile,
    "cards.yaml": CardTexts,
}
