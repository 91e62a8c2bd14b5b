"""Results as plain data: the JSON documents of ``--format json`` (every ``*_to_dict``), the flat
row that ``batch`` and the Python API (``flat_row``) give per text, and the CSV cell.

Everything here is a pure function of the engine's results; nothing reads files or knows the
terminal. The JSON documents are described in the README ("schema": 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from fasewiel_cli.engine.advice import Advice, Verdict
from fasewiel_cli.engine.cards import by_name, ingredient_uses
from fasewiel_cli.engine.overview import PhasesView, SignalsView
from fasewiel_cli.knowledge.models import LANGS, KnowledgeBase, Lang

# The version of every JSON document fasewiel writes; raised when a field changes meaning.
SCHEMA_VERSION = 1


# --- JSON documents ------------------------------------------------------------------------------


def advice_to_dict(advice: Advice) -> dict[str, Any]:
    """The JSON document of ``check --format json`` (documented in the README)."""
    phase = advice.phase
    plan = advice.plan
    return {
        "schema": SCHEMA_VERSION,
        "lang": advice.lang,
        "input": advice.text,
        "phase": phase.id if phase else None,
        "phase_name": phase.name if phase else None,
        "tagline": phase.tagline if phase else None,
        "next_phase": advice.next_phase.id if advice.next_phase else None,
        "calm_first": advice.calm_first,
        "explanation": list(advice.explanation),
        "scores": advice.scores,
        "matched": [
            {
                "text": m.text,
                "signal": m.signal,
                "name": m.name,
                "phases": list(m.phases),
                "how": m.how,
            }
            for m in advice.matched
        ],
        "negated": [{"text": m.text, "signal": m.signal, "name": m.name} for m in advice.negated],
        "unmatched": [
            {"text": u.text, "suggestions": list(u.suggestions)} for u in advice.unmatched
        ],
        "red_flags": [
            {"id": f.id, "name": f.name, "text": f.text, "advice": f.advice, "urgent": f.urgent}
            for f in advice.red_flags
        ],
        "referral": advice.referral,
        "plan": None
        if plan is None
        else {
            "lifestyle": list(plan.lifestyle),
            "ritual": list(plan.ritual),
            "treatment": list(plan.treatment),
            "ingredients": [
                {"id": i.id, "name": i.name, "role": i.role, "form": i.form}
                for i in plan.ingredients
            ],
            "core_message": plan.core_message,
        },
        "nervous_system": phase.nervous_system if phase else None,
        "messengers": [
            {"id": m.id, "name": m.name, "visible": m.visible, "signals": list(m.signals)}
            for m in advice.messengers
        ],
        "treatments": [
            {
                "id": v.id,
                "name": v.name,
                "intensity": v.intensity,
                "verdict": v.verdict,
                "reason": v.reason,
                "suggestions": list(v.suggestions),
            }
            for v in advice.treatments
        ],
        "only_negated": advice.only_negated,
        "disclaimer": advice.disclaimer,
        "knowledge": {
            "name": advice.knowledge.name,
            "version": advice.knowledge.version,
            "hash": advice.knowledge.hash,
        },
    }


def phases_to_dict(view: PhasesView) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "tagline": p.tagline,
            "nervous_system": p.nervous_system,
            "core_message": p.core_message,
            "signals": list(p.signals),
            "next": p.next,
            "source": p.source,
        }
        for p in view.phases
    ]


def signals_to_dict(view: SignalsView) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "name": s.name,
            "phases": s.phases,
            "words": {lang: list(words) for lang, words in s.words.items()},
            "messengers": list(s.messengers),
            "source": s.source,
            "derived": s.derived,
        }
        for s in view.signals
    ]


def glossary_to_dict(kb: KnowledgeBase, lang: Lang) -> dict[str, Any]:
    return {"ingredients": [ingredient_to_dict(kb, lang, i) for i in by_name(kb, lang)]}


def ingredient_to_dict(kb: KnowledgeBase, lang: Lang, ingredient_id: str) -> dict[str, Any]:
    ingredient = kb.ingredient(ingredient_id)
    return {
        "id": ingredient.id,
        "name": ingredient.name.get(lang),
        "names": {lang: ingredient.name.get(lang) for lang in LANGS},
        "words": {lang: list(ingredient.words.get(lang)) for lang in LANGS},
        "phases": [
            {
                "phase": phase_id,
                "role": use.role.get(lang),
                "form": use.form.get(lang) if use.form else None,
            }
            for phase_id, use in ingredient_uses(kb, ingredient_id)
        ],
        "source": ingredient.source,
        "derived": ingredient.derived,
    }


# --- the flat row ---------------------------------------------------------------------------------


def result_columns(phase_ids: Iterable[str]) -> tuple[str, ...]:
    """The columns of one text's result in a flat row (``flat_row``, ``batch``), in order."""
    return (
        "phase",
        "next_phase",
        "confidence",
        *(f"share_{phase}" for phase in phase_ids),
        "matched",
        "unrecognised",
        "red_flags",
        "treatments",
        "status",
    )


def result_values(
    scores: dict[str, float],
    phase: str | None,
    next_phase: str | None,
    signals: Sequence[str],
    unrecognised: Sequence[str],
    red_flags: Sequence[str],
    verdicts: Sequence[Verdict],
) -> tuple[Any, ...]:
    """The values of ``result_columns`` (JSON values): ids, shares, lists of ids and words, the
    verdict on each planned treatment, and the status: red_flag, no_signal or ok."""
    status = "red_flag" if red_flags else "no_signal" if phase is None else "ok"
    return (
        phase,
        next_phase,
        scores[phase] if phase else None,
        *scores.values(),
        list(signals),
        list(unrecognised),
        list(red_flags),
        [{"id": v.id, "name": v.name, "verdict": v.verdict, "reason": v.reason} for v in verdicts],
        status,
    )


def flat_row(advice: Advice) -> dict[str, Any]:
    """One text's result as flat columns — scalars, and lists of ids or words — the same as a
    ``batch`` run gives it: a row for a DataFrame (``df["symptoms"].map(...)``) or a UDF."""
    values = result_values(
        advice.scores,
        advice.phase.id if advice.phase else None,
        advice.next_phase.id if advice.next_phase else None,
        advice.signals,
        [u.text for u in advice.unmatched],
        [f.id for f in advice.red_flags],
        advice.treatments,
    )
    return dict(zip(result_columns(advice.scores), values, strict=True))


# --- CSV cells -----------------------------------------------------------------------------------

# OWASP: a spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_START = frozenset("=+-@\t\r")


def neutralise(value: str) -> str:
    return "'" + value if value and value[0] in _FORMULA_START else value


def verdict_text(verdict: dict[str, Any]) -> str:
    """A treatment verdict as a CSV cell spells it out (by name; a visit saved by an older
    fasewiel has only the id)."""
    return f"{verdict.get('name') or verdict['id']}: {verdict['verdict']} — {verdict['reason']}"


def csv_cell(value: Any, decimal: str = ".") -> str:
    """One CSV cell: lists joined, verdicts spelled out, user text defused; a number with the
    ``decimal`` mark (a comma for Dutch Excel, whose CSV files use semicolons)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".replace(".", decimal)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return neutralise(" | ".join(map(verdict_text, value)))
        return neutralise("; ".join(map(str, value)))
    if isinstance(value, dict):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return neutralise(str(value))


def decimal_mark(delimiter: str) -> str:
    """The decimal mark of a CSV file with this delimiter: where the comma is the decimal mark
    (Dutch, German Excel…), CSV files separate their fields with semicolons."""
    return "," if delimiter == ";" else "."


def column_names(kb: KnowledgeBase, lang: Lang, columns: Sequence[str]) -> list[str]:
    """The names of CSV columns in ``lang`` (messages.yaml, cli.columns); ids it has no name
    for stay as they are."""
    names = kb.cli.columns
    shown = []
    for column in columns:
        if column in names:
            shown.append(names[column].get(lang))
        elif column.startswith("share_") and "share_" in names:
            shown.append(names["share_"].get(lang) + column.removeprefix("share_"))
        else:
            shown.append(column)
    return shown


def readable_values(kb: KnowledgeBase, lang: Lang, values: Sequence[Any]) -> tuple[Any, ...]:
    """The values of ``result_columns`` as a person reads them in ``lang`` (a spreadsheet asked
    for in a language): phases, signals and red flags by name, verdicts and the status in words.
    Ids the knowledge base does not know stay as they are."""
    phase, next_phase, confidence, *shares = values[:-5]
    matched, unrecognised, red_flags, verdicts, status = values[-5:]

    def names(find: Any, ids: Any) -> Any:
        return None if ids is None else [_name_of(find, item, lang) for item in ids]

    return (
        _name_of(kb.phase, phase, lang),
        _name_of(kb.phase, next_phase, lang),
        confidence,
        *shares,
        names(kb.signal, matched),
        unrecognised,
        names(kb.red_flag, red_flags),
        None if verdicts is None else [readable_verdict(kb, lang, v) for v in verdicts],
        getattr(kb.cli, f"status_{status}").get(lang) if status else status,
    )


def readable_verdict(kb: KnowledgeBase, lang: Lang, verdict: dict[str, Any]) -> dict[str, Any]:
    """A saved or written verdict with the treatment's name and the verdict in ``lang``."""
    name = _name_of(kb.treatment, verdict.get("id"), lang) if verdict.get("id") else None
    word = verdict["verdict"]
    if word in ("advised", "not_advised", "unknown"):
        word = kb.labels.get(word, lang)
    return {**verdict, "name": name or verdict.get("name") or verdict.get("id"), "verdict": word}


def _name_of(find: Any, item_id: Any, lang: Lang) -> Any:
    """An item's name in ``lang``; the id itself when there is none (or no such item)."""
    if not isinstance(item_id, str):
        return item_id
    try:
        return find(item_id).name.get(lang)
    except KeyError:
        return item_id
