"""The command line through Typer's CliRunner: exit codes, streams, formats, languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fasewiel_cli import __version__
from fasewiel_cli.cli.app import COMMANDS, app, build
from fasewiel_cli.formats import KINDS, Format

runner = CliRunner()


def test_check_rich_output() -> None:
    result = runner.invoke(app, ["check", "roodheid", "jeuk"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Fase: Reset — de noodrem van de huid" in out
    assert "Herstel en veiligheid staan centraal" in out
    assert "Niacinamide" in out
    assert "versterkt barrière, vermindert roodheid" in out
    assert "Volgende fase" in out
    assert "Activate — zacht wakker maken" in out
    assert "geen diagnose" in out
    assert "\x1b[" not in out  # not a terminal: no escape codes
    assert result.stderr == ""


def test_check_one_free_sentence_in_english() -> None:
    result = runner.invoke(app, ["check", "my skin is dull and feels tight", "--lang", "en"])
    assert result.exit_code == 0
    assert "Phase: Activate — gently waking up" in result.stdout


@pytest.mark.parametrize("fmt", KINDS["advice"])
def test_every_format_works(fmt: Format) -> None:
    result = runner.invoke(app, ["check", "fijne lijntjes", "--format", fmt.value])
    assert result.exit_code == 0
    assert "Repair" in result.stdout


def test_json_goes_to_stdout_alone() -> None:
    result = runner.invoke(app, ["check", "rood", "-f", "json", "-t", "peeling"])
    doc = json.loads(result.stdout)
    assert doc["phase"] == "reset"
    assert doc["treatments"][0]["id"] == "peeling"
    assert result.stderr == ""


def test_stdin_dash() -> None:
    result = runner.invoke(app, ["check", "-", "--format", "json"], input="vale teint en dof\n")
    assert json.loads(result.stdout)["phase"] == "activate"


def test_stdin_that_is_not_utf8() -> None:
    result = runner.invoke(app, ["check", "-"], input=b"\xff\xfe rood")
    assert result.exit_code == 1
    assert "geen UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_no_symptoms_without_a_terminal_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "no symptoms given" in result.stderr
    assert "'-'" in result.stderr


def test_nothing_recognised_exits_1_with_help() -> None:
    result = runner.invoke(app, ["check", "superdroog", "teint"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Geen huidsignalen herkend" in result.stderr
    assert "vale teint" in result.stderr  # a suggestion
    assert "fasewiel signals" in result.stderr


def test_nothing_recognised_still_prints_json() -> None:
    result = runner.invoke(app, ["check", "hallo", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["phase"] is None
    assert "fasewiel signals" in result.stderr


def test_red_flag_alone_is_advice_not_an_error() -> None:
    result = runner.invoke(app, ["check", "mijn", "moedervlek", "bloedt", "-f", "text"])
    assert result.exit_code == 0
    assert "EERST NAAR EEN ARTS" in result.stdout.upper()
    assert "Dit hoort eerst bij een arts" in result.stdout
    assert "zorgplan" not in result.stdout  # there is no care plan to refer to


def test_red_flag_banner_comes_first() -> None:
    out = runner.invoke(app, ["check", "rood, moedervlek verandert", "-f", "text"]).stdout
    assert out.index("Laat een moedervlek") < out.index("Fase: Reset")


def test_an_unknown_treatment_is_a_warning_beside_the_advice() -> None:
    result = runner.invoke(app, ["check", "rood", "--treatment", "massage", "-f", "text"])
    assert result.exit_code == 0
    assert "Zorgplan" in result.stdout
    assert "? massage" in result.stdout
    assert "onbekend: 'massage' is geen behandeling die fasewiel kent" in result.stdout
    assert "collageenmassage" in result.stdout  # (a suggestion)


@pytest.mark.parametrize(
    "text", ["[/]", "[bold red]rood[/bold red]", "[link=http://x]jeuk[/link]", "\\[x]", "[[", "]"]
)
def test_user_text_is_printed_literally(text: str) -> None:
    for fmt in ("rich", "text"):
        result = runner.invoke(app, ["check", "rood", text, "-f", fmt])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", f"rood {text}", "-f", "json"])
    assert json.loads(result.stdout)["input"] == f"rood {text}"


def test_markup_around_a_matched_word_is_kept_verbatim() -> None:
    result = runner.invoke(app, ["check", "[red]rood[/red]", "-f", "rich"])
    assert "“rood”" in result.stdout  # the matched word, as typed
    assert "“red”" in result.stdout  # the tag's words are just words: "red" is English for rood


def test_language_from_environment() -> None:
    result = runner.invoke(app, ["check", "rood"], env={"FASEWIEL_LANG": "en"})
    assert "Phase: Reset — the skin's emergency brake" in result.stdout


def _phase_line(args: list[str], **env: str) -> str:
    result = runner.invoke(app, ["check", *args, "-f", "text"], env=env)
    assert result.exit_code == 0, result.output
    return next(line for line in result.stdout.splitlines() if line.startswith(("Fase", "Phase")))


def test_the_answer_speaks_the_language_the_words_are_in() -> None:
    assert _phase_line(["my skin is dull and tired"], LANG="nl_NL.UTF-8").startswith("Phase")
    assert _phase_line(["fine lines, itchy"], LANG="C.UTF-8").startswith("Phase")
    assert _phase_line(["rood"], LANG="en_GB.UTF-8").startswith("Fase")
    assert _phase_line(["mijn huid jeukt"], LANG="en_GB.UTF-8").startswith("Fase")


def test_words_of_either_language_leave_it_to_the_locale() -> None:
    # "acne" is Dutch and English; so is a mix in equal parts.
    for words in (["acne"], ["rood", "itchy"]):
        assert _phase_line(words, LANG="en_GB.UTF-8").startswith("Phase")
        assert _phase_line(words, LANG="nl_NL.UTF-8").startswith("Fase")
    assert _phase_line(["acne"]).startswith("Fase")  # (no locale: Dutch)


def test_lang_and_fasewiel_lang_always_win() -> None:
    assert _phase_line(["my skin is dull", "--lang", "nl"]).startswith("Fase")
    assert _phase_line(["mijn huid is dof"], FASEWIEL_LANG="en").startswith("Phase")
    assert _phase_line(["mijn huid is dof", "--lang", "en"], FASEWIEL_LANG="nl").startswith("Phase")


def test_unsupported_language_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "rood"], env={"FASEWIEL_LANG": "de"})
    assert result.exit_code == 2
    assert "FASEWIEL_LANG" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.stdout == f"fasewiel {__version__}\n"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "check" in result.output
    assert "phases" in result.output


@pytest.mark.parametrize("command", [["check"], ["phases"], ["signals"]])
def test_help_has_examples(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_phases() -> None:
    out = runner.invoke(app, ["phases", "-f", "text"]).stdout
    for name in ("Reset — de noodrem van de huid", "Sustain — onderhouden van stabiliteit"):
        assert name in out
    doc = json.loads(runner.invoke(app, ["phases", "-f", "json", "--lang", "en"]).stdout)
    assert [p["id"] for p in doc] == ["reset", "activate", "repair", "radiance", "sustain"]
    assert doc[1]["tagline"] == "gently waking up"
    assert doc[4]["next"] == "reset"


def test_signals() -> None:
    out = runner.invoke(app, ["signals", "--phase", "reset", "-f", "text"]).stdout
    assert "roodheid" in out
    assert "redness" in out
    assert "vale teint" not in out
    doc = json.loads(runner.invoke(app, ["signals", "-f", "json"]).stdout)
    by_id = {s["id"]: s for s in doc}
    assert by_id["redness"]["phases"] == {"reset": "primary"}
    assert "rode wangen" in by_id["redness"]["words"]["nl"]
    assert "itchy" in by_id["itch"]["words"]["en"]


def test_signals_unknown_phase() -> None:
    result = runner.invoke(app, ["signals", "--phase", "spring"])
    assert result.exit_code == 2


def test_data_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "rood", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "knowledge-base folder not found" in result.stderr
    result = runner.invoke(app, ["check", "rood"], env={"FASEWIEL_DATA": str(tmp_path / "nope")})
    assert result.exit_code == 1


def test_data_folder_from_environment(kb_copy: Path) -> None:
    signals = kb_copy / "signals.yaml"
    signals.write_text(
        signals.read_text(encoding="utf-8").replace("[rood, ", "[rood, vuurrood, "),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["check", "vuurrood", "-f", "json"], env={"FASEWIEL_DATA": str(kb_copy)}
    )
    assert json.loads(result.stdout)["phase"] == "reset"
    assert runner.invoke(app, ["check", "vuurrood"]).exit_code == 1


def test_broken_knowledge_base_is_reported_with_file_and_line(kb_copy: Path) -> None:
    phases = kb_copy / "phases.yaml"
    phases.write_text(phases.read_text().replace("next: activate", "next: spring"))
    result = runner.invoke(app, ["check", "rood", "--data", str(kb_copy)])
    assert result.exit_code == 1
    assert "phases.yaml:" in result.stderr
    assert "unknown phase 'spring'" in result.stderr
    assert "Traceback" not in result.output


def names(app: typer.Typer) -> list[str]:
    """The commands and command groups on ``app``."""
    return [
        c.name or c.callback.__name__.replace("_", "-")
        for c in app.registered_commands
        if c.callback
    ] + [str(g.typer_instance.info.name) for g in app.registered_groups if g.typer_instance]


NAMES = sorted(names(app))


def test_every_command_has_its_module() -> None:
    assert sorted(COMMANDS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_run_builds_only_its_own_command(name: str) -> None:
    alone = build(name)
    assert names(alone) == [name]
    full, pruned = runner.invoke(app, [name, "--help"]), runner.invoke(alone, [name, "--help"])
    assert full.exit_code == pruned.exit_code == 0
    assert pruned.output == full.output


# What a plain `fasewiel check` never needs: other commands, validation, the YAML parser, typo
# tolerance, treatment names, writing to the cache, and Rich's table of emoji codes.
NOT_FOR_A_CHECK = (
    "fasewiel_cli.cli.batch",
    "fasewiel_cli.cli.cards",
    "fasewiel_cli.cli.data",
    "fasewiel_cli.cli.history",
    "pydantic",
    "yaml",
    "rapidfuzz",
    "fasewiel_cli.language.lookup",
    "secrets",
    "rich._emoji_codes",
)


def test_a_warm_check_imports_only_what_it_uses() -> None:
    """What keeps `fasewiel check` close to a bare Typer command (timed in bench/, not here)."""
    code = (
        "import sys\n"
        "from fasewiel_cli.cli.app import main\n"
        "sys.argv = ['fasewiel', 'check', 'roodheid', 'jeuk']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {NOT_FOR_A_CHECK!r} if m in sys.modules], file=sys.stderr)"
    )
    for _ in range(2):  # (the first run may fill the cache)
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "[]"


@pytest.mark.parametrize("args", [[], ["--help"], ["chek"], ["--lang", "en", "check"]])
def test_anything_else_gets_the_whole_app(args: list[str]) -> None:
    whole = build(args[0] if args else None)
    count = len(whole.registered_commands) + len(whole.registered_groups)
    assert count == len(COMMANDS)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # a terminal title
        ("\x1b[2J", "\\x1b[2J"),  # clear the screen
        ("rood\u202ekeuj", "rood\\u202ekeuj"),  # right-to-left override
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("\x9b31m", "\\x9b31m"),  # the one-byte C1 escape
        ("regel\nregel", "regel\nregel"),  # a line break stays one
    ],
)
def test_text_for_a_terminal_never_drives_it(raw: str, escaped: str) -> None:
    from fasewiel_cli.text import shown

    assert shown(raw) == escaped


def test_words_not_understood_are_named_when_nothing_is_recognised() -> None:
    result = runner.invoke(app, ["check", "uitslag", "en", "bultjes", "--lang", "nl"])
    assert result.exit_code == 1
    assert "Niet herkend: uitslag, bultjes." in result.stderr


def test_the_command_line_speaks_the_language_asked_for(tmp_path: Path) -> None:
    """Dutch by default (and with --lang nl); English with --lang en or FASEWIEL_LANG=en: the
    error and hint words, the batch summary, its numbers and its names."""
    source = tmp_path / "in.csv"
    source.write_text("symptomen\n" + "rood\n" * 1200 + "moedervlek bloedt\n", encoding="utf-8")
    dutch = runner.invoke(app, ["batch", str(source), "-o", str(tmp_path / "o.csv")])
    assert "fasewiel batch: 1.201 regels" in dutch.stderr
    assert "status: ok 1.200 · geen signaal 0 · rode vlag 1 · fout 0" in dutch.stderr
    assert "rode vlaggen: moedervlek die bloedt of verandert 1" in dutch.stderr
    english = runner.invoke(
        app, ["batch", str(source), "-o", str(tmp_path / "o.csv")], env={"FASEWIEL_LANG": "en"}
    )
    assert "fasewiel batch: 1,201 records" in english.stderr
    assert "status: ok 1,200 · no signal 0 · red flag 1 · error 0" in english.stderr
    assert "red flags: mole that bleeds or changes 1" in english.stderr
    for lang, words in (("nl", ("Fout: ", "Tip: ")), ("en", ("Error: ", "Hint: "))):
        result = runner.invoke(app, ["check", "blabla", "--lang", lang])
        assert result.exit_code == 1
        assert all(word in result.stderr for word in words)


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "3", "\u00b3", " 80"])
def test_a_width_of_no_use_in_columns_hides_no_message(tmp_path: Path, columns: str) -> None:
    """Rich draws nothing at COLUMNS=0: errors, usage and the batch summary were blank."""
    env = {**os.environ, "COLUMNS": columns}
    command = [sys.executable, "-m", "fasewiel_cli", "history", "anna"]
    result = subprocess.run(
        [*command, "--db", str(tmp_path / "none.db")], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert "none.db" in " ".join(result.stderr.split()).replace(" ", "")
