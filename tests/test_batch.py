"""fasewiel batch: every record in comes out, in order, with its problems at their lines."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import pty
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fasewiel_cli import check
from fasewiel_cli.batch import records
from fasewiel_cli.batch import run as batch
from fasewiel_cli.batch.records import Record
from fasewiel_cli.batch.run import Assessor
from fasewiel_cli.cli.app import app
from fasewiel_cli.formats import Format
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.language.matching import read_text
from fasewiel_cli.serialize import csv_cell

runner = CliRunner()

CSV = (
    "klant;symptomen;behandeling;notitie\n"
    "A1;rood en jeuk;microneedling;eerste bezoek\n"
    'A2;fijne lijntjes, littekens;peeling,led;=HYPERLINK("x")\n'
    "A3;vale teint;;\n"
    "A4;moedervlek bloedt;;\n"
    "A5;hallo;;\n"
)


def run(args: list[str], data: bytes | str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", *args], input=data)
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_to_jsonl_on_stdout(tmp_path: Path) -> None:
    code, out, err = run([str(write(tmp_path / "in.csv", CSV))])
    rows = jsonl(out)
    assert code == 0, err
    assert [r["klant"] for r in rows] == ["A1", "A2", "A3", "A4", "A5"]
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "red_flag", "no_signal"]
    assert [r["phase"] for r in rows] == ["reset", "repair", "activate", None, None]
    assert [r["line"] for r in rows] == [2, 3, 4, 5, 6]
    first = rows[0]
    assert list(first)[:4] == ["klant", "symptomen", "behandeling", "notitie"]  # passthrough first
    assert first["matched"] == ["redness", "itch"]
    assert first["confidence"] == 1.0
    assert first["share_reset"] == 1.0
    assert first["treatments"][0]["id"] == "microneedling"  # type: ignore[index]
    assert first["treatments"][0]["verdict"] == "not_advised"  # type: ignore[index]
    assert rows[3]["red_flags"] == ["changing_mole"]
    assert rows[4]["unrecognised"] == ["hallo"]
    assert rows[1]["notitie"] == '=HYPERLINK("x")'  # JSON stays raw


@pytest.mark.parametrize("to", ["csv", "jsonl", "json"])
@pytest.mark.parametrize("source", ["csv", "jsonl", "json"])
def test_rows_in_equal_rows_out(tmp_path: Path, source: str, to: str) -> None:
    records = [
        {"client": f"C{n}", "symptoms": text, "extra": n}
        for n, text in enumerate(["rood", "", "fijne lijntjes", "xyz", "vale teint, dof"] * 7)
    ]
    path = tmp_path / f"in.{source}"
    if source == "csv":
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, ["client", "symptoms", "extra"])
            writer.writeheader()
            writer.writerows(records)
    elif source == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    else:
        path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    output = tmp_path / f"out.{to}"
    code, out, err = run([str(path), "-o", str(output), "--quiet"])
    assert code == 0, err
    assert out == ""
    text = output.read_text(encoding="utf-8")
    if to == "csv":
        rows: list[dict[str, object]] = list(csv.DictReader(io.StringIO(text)))
    elif to == "jsonl":
        rows = jsonl(text)
    else:
        rows = json.loads(text)
    assert len(rows) == len(records)
    assert [str(r["client"]) for r in rows] == [r["client"] for r in records]
    assert [str(r["extra"]) for r in rows] == [str(r["extra"]) for r in records]


def test_errors_stay_in_their_row_and_name_their_line(tmp_path: Path) -> None:
    text = (
        "client,symptoms,treatment\n"
        "C1,rood,\n"
        "C2\n"  # too few fields
        'C3,"fijne lijntjes\n'  # a quoted field over two lines: an error, each line its own
        'en littekens",\n'
        "C4,vale teint,botox\n"  # unknown treatment: assessed all the same, the treatment marked
        "C5,egale teint,\n"
        'C6,"rustige huid",,too,many\n'
        "C7,dof,\n"
    )
    code, out, err = run([str(write(tmp_path / "in.csv", text)), "--to", "jsonl"])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [
        (2, "ok"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "ok"),
        (7, "ok"),
        (8, "error"),
        (9, "ok"),
    ]
    assert rows[1]["error"] == "regel 3: 1 velden, waar de kopregel er 3 heeft"
    assert "regel 4: een aanhalingsteken dat hier opent, sluit niet op deze regel" in str(
        rows[2]["error"]
    )
    assert rows[3]["error"] == "regel 5: 2 velden, waar de kopregel er 3 heeft"
    assert rows[4]["phase"] == "activate"
    assert rows[4]["error"] is None
    (botox,) = rows[4]["treatments"]
    assert (botox["id"], botox["name"], botox["verdict"]) == (None, "botox", "unknown")
    assert "regel 8:" in str(rows[6]["error"])
    assert "fout: regel 3" in err  # the summary names the errors too


@pytest.mark.parametrize("to", ["csv", "jsonl"])
def test_blank_lines_are_skipped_but_a_quoted_empty_field_is_a_record(
    tmp_path: Path, to: str
) -> None:
    one = write(tmp_path / "one.csv", 'symptomen\nrood\n""\n   \n"  "\n\t\njeuk\n')
    two = write(tmp_path / "two.csv", 'symptomen;klant\nrood;1\n  \n""\n;\n')
    for source, delimiter, expected in [
        (one, ",", [(2, "ok"), (3, "no_signal"), (5, "no_signal"), (7, "ok")]),
        (two, ";", [(2, "ok"), (4, "error"), (5, "no_signal")]),
    ]:
        output = tmp_path / f"out.{to}"
        run([str(source), "-o", str(output)])
        text = output.read_text(encoding="utf-8")
        if to == "csv":
            reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
            rows = [(int(r["line"]), r["status"]) for r in reader]
        else:
            rows = [(int(str(r["line"])), str(r["status"])) for r in jsonl(text)]
        assert rows == expected


def test_an_open_quote_at_the_end_does_not_swallow_the_rest(tmp_path: Path) -> None:
    text = 'client;symptoms\nC1;rood\nC2;"jeuk\nC3;vale teint\nC4;fijne lijntjes\n'
    code, out, _ = run([str(write(tmp_path / "in.csv", text))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [
        (2, "ok"),
        (3, "error"),
        (4, "ok"),
        (5, "ok"),
    ]
    assert str(rows[1]["error"]).startswith(
        "regel 3: een aanhalingsteken dat hier opent, sluit niet"
    )
    assert [r["client"] for r in rows if r["status"] == "ok"] == ["C1", "C3", "C4"]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_line_past_the_limit_is_an_error_at_its_line(tmp_path: Path, suffix: str) -> None:
    long = "rood " * (records.MAX_LINE_CHARS // 5 + 1)
    if suffix == "csv":
        text = f"client;symptoms\nC1;jeuk\nC2;{long}\nC3;vale teint\n"
    else:
        text = "\n".join(
            json.dumps({"client": c, "symptoms": t})
            for c, t in (("C0", "rood"), ("C1", "jeuk"), ("C2", long), ("C3", "vale teint"))
        )
    code, out, _ = run([str(write(tmp_path / f"in.{suffix}", text))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows][-3:] == [(2, "ok"), (3, "error"), (4, "ok")]
    assert rows[-2]["error"] == "regel 3 is langer dan 1.048.576 tekens"


def test_broken_json_lines(tmp_path: Path) -> None:
    text = (
        '{"symptoms": "rood"}\n'
        '{"symptoms": "jeuk"\n'
        "\n"
        '["not", "an", "object"]\n'
        '{"symptoms": ["dof", "vaal"]}\n'
    )
    code, out, _ = run([str(write(tmp_path / "in.jsonl", text))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "ok"),
        (2, "error"),
        (4, "error"),
        (5, "ok"),
    ]
    assert str(rows[1]["error"]).startswith("regel 2: geen geldige JSON")
    assert rows[2]["error"] == "regel 4: een JSON-object verwacht, list gevonden"
    assert rows[3]["matched"] == ["dull_skin", "sallow_complexion"]  # (in the text's order)


def test_a_json_array_cut_short_ends_with_an_error_row(tmp_path: Path) -> None:
    text = '[\n {"symptoms": "rood"},\n {"symptoms": \n'
    output = tmp_path / "out.json"
    code, _, err = run([str(write(tmp_path / "in.json", text)), "-o", str(output)])
    assert code == 1
    assert "regel 3: de JSON-lijst eindigt midden in dit record" in err
    rows = json.loads(output.read_text(encoding="utf-8"))  # (a whole JSON document)
    assert [(r["line"], r["status"]) for r in rows] == [(2, "ok"), (3, "error")]


def test_a_broken_element_of_a_json_array_is_an_error_of_its_own(tmp_path: Path) -> None:
    text = (
        '[{"symptoms": "rood"},\n'
        ' {"symptoms": "jeuk", oops},\n'  # not JSON
        ' {"symptoms": "vale [teint] {,}", "n": [1, {"a": [2]}]},\n'  # brackets in a string
        ' "text",\n'
        ' {"symptoms": "dof"}]'
    )
    code, out, _ = run([str(write(tmp_path / "in.json", text))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "ok"),
        (2, "error"),
        (3, "ok"),
        (4, "error"),
        (5, "ok"),
    ]
    assert rows[2]["n"] == [1, {"a": [2]}]
    assert rows[3]["error"] == "regel 4: een JSON-object verwacht, str gevonden"


def test_dutch_excel_semicolons_bom_and_dutch_headers(tmp_path: Path) -> None:
    path = tmp_path / "klanten.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    output = tmp_path / "uitslag.csv"
    code, _, err = run([str(path), "-o", str(output)])
    assert code == 0, err
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it back as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["klant", "symptomen", "behandeling", "notitie"]
    assert rows[1][rows[0].index("phase")] == "reset"


def test_cp1252_needs_encoding(tmp_path: Path) -> None:
    text = "klant;symptomen\nA1;rood\nA2;café-rood en jeuk\nA3;vale teint\n"
    path = write(tmp_path / "in.csv", text, "cp1252")
    code, out, err = run([str(path)])
    rows = jsonl(out)
    assert code == 1
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert "regel 3 is geen geldige utf-8" in str(rows[1]["error"])
    assert "--encoding cp1252" in str(rows[1]["error"])
    assert "--encoding cp1252" in err
    code, out, _ = run([str(path), "--encoding", "cp1252"])
    rows = jsonl(out)
    assert code == 0
    assert rows[1]["symptomen"] == "café-rood en jeuk"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "symptoms\tclient\nrood\tA1\nvale teint\tA2\n", "utf-16")
    code, out, _ = run([str(path)])
    assert code == 0
    assert [r["phase"] for r in jsonl(out)] == ["reset", "activate"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_without_a_bom_need_their_byte_order(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("symptoms\nrood\n".encode(f"{codec}-le"))
    code, out, err = run([str(path), "--encoding", codec])
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    assert f"--encoding {codec}-le" in " ".join(err.replace("│", " ").split())
    code, out, _ = run([str(path), "--encoding", f"{codec}-le"])
    assert code == 0
    assert [r["phase"] for r in jsonl(out)] == ["reset"]


def test_utf32_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("symptoms;client\nrood;A1\n".encode("utf-32"))  # (with a BOM)
    code, out, _ = run([str(path)])
    assert code == 0
    assert [(r["client"], r["phase"]) for r in jsonl(out)] == [("A1", "reset")]


@pytest.mark.parametrize(
    ("tail", "out"),
    [
        (b"\x00", "csv"),  # half a character at the end: a file cut short
        ("\ud800".encode("utf-16-le", "surrogatepass") + "x\n".encode("utf-16-le"), "jsonl"),
    ],
)
def test_a_damaged_utf16_file_is_an_error_at_its_line(
    tmp_path: Path, tail: bytes, out: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("symptoms\nrood\njeuk\n".encode("utf-16") + tail)
    output = tmp_path / f"out.{out}"
    code, _, err = run([str(path), "-o", str(output)])
    assert code == 1
    assert "Traceback" not in err
    assert "regel 4 is geen geldige utf-16 (byte 0x00); het bestand is misschien afgebroken" in err
    text = output.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text))) if out == "csv" else jsonl(text)
    assert [row["status"] for row in rows] == ["ok", "ok", "error"]  # (the rows before it too)


def test_unknown_encoding(tmp_path: Path) -> None:
    code, _, err = run([str(write(tmp_path / "in.csv", CSV)), "--encoding", "klingon"])
    assert code == 1
    assert "onbekende tekenset 'klingon'" in err


def test_formula_cells_are_neutralised_in_csv_only(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(
            [
                ["client", "symptoms", "note"],
                ["=1+1", "rood", "@SUM(A1)"],
                ["+31", "-rood", "\tx"],
                ["-5", "jeuk", "-"],
            ]
        )
    code, out, _ = run([str(path), "--to", "csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [r["client"] for r in rows] == ["'=1+1", "'+31", "'-5"]
    assert rows[0]["note"] == "'@SUM(A1)"
    assert rows[1]["symptoms"] == "'-rood"
    assert rows[1]["note"] == "'\tx"
    assert rows[2]["note"] == "'-"
    assert rows[0]["treatments"] == ""  # our own columns are left alone
    code, out, _ = run([str(path), "--to", "jsonl"])
    assert [r["client"] for r in jsonl(out)] == ["=1+1", "+31", "-5"]
    # (a carriage return cannot be inside a CSV record, which is one line, but JSON can hold it)
    source = write(tmp_path / "in.jsonl", '{"symptoms": "rood", "note": "\\rcr"}\n')
    code, out, _ = run([str(source), "--to", "csv"])
    assert code == 0
    assert next(csv.DictReader(io.StringIO(out)))["note"] == "'\rcr"


def test_stdin_and_stdout(tmp_path: Path) -> None:
    code, out, _ = run(["-", "--to", "csv", "--quiet"], CSV)
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert code == 0
    assert len(rows) == 6
    code, out, _ = run(["-"], '{"symptoms": "rood"}\n{"symptoms": "dof"}\n')
    assert [r["phase"] for r in jsonl(out)] == ["reset", "activate"]
    code, out, _ = run(
        ["-", "--to", "csv"], '[{"symptoms": "rood", "x": 1}, {"symptoms": "dof", "y": 2}]'
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert list(rows[0])[:3] == ["symptoms", "x", "y"]  # every field of every record


def test_tab_delimiter_forced(tmp_path: Path) -> None:
    path = write(tmp_path / "in.txt", "symptoms\tclient,id\nrood\tA,1\n")
    code, out, _ = run([str(path), "--delimiter", "tab"])
    assert code == 0
    assert jsonl(out)[0]["client,id"] == "A,1"


def test_missing_symptoms_column(tmp_path: Path) -> None:
    code, _, err = run([str(write(tmp_path / "in.csv", "name,age\nA,3\n"))])
    assert code == 1
    assert "geen kolom met symptomen" in err
    assert "symptomen" in err


def test_output_may_not_be_the_input(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", CSV)
    code, _, err = run([str(path), "-o", str(path)])
    assert code == 1
    assert "het uitvoerbestand is het invoerbestand" in err
    assert path.read_text() == CSV


def test_output_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run([str(write(tmp_path / "in.csv", CSV)), "-o", str(tmp_path / "no" / "o.csv")])
    assert code == 1
    assert "does not exist" in err
    assert "Traceback" not in err


def test_output_file_is_private_and_complete(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    code, _, _ = run([str(write(tmp_path / "in.csv", CSV)), "-o", str(output)])
    assert code == 0
    assert (output.stat().st_mode & 0o777) == 0o600
    assert len(output.read_text().splitlines()) == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_input_columns_named_like_results_are_replaced_and_said(tmp_path: Path) -> None:
    text = "symptoms,phase,status\nrood,old,old\n"
    code, out, err = run([str(write(tmp_path / "in.csv", text)), "--to", "csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert rows[0]["phase"] == "reset"
    assert rows[0]["status"] == "ok"
    assert "deze invoerkolommen zijn vervangen door de resultaten: phase, status" in err


def test_summary_goes_to_stderr(tmp_path: Path) -> None:
    code, out, err = run([str(write(tmp_path / "in.csv", CSV))])
    assert code == 0
    assert "fasewiel batch: 5 regels" in err
    assert "rode vlaggen: moedervlek die bloedt of verandert 1" in err  # (by name)
    assert "fasewiel batch" not in out
    _, _, err = run([str(write(tmp_path / "in.csv", CSV)), "--quiet"])
    assert err == ""


def test_same_text_same_result(tmp_path: Path) -> None:
    """The memo may only ever return what a fresh assessment would."""
    text = "symptoms,treatment\n" + "rood,\njeuk,\nrood,led\nrood,\nblah rood,\n" * 3
    code, out, _ = run([str(write(tmp_path / "in.csv", text))])
    rows = jsonl(out)
    assert code == 0
    assert {json.dumps(r) for r in rows[0::5]} == {
        json.dumps(rows[0] | {"line": r["line"]}) for r in rows[0::5]
    }
    assert rows[4]["unrecognised"] == ["blah"]
    assert rows[2]["treatments"] != rows[0]["treatments"]


def _fasewiel(*args: str) -> list[str]:
    return [sys.executable, "-m", "fasewiel", *args]


@pytest.mark.parametrize("to", ["jsonl", "csv"])
def test_progress_and_summary_never_reach_stdout(tmp_path: Path, to: str) -> None:
    """With stderr on a real terminal the progress bar is drawn — on stderr only. (CSV to CSV
    is shared among worker processes, forked while the bar is shown.)"""
    path = write(tmp_path / "in.csv", "symptoms\n" + "rood en jeuk\n" * 3000)
    output = tmp_path / f"out.{to}"
    leader, follower = pty.openpty()
    with output.open("wb") as stdout:
        process = subprocess.Popen(
            _fasewiel("batch", str(path), "--to", to, "--jobs", "2"),
            stdout=stdout,
            stderr=follower,
            env={**os.environ, "TERM": "xterm"},
        )
        os.close(follower)
        terminal = b""
        while True:  # drain the terminal while the run goes, or it blocks on a full pty
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the run ended and closed its side
                break
            if not chunk:
                break
            terminal += chunk
        os.close(leader)
        assert process.wait(timeout=60) == 0
    text = output.read_text(encoding="utf-8")
    if to == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3000
    assert all(row["phase"] == "reset" for row in rows)
    assert b"Bezig" in terminal  # the progress bar
    assert b"fasewiel batch: 3.000 regels" in terminal


def test_records_typed_into_a_pipe_come_out_as_they_are_typed() -> None:
    """Standard input that stays open (``tail -f``, typing): each record is written once its
    line is in, not when the input ends."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        _fasewiel("batch", "-", "--from", "csv", "--quiet"),
        stdin=subprocess.PIPE,
        stdout=follower,  # (a terminal: written a line at a time)
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    assert process.stdin is not None
    try:
        process.stdin.write(b"symptoms\nrood\n")
        process.stdin.flush()
        seen = b""
        deadline = time.monotonic() + 30
        while b"\n" not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 4096)
        assert process.poll() is None  # (the input is still open)
        assert json.loads(seen.splitlines()[0])["phase"] == "reset"
    finally:
        process.stdin.close()
        process.wait(timeout=30)
        os.close(leader)


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
)
def test_an_interrupted_run_leaves_no_output_file(
    tmp_path: Path, interrupt_once_writing: Any, signum: int, code: int
) -> None:
    path = write(
        tmp_path / "in.csv", "symptoms\n" + "".join(f"rood {n}, jeuk\n" for n in range(400_000))
    )
    output = tmp_path / "out.csv"
    process = subprocess.Popen(
        _fasewiel("batch", str(path), "-o", str(output), "--quiet"),
        stderr=subprocess.PIPE,
        text=True,
    )
    interrupt_once_writing(process, tmp_path, 30, signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code
    assert "Traceback" not in stderr
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


# --- a file with a bit of everything ----------------------------------------------------------

TEXTS = [
    "rood, jeuk",
    "rood en jeuk en dof",
    "mijn huid is rood en jeukt, geen pijn",
    "fijne lijntjes; littekens en rimpels",
    "geen jeuk, roodheid of branderigheid",
    "koorts en uitslag",
    "moedervlek bloedt en jeukt",
    "koorts en huiduitslagg",
    "rodheid jeukk",
    "Geïrriteerde huid",
    "xylofoon",
    "",
    "=1+1",
    "-rood",
    '"rood\njeuk"',
    "redness and itching, no burning",
]
TREATMENTS = ["", "", "microneedling", "peeling, LED", "onbekend", "Microneedling;peeling", "+x"]


def _mixed_csv(rng: random.Random, rows: int) -> bytes:
    """An intake file with a bit of everything: sound rows, broken ones, blank lines, formula
    cells, NULs, quoted cells and a quoted line break, every kind of line end, a byte that is
    not UTF-8, and a column named like a result."""
    lines = [b"klant;symptomen;behandeling;notitie;phase\n"]
    for n in range(rows):
        text = rng.choice(TEXTS)
        note = rng.choice(["", "@note", "ok", "-", "a\x00b", "twee\nregels"])
        cells = [rng.choice([f"K{n}", f"=K{n}"]), text, rng.choice(TREATMENTS), note, "x"]
        roll = rng.random()
        if roll < 0.03:
            cells = cells[:2]  # too few fields
        elif roll < 0.06:
            cells.append("")  # one more field, blank: fine
        elif roll < 0.08:
            cells.append("extra")  # one more field, not blank: an error
        if "\n" in note or rng.random() < 0.1:  # written as a spreadsheet does: quoted
            written = io.StringIO()
            csv.writer(written, delimiter=";", lineterminator="\r\n").writerow(cells)
            line = written.getvalue()[:-2].encode()
        else:
            line = ";".join(cells).encode()
        if roll > 0.98:
            line = line.replace(b"K", b"K\xff", 1)
        lines.append(line + rng.choice([b"\n", b"\r\n", b"\n", b"\r"]))
        if rng.random() < 0.02:
            lines.append(b"\n")
    return b"".join(lines) + b'K9;"never closed;;;\n'


@pytest.mark.parametrize("to", ["jsonl", "csv"])
def test_batch_verdicts_are_those_of_check(tmp_path: Path, to: str) -> None:
    """Every treatment verdict of a batch is what ``check --treatment`` gives for that text
    (verdicts are remembered per verdict key and treatment: never one for another)."""
    rng = random.Random(12)
    texts = [t for t in TEXTS if not set(t) & set('\n";')] + [
        "fijne lijntjes en rimpels",  # (Repair, Sustain, Radiance: where intensive work may be)
        "slappe huid, littekens",
        "vale teint",
        "egale teint en stralend",
        "rustige huid",
        "rimpels, rood",
    ]
    names = ["microneedling", "peeling", "LED", "collageenmassage", "zachte aanraking"]
    rows = [(rng.choice(texts), rng.sample(names, rng.choice([1, 1, 2]))) for _ in range(300)]
    lines = ["symptoms;treatment", *(f"{text};{', '.join(planned)}" for text, planned in rows)]
    source = write(tmp_path / "in.csv", "\n".join(lines) + "\n")
    output = tmp_path / f"out.{to}"
    code, _, err = run([str(source), "-o", str(output), "--jobs", "1"])
    assert code == 0, err
    if to == "jsonl":
        found = [r["treatments"] for r in jsonl(output.read_text(encoding="utf-8"))]
    else:
        with output.open(encoding="utf-8", newline="") as file:
            found = [r["treatments"] for r in csv.DictReader(file, delimiter=";")]
    for (text, planned), verdicts in zip(rows, found, strict=True):
        advice = check(text, treatments=planned, lang="nl")
        expected = [
            {"id": v.id, "name": v.name, "verdict": v.verdict, "reason": v.reason}
            for v in advice.treatments
        ]
        assert verdicts == (expected if to == "jsonl" else csv_cell(expected))


def test_a_red_flag_typed_with_a_typo_is_caught_in_a_batch(tmp_path: Path) -> None:
    text = "symptomen\nkoorts en huiduitslagg\nmoedervlekk en bloedt\n"
    source = write(tmp_path / "in.csv", text)
    code, out, err = run([str(source)])
    assert code == 0, err
    assert [r["status"] for r in jsonl(out)] == ["red_flag", "red_flag"]


def test_long_texts_are_assessed_but_not_remembered(kb: KnowledgeBase) -> None:
    assessor = Assessor(kb, "nl")
    long_text = "rood, " + "x" * 100_000
    record = Record(2, {}, long_text, None, ())
    unknown = Record(3, {}, "rood", None, ("peeling", "y" * 100_000))
    for _ in range(2):
        outcome = assessor.outcome(record)
        assert outcome is not None
        assert outcome.values[0] == "reset"
        marked = assessor.outcome(unknown)
        assert marked is not None
        assert marked.values[-2][1]["verdict"] == "unknown"  # no treatment is called that
    assert assessor.outcome(Record(4, {}, "rood", None, ())) is not None  # (short: remembered)
    assert list(assessor.memo) == [("rood", ())]
    assert assessor.memo["rood", ()].values[-5] == ["redness"]  # (matched)
    assert list(assessor.readings) == ["rood"]


def test_a_text_planned_with_other_treatments_is_read_once(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outcome depends on the treatments too, the reading of the text does not: a text that
    comes back with another plan is not read again, and its verdicts are its own."""
    read = []
    monkeypatch.setattr(
        batch, "read_text", lambda kb, text: read.append(text) or read_text(kb, text)
    )
    assessor = Assessor(kb, "nl")
    plans = [(), ("peeling",), ("zachte aanraking",), ("peeling", "zachte aanraking"), ()]
    outcomes = [assessor.outcome(Record(n, {}, "rood", None, plan)) for n, plan in enumerate(plans)]
    assert read == ["rood"]
    verdicts = [[v["verdict"] for v in o.values[-2]] for o in outcomes if o is not None]
    assert verdicts == [[], ["not_advised"], ["advised"], ["not_advised", "advised"], []]
    assert outcomes[0] is outcomes[-1]  # (the whole outcome remembered too)


def test_memory_stays_flat_with_an_unknown_treatment_on_every_row(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown treatment's lookup is remembered as its suggestions: an exception kept and
    raised again grew its traceback on every row, to gigabytes."""
    import tracemalloc

    # (six texts in turn: each row's outcome is found anew)
    monkeypatch.setattr(batch, "MEMO", 4)
    assessor = Assessor(kb, "nl")
    texts = itertools.cycle(["rood", "jeuk", "dof", "vaal", "strak", "glans"])
    rows = (Record(n, {}, text, None, ("botox",)) for n, text in enumerate(texts))
    tracemalloc.start()
    try:
        for record in itertools.islice(rows, 2_000):
            assessor.outcome(record)
        before = tracemalloc.get_traced_memory()[0]
        for record in itertools.islice(rows, 20_000):
            outcome = assessor.outcome(record)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert outcome is not None
    assert outcome.values[-2][0]["verdict"] == "unknown"
    assert after - before < 64 * 1024


def test_workers_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "CHUNK", 37)  # (many chunks, done out of turn)
    source = tmp_path / "in.csv"
    source.write_bytes(_mixed_csv(random.Random(6), 600))
    outputs = []
    for jobs in ("1", "3"):
        output = tmp_path / f"out-{jobs}.csv"
        code, _, err = run([str(source), "-o", str(output), "--jobs", jobs])
        assert code == 1, err  # (the file has broken rows)
        summary = "".join(err.split()).replace(str(output), "OUT")  # (wrapped at its width)
        outputs.append((output.read_bytes(), summary))
    assert outputs[0] == outputs[1]  # the results and the summary
    rows = list(csv.reader(io.StringIO(outputs[0][0].decode()), delimiter=";"))
    assert {row[-3] for row in rows[1:]} == {"ok", "no_signal", "red_flag", "error"}


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", CSV)
    code, out, err = run([str(source), "--jobs", "0"])
    assert code == 2
    assert out == ""
    assert "--jobs" in err


def test_columns_with_the_same_name_keep_their_own_values(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", "naam;symptomen;naam\nAnn;rood;Bakker\n")
    code, _, err = run([str(source), "-o", str(tmp_path / "out.csv")])
    assert code == 0, err
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as file:
        header, row = list(csv.reader(file, delimiter=";"))
    assert header[:3] == ["naam", "symptomen", "naam"]
    assert row[:3] == ["Ann", "rood", "Bakker"]


@pytest.mark.parametrize("command", [["batch", "IN"], ["card", "reset"], ["history", "A", "--db"]])
def test_a_file_option_given_a_folder_is_refused(tmp_path: Path, command: list[str]) -> None:
    """``-o results/`` (or ``--db``) names a folder: refused, nothing written, rather than a
    file called "results" (``Path`` drops the trailing slash)."""
    source = write(tmp_path / "in.csv", CSV)
    args = [str(source) if a == "IN" else a for a in command]
    for folder in (f"{tmp_path}/results/", str(tmp_path)):
        option = [] if args[-1] == "--db" else ["-o"]
        result = runner.invoke(app, [*args, *option, folder])
        assert result.exit_code == 2, result.output
        assert "folder, not a file" in " ".join(result.stderr.replace("│", " ").split())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("target", ["/dev/stdout", "/proc/self/fd/1"])
def test_output_to_the_standard_output_by_name(tmp_path: Path, target: str) -> None:
    source = write(tmp_path / "in.csv", CSV)
    # Into a pipe: written through, not replaced (there is no file to replace).
    piped = subprocess.run(
        _fasewiel("batch", str(source), "-o", target, "-q"), capture_output=True, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert len(piped.stdout.splitlines()) == 5
    # Into a file the shell opened for appending: appended to, as the shell asked.
    log = tmp_path / "log.jsonl"
    log.write_text("earlier\n")
    with log.open("a") as stdout:
        done = subprocess.run(
            _fasewiel("batch", str(source), "-o", target, "-q"), stdout=stdout, check=False
        )
    assert done.returncode == 0
    assert log.read_text().splitlines()[0] == "earlier"
    assert len(log.read_text().splitlines()) == 6


def _on_a_terminal(args: list[str]) -> bytes:
    """What ``fasewiel ARGS`` writes to a real terminal (stdout and stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        _fasewiel(*args), stdout=follower, stderr=follower, env={**os.environ, "TERM": "xterm"}
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # (the run ended and closed its side)
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    process.wait(timeout=30)
    return seen


ESCAPES = "rood\x1b]0;PWNED\x07 en \x1b[2J moedervlek\x1b[31m bloedt \x9b31m\u202e"


# A treatment typed with escape sequences: Rich prints a text's escape sequences as they are.
TREATMENT = "peel\x1b]0;PWNED\x07ing\x1b[2J \x9b31m\u202e"


def _no_raw_escapes(seen: bytes) -> None:
    assert b"\x1b]0;" not in seen  # (the title sequence)
    assert b"\x1b[2J" not in seen  # (clear the screen)
    assert "\x9b".encode() not in seen  # (the one-character CSI, in UTF-8)
    assert "\u202e".encode() not in seen


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "rich"])
def test_escape_sequences_typed_in_are_never_printed_raw_by_check(fmt: str) -> None:
    seen = _on_a_terminal(["check", ESCAPES, "-t", TREATMENT, "-f", fmt])
    assert b"moedervlek" in seen
    assert b"PWNED" in seen  # (the treatment is shown, as escapes)
    _no_raw_escapes(seen)


@pytest.mark.parametrize("fmt", ["rich", "text", "json"])
def test_escape_sequences_saved_in_the_history_are_never_printed_raw(
    tmp_path: Path, fmt: str
) -> None:
    db = str(tmp_path / "history.db")
    saved = _on_a_terminal(["check", "rood", "-t", TREATMENT, "-c", "anna", "--save", "--db", db])
    _no_raw_escapes(saved)
    seen = _on_a_terminal(["history", "anna", "--db", db, "-f", fmt])
    assert b"PWNED" in seen
    _no_raw_escapes(seen)


@pytest.mark.parametrize("to", ["csv", "jsonl", "json"])
def test_escape_sequences_in_a_batch_are_never_printed_raw(tmp_path: Path, to: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"symptoms": ESCAPES, "client": "\x1b[2J", "treatment": "\x1b]0;x\x07"}) + "\n",
        encoding="utf-8",
    )
    seen = _on_a_terminal(["batch", str(source), "--to", to])
    assert b"status" in seen
    assert b"\x1b]0;" not in seen
    assert b"\x1b[2J" not in seen
    assert "\x9b".encode() not in seen
    assert "\u202e".encode() not in seen


def test_a_batch_answers_in_the_language_most_records_are_in(tmp_path: Path) -> None:
    rows = ["symptoms,treatment"] + ["fine lines and wrinkles,peeling"] * 3 + ["rimpels,peeling"]
    source = write(tmp_path / "in.csv", "\n".join(rows) + "\n")
    reasons = [r["treatments"][0]["reason"] for r in jsonl(run([str(source)])[1])]  # type: ignore[index]
    assert all("intensive technique" in reason for reason in reasons)  # English, all of them
    reasons = [
        r["treatments"][0]["reason"]  # type: ignore[index]
        for r in jsonl(run([str(source), "--lang", "nl"])[1])
    ]
    assert all("intensieve techniek" in reason for reason in reasons)


def test_the_majority_language_of_records(kb: KnowledgeBase) -> None:
    def of(*texts: str) -> str | None:
        return batch.majority_language(
            kb, [Record(n, {}, t, None, ()) for n, t in enumerate(texts)]
        )

    assert of("rood", "jeuk", "itchy") == "nl"
    assert of("itchy", "dull skin", "rood") == "en"
    assert of("rood", "itchy") is None  # (a tie)
    assert of("acne", "123") is None  # (no text says)


def test_nohup_keeps_a_batch_running_through_a_hangup(tmp_path: Path) -> None:
    """A SIGHUP ignored when fasewiel starts (nohup) stays ignored: the run, fed through a pipe,
    is still waiting for the rest of its input when the hangup comes."""
    output = tmp_path / "out.csv"
    process = subprocess.Popen(
        _fasewiel("batch", "-", "--from", "csv", "-o", str(output), "--quiet"),
        stdin=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert process.stdin is not None
    process.stdin.write(b"symptoms\n" + b"".join(f"rood {n}\n".encode() for n in range(100)))
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGHUP)
    time.sleep(0.2)  # (time for the signal to arrive while the run reads)
    process.stdin.write(b"".join(f"jeuk {n}\n".encode() for n in range(100)))
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    assert len(output.read_text().splitlines()) == 201


def test_a_second_stop_signal_does_not_cut_the_clean_up_short() -> None:
    from fasewiel_cli.cli import common

    saved = {name: signal.getsignal(getattr(signal, name)) for name in common.STOPPING}
    try:
        with pytest.raises(common.Terminated):
            common.stop(signal.SIGTERM, None)
        assert all(signal.getsignal(getattr(signal, n)) is signal.SIG_IGN for n in saved)
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)


def test_a_terminal_named_as_the_output_gets_escapes(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"symptoms": ESCAPES}) + "\n", encoding="utf-8")
    for target in ("/proc/self/fd/1", "/dev/stdout"):
        seen = _on_a_terminal(["batch", str(source), "--to", "csv", "-o", target])
        assert b"status" in seen
        assert b"\x1b]0;" not in seen
        assert b"\x1b[2J" not in seen
    seen = _on_a_terminal(["card", "reset", "--format", "pdf", "-o", "/dev/stdout"])
    assert b"%PDF" not in seen
    assert b"binary output would garble it" in seen


@pytest.mark.parametrize("how", ["append", "stdin", "fd0"])
def test_the_output_may_not_be_the_input_however_it_is_named(tmp_path: Path, how: str) -> None:
    path = write(tmp_path / "in.csv", CSV)
    args = {
        "append": [str(path), "--to", "csv"],
        "stdin": ["-", "--from", "csv", "-o", "/dev/stdin"],
        "fd0": ["-", "--from", "csv", "-o", "/dev/fd/0"],
    }[how]
    with path.open("rb") as stdin, path.open("ab") as stdout:
        done = subprocess.run(
            _fasewiel("batch", *args, "-q"),
            stdin=stdin,
            stdout=stdout if how == "append" else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert b"de uitvoer is het invoerbestand" in done.stderr
    assert path.read_text() == CSV


def test_json_arrays_never_leave_records_unread(tmp_path: Path) -> None:
    two_arrays = (
        '[{"client": "A", "symptoms": "rood"}]\n'
        '[{"client": "B", "symptoms": "koorts en uitslag"}]\n'
    )
    code, out, _ = run([str(write(tmp_path / "two.json", two_arrays))])
    rows = jsonl(out)
    assert code == 1
    assert [r["status"] for r in rows] == ["ok", "error"]
    assert rows[1]["error"] == "regel 2: tekst na het einde van de JSON-lijst"
    open_quote = (
        '[\n {"client": "A", "symptoms": "rood},\n'  # (a quote left open at the line end)
        ' {"client": "B", "symptoms": "jeuk"},\n'
        ' {"client": "C", "symptoms": "moedervlek bloedt"}\n]\n'
    )
    code, out, _ = run([str(write(tmp_path / "open.json", open_quote))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [(2, "error"), (3, "ok"), (4, "red_flag")]


def test_json_records_with_too_many_fields_for_csv_are_refused(tmp_path: Path) -> None:
    records = "".join(json.dumps({"symptoms": "rood", f"field{n}": n}) + "\n" for n in range(1500))
    source = write(tmp_path / "in.jsonl", records)
    code, out, err = run([str(source), "--to", "csv"])
    assert code == 1
    assert out == ""
    assert "meer dan 1.000 verschillende velden" in err
    code, out, _ = run([str(source), "--to", "jsonl"])
    assert code == 0
    assert len(out.splitlines()) == 1500


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "undefined", "idna", "punycode"])
def test_an_encoding_that_is_no_text_encoding_is_refused(tmp_path: Path, encoding: str) -> None:
    code, _, err = run([str(write(tmp_path / "in.csv", CSV)), "--encoding", encoding])
    assert code == 1
    assert "is geen tekenset waarin fasewiel tekstbestanden kan lezen" in err
    assert "Traceback" not in err


def test_csv_for_dutch_excel(tmp_path: Path) -> None:
    """A semicolon file gets decimal commas (Dutch Excel reads 0.6667 as 6667); with --lang nl
    the columns are named in Dutch; without a language asked for, they keep their ids."""
    source = write(tmp_path / "in.csv", "klant;symptomen\nanna;rood, vale teint\n")
    out = tmp_path / "out.csv"
    code, _, err = run([str(source), "-o", str(out), "--lang", "nl"])
    assert code == 0, err
    with out.open(encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file, delimiter=";")
    assert row["fase"] == "Reset"  # (a spreadsheet in Dutch: names and words, not ids)
    assert row["zekerheid"] == row["aandeel_reset"] == "0,5000"
    assert row["herkend"] == "roodheid; vale teint"
    assert row["status"] == "ok"
    assert row["regel"] == "2"
    code, _, err = run([str(source), "-o", str(out)])
    with out.open(encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file, delimiter=";")
    assert row["confidence"] == "0,5000"  # (ids, but still Dutch Excel's numbers)
    comma = write(tmp_path / "comma.csv", 'symptoms\n"red, sallow"\n')
    code, _, err = run([str(comma), "-o", str(out), "--lang", "en"])
    with out.open(encoding="utf-8", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["confidence"] == "0.5000"


def test_a_dutch_spreadsheet_names_treatments_and_says_its_verdicts_in_dutch(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "in.csv", "klant;symptomen;behandelingen\nanna;rood;microneedling\n")
    out = tmp_path / "out.csv"
    code, _, err = run([str(source), "-o", str(out), "--lang", "nl"])
    assert code == 0, err
    with out.open(encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file, delimiter=";")
    assert row["behandelingen"] == "microneedling"  # (the input column stays as it was)
    assert row["behandeladvies"].startswith("micro-needling: past niet — ")
    # Its own output read again: every result column is replaced, none doubled.
    again = tmp_path / "again.csv"
    code, _, err = run([str(out), "-o", str(again), "--lang", "nl"])
    assert code == 0, err
    header = again.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert len(header) == len(set(header))
    assert "deze invoerkolommen zijn vervangen door de resultaten" in err


def test_a_custom_knowledge_base_reads_the_built_in_files_once(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every text is also read for the built-in red flags; the built-in files were read from
    # disk again for each one (ten times slower, a third of it in system calls).
    from fasewiel_cli.knowledge import load

    reads: list[Path] = []
    read_files = load.read_files

    def counted(directory: Path) -> dict[str, bytes]:
        reads.append(directory)
        return read_files(directory)

    monkeypatch.setattr(load, "read_files", counted)
    lines = [f"K{n};{text}" for n, text in enumerate(["rood", "jeuk", "dof", "acne"] * 50)]
    source = write(tmp_path / "in.csv", "klant;symptomen\n" + "\n".join(lines) + "\n")
    result = runner.invoke(app, ["batch", str(source), "--quiet", "--data", str(kb_copy)])
    assert result.exit_code == 0, result.stderr
    assert len(jsonl(result.stdout)) == 200
    assert len(reads) <= 2  # the custom folder, and the built-in one at most once
    assert len([d for d in reads if d == kb_copy]) == 1


def test_workers_are_given_only_what_the_memo_does_not_know(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessor = Assessor(kb, "nl")
    assessor.outcome(Record(1, {}, "rood", None, ()))
    chunk = [
        Record(2, {}, "rood", None, ()),  # remembered
        Record(3, {}, "jeuk", None, ("peeling",)),
        Record(4, {}, "jeuk", None, ("peeling",)),  # the same again: judged once
        Record(5, {}, "jeuk", None, ()),  # other treatments: another outcome
        records.error_record(6, records.too_long(6)),  # not read: nothing to judge
        Record(7, {}, "dof", None, tuple(f"t{n}" for n in range(batch.MAX_TREATMENTS + 1))),
    ]
    keys = assessor.not_remembered(chunk)
    assert keys == [("jeuk", ("peeling",)), ("jeuk", ())]
    judged = assessor.judged(keys)
    expected = [Assessor(kb, "nl").outcome(record) for record in chunk]

    def judge_again(*key: object) -> None:
        raise AssertionError(f"judged twice: {key}")

    monkeypatch.setattr(assessor, "judge", judge_again)
    for record, outcome in zip(chunk, expected, strict=True):
        found = assessor.outcome(record, judged)
        assert (found and found.values) == (outcome and outcome.values)
    assert ("jeuk", ("peeling",)) in assessor.memo  # what a worker judged is remembered


def test_workers_make_the_cells_of_what_they_judge(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --jobs, the CSV cells of an outcome are made by the worker that judged it (this
    process only writes them), and they are the cells this process would have made."""
    monkeypatch.setattr(batch, "CHUNK", 3)
    texts = ["rood", "jeuk, dof", "moedervlek bloedt", "acne; -rood", "fijne lijntjes"] * 4
    chunk = [Record(n, {}, text, None, ("peeling",)) for n, text in enumerate(texts, 2)]
    writer = batch.CsvWriter(io.StringIO(), Assessor(kb, "nl").columns, [], ";", str)
    assessor = Assessor(kb, "nl")
    here, cell = os.getpid(), batch.csv_cell

    def worker_cell(value: Any, decimal: str = ".") -> str:
        assert os.getpid() != here, "a cell made by the main process"
        return cell(value, decimal)

    with monkeypatch.context() as patched:
        patched.setattr(batch, "csv_cell", worker_cell)
        outcomes = [o for _, o in batch._assessed(iter(chunk), assessor, 2, writer.prepare)]
    prepared = [o._cells for o in outcomes if o is not None]
    assert len(prepared) == len(texts)
    fresh = [Assessor(kb, "nl").outcome(record) for record in chunk]
    assert [p and p[1] for p in prepared] == [o and o.cells(",") for o in fresh]


def test_the_summary_counts_a_bounded_number_of_unknown_treatments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase
) -> None:
    """Each unknown name was kept whole for the summary: 2,000 names of 50 KB held 100 MB."""
    monkeypatch.setattr(batch, "UNKNOWN_NAMES", 12)
    lines = [f"K{n};rood;peeling{n:03d}" + "x" * 5_000 for n in range(30)]
    source = write(tmp_path / "in.csv", "klant;symptomen;behandeling\n" + "\n".join(lines))
    code, _, err = run([str(source), "-o", str(tmp_path / "out.csv")])
    assert code == 0, err
    summary = " ".join(err.split())
    assert "peeling000xxx" in summary
    assert "x" * (batch.NAME_CHARS + 1) not in summary  # (names are cut short)
    assert "… en nog minstens 3" in summary  # (12 counted, ten shown, more left uncounted)
    summary_of, assessor = batch.Summary(), Assessor(kb, "nl")
    for n, line in enumerate(lines):
        record = Record(n, {}, "rood", None, (line.split(";")[2],))
        summary_of.add(record, assessor.outcome(record))
    assert len(summary_of.unknown) == 12
    assert summary_of.unknown_left
    assert max(map(len, summary_of.unknown)) == batch.NAME_CHARS


def test_the_records_that_decide_the_language_are_bounded_by_their_size(tmp_path: Path) -> None:
    """The first records are kept until the run knows its language: up to a thousand of them,
    and no more than a megabyte of input, whichever field holds it."""
    note = "n" * 100_000
    lines = [f"K{n};rood;{note}" for n in range(40)]
    source = write(tmp_path / "in.csv", "klant;symptomen;notitie\n" + "\n".join(lines) + "\n")
    with source.open("rb") as stream:
        csv_source = records.open_source(stream, Format.csv, None, None)
        head = batch._head(iter(csv_source), 1000, lambda: csv_source.bytes_read)
        csv_source.close()
    assert 5 <= len(head) <= 12  # (about a megabyte: the reader reads ahead a little)
    small = write(tmp_path / "small.csv", "symptomen\n" + "rood\n" * 50)
    with small.open("rb") as stream:
        csv_source = records.open_source(stream, Format.csv, None, None)
        assert len(batch._head(iter(csv_source), 1000, lambda: csv_source.bytes_read)) == 50
        csv_source.close()


def test_a_pasted_text_as_a_treatment_is_not_searched_for_names(kb: KnowledgeBase) -> None:
    """The fuzzy search remembers what it is asked: a 50 KB name on each row was kept in its
    memory, and cost a search through every name."""
    from fasewiel_cli.engine.advice import Unknown, planned_treatments
    from fasewiel_cli.language import fuzzy

    sizes = fuzzy.closest.cache_info().currsize, fuzzy.suggest.cache_info().currsize
    for n in range(3):
        (planned,) = planned_treatments(kb, [f"massage {n} " + "q" * 5_000], "nl")
        assert planned == Unknown(f"massage {n} " + "q" * 5_000, ())
    assert (fuzzy.closest.cache_info().currsize, fuzzy.suggest.cache_info().currsize) == sizes
    (short,) = planned_treatments(kb, ["massage"], "nl")  # (a name: what it may mean)
    assert isinstance(short, Unknown)
    assert "collageenmassage" in short.suggestions


@pytest.mark.parametrize(
    "header",
    ["symptoms,symptomen", "symptoms,symptoms", "client,klant,symptoms", "datum,date,symptomen"],
)
def test_columns_that_mean_the_same_are_refused(tmp_path: Path, header: str) -> None:
    """Which of two symptom (client, date…) columns is meant is not for fasewiel to guess: it
    read the first and dropped the other without a word (and saved visits for that client)."""
    row = ",".join(["rood", "jeuk", "2026-11-11"][: header.count(",") + 1])
    source = write(tmp_path / "in.csv", f"{header}\n{row}\n")
    output = tmp_path / "out.csv"
    code, _, err = run([str(source), "-o", str(output), "--save", "--db", str(tmp_path / "h.db")])
    assert code == 1
    assert "deze kolommen zeggen hetzelfde" in err
    assert not output.exists()
    db = tmp_path / "h.db"
    if db.exists():  # (no visit saved in it)
        listed = runner.invoke(app, ["clients", "list", "--db", str(db), "-f", "json"])
        assert listed.exit_code == 0
        assert json.loads(listed.stdout) == []


def test_columns_only_saving_reads_may_mean_the_same_when_not_saving(tmp_path: Path) -> None:
    """A practice's sheet with a client number and a name: both are passed through; only
    --save must know whose visits they are."""
    text = "klantnummer;klant;datum;symptomen\n12;Anna;01-11-2026;rood\n"
    source = write(tmp_path / "in.csv", text)
    code, out, err = run([str(source)])
    assert code == 0, err
    assert jsonl(out)[0]["klant"] == "Anna"
    code, _, err = run([str(source), "--save", "--db", str(tmp_path / "h.db")])
    assert code == 1
    assert "deze kolommen zeggen hetzelfde: klantnummer, klant" in err
    record = write(tmp_path / "in.jsonl", '{"symptoms": "rood", "client": "a", "klant": "b"}\n')
    assert run([str(record)])[0] == 0
    code, out, err = run([str(record), "--save", "--db", str(tmp_path / "h.db"), "-o", "-"])
    assert code == 1
    # Records that each name the client once, by different names, are no such ambiguity.
    each = write(
        tmp_path / "each.jsonl",
        '{"symptoms": "rood", "client": "a"}\n{"symptoms": "dof", "klant": "b"}\n',
    )
    saved = run([str(each), "--save", "--db", str(tmp_path / "e.db"), "--to", "csv"])
    assert saved[0] == 0, saved[2]
    assert jsonl(out)[0]["status"] == "error"  # ("-o -": standard output, no file named "-")
    assert "regel 1: deze velden zeggen hetzelfde: client, klant" in " ".join(err.split())


def test_json_fields_given_twice_or_meaning_the_same_are_error_rows(tmp_path: Path) -> None:
    source = write(
        tmp_path / "in.jsonl",
        '{"symptoms": "rood", "symptoms": "jeuk", "client": "a"}\n'
        '{"symptoms": "rood", "symptomen": "jeuk"}\n'
        '{"symptoms": "rood", "extra": {"a": 1, "a": 2}}\n'
        '{"symptoms": "rood", "client": "b"}\n',
    )
    code, out, err = run([str(source), "--lang", "en"])
    assert code == 1, err
    rows = jsonl(out)
    assert [r["status"] for r in rows] == ["error", "error", "error", "ok"]
    assert rows[0]["error"] == "line 1: the field symptoms is there twice"
    assert rows[1]["error"] == "line 2: these fields mean the same: symptoms, symptomen"
    assert rows[2]["error"] == "line 3: the field a is there twice"
    db = tmp_path / "h.db"
    code, _, err = run([str(source), "--save", "--db", str(db), "-o", str(tmp_path / "o.jsonl")])
    assert code == 1
    assert "niets is bewaard in de geschiedenis: 3 van de 4 regels" in " ".join(err.split())


def test_a_csv_column_named_twice_cannot_become_json(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", "naam;symptomen;naam\nAnn;rood;Bakker\n")
    code, out, err = run([str(source), "--to", "jsonl"])
    assert code == 1
    assert out == ""
    assert "de kolom 'naam' staat er twee keer in" in err
    code, out, _ = run([str(source), "--to", "csv"])
    assert code == 0
    assert "Ann;rood;Bakker;" in out  # (CSV keeps both, by position)


def test_chunks_for_the_workers_are_bounded_by_the_input_they_hold() -> None:
    """The chunks in flight are kept until they are written: 512 rows of 900 KB each made two
    workers hold 1.4 GB."""
    fat = [Record(n, {}, "rood", None, (), size=100_000) for n in range(20)]
    thin = [Record(n, {}, "rood", None, (), size=30) for n in range(1_200)]
    assert [len(c) for c in batch.chunks(fat)] == [3, 3, 3, 3, 3, 3, 2]  # (262,144 characters)
    assert [len(c) for c in batch.chunks(thin)] == [512, 512, 176]
    assert [r.line for c in batch.chunks(fat + thin) for r in c] == [r.line for r in fat + thin]


def test_records_know_how_much_input_they_were_read_from(tmp_path: Path) -> None:
    for name, text in [
        ("in.csv", "symptomen;notitie\nrood;" + "n" * 5_000 + "\n"),
        ("in.jsonl", json.dumps({"symptoms": "rood", "note": "n" * 5_000}) + "\n"),
        ("in.json", json.dumps([{"symptoms": "rood", "note": "n" * 5_000}])),
    ]:
        fmt = Format[name.split(".")[1]]
        with write(tmp_path / name, text).open("rb") as stream:
            source = records.open_source(stream, fmt, None, None)
            (record,) = source
            source.close()
        assert 5_000 < record.size < 5_100, name


def test_blank_header_cells_after_the_last_column_are_no_columns(tmp_path: Path) -> None:
    """Excel writes a delimiter for each empty column at the end: 'symptomen;klant;;' has two
    columns, and its rows' blank cells after them are nothing (a cell with text there is an
    error, never dropped)."""
    source = write(tmp_path / "in.csv", "symptomen;klant;;\nrood;anna;;\ndof;bert;;x\n")
    code, out, err = run([str(source)])
    assert code == 1, err  # (the second row)
    first, second = jsonl(out)
    assert set(first) >= {"symptomen", "klant"}
    assert "" not in first
    assert first["status"] == "ok"
    assert second["status"] == "error"
    assert "regel 3" in second["error"]
    code, out, err = run([str(source), "--to", "csv"])
    assert out.splitlines()[0].startswith("symptomen;klant;phase;")
