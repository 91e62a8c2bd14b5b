"""Red flags: the signs that belong with a doctor, looked for in the whole text.

They are read apart from the skin signals, by rules that err towards a referral:

- The words of a pattern may stand anywhere within its ``near`` words of each other, across
  commas and sentences, in any order ("moedervlek: bloedt", "Koorts. En uitslag.").
- A word counts as every red-flag word it may be: itself or a form of it, or a small typo of it
  (``fuzzy.closest``), even when it might also be a typo of another word.
- Only a negation of the flag's own words takes it away. A negation ("geen", "don't") reaches the
  word right after it, over the language's ``negation_gap`` words only ("geen last van koorts",
  "I don't have a fever"); an after-negation ("niet", "gone") reaches the word right before it
  ("de moedervlek bloedt niet"). A negation of one word is not carried on to the next: in "geen
  jeuk of koorts" the fever stands (a referral rather than a missed sign).
  A negation never reaches across a comma or a full stop.

Nothing else a text says — cosmetic words, doubt, other negations — can hide a red flag.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

from fasewiel_cli.language.lexicon import (
    LONGEST_WORD,
    TYPO_MIN_LENGTH,
    Lexicon,
    phrase_at,
    readable,
    text_tokens,
    word_spans,
)
from fasewiel_cli.language.morphology import COMPOUND_LINKS
from fasewiel_cli.text import shown


class FlagMatch(NamedTuple):
    """A red flag a text shows: its id, the words as the text has them, and those words
    normalised (they are understood: no other reading reports them as not recognised)."""

    flag: str
    text: str
    words: frozenset[str] = frozenset()


class _Span(NamedTuple):
    start: int
    end: int


def find_red_flags(
    lexicon: Lexicon, text: str, words: Sequence[tuple[int, str]] | None = None
) -> tuple[FlagMatch, ...]:
    """Every red flag ``text`` shows, each once, in the order of the knowledge base.

    ``words``: the text's words as (clause number, normalised word), when the caller has them
    already (``matching`` keeps them with each clause it reads); else the text is split here.
    """
    if words is None:
        tokens, clauses = text_tokens(readable(text))
        words = [(clause, token.norm) for clause, token in zip(clauses, tokens, strict=True)]
    known: dict[str, frozenset[str]] = {}  # (each distinct word looked up once)
    lemmas = [
        known[norm] if norm in known else known.setdefault(norm, _lemmas(lexicon, norm))
        for _, norm in words
    ]
    present = frozenset().union(*lemmas)
    # The patterns each of whose groups may start somewhere in the text (most texts: none).
    touched = {p.pattern for lemma in present for p in lexicon.flag_phrases.get(lemma, ())}
    possible = {
        n for n in touched if all(not f.isdisjoint(present) for f in lexicon.flag_firsts[n])
    }
    if not possible:
        return ()
    places = _places(lexicon, lemmas, possible)
    patterns = lexicon.flag_patterns
    complete = [
        n
        for n in sorted({n for n, _ in places})
        if all((n, g) in places for g in range(len(patterns[n].groups)))
    ]
    if not complete:  # (most texts: no pattern has all its words, negated or not)
        return ()
    # A negation word inside a red-flag phrase ("geen lucht", "not healing") is part of it.
    inside = {k for spans in places.values() for span in spans for k in range(*span)}
    starts, ends = _negated(lexicon, words, inside)
    found: dict[str, list[_Span]] = {}
    for number in complete:
        pattern = patterns[number]
        if pattern.flag in found:
            continue
        groups = [
            [
                s
                for s in places.get((number, group), ())
                if s.start not in starts and s.end - 1 not in ends
            ]
            for group in range(len(pattern.groups))
        ]
        spans = _together(groups, pattern.near)
        if spans:
            found[pattern.flag] = spans
    if not found:
        return ()

    def _said(flag: str, first: int, end: int) -> frozenset[str]:
        """The words that show the flag: those it is quoted by (words ``first`` to ``end``),
        and every other word of its patterns in the text ("koorts" beside "uitslag die zich
        uitbreidt")."""
        own = frozenset(
            lemma
            for pattern in patterns
            if pattern.flag == flag
            for group in pattern.groups
            for phrase in group
            for lemma in phrase
        )
        return frozenset(
            norm
            for k, ((_, norm), lemmas_k) in enumerate(zip(words, lemmas, strict=True))
            if first <= k < end or lemmas_k & own
        )

    flags = []
    for flag, spans in found.items():
        first, end = min(s.start for s in spans), max(s.end for s in spans)
        # Where the words stand: the text's words are its clauses' words, in turn.
        words_at = list(itertools.islice(word_spans(text), first, end))
        quoted = text[words_at[0][0] : words_at[-1][1]]
        # As the text has them, on one line, any control character escaped.
        flags.append(FlagMatch(flag, shown(" ".join(quoted.split())), _said(flag, first, end)))
    return tuple(flags)


def _places(
    lexicon: Lexicon, words: list[frozenset[str]], patterns: set[int]
) -> dict[tuple[int, int], list[_Span]]:
    """Where each group of these patterns is found: (pattern, group) → its places, in order."""
    places: dict[tuple[int, int], list[_Span]] = {}
    for i, lemmas in enumerate(words):
        for lemma in lemmas:
            for phrase in lexicon.flag_phrases.get(lemma, ()):
                if phrase.pattern not in patterns:
                    continue
                end = i + len(phrase.lemmas)
                rest = enumerate(phrase.lemmas[1:], 1)
                if end <= len(words) and all(w in words[i + k] for k, w in rest):
                    places.setdefault((phrase.pattern, phrase.group), []).append(_Span(i, end))
    return places


def _lemmas(lexicon: Lexicon, norm: str) -> frozenset[str]:
    """The red-flag lemmas a word may be: its own lemma; else those of the two words a Dutch
    compound may be made of ("wondinfectie"), or of the words it may be a typo of. A function
    word of either language is only ever itself ("after" is no form of the Dutch "aften")."""
    if norm in lexicon.lemmas:
        return frozenset((lexicon.lemmas[norm],)) & lexicon.flag_lemmas
    if lexicon.is_function_word(norm):
        return frozenset()
    lemma = lexicon.lemma(norm)
    if lemma is not None:
        return frozenset((lemma,)) & lexicon.flag_lemmas
    if not TYPO_MIN_LENGTH <= len(norm) <= LONGEST_WORD or not norm.isalpha():
        return frozenset()
    parts = _compound(lexicon, norm)
    if parts:
        return parts
    return frozenset(lexicon.lemmas[w] for w in _flag_typos(lexicon, norm)) & lexicon.flag_lemmas


def _compound(lexicon: Lexicon, norm: str) -> frozenset[str]:
    """The lemmas of the two words of the knowledge base a Dutch compound is made of, as they
    are written there, when one of them is a red-flag word: "wondinfectie" (wond, infectie),
    "lipzwelling" (lip, zwelling). The first word has three letters or more, the second four."""
    lemmas = lexicon.lemmas
    for cut in range(3, len(norm) - 3):
        first = lemmas.get(norm[:cut])
        if first is None:
            continue
        for link in COMPOUND_LINKS:
            rest = norm[cut:]
            if not rest.startswith(link) or len(rest) - len(link) < 4:
                continue
            second = lemmas.get(rest[len(link) :])
            if second is not None and {first, second} & lexicon.flag_lemmas:
                return frozenset((first, second)) & lexicon.flag_lemmas
    return frozenset()


def _flag_typos(lexicon: Lexicon, norm: str) -> tuple[str, ...]:
    """The words ``norm`` may be a typo of, by the typos of hands on a keyboard: letters left
    out, typed twice or swapped. A letter typed for another is not taken: it turns everyday
    words into red-flag words ("spelling" is no "swelling", "injection" no "infection")."""
    from rapidfuzz.distance import Indel

    return tuple(
        word
        for word in lexicon.typos(norm)
        if sorted(word) == sorted(norm) or Indel.distance(norm, word) <= (1 if len(norm) < 8 else 2)
    )


def _negated(
    lexicon: Lexicon, words: Sequence[tuple[int, str]], inside: set[int]
) -> tuple[set[int], set[int]]:
    """The words a negation takes away: those it reaches as the start of a red-flag phrase (a
    negation before them) and as the end of one (an after-negation). Negation words at the
    positions ``inside`` are part of a red-flag phrase, and no negation.

    A negation reaches the first word after it, over the gap only ("geen last van koorts").
    A word that negates either way ("niet", "not") reaches back only when nothing follows it to
    negate ("de moedervlek bloedt niet", but not "my mole is not normal, it bleeds"); an
    after-negation of its own ("weg", "gone") reaches back only over a word of the gap, as in
    "de koorts is weg" (not "hoe krijg ik de uitslag weg").
    """
    clauses = [clause for clause, _ in words]
    norms = [norm for _, norm in words]
    gap = [False] * len(norms)  # the words a negation reaches over
    for i, norm in enumerate(norms):
        if norm in lexicon.negation_gap:
            length = phrase_at(norms, i, lexicon.negation_gap)
            gap[i : i + length] = [True] * length

    def reach(k: int, step: int, clause: int) -> int | None:
        """From word k on, in steps of ``step``, the first word outside the gap (same clause)."""
        while 0 <= k < len(norms) and clauses[k] == clause:
            if not gap[k]:
                return k
            k += step
        return None

    starts: set[int] = set()
    ends: set[int] = set()
    for i, norm in enumerate(norms):
        if norm not in lexicon.steering or i in inside:
            continue
        if phrase_at(norms, i, lexicon.not_negations):  # "not only"
            continue
        length = phrase_at(norms, i, lexicon.negations)
        ahead = reach(i + length, 1, clauses[i]) if length else None
        if ahead is not None:
            starts.add(ahead)
        elif phrase_at(norms, i, lexicon.after_negations):
            back = reach(i - 1, -1, clauses[i])
            if back is not None and (length or back < i - 1):
                ends.add(back)
    return starts, ends


def _together(groups: list[list[_Span]], near: int) -> list[_Span]:
    """One place of each group, all within ``near`` words of one of the first group's; none
    when the groups are not all found near each other."""
    if not all(groups):
        return []
    for anchor in groups[0]:
        chosen = [anchor]
        for spans in groups[1:]:
            nearest = _nearest(spans, anchor.start)
            if abs(nearest.start - anchor.start) > near:
                break
            chosen.append(nearest)
        else:
            return chosen
    return []


def _nearest(spans: list[_Span], position: int) -> _Span:
    """The span (of a list in text order) that starts nearest to ``position``."""
    at = bisect_left(spans, (position,))
    around = spans[max(at - 1, 0) : at + 1]
    return min(around, key=lambda span: abs(span.start - position))
