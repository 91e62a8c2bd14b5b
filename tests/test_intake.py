"""The guided intake: the pure choices (menu, answers, next question), the whole conversation
through CliRunner with scripted answers, and a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from fasewiel_cli.cli.app import app
from fasewiel_cli.engine.advice import check
from fasewiel_cli.engine.intake import (
    CLEAR_MARGIN,
    compose,
    flag_menu,
    follow_up,
    is_clear,
    parse_numbers,
    parse_yes_no,
    signal_menu,
)
from fasewiel_cli.engine.scoring import score
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.language.lexicon import lexicon_of
from fasewiel_cli.language.matching import match_text
from fasewiel_cli.serialize import advice_to_dict

runner = CliRunner()


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("1, 4, 7", [1, 4, 7]),
        ("1 4 7", [1, 4, 7]),
        ("7,1;4", [7, 1, 4]),
        ("  3  ", [3]),
        ("2, 2", [2]),
        ("", []),
        ("   ", []),
        ("9", None),
        ("0", None),
        ("abc", None),
        ("1, x", None),
        ("-1", None),
        ("1.5", None),
        ("٣", None),  # an Arabic-Indic digit is not a menu number
    ],
)
def test_parse_numbers(answer: str, expected: list[int] | None) -> None:
    assert parse_numbers(answer, last=8) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("j", True),
        ("JA", True),
        ("y", True),
        ("Yes.", True),
        ("n", False),
        ("nee", False),
        (" No ", False),
        ("", None),
        ("misschien", None),
        ("jn", None),
    ],
)
def test_parse_yes_no(answer: str, expected: bool | None) -> None:
    assert parse_yes_no(answer) is expected


# --- the menus --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_signal_menu_offers_every_signal_once_under_its_heaviest_phase(
    kb: KnowledgeBase, lang: str
) -> None:
    groups = signal_menu(kb, lang)  # type: ignore[arg-type]
    items = [item for group in groups for item in group.items]
    assert sorted(item.id for item in items) == sorted(s.id for s in kb.signals)
    assert [item.number for item in items] == list(range(1, len(items) + 1))
    assert [g.phase for g in groups] == [
        p.id for p in kb.phases if any(g.phase == p.id for g in groups)
    ]
    for group in groups:
        for item in group.items:
            points = dict(kb.points(item.id))
            assert points[group.phase] == max(points.values())
            assert item.text == kb.signal(item.id).name.get(lang)  # type: ignore[arg-type]


def test_flag_menu_is_every_red_flag(kb: KnowledgeBase) -> None:
    assert [(i.number, i.id) for i in flag_menu(kb, "en")] == [
        (n, f.id) for n, f in enumerate(kb.red_flags, 1)
    ]


# --- the next question ------------------------------------------------------------------------

# (present, asked) -> the follow-up question (None: nothing worth asking)
FOLLOW_UPS = [
    ((), (), None),  # nothing to separate yet
    (("fine_lines",), (), None),  # one phase only: clear
    (("redness", "fine_lines"), (), None),  # calm-first decides
    (("sallow_complexion", "slight_tension", "fine_lines"), (), None),  # 2/3 against 1/3
    # A tie between Activate and Repair: the strongest question on the leading side first…
    (("sallow_complexion", "fine_lines"), (), "slight_tension"),
    # …then the other side, which has had fewer questions…
    (("sallow_complexion", "fine_lines"), ("slight_tension",), "scars"),
    (("sallow_complexion", "fine_lines"), ("slight_tension", "scars"), "loss_of_firmness"),
    # …and primary signals (weight 1) before the §2 pictures (weight ½).
    (
        ("sallow_complexion", "fine_lines"),
        ("slight_tension", "scars", "loss_of_firmness"),
        "dull_skin",
    ),
    (("fine_lines", "even_tone"), (), "scars"),
    (("fine_lines", "even_tone"), ("scars",), "resilience"),
    (("calm_skin", "even_tone"), (), "resilience"),
]


@pytest.mark.parametrize(("present", "asked", "expected"), FOLLOW_UPS)
def test_follow_up_question(
    kb: KnowledgeBase, present: tuple[str, ...], asked: tuple[str, ...], expected: str | None
) -> None:
    assert follow_up(kb, present, asked) == expected


def test_follow_ups_only_separate_the_two_leading_phases(kb: KnowledgeBase) -> None:
    present, asked = ["sallow_complexion", "fine_lines"], []
    while (question := follow_up(kb, present, asked)) is not None:
        assert set(kb.signal(question).phases) & {"activate", "repair"}
        assert question not in present
        asked.append(question)
    # Once every such signal is asked, nothing is left to ask.
    assert {s.id for s in kb.signals if set(s.phases) & {"activate", "repair"}} <= {
        *present,
        *asked,
    }


def test_a_yes_makes_the_outcome_clearer(kb: KnowledgeBase) -> None:
    present = ["sallow_complexion", "fine_lines"]
    question = follow_up(kb, present, [])
    assert question is not None
    assert not is_clear(kb, present)
    assert is_clear(kb, [*present, question])
    shares = score(kb, [*present, question])[0]
    first, second = sorted(shares.values(), reverse=True)[:2]
    assert first - second >= CLEAR_MARGIN


def test_composed_answers_read_back_as_the_signals_chosen(kb: KnowledgeBase) -> None:
    for lang in ("nl", "en"):
        chosen = [s.id for s in kb.signals]
        text = compose(kb, lang, chosen[:-1], denied=chosen[-1:])  # type: ignore[arg-type]
        result = match_text(lexicon_of(kb), text)
        assert list(result.signal_ids) == chosen[:-1]
        assert result.negated_ids == {chosen[-1]}


# --- the conversation, scripted ---------------------------------------------------------------


def intake(answers: list[str], *args: str) -> object:
    return runner.invoke(app, ["check", "--interactive", *args], input="\n".join(answers) + "\n")


def number(kb: KnowledgeBase, signal_id: str) -> str:
    items = [i for g in signal_menu(kb, "nl") for i in g.items]
    return str(next(i.number for i in items if i.id == signal_id))


def test_intake_ends_with_the_advice_of_check_with_words(kb: KnowledgeBase) -> None:
    picks = f"{number(kb, 'sallow_complexion')}, {number(kb, 'fine_lines')}"
    # no red flag; two signals; no own words; yes to the first follow-up (slight_tension)
    result = intake(["n", picks, "", "j"], "--format", "json", "-t", "LED")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert advice["phase"] == "activate"
    expected = advice_to_dict(
        check("vale teint. fijne lijntjes. lichte spanning", treatments=["LED"], kb=kb)
    )
    assert advice == expected
    assert "Herken je ook: lichte spanning? (j/n)" in result.stderr


def test_a_no_to_a_follow_up_is_recorded_and_the_next_question_follows(kb: KnowledgeBase) -> None:
    picks = f"{number(kb, 'sallow_complexion')} {number(kb, 'fine_lines')}"
    result = intake(["n", picks, "", "n", "n", "n"], "--format", "json")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert [m["signal"] for m in advice["negated"]] == [
        "slight_tension",
        "scars",
        "loss_of_firmness",
    ]
    assert result.stderr.count("Herken je ook") == 3  # at most three follow-ups


def test_own_words_count_like_typed_symptoms() -> None:
    result = intake(["n", "", "mijn huid is dof en grauw"], "--format", "json", "--lang", "nl")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert advice["phase"] == "activate"
    assert advice["input"].endswith("mijn huid is dof en grauw")


def test_invalid_answers_get_a_hint_and_the_same_question() -> None:
    result = intake(["misschien", "n", "99", "abc", "", "", "1", ""], "--format", "json")
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert err.count("Is een van deze van toepassing?") == 2
    assert "Antwoord met j (ja) of n (nee)." in err
    last = sum(len(group.items) for group in signal_menu(load_knowledge(), "nl"))
    assert err.count(f"Kies nummers van 1 tot en met {last}") == 2
    # Nothing chosen and no words: the menu comes again.
    assert "Kies minstens één nummer" in err
    assert err.count("Wat zie of voel je aan je huid?") == 2
    assert json.loads(result.stdout)["phase"] == "reset"


def test_a_red_flag_shows_the_referral_and_may_stop_the_intake(kb: KnowledgeBase) -> None:
    result = intake(["j", "1", "n"], "--format", "json")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert [f["id"] for f in advice["red_flags"]] == [kb.red_flags[0].id]
    assert advice["referral"]
    assert advice["phase"] is None
    assert kb.red_flags[0].advice.nl in result.stderr  # shown at once
    assert "De intake stopt hier" in result.stderr
    assert "Wat zie of voel" not in result.stderr


def test_after_a_red_flag_the_person_may_continue(kb: KnowledgeBase) -> None:
    result = intake(["y", "2, 6", "yes", number(kb, "redness"), ""], "--format", "json", "-l", "en")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert [f["id"] for f in advice["red_flags"]] == [kb.red_flags[1].id, kb.red_flags[5].id]
    assert advice["phase"] == "reset"
    assert "Your safety first" in result.stderr


def test_end_of_input_mid_intake_is_a_clear_error() -> None:
    result = intake(["n", "1"])  # stops at "own words"
    assert result.exit_code == 1
    assert "The intake ended" in result.stderr or "De intake is afgebroken" in result.stderr
    assert "fasewiel check roodheid jeuk" in result.stderr
    assert "Traceback" not in result.output


def test_no_symptoms_without_a_terminal_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check"], input="")
    assert result.exit_code == 2
    assert "'-' to read them from standard input" in result.stderr


def test_symptoms_given_means_no_questions() -> None:
    result = runner.invoke(app, ["check", "rood", "--interactive", "-f", "json"], input="")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["phase"] == "reset"


def test_an_unknown_treatment_does_not_stop_the_intake() -> None:
    result = intake(["n", "1", "", "n", "n", "n"], "-t", "zandstralen", "-f", "text")
    assert result.exit_code == 0, result.stderr
    assert "? zandstralen" in result.stdout
    assert "veiligheid" in result.stderr


# --- a real terminal --------------------------------------------------------------------------


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "FASEWIEL_LANG": "nl",
        "COLUMNS": "100",
        "LINES": "60",
        "NO_COLOR": "1",
        "FASEWIEL_HOME": str(tmp_path / "home"),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "fasewiel", "check", *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 100),
    )


def test_intake_in_a_real_terminal(kb: KnowledgeBase, tmp_path: Path) -> None:
    child = spawn(tmp_path, "--format", "text")
    child.expect_exact("Is een van deze van toepassing? (j/n)")
    child.sendline("n")
    child.expect_exact("(Enter: geen)")
    child.sendline(f"{number(kb, 'sallow_complexion')}, {number(kb, 'fine_lines')}")
    child.expect_exact("(Enter: nee)")
    child.sendline("")
    child.expect_exact("Herken je ook: lichte spanning? (j/n)")
    child.sendline("j")
    child.expect_exact("Fase: Activate")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_ctrl_c_at_a_prompt_exits_130(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect_exact("(j/n)")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_a_red_flag_in_own_words_is_shown_at_once(kb: KnowledgeBase) -> None:
    result = intake(["n", "", "mijn moedervlek bloedt"], "--format", "json")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert [f["id"] for f in advice["red_flags"]] == ["changing_mole"]
    assert advice["referral"]
    assert "⚠ moedervlek die bloedt of verandert" in result.stderr
    assert "Kies minstens één nummer" not in result.stderr


def test_what_own_words_exclude_is_not_asked_again(kb: KnowledgeBase) -> None:
    picks = f"{number(kb, 'sallow_complexion')} {number(kb, 'fine_lines')}"
    result = intake(["n", picks, "geen lichte spanning", "n", "n", "n"], "--format", "json")
    assert result.exit_code == 0, result.output
    assert "lichte spanning? (j/n)" not in result.stderr
    assert "Herken je ook: littekens? (j/n)" in result.stderr


def test_a_yes_counts_as_the_final_text_will(kb: KnowledgeBase) -> None:
    picks = f"{number(kb, 'sallow_complexion')} {number(kb, 'fine_lines')}"
    result = intake(["n", picks, "", "j"], "--format", "json")
    advice = json.loads(result.stdout)
    assert advice["scores"]["activate"] == pytest.approx(2 / 3)
    assert result.stderr.count("Herken je ook") == 1  # then clear: no more questions


def test_a_huge_number_is_an_invalid_answer_not_a_crash() -> None:
    assert parse_numbers("1" * 5000, last=26) is None


def _urgent_number(kb: KnowledgeBase) -> str:
    (item,) = [i for i in flag_menu(kb, "nl") if kb.red_flag(i.id).urgent]
    return str(item.number)


def test_an_emergency_ends_the_intake_with_112_at_once(kb: KnowledgeBase) -> None:
    result = intake(["j", _urgent_number(kb)], "--format", "json")
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "bel direct 112" in err
    assert err.rstrip().endswith("De intake stopt hier. Bel direct 112.")
    assert "Wil je daarnaast cosmetisch advies" not in err  # no question after an emergency
    assert kb.texts.referral.nl not in err  # not "a doctor first, not a routine"
    assert "huisarts of dermatoloog beoordelen" not in err
    advice = json.loads(result.stdout)
    assert advice["referral"] == kb.texts.referral_urgent.nl
    assert [f["urgent"] for f in advice["red_flags"]] == [True]


def test_an_emergency_in_the_own_words_ends_the_intake_too() -> None:
    result = intake(["n", "", "mijn tong is opgezwollen"], "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.rstrip().endswith("De intake stopt hier. Bel direct 112.")
    assert "Herken je ook" not in result.stderr  # no follow-up question
    assert json.loads(result.stdout)["red_flags"][0]["id"] == "swelling_airway"


def test_a_red_flag_that_is_no_emergency_still_sends_to_a_doctor(kb: KnowledgeBase) -> None:
    (item,) = [i for i in flag_menu(kb, "nl") if i.id == "changing_mole"]
    result = intake(["j", str(item.number), "n"], "--format", "json")
    assert "De intake stopt hier. Laat je huid eerst door je huisarts" in result.stderr
    assert json.loads(result.stdout)["referral"].startswith(kb.texts.referral.nl)


def test_an_emergency_in_the_own_words_gives_no_care_plan() -> None:
    result = intake(["n", "1", "mijn lippen zijn opgezwollen"], "--format", "json")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert advice["plan"] is None
    assert advice["red_flags"][0]["urgent"] is True


def test_words_typed_before_the_question_comes_again_are_kept(kb: KnowledgeBase) -> None:
    """'koorts' alone shows no signal and the menu comes again; it was then forgotten, and with
    'roodheid' chosen next the red flag (fever with a red skin) was missed."""
    answers = ["n", "", "ik heb koorts", number(kb, "redness"), "", "n", "n", "n"]
    result = intake(answers, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Niet herkend: koorts" in result.stderr  # (asked again)
    advice = json.loads(result.stdout)
    assert "koorts" in advice["input"]
    assert [f["id"] for f in advice["red_flags"]] == ["spreading_rash_fever"]
    warned = " ".join(result.stderr.split())  # (warned at once; wrapped at the width)
    assert kb.red_flag("spreading_rash_fever").advice.nl in warned


def test_what_the_intake_echoes_shows_control_characters_as_escapes() -> None:
    result = intake(["n", "", "\x1b(0 \x1bc \x1b#8", "1", ""], "--format", "json")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stderr
    assert "\\x1b" in result.stderr


def test_a_red_flag_is_warned_of_once_and_listed_once(kb: KnowledgeBase) -> None:
    (fever,) = [i for i in flag_menu(kb, "nl") if i.id == "spreading_rash_fever"]
    name = kb.red_flag("spreading_rash_fever").name.nl
    # Confirmed in the safety screen, then shown again by the words: warned of once.
    answers = ["j", str(fever.number), "j", number(kb, "redness"), "ik heb koorts", "n", "n", "n"]
    result = intake(answers, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.count(f"⚠ {name}") == 1
    # With an emergency in the words too: each flag once in the advice.
    answers[4] = "koorts en ik ben benauwd"
    result = intake(answers, "--format", "json")
    flags = [f["id"] for f in json.loads(result.stdout)["red_flags"]]
    assert sorted(flags) == ["spreading_rash_fever", "swelling_airway"]
    assert result.stderr.rstrip().endswith("De intake stopt hier. Bel direct 112.")


def test_a_red_flag_a_follow_up_answer_makes_is_warned_of_at_once(kb: KnowledgeBase) -> None:
    picks = f"{number(kb, 'dull_skin')} {number(kb, 'couperose')}"
    assert follow_up(kb, ["dull_skin", "couperose"], []) == "redness"  # (the question below)
    result = intake(["n", picks, "koorts", "j", "n", "n"], "--format", "json")
    assert result.exit_code == 0, result.output
    err = " ".join(result.stderr.split())
    assert err.index("Herken je ook: roodheid?") < err.index("⚠")
    assert kb.red_flag("spreading_rash_fever").advice.nl in err
    flags = [f["id"] for f in json.loads(result.stdout)["red_flags"]]
    assert flags == ["spreading_rash_fever"]
