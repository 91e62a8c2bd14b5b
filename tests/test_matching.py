"""Text → signals: everyday phrasings in both languages, inflections, typos, negation."""

from __future__ import annotations

import random

import pytest

from fasewiel_cli.knowledge.models import KnowledgeBase
from fasewiel_cli.language import matching
from fasewiel_cli.language.lexicon import LONGEST_WORD, lexicon_of
from fasewiel_cli.language.matching import LONGEST_KEY, match_text


def signals(kb: KnowledgeBase, text: str) -> set[str]:
    return set(match_text(lexicon_of(kb), text).signal_ids)


# (text, the signals it must express) — Dutch and English, per phase.
PHRASINGS = [
    # Reset
    ("roodheid jeuk", {"redness", "itch"}),
    ("mijn huid is rood en jeukt", {"redness", "itch"}),
    ("rode wangen", {"redness"}),
    ("Mijn wangen zijn ROOD", {"redness"}),
    ("jeukende, branderige huid", {"itch", "burning"}),
    ("het prikt en steekt", {"burning"}),
    ("overgevoelige huid die snel geïrriteerd raakt", {"sensitivity"}),
    ("opvlammingen sinds vorige week", {"flare_up"}),
    ("itchy and stinging", {"itch", "burning"}),
    ("red cheeks, a flare-up and very sensitive skin", {"redness", "flare_up", "sensitivity"}),
    ("my face is burning", {"burning"}),
    # Activate
    ("vale teint", {"sallow_complexion"}),
    ("mijn huid ziet er vaal en dof uit", {"sallow_complexion", "dull_skin"}),
    ("strak gevoel na het wassen", {"slight_tension"}),
    ("sallow and tight", {"sallow_complexion", "slight_tension"}),
    ("dull, greyish skin", {"dull_skin", "greyness"}),
    # Repair
    ("fijne lijntjes rond de ogen", {"fine_lines"}),
    ("lijnen en rimpels", {"fine_lines"}),
    ("verlies van stevigheid", {"loss_of_firmness"}),
    ("slap", {"loss_of_firmness"}),
    ("slappe huid en littekens", {"loss_of_firmness", "scars"}),
    ("fine lines, wrinkles and sagging", {"fine_lines", "loss_of_firmness"}),
    ("acne scars", {"scars"}),
    ("pigmentvlekken", {"blotchy_pigmentation"}),
    # Radiance
    ("egale teint en veerkracht", {"even_tone", "resilience"}),
    ("mijn huid is veerkrachtig en stralend", {"resilience", "glow"}),
    ("even skin tone, bouncy and glowing", {"even_tone", "resilience", "glow"}),
    # Sustain
    ("rustige huid, stabiel beeld", {"calm_skin", "stable_picture"}),
    ("calm and stable skin", {"calm_skin", "stable_picture"}),
    ("mijn huid is in balans", {"stable_picture"}),
    # Secondary signals of the §2 table
    ("couperose en gesprongen adertjes", {"couperose"}),
    ("acne en puistjes", {"acne_inflammation"}),
    ("vroegtijdige veroudering", {"premature_ageing"}),
    ("gespannen huid", {"tense_skin"}),
    ("vermoeide uitstraling", {"dull_expression"}),
    ("minder elastisch", {"reduced_elasticity"}),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS)
def test_everyday_phrasings(kb: KnowledgeBase, text: str, expected: set[str]) -> None:
    assert signals(kb, text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "how"),
    [
        ("rode", "redness", "form"),
        ("jeukende", "itch", "form"),
        ("lijntjes", "fine_lines", "exact"),
        ("rimpeltjes", "fine_lines", "exact"),
        ("burned", "burning", "form"),
        ("reddened", "redness", "exact"),
        ("gevoeligheden", "sensitivity", "form"),
        ("scarring", "scars", "exact"),
        ("littekentjes", "scars", "form"),
    ],
)
def test_inflections(kb: KnowledgeBase, text: str, expected: str, how: str) -> None:
    (match,) = match_text(lexicon_of(kb), text).matched
    assert (match.signal, match.how) == (expected, how)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rodheid", "redness"),
        ("jeukk", "itch"),
        ("roodhied", "redness"),
        ("gevoeligheit", "sensitivity"),
        ("itchyy", "itch"),
        ("wrinklse", "fine_lines"),
        ("veerkracth", "resilience"),
    ],
)
def test_typos(kb: KnowledgeBase, text: str, expected: str) -> None:
    assert signals(kb, text) == {expected}


# Everyday words that must never be read as a signal or a red flag, however close they are in
# spelling to one ("kort"/"koorts", "slaap"/"slap", "valt"/"vaal", "straks"/"strak").
ORDINARY_WORDS = """
mooi hond rook ronde vlek kort korte slaap slapen valt vallen ten straks
bloed gras keel reed wijn rust zon regen werk baan school auto fiets
tijd jaar moeder vader kind water koffie thee brood stad huis deur raam licht donker
warm koud groot klein oud nieuw goed slecht lelijk snel traag hoog laag lang
lijst lijm lijf strand sporten zoek verzorging glimlach
wine rest put puts putting tenth strap straw valet sage scare
scared scary glove grow growing flower good okay
""".split()  # noqa: SIM905 - a word list reads better as words


@pytest.mark.parametrize("word", ORDINARY_WORDS)
def test_ordinary_words_match_nothing(kb: KnowledgeBase, word: str) -> None:
    result = match_text(lexicon_of(kb), word)
    assert result.matches == ()
    assert result.red_flags == ()


@pytest.mark.parametrize(
    ("text", "matched", "negated"),
    [
        ("geen jeuk", set(), {"itch"}),
        ("niet rood", set(), {"redness"}),
        ("no redness", set(), {"redness"}),
        ("geen jeuk maar wel rode wangen", {"redness"}, {"itch"}),
        ("geen jeuk of roodheid", set(), {"itch", "redness"}),
        ("no itching, but red", {"redness"}, {"itch"}),
        ("not itchy and red", {"redness"}, {"itch"}),
        ("rood, geen jeuk", {"redness"}, {"itch"}),
        ("zonder branderigheid", set(), {"burning"}),
        ("niet alleen rood maar ook jeuk", {"redness", "itch"}, set()),
        ("not only red but itchy", {"redness", "itch"}, set()),
        ("geen klachten", {"calm_skin"}, set()),
    ],
)
def test_negation(kb: KnowledgeBase, text: str, matched: set[str], negated: set[str]) -> None:
    result = match_text(lexicon_of(kb), text)
    assert set(result.signal_ids) == matched
    assert {m.signal for m in result.negated} == negated


def test_a_signal_negated_anywhere_is_excluded(kb: KnowledgeBase) -> None:
    result = match_text(lexicon_of(kb), "jeuk. Nou ja, eigenlijk geen jeuk")
    assert "itch" not in result.signal_ids


def test_filler_words_are_not_reported(kb: KnowledgeBase) -> None:
    result = match_text(lexicon_of(kb), "Ik heb het gevoel dat mijn huid soms een beetje rood is")
    assert result.signal_ids == ("redness",)
    assert [u.text for u in result.unrecognised] == ["gevoel"]


def test_unrecognised_words_get_suggestions(kb: KnowledgeBase) -> None:
    result = match_text(lexicon_of(kb), "teint en pigmentje")
    suggestions = {u.text: lexicon_of(kb).suggestions(u.norm) for u in result.unrecognised}
    assert "vale teint" in suggestions["teint"]
    assert "pigmentatie" in suggestions["pigmentje"]


def test_matched_text_is_what_the_user_typed(kb: KnowledgeBase) -> None:
    result = match_text(lexicon_of(kb), "Mijn RODE Wangen [/] jeuken!")
    assert [m.text for m in result.matched] == ["RODE Wangen", "jeuken"]


def test_phrases_do_not_reach_across_sentences(kb: KnowledgeBase) -> None:
    assert signals(kb, "vale. teint") == {"sallow_complexion"}  # "vale" alone, not the phrase
    assert [m.text for m in match_text(lexicon_of(kb), "vale. teint").matched] == ["vale"]


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("mijn moedervlek bloedt", "changing_mole"),
        ("a mole that has changed", "changing_mole"),
        ("uitslag die zich snel verspreidt", "spreading_rash_fever"),
        ("rood en koorts", "spreading_rash_fever"),
        ("rash with a fever", "spreading_rash_fever"),
        ("blaasjes in mijn mond", "blisters_mouth_eyes"),
        ("blisters around the eyes", "blisters_mouth_eyes"),
        ("dikke lippen en jeuk", "swelling_airway"),
        ("swollen tongue", "swelling_airway"),
        ("ik ben benauwd", "swelling_airway"),
        ("trouble breathing", "swelling_airway"),
        ("een wond die al weken niet geneest", "non_healing_wound"),
        ("a sore that won't heal", "non_healing_wound"),
        ("er komt pus uit", "infection"),
        ("infected wound", "infection"),
        ("moedervelk bloedt", "changing_mole"),
        # A typo in a red-flag word, with "en" between the words the pattern pairs: the clause
        # must not be read in parts, whether it is plain (split without tokenizing) or not.
        ("koorts en huiduitslagg", "spreading_rash_fever"),
        ("moedervlekk en bloedt", "changing_mole"),
        ("koorts  en huiduitslagg", "spreading_rash_fever"),
        ("Moedervlekk én bloedt", "changing_mole"),
        ("rood en jeuk en koorts en uitslagg", "spreading_rash_fever"),
    ],
)
def test_red_flags(kb: KnowledgeBase, text: str, flag: str) -> None:
    assert flag in {f.flag for f in match_text(lexicon_of(kb), text).red_flags}


@pytest.mark.parametrize("text", ["geen koorts", "no fever", "zonder koorts, wel rood", "geen pus"])
def test_negated_red_flags_do_not_fire_and_are_understood(kb: KnowledgeBase, text: str) -> None:
    result = match_text(lexicon_of(kb), text)
    assert result.red_flags == ()
    assert result.unrecognised == ()


def test_every_signal_word_reaches_its_signal(kb: KnowledgeBase) -> None:
    for signal in kb.signals:
        for phrase in signal.phrases():
            assert signal.id in signals(kb, phrase), (signal.id, phrase)


def test_every_red_flag_phrase_fires_in_either_language(kb: KnowledgeBase) -> None:
    """Each phrase of each group, with the other groups' first phrase in the other language."""
    for flag in kb.red_flags:
        for pattern in flag.patterns:
            for n, group in enumerate(pattern.groups):
                for lang, other in (("nl", "en"), ("en", "nl")):
                    for phrase in group.get(lang):
                        words = [g.get(other)[0] for g in pattern.groups]
                        words[n] = phrase
                        text = " ".join(words)
                        fired = {f.flag for f in match_text(lexicon_of(kb), text).red_flags}
                        assert flag.id in fired, (flag.id, text)


@pytest.mark.parametrize(
    ("text", "matched", "negated"),
    [
        # Dutch puts "niet" after the verb: it negates what comes before.
        ("mijn huid jeukt niet", set(), {"itch"}),
        ("het brandt niet meer", set(), {"burning"}),
        ("rood is het niet", set(), {"redness"}),
        ("rood maar niet jeukend", {"redness"}, {"itch"}),
        ("jeuk en niet rood", {"itch"}, {"redness"}),
        # English contractions and "neither … nor".
        ("my skin didn't itch", set(), {"itch"}),
        ("it wasn't red", set(), {"redness"}),
        ("it isn't red but it is itchy", {"itch"}, {"redness"}),
        ("neither red nor itchy", set(), {"redness", "itch"}),
        # A negation carries over a comma into a list.
        ("no itching, redness or burning", set(), {"itch", "redness", "burning"}),
        ("geen jeuk, roodheid of branderigheid", set(), {"itch", "redness", "burning"}),
        ("geen jeuk, wel roodheid", {"redness"}, {"itch"}),
        # Gone is gone.
        ("de jeuk is weg", set(), {"itch"}),
        ("de roodheid is verdwenen", set(), {"redness"}),
        ("the redness is gone", set(), {"redness"}),
        ("geen jeuk meer maar nog wel rood", {"redness"}, {"itch"}),
        # Less of a good thing is not that good thing: a lost good thing is a sign of its own
        # (language.yaml, lost_positives).
        ("mijn huid heeft minder glans", {"dull_skin"}, {"glow"}),
        ("my skin has lost its glow", {"dull_skin"}, {"glow"}),
        ("geen glans meer", {"dull_skin"}, {"glow"}),
        ("minder veerkracht", {"reduced_elasticity"}, {"resilience"}),
        ("less bouncy", {"reduced_elasticity"}, {"resilience"}),
        ("lacks radiance", {"dull_skin"}, {"glow"}),
        ("it isn't as firm as it used to be", {"loss_of_firmness"}, {"resilience"}),
        ("niet meer zo stevig", {"loss_of_firmness"}, {"resilience"}),
        ("geen egale teint meer", {"blotchy_pigmentation"}, {"even_tone"}),
        # … but a bad thing negated is just gone, and a good thing kept is that good thing.
        ("niet dof maar stralend", {"glow"}, {"dull_skin"}),
        ("no itching", set(), {"itch"}),
    ],
)
def test_negation_in_everyday_word_order(
    kb: KnowledgeBase, text: str, matched: set[str], negated: set[str]
) -> None:
    result = match_text(lexicon_of(kb), text)
    assert set(result.signal_ids) == matched
    assert {m.signal for m in result.negated} == negated


@pytest.mark.parametrize(
    "text",
    [
        "sinds kort heb ik rode wangen",
        "ik heb korstjes",
        "mijn huid glimt, ook mee-eters",
        "ik zoek verzorging voor mijn droge huid",
        "my skin feels sore around the eyes",
        "ik had vorige week koorts maar nu gaat het goed",
        "litteken van een wond van maanden geleden",
        "verhoging van mijn gevoeligheid",
        "mijn huid wordt snel rood",
    ],
)
def test_no_false_red_flags(kb: KnowledgeBase, text: str) -> None:
    assert match_text(lexicon_of(kb), text).red_flags == ()


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("een pigmentvlek die groter wordt en bloedt", "changing_mole"),
        ("de roodheid is snel verspreid", "spreading_rash_fever"),
        ("rood en koorts", "spreading_rash_fever"),
        ("koorts heb ik niet, maar wel uitslag die zich verspreidt", "spreading_rash_fever"),
    ],
)
def test_red_flags_in_context(kb: KnowledgeBase, text: str, flag: str) -> None:
    assert flag in {f.flag for f in match_text(lexicon_of(kb), text).red_flags}


def test_known_words_are_far_shorter_than_the_longest_word(kb: KnowledgeBase) -> None:
    # Words longer than LONGEST_WORD are taken as typed: no known word, form or typo is.
    words = [*lexicon_of(kb).lemmas, *(w for g in lexicon_of(kb).typo_targets.values() for w in g)]
    assert max(map(len, words)) <= LONGEST_WORD * 3 // 4


def test_long_words_and_clauses_are_read_but_not_remembered(kb: KnowledgeBase) -> None:
    from fasewiel_cli.language.fuzzy import closest
    from fasewiel_cli.language.lexicon import _normalized
    from fasewiel_cli.language.morphology import bases

    caches = [_normalized, bases, closest]
    match_text(lexicon_of(kb), "rood en")  # (the short words may be remembered)
    before = [cache.cache_info().currsize for cache in caches]
    word = "ontstoken" * 20_000
    result = match_text(lexicon_of(kb), f"rood en {word}")
    assert result.signal_ids == ("redness",)
    assert [u.text for u in result.unrecognised] == [word]
    assert [cache.cache_info().currsize for cache in caches] == before
    assert max(map(len, lexicon_of(kb).memo)) <= LONGEST_KEY


def test_a_red_flag_does_not_take_a_signal_word_away(kb: KnowledgeBase) -> None:
    result = match_text(lexicon_of(kb), "rood en koorts")
    assert result.signal_ids == ("redness",)
    assert [f.flag for f in result.red_flags] == ["spreading_rash_fever"]


@pytest.mark.parametrize(
    ("word", "not_suggested"),
    [
        ("onrustige", "rustige huid"),
        ("instabiel", "stabiel"),
        ("ongelijkmatige", "gelijkmatige teint"),
    ],
)
def test_opposites_are_not_suggested(kb: KnowledgeBase, word: str, not_suggested: str) -> None:
    (unrecognised,) = match_text(lexicon_of(kb), word).unrecognised
    assert not_suggested not in lexicon_of(kb).suggestions(unrecognised.norm)


def _phrases(kb: KnowledgeBase) -> list[str]:
    """Every phrase the knowledge base knows: signal words, red-flag words, steering words."""
    lexicon = lexicon_of(kb)
    found = [
        phrase
        for signal in kb.signals
        for lang in ("nl", "en")
        for phrase in (signal.name.get(lang), *signal.words.get(lang))
    ]
    found += [w for f in kb.red_flags for p in f.patterns for g in p.groups for w in g.all()]
    found += sorted(lexicon.breakers | lexicon.list_words | lexicon.function_words)
    found += ["huid", "zzzq", "mijn", "xylofoon", "niet meer", "no longer"]
    return found


def _texts(kb: KnowledgeBase, count: int) -> list[str]:
    """Random texts made of the knowledge base's phrases, mostly plain (ASCII words, single
    spaces), some with capitals, accents, hyphens, double spaces or apostrophes."""
    rng = random.Random(11)
    phrases = _phrases(kb)
    texts = []
    for _ in range(count):
        words = rng.choices(phrases, k=rng.randint(1, 9))
        text = ""
        for word in words:
            text += word + rng.choice([" ", " ", " ", ", ", "; ", ". ", " en ", " and ", "  "])
        roll = rng.random()
        if roll < 0.1:
            text = text.upper()
        elif roll < 0.2:
            text = text.replace("e", "é", 1)
        elif roll < 0.25:
            text = text.replace(" ", "-", 1)
        elif roll < 0.3:
            text = text.replace("n ", "n' ", 1)
        texts.append(text)
    return texts


def test_a_clause_read_in_parts_reads_as_when_read_whole(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clauses are read in parts between their scope breakers, each part remembered
    (``matching._read``): what that finds must be what reading each clause whole finds."""
    texts = [
        *_texts(kb, 3000),
        "rood en geen, jeuk of roodheid",
        "geen jeuk, roodheid of branderigheid",
        "rood niet en jeuk niet maar dof",
        "Rood EN jeuk; dof. Rimpels",
    ]
    lexicon = lexicon_of(kb)
    lexicon.memo.clear()
    in_parts = [match_text(lexicon, text) for text in texts]

    def whole(lexicon: object, clause: str) -> matching.ClauseResult:
        return matching._Clause(lexicon_of(kb), clause).read()

    monkeypatch.setattr(matching, "_read", whole)
    read_whole = [match_text(lexicon, text) for text in texts]
    assert in_parts == read_whole
    split = [t for t in texts if any(b in t.lower().split() for b in lexicon.breakers)]
    assert len(split) > 1000  # (the corpus has breakers to split at)
    assert sum(bool(m.negated_ids) for m in in_parts) > 150


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        # Verb and adjective forms of the paper's phrases: a phrase is also read without its
        # filler words, and Dutch verbs have their forms ("verliest", "verslapt", "slapper").
        ("mijn huid verliest stevigheid", "loss_of_firmness"),
        ("mijn huid verslapt", "loss_of_firmness"),
        ("mijn huid wordt slapper", "loss_of_firmness"),
        ("my skin is losing firmness", "loss_of_firmness"),
        ("mijn huid heeft stevigheid verloren", "loss_of_firmness"),
        ("mijn huid verliest elasticiteit", "reduced_elasticity"),
        ("mijn huid veroudert", "premature_ageing"),
        ("huidveroudering", "premature_ageing"),
        # Everyday words for the paper's signals (signals.yaml, everyday).
        ("mijn huid is saai en lusteloos", "dull_skin"),
        ("mijn teint is flets", "sallow_complexion"),
        ("ik zie er moe uit", "dull_expression"),
        ("putjes van acne", "scars"),
        ("pitted scars", "scars"),
        ("crow's feet", "fine_lines"),
        ("ouderdomsvlekken", "blotchy_pigmentation"),
        ("my jowls are sagging", "loss_of_firmness"),
    ],
)
def test_everyday_words_and_forms_reach_the_papers_signals(
    kb: KnowledgeBase, text: str, signal: str
) -> None:
    assert signal in signals(kb, text)


@pytest.mark.parametrize("word", ["put", "putting", "puts"])
def test_a_short_stem_of_a_dutch_word_is_no_english_word(kb: KnowledgeBase, word: str) -> None:
    """ "putjes" (pitted scars) is built on "put"; the English "put" is not a scar."""
    assert signals(kb, f"I {word} cream on my face") == set()


def test_every_everyday_word_says_why(kb: KnowledgeBase) -> None:
    with_everyday = [s for s in kb.signals if s.everyday is not None]
    assert len(with_everyday) >= 20
    for signal in with_everyday:
        assert signal.everyday is not None
        assert signal.everyday.derived
        assert signal.everyday.nl
        assert signal.everyday.en


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("droge plekken", {"dry_skin"}),
        ("mijn huid is droog", {"dry_skin"}),
        ("vette huid met mee-eters", {"oily_skin", "pores"}),
        ("grove poriën", {"pores"}),
        ("blackheads and oily skin", {"pores", "oily_skin"}),
        ("donkere kringen", {"dark_circles"}),
        ("littekens van acne", {"scars"}),
        ("acne scars", {"scars"}),
        ("my skin is fine", {"calm_skin"}),
        ("mijn huid is prima", {"calm_skin"}),
    ],
)
def test_everyday_skin_states(kb: KnowledgeBase, text: str, expected: set[str]) -> None:
    """What people type first about their skin (derived signals, see signals.yaml); scars left
    by acne are scars, never active acne."""
    assert signals(kb, text) == expected


@pytest.mark.parametrize(
    ("text", "unrecognised", "flags"),
    [
        ("uitslag en bultjes", ["uitslag", "bultjes"], []),
        ("rode bultjes", ["bultjes"], []),
        ("uitslag, moedervlek bloedt", ["uitslag"], ["changing_mole"]),
        ("koorts en uitslag", [], ["spreading_rash_fever"]),
        ("geen koorts, geen uitslag", [], []),
        ("mijn moedervlek", ["moedervlek"], []),
    ],
)
def test_a_red_flag_word_outside_its_flag_is_reported_not_dropped(
    kb: KnowledgeBase, text: str, unrecognised: list[str], flags: list[str]
) -> None:
    result = match_text(lexicon_of(kb), text)
    assert [u.text for u in result.unrecognised] == unrecognised
    assert [f.flag for f in result.red_flags] == flags


def test_every_word_of_a_flag_shown_is_understood(kb: KnowledgeBase) -> None:
    """ "koorts" is part of the flag the text shows, though the flag is quoted by its other
    words: it is not reported as not understood (which would read as if it were ignored)."""
    result = match_text(
        lexicon_of(kb), "mijn huid is prima, wel koorts en uitslag die zich uitbreidt"
    )
    assert [f.flag for f in result.red_flags] == ["spreading_rash_fever"]
    assert result.unrecognised == ()
