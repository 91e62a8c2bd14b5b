"""Assessment → advice: care plan, treatment verdicts, messengers, referral, the JSON document."""

from __future__ import annotations

import json

import pytest

from fasewiel_cli.engine.advice import check, fill
from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.serialize import advice_to_dict


@pytest.mark.parametrize(
    ("text", "treatment", "verdict", "because"),
    [
        # Intensive: only in Repair or Sustain, never with a Reset signal (sections 8 and 10).
        ("fijne lijntjes, littekens", "microneedling", "advised", "Repair"),
        ("rustige huid, stabiel", "peeling", "advised", "Sustain"),
        ("vale teint", "micro-needling", "not_advised", "Activate"),
        ("egale teint", "chemische peeling", "not_advised", "Radiance"),
        ("fijne lijntjes, jeuk", "microneedling", "not_advised", "jeuk"),
        ("fijne lijntjes, littekens, couperose", "peeling", "not_advised", "couperose"),
        # Gentle: where the paper places it.
        ("fijne lijntjes", "LED", "advised", "Repair"),
        ("roodheid", "led", "not_advised", "Repair"),
        ("roodheid", "zachte aanraking", "advised", "Reset"),
        ("egale teint", "glow-massage", "advised", "Radiance"),
        # No phase, or a red flag: no go.
        ("hallo", "led", "not_advised", "geen fase"),
        ("fijne lijntjes, moedervlek bloedt", "microneedling", "not_advised", "arts"),
        ("rustige huid. Mijn moedervlek? Die bloedt.", "peeling", "not_advised", "arts"),
        ("no itching. Fine lines, and a fever with a rash", "needling", "not_advised", "arts"),
    ],
)
def test_treatment_verdicts(
    kb: KnowledgeBase, text: str, treatment: str, verdict: str, because: str
) -> None:
    (result,) = check(text, treatments=[treatment], kb=kb).treatments
    assert result.verdict == verdict
    assert because in result.reason


def test_verdicts_speak_the_chosen_language(kb: KnowledgeBase) -> None:
    (result,) = check("itchy, fine lines", lang="en", treatments=["peel"], kb=kb).treatments
    assert result.reason.startswith("peel is an intensive technique and Reset signals are present")


@pytest.mark.parametrize(
    ("name", "treatment"),
    [
        ("micro-needling", "microneedling"),
        ("Microneedling", "microneedling"),
        ("micro needling", "microneedling"),
        ("microneedeling", "microneedling"),
        ("chemische peeling", "peeling"),
        ("peelings", "peeling"),
        ("Chemical Peel", "peeling"),
        ("led-therapie", "led"),
    ],
)
def test_treatment_names_match_leniently(kb: KnowledgeBase, name: str, treatment: str) -> None:
    (result,) = check("rood", treatments=[name], kb=kb).treatments
    assert result.id == treatment


def test_an_unknown_treatment_keeps_the_advice_and_suggests_every_close_name(
    kb: KnowledgeBase,
) -> None:
    advice = check("rood", treatments=["massage", "botox", "LED", "Massage"], kb=kb, lang="nl")
    assert advice.phase is not None
    assert advice.plan is not None
    massage, botox, led = advice.treatments
    assert (massage.id, massage.verdict, botox.verdict, led.id) == (
        None,
        "unknown",
        "unknown",
        "led",
    )
    assert {"collageenmassage", "glow-massage", "gezichtsmassage"} <= set(massage.suggestions)
    assert "Bedoel je: " in massage.reason
    assert botox.suggestions == ()
    assert "'botox' is geen behandeling die fasewiel kent" in botox.reason


def test_every_treatment_is_reachable_by_each_of_its_names(kb: KnowledgeBase) -> None:
    for treatment in kb.treatments:
        for name in (treatment.name.nl, treatment.name.en, *treatment.words.all()):
            (result,) = check("rood", treatments=[name], kb=kb).treatments
            assert result.id == treatment.id, name


def test_care_plan_is_the_phase_of_the_paper(kb: KnowledgeBase) -> None:
    advice = check("roodheid", kb=kb)
    assert advice.plan is not None
    assert advice.plan.lifestyle == ("rustmomenten", "ademhaling", "stressreductie")
    roles = {i.id: i.role for i in advice.plan.ingredients}
    assert roles["niacinamide"] == "versterkt barrière, vermindert roodheid"
    assert advice.plan.core_message.startswith("Herstel en veiligheid staan centraal")


def test_niacinamide_has_a_role_per_phase(kb: KnowledgeBase) -> None:
    roles = {}
    for text in ("roodheid", "vale teint", "littekens"):
        plan = check(text, lang="en", kb=kb).plan
        assert plan is not None
        roles[text] = {i.id: i.role for i in plan.ingredients}["niacinamide"]
    assert roles == {
        "roodheid": "strengthens the barrier, reduces redness",
        "vale teint": "energy and barrier function",
        "littekens": "elasticity, pigment correction",
    }


def test_messengers_behind_the_signals(kb: KnowledgeBase) -> None:
    advice = check("jeuk, fijne lijntjes, couperose", kb=kb)
    linked = {m.id: m.signals for m in advice.messengers}
    assert linked == {
        "serotonin": ("jeuk",),
        "dopamine": ("fijne lijntjes",),
        "noradrenaline": ("couperose",),
    }


def test_red_flag_leads_with_referral(kb: KnowledgeBase) -> None:
    advice = check("rood en mijn moedervlek bloedt", kb=kb)
    assert [f.id for f in advice.red_flags] == ["changing_mole"]
    assert advice.referral is not None
    assert "vervangt dat bezoek niet" in advice.referral
    assert advice.phase is not None  # the cosmetic plan is still there, behind the referral


def test_json_document(kb: KnowledgeBase) -> None:
    advice = check("rood, geen jeuk, superdroog", lang="en", treatments=["led"], kb=kb)
    doc = json.loads(json.dumps(advice_to_dict(advice)))
    assert doc["schema"] == 1
    assert doc["phase"] == "reset"
    assert doc["next_phase"] == "activate"
    assert doc["scores"] == {
        "reset": 1.0,
        "activate": 0.0,
        "repair": 0.0,
        "radiance": 0.0,
        "sustain": 0.0,
    }
    assert doc["matched"] == [
        {
            "text": "rood",
            "signal": "redness",
            "name": "redness",
            "phases": ["reset"],
            "how": "exact",
        }
    ]
    assert doc["negated"] == [{"text": "jeuk", "signal": "itch", "name": "itching"}]
    assert doc["unmatched"][0]["text"] == "superdroog"
    assert doc["red_flags"] == []
    assert set(doc["plan"]) == {"lifestyle", "ritual", "treatment", "ingredients", "core_message"}
    assert doc["plan"]["ingredients"][0] == {
        "id": "niacinamide",
        "name": "Niacinamide",
        "role": "strengthens the barrier, reduces redness",
        "form": None,
    }
    assert doc["nervous_system"] == "sympathetic system overactive, cortisol peaks"
    assert doc["treatments"][0]["verdict"] == "not_advised"
    assert doc["disclaimer"].startswith("Cosmetic guidance")
    assert doc["lang"] == "en"
    assert doc["knowledge"]["name"] == "fasewiel"
    assert len(doc["knowledge"]["hash"]) == 64


def test_json_without_a_phase(kb: KnowledgeBase) -> None:
    doc = advice_to_dict(check("hallo", kb=kb))
    assert (doc["phase"], doc["next_phase"], doc["plan"]) == (None, None, None)
    assert set(doc["scores"].values()) == {0.0}


def test_fill_only_substitutes_known_names() -> None:
    assert fill("{treatment} in {phase}", treatment="LED", phase="Repair") == "LED in Repair"
    # A hostile knowledge base cannot reach into objects as it could with str.format.
    assert fill("{treatment.__class__} {0} {missing}", treatment="x") == (
        "{treatment.__class__} {0} {missing}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "ik krijg moeilijk lucht en mijn gezicht zwelt op",
        "mijn gezicht zwelt op en ik krijg moeilijk lucht",
        "zwelt mijn gezicht op? ik krijg slecht lucht",
        "mijn gezicht is opgezwollen",
        "opgezolen gezicht",  # (a typo)
        "ik ben benauwt",  # (d/t)
        "I can hardly breathe and my face is swelling",
        "my face swelled up",
        "my face is swollen. I struggle to breathe",
        "swolen lips and wheezing",
        "geen jeuk, maar ik kan niet goed ademen",
        "I don't know why, but my tongue is swollen",
    ],
)
def test_breathing_trouble_or_a_swelling_face_means_call_112(kb: KnowledgeBase, text: str) -> None:
    for lang in ("nl", "en"):
        advice = check(text, lang=lang, kb=kb)
        assert [f.id for f in advice.red_flags][:1] == ["swelling_airway"], text
        assert "112" in advice.red_flags[0].advice


def test_a_red_flag_makes_an_unknown_treatment_not_advised_too(kb: KnowledgeBase) -> None:
    (botox,) = check("moedervlek bloedt", treatments=["botox"], kb=kb, lang="nl").treatments
    assert (botox.id, botox.verdict) == (None, "not_advised")
    assert botox.reason == kb.texts.verdict_red_flag.nl.replace("{treatment}", "botox")


def test_an_unknown_treatment_on_a_reset_skin_recalls_the_intensive_rule(kb: KnowledgeBase) -> None:
    (reset,) = check("rood", treatments=["tca peel"], kb=kb, lang="nl").treatments
    (repair,) = check("fijne lijntjes", treatments=["tca peel"], kb=kb, lang="nl").treatments
    assert reset.verdict == repair.verdict == "unknown"
    assert kb.texts.intensive_rule.nl in reset.reason
    assert kb.texts.intensive_rule.nl not in repair.reason
