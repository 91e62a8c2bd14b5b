"""Words: normalisation, a light Dutch/English stemmer, and the compiled index matching uses.

Case and accents are folded away, and a word is reduced to a stem by stripping common Dutch and
English endings and collapsing doubled letters, so that "rode", "rood" and "roodheid" meet, and so
do "jeukende" and "jeuk", "lijntjes" and "lijnen", "itching" and "itchy". The same reduction is
applied to the knowledge base's words and to the user's text, so it only has to be consistent, not
linguistically right. The ``Lexicon`` is built once per knowledge base and cached with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from fasewiel_cli.models import LanguageFile, RedFlag, Signal

# A word is a run of letters or digits, with inner apostrophes ("don't", "crow's"). Sentence
# punctuation ends a clause: phrases, negations and red-flag patterns never reach across it.
_TOKEN = re.compile(r"(?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)|(?P<stop>[.,;:!?()\[\]{}\n\r\u2026]+)")
_APOSTROPHES = str.maketrans("", "", "'\u2019")
_DOUBLED = re.compile(r"(.)\1+")
# Longest first, so that "ende" wins over "end", "en" and "e".
_SUFFIXES = (
    "heden",
    "heid",
    "ende",
    "ness",
    "ings",
    "tjes",
    "ing",
    "end",
    "jes",
    "tje",
    "ies",
    "en",
    "es",
    "ed",
    "je",
    "e",
    "s",
    "t",
    "y",
)
_MIN_STEM = 3
# Shorter words are never typo-corrected, nor corrected into: "rook" is not "rood".
TYPO_MIN_LENGTH = 5


@lru_cache(maxsize=65536)
def normalize(word: str) -> str:
    """Case- and accent-insensitive form of one word: ``"Geïrriteerd"`` → ``"geirriteerd"``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_APOSTROPHES)


@lru_cache(maxsize=65536)
def stem(norm: str) -> str:
    """Reduce a normalised word to the key that inflections and small typos share."""
    for _ in range(3):
        for suffix in _SUFFIXES:
            if norm.endswith(suffix) and len(norm) - len(suffix) >= _MIN_STEM:
                norm = norm[: -len(suffix)]
                break
        else:
            break
    return _DOUBLED.sub(r"\1", norm)


class Token(NamedTuple):
    text: str
    norm: str
    stem: str
    start: int
    end: int
    clause: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    clause = 0
    for m in _TOKEN.finditer(text):
        word = m.group("word")
        if word is None:
            clause += 1
            continue
        norm = normalize(word)
        tokens.append(Token(word, norm, stem(norm), m.start(), m.end(), clause))
    return tokens


def phrase_norms(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(phrase))


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(t.stem for t in tokenize(phrase))


def clauses(tokens: list[Token]) -> Iterator[list[Token]]:
    """Split a token list into its clauses (runs with the same clause number)."""
    start = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].clause != tokens[start].clause:
            yield tokens[start:i]
            start = i


class PhraseEntry(NamedTuple):
    """Everything one stem sequence can mean: the signals, and the exact spellings known."""

    signals: tuple[str, ...]
    spellings: frozenset[tuple[str, ...]]


class FlagPattern(NamedTuple):
    """A red-flag pattern: every group must occur; each group is a set of stem sequences."""

    flag: str
    groups: tuple[frozenset[tuple[str, ...]], ...]
    # Every stem of the first group: a clause without any of them cannot match (a quick reject).
    anchor_stems: frozenset[str]


class Lexicon(NamedTuple):
    phrases: dict[tuple[str, ...], PhraseEntry]
    max_phrase: int
    flag_patterns: tuple[FlagPattern, ...]
    known_stems: frozenset[str]
    typo_targets: tuple[str, ...]
    negations: frozenset[str]
    not_negations: frozenset[tuple[str, ...]]
    breakers: frozenset[str]
    fillers: frozenset[str]
    suggestion_keys: tuple[str, ...]
    suggestion_texts: tuple[str, ...]

    def is_function_word(self, norm: str) -> bool:
        return norm in self.fillers or norm in self.negations or norm in self.breakers


def split_pattern(pattern: str) -> list[list[str]]:
    """``"mole|moles + bleeds|changes"`` → ``[["mole", "moles"], ["bleeds", "changes"]]``."""
    return [[alt.strip() for alt in group.split("|")] for group in pattern.split(" + ")]


def build_lexicon(
    signals: Iterable[Signal], red_flags: Iterable[RedFlag], language: LanguageFile
) -> Lexicon:
    phrases: dict[tuple[str, ...], tuple[list[str], set[tuple[str, ...]]]] = {}
    suggestions: dict[str, str] = {}
    for signal in signals:
        for phrase in signal.phrases():
            key = phrase_stems(phrase)
            if not key:
                continue
            ids, spellings = phrases.setdefault(key, ([], set()))
            if signal.id not in ids:
                ids.append(signal.id)
            spellings.add(phrase_norms(phrase))
            suggestions.setdefault(" ".join(phrase_norms(phrase)), phrase)
    patterns = tuple(
        _flag_pattern(flag.id, pattern) for flag in red_flags for pattern in flag.patterns.all()
    )
    fillers = _norm_set(language.fillers.all())
    flag_words = {s for p in patterns for g in p.groups for alt in g for s in alt}
    signal_words = {s for key in phrases for s in key}
    typo_targets = sorted(
        {
            norm
            for spellings in (entry[1] for entry in phrases.values())
            for spelling in spellings
            for norm in spelling
            if len(norm) >= TYPO_MIN_LENGTH and norm not in fillers
        }
        | {
            word
            for flag in red_flags
            for pattern in flag.patterns.all()
            for group in split_pattern(pattern)
            for alt in group
            for word in phrase_norms(alt)
            if len(word) >= TYPO_MIN_LENGTH
        }
    )
    return Lexicon(
        phrases={k: PhraseEntry(tuple(v[0]), frozenset(v[1])) for k, v in phrases.items()},
        max_phrase=max((len(k) for k in phrases), default=1),
        flag_patterns=patterns,
        known_stems=frozenset(signal_words | flag_words),
        typo_targets=tuple(typo_targets),
        negations=_norm_set(language.negations.all()),
        not_negations=frozenset(phrase_norms(p) for p in language.not_negations.all()),
        breakers=_norm_set(language.scope_breakers.all()),
        fillers=fillers,
        suggestion_keys=tuple(suggestions),
        suggestion_texts=tuple(suggestions.values()),
    )


def _norm_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(n for w in words for n in phrase_norms(w))


def _flag_pattern(flag_id: str, pattern: str) -> FlagPattern:
    groups = tuple(
        frozenset(phrase_stems(alt) for alt in group if phrase_stems(alt))
        for group in split_pattern(pattern)
    )
    return FlagPattern(flag_id, groups, frozenset(s for alt in groups[0] for s in alt))
