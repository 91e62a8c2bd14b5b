"""Properties of the engine that must hold for any text (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fasewiel_cli.advice import advise
from fasewiel_cli.knowledge import load_knowledge
from fasewiel_cli.lexicon import split_pattern
from fasewiel_cli.matching import match_text, read_signals
from fasewiel_cli.scoring import assess

KB = load_knowledge()
WORDS = sorted({p for s in KB.signals for p in s.phrases()})
FILLERS = sorted(KB.language.fillers.all() + KB.language.negations.all())
SINGLE_PHASE = [s for s in KB.signals if len(s.phases) == 1]
FLAG_PHRASES = sorted(
    " ".join(group[0] for group in split_pattern(pattern))
    for flag in KB.red_flags
    for pattern in flag.patterns.all()
)

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
    result = assess(KB, match_text(KB.lexicon, text))
    for lang in ("nl", "en"):
        advise(KB, result, lang)


@PROFILE
@given(texts)
def test_shares_sum_to_one_or_there_is_no_phase(text: str) -> None:
    result = assess(KB, match_text(KB.lexicon, text))
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
    before = match_text(KB.lexicon, text).red_flags
    after = match_text(KB.lexicon, f"{text}. {flag}").red_flags
    assert after, "the added red-flag phrase itself must fire"
    assert {f.flag for f in before} <= {f.flag for f in after}


@PROFILE
@given(texts, st.sampled_from(SINGLE_PHASE), st.sampled_from(["geen", "niet", "no", "not"]))
def test_negating_a_signal_never_raises_its_phases_share(text: str, signal, negation: str) -> None:  # type: ignore[no-untyped-def]
    (phase,) = signal.phases
    word = signal.name.nl
    before = assess(KB, match_text(KB.lexicon, text)).scores[phase]
    negated = match_text(KB.lexicon, f"{text}. {negation} {word}")
    assert signal.id not in negated.signal_ids
    assert assess(KB, negated).scores[phase] <= before + 1e-12


# Plain clauses joined by scope breakers and list words, the way intake texts often run on.
BREAKERS = sorted(KB.lexicon.breakers | KB.lexicon.list_words)
plain_runs = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(BREAKERS), st.sampled_from(FILLERS)),
    min_size=1,
    max_size=8,
).map(" ".join)
batch_texts = st.one_of(
    texts,
    st.lists(plain_runs, min_size=1, max_size=4).map(", ".join),
    st.sampled_from(FLAG_PHRASES),
)


@PROFILE
@given(st.lists(batch_texts, min_size=1, max_size=3))
def test_the_batch_reading_finds_what_match_text_finds(texts_in_turn: list[str]) -> None:
    # In turn, so that some clauses come from the memo and some are read anew.
    for text in texts_in_turn:
        match = match_text(KB.lexicon, text)
        found = read_signals(KB.lexicon, text)
        assert found == (
            match.signal_ids,
            [flag.flag for flag in match.red_flags],
            [word.text for word in match.unrecognised],
        )
