"""Client history in SQLite: saving visits, the timeline, the client list, export and erasure,
and the reliability promises — parallel writers, all-or-nothing batches, kill -9, file modes,
schema versions, files that are not ours."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pexpect
import pytest
from typer.testing import CliRunner

from conftest import english
from fasewiel_cli.cli.app import app
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.history.store import APPLICATION_ID, SCHEMA_VERSION, Store, Visit, default_path
from fasewiel_cli.history.visits import (
    changes,
    history_blocks,
    reminder,
    trajectory_line,
    visit_at,
)
from fasewiel_cli.knowledge.models import KnowledgeBase

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "fasewiel.db"


def run(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=input)


def save(db: Path, client: str, text: str, *extra: str) -> Any:
    result = run("check", text, "--client", client, "--save", "--db", str(db), "-f", "json", *extra)
    assert result.exit_code == 0, result.output
    return result


def visit(client: str, at: str, phase: str | None, signals: list[str], **more: Any) -> Visit:
    values: dict[str, Any] = {
        "client": client,
        "at": at,
        "input": " ".join(signals),
        "signals": signals,
        "phase": phase,
        "next_phase": None,
        "scores": {phase: 1.0} if phase else {},
        "red_flags": [],
        "treatments": [],
        "note": None,
        "lang": "nl",
        "kb_name": "fasewiel",
        "kb_version": "2026.11",
        "kb_hash": "0" * 64,
    }
    values.update(more)
    return Visit(**values)


def count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM visits").fetchone()[0])


# --- saving -----------------------------------------------------------------------------------


def test_a_saved_visit_holds_everything_the_issue_names(db: Path) -> None:
    advice = json.loads(
        save(
            db,
            "anna",
            "fijne lijntjes, littekens, vale teint",
            "-t",
            "microneedling",
            "--note",
            "zomer",
        ).stdout
    )
    result = run("clients", "export", "anna", "--db", str(db))
    assert result.exit_code == 0, result.output
    (stored,) = json.loads(result.stdout)["visits"]
    assert stored["client"] == "anna"
    assert stored["input"] == "fijne lijntjes, littekens, vale teint"
    assert stored["signals"] == ["fine_lines", "scars", "sallow_complexion"]
    assert stored["phase"] == advice["phase"] == "repair"
    assert stored["next_phase"] == advice["next_phase"]
    assert stored["scores"] == advice["scores"]
    assert stored["red_flags"] == []
    assert [t["id"] for t in stored["treatments"]] == ["microneedling"]
    assert stored["note"] == "zomer"
    assert stored["lang"] == "nl"
    assert (stored["kb_name"], stored["kb_version"], stored["kb_hash"]) == (
        advice["knowledge"]["name"],
        advice["knowledge"]["version"],
        advice["knowledge"]["hash"],
    )
    assert stored["at"].endswith("Z")


def test_save_needs_a_client_and_client_needs_save(db: Path) -> None:
    result = run("check", "rood", "--save", "--db", str(db))
    assert result.exit_code == 2
    assert "--client" in result.stderr
    result = run("check", "rood", "--client", "anna", "--db", str(db))
    assert result.exit_code == 2
    assert "add it" in result.stderr
    assert not db.exists()


def test_nothing_recognised_is_not_saved(db: Path) -> None:
    result = run("check", "xyzzy", "--client", "anna", "--save", "--db", str(db))
    assert result.exit_code == 1
    assert count(db) == 0


@pytest.mark.parametrize("client", ["", "   ", "a\nb", "x" * 201])
def test_odd_client_ids_are_refused(db: Path, client: str) -> None:
    result = run("check", "rood", "--client", client, "--save", "--db", str(db))
    assert result.exit_code == 1
    assert "klantnaam" in result.stderr


def test_default_place_is_fasewiel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASEWIEL_HOME", str(tmp_path / "home"))
    assert run("check", "rood", "-c", "anna", "--save").exit_code == 0
    assert (tmp_path / "home" / "fasewiel.db").is_file()
    monkeypatch.delenv("FASEWIEL_HOME")
    from platformdirs import user_data_path

    assert default_path() == user_data_path("fasewiel", appauthor=False) / "fasewiel.db"


# --- history ----------------------------------------------------------------------------------


def test_history_timeline_oldest_first_with_changes(db: Path) -> None:
    save(db, "anna", "rood en jeuk")
    save(db, "anna", "vale teint, lichte spanning")
    save(db, "anna", "fijne lijntjes, littekens, vale teint")
    doc = json.loads(run("history", "anna", "--db", str(db), "-f", "json").stdout)
    assert doc["client"] == "anna"
    assert [v["phase"] for v in doc["visits"]] == ["reset", "activate", "repair"]
    assert doc["visits"][0]["gained"] is None
    assert doc["visits"][1]["gained"] == ["sallow_complexion", "slight_tension"]
    assert doc["visits"][1]["lost"] == ["redness", "itch"]
    assert doc["visits"][2]["lost"] == ["slight_tension"]
    for field in ("at", "next_phase", "signals", "scores", "note"):
        assert field in doc["visits"][0]
    assert doc["recheck"] is None  # no rhythm after Repair


def test_history_text_draws_the_trajectory(db: Path, kb: KnowledgeBase) -> None:
    save(db, "anna", "rood en jeuk")
    save(db, "anna", "vale teint")
    text = run("history", "anna", "--db", str(db), "-f", "text").stdout
    assert f"{trajectory_line(kb, 'reset')}  Reset" in text
    assert f"{trajectory_line(kb, 'activate')}  Activate" in text
    assert text.index("●──○──○──○──○") < text.index("○──●──○──○──○")
    assert "erbij: vale teint" in text
    assert "verdwenen: roodheid, jeuk" in text
    rich = run("history", "anna", "--db", str(db)).stdout  # the default: rich
    assert "●──○──○──○──○" in rich
    assert "Traject over het wiel" in rich


def spreadsheet(text: str, delimiter: str) -> list[dict[str, str]]:
    """CSV as Excel opens it: the BOM says UTF-8."""
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_history_csv(db: Path) -> None:
    save(db, "anna", "rood")
    save(db, "anna", "=vale teint")  # a text that a spreadsheet would run as a formula
    english = run("history", "anna", "--db", str(db), "-f", "csv", "--lang", "en").stdout
    rows = spreadsheet(english, ",")
    assert [r["phase"] for r in rows] == ["Reset", "Activate"]
    assert rows[1]["input"] == "'=vale teint"
    assert rows[1]["gained"] == "sallow complexion"
    assert rows[1]["confidence"] == "1.0000"
    # Dutch Excel: semicolons, a decimal comma, Dutch column names, names in Dutch.
    dutch = spreadsheet(run("history", "anna", "--db", str(db), "-f", "csv").stdout, ";")
    assert [(r["fase"], r["zekerheid"], r["invoer"], r["erbij"]) for r in dutch] == [
        ("Reset", "1,0000", "rood", ""),
        ("Activate", "1,0000", "'=vale teint", "vale teint"),
    ]


def test_unknown_client_names_near_ones(db: Path) -> None:
    save(db, "anna", "rood")
    result = run("history", "Ana", "--db", str(db))
    assert result.exit_code == 1
    assert "onbekende klant 'Ana'" in result.stderr
    assert "bedoel je: anna?" in result.stderr
    result = run("history", "zzz", "--db", str(db))
    assert "fasewiel clients list" in result.stderr


def test_no_history_yet(db: Path) -> None:
    result = run("history", "anna", "--db", str(db))
    assert result.exit_code == 1
    assert "nog geen geschiedenis" in result.stderr
    assert not db.exists()  # reading never creates it


def test_recheck_reminder_after_sustain(db: Path, kb: KnowledgeBase) -> None:
    with Store.writing(db) as store:
        store.add([visit("bob", "2020-01-01T10:00:00Z", "sustain", ["calm_skin"])])
    result = run("history", "bob", "--db", str(db), "-f", "json")
    recheck = json.loads(result.stdout)["recheck"]
    assert recheck["overdue"] is True
    assert recheck["due"] == "2020-04-01"
    assert recheck["days"] == kb.recheck[0].days
    text = run("history", "bob", "--db", str(db), "-f", "text", "-l", "en").stdout
    assert "The seasonal check is due: the last visit (Sustain) was on 2020-01-01" in text


def test_reminder_rules(kb: KnowledgeBase) -> None:
    visits = [visit("b", "2026-01-10T09:00:00Z", "sustain", ["calm_skin"])]
    upcoming = reminder(kb, "nl", visits, date(2026, 2, 1))
    assert upcoming is not None
    assert (upcoming.due, upcoming.overdue) == (date(2026, 4, 11), False)
    due = reminder(kb, "nl", visits, date(2026, 4, 11))
    assert due is not None
    assert due.overdue
    assert (
        reminder(kb, "nl", [visit("b", "2026-01-10T09:00:00Z", "repair", [])], date(2027, 1, 1))
        is None
    )
    blocks = history_blocks(kb, "nl", "b", visits, date(2026, 2, 1))
    assert any("Volgende seizoenscheck rond 11-04-2026" in str(b) for b in blocks)


def test_changes_between_visits() -> None:
    visits = [
        visit("a", "2026-01-01T00:00:00Z", "reset", ["redness", "itch"]),
        visit("a", "2026-02-01T00:00:00Z", "reset", ["redness", "itch"]),
        visit("a", "2026-03-01T00:00:00Z", "activate", ["itch", "dull_skin"]),
    ]
    found = changes(visits)
    assert found[0] is None
    assert found[1] == ((), ())
    assert found[2] == (("dull_skin",), ("redness",))


# --- clients: list, export, delete ------------------------------------------------------------


def test_clients_list(db: Path) -> None:
    save(db, "bob", "rustige huid")
    save(db, "anna", "rood")
    save(db, "anna", "vale teint")
    rows = json.loads(run("clients", "list", "--db", str(db), "-f", "json").stdout)
    assert [(r["client"], r["visits"], r["last_phase"]) for r in rows] == [
        ("anna", 2, "activate"),
        ("bob", 1, "sustain"),
    ]
    assert all(r["last_visit"].endswith("Z") for r in rows)
    listed = run("clients", "list", "--db", str(db), "-f", "csv", "--lang", "en").stdout
    assert spreadsheet(listed, ",")[0] == {
        "client": "anna",
        "visits": "2",
        "last_phase": "activate",
        "last_visit": rows[0]["last_visit"],
    }
    dutch = spreadsheet(run("clients", "list", "--db", str(db), "-f", "csv").stdout, ";")
    assert dutch[0] == {
        "klant": "anna",
        "bezoeken": "2",
        "laatste_fase": "activate",
        "laatste_bezoek": rows[0]["last_visit"],
    }
    text = run("clients", "list", "--db", str(db), "-f", "text").stdout
    assert text.splitlines()[1].split()[:3] == ["anna", "2", "Activate"]


def test_export_to_a_private_file(db: Path, tmp_path: Path) -> None:
    save(db, "anna", "rood", "--note", "geheim")
    target = tmp_path / "anna.json"
    assert run("clients", "export", "anna", "--db", str(db), "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["visits"][0]["note"] == "geheim"


def raw_bytes(db: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()
    )


def test_erasure_leaves_no_trace_in_the_files(db: Path) -> None:
    save(db, "Marieke-Jansen", "roodheid en jeuk bij de kaaklijn", "--note", "allergie-notitie")
    save(db, "Marieke-Jansen", "vale teint rond de slapen")
    save(db, "bob", "rustige huid")
    assert b"Marieke-Jansen" in raw_bytes(db)
    result = run("clients", "delete", "Marieke-Jansen", "--yes", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "2 bezoeken van 'Marieke-Jansen' gewist" in result.stdout
    data = raw_bytes(db)
    for secret in (b"Marieke-Jansen", b"kaaklijn", b"allergie-notitie", b"slapen"):
        assert secret not in data
    assert b"bob" in data
    assert run("history", "bob", "--db", str(db)).exit_code == 0


def test_delete_without_yes_off_a_terminal_refuses(db: Path) -> None:
    save(db, "anna", "rood")
    result = run("clients", "delete", "anna", "--db", str(db), input="y\n")
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert count(db) == 1


def delete_on_a_terminal(db: Path, answer: str) -> int | None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fasewiel", "clients", "delete", "anna", "--db", str(db)],
        encoding="utf-8",
        timeout=30,
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect_exact("[j/N]")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_delete_asks_on_a_terminal(db: Path) -> None:
    save(db, "anna", "rood")
    assert delete_on_a_terminal(db, "n") == 1
    assert count(db) == 1
    assert delete_on_a_terminal(db, "y") == 0
    assert count(db) == 0


# --- the database file ------------------------------------------------------------------------


def test_folder_0700_and_files_0600(db: Path) -> None:
    save(db, "anna", "rood")
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    with Store.writing(db) as store:
        store.add([visit("bob", "2026-01-01T00:00:00Z", "reset", ["redness"])])
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(p.exists() for p in files)
        assert [stat.S_IMODE(p.stat().st_mode) for p in files] == [0o600] * 3


def test_wal_mode_and_schema_marks(db: Path) -> None:
    save(db, "anna", "rood")
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_reading_opens_read_only(db: Path) -> None:
    save(db, "anna", "rood")
    with Store.reading(db) as store, pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.connection.execute("DELETE FROM visits")
    assert count(db) == 1


def test_a_newer_schema_is_refused_and_left_alone(db: Path) -> None:
    save(db, "anna", "rood")
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    before = db.read_bytes()
    for args in (
        ["history", "anna"],
        ["check", "rood", "-c", "anna", "--save"],
        ["clients", "list"],
    ):
        result = run(*args, "--db", str(db))
        assert result.exit_code == 1
        assert "nieuwere fasewiel (geschiedenisschema 99" in result.stderr
    assert db.read_bytes() == before


def other_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('not fasewiel')")


@pytest.mark.parametrize("kind", ["random", "other", "truncated"])
def test_a_file_that_is_not_ours_is_never_modified(db: Path, kind: str) -> None:
    db.parent.mkdir(parents=True)
    if kind == "random":
        db.write_bytes(os.urandom(8192))
    elif kind == "other":
        other_database(db)
    else:
        save(db, "anna", "rood")
        with sqlite3.connect(db) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.write_bytes(db.read_bytes()[:100] + os.urandom(4000))
    before = db.read_bytes()
    for args in (["check", "rood", "-c", "x", "--save"], ["history", "x"], ["clients", "list"]):
        result = run(*args, "--db", str(db))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert str(db) in result.stderr
    assert db.read_bytes() == before


def checkpointed(db: Path, visits: int) -> bytes:
    """A database of ``visits`` visits, all of them in the main file (no WAL beside it)."""
    with Store.writing(db) as store:
        store.add(
            visit(f"k{n}", "2026-01-01T00:00:00Z", "reset", ["redness"], input="rood " * 40)
            for n in range(visits)
        )
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.read_bytes()


@pytest.mark.parametrize("cut", [4096, 100, 1])
def test_a_database_cut_short_is_refused_by_every_command(db: Path, cut: int) -> None:
    whole = checkpointed(db, 300)
    db.write_bytes(whole[:-cut])
    before = db.read_bytes()
    for args in (
        ["history", "k1"],
        ["history", "k299"],
        ["clients", "list"],
        ["clients", "export", "k1"],
        ["check", "rood", "-c", "k1", "--save"],
    ):
        result = run(*args, "--db", str(db))
        assert result.exit_code == 1, (args, result.output)
        assert "cut short" in result.stderr
    assert db.read_bytes() == before


def test_a_damaged_page_is_refused_when_reading_too(db: Path) -> None:
    whole = bytearray(checkpointed(db, 300))
    whole[20000:24000] = os.urandom(4000)  # inside the table, not the header
    db.write_bytes(bytes(whole))
    for args in (["history", "k1"], ["clients", "list"]):
        result = run(*args, "--db", str(db))
        assert result.exit_code == 1, (args, result.output)
        assert "geen bruikbare geschiedenis van fasewiel" in result.stderr


def test_a_read_only_database_is_refused_and_stays_read_only(db: Path) -> None:
    save(db, "anna", "rood")
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.chmod(0o400)
    before = db.read_bytes()
    result = run("check", "jeuk", "-c", "anna", "--save", "--db", str(db))
    assert result.exit_code == 1
    assert "alleen-lezen" in result.stderr
    assert run("history", "anna", "--db", str(db)).exit_code == 0  # reading still works
    assert stat.S_IMODE(db.stat().st_mode) == 0o400
    assert db.read_bytes() == before


def test_permissions_are_only_ever_taken_away(db: Path) -> None:
    save(db, "anna", "rood")
    db.chmod(0o644)
    assert run("history", "anna", "--db", str(db)).exit_code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    db.chmod(0o440)
    assert run("clients", "list", "--db", str(db)).exit_code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o400


@pytest.mark.parametrize(
    "args",
    [
        ["history", "anna"],
        ["clients", "list"],
        ["clients", "export", "anna"],
        ["clients", "delete", "anna", "--yes"],
        ["check", "rood", "-c", "anna", "--save"],
    ],
)
def test_a_fifo_as_database_is_refused_not_waited_on(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "fasewiel", *args, "--db", str(fifo)],
        capture_output=True,
        text=True,
        timeout=20,  # (waiting for a writer would block for ever)
    )
    assert done.returncode == 1, done.stderr
    assert "geen gewoon bestand" in done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_empty_sqlite_database_is_taken_into_use(db: Path) -> None:
    db.parent.mkdir(parents=True)
    sqlite3.connect(db).close()  # a 0-byte file
    save(db, "anna", "rood")
    assert count(db) == 1


# --- batch --save -----------------------------------------------------------------------------


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("client", "symptoms"))
        writer.writerows(rows)
    return path


def test_batch_saves_visits_and_refuses_records_without_a_client(db: Path, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv",
        [("anna", "rood"), ("", "vale teint"), ("bob", "xyzzy"), ("cor", "glow")],
    )
    result = run("batch", str(source), "--save", "--db", str(db))
    assert result.exit_code == 1  # a record without a client is an error row
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["ok", "error", "no_signal", "ok"]
    assert "geen klant" in rows[1]["error"]
    # All or nothing: with an error row in the batch, no visit is saved.
    assert "niets is bewaard in de geschiedenis: 1 van de 4 regels heeft een fout" in result.stderr
    assert count(db) == 0
    fixed = write_csv(tmp_path / "fixed.csv", [("anna", "rood"), ("bob", "xyzzy"), ("cor", "glow")])
    result = run("batch", str(fixed), "--save", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "2 bezoeken bewaard in de geschiedenis" in result.stderr  # (none for bob: no signal)
    clients = json.loads(run("clients", "list", "--db", str(db), "-f", "json").stdout)
    assert [c["client"] for c in clients] == ["anna", "cor"]


def test_a_stray_quote_refuses_the_whole_batch(db: Path, tmp_path: Path) -> None:
    """``1,"rood, anna`` … ``3",zed`` once turned 500 records into 2 and saved other clients'
    visits under the wrong client; now every line is its own record and nothing is saved."""
    lines = ["client,symptoms\n", 'anna,"rood\n'] + [f"c{n},jeuk\n" for n in range(2, 499)]
    lines.append('zed",vale teint\n')
    source = tmp_path / "in.csv"
    source.write_text("".join(lines), encoding="utf-8")
    result = run("batch", str(source), "--save", "--db", str(db), "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert len(rows) == 499
    assert [r["status"] for r in rows].count("error") == 1
    assert "niets is bewaard in de geschiedenis" in result.stderr
    assert count(db) == 0


def test_db_without_save_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [("anna", "rood")])
    assert run("batch", str(source), "--db", str(db)).exit_code == 2


def fasewiel(*args: str) -> list[str]:
    return [sys.executable, "-m", "fasewiel", *args]


def test_four_parallel_batches_store_every_visit_exactly_once(db: Path, tmp_path: Path) -> None:
    texts = ["rood", "vale teint", "fijne lijntjes", "egale teint", "rustige huid", "jeuk"]
    sources = [
        write_csv(
            tmp_path / f"in{n}.csv", [(f"c{n}-{i}", texts[i % len(texts)]) for i in range(400)]
        )
        for n in range(4)
    ]
    save(db, "seed", "rood")  # the database exists; the four race for its write lock
    processes = [
        subprocess.Popen(
            fasewiel("batch", str(s), "--save", "--db", str(db), "-q", "-o", str(s) + ".out.jsonl"),
            stderr=subprocess.PIPE,
        )
        for s in sources
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1 + 4 * 400
        duplicates = connection.execute(
            "SELECT client FROM visits GROUP BY client HAVING COUNT(*) > 1"
        ).fetchall()
        assert duplicates == []


def big_batch(tmp_path: Path, rows: int) -> Path:
    texts = ["rood en jeuk", "vale teint", "fijne lijntjes", "egale teint", "rustige huid"]
    return write_csv(tmp_path / "big.csv", [(f"k{i}", f"{texts[i % 5]} {i}") for i in range(rows)])


def wal_size(db: Path) -> int:
    try:
        return Path(f"{db}-wal").stat().st_size
    except OSError:
        return 0


@pytest.mark.parametrize("moment", ["while assessing", "while writing the visits"])
def test_kill_9_leaves_the_database_whole_and_saves_all_or_nothing(
    db: Path, tmp_path: Path, moment: str
) -> None:
    rows = 6_000
    source = big_batch(tmp_path, rows)
    save(db, "seed", "rood")
    process = subprocess.Popen(
        fasewiel(
            "batch", str(source), "--save", "--db", str(db), "-q", "-o", str(tmp_path / "o.jsonl")
        ),
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    if moment == "while assessing":
        time.sleep(0.5)
    else:
        # The write transaction is under way once its pages start to fill the WAL file.
        while wal_size(db) < 64 * 1024 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = connection.execute("SELECT COUNT(*) FROM visits WHERE client != 'seed'").fetchone()[
            0
        ]
    assert saved in (0, rows)  # never a part


def test_ctrl_c_during_a_batch_saves_nothing_and_says_so(
    db: Path, tmp_path: Path, interrupt_once_writing: Any
) -> None:
    source = big_batch(tmp_path, 20_000)
    save(db, "seed", "rood")
    process = subprocess.Popen(
        fasewiel("batch", str(source), "--save", "--db", str(db), "-o", str(tmp_path / "o.jsonl")),
        stderr=subprocess.PIPE,
        text=True,
    )
    interrupt_once_writing(process, tmp_path, 60)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # this machine finished first: then everything was saved
        assert count(db) == 1 + 20_000
        return
    assert process.returncode == 130
    assert "niets is bewaard in de geschiedenis" in err
    assert "Traceback" not in err
    assert count(db) == 1


# --- after review: what must hold at the edges ----------------------------------------------------


def test_output_onto_the_database_is_refused(db: Path, tmp_path: Path) -> None:
    save(db, "anna", "rood")
    before = db.read_bytes()
    result = run("clients", "export", "anna", "--db", str(db), "-o", str(db))
    assert result.exit_code == 2
    assert "is the history database" in " ".join(result.stderr.replace("│", " ").split())
    source = write_csv(tmp_path / "in.csv", [("bob", "rood")])
    result = run("batch", str(source), "--save", "--db", str(db), "-o", str(db))
    assert result.exit_code == 2
    assert db.read_bytes() == before


def test_a_damaged_fasewiel_database_is_not_written(db: Path, tmp_path: Path) -> None:
    rows = [(f"client-{n:03}", "rood en jeuk, fijne lijntjes") for n in range(300)]
    source = write_csv(tmp_path / "in.csv", rows)  # a few pages, saved in one transaction
    assert run("batch", str(source), "--save", "--db", str(db), "-q").exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page : 3 * page + 12] = b"\xff" * 12  # damage the header of a page in the middle
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    result = run("check", "rood", "-c", "newone", "--save", "--db", str(db))
    assert result.exit_code == 1
    assert "damaged" in result.stderr
    assert db.read_bytes() == before


def test_another_applications_wal_database_gets_no_files_beside_it(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    connection = sqlite3.connect(other)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["history", "x"], ["check", "rood", "-c", "x", "--save"]):
        assert run(*args, "--db", str(other)).exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_damaged_rows_are_named_and_can_still_be_exported_and_erased(db: Path) -> None:
    save(db, "anna", "rood")
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO visits (client, at, input, signals, phase, next_phase, scores, red_flags,"
            " treatments, note, lang, kb_name, kb_version, kb_hash) VALUES"
            " ('anna', 'gisteren', 'x', '[oops', NULL, NULL, '[1]', '[]', '[]', NULL, 'nl',"
            " 'k', '1', 'h')"
        )
    for fmt in ("text", "json", "csv"):
        result = run("history", "anna", "--db", str(db), "-f", fmt)
        assert result.exit_code == 1
        assert "van 'anna'" in result.stderr
        assert "is beschadigd: 'signals' is not valid JSON" in result.stderr
        assert "Traceback" not in result.output
    export = json.loads(run("clients", "export", "anna", "--db", str(db)).stdout)
    assert [v["signals"] for v in export["visits"]] == [["redness"], "[oops"]
    listed = run("clients", "list", "--db", str(db), "-f", "text")
    assert listed.exit_code == 0
    assert "gisteren" in listed.stdout
    assert (
        "2 bezoeken van 'anna' gewist"
        in run("clients", "delete", "anna", "--yes", "--db", str(db)).stdout
    )


def test_control_characters_never_reach_the_terminal(db: Path, tmp_path: Path) -> None:
    result = run("check", "rood", "-c", "anna", "--save", "--db", str(db), "--note", "x\x1b[31mY")
    assert result.exit_code == 1
    assert "stuurteken" in result.stderr
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"client": "evil\x1b]0;T\x07", "symptoms": "rood"})
        + "\n"
        + json.dumps({"client": "x" * 300, "symptoms": "rood"})
        + "\n"
        + json.dumps({"client": "  José  ", "symptoms": "rood"})
        + "\n",
        encoding="utf-8",
    )
    result = run("batch", str(source), "--save", "--db", str(db), "-q")
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == [
        "error",
        "error",
        "ok",
    ]
    assert count(db) == 0  # (all or nothing)
    source.write_text(json.dumps({"client": "  José  ", "symptoms": "rood"}), encoding="utf-8")
    assert run("batch", str(source), "--save", "--db", str(db), "-q").exit_code == 0
    listed = run("clients", "list", "--db", str(db), "-f", "text").stdout
    assert "\x1b" not in listed
    assert "José" in listed


def test_client_ids_have_one_form(db: Path) -> None:
    save(db, "Jose\u0301", "rood")  # typed with a separate accent
    assert run("history", "  José ", "--db", str(db)).exit_code == 0  # composed, with spaces
    save(db, "Anna\u00a0Smit", "rood", "--note", "met\u00a0harde spatie")  # (a spreadsheet's)
    assert run("history", "Anna Smit", "--db", str(db)).exit_code == 0
    rows = json.loads(run("clients", "list", "--db", str(db), "-f", "json").stdout)
    assert sorted(r["client"] for r in rows) == ["Anna Smit", "José"]
    assert run("clients", "delete", "José ", "--yes", "--db", str(db)).exit_code == 0


def test_what_is_said_of_a_client_is_the_name_stored(db: Path) -> None:
    """Rich turned ':smile:' into an emoji on stderr: 'saved to the history of 😄'."""
    result = save(db, ":smile:", "rood")
    assert "':smile:'" in result.stderr
    rows = json.loads(run("clients", "list", "--db", str(db), "-f", "json").stdout)
    assert [r["client"] for r in rows] == [":smile:"]


def test_export_over_an_existing_file_is_private(db: Path, tmp_path: Path) -> None:
    save(db, "anna", "rood")
    target = tmp_path / "public.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o644)
    assert run("clients", "export", "anna", "--db", str(db), "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_usage_error_creates_no_database(db: Path) -> None:
    result = runner.invoke(app, ["check", "-c", "anna", "--save", "--db", str(db)], input="")
    assert result.exit_code == 2
    assert not db.parent.exists()


def test_an_interrupt_after_the_commit_says_the_visits_were_saved(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_csv(tmp_path / "in.csv", [("anna", "rood"), ("bob", "vale teint")])
    save(db, "seed", "rood")

    def interrupted_add(self: Store, visits: Any) -> int:
        original(self, visits)
        raise KeyboardInterrupt  # just after the commit

    original = Store.add
    monkeypatch.setattr(Store, "add", interrupted_add)
    result = run("batch", str(source), "--save", "--db", str(db), "-q")
    monkeypatch.undo()
    assert result.exit_code == 130
    assert count(db) == 3
    assert "niets is bewaard" not in result.stderr
    assert "2 bezoeken zijn bewaard in de geschiedenis" in result.stderr


def test_erasure_blocked_by_a_reader_is_said_and_finished_by_running_it_again(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fasewiel_cli.history.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    save(db, "Zwanetta Oosterhuis", "roodheid bij de kaaklijn")
    save(db, "bob", "rood")
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM visits").fetchone()  # holds a read snapshot
    result = run("clients", "delete", "Zwanetta Oosterhuis", "--yes", "--db", str(db))
    assert result.exit_code == 1
    assert "een ander proces houdt de database open" in result.stderr
    assert "wis opnieuw zodra er geen andere fasewiel draait" in result.stderr
    reader.rollback()
    reader.close()
    result = run("clients", "delete", "Zwanetta Oosterhuis", "--yes", "--db", str(db))
    assert result.exit_code == 1  # no such client any more …
    assert "onbekende klant" in result.stderr
    assert b"Zwanetta" not in raw_bytes(db)  # … and the traces are gone
    assert b"kaaklijn" not in raw_bytes(db)


def test_history_names_red_flags_and_treatments_never_ids(db: Path) -> None:
    save(db, "anna", "mijn moedervlek bloedt", "-t", "microneedling", "-t", "massage")
    result = run("history", "anna", "--db", str(db), "-f", "text", "--lang", "nl")
    assert result.exit_code == 0, result.output
    assert "moedervlek die bloedt of verandert" in result.stdout
    assert "changing_mole" not in result.stdout
    assert "micro-needling: past niet" in result.stdout
    assert "massage: past niet" in result.stdout  # (a red flag: no treatment, known or not)


# --- the visit's own date and note (batch --save) ---------------------------------------------

NOW = datetime(2026, 12, 6, 21, 16, tzinfo=UTC)  # ("now", in the tests of dates)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("03-11-2026", "2026-11-03"),
        ("3-11-2026", "2026-11-03"),
        ("03/11/2026", "2026-11-03"),
        ("03.11.2026", "2026-11-03"),
        ("2026-11-03", "2026-11-03"),
        (" 2026-11-03 ", "2026-11-03"),
        ("2026-11-03T10:15:00+01:00", "2026-11-03T09:15:00Z"),
        ("2026-11-03T10:15:00Z", "2026-11-03T10:15:00Z"),
        ("2026-11-03t10:15Z", "2026-11-03T10:15:00Z"),  # (ISO 8601 allows a small t)
        ("20261103T101500Z", "2026-11-03T10:15:00Z"),  # (and the basic form)
    ],
)
def test_a_visit_date_as_files_write_it(written: str, stored: str) -> None:
    assert visit_at(written, NOW) == stored


@contextlib.contextmanager
def time_zone(name: str) -> Iterator[None]:
    """The process's local time zone is ``name`` for a while (and what it was after)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_a_visit_time_without_an_offset_is_local() -> None:
    with time_zone("Europe/Amsterdam"):
        assert visit_at("03-11-2026 14:30", NOW) == "2026-11-03T13:30:00Z"
        assert visit_at("2026-07-01 14:30", NOW) == "2026-07-01T12:30:00Z"


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("31-02-2026", "is not a date"),
        ("03-13-2026", "is not a date"),
        ("11/03/26", "is not a date"),
        ("gisteren", "is not a date"),
        ("2026-11-03 25:00", "is not a date"),
        ("07-12-2026", "is in the future"),
        ("01-01-1899", "is before 1900"),
        ("2024-03-01-05:00", "is not a date"),  # (an offset without a time: no 05:00)
        ("2024-03-01+01:00", "is not a date"),
        ("1900-01-01T00:30:00+14:00", "is before 1900"),  # (1899-12-31 in UTC)
    ],
)
def test_a_date_that_is_none_is_refused(written: str, problem: str) -> None:
    with pytest.raises(FasewielError) as refused:
        visit_at(written, NOW)
    assert refused.value.said is not None
    assert problem in english(refused.value.said)


def test_batch_save_takes_each_visits_date_and_note_from_its_columns(
    db: Path, tmp_path: Path
) -> None:
    source = tmp_path / "visits.csv"
    source.write_text(
        "klant;datum;symptomen;opmerking\n"
        "anna;03-11-2026;rood;eerste bezoek\n"
        "anna;2026-11-20 14:30;dof;controle na 2 weken\n"
        "ben;;fijne lijntjes;\n",
        encoding="utf-8",
    )
    with time_zone("Europe/Amsterdam"):
        result = run("batch", str(source), "--save", "--db", str(db), "-q", "--to", "jsonl")
        assert result.exit_code == 0, result.output
        with Store.reading(db) as store:
            anna = store.visits("anna")
            (ben,) = store.visits("ben")
        assert [(v.at, v.note) for v in anna] == [
            ("2026-11-03", "eerste bezoek"),
            ("2026-11-20T13:30:00Z", "controle na 2 weken"),
        ]
        assert ben.note is None
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", ben.at)  # the run's time
        shown = run("history", "anna", "--db", str(db), "-f", "text", "--lang", "nl").stdout
        assert "03-11-2026 — Reset" in shown
        assert "20-11-2026 14:30 — Activate" in shown  # (local time: Amsterdam)
        assert "controle na 2 weken" in shown


def test_a_bad_date_saves_nothing_and_says_which_line(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "visits.csv"
    source.write_text("klant,datum,symptomen\nanna,03-11-2026,rood\nanna,31-02-2026,dof\n")
    result = run("batch", str(source), "--save", "--db", str(db), "--to", "jsonl")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[1]["error"].startswith("regel 3: '31-02-2026' is geen datum (schrijf datums als")
    assert "niets is bewaard" in result.stderr
    assert not db.exists() or Store.reading(db).count("anna") == 0


def test_a_database_of_schema_1_is_read_and_moved_up(db: Path) -> None:
    save(db, "anna", "rood")
    with sqlite3.connect(db) as connection:
        connection.execute("DROP INDEX visits_by_text")  # (as schema 1 and 2 had it)
        connection.execute("PRAGMA user_version = 1")
    save(db, "anna", "dof")  # (writing migrates)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM visits WHERE client = ? AND at = ? AND input = ?",
            ("anna", "x", "rood"),
        ).fetchall()
        assert "visits_by_text" in str(plan)  # (the duplicate check does not scan)
    with Store.reading(db) as store:
        assert len(store.visits("anna")) == 2


def test_a_day_alone_and_a_time_keep_their_order_west_of_utc(db: Path, tmp_path: Path) -> None:
    """23:30 in New York is the next day in UTC: a visit on that next day alone comes after it."""
    source = tmp_path / "visits.csv"
    source.write_text(
        "klant,symptomen,datum\nc1,roodheid,03-11-2026 23:30\nc1,vale teint,04-11-2026\n"
    )
    with time_zone("America/New_York"):
        result = run("batch", str(source), "--save", "--db", str(db), "-q", "-o", os.devnull)
        assert result.exit_code == 0, result.output
        with Store.reading(db) as store:
            assert [v.phase for v in store.visits("c1")] == ["reset", "activate"]
            (row,) = store.clients()
        assert (row.last_phase, row.last_visit) == ("activate", "2026-11-04")
        shown = run("history", "c1", "--db", str(db), "-f", "text").stdout
        assert shown.index("03-11-2026 23:30") < shown.index("04-11-2026 — Activate")


def test_a_file_of_past_visits_saved_twice_is_stored_once(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "visits.csv"
    source.write_text("klant,datum,symptomen\nanna,03-11-2026,rood\nanna,10-11-2026,dof\n")
    first = run("batch", str(source), "--save", "--db", str(db), "-o", os.devnull)
    again = run("batch", str(source), "--save", "--db", str(db), "-o", os.devnull)
    assert first.exit_code == again.exit_code == 0
    assert "2 stonden er al in" in again.stderr
    assert count(db) == 2


def test_a_moment_later_than_now_is_in_the_future_whatever_its_offset() -> None:
    """23:59 at UTC-12 on the 6th is 11:59 UTC on the 7th: later than now, though its date is
    today's."""
    with pytest.raises(FasewielError) as refused:
        visit_at("2026-12-06T23:59-12:00", NOW)
    assert refused.value.said is not None
    assert "in the future" in english(refused.value.said)
    assert visit_at("2026-12-06T09:00+01:00", NOW) == "2026-12-06T08:00:00Z"


def test_json_values_that_are_no_text_are_never_saved_as_text(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "visits.jsonl"
    source.write_text(
        '{"client": "anna", "symptoms": "rood", "note": ["x", "y"]}\n'
        '{"client": true, "symptoms": "rood"}\n'
        '{"client": "ben", "symptoms": "rood", "date": 20261103}\n'
        '{"client": 17, "symptoms": "rood"}\n',
        encoding="utf-8",
    )
    result = run("batch", str(source), "--save", "--db", str(db), "--to", "jsonl")
    assert result.exit_code == 1  # (all or nothing: nothing saved)
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert "'note' moet tekst zijn" in errors[0]
    assert "geen klant" in errors[1]
    assert "'20261103' is geen datum" in errors[2]
    assert errors[3] is None  # (a client number is a client)


def test_visits_saved_on_purpose_in_one_second_are_all_kept(db: Path, monkeypatch: Any) -> None:
    """Three check --save runs within a second said 'bewaard' three times and stored one: the
    same client, time and text were taken for a visit already stored."""
    from fasewiel_cli.history import visits as history_visits

    monkeypatch.setattr(history_visits, "now_utc", lambda: "2026-12-06T21:00:00Z")
    save(db, "anna", "rood", "--note", "eerste")
    save(db, "anna", "rood", "--note", "tweede")
    save(db, "anna", "rood", "-t", "microneedling")
    save(db, "anna", "rood")
    save(db, "anna", "rood")  # (twice the same, on purpose: two visits)
    with Store.reading(db) as store:
        notes = [v.note for v in store.visits("anna")]
    assert notes == ["eerste", "tweede", None, None, None]


def test_rows_of_a_file_that_differ_in_note_or_treatments_are_not_the_same_visit(
    db: Path, tmp_path: Path
) -> None:
    source = tmp_path / "visits.csv"
    source.write_text(
        "klant,datum,symptomen,notitie,behandeling\n"
        "anna,03-11-2026,rood,eerste,\n"
        "anna,03-11-2026,rood,tweede,\n"
        "anna,03-11-2026,rood,tweede,peeling\n"
        "anna,03-11-2026,rood,tweede,peeling\n"  # (the same row again: stored once)
    )
    result = run("batch", str(source), "--save", "--db", str(db), "-o", os.devnull)
    assert result.exit_code == 0, result.output
    assert "1 stonden er al in" in result.stderr
    assert count(db) == 3


def test_history_errors_speak_the_language_asked_for(db: Path, tmp_path: Path) -> None:
    save(db, "anna", "rood")
    unknown = run("history", "nobody", "--db", str(db), "--lang", "en")
    assert unknown.exit_code == 1
    assert "unknown client 'nobody'" in unknown.stderr
    missing = run("clients", "list", "--db", str(tmp_path / "none.db"), "--lang", "en")
    assert missing.exit_code == 1
    assert "no history yet" in missing.stderr


def test_the_first_day_of_1900_is_a_date_east_of_greenwich_too() -> None:
    with time_zone("Europe/Amsterdam"):
        assert visit_at("01-01-1900", NOW) == "1900-01-01"  # (a day alone is stored as that day)
        assert visit_at("1900-01-01", NOW) == "1900-01-01"
