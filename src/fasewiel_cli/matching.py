"""Text → signals: which signals the words express, which are negated, which red flags show, and
which words were not understood (with suggestions).

Per clause (sentence punctuation ends one): red flags first, then the longest known phrase at each
position. A phrase matches on stems, so inflections match too; a word that is no known stem may be
corrected to a known word one or two edits away (typos). A negation ("geen", "niet", "no") reaches
forward to the end of the clause or a scope breaker ("maar", "but"); a signal negated anywhere in
the text is excluded from the assessment.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from fasewiel_cli.lexicon import TYPO_MIN_LENGTH, Lexicon, PhraseEntry, Token, stem, tokenize

How = Literal["exact", "stem", "typo"]


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


class MatchResult(NamedTuple):
    text: str
    matches: tuple[SignalMatch, ...]
    unrecognised: tuple[Unrecognised, ...]
    red_flags: tuple[FlagMatch, ...]

    @property
    def negated_ids(self) -> frozenset[str]:
        return frozenset(m.signal for m in self.matches if m.negated)

    @property
    def matched(self) -> tuple[SignalMatch, ...]:
        """Matches that count: not negated here, nor anywhere else in the text."""
        excluded = self.negated_ids
        return tuple(m for m in self.matches if m.signal not in excluded)

    @property
    def negated(self) -> tuple[SignalMatch, ...]:
        return tuple(m for m in self.matches if m.negated)

    @property
    def signal_ids(self) -> tuple[str, ...]:
        """The signals that count, each once, in the order they were first mentioned."""
        return tuple(dict.fromkeys(m.signal for m in self.matched))


def match_text(lexicon: Lexicon, text: str) -> MatchResult:
    tokens = tokenize(text)
    stems, typos = _correct_typos(lexicon, tokens)
    matches: list[SignalMatch] = []
    flags: dict[str, FlagMatch] = {}
    used: set[int] = set()
    start = 0
    for end in range(1, len(tokens) + 1):
        if end == len(tokens) or tokens[end].clause != tokens[start].clause:
            span = _Clause(lexicon, text, tokens, stems, typos, start, end, used)
            span.find_flags(flags)
            matches += span.find_signals()
            start = end
    leftovers = [
        t
        for i, t in enumerate(tokens)
        if i not in used and not lexicon.is_function_word(t.norm) and _is_word(t.norm)
    ]
    unrecognised = _unrecognised(lexicon, leftovers)
    return MatchResult(text, tuple(matches), unrecognised, tuple(flags.values()))


def _is_word(norm: str) -> bool:
    return len(norm) >= 2 and not norm.isdigit()


def _correct_typos(lexicon: Lexicon, tokens: list[Token]) -> tuple[list[str], set[int]]:
    """Stems per token, with unknown words replaced by the known word they are a typo of."""
    stems = [t.stem for t in tokens]
    suspects = [
        i
        for i, t in enumerate(tokens)
        if t.stem not in lexicon.known_stems
        and len(t.norm) >= TYPO_MIN_LENGTH
        and t.norm.isalpha()
        and not lexicon.is_function_word(t.norm)
    ]
    typos: set[int] = set()
    if suspects:
        from fasewiel_cli.fuzzy import correct

        for i in suspects:
            word = correct(tokens[i].norm, lexicon.typo_targets)
            if word is not None:
                stems[i] = stem(word)
                typos.add(i)
    return stems, typos


def _unrecognised(lexicon: Lexicon, leftovers: list[Token]) -> tuple[Unrecognised, ...]:
    if not leftovers:
        return ()
    from fasewiel_cli.fuzzy import suggest

    return tuple(
        Unrecognised(t.text, suggest(t.norm, lexicon.suggestion_keys, lexicon.suggestion_texts))
        for t in leftovers
    )


class _Clause:
    """One clause of the text: the token range [lo, hi) and its negation scopes."""

    def __init__(
        self,
        lexicon: Lexicon,
        text: str,
        tokens: list[Token],
        stems: list[str],
        typos: set[int],
        lo: int,
        hi: int,
        used: set[int],
    ) -> None:
        self.lexicon, self.text, self.tokens = lexicon, text, tokens
        self.stems, self.typos, self.lo, self.hi, self.used = stems, typos, lo, hi, used
        self.negated = self._negation_scopes()

    def _negation_scopes(self) -> dict[int, bool]:
        """For each token: is a negation in force just before it?"""
        lexicon, active, scopes = self.lexicon, False, {}
        i = self.lo
        while i < self.hi:
            skip = self._not_negation_length(i)
            for k in range(i, i + max(skip, 1)):
                scopes[k] = active
            if skip:
                i += skip
                continue
            norm = self.tokens[i].norm
            if norm in lexicon.negations:
                active = True
            elif norm in lexicon.breakers:
                active = False
            i += 1
        return scopes

    def _not_negation_length(self, i: int) -> int:
        for phrase in self.lexicon.not_negations:
            end = i + len(phrase)
            if end <= self.hi and all(
                self.tokens[k].norm == w for k, w in zip(range(i, end), phrase, strict=True)
            ):
                return len(phrase)
        return 0

    def _free(self, i: int, length: int) -> bool:
        return i + length <= self.hi and not any(k in self.used for k in range(i, i + length))

    def _span(self, i: int, end: int) -> str:
        return self.text[self.tokens[i].start : self.tokens[end - 1].end]

    def find_flags(self, found: dict[str, FlagMatch]) -> None:
        present = set(self.stems[self.lo : self.hi])
        for pattern in self.lexicon.flag_patterns:
            if pattern.flag in found or present.isdisjoint(pattern.anchor_stems):
                continue
            spans = []
            for n, group in enumerate(pattern.groups):
                span = self._find_group(group, anchor=n == 0)
                if span is None:
                    break
                spans.append(span)
            else:
                lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
                found[pattern.flag] = FlagMatch(pattern.flag, self._span(lo, hi))
                for a, b in spans:
                    self.used.update(range(a, b))

    def _find_group(
        self, group: frozenset[tuple[str, ...]], anchor: bool
    ) -> tuple[int, int] | None:
        """The first free occurrence of the group. A negated anchor ("geen koorts") does not
        count, but its words are understood, so they are not reported as unrecognised."""
        for i in range(self.lo, self.hi):
            for words in group:
                end = i + len(words)
                if not self._free(i, len(words)) or tuple(self.stems[i:end]) != words:
                    continue
                if anchor and self.negated[i]:
                    self.used.update(range(i, end))
                    break
                return i, end
        return None

    def find_signals(self) -> list[SignalMatch]:
        matches: list[SignalMatch] = []
        i = self.lo
        while i < self.hi:
            found = self._longest_phrase(i)
            if found is None:
                i += 1
                continue
            length, entry = found
            end = i + length
            how = self._how(i, end, entry)
            text = self._span(i, end)
            matches += [SignalMatch(text, s, how, self.negated[i]) for s in entry.signals]
            self.used.update(range(i, end))
            i = end
        return matches

    def _longest_phrase(self, i: int) -> tuple[int, PhraseEntry] | None:
        phrases = self.lexicon.phrases
        for length in range(min(self.lexicon.max_phrase, self.hi - i), 0, -1):
            entry = phrases.get(tuple(self.stems[i : i + length]))
            if entry is not None and self._free(i, length):
                return length, entry
        return None

    def _how(self, i: int, end: int, entry: PhraseEntry) -> How:
        if any(k in self.typos for k in range(i, end)):
            return "typo"
        norms = tuple(self.tokens[k].norm for k in range(i, end))
        return "exact" if norms in entry.spellings else "stem"
