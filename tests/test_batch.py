"""fasewiel batch: every record in comes out, in order, with its problems at their lines."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import random
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fasewiel_cli import batch, check, records
from fasewiel_cli.batch import Assessor, Outcome, Summary, Writer
from fasewiel_cli.cli import app
from fasewiel_cli.formats import RecordFormat
from fasewiel_cli.models import KnowledgeBase
from fasewiel_cli.records import CsvSource, Record, open_source

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
        'C3,"fijne lijntjes\n'  # a quoted field over two lines: one record, lines 4-5
        'en littekens",\n'
        "C4,vale teint,botox\n"  # unknown treatment
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
        (4, "ok"),
        (6, "error"),
        (7, "ok"),
        (8, "error"),
        (9, "ok"),
    ]
    assert rows[1]["error"] == "line 3: 1 fields where the header has 3"
    assert "line 6: unknown treatment 'botox'" in str(rows[3]["error"])
    assert "line 8:" in str(rows[5]["error"])
    assert "error: line 3" in err  # the summary names the errors too


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
    assert rows[1]["error"] == "line 3: a quote opened here is never closed"
    assert [r["client"] for r in rows if r["status"] == "ok"] == ["C1", "C3", "C4"]


def test_a_field_past_the_limit_is_an_error_at_its_line(tmp_path: Path) -> None:
    long = "rood " * (records.MAX_RECORD_CHARS // 5 + 1)  # (no quote in sight)
    text = f"client;symptoms\nC1;jeuk\nC2;{long}\nC3;vale teint\n"
    code, out, _ = run([str(write(tmp_path / "in.csv", text))])
    rows = jsonl(out)
    assert code == 1
    assert [(r["line"], r["status"]) for r in rows] == [(2, "ok"), (3, "error"), (4, "ok")]
    assert rows[1]["error"] == "line 3: a field is longer than 1,048,576 characters"


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
    assert str(rows[1]["error"]).startswith("line 2: not valid JSON")
    assert rows[2]["error"] == "line 4: expected a JSON object, found list"
    assert rows[3]["matched"] == ["sallow_complexion", "dull_skin"]


def test_a_broken_json_array_stops_with_a_clear_message(tmp_path: Path) -> None:
    text = '[\n {"symptoms": "rood"},\n {"symptoms": \n'
    code, out, err = run([str(write(tmp_path / "in.json", text))])
    assert code == 1
    assert "the JSON array is broken at line" in err
    assert jsonl(out)[0]["phase"] == "reset"  # what came before was assessed


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
    assert "line 3 is not valid utf-8" in str(rows[1]["error"])
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
    assert "line 4 is not valid utf-16 (byte 0x00); the file may be cut short" in err
    text = output.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text))) if out == "csv" else jsonl(text)
    assert [row["status"] for row in rows] == ["ok", "ok", "error"]  # (the rows before it too)


def test_unknown_encoding(tmp_path: Path) -> None:
    code, _, err = run([str(write(tmp_path / "in.csv", CSV)), "--encoding", "klingon"])
    assert code == 1
    assert "unknown encoding 'klingon'" in err


def test_formula_cells_are_neutralised_in_csv_only(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(
            [
                ["client", "symptoms", "note"],
                ["=1+1", "rood", "@SUM(A1)"],
                ["+31", "-rood", "\tx"],
                ["-5", "jeuk", "\rcr"],
            ]
        )
    code, out, _ = run([str(path), "--to", "csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [r["client"] for r in rows] == ["'=1+1", "'+31", "'-5"]
    assert rows[0]["note"] == "'@SUM(A1)"
    assert rows[1]["symptoms"] == "'-rood"
    assert rows[1]["note"] == "'\tx"
    assert rows[2]["note"] == "'\rcr"
    assert rows[0]["treatments"] == ""  # our own columns are left alone
    code, out, _ = run([str(path), "--to", "jsonl"])
    assert [r["client"] for r in jsonl(out)] == ["=1+1", "+31", "-5"]


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
    assert "no symptoms column" in err
    assert "symptomen" in err


def test_output_may_not_be_the_input(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", CSV)
    code, _, err = run([str(path), "-o", str(path)])
    assert code == 1
    assert "the output file is the input file" in err
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
    assert "input columns replaced by this run's results: phase, status" in err


def test_summary_goes_to_stderr(tmp_path: Path) -> None:
    code, out, err = run([str(write(tmp_path / "in.csv", CSV))])
    assert code == 0
    assert "fasewiel batch: 5 records" in err
    assert "red flags: changing_mole 1" in err
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
    return [sys.executable, "-m", "fasewiel_cli", *args]


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
    assert b"Assessing" in terminal  # the progress bar
    assert b"fasewiel batch: 3,000 records" in terminal


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


def test_an_interrupted_run_leaves_no_output_file(
    tmp_path: Path, interrupt_once_writing: Any
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
    interrupt_once_writing(process, tmp_path, 30)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


# --- the CSV-to-CSV loop is the general one, made lean ---------------------------------------

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


def _mixed_csv(rng: random.Random, rows: int, result_column: bool = True) -> bytes:
    """An intake file with a bit of everything: sound rows, broken ones, blank lines, formula
    cells, NULs, quoted cells and a quoted line break, every kind of line end, a byte that is
    not UTF-8, and (``result_column``) a column named like a result."""
    header = "klant;symptomen;behandeling;notitie" + (";phase" if result_column else "")
    lines = [header.encode() + b"\n"]
    for n in range(rows):
        text = rng.choice(TEXTS)
        note = rng.choice(["", "@note", "ok", "-", "a\x00b", "twee\nregels"])
        cells = [rng.choice([f"K{n}", f"=K{n}"]), text, rng.choice(TREATMENTS), note]
        cells += ["x"] if result_column else []
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


def _csv_source(data: bytes) -> CsvSource:
    stream = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    source = open_source(stream, RecordFormat.csv, None, None)
    assert isinstance(source, CsvSource)
    return source


def _through(
    loop: Callable[..., Summary], data: bytes, kb: KnowledgeBase, keep: bool, jobs: int = 1
) -> tuple[str, list[object]]:
    source = _csv_source(data)
    assessor = Assessor(kb, "nl")
    out = io.StringIO()
    writer = Writer(out, RecordFormat.csv, list(source.header), assessor, source.delimiter)

    def refuse_sevens(record: Record, outcome: Outcome) -> Outcome:
        """As --save does with a record it cannot keep: an error row instead."""
        if outcome.status == "ok" and str(record.line).endswith("7"):
            return Outcome("error", None, (), "kept out", assessor.blank, assessor.blank_cells)
        return outcome

    extra = {"jobs": jobs} if jobs > 1 else {}
    summary = loop(
        source, assessor, writer, Summary(), None, refuse_sevens if keep else None, **extra
    )
    counts = [
        summary.records,
        dict(summary.statuses),
        list(summary.phases.items()),
        list(summary.red_flags.items()),
        summary.errors,
    ]
    return out.getvalue(), counts


@pytest.mark.parametrize(
    ("seed", "keep", "jobs", "result_column"),
    [
        (1, False, 1, True),
        (2, False, 1, True),
        (3, True, 1, True),
        (4, False, 2, True),
        (5, False, 3, True),
        (6, False, 1, False),  # (every column kept: most lines written as they were read)
        (7, False, 2, False),
        (8, True, 1, False),
    ],
)
def test_the_csv_loop_writes_what_the_general_loop_writes(
    seed: int,
    keep: bool,
    jobs: int,
    result_column: bool,
    kb: KnowledgeBase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small memos, so that forgetting and reading again is part of the run.
    monkeypatch.setattr(batch, "OUTCOMES", 8)
    monkeypatch.setattr(batch, "READINGS", 8)
    monkeypatch.setattr(batch, "JUDGEMENTS", 4)
    monkeypatch.setattr(records, "BLOCK_CHARS", 400)  # (with workers: many blocks, out of turn)
    data = _mixed_csv(random.Random(seed), 400, result_column)
    lean, lean_counts = _through(batch.run_csv, data, kb, keep, jobs)
    general, general_counts = _through(batch.run, data, kb, keep)
    assert lean == general
    assert lean_counts == general_counts
    rows = list(csv.reader(io.StringIO(lean), delimiter=";"))
    statuses = {row[-3] for row in rows[1:]}
    assert statuses == {"ok", "no_signal", "red_flag", "error"}
    assert len(rows) - 1 == lean_counts[0]
    assert ("kept out" in lean) is keep


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
            {"id": v.id, "verdict": v.verdict, "reason": v.reason} for v in advice.treatments
        ]
        assert verdicts == (expected if to == "jsonl" else batch.csv_cell(expected))


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])  # ("|": the joins need quotes)
@pytest.mark.parametrize("reason", ["plain", "a; b, c\td", 'say "no"', "two\nlines", "=1"])
def test_verdict_cells_are_written_as_the_csv_writer_writes_them(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, delimiter: str, reason: str
) -> None:
    """A verdicts cell is put together from how each verdict's text is written: the same as
    the CSV writer writes the whole cell, whatever the reasons hold."""
    real = batch.treatment_verdict

    def verdict(*args: Any) -> Any:
        found = real(*args)
        if found.id != "peeling":
            return found
        # (a cell that starts like a formula, too: defused as a whole)
        return found._replace(reason=reason, id="=peeling" if reason == "=1" else found.id)

    monkeypatch.setattr(batch, "treatment_verdict", verdict)
    assessor = Assessor(kb, "nl")
    assessor.write_csv(delimiter)
    fields = ["LED", "peeling", "LED, peeling", "peeling; LED", "microneedling, peeling", ", ;"]
    for text in ["rood", "rimpels", "fijne lijntjes", "koorts en huiduitslag", "xyz"]:
        judgement = assessor.reading(text).judgement
        for field in fields:
            planned = [assessor._treatment(name) for name in records.split_treatments(field)]
            verdicts = [assessor._verdict(judgement, treatment)[0] for treatment in planned]
            expected = assessor.encode_cells([batch.csv_cell(verdicts)])
            assert assessor.verdicts_cell(judgement, field) == expected


def test_a_red_flag_typed_with_a_typo_is_caught_in_a_batch(tmp_path: Path) -> None:
    text = "symptomen\nkoorts en huiduitslagg\nmoedervlekk en bloedt\n"
    source = write(tmp_path / "in.csv", text)
    code, out, err = run([str(source)])
    assert code == 0, err
    assert [r["status"] for r in jsonl(out)] == ["red_flag", "red_flag"]


def test_long_texts_are_assessed_but_not_remembered(kb: KnowledgeBase) -> None:
    assessor = Assessor(kb, "nl")
    long_text = "rood, " + "x" * 100_000
    long_field = "peeling, " + "y" * 100_000
    record = Record(2, {}, long_text, None, ("peeling", "y" * 100_000))
    for _ in range(2):
        assert assessor.reading(long_text).judgement.assessment.phase == "reset"
        assert assessor.assess(record).status == "error"  # no treatment is called that
        assert assessor.outcome(record).status == "error"
        assert assessor.verdicts_cell(assessor.reading("rood").judgement, long_field) is None
    memos = [assessor.readings, assessor.outcomes, assessor.verdict_cells]
    assert [len(memo.items) for memo in memos] == [1, 0, 0]  # only "rood"
    assert list(assessor.treatment_names) == ["peeling"]


def test_workers_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "BLOCK_CHARS", 800)
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


def test_the_first_block_is_read_before_the_workers_start(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "BLOCK_CHARS", 20)
    source = _csv_source(b"symptoms\n" + b"rood\n" * 5 + b"jeuk\n" * 20 + b"dof\n" * 20)
    assessor = Assessor(kb, "nl")
    out = io.StringIO()
    writer = Writer(out, RecordFormat.csv, ["symptoms"], assessor, ",")
    batch.run_csv(source, assessor, writer, Summary(), jobs=2)
    assert list(assessor.readings.items) == ["rood"]  # (the first block: the rest went to workers)
    assert [line.split(",")[0] for line in out.getvalue().splitlines()[1:]] == (
        ["rood"] * 5 + ["jeuk"] * 20 + ["dof"] * 20
    )


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", CSV)
    code, out, err = run([str(source), "--jobs", "0"])
    assert code == 2
    assert out == ""
    assert "--jobs" in err


@pytest.mark.parametrize(
    "text",
    [
        'symptoms\n""\nrood\n',  # one column: the record of one empty cell
        "symptoms,phase\n,x\nrood,y\n",  # a column named like a result, empty symptoms
        'symptoms;note\n"rood";\n;"a ""b"""\n',  # quotes: written anew, not as read
    ],
)
def test_lines_written_anew_match_the_general_loop(text: str, kb: KnowledgeBase) -> None:
    data = text.encode()
    assert _through(batch.run_csv, data, kb, False) == _through(batch.run, data, kb, False)


def test_a_block_ends_at_its_text_size_with_a_whole_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(records, "BLOCK_CHARS", 100)
    long_row = "rood en jeuk, " * 10 + "\n"
    quoted = '"rood\n' + "jeuk\n" * 30 + '"\n'  # one record of 32 lines
    data = "symptoms\n" + long_row * 2 + "dof\n" * 30 + quoted + "dof\n"
    blocks = list(_csv_source(data.encode()).blocks())
    assert [(first, len(lines)) for first, lines in blocks] == [
        (2, 1),  # a long line is a block of its own
        (3, 1),
        (4, 26),  # just over 100 characters of 'dof\n'
        (30, 4),  # the rest, without the first lines of the quoted record that follows
        (34, 33),  # the quoted record whole, and the last line
    ]
    assert "".join(line for _, lines in blocks for line in lines) == data[len("symptoms\n") :]


def test_what_was_remembered_before_writing_csv_is_not_written(kb: KnowledgeBase) -> None:
    assessor = Assessor(kb, "nl")
    assessor.reading("rood")  # remembered without its CSV text
    out = io.StringIO()
    writer = Writer(out, RecordFormat.csv, ["symptoms"], assessor, ";")
    batch.run_csv(_csv_source(b"symptoms\nrood\n"), assessor, writer, Summary())
    assert out.getvalue().splitlines()[1].startswith("rood;reset;activate;")


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
