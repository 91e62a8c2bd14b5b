"""Properties of the engine that must hold for any text (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fasewiel_cli.engine.advice import advise
from fasewiel_cli.engine.scoring import assess
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.language.lexicon import lexicon_of
from fasewiel_cli.language.matching import match_text

KB = load_knowledge()
WORDS = sorted({p for s in KB.signals for p in s.phrases()})
FILLERS = sorted(KB.language.fillers.all() + KB.language.negations.all())
SINGLE_PHASE = [s for s in KB.signals if len(s.phases) == 1]
# Each red-flag pattern written with the first word of each group, in either language.
FLAG_PHRASES = sorted(
    " ".join(group.get(lang)[0] for group in pattern.groups)
    for flag in KB.red_flags
    for pattern in flag.patterns
    for lang in ("nl", "en")
)
NEGATIONS = sorted(KB.language.negations.all())

# Free text mixing real signal words, function words, punctuation and arbitrary characters.
fragments = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(FILLERS),
    st.sampled_from([",", ".", "!", "?", "-", "'", "\u2019", "[/]", "\n", "…"]),
    st.text(max_size=12),
)
texts = st.lists(fragments, max_size=12).map(" ".join)
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.text())
def test_arbitrary_unicode_never_raises(text: str) -> None:
    result = assess(KB, match_text(lexicon_of(KB), text))
    for lang in ("nl", "en"):
        advise(KB, result, lang)


@PROFILE
@given(texts)
def test_shares_sum_to_one_or_there_is_no_phase(text: str) -> None:
    result = assess(KB, match_text(lexicon_of(KB), text))
    shares = result.scores.values()
    assert all(0.0 <= s <= 1.0 for s in shares)
    if result.phase is None:
        assert set(shares) == {0.0}
    else:
        assert math.isclose(math.fsum(shares), 1.0)
        assert result.next_phase is not None


@PROFILE
@given(texts, st.sampled_from(FLAG_PHRASES))
def test_adding_a_red_flag_phrase_never_removes_the_referral(text: str, flag: str) -> None:
    before = match_text(lexicon_of(KB), text).red_flags
    after = match_text(lexicon_of(KB), f"{text}. {flag}").red_flags
    assert after, "the added red-flag phrase itself must fire"
    assert {f.flag for f in before} <= {f.flag for f in after}


@PROFILE
@given(texts, st.sampled_from(SINGLE_PHASE), st.sampled_from(["geen", "niet", "no", "not"]))
def test_negating_a_signal_never_raises_its_phases_share(text: str, signal, negation: str) -> None:  # type: ignore[no-untyped-def]
    (phase,) = signal.phases
    word = signal.name.nl
    before = assess(KB, match_text(lexicon_of(KB), text)).scores[phase]
    negated = match_text(lexicon_of(KB), f"{text}. {negation} {word}")
    assert signal.id not in negated.signal_ids
    assert assess(KB, negated).scores[phase] <= before + 1e-12


@PROFILE
@given(texts, st.sampled_from(FLAG_PHRASES), st.sampled_from(NEGATIONS), st.sampled_from(WORDS))
def test_negating_another_word_never_takes_a_red_flag_away(
    text: str, flag: str, negation: str, word: str
) -> None:
    """Whatever else the text says, before or after the red flag, and whatever other word is
    negated right before it, the flag stands."""
    expected = {f.flag for f in match_text(lexicon_of(KB), flag).red_flags}
    for variant in (
        f"{negation} {word} {flag}",
        f"{text} {negation} {word}, {flag}",
        f"{flag}. {negation} {word} {text}",
        f"{text}. {flag}",
    ):
        found = {f.flag for f in match_text(lexicon_of(KB), variant).red_flags}
        assert expected <= found, variant


@PROFILE
@given(st.sampled_from(FLAG_PHRASES), st.sampled_from([", ", ". ", ": ", "; ", "!\n", " - "]))
def test_punctuation_between_the_words_of_a_red_flag_does_not_hide_it(flag: str, stop: str) -> None:
    expected = {f.flag for f in match_text(lexicon_of(KB), flag).red_flags}
    assert expected
    words = flag.split(" ")
    for cut in range(1, len(words)):
        variant = " ".join(words[:cut]) + stop + " ".join(words[cut:])
        found = {f.flag for f in match_text(lexicon_of(KB), variant).red_flags}
        # (a phrase of its own cut in two may be another word; the pattern's flag stands)
        assert expected & found or _phrase_cut(words, cut), variant


def _phrase_cut(words: list[str], cut: int) -> bool:
    """Whether cutting at ``cut`` splits one of the pattern's multi-word phrases."""
    joined = " ".join(words)
    return any(
        " ".join(words[cut - 1 : cut + 1]) in phrase
        for flag in KB.red_flags
        for pattern in flag.patterns
        for group in pattern.groups
        for phrase in group.all()
        if " " in phrase and phrase in joined
    )
