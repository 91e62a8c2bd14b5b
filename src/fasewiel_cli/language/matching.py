"""Text → signals: which signals the words express, which are negated, which red flags show, and
which words were not understood.

The text is read clause by clause (sentence punctuation ends one); in a clause, the longest known
phrase at each position. A word matches a knowledge-base word when it is that word or a form of it
(``morphology``), or — for longer words — a small typo of it. Negations are read last:
"geen"/"no" exclude what follows, up to a scope breaker ("maar", "but"); "niet"/"weg"/"gone" after
a signal exclude it ("het jeukt niet"); a negation carries over a comma into a list ("geen jeuk,
roodheid of branderigheid"). A signal negated anywhere in the text is left out of the assessment.

Red flags are read from the whole text by rules of their own (``safety``): no negation of another
word, no punctuation and no cosmetic word can hide one.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.language.lexicon import (
    LONGEST_WORD,
    TYPO_MIN_LENGTH,
    Lexicon,
    Token,
    lexicon_of,
    phrase_at,
    readable,
    split_clauses,
    tokenize,
)
from fasewiel_cli.language.safety import FlagMatch, find_red_flags

if TYPE_CHECKING:
    from fasewiel_cli.knowledge.models import KnowledgeBase

How = Literal["exact", "form", "typo"]
# Distinct clauses remembered per knowledge base; intake texts repeat the same phrases a lot.
MEMO_SIZE = 1024
# Longer clauses are not remembered: a thousand clauses of a megabyte would not keep memory flat,
# and such clauses do not repeat.
LONGEST_KEY = 512


class SignalMatch(NamedTuple):
    """Words of the user's text (as typed) that express a signal."""

    text: str
    signal: str
    how: How
    negated: bool


class Unrecognised(NamedTuple):
    """A word not understood: as typed, and normalised (to look for what was meant). A word of
    a red flag is understood only where the text shows that red flag (``flag``)."""

    text: str
    norm: str
    flag: bool = False


class ClauseResult(NamedTuple):
    """What one clause holds, and how it may pass a negation on to the next clause."""

    # The clause's words, normalised (for the red-flag reader, which reads the whole text).
    norms: tuple[str, ...]
    matches: tuple[SignalMatch, ...]
    unrecognised: tuple[Unrecognised, ...]
    # A negation is still in force at the end ("geen jeuk, …").
    open_negation: bool
    # The clause is a list ("roodheid of branderigheid") with no breaker: it takes a negation on.
    listing: bool
    # The signals mentioned, in order, and those of them negated.
    mentioned: tuple[str, ...]
    negated_ids: frozenset[str]


class MatchResult(NamedTuple):
    text: str
    matches: tuple[SignalMatch, ...]
    unrecognised: tuple[Unrecognised, ...]
    red_flags: tuple[FlagMatch, ...]
    # The signals that count, each once, in the order they were first mentioned.
    signal_ids: tuple[str, ...]
    # The signals negated somewhere: they do not count anywhere.
    negated_ids: frozenset[str]

    @property
    def matched(self) -> tuple[SignalMatch, ...]:
        """Matches that count: not negated here, nor anywhere else in the text."""
        excluded = self.negated_ids
        return tuple(m for m in self.matches if m.signal not in excluded)

    @property
    def negated(self) -> tuple[SignalMatch, ...]:
        return tuple(m for m in self.matches if m.negated)


def read_text(kb: KnowledgeBase, text: str) -> MatchResult:
    """``text`` read with the knowledge base's lexicon; for a custom knowledge base, the built-in
    red flags are also looked for with the built-in lexicon and its language rules: a custom
    knowledge base's own negations or filler words cannot switch them off."""
    match = match_text(lexicon_of(kb), text)
    if kb.info.builtin:
        return match
    guard = lexicon_of(load_knowledge())
    known = {f.flag for f in match.red_flags}
    extra = tuple(f for f in find_red_flags(guard, text) if f.flag not in known)
    if not extra:
        return match
    return match._replace(
        red_flags=(*match.red_flags, *extra),
        unrecognised=not_understood(match.unrecognised, extra),
    )


def match_text(lexicon: Lexicon, text: str) -> MatchResult:
    """Read ``text`` clause by clause (identical clauses are read once: ``lexicon.memo``), and
    look for red flags in the whole of it. (The result keeps ``text`` as written; it is read
    as ``readable`` makes it.)"""
    written, text = text, readable(text)
    matches: list[SignalMatch] = []
    unrecognised: list[Unrecognised] = []
    mentioned: list[str] = []
    negated: set[str] = set()
    words: list[tuple[int, str]] = []
    for number, (found, carried) in enumerate(_clauses(lexicon, text)):
        words += [(number, norm) for norm in found.norms]
        if carried:  # "geen jeuk, roodheid of …": the list takes the negation on
            matches += [m._replace(negated=True) for m in found.matches]
            negated.update(m.signal for m in found.matches)
        else:
            matches += found.matches
            mentioned += found.mentioned
            negated |= found.negated_ids
        unrecognised += found.unrecognised
    counted = tuple(dict.fromkeys(s for s in mentioned if s not in negated))
    flags = find_red_flags(lexicon, text, words)
    return MatchResult(
        written,
        tuple(matches),
        not_understood(unrecognised, flags),
        flags,
        counted,
        frozenset(negated),
    )


def not_understood(
    words: Sequence[Unrecognised], flags: Sequence[FlagMatch]
) -> tuple[Unrecognised, ...]:
    """Each word not understood once, as first written ("Blah … blah" is one): a word of a red
    flag counts only where the text shows that flag ("uitslag" alone says nothing fasewiel
    acts on, so it is reported, never dropped)."""
    covered = frozenset().union(*(f.words for f in flags))
    distinct: dict[str, Unrecognised] = {}
    for word in words:
        if not (word.flag and word.norm in covered):
            distinct.setdefault(word.text.casefold(), word)
    return tuple(distinct.values())


def _clauses(lexicon: Lexicon, text: str) -> Iterator[tuple[ClauseResult, bool]]:
    """The reading of each clause of ``text``, and whether a negation carried over from the
    clause before applies to it: a clause that is a list takes one on ("geen jeuk, roodheid of
    …"); a clause with a breaker in it is none, and passes on its last part's."""
    carried = False
    for clause in split_clauses(text):
        found = _read(lexicon, clause)
        carried = carried and found.listing
        yield found, carried
        carried = carried or found.open_negation


def _read(
    lexicon: Lexicon, clause: str, tokens: list[Token] | None = None, text: str | None = None
) -> ClauseResult:
    """A clause's reading, from the memo if it was read before (``tokens``: its words, when the
    caller has them, placed in ``text``: a longer text that holds the clause).

    A clause is read in parts, split at its scope breakers ("rood en jeuk en dof" is "rood",
    "jeuk", "dof"): no phrase and no negation reaches across a breaker, and parts repeat far
    more often than their combinations do.
    """
    memo = lexicon.memo
    found: ClauseResult | None = memo.get(clause)
    if found is not None:
        memo.move_to_end(clause)
        return found
    if tokens is None:
        tokens, text = tokenize(clause), clause
    cuts = [i for i, token in enumerate(tokens) if token.norm in lexicon.breakers]
    if not cuts:
        found = _Clause(lexicon, text or clause, tokens).read()
    else:
        edges = [-1, *cuts, len(tokens)]
        parts = [
            _read(
                lexicon, clause[tokens[a + 1].start : tokens[b - 1].end], tokens[a + 1 : b], clause
            )
            for a, b in itertools.pairwise(edges)
            if b - a > 1
        ]
        found = _combine(parts)._replace(norms=tuple(token.norm for token in tokens))
    if len(clause) <= LONGEST_KEY:
        memo[clause] = found
        if len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return found


_NONE: frozenset[str] = frozenset()


def _combine(parts: Sequence[ClauseResult]) -> ClauseResult:
    """The reading of a clause from those of its parts between scope breakers."""
    if not parts:
        return ClauseResult((), (), (), False, False, (), _NONE)
    chain = itertools.chain.from_iterable
    return ClauseResult(
        (),  # (the caller gives the whole clause's words)
        tuple(chain(part.matches for part in parts)),
        tuple(chain(part.unrecognised for part in parts)),
        parts[-1].open_negation,
        False,  # a clause with a breaker in it is no list that takes on a negation
        tuple(chain(part.mentioned for part in parts)),
        _NONE.union(*(part.negated_ids for part in parts)) or _NONE,
    )


class _Span(NamedTuple):
    start: int
    end: int


class _Clause:
    """One clause, as parallel lists per token.

    ``used[i]``: token i belongs to a matched phrase (so a negation word in it is no negation,
    and no other phrase takes it). ``understood[i]``: token i is accounted for, so it is not
    reported as unrecognised. Negations are looked up by position, so that a clause of any
    length is read in about linear time.
    """

    def __init__(self, lexicon: Lexicon, text: str, tokens: list[Token] | None = None) -> None:
        self.lexicon = lexicon
        self.text = text
        self.tokens = tokenize(text) if tokens is None else tokens
        self.norms = [t.norm for t in self.tokens]
        self.lemmas, self.typos = _lemmas(lexicon, self.tokens)
        self.used = [False] * len(self.tokens)
        self.understood = [False] * len(self.tokens)
        self.negations: list[_Span] = []
        self.after_negations: list[_Span] = []
        self.breakers: list[int] = []
        self._find_function_words()
        # The first scope breaker at or after each position (the clause's length: none).
        self._breaker_from = [len(self.norms)] * (len(self.norms) + 1)
        for k in reversed(self.breakers):
            self._breaker_from[k] = k
        for k in range(len(self.norms) - 1, -1, -1):
            self._breaker_from[k] = min(self._breaker_from[k], self._breaker_from[k + 1])

    def read(self) -> ClauseResult:
        phrases = self._find_signals()
        # A negation word inside a phrase ("geen klachten", "niet geneest") is no negation.
        self.negations = [n for n in self.negations if not any(self.used[n.start : n.end])]
        self.after_negations = [
            n for n in self.after_negations if not any(self.used[n.start : n.end])
        ]
        self._negation_ends = [n.end for n in self.negations]  # (in order)
        starts = [span.start for span, _ in phrases]  # (in order: phrases are found so)
        self._starts = starts
        matches = tuple(
            found
            for span, match in phrases
            for found in self._read_negation(
                span, match._replace(negated=self._negated(span, starts))
            )
        )
        open_negation, listing = self._passing_on(bool(phrases))
        return ClauseResult(
            tuple(self.norms),
            matches,
            self._unrecognised(),
            open_negation,
            listing,
            tuple(m.signal for m in matches if not m.negated),
            frozenset(m.signal for m in matches if m.negated) or _NONE,  # (one empty set, shared)
        )

    # --- function words ---------------------------------------------------------------------

    def _find_function_words(self) -> None:
        lexicon, norms = self.lexicon, self.norms
        i = 0
        while i < len(norms):
            if norms[i] not in lexicon.steering:  # (most words: no negation starts here)
                if norms[i] in lexicon.breakers:
                    self.breakers.append(i)
                i += 1
                continue
            skip = phrase_at(norms, i, lexicon.not_negations)
            if skip:
                self._understand(i, i + skip)
                i += skip
                continue
            length = phrase_at(norms, i, lexicon.negations)
            after = phrase_at(norms, i, lexicon.after_negations)
            if length or after:
                if length:
                    self.negations.append(_Span(i, i + length))
                if after:
                    self.after_negations.append(_Span(i, i + after))
                i += max(length, after)
                continue
            if norms[i] in lexicon.breakers:
                self.breakers.append(i)
            i += 1

    def _broken(self, start: int, end: int) -> bool:
        """Is there a scope breaker between token positions start and end?"""
        return self._breaker_from[start] < end

    def _negated(self, span: _Span, starts: list[int]) -> bool:
        """Is the phrase at ``span`` negated? ``starts``: where every phrase starts, in order."""
        # "geen jeuk", "no itching or redness": the nearest negation before it, with no breaker
        # between (an earlier one would have that breaker between too).
        ends = self._negation_ends
        before = bisect_right(ends, span.start)
        if before and not self._broken(ends[before - 1], span.start):
            return True
        # "het jeukt niet", "de jeuk is weg": an after-negation with no breaker and no other
        # phrase between; not one that negates a phrase after it instead ("rood niet jeuk").
        for negation in self.after_negations:
            if negation.start < span.end:
                continue
            if self._broken(span.end, negation.start) or _next(starts, span.end) < negation.start:
                return False  # (and so is every later one)
            ahead = _next(starts, negation.end)
            reaches_ahead = ahead < len(self.norms) and not self._broken(negation.end, ahead)
            if not (reaches_ahead and negation in self.negations):
                return True
        return False

    def _read_negation(self, span: _Span, match: SignalMatch) -> tuple[SignalMatch, ...]:
        """The match, and when it is a good thing negated or lost, the sign that loss is
        (language.yaml, lost_positives): "geen glans meer" is a dull skin."""
        if not match.negated:
            return (match,)
        lemmas = self.lemmas[span.start : span.end]
        for i, lemma in enumerate(lemmas):
            for words, means in self.lexicon.lost_positives.get(lemma or "", ()):
                if tuple(lemmas[i : i + len(words)]) == words:
                    return (match, SignalMatch(match.text, means, match.how, False))
        return (match,)

    def _passing_on(self, any_phrase: bool) -> tuple[bool, bool]:
        """Does a negation reach the end of this clause; is this clause a list that takes one?"""
        ends = self._negation_ends
        open_negation = bool(ends) and not self._broken(ends[-1], len(self.norms))
        listing = not self.breakers and any(n in self.lexicon.list_words for n in self.norms)
        return open_negation, listing and any_phrase

    # --- signals ----------------------------------------------------------------------------

    def _use(self, span: _Span) -> None:
        self.used[span.start : span.end] = [True] * (span.end - span.start)
        self._understand(span.start, span.end)

    def _understand(self, start: int, end: int) -> None:
        self.understood[start:end] = [True] * (end - start)

    def _text(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def _free(self, i: int, end: int) -> bool:
        return end <= len(self.used) and not any(self.used[i:end])

    def _find_signals(self) -> list[tuple[_Span, SignalMatch]]:
        lexicon, lemmas, found = self.lexicon, self.lemmas, []
        i = 0
        while i < len(lemmas):
            for length in lexicon.phrase_lengths.get(lemmas[i] or "", ()):
                end = i + length
                entry = lexicon.phrases.get(tuple(lemmas[i:end]))  # type: ignore[arg-type]
                if entry is not None and self._free(i, end):
                    span = _Span(i, end)
                    how = self._how(span, entry.spellings)
                    text = self._text(i, end)
                    found += [(span, SignalMatch(text, s, how, False)) for s in entry.signals]
                    self._use(span)
                    i = end
                    break
            else:
                i += 1
        return found

    def _how(self, span: _Span, spellings: frozenset[tuple[str, ...]]) -> How:
        if any(k in self.typos for k in range(span.start, span.end)):
            return "typo"
        return "exact" if tuple(self.norms[span.start : span.end]) in spellings else "form"

    def _unrecognised(self) -> tuple[Unrecognised, ...]:
        lexicon = self.lexicon
        leftovers = [
            (i, t)
            for i, (t, understood) in enumerate(zip(self.tokens, self.understood, strict=True))
            if not understood and not lexicon.is_function_word(t.norm) and _is_word(t.norm)
        ]
        flag_lemmas = lexicon.flag_lemmas
        found = []
        for i, token in leftovers:
            flag = self.lemmas[i] in flag_lemmas
            # A red-flag word said not to be there ("geen koorts") is understood.
            if not (flag and self._negated(_Span(i, i + 1), self._starts)):
                found.append(Unrecognised(token.text, token.norm, flag))
        return tuple(found)


def _next(starts: list[int], position: int) -> int:
    """The first of ``starts`` at or after ``position`` (past every position: none)."""
    at = bisect_left(starts, position)
    return starts[at] if at < len(starts) else 1 << 62


def _is_word(norm: str) -> bool:
    return len(norm) >= 2 and not norm.isdigit()


def _lemmas(lexicon: Lexicon, tokens: list[Token]) -> tuple[list[str | None], set[int]]:
    """The lemma of each token; unknown words may be small typos of a known word."""
    lemmas = [lexicon.lemma(t.norm) for t in tokens]
    typos: set[int] = set()
    for i, token in enumerate(tokens):
        if lemmas[i] is None and (lemma := _typo_lemma(lexicon, token.norm)) is not None:
            lemmas[i] = lemma
            typos.add(i)
    return lemmas, typos


def _typo_lemma(lexicon: Lexicon, norm: str) -> str | None:
    """The lemma of the one known word an unknown word may be a small typo of, if any.

    Words too short or too long, with digits or steering the reading ("niet", "en") are taken
    as typed.
    """
    if (
        len(norm) < TYPO_MIN_LENGTH
        or len(norm) > LONGEST_WORD
        or not norm.isalpha()
        or lexicon.is_function_word(norm)
    ):
        return None
    candidates = {lexicon.lemma(word) for word in lexicon.typos(norm)}
    return candidates.pop() if len(candidates) == 1 else None
