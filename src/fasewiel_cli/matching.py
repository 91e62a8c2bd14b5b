"""Text → signals: which signals the words express, which are negated, which red flags show, and
which words were not understood (with suggestions).

The text is read clause by clause (sentence punctuation ends one). In a clause, red flags are
found first, then the longest known phrase at each position. A word matches a knowledge-base word
when it is that word or a form of it (``morphology``), or — for longer words — a small typo of
it. Negations are read last: "geen"/"no" exclude what follows, up to a scope breaker ("maar",
"but"); "niet"/"weg"/"gone" after a signal exclude it ("het jeukt niet"); a negation carries over
a comma into a list ("geen jeuk, roodheid of branderigheid"). A signal negated anywhere in the
text is left out of the assessment.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from fasewiel_cli.lexicon import (
    LONGEST_WORD,
    TYPO_MIN_LENGTH,
    FlagPattern,
    Lexicon,
    Token,
    split_clauses,
    tokenize,
)

if TYPE_CHECKING:
    from fasewiel_cli.models import KnowledgeBase

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
    text: str
    suggestions: tuple[str, ...]


class FlagMatch(NamedTuple):
    flag: str
    text: str


class ClauseResult(NamedTuple):
    """What one clause holds, and how it may pass a negation on to the next clause."""

    matches: tuple[SignalMatch, ...]
    flags: tuple[FlagMatch, ...]
    unrecognised: tuple[Unrecognised, ...]
    # A negation is still in force at the end ("geen jeuk, …").
    open_negation: bool
    # The clause is a list ("roodheid of branderigheid") with no breaker: it takes a negation on.
    listing: bool
    # The signals mentioned, in order, and those of them negated.
    mentioned: tuple[str, ...]
    negated_ids: frozenset[str]
    # The lemmas in the clause that red-flag patterns are made of (mostly none): whether a
    # longer clause holding this one could show a red flag is decided from its parts' sets.
    flag_words: frozenset[str] = frozenset()


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
    red flags are also looked for with the built-in lexicon (``kb.guard``)."""
    match = match_text(kb.lexicon, text)
    if kb.guard is None:
        return match
    known = {f.flag for f in match.red_flags}
    extra = tuple(f for f in match_text(kb.guard, text).red_flags if f.flag not in known)
    return match._replace(red_flags=(*match.red_flags, *extra)) if extra else match


def match_text(lexicon: Lexicon, text: str) -> MatchResult:
    """Read ``text`` clause by clause; identical clauses are read once (``lexicon.memo``)."""
    matches: list[SignalMatch] = []
    flags: dict[str, FlagMatch] = {}
    unrecognised: list[Unrecognised] = []
    mentioned: list[str] = []
    negated: set[str] = set()
    for found, carried in _clauses(lexicon, text):
        if carried:  # "geen jeuk, roodheid of …": the list takes the negation on
            matches += [m._replace(negated=True) for m in found.matches]
            negated.update(m.signal for m in found.matches)
        else:
            matches += found.matches
            mentioned += found.mentioned
            negated |= found.negated_ids
        for flag in found.flags:
            flags.setdefault(flag.flag, flag)
        unrecognised += found.unrecognised
    counted = tuple(dict.fromkeys(s for s in mentioned if s not in negated))
    return MatchResult(
        text,
        tuple(matches),
        tuple(unrecognised),
        tuple(flags.values()),
        counted,
        frozenset(negated),
    )


def read_signals(lexicon: Lexicon, text: str) -> tuple[tuple[str, ...], list[str], list[str]]:
    """What ``match_text`` finds that a batch needs: the signals that count (``signal_ids``),
    the red flags (their ids, in order) and the words not recognised (as typed), without
    building the matches (tests/test_properties.py holds the two together)."""
    plain = _plain_reading(lexicon, text)
    if plain is not None:
        return plain[0], [], plain[1]
    mentioned: list[str] = []
    negated: set[str] = set()
    flags: dict[str, None] = {}
    words: list[str] = []
    for found, carried in _clauses(lexicon, text):
        if carried:
            negated.update(m.signal for m in found.matches)
        else:
            mentioned += found.mentioned
            negated |= found.negated_ids
        flags.update(dict.fromkeys(flag.flag for flag in found.flags))
        words += [word.text for word in found.unrecognised]
    counted = tuple(dict.fromkeys(s for s in mentioned if s not in negated))
    return counted, list(flags), words


# A text of plain ASCII words, single spaces and commas, semicolons or full stops (a run of them
# between two words or at the end, with at most one space on either side), as most batch texts are.
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9]+(?:(?: | ?[.,;]+ ?)[A-Za-z0-9]+)*(?: ?[.,;]+)?")
_PUNCTUATION = frozenset(".,;")


def plain_pieces(lexicon: Lexicon, text: str) -> Iterator[tuple[str, bool]]:
    """The pieces of a plain text (``_PLAIN_TEXT``), split at its punctuation and its scope
    breakers (any case), with the single spaces around them: each atom (possibly empty) and
    the stop after it, True for a run of punctuation and False for a breaker; the text's end
    is a last stop (True). (``str`` methods: several times faster than a pattern that splits
    the same way, which tests hold it to.)"""
    breakers = lexicon.breakers
    run: list[str] = []  # the words of the atom so far
    marks = False  # the token before was punctuation (a run of marks is one stop)
    for token in text.replace(",", " , ").replace(";", " ; ").replace(".", " . ").split():
        if token in _PUNCTUATION:
            if marks:
                continue
            marks = stop = True
        elif token.lower() in breakers:
            marks = stop = False
        else:
            marks = False
            run.append(token)
            continue
        yield " ".join(run), stop
        run.clear()
    yield " ".join(run), True


def _plain_reading(lexicon: Lexicon, text: str) -> tuple[tuple[str, ...], list[str]] | None:
    """``read_signals`` of a plain text in one go: the signals that count and the words not
    recognised, from the readings of its *atoms*, the runs between its punctuation and its scope
    breakers (``plain_pieces``): the parts ``_read`` reads a clause in. None when how
    clauses and parts are put together matters (the text is then read clause by clause): when
    an atom holds a red flag, when the atoms of a clause may make one together, or when a
    negation is still open after an atom that is not the last ("geen jeuk, roodheid …")."""
    if not lexicon.plain_breakers or not _PLAIN_TEXT.fullmatch(text):
        return None
    memo = lexicon.memo
    mentioned: list[str] = []
    negated: frozenset[str] = _NONE
    words: list[str] = []
    flag_words: list[frozenset[str]] = []  # those of the clause's atoms so far
    broken = False  # a breaker in the clause so far
    open_negation = False
    for atom, stop in plain_pieces(lexicon, text):
        if atom:
            if open_negation:
                return None
            found: ClauseResult | None = memo.get(atom)
            if found is None:
                found = _read(lexicon, atom)
            else:
                memo.move_to_end(atom)
            if found.flags:
                return None
            mentioned += found.mentioned
            if found.negated_ids:
                negated |= found.negated_ids
            open_negation = found.open_negation
            if found.unrecognised:
                words += [word.text for word in found.unrecognised]
            if found.flag_words:
                flag_words.append(found.flag_words)
        if not stop:
            broken = True
        else:
            if broken and flag_words and _may_flag(lexicon, _NONE.union(*flag_words)):
                return None  # (read whole: a red flag may pair words across a breaker)
            flag_words.clear()
            broken = False
    if negated:
        return tuple(dict.fromkeys(s for s in mentioned if s not in negated)), words
    return tuple(dict.fromkeys(mentioned)), words


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


def _read(lexicon: Lexicon, clause: str) -> ClauseResult:
    """A clause's reading, from the memo if it was read before.

    A clause whose words hold no red flag is read in parts, split at its scope breakers ("rood
    en jeuk en dof" is "rood", "jeuk", "dof"): no phrase and no negation reaches across a
    breaker, and parts repeat far more often than their combinations do. A red flag may pair
    words across a breaker ("koorts en uitslag"), so such a clause is read whole.
    """
    memo = lexicon.memo
    found: ClauseResult | None = memo.get(clause)
    if found is not None:
        memo.move_to_end(clause)
        return found
    return _read_new(lexicon, clause)


def _read_new(lexicon: Lexicon, clause: str) -> ClauseResult:
    """``_read`` of a clause not in the memo; remembered."""
    tokens = tokenize(clause)
    norms = [t.norm for t in tokens]
    flag_words = _flag_words(lexicon, norms)
    cuts = [i for i, norm in enumerate(norms) if norm in lexicon.breakers]
    if not cuts or _may_flag(lexicon, flag_words):
        found = _Clause(lexicon, clause, tokens).read()._replace(flag_words=flag_words)
    else:
        edges = [-1, *cuts, len(tokens)]
        parts = [
            _read(lexicon, clause[tokens[a + 1].start : tokens[b - 1].end])
            for a, b in itertools.pairwise(edges)
            if b - a > 1
        ]
        found = _combine(parts, flag_words)
    if len(clause) <= LONGEST_KEY:
        memo = lexicon.memo
        memo[clause] = found
        if len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return found


def _flag_words(lexicon: Lexicon, norms: list[str]) -> frozenset[str]:
    """The lemmas of these words that red-flag patterns use."""
    flag_lemmas = lexicon.flag_lemmas
    found = {
        lemma
        for norm in norms
        if (lemma := lexicon.lemma(norm) or _typo_lemma(lexicon, norm)) in flag_lemmas
    }
    return frozenset(found) if found else _NONE


_NONE: frozenset[str] = frozenset()


def _may_flag(lexicon: Lexicon, lemmas: frozenset[str]) -> bool:
    """Could a red-flag pattern find all its groups among these lemmas (those of a clause that
    red-flag patterns use)?"""
    if not lemmas:
        return False
    memo = lexicon.flag_memo
    found = memo.get(lemmas)
    if found is None:
        candidates = {n for lemma in lemmas for n in lexicon.flag_index.get(lemma, ())}
        found = any(
            all(
                any(all(word in lemmas for word in words) for words in group)
                for group in lexicon.flag_patterns[n].groups
            )
            for n in candidates
        )
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[lemmas] = found
    return found


def _combine(parts: Sequence[ClauseResult], flag_words: frozenset[str]) -> ClauseResult:
    """The reading of a clause from those of its parts between scope breakers."""
    if not parts:
        return ClauseResult((), (), (), False, False, (), _NONE, flag_words)
    chain = itertools.chain.from_iterable
    return ClauseResult(
        tuple(chain(part.matches for part in parts)),
        tuple(chain(part.flags for part in parts)),
        tuple(chain(part.unrecognised for part in parts)),
        parts[-1].open_negation,
        False,  # a clause with a breaker in it is no list that takes on a negation
        tuple(chain(part.mentioned for part in parts)),
        _NONE.union(*(part.negated_ids for part in parts)) or _NONE,
        flag_words,
    )


class _Span(NamedTuple):
    start: int
    end: int


class _Clause:
    """One clause, as parallel lists per token.

    ``used[i]``: token i belongs to a signal or a red flag's anchor. ``claimed[i]``: token i
    belongs to a matched phrase or red-flag pattern (so a negation word in it is no negation).
    ``understood[i]``: token i is accounted for, so it is not reported as unrecognised.
    """

    def __init__(self, lexicon: Lexicon, text: str, tokens: list[Token] | None = None) -> None:
        self.lexicon = lexicon
        self.text = text
        self.tokens = tokenize(text) if tokens is None else tokens
        self.norms = [t.norm for t in self.tokens]
        self.lemmas, self.typos = _lemmas(lexicon, self.tokens)
        self.used = [False] * len(self.tokens)
        self.claimed = [False] * len(self.tokens)
        self.understood = [lemma in lexicon.flag_lemmas for lemma in self.lemmas]
        self.negations: list[_Span] = []
        self.after_negations: list[_Span] = []
        self.breakers: list[int] = []
        self._find_function_words()

    def read(self) -> ClauseResult:
        anchors = self._find_flags()
        phrases = self._find_signals()
        # A negation word inside a phrase ("geen klachten", "niet geneest") is no negation.
        self.negations = [n for n in self.negations if not any(self.claimed[n.start : n.end])]
        self.after_negations = [
            n for n in self.after_negations if not any(self.claimed[n.start : n.end])
        ]
        spans = sorted([span for span, _ in phrases] + [span for span, _ in anchors])
        flags = tuple(flag for span, flag in anchors if not self._negated(span, spans))
        matches = tuple(
            match._replace(negated=self._negated(span, spans)) for span, match in phrases
        )
        open_negation, listing = self._passing_on(spans)
        return ClauseResult(
            matches,
            flags,
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
            skip = _phrase_at(norms, i, lexicon.not_negations)
            if skip:
                self._understand(i, i + skip)
                i += skip
                continue
            length = _phrase_at(norms, i, lexicon.negations)
            after = _phrase_at(norms, i, lexicon.after_negations)
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
        return any(start <= b < end for b in self.breakers)

    def _negated(self, span: _Span, spans: list[_Span]) -> bool:
        for negation in self.negations:  # "geen jeuk", "no itching or redness"
            if negation.end <= span.start and not self._broken(negation.end, span.start):
                return True
        for negation in self.after_negations:  # "het jeukt niet", "de jeuk is weg"
            if span.end <= negation.start and not self._broken(span.end, negation.start):
                between = any(span.end <= s.start < negation.start for s in spans)
                ahead = any(
                    s.start >= negation.end and not self._broken(negation.end, s.start)
                    for s in spans
                )
                if not between and not (ahead and negation in self.negations):
                    return True
        return False

    def _passing_on(self, spans: list[_Span]) -> tuple[bool, bool]:
        """Does a negation reach the end of this clause; is this clause a list that takes one?"""
        last = max((n.end for n in self.negations), default=None)
        open_negation = last is not None and not self._broken(last, len(self.norms))
        listing = not self.breakers and any(n in self.lexicon.list_words for n in self.norms)
        return open_negation, listing and bool(spans)

    # --- red flags and signals --------------------------------------------------------------

    def _use(self, span: _Span) -> None:
        self.used[span.start : span.end] = [True] * (span.end - span.start)
        self._claim(span)

    def _claim(self, span: _Span) -> None:
        self.claimed[span.start : span.end] = [True] * (span.end - span.start)
        self._understand(span.start, span.end)

    def _understand(self, start: int, end: int) -> None:
        self.understood[start:end] = [True] * (end - start)

    def _text(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def _find_flags(self) -> list[tuple[_Span, FlagMatch]]:
        index = self.lexicon.flag_index
        candidates = sorted({p for lemma in self.lemmas if lemma for p in index.get(lemma, ())})
        found: dict[str, tuple[_Span, FlagMatch]] = {}
        for number in candidates:
            pattern = self.lexicon.flag_patterns[number]
            if pattern.flag not in found:
                match = self._find_pattern(pattern)
                if match is not None:
                    found[pattern.flag] = match
        return list(found.values())

    def _find_pattern(self, pattern: FlagPattern) -> tuple[_Span, FlagMatch] | None:
        """The anchor (first group) and every other group of the pattern in this clause.

        The anchor's words are taken; the other groups' words stay available to signals
        ("rood en koorts" is both a red flag and redness).
        """
        anchor = next(self._occurrences(pattern.groups[0]), None)
        if anchor is None:
            return None
        spans = [anchor]
        for group in pattern.groups[1:]:
            span = next(self._occurrences(group), None)
            if span is None:
                return None
            spans.append(span)
        self._use(anchor)
        for span in spans[1:]:
            self._claim(span)
        text = self._text(min(s.start for s in spans), max(s.end for s in spans))
        return anchor, FlagMatch(pattern.flag, text)

    def _occurrences(self, group: frozenset[tuple[str, ...]]) -> Iterator[_Span]:
        lemmas = self.lemmas
        for i, first in enumerate(lemmas):
            for words in group:
                end = i + len(words)
                if first == words[0] and tuple(lemmas[i:end]) == words and self._free(i, end):
                    yield _Span(i, end)

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
            t
            for t, understood in zip(self.tokens, self.understood, strict=True)
            if not understood and not lexicon.is_function_word(t.norm) and _is_word(t.norm)
        ]
        if not leftovers:
            return ()
        from fasewiel_cli.fuzzy import suggest

        keys, texts = lexicon.suggestion_keys, lexicon.suggestion_texts
        return tuple(Unrecognised(t.text, suggest(t.norm, keys, texts)) for t in leftovers)


def _phrase_at(norms: list[str], i: int, phrases: dict[str, tuple[tuple[str, ...], ...]]) -> int:
    """The length of the longest of ``phrases`` at position i (0: none)."""
    for phrase in phrases.get(norms[i], ()):
        if tuple(norms[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


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
    from fasewiel_cli.fuzzy import closest

    candidates = {lexicon.lemma(word) for word in closest(norm, lexicon.typo_targets)}
    return candidates.pop() if len(candidates) == 1 else None
