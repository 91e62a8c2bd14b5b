"""Reference views of the knowledge base: the wheel (``fasewiel phases``) and the signals a
consumer can use (``fasewiel signals``). Pure functions of the knowledge base and a language."""

from __future__ import annotations

from typing import NamedTuple

from fasewiel_cli.knowledge.models import LANGS, KnowledgeBase, LabelKey, Labels, Lang


class PhaseSummary(NamedTuple):
    id: str
    name: str
    tagline: str
    nervous_system: str
    core_message: str
    signals: tuple[str, ...]
    next: str
    source: str


class SignalSummary(NamedTuple):
    id: str
    name: str
    # phase id → weight id ("primary", "secondary"; see knowledge.yaml)
    phases: dict[str, str]
    # language → the signal's name and words in it
    words: dict[Lang, tuple[str, ...]]
    messengers: tuple[str, ...]
    source: str | None
    derived: str | None


class PhasesView(NamedTuple):
    lang: Lang
    labels: Labels
    phases: tuple[PhaseSummary, ...]

    def label(self, key: LabelKey) -> str:
        return self.labels.get(key, self.lang)


class SignalsView(NamedTuple):
    lang: Lang
    labels: Labels
    phase_names: dict[str, str]
    weight_names: dict[str, str]
    signals: tuple[SignalSummary, ...]

    def label(self, key: LabelKey) -> str:
        return self.labels.get(key, self.lang)


def phases_view(kb: KnowledgeBase, lang: Lang) -> PhasesView:
    """The wheel: each phase with its tagline, state, core message and signals (strongest first)."""
    phases = tuple(
        PhaseSummary(
            id=p.id,
            name=p.name.get(lang),
            tagline=p.tagline.get(lang),
            nervous_system=p.nervous_system.get(lang),
            core_message=p.core_message.get(lang),
            signals=tuple(
                s.name.get(lang)
                for s in sorted(kb.signals_of(p.id), key=lambda s: -kb.weight(s, p.id))
            ),
            next=p.next,
            source=p.source or p.derived or "",
        )
        for p in kb.phases
    )
    return PhasesView(lang, kb.labels, phases)


def signals_view(kb: KnowledgeBase, lang: Lang, phase: str | None = None) -> SignalsView:
    """Every signal (or those of one phase) with its words in every language."""
    signals = tuple(
        SignalSummary(
            id=s.id,
            name=s.name.get(lang),
            phases=dict(s.phases),
            words={code: (s.name.get(code), *s.words.get(code)) for code in LANGS},
            messengers=tuple(kb.messenger(m).name.get(lang) for m in s.messengers),
            source=s.source,
            derived=s.derived,
        )
        for s in kb.signals
        if phase is None or phase in s.phases
    )
    names = {p.id: p.name.get(lang) for p in kb.phases}
    weights = {w: weight.name.get(lang) for w, weight in kb.scoring.weights.items()}
    return SignalsView(lang, kb.labels, names, weights, signals)
