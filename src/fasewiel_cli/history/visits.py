"""Client history: visits made from assessments, and what a timeline of them shows.

Pure functions of the stored visits and the knowledge base: the trajectory around the wheel,
what changed between visits (signals gained and lost), and when a re-check is due (the rhythm
is in knowledge.yaml, ``recheck``; derived from the paper and labelled so there).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from fasewiel_cli.engine.advice import Advice, fill
from fasewiel_cli.engine.blocks import Block, Heading, Pairs, Paragraph
from fasewiel_cli.errors import said
from fasewiel_cli.history.store import ClientRow, Visit, parse_at
from fasewiel_cli.knowledge.load import refusal
from fasewiel_cli.knowledge.models import KnowledgeBase, LabelKey, Lang
from fasewiel_cli.text import one_line, shown

_VERDICT_LABEL: dict[str, LabelKey] = {
    "advised": "advised",
    "not_advised": "not_advised",
    "unknown": "unknown",
}
# The version of the JSON of history and clients export: 2 since a visit's "at" may be a day
# alone ("2026-11-03").
HISTORY_SCHEMA = 2
MAX_CLIENT = 200
MAX_NOTE = 2000


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def client_id(value: str) -> str:
    """A client id as given, checked and in one form: spaces around it dropped, accents
    composed (NFC) and every kind of space a plain one, so "José" typed either way, or "Anna
    Smit" with a no-break space from a spreadsheet, is one client; not empty, printable, not
    too long."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text).strip()
    if not text:
        raise refusal(said("client_empty"), said("client_empty_hint"))
    if not text.isprintable() or len(text) > MAX_CLIENT:
        raise refusal(said("client_bad", limit=MAX_CLIENT), said("client_bad_hint"))
    return text


def _printable(char: str) -> bool:
    """Printable, or a space of any kind (a no-break space from a word processor)."""
    return char.isprintable() or unicodedata.category(char) == "Zs"


def check_note(note: str | None) -> str | None:
    if note is None:
        return None
    if len(note) > MAX_NOTE:
        raise refusal(said("note_long", limit=MAX_NOTE))
    if any(not _printable(c) and c not in "\n\t" for c in note):
        raise refusal(said("note_control"), said("note_control_hint"))
    return note


def visit_from_advice(advice: Advice, client: str, note: str | None, at: str) -> Visit:
    """What a ``check --save`` stores."""
    info = advice.knowledge
    return Visit(
        client=client,
        at=at,
        input=advice.text,
        signals=list(advice.signals),
        phase=advice.phase.id if advice.phase else None,
        next_phase=advice.next_phase.id if advice.next_phase else None,
        scores=dict(advice.scores),
        red_flags=[f.id for f in advice.red_flags],
        treatments=[
            {"id": v.id, "name": v.name, "verdict": v.verdict, "reason": v.reason}
            for v in advice.treatments
        ],
        note=note,
        lang=advice.lang,
        kb_name=info.name,
        kb_version=info.version,
        kb_hash=info.hash,
    )


# --- the timeline ---------------------------------------------------------------------------------


class Change(NamedTuple):
    gained: tuple[str, ...]
    lost: tuple[str, ...]


def changes(visits: Sequence[Visit]) -> list[Change | None]:
    """For each visit, the signals gained and lost since the one before (None for the first)."""
    found: list[Change | None] = []
    for n, visit in enumerate(visits):
        if n == 0:
            found.append(None)
            continue
        before = visits[n - 1].signals
        found.append(
            Change(
                tuple(s for s in visit.signals if s not in before),
                tuple(s for s in before if s not in visit.signals),
            )
        )
    return found


class Reminder(NamedTuple):
    phase: str
    check: str  # the check's name, in the language asked
    days: int
    last: date
    due: date
    overdue: bool


def reminder(
    kb: KnowledgeBase, lang: Lang, visits: Sequence[Visit], today: date
) -> Reminder | None:
    """When the next check is due, after the last visit's phase (None: no rhythm for it)."""
    phase = visits[-1].phase if visits else None
    rule = next((r for r in kb.recheck if r.phase == phase), None)
    if phase is None or rule is None:
        return None
    on = visit_day(visits[-1].at)
    due = on + timedelta(days=rule.days)
    return Reminder(phase, rule.name.get(lang), rule.days, on, due, today >= due)


def visit_day(at: str) -> date:
    """The day of a visit, in local time."""
    if len(at) == len("2026-11-03"):
        return date.fromisoformat(at)
    return parse_at(at).astimezone().date()


def shown_date(kb: KnowledgeBase, lang: Lang, day: date) -> str:
    """A day as the language writes it (messages.yaml, history.date): 03-11-2026, 2026-11-03."""
    pattern = kb.history.date.get(lang)
    return fill(pattern, day=f"{day.day:02d}", month=f"{day.month:02d}", year=f"{day.year:04d}")


def shown_at(kb: KnowledgeBase, lang: Lang, at: str) -> str:
    """When a visit was, in local time: its day, and its time when it has one."""
    try:
        if len(at) == len("2026-11-03"):
            return shown_date(kb, lang, date.fromisoformat(at))
        moment = parse_at(at).astimezone()
        return f"{shown_date(kb, lang, moment.date())} {moment:%H:%M}"
    except (TypeError, ValueError):  # a row written by hand: shown as it is
        return one_line(str(at))


# A visit's date as a professional's file has it: dd-mm-yyyy (as Dutch Excel writes it, also
# with / or .), or yyyy-mm-dd; either with a time (HH:MM or HH:MM:SS) or without.
_DAY_FIRST = re.compile(
    r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_OLDEST = date(1900, 1, 1)


def visit_at(value: str, now: datetime) -> str:
    """The stored form of a visit's date as written in a file: a day alone is kept as that day
    ("2026-11-03"); a day and time, in local time unless it names its offset, as that moment in
    UTC. ``FasewielError`` when it is no date, before 1900, or later than ``now`` (a day alone:
    later than today, here)."""
    text = value.strip()
    found = _DAY_FIRST.fullmatch(text)
    try:
        if found is not None:
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in found.groups())
            moment = datetime(year, month, day, hour, minute, second)
            timed = found.group(4) is not None
        else:
            timed = len(text) > len("2026-11-03")
            if timed and text[4] == "-" and text[10] in "+-":  # ("2024-03-01-05:00": no 05:00)
                raise ValueError(text)
            moment = datetime.fromisoformat(text)
        aware = moment if moment.tzinfo is not None else moment.astimezone()
        utc = aware.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        raise refusal(said("date_none", text=shown(text[:40])), said("date_hint")) from None
    if (utc.date() if timed else moment.date()) < _OLDEST:  # (as stored)
        raise refusal(said("date_old", text=shown(text[:40])))
    later = aware > now if timed else moment.date() > now.astimezone().date()
    if later:
        raise refusal(said("date_future", text=shown(text[:40])))
    if not timed:
        return moment.date().isoformat()
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def trajectory_line(kb: KnowledgeBase, phase: str | None) -> str:
    """The wheel as a line of five nodes, the visit's phase filled: ○──●──○──○──○."""
    return "──".join("●" if p.id == phase else "○" for p in kb.phases)


def _name(kb: KnowledgeBase, lang: Lang, signal_id: str) -> str:
    try:
        return kb.signal(signal_id).name.get(lang)
    except KeyError:  # a signal of another knowledge base
        return signal_id


def _flag_name(kb: KnowledgeBase, lang: Lang, flag_id: str) -> str:
    try:
        return kb.red_flag(flag_id).name.get(lang)
    except KeyError:  # a red flag of another knowledge base
        return flag_id


def _verdict(kb: KnowledgeBase, lang: Lang, verdict: dict[str, str | None]) -> str:
    """A saved verdict as "name: verdict", by the treatment's name in ``lang`` (an older visit
    keeps only the id; a name fasewiel does not know as a treatment, only the name)."""
    try:
        name = kb.treatment(verdict["id"] or "").name.get(lang)
    except KeyError:
        name = verdict.get("name") or verdict["id"] or ""
    key = _VERDICT_LABEL.get(verdict["verdict"] or "", "not_advised")
    return f"{name}: {kb.labels.get(key, lang)}"


def _phase_name(kb: KnowledgeBase, lang: Lang, phase_id: str | None) -> str:
    if phase_id is None:
        return "—"
    try:
        return kb.phase(phase_id).name.get(lang)
    except (KeyError, TypeError):  # a phase of another knowledge base
        return one_line(str(phase_id))


def history_blocks(
    kb: KnowledgeBase, lang: Lang, client: str, visits: Sequence[Visit], today: date
) -> list[Block]:
    label = kb.labels.get
    blocks: list[Block] = [
        Heading(f"{label('client', lang)}: {one_line(client)}", level=1),
        Paragraph(
            f"{label('visits', lang)}: {len(visits)} · "
            f"{shown_at(kb, lang, visits[0].at)} … {shown_at(kb, lang, visits[-1].at)}",
            "muted",
        ),
        Heading(label("trajectory", lang)),
        Pairs(
            tuple(
                (
                    shown_date(kb, lang, visit_day(v.at)),
                    f"{trajectory_line(kb, v.phase)}  {_phase_name(kb, lang, v.phase)}",
                )
                for v in visits
            )
        ),
        Paragraph(" → ".join(p.name.get(lang) for p in kb.phases) + " ↺", "muted"),
        Heading(label("visits", lang)),
    ]
    for visit, change in zip(visits, changes(visits), strict=True):
        phase = _phase_name(kb, lang, visit.phase)
        share = visit.scores.get(visit.phase or "", 0.0)
        title = f"{shown_at(kb, lang, visit.at)} — {phase}"
        title += f" ({share:.0%})" if visit.phase else ""
        rows = [
            (label("signals", lang), ", ".join(_name(kb, lang, s) for s in visit.signals) or "—")
        ]
        if change is None:
            rows.append((label("since_previous", lang), label("first_visit", lang)))
        elif change.gained or change.lost:
            parts = []
            if change.gained:
                parts.append(
                    f"{label('gained', lang)}: "
                    + ", ".join(_name(kb, lang, s) for s in change.gained)
                )
            if change.lost:
                parts.append(
                    f"{label('lost', lang)}: " + ", ".join(_name(kb, lang, s) for s in change.lost)
                )
            rows.append((label("since_previous", lang), " · ".join(parts)))
        else:
            rows.append((label("since_previous", lang), label("unchanged", lang)))
        if visit.red_flags:
            flags = ", ".join(_flag_name(kb, lang, f) for f in visit.red_flags)
            rows.append((label("red_flags", lang), flags))
        if visit.treatments:
            verdicts = ", ".join(_verdict(kb, lang, t) for t in visit.treatments)
            rows.append((label("treatments", lang), verdicts))
        if visit.note:
            rows.append((label("note", lang), one_line(visit.note)))
        blocks += [Heading(title, level=3), Pairs(tuple(rows))]
    due = reminder(kb, lang, visits, today)
    if due is not None:
        key = "recheck_due" if due.overdue else "recheck_next"
        text = getattr(kb.history, key).get(lang)
        values = {
            "check": due.check,
            "phase": _phase_name(kb, lang, due.phase),
            "date": shown_date(kb, lang, due.last),
            "due": shown_date(kb, lang, due.due),
            "days": str(due.days),
        }
        for name, value in values.items():
            text = text.replace(f"{{{name}}}", value)
        blocks += [
            Heading(label("reminder", lang)),
            Paragraph(text, "note" if due.overdue else "plain"),
        ]
    return blocks


def visit_to_dict(visit: Visit, change: Change | None) -> dict[str, Any]:
    return {
        "at": visit.at,
        "phase": visit.phase,
        "next_phase": visit.next_phase,
        "signals": visit.signals,
        "gained": None if change is None else list(change.gained),
        "lost": None if change is None else list(change.lost),
        "scores": visit.scores,
        "red_flags": visit.red_flags,
        "treatments": visit.treatments,
        "note": visit.note,
        "input": visit.input,
        "lang": visit.lang,
        "knowledge": {"name": visit.kb_name, "version": visit.kb_version, "hash": visit.kb_hash},
    }


def history_to_dict(
    kb: KnowledgeBase, lang: Lang, client: str, visits: Sequence[Visit], today: date
) -> dict[str, Any]:
    due = reminder(kb, lang, visits, today)
    return {
        "schema": HISTORY_SCHEMA,
        "client": client,
        "visits": [visit_to_dict(v, c) for v, c in zip(visits, changes(visits), strict=True)],
        "recheck": None
        if due is None
        else {
            "check": due.check,
            "after_phase": due.phase,
            "days": due.days,
            "last": due.last.isoformat(),
            "due": due.due.isoformat(),
            "overdue": due.overdue,
        },
    }


HISTORY_CSV = (
    "client",
    "at",
    "phase",
    "next_phase",
    "confidence",
    "signals",
    "gained",
    "lost",
    "red_flags",
    "treatments",
    "note",
    "input",
    "knowledge_version",
)


def history_csv(kb: KnowledgeBase, lang: Lang, client: str, visits: Sequence[Visit]) -> str:
    """A client's visits as CSV for a spreadsheet in ``lang``: its delimiter (messages.yaml,
    cli.csv_delimiter) and decimal mark, column names in the language, phases, signals, red flags
    and verdicts by name and in words, a BOM so that Excel reads UTF-8. (The time is as stored:
    UTC, or a day; JSON keeps the ids.)"""
    from fasewiel_cli.serialize import column_names, csv_cell, decimal_mark, readable_verdict

    out, writer = _spreadsheet(kb, lang)
    decimal = decimal_mark(kb.cli.csv_delimiter.get(lang))
    writer.writerow(column_names(kb, lang, HISTORY_CSV))

    def phase(phase_id: str | None) -> str:
        return "" if phase_id is None else _phase_name(kb, lang, phase_id)

    def signals(ids: Sequence[str]) -> str:
        return csv_cell([_name(kb, lang, s) for s in ids])

    for visit, change in zip(visits, changes(visits), strict=True):
        writer.writerow(
            [
                csv_cell(client),
                visit.at,
                phase(visit.phase),
                phase(visit.next_phase),
                csv_cell(visit.scores.get(visit.phase or ""), decimal),
                signals(visit.signals),
                "" if change is None else signals(change.gained),
                "" if change is None else signals(change.lost),
                csv_cell([_flag_name(kb, lang, f) for f in visit.red_flags]),
                csv_cell([readable_verdict(kb, lang, v) for v in visit.treatments]),
                csv_cell(visit.note),
                csv_cell(visit.input),
                csv_cell(visit.kb_version),
            ]
        )
    return out.getvalue()


def _spreadsheet(kb: KnowledgeBase, lang: Lang) -> tuple[io.StringIO, Any]:
    """A CSV text for a spreadsheet in ``lang``, begun with a BOM, and its writer."""
    out = io.StringIO()
    out.write("\ufeff")
    delimiter = kb.cli.csv_delimiter.get(lang)
    return out, csv.writer(out, delimiter=delimiter, lineterminator="\r\n")


# --- the client list ------------------------------------------------------------------------------


def client_to_dict(row: ClientRow) -> dict[str, Any]:
    return {
        "client": row.client,
        "visits": row.visits,
        "last_phase": row.last_phase,
        "last_visit": row.last_visit,
    }


def clients_csv(kb: KnowledgeBase, lang: Lang, rows: Sequence[ClientRow]) -> str:
    """The client list as CSV for a spreadsheet in ``lang`` (as ``history_csv``)."""
    from fasewiel_cli.serialize import column_names, csv_cell

    out, writer = _spreadsheet(kb, lang)
    writer.writerow(column_names(kb, lang, ("client", "visits", "last_phase", "last_visit")))
    for row in rows:
        writer.writerow([csv_cell(row.client), row.visits, row.last_phase or "", row.last_visit])
    return out.getvalue()


def clients_text(kb: KnowledgeBase, lang: Lang, rows: Sequence[ClientRow]) -> str:
    """An aligned table for the terminal."""
    label = kb.labels.get
    header = (
        label("client", lang),
        label("visits", lang),
        label("phase", lang),
        label("last_visit", lang),
    )
    lines = [
        (
            one_line(str(r.client)),
            str(r.visits),
            _phase_name(kb, lang, r.last_phase),
            shown_at(kb, lang, r.last_visit),
        )
        for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in (header, *lines)
    )


def export(client: str, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Everything stored about ``client`` (the right of access), straight from the rows: JSON
    columns decoded where they can be, else given as stored, so a damaged visit is exported
    too."""
    from fasewiel_cli.history.store import COLUMNS, JSON_COLUMNS

    visits = []
    for row in rows:
        visit: dict[str, Any] = {"id": row[0]}
        for column, value in zip(COLUMNS, row[1:], strict=True):
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            if column in JSON_COLUMNS and isinstance(value, str):
                with contextlib.suppress(ValueError):  # else as stored
                    value = json.loads(value)
            visit[column] = value
        visits.append(visit)
    return {"schema": HISTORY_SCHEMA, "client": client, "exported_at": now_utc(), "visits": visits}
