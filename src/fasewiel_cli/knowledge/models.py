"""The knowledge base as frozen dataclasses.

These classes describe the YAML files in ``data/`` one to one. They are plain stdlib dataclasses so
that importing them costs nothing: pydantic validates them (``knowledge.py``) only when the YAML is
read, and a validated knowledge base is cached, so most runs never import pydantic at all.
``__pydantic_config__`` is read by pydantic's ``TypeAdapter`` and forbids unknown keys.

The annotations are evaluated at import (no ``from __future__ import annotations``): kept as text,
``dataclass`` would read each of the ~330 as text at every start (~1.5% of a ``check``'s work).
"""

import re
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform, get_args

from fasewiel_cli.errors import FasewielError, Message

_T = TypeVar("_T")
# A placeholder in a text of messages.yaml: {name}.
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_STRICT: Any = {"extra": "forbid"}


# The fields of each model, looked up once: ``Frozen.__init__`` runs for each of the many models
# the knowledge-base cache holds, at every start.
_FIELDS: dict[type, tuple[Field[Any], ...]] = {}


class Frozen:
    """Base of the models: immutable once built, one shared ``__init__``, ``__repr__``, ``__eq__``.

    ``dataclass(frozen=True)`` would generate these per class, which costs about a millisecond
    per class at every start of the program; here they are written once. pydantic fills
    instances without calling ``__init__``; the knowledge-base cache calls it.
    """

    __slots__ = ()
    __pydantic_config__: ClassVar[Any] = _STRICT

    def __init__(self, **values: Any) -> None:
        model = type(self)
        if model not in _FIELDS:
            _FIELDS[model] = fields(self)  # type: ignore[arg-type]
        for f in _FIELDS[model]:
            if f.name in values:
                value = values.pop(f.name)
            elif f.default is not MISSING:
                value = f.default
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            elif f.init:
                raise TypeError(f"{type(self).__name__}: missing argument '{f.name}'")
            else:
                continue
            object.__setattr__(self, f.name, value)
        if values:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(values)}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)  # type: ignore[arg-type]
            if f.compare
        )

    __hash__ = None  # type: ignore[assignment]


# Every model by class name: what the knowledge-base cache may build (``knowledge._unplain``).
MODELS: dict[str, type[Frozen]] = {}


@dataclass_transform(kw_only_default=True, frozen_default=True)
def model(cls: type[_T]) -> type[_T]:
    """Declare a model: a keyword-only dataclass on top of ``Frozen`` (which must be a base)."""
    MODELS[cls.__name__] = cls  # type: ignore[assignment]
    return dataclass(init=False, repr=False, eq=False, match_args=False, kw_only=True)(cls)


# The languages of fasewiel, Dutch first. Adding one: its code here; its texts in every
# nl/en mapping of data/ (Localized and LocalizedList get a field of that name); and its
# word-form rules in language/morphology/<code>.py. Nothing else names a language.
Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
PHASE_IDS = ("reset", "activate", "repair", "radiance", "sustain")


def lang_of(value: object) -> Lang:
    """The language ``value`` names ("NL" too); ``FasewielError`` for any other value."""
    code = value.lower() if isinstance(value, str) else value
    for lang in LANGS:
        if code == lang:
            return lang
    raise FasewielError(f"unknown language {value!r}", hint=f"one of: {', '.join(LANGS)}")


@model
class Localized(Frozen):
    """One text in every language (a field per language of ``LANGS``)."""

    nl: str
    en: str

    def get(self, lang: Lang) -> str:
        text: str = getattr(self, lang)
        return text

    def all(self) -> tuple[str, ...]:
        """The text in each language, in the order of ``LANGS``."""
        return tuple(self.get(lang) for lang in LANGS)


@model
class LocalizedList(Frozen):
    """A list of short texts in every language (the lists need not be the same length)."""

    nl: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: Lang) -> tuple[str, ...]:
        texts: tuple[str, ...] = getattr(self, lang)
        return texts

    def all(self) -> tuple[str, ...]:
        """Every text, language by language in the order of ``LANGS``."""
        return tuple(text for lang in LANGS for text in self.get(lang))


@model
class Sourced(Frozen):
    """Every item says where it comes from: a section of the paper, or why it is derived."""

    source: str | None = None
    derived: str | None = None


# --- knowledge.yaml ---------------------------------------------------------------------------


@model
class CalmFirst(Sourced):
    phase: str
    weight: str


@model
class IntensiveRule(Sourced):
    phases: tuple[str, ...]
    blocked_by: str


@model
class Weight(Frozen):
    value: float  # written as a number, not "1.0" or true (knowledge._number_problems)
    name: Localized


@model
class Recheck(Sourced):
    """How often a client in ``phase`` is due for a new check (``fasewiel history``)."""

    phase: str
    days: int  # a whole number, written as one (knowledge._number_problems)
    name: Localized


@model
class Scoring(Sourced):
    weights: dict[str, Weight]
    calm_first: CalmFirst
    intensive: IntensiveRule


# --- phases.yaml ------------------------------------------------------------------------------


@model
class Care(Frozen):
    lifestyle: LocalizedList
    ritual: LocalizedList
    treatment: LocalizedList


@model
class PhaseIngredient(Frozen):
    ingredient: str
    role: Localized
    form: Localized | None = None


@model
class Phase(Sourced):
    id: str
    name: Localized
    tagline: Localized
    nervous_system: Localized
    care: Care
    ingredients: tuple[PhaseIngredient, ...]
    core_message: Localized
    next: str


# --- signals.yaml -----------------------------------------------------------------------------


@model
class Everyday(Sourced):
    """Words a consumer uses for a signal that the paper does not use: derived, with the reason."""

    nl: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: Lang) -> tuple[str, ...]:
        words: tuple[str, ...] = getattr(self, lang)
        return words


@model
class Signal(Sourced):
    id: str
    name: Localized
    phases: dict[str, str]
    messengers: tuple[str, ...] = ()
    words: LocalizedList = field(default_factory=LocalizedList)
    everyday: Everyday | None = None

    def words_in(self, lang: Lang) -> tuple[str, ...]:
        """Everything that expresses this signal in one language: name, words, everyday words."""
        everyday = self.everyday.get(lang) if self.everyday else ()
        return (self.name.get(lang), *self.words.get(lang), *everyday)

    def phrases(self) -> tuple[str, ...]:
        """Everything that expresses this signal, in every language."""
        return tuple(phrase for lang in LANGS for phrase in self.words_in(lang))


# --- messengers.yaml --------------------------------------------------------------------------


@model
class Messenger(Sourced):
    id: str
    name: Localized
    role: Localized
    skin_effect: Localized
    shortage: Localized
    visible: Localized


# --- ingredients.yaml -------------------------------------------------------------------------


@model
class Ingredient(Sourced):
    id: str
    name: Localized
    words: LocalizedList = field(default_factory=LocalizedList)


# --- treatments.yaml --------------------------------------------------------------------------


@model
class Treatment(Sourced):
    id: str
    name: Localized
    intensity: Literal["gentle", "intensive"]
    phases: tuple[str, ...]
    words: LocalizedList = field(default_factory=LocalizedList)


# --- red_flags.yaml ---------------------------------------------------------------------------


# How many words apart the groups of a red-flag pattern may stand when its ``near`` is not given.
NEAR = 20


@model
class RedFlagPattern(Frozen):
    """Word groups, each in both languages, that all show within ``near`` words of the first
    group's (red_flags.yaml says how)."""

    groups: tuple[LocalizedList, ...]
    near: int = NEAR


@model
class RedFlag(Sourced):
    id: str
    name: Localized
    patterns: tuple[RedFlagPattern, ...]
    advice: Localized
    # An emergency (call 112 now): the intake ends there, and the advice says so instead of
    # "a doctor first".
    urgent: bool = False


# --- language.yaml ----------------------------------------------------------------------------


@model
class LostPositive(Sourced):
    """Good things that, lost or negated, are a sign of their own ("geen glans meer" is a dull
    skin): the words (each a word of a signal) and the signal their loss ``means``."""

    means: str
    words: LocalizedList


@model
class LanguageFile(Sourced):
    negations: LocalizedList
    after_negations: LocalizedList = field(default_factory=LocalizedList)
    not_negations: LocalizedList = field(default_factory=LocalizedList)
    scope_breakers: LocalizedList = field(default_factory=LocalizedList)
    list_words: LocalizedList = field(default_factory=LocalizedList)
    fillers: LocalizedList = field(default_factory=LocalizedList)
    negation_gap: LocalizedList = field(default_factory=LocalizedList)
    lost_positives: tuple[LostPositive, ...] = ()


# --- cards.yaml -------------------------------------------------------------------------------


@model
class SourcedText(Sourced):
    text: Localized


@model
class SourcedLines(Sourced):
    lines: LocalizedList


@model
class WheelText(Sourced):
    title: Localized
    intro: Localized
    no_wrong_phase: Localized
    movement: SourcedText
    professionals: SourcedLines
    consumers: SourcedLines


@model
class MessengerColumns(Frozen):
    role: Localized
    skin_effect: Localized
    shortage: Localized
    visible: Localized


@model
class MessengersText(Sourced):
    title: Localized
    columns: MessengerColumns


@model
class NervePart(Sourced):
    id: str
    name: Localized
    text: Localized


@model
class TouchText(Sourced):
    name: Localized
    lines: LocalizedList
    conclusion: Localized


@model
class DevicesText(Sourced):
    name: Localized
    text: Localized


@model
class NervousSystemText(Sourced):
    title: Localized
    parts: tuple[NervePart, ...]
    practical: SourcedText
    touch: TouchText
    devices: DevicesText


@model
class CardTexts(Frozen):
    """The texts of the cards that are not about one phase (cards.yaml)."""

    wheel: WheelText
    messengers: MessengersText
    nervous_system: NervousSystemText


# --- messages.yaml ----------------------------------------------------------------------------


@model
class Texts(Sourced):
    """Sentences around the advice; ``{name}`` placeholders are filled in by fasewiel."""

    disclaimer: Localized
    referral: Localized
    referral_with_plan: Localized
    referral_urgent: Localized
    no_signal: Localized
    only_negated: Localized
    no_signal_hint: Localized
    calm_first: Localized
    intensive_rule: Localized
    verdict_intensive_advised: Localized
    verdict_intensive_phase: Localized
    verdict_intensive_blocked: Localized
    verdict_gentle_advised: Localized
    verdict_gentle_phase: Localized
    verdict_no_phase: Localized
    verdict_red_flag: Localized
    verdict_unknown: Localized


@model
class IntakeTexts(Sourced):
    """What the guided intake asks and says (``fasewiel check`` without symptoms)."""

    intro: Localized
    safety: Localized
    safety_question: Localized
    safety_which: Localized
    continue_question: Localized
    stopped: Localized
    stopped_urgent: Localized
    see: Localized
    see_prompt: Localized
    own_words: Localized
    follow_up: Localized
    yes_no_hint: Localized
    number_hint: Localized
    nothing_hint: Localized
    ended: Localized
    ended_hint: Localized


@model
class HistoryTexts(Sourced):
    """What ``fasewiel history`` says besides the visits themselves."""

    recheck_due: Localized
    recheck_next: Localized
    date: Localized


@model
class CliTexts(Sourced):
    """What the command line itself says: messages, the batch summary, questions."""

    # CSV column id → its name in each language ("share_": the prefix of a phase's share).
    columns: dict[str, Localized] = field(default_factory=dict)
    csv_delimiter: Localized
    progress: Localized
    summary_one: Localized
    nothing_saved_error_one: Localized
    unknown_ingredient: Localized
    unknown_treatment: Localized
    did_you_mean_hint: Localized
    known_ingredients: Localized
    known_treatments: Localized
    more: Localized
    more_at_least: Localized
    no_history: Localized
    no_history_in: Localized
    no_history_hint: Localized
    history_read_only: Localized
    history_read_only_hint: Localized
    history_busy: Localized
    history_busy_hint: Localized
    erasure_blocked: Localized
    erasure_done: Localized
    erasure_history: Localized
    erasure_blocked_hint: Localized
    visit_damaged: Localized
    visit_damaged_hint: Localized
    history_broken_link: Localized
    history_other_file_hint: Localized
    history_cannot_create: Localized
    history_cannot_create_hint: Localized
    history_not_regular: Localized
    history_other_app: Localized
    history_left_alone_hint: Localized
    history_newer: Localized
    history_newer_hint: Localized
    history_unusable: Localized
    history_unusable_hint: Localized
    unknown_encoding: Localized
    encoding_hint: Localized
    no_byte_order: Localized
    no_byte_order_hint: Localized
    not_a_text_encoding: Localized
    not_a_text_encoding_hint: Localized
    no_symptoms_column: Localized
    no_symptoms_column_hint: Localized
    same_columns: Localized
    same_columns_hint: Localized
    same_fields: Localized
    twice_column: Localized
    twice_column_hint: Localized
    input_empty: Localized
    output_is_input: Localized
    output_reads_itself: Localized
    output_elsewhere_hint: Localized
    cannot_read: Localized
    too_many_fields: Localized
    too_many_fields_hint: Localized
    stdin_not_utf8: Localized
    stdin_not_utf8_hint: Localized
    unit_line: Localized
    unit_row: Localized
    row_problem: Localized
    row_fields: Localized
    row_open_quote: Localized
    row_malformed: Localized
    row_too_long: Localized
    row_undecodable: Localized
    hint_excel: Localized
    hint_damaged: Localized
    row_json: Localized
    json_digits: Localized
    json_deep: Localized
    row_surrogate: Localized
    row_not_object: Localized
    row_no_symptoms: Localized
    row_twice_field: Localized
    row_symptoms_type: Localized
    row_not_array: Localized
    row_array_ends: Localized
    row_array_long: Localized
    row_array_after: Localized
    plain: Localized
    with_hint: Localized
    too_many_treatments: Localized
    field_not_text: Localized
    no_client: Localized
    client_empty: Localized
    client_empty_hint: Localized
    client_bad: Localized
    client_bad_hint: Localized
    note_long: Localized
    note_control: Localized
    note_control_hint: Localized
    date_none: Localized
    date_hint: Localized
    date_future: Localized
    date_old: Localized
    thousands: Localized
    error: Localized
    hint: Localized
    saved_visit: Localized
    saved_visits: Localized
    already_saved: Localized
    saved_before_stop: Localized
    nothing_saved: Localized
    nothing_saved_errors: Localized
    nothing_saved_hint: Localized
    summary: Localized
    summary_status: Localized
    summary_phases: Localized
    summary_red_flags: Localized
    summary_unknown_treatments: Localized
    summary_error: Localized
    summary_more_errors: Localized
    summary_replaced: Localized
    status_ok: Localized
    status_no_signal: Localized
    status_red_flag: Localized
    status_error: Localized
    unknown_client: Localized
    unknown_client_hint: Localized
    delete_question: Localized
    nothing_deleted: Localized
    deleted: Localized


# The placeholders each text may use; anything else in braces is a mistake in the YAML.
TEXT_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "no_signal_hint": frozenset({"command"}),
    "calm_first": frozenset({"signals", "next"}),
    "only_negated": frozenset({"signals"}),
    "verdict_intensive_advised": frozenset({"treatment", "phase"}),
    "verdict_intensive_phase": frozenset({"treatment", "phase", "phases"}),
    "verdict_intensive_blocked": frozenset({"treatment", "signals"}),
    "verdict_gentle_advised": frozenset({"treatment", "phase"}),
    "verdict_gentle_phase": frozenset({"treatment", "phase", "phases"}),
    "verdict_no_phase": frozenset({"treatment"}),
    "verdict_red_flag": frozenset({"treatment"}),
    "verdict_unknown": frozenset({"treatment"}),
    # The intake's texts (IntakeTexts) share this table.
    "follow_up": frozenset({"signal"}),
    "number_hint": frozenset({"last"}),
    # … and so do the history's.
    "recheck_due": frozenset({"check", "phase", "date", "days"}),
    "recheck_next": frozenset({"check", "phase", "due", "days"}),
    "date": frozenset({"day", "month", "year"}),
    # … and so do the command line's (CliTexts).
    "summary_one": frozenset({"count", "output"}),
    "nothing_saved_error_one": frozenset({"records"}),
    "unknown_ingredient": frozenset({"name"}),
    "unknown_treatment": frozenset({"name"}),
    "did_you_mean_hint": frozenset({"names"}),
    "known_ingredients": frozenset({"names"}),
    "known_treatments": frozenset({"names"}),
    "more": frozenset({"count"}),
    "more_at_least": frozenset({"count"}),
    "field_not_text": frozenset({"field"}),
    "too_many_treatments": frozenset({"limit"}),
    "already_saved": frozenset({"count"}),
    "no_history": frozenset({"path"}),
    "no_history_in": frozenset({"path"}),
    "history_read_only": frozenset({"path"}),
    "history_busy": frozenset({"error", "path"}),
    "erasure_blocked": frozenset({"done"}),
    "erasure_done": frozenset({"client"}),
    "visit_damaged": frozenset({"client", "error", "path", "visit"}),
    "visit_damaged_hint": frozenset({"client"}),
    "history_broken_link": frozenset({"path"}),
    "history_cannot_create": frozenset({"path", "reason"}),
    "history_not_regular": frozenset({"path"}),
    "history_other_app": frozenset({"path"}),
    "history_newer": frozenset({"known", "path", "version"}),
    "history_unusable": frozenset({"error", "path"}),
    "unknown_encoding": frozenset({"encoding"}),
    "no_byte_order": frozenset({"codec"}),
    "no_byte_order_hint": frozenset({"code"}),
    "not_a_text_encoding": frozenset({"encoding"}),
    "no_symptoms_column": frozenset({"columns"}),
    "same_columns": frozenset({"columns"}),
    "same_fields": frozenset({"fields"}),
    "twice_column": frozenset({"column"}),
    "cannot_read": frozenset({"name", "reason"}),
    "too_many_fields": frozenset({"chars", "limit"}),
    "plain": frozenset({"text"}),
    "with_hint": frozenset({"message", "hint"}),
    "row_problem": frozenset({"line", "problem", "unit"}),
    "row_fields": frozenset({"found", "line", "unit", "width"}),
    "row_open_quote": frozenset({"line", "unit"}),
    "row_malformed": frozenset({"detail", "line", "unit"}),
    "row_too_long": frozenset({"limit", "line", "unit"}),
    "row_undecodable": frozenset({"byte", "codec", "hint", "line", "unit"}),
    "row_json": frozenset({"detail", "line", "unit"}),
    "row_surrogate": frozenset({"line", "unit"}),
    "row_not_object": frozenset({"found", "line", "unit"}),
    "row_no_symptoms": frozenset({"line", "unit"}),
    "row_twice_field": frozenset({"field", "line", "unit"}),
    "row_symptoms_type": frozenset({"line", "unit"}),
    "row_not_array": frozenset({"line", "unit"}),
    "row_array_ends": frozenset({"line", "unit"}),
    "row_array_long": frozenset({"limit", "line", "unit"}),
    "row_array_after": frozenset({"line", "unit"}),
    "client_bad": frozenset({"limit"}),
    "note_long": frozenset({"limit"}),
    "date_none": frozenset({"text"}),
    "date_future": frozenset({"text"}),
    "date_old": frozenset({"text"}),
    "saved_visit": frozenset({"client", "path"}),
    "saved_visits": frozenset({"count", "path"}),
    "saved_before_stop": frozenset({"count"}),
    "nothing_saved_errors": frozenset({"errors", "records"}),
    "summary": frozenset({"count", "output"}),
    "summary_more_errors": frozenset({"count"}),
    "summary_replaced": frozenset({"names"}),
    "unknown_client": frozenset({"client"}),
    "delete_question": frozenset({"count", "client", "path"}),
    "deleted": frozenset({"count", "client"}),
}


LabelKey = Literal[
    "phase",
    "wheel",
    "shares",
    "why",
    "negated",
    "unrecognised",
    "did_you_mean",
    "how_exact",
    "how_form",
    "how_typo",
    "nervous_system",
    "care_plan",
    "lifestyle",
    "ritual",
    "treatment",
    "ingredients",
    "core_message",
    "messengers",
    "next_phase",
    "treatments",
    "advised",
    "not_advised",
    "unknown",
    "red_flags",
    "red_flags_urgent",
    "signals",
    "disclaimer",
    "or_word",
    "intensive",
    "also_visible",
    "also_recognised",
    "for_professionals",
    "for_consumers",
    "glossary",
    "used_in",
    "also_known_as",
    "neurotransmitter",
    "origin_source",
    "origin_derived",
    "client",
    "visits",
    "trajectory",
    "since_previous",
    "gained",
    "lost",
    "unchanged",
    "note",
    "reminder",
    "first_visit",
    "last_visit",
]


@model
class Labels(Sourced):
    """Headings and short words of the output."""

    phase: Localized
    wheel: Localized
    shares: Localized
    why: Localized
    negated: Localized
    unrecognised: Localized
    did_you_mean: Localized
    how_exact: Localized
    how_form: Localized
    how_typo: Localized
    nervous_system: Localized
    care_plan: Localized
    lifestyle: Localized
    ritual: Localized
    treatment: Localized
    ingredients: Localized
    core_message: Localized
    messengers: Localized
    next_phase: Localized
    treatments: Localized
    advised: Localized
    not_advised: Localized
    unknown: Localized
    red_flags: Localized
    red_flags_urgent: Localized
    signals: Localized
    disclaimer: Localized
    or_word: Localized
    intensive: Localized
    also_visible: Localized
    also_recognised: Localized
    for_professionals: Localized
    for_consumers: Localized
    glossary: Localized
    used_in: Localized
    also_known_as: Localized
    neurotransmitter: Localized
    origin_source: Localized
    origin_derived: Localized
    client: Localized
    visits: Localized
    trajectory: Localized
    since_previous: Localized
    gained: Localized
    lost: Localized
    unchanged: Localized
    note: Localized
    reminder: Localized
    first_visit: Localized
    last_visit: Localized

    def get(self, key: LabelKey, lang: Lang) -> str:
        text: Localized = getattr(self, key)
        return text.get(lang)


# --- the whole knowledge base -----------------------------------------------------------------


@model
class KnowledgeInfo(Frozen):
    """Which knowledge produced a result: reported with every assessment."""

    name: str
    version: str
    hash: str
    title: Localized
    builtin: bool


@model
class KnowledgeBase(Frozen):
    """Everything the pipeline knows, validated and cross-checked; phases in wheel order."""

    info: KnowledgeInfo
    scoring: Scoring
    phases: tuple[Phase, ...]
    signals: tuple[Signal, ...]
    messengers: tuple[Messenger, ...]
    ingredients: tuple[Ingredient, ...]
    treatments: tuple[Treatment, ...]
    red_flags: tuple[RedFlag, ...]
    language: LanguageFile
    texts: Texts
    labels: Labels
    intake: IntakeTexts
    history: HistoryTexts
    cli: CliTexts
    recheck: tuple[Recheck, ...]
    cards: CardTexts
    _index: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)
    # Derived once for scoring: signal id → ((phase id, weight), ...); the calm-first signals.
    _points: dict[str, tuple[tuple[str, float], ...]] = field(init=False, repr=False, compare=False)
    _calming: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = self.scoring.weights
        points = {
            s.id: tuple((phase, weights[name].value) for phase, name in s.phases.items())
            for s in self.signals
        }
        rule = self.scoring.calm_first
        calming = frozenset(s.id for s in self.signals if s.phases.get(rule.phase) == rule.weight)
        object.__setattr__(self, "_points", points)
        object.__setattr__(self, "_calming", calming)
        index = {
            kind: {item.id: item for item in getattr(self, kind)}
            for kind in (
                "phases",
                "signals",
                "messengers",
                "ingredients",
                "treatments",
                "red_flags",
            )
        }
        object.__setattr__(self, "_index", index)

    def phase(self, phase_id: str) -> Phase:
        phase: Phase = self._index["phases"][phase_id]
        return phase

    def signal(self, signal_id: str) -> Signal:
        signal: Signal = self._index["signals"][signal_id]
        return signal

    def messenger(self, messenger_id: str) -> Messenger:
        messenger: Messenger = self._index["messengers"][messenger_id]
        return messenger

    def ingredient(self, ingredient_id: str) -> Ingredient:
        ingredient: Ingredient = self._index["ingredients"][ingredient_id]
        return ingredient

    def treatment(self, treatment_id: str) -> Treatment:
        treatment: Treatment = self._index["treatments"][treatment_id]
        return treatment

    def red_flag(self, flag_id: str) -> RedFlag:
        flag: RedFlag = self._index["red_flags"][flag_id]
        return flag

    def weight(self, signal: Signal, phase_id: str) -> float:
        return self.scoring.weights[signal.phases[phase_id]].value

    def points(self, signal_id: str) -> tuple[tuple[str, float], ...]:
        """Each phase the signal points to, with the weight it adds there."""
        return self._points[signal_id]

    def calms_first(self, signal_id: str) -> bool:
        """Whether this signal invokes the calm-first rule (a primary Reset signal)."""
        return signal_id in self._calming

    def say(self, said: Message, lang: Lang) -> str:
        """A message (``errors.Message``) in ``lang``: its text of messages.yaml (cli), each
        placeholder filled; whole numbers grouped as the language does (1.000 in Dutch)."""
        values: dict[str, str] = {}
        for name, value in said.values:
            if isinstance(value, Message):
                values[name] = self.say(value, lang)
            elif isinstance(value, int) and not isinstance(value, bool):
                values[name] = f"{value:,}".replace(",", self.cli.thousands.get(lang))
            else:
                values[name] = str(value)
        template: str = getattr(self.cli, said.key).get(lang)
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)

    def signals_of(self, phase_id: str) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if phase_id in s.phases)
