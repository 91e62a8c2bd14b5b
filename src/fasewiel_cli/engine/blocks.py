"""What the output says and in which order, independent of how it looks.

``advice_blocks`` (and the overview functions) turn a result into a short list of blocks; each
renderer (rich, text, markdown) only decides how a block type looks. So the formats never disagree
on content, and a new format is one small module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from fasewiel_cli.engine.advice import SUGGESTED

if TYPE_CHECKING:
    from fasewiel_cli.engine.advice import Advice, MatchView
    from fasewiel_cli.engine.overview import PhasesView, SignalsView
    from fasewiel_cli.knowledge.models import LabelKey


class Heading(NamedTuple):
    text: str
    level: int = 2


class Paragraph(NamedTuple):
    text: str
    style: Literal["plain", "quote", "note", "muted"] = "plain"


class Pairs(NamedTuple):
    """Rows of (key, value): a definition list."""

    rows: tuple[tuple[str, str], ...]


class Bars(NamedTuple):
    """A share per phase, with the current phase marked."""

    rows: tuple[tuple[str, float], ...]
    current: str | None


class Wheel(NamedTuple):
    """The five phases as a cycle; ``current`` and ``next`` are names or None."""

    names: tuple[str, ...]
    current: str | None
    next: str | None


class Alert(NamedTuple):
    title: str
    lines: tuple[str, ...]


class Bullets(NamedTuple):
    items: tuple[str, ...]


class Table(NamedTuple):
    """A table whose first column names the row (the messengers card)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Pairs | Bars | Wheel | Alert | Bullets | Table


class Card(NamedTuple):
    """One reference card: a title, an optional subtitle, and its blocks."""

    id: str
    title: str
    subtitle: str | None
    blocks: tuple[Block, ...]
    # The card's phase (0-4 on the wheel), for its colour; None for the other cards.
    accent: int | None = None
    footer: str = ""


VERDICT_MARK = {"advised": "✔", "not_advised": "✘", "unknown": "?"}
HOW_LABELS: dict[str, LabelKey] = {"exact": "how_exact", "form": "how_form", "typo": "how_typo"}


def advice_blocks(advice: Advice) -> list[Block]:
    label = advice.label
    blocks: list[Block] = []
    if advice.red_flags:
        lines = tuple(f"“{f.text}” — {f.advice}" for f in advice.red_flags)
        heading = label(
            "red_flags_urgent" if any(f.urgent for f in advice.red_flags) else "red_flags"
        )
        blocks.append(Alert(heading, (*lines, advice.referral or "")))
    phase, next_phase = advice.phase, advice.next_phase
    names = tuple(p.name for p in advice.wheel)
    blocks.append(
        Wheel(names, phase.name if phase else None, next_phase.name if next_phase else None)
    )
    if phase is not None:
        blocks.append(Heading(f"{label('phase')}: {phase.name} — {phase.tagline}", level=1))
        blocks.append(Paragraph(phase.core_message, "quote"))
    blocks += [Paragraph(line, "note") for line in advice.explanation]
    if phase is not None:
        blocks.append(Heading(label("shares")))
        rows = tuple((advice.phase_name(p), share) for p, share in advice.scores.items())
        blocks.append(Bars(rows, phase.name))
    blocks += _why(advice)
    if phase is not None and advice.plan is not None:
        plan = advice.plan
        blocks.append(Heading(label("nervous_system")))
        blocks.append(Paragraph(phase.nervous_system))
        blocks.append(Heading(label("care_plan")))
        blocks.append(
            Pairs(
                (
                    (label("lifestyle"), " · ".join(plan.lifestyle)),
                    (label("ritual"), " · ".join(plan.ritual)),
                    (label("treatment"), " · ".join(plan.treatment)),
                )
            )
        )
        blocks.append(Heading(label("ingredients"), level=3))
        blocks.append(
            Pairs(
                tuple(
                    (f"{i.name} ({i.form})" if i.form else i.name, i.role) for i in plan.ingredients
                )
            )
        )
    if advice.messengers:
        blocks.append(Heading(label("messengers")))
        blocks.append(
            Pairs(
                tuple((m.name, f"{', '.join(m.signals)} — {m.visible}") for m in advice.messengers)
            )
        )
    if next_phase is not None:
        blocks.append(Heading(label("next_phase")))
        blocks.append(Paragraph(f"{next_phase.name} — {next_phase.tagline}"))
    if advice.treatments:
        blocks.append(Heading(label("treatments")))
        blocks.append(
            Pairs(
                tuple(
                    (f"{VERDICT_MARK[v.verdict]} {v.name}", f"{label(v.verdict)}: {v.reason}")
                    for v in advice.treatments
                )
            )
        )
    blocks.append(Paragraph(f"{label('disclaimer')}: {advice.disclaimer}", "muted"))
    return blocks


def _why(advice: Advice) -> list[Block]:
    label = advice.label
    rows: list[tuple[str, str]] = [
        (f"“{m.text}”", f"{m.name} → {_phases(advice, m)} ({label(HOW_LABELS[m.how])})")
        for m in advice.matched
    ]
    rows += [(f"“{m.text}”", f"{label('negated')}: {m.name}") for m in advice.negated]
    for u in advice.unmatched[:SUGGESTED]:
        hint = f" — {label('did_you_mean')}: {', '.join(u.suggestions)}?" if u.suggestions else ""
        rows.append((f"“{u.text}”", f"{label('unrecognised')}{hint}"))
    if len(advice.unmatched) > SUGGESTED:  # (a long text: the rest counted, not listed)
        rows.append(("…", f"{label('unrecognised')}: +{len(advice.unmatched) - SUGGESTED:,}"))
    return [Heading(label("why")), Pairs(tuple(rows))] if rows else []


def _phases(advice: Advice, match: MatchView) -> str:
    return ", ".join(advice.phase_name(p) for p in match.phases)


def phases_blocks(view: PhasesView) -> list[Block]:
    label = view.label
    names = tuple(p.name for p in view.phases)
    blocks: list[Block] = [Heading(label("wheel"), level=1), Wheel(names, None, None)]
    by_id = {p.id: p.name for p in view.phases}
    for p in view.phases:
        blocks.append(Heading(f"{p.name} — {p.tagline}"))
        blocks.append(
            Pairs(
                (
                    (label("signals"), ", ".join(p.signals)),
                    (label("nervous_system"), p.nervous_system),
                    (label("core_message"), p.core_message),
                    (label("next_phase"), by_id[p.next]),
                )
            )
        )
    return blocks


def signals_blocks(view: SignalsView) -> list[Block]:
    label = view.label
    blocks: list[Block] = [Heading(label("signals"), level=1)]
    for phase_id, phase_name in view.phase_names.items():
        rows = tuple(
            (
                f"{s.name} ({view.weight_names[s.phases[phase_id]]})",
                " | ".join(f"{lang}: {', '.join(words)}" for lang, words in s.words.items()),
            )
            for s in view.signals
            if phase_id in s.phases
        )
        if rows:
            blocks += [Heading(phase_name), Pairs(rows)]
    return blocks
