"""Assessment → advice: everything the output shows, in one language, taken from the knowledge base.

``Advice`` is what every renderer draws; ``serialize.advice_to_dict`` is its JSON form.

The annotations are evaluated at import (no ``from __future__ import annotations``): kept as text,
``NamedTuple`` would compile each field's at every start.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from fasewiel_cli.engine.scoring import Assessment, assess
from fasewiel_cli.errors import UnknownNameError
from fasewiel_cli.knowledge.models import (
    LANGS,
    KnowledgeBase,
    KnowledgeInfo,
    LabelKey,
    Labels,
    Lang,
    Treatment,
    lang_of,
)
from fasewiel_cli.language.lexicon import lexicon_of
from fasewiel_cli.language.matching import SignalMatch, read_text
from fasewiel_cli.language.safety import FlagMatch

# Words not understood that get a "did you mean": the first ones (a long text may hold
# thousands, each costing a search through the knowledge base's words).
SUGGESTED = 20
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class PhaseView(NamedTuple):
    id: str
    name: str
    tagline: str
    nervous_system: str
    core_message: str


class MatchView(NamedTuple):
    text: str
    signal: str
    name: str
    phases: tuple[str, ...]
    how: str


class UnmatchedView(NamedTuple):
    text: str
    suggestions: tuple[str, ...]


class RedFlagView(NamedTuple):
    id: str
    name: str
    text: str
    advice: str
    urgent: bool = False


class IngredientView(NamedTuple):
    id: str
    name: str
    role: str
    form: str | None


class Plan(NamedTuple):
    lifestyle: tuple[str, ...]
    ritual: tuple[str, ...]
    treatment: tuple[str, ...]
    ingredients: tuple[IngredientView, ...]
    core_message: str


class MessengerView(NamedTuple):
    id: str
    name: str
    visible: str
    signals: tuple[str, ...]


class Verdict(NamedTuple):
    """A planned treatment in the assessed phase. A name fasewiel does not know as a treatment
    gets the verdict "unknown", no id, and the names it may have meant."""

    id: str | None
    name: str
    intensity: str | None
    verdict: Literal["advised", "not_advised", "unknown"]
    reason: str
    suggestions: tuple[str, ...] = ()


class Unknown(NamedTuple):
    """A planned treatment's name that is none of the knowledge base's treatments."""

    name: str
    suggestions: tuple[str, ...]


class Advice(NamedTuple):
    lang: Lang
    text: str
    wheel: tuple[PhaseView, ...]
    scores: dict[str, float]
    phase: PhaseView | None
    next_phase: PhaseView | None
    calm_first: bool
    explanation: tuple[str, ...]
    # The signals that count, each once, in the order they were first mentioned.
    signals: tuple[str, ...]
    matched: tuple[MatchView, ...]
    negated: tuple[MatchView, ...]
    unmatched: tuple[UnmatchedView, ...]
    red_flags: tuple[RedFlagView, ...]
    referral: str | None
    plan: Plan | None
    messengers: tuple[MessengerView, ...]
    treatments: tuple[Verdict, ...]
    disclaimer: str
    # Why there is no phase when nothing counts: everything mentioned was negated.
    only_negated: str | None
    knowledge: KnowledgeInfo
    labels: Labels

    def label(self, key: LabelKey) -> str:
        return self.labels.get(key, self.lang)

    def phase_name(self, phase_id: str) -> str:
        return next(p.name for p in self.wheel if p.id == phase_id)


def check(
    text: str | Iterable[str],
    *,
    lang: Lang = LANGS[0],
    treatments: Sequence[str] = (),
    kb: KnowledgeBase | None = None,
    flags: Sequence[tuple[str, str]] = (),
) -> Advice:
    """The whole pipeline: text (or words) → match → assess → advise.

    ``flags`` are red flags confirmed outside the text (the intake's safety questions), as
    (flag id, what was confirmed); they count as if the text had named them.
    """
    if kb is None:
        from fasewiel_cli.knowledge.load import load_knowledge

        kb = load_knowledge()
    lang = lang_of(lang)
    if isinstance(treatments, str):
        treatments = (treatments,)  # (one name, not its letters)
    words = [text] if isinstance(text, str) else _texts(text, "text")
    treatments = _texts(treatments, "treatments")
    joined = " ".join(words)
    match = read_text(kb, joined)
    flags = list(flags)  # (a generator is read once)
    if flags:
        unknown = [i for i, _ in flags if not any(f.id == i for f in kb.red_flags)]
        if unknown:
            raise ValueError(f"unknown red flag {unknown[0]!r}: one of the knowledge base's ids")
        named = {f.flag for f in match.red_flags}
        extra = tuple(FlagMatch(kb.red_flag(i).id, said) for i, said in flags if i not in named)
        match = match._replace(red_flags=(*match.red_flags, *extra))
    return advise(kb, assess(kb, match), lang, planned_treatments(kb, treatments, lang))


def _texts(values: object, what: str) -> list[str]:
    """``values`` as a list of texts; ``TypeError`` saying what ``what`` must be otherwise."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a text or a list of texts, not {type(values).__name__}")
    found = list(values)
    if not all(isinstance(value, str) for value in found):
        odd = next(value for value in found if not isinstance(value, str))
        raise TypeError(f"{what} must be texts, not {type(odd).__name__}")
    return found


def planned_treatments(
    kb: KnowledgeBase, names: Iterable[str], lang: Lang
) -> list[Treatment | Unknown]:
    """The treatments ``names`` stand for, in order, each once ("-t peeling -t peelings" is one
    treatment); a name that is none of them is kept as ``Unknown``, with what it may mean."""
    names = [name for name in names if name.strip()]  # (-t "": no treatment named)
    if not names:
        return []  # (without importing lookup: most runs name no treatment)
    from fasewiel_cli.language.lookup import find

    planned: dict[str, Treatment | Unknown] = {}
    for name in names:
        try:
            treatment = find("treatment", kb.treatments, name, lang)
        except UnknownNameError as error:
            # (keyed so that it is never a treatment's id)
            planned.setdefault("\0" + name.casefold(), Unknown(name, error.suggestions))
        else:
            planned.setdefault(treatment.id, treatment)
    return list(planned.values())


def verdict(
    kb: KnowledgeBase, assessment: Assessment, planned: Treatment | Unknown, lang: Lang
) -> Verdict:
    """The verdict on a planned treatment, known or not. A red flag makes every treatment not
    advised, one fasewiel does not know too; while Reset signals are present, the verdict on an
    unknown one recalls the rule for intensive techniques (it may be one)."""
    if not isinstance(planned, Unknown):
        return treatment_verdict(kb, assessment, planned, lang)
    name, suggestions = planned.name, planned.suggestions
    if assessment.match.red_flags:
        reason = fill(kb.texts.verdict_red_flag.get(lang), treatment=name)
        return Verdict(None, name, None, "not_advised", reason, suggestions)
    reason = fill(kb.texts.verdict_unknown.get(lang), treatment=name)
    if suggestions:
        did_you_mean = kb.labels.did_you_mean.get(lang)
        reason += f" {did_you_mean[:1].upper()}{did_you_mean[1:]}: {', '.join(suggestions)}?"
    if assessment.signals_pointing_to(kb, kb.scoring.intensive.blocked_by):
        reason += f" {kb.texts.intensive_rule.get(lang)}"
    return Verdict(None, name, None, "unknown", reason, suggestions)


def advise(
    kb: KnowledgeBase,
    assessment: Assessment,
    lang: Lang,
    treatments: Sequence[Treatment | Unknown] = (),
) -> Advice:
    match = assessment.match
    phase = kb.phase(assessment.phase) if assessment.phase else None
    red_flags = tuple(
        RedFlagView(
            f.flag,
            kb.red_flag(f.flag).name.get(lang),
            f.text,
            kb.red_flag(f.flag).advice.get(lang),
            kb.red_flag(f.flag).urgent,
        )
        for f in match.red_flags
    )

    return Advice(
        lang=lang,
        text=match.text,
        wheel=tuple(_phase_view(kb, p.id, lang) for p in kb.phases),
        scores=assessment.scores,
        phase=_phase_view(kb, phase.id, lang) if phase else None,
        next_phase=_phase_view(kb, assessment.next_phase, lang) if assessment.next_phase else None,
        calm_first=assessment.calm_first,
        explanation=_explanation(kb, assessment, lang),
        signals=match.signal_ids,
        matched=_match_views(kb, match.matched, lang),
        negated=_match_views(kb, match.negated, lang),
        unmatched=tuple(
            UnmatchedView(u.text, lexicon_of(kb).suggestions(u.norm) if n < SUGGESTED else ())
            for n, u in enumerate(match.unrecognised)
        ),
        red_flags=red_flags,
        referral=_referral(kb, lang, match.red_flags, phase is not None) if red_flags else None,
        plan=_plan(kb, phase.id, lang) if phase else None,
        messengers=_messengers(kb, match.signal_ids, lang),
        treatments=tuple(verdict(kb, assessment, t, lang) for t in treatments),
        disclaimer=kb.texts.disclaimer.get(lang),
        only_negated=_only_negated(kb, assessment, lang),
        knowledge=kb.info,
        labels=kb.labels,
    )


def fill(template: str, **values: str) -> str:
    """Fill ``{name}`` placeholders. Deliberately not ``str.format``: texts may come from a
    user's own knowledge base, and format strings can reach into objects' attributes."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _phase_view(kb: KnowledgeBase, phase_id: str, lang: Lang) -> PhaseView:
    phase = kb.phase(phase_id)
    return PhaseView(
        phase.id,
        phase.name.get(lang),
        phase.tagline.get(lang),
        phase.nervous_system.get(lang),
        phase.core_message.get(lang),
    )


def _match_views(
    kb: KnowledgeBase, matches: Sequence[SignalMatch], lang: Lang
) -> tuple[MatchView, ...]:
    """One view per (words, signal): "rood rood rood" is said once."""
    views: dict[tuple[str, str], MatchView] = {}
    for m in matches:
        signal = kb.signal(m.signal)
        view = MatchView(m.text, signal.id, signal.name.get(lang), tuple(signal.phases), m.how)
        views.setdefault((m.text.casefold(), m.signal), view)
    return tuple(views.values())


def _referral(kb: KnowledgeBase, lang: Lang, flags: Sequence[FlagMatch], with_plan: bool) -> str:
    """What to do about the red flags: an emergency first (112), else a doctor before a plan."""
    if any(kb.red_flag(f.flag).urgent for f in flags):
        return kb.texts.referral_urgent.get(lang)
    referral = kb.texts.referral.get(lang)
    return f"{referral} {kb.texts.referral_with_plan.get(lang)}" if with_plan else referral


def _only_negated(kb: KnowledgeBase, assessment: Assessment, lang: Lang) -> str | None:
    match = assessment.match
    if assessment.phase is not None or not match.negated or match.matched:
        return None
    names = dict.fromkeys(kb.signal(m.signal).name.get(lang) for m in match.negated)
    return fill(kb.texts.only_negated.get(lang), signals=", ".join(names))


def _plan(kb: KnowledgeBase, phase_id: str, lang: Lang) -> Plan:
    phase = kb.phase(phase_id)
    ingredients = tuple(
        IngredientView(
            use.ingredient,
            kb.ingredient(use.ingredient).name.get(lang),
            use.role.get(lang),
            use.form.get(lang) if use.form else None,
        )
        for use in phase.ingredients
    )
    care = phase.care
    return Plan(
        care.lifestyle.get(lang),
        care.ritual.get(lang),
        care.treatment.get(lang),
        ingredients,
        phase.core_message.get(lang),
    )


def _messengers(
    kb: KnowledgeBase, signal_ids: Sequence[str], lang: Lang
) -> tuple[MessengerView, ...]:
    views = []
    for messenger in kb.messengers:
        linked = [
            kb.signal(s).name.get(lang)
            for s in signal_ids
            if messenger.id in kb.signal(s).messengers
        ]
        if linked:
            views.append(
                MessengerView(
                    messenger.id,
                    messenger.name.get(lang),
                    messenger.visible.get(lang),
                    tuple(linked),
                )
            )
    return tuple(views)


def _explanation(kb: KnowledgeBase, assessment: Assessment, lang: Lang) -> tuple[str, ...]:
    if not assessment.calm_first or assessment.next_phase is None:
        return ()
    rule = kb.scoring.calm_first
    others = [p for p, v in assessment.scores.items() if p != rule.phase and v > 0]
    if not others:
        return ()
    calming = [
        kb.signal(s).name.get(lang) for s in assessment.match.signal_ids if kb.calms_first(s)
    ]
    text = kb.texts.calm_first.get(lang)
    next_name = kb.phase(assessment.next_phase).name.get(lang)
    return (fill(text, signals=", ".join(calming), next=next_name),)


def treatment_verdict(
    kb: KnowledgeBase, assessment: Assessment, treatment: Treatment, lang: Lang
) -> Verdict:
    """Is a planned treatment advised in the assessed phase, and why (sections 8 and 10)."""
    texts = kb.texts
    name = treatment.name.get(lang)

    def result(ok: bool, template: str, **values: str) -> Verdict:
        reason = fill(template, treatment=name, **values)
        return Verdict(
            treatment.id, name, treatment.intensity, "advised" if ok else "not_advised", reason
        )

    if assessment.match.red_flags:
        return result(False, texts.verdict_red_flag.get(lang))
    if assessment.phase is None:
        return result(False, texts.verdict_no_phase.get(lang))
    phase = kb.phase(assessment.phase).name.get(lang)
    if treatment.intensity == "intensive":
        rule = kb.scoring.intensive
        blockers = assessment.signals_pointing_to(kb, rule.blocked_by)
        if blockers:
            names = ", ".join(kb.signal(s).name.get(lang) for s in blockers)
            return result(False, texts.verdict_intensive_blocked.get(lang), signals=names)
        allowed = [p for p in treatment.phases if p in rule.phases]
        if assessment.phase not in allowed:
            phases = _or_list(kb, allowed, lang)
            return result(
                False, texts.verdict_intensive_phase.get(lang), phase=phase, phases=phases
            )
        return result(True, texts.verdict_intensive_advised.get(lang), phase=phase)
    if assessment.phase in treatment.phases:
        return result(True, texts.verdict_gentle_advised.get(lang), phase=phase)
    phases = _or_list(kb, treatment.phases, lang)
    return result(False, texts.verdict_gentle_phase.get(lang), phase=phase, phases=phases)


def _or_list(kb: KnowledgeBase, phase_ids: Sequence[str], lang: Lang) -> str:
    names = [kb.phase(p).name.get(lang) for p in phase_ids]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {kb.labels.get('or_word', lang)} {names[-1]}"
