"""Words: normalisation, lemmas, and the compiled index that matching uses.

Case and accents are folded away ("Geïrriteerd" → "geirriteerd"). Every word of the knowledge
base belongs to a *lemma*: the group of knowledge-base words that are forms of one another
("rood", "rode", "roodheid"). A word the user types counts as a lemma when it is one of its
words, or a form Dutch or English builds from one of its bases (see ``morphology``). The
``Lexicon`` is built once per knowledge base, when a text is first read (``lexicon_of``), and
kept in the knowledge-base cache for the runs that follow.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_type_hints

from fasewiel_cli.knowledge import cache, load
from fasewiel_cli.knowledge.models import LANGS, Lang
from fasewiel_cli.language.morphology import bases, forms, own_bases
from fasewiel_cli.language.plain import Shape, read, shape

if TYPE_CHECKING:
    from fasewiel_cli.knowledge.models import KnowledgeBase, LanguageFile, RedFlag, Signal

# A word is a run of letters or digits, with inner apostrophes ("don't", "crow's"). Sentence
# punctuation ends a clause: phrases and negations never reach across it (red flags do, by
# design: see ``safety``).
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_STOP_CHARS = r".,;:!?()\[\]{}\n\r\u2026"
_STOPS = re.compile(f"[{_STOP_CHARS}]+")
_CLAUSE = re.compile(f"[^{_STOP_CHARS}]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019")
# Shorter words are never typo-corrected, nor corrected into: "rook" is not "rood".
TYPO_MIN_LENGTH = 5
# No known word, no form of one and no typo of one is this long (a test holds the knowledge base
# to a quarter less): longer words are taken as typed, and never remembered, so that a text of
# a megabyte of letters costs no memory once it is read.
LONGEST_WORD = 40


# Characters with no letter of their own that may sit inside a word and split it ("mo\u00adle"):
# the soft hyphen, zero-width characters and joiners, bidirectional controls, a BOM, the
# grapheme joiner, variation selectors, tag characters and the Hangul fillers. (Not
# text.INVISIBLE: the line and paragraph separators there part words, so they stay.)
_HIDDEN = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)


def readable(text: str) -> str:
    """``text`` as it is read: accents composed (NFC: "gei\u0308nfecteerd", as macOS may send it,
    is one word, not "gei" and "nfecteerd") and the characters that hide inside words taken
    out (``_HIDDEN``): neither may hide a red flag."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _HIDDEN.sub("", text)


def normalize(word: str) -> str:
    """Case- and accent-insensitive form of one word: ``"Geïrriteerd"`` → ``"geirriteerd"``."""
    return _normalized(word) if len(word) <= LONGEST_WORD else _normalize(word)


def _normalize(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_APOSTROPHES)


_normalized = lru_cache(maxsize=65536)(_normalize)


class Token(NamedTuple):
    text: str
    norm: str
    start: int
    end: int


def split_clauses(text: str) -> list[str]:
    """The clauses of a text: the runs between sentence punctuation, blank ones left out."""
    return [clause for clause in _STOPS.split(text) if clause and not clause.isspace()]


def tokenize(clause: str) -> list[Token]:
    """The words of one clause."""
    return [
        Token(word, normalize(word), m.start(), m.end())
        for m in _WORD.finditer(clause)
        for word in (m.group(),)
    ]


def detect_language(lexicon: Lexicon, text: str) -> Lang | None:
    """The language ``text`` is clearly written in: the one of which it holds at least twice as
    many words that belong to it alone as of any other (and at least one); None when it cannot
    tell."""
    votes: dict[Lang, int] = dict.fromkeys(LANGS, 0)
    for word in _WORD.findall(readable(text)):
        lang = lexicon.language(normalize(word))
        if lang is not None:
            votes[lang] += 1
    best = max(LANGS, key=votes.__getitem__)
    others = max((votes[lang] for lang in LANGS if lang != best), default=0)
    return best if votes[best] > 0 and votes[best] >= 2 * others else None


def text_tokens(text: str) -> tuple[list[Token], list[int]]:
    """Every word of a whole text (offsets into the text), and the number of each one's clause."""
    tokens: list[Token] = []
    clauses: list[int] = []
    for number, clause in enumerate(_CLAUSE.finditer(text)):
        for m in _WORD.finditer(text, clause.start(), clause.end()):
            tokens.append(Token(m.group(), normalize(m.group()), m.start(), m.end()))
            clauses.append(number)
    return tokens, clauses


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each word of a whole text starts and ends: the words of its clauses, in turn
    (no word holds the punctuation that ends a clause)."""
    return (m.span() for m in _WORD.finditer(text))


def phrase_at(norms: Sequence[str], i: int, phrases: dict[str, tuple[tuple[str, ...], ...]]) -> int:
    """The length of the longest of ``phrases`` (by first word) at position i (0: none)."""
    for phrase in phrases.get(norms[i], ()):
        if tuple(norms[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def phrase_norms(phrase: str) -> tuple[str, ...]:
    return tuple(normalize(word) for word in _WORD.findall(phrase))


class PhraseEntry(NamedTuple):
    """What one lemma sequence means: the signals, and the exact spellings known."""

    signals: tuple[str, ...]
    spellings: frozenset[tuple[str, ...]]


class FlagPattern(NamedTuple):
    """A red-flag pattern: every group must occur within ``near`` words of the first's; each
    group is a set of lemma sequences (its words in both languages)."""

    flag: str
    groups: tuple[frozenset[tuple[str, ...]], ...]
    near: int


class FlagPhrase(NamedTuple):
    """One phrase of a red-flag pattern: which pattern, which of its groups, its lemmas."""

    pattern: int
    group: int
    lemmas: tuple[str, ...]


class Lexicon(NamedTuple):
    # Knowledge-base word → its lemma; base → the (lemma, language) pairs it is a base of.
    lemmas: dict[str, str]
    base_index: dict[str, tuple[tuple[str, Lang], ...]]
    phrases: dict[tuple[str, ...], PhraseEntry]
    # A good thing's words (lemmas) and the signal its loss means ("geen glans meer":
    # dull_skin), by their first lemma.
    lost_positives: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    # First lemma → the lengths of the phrases that start with it, longest first.
    phrase_lengths: dict[str, tuple[int, ...]]
    flag_patterns: tuple[FlagPattern, ...]
    # First lemma of a red-flag phrase → every phrase of every pattern that starts with it.
    flag_phrases: dict[str, tuple[FlagPhrase, ...]]
    # Per pattern, per group: the first lemmas of its phrases (a pattern can be complete in a
    # text only if each group's set meets the text's lemmas).
    flag_firsts: tuple[tuple[frozenset[str], ...], ...]
    # Signal words and red-flag words a longer unknown word may be a small typo of.
    # (by first letter: a typo keeps its first letter, see ``fuzzy.closest``)
    typo_targets: dict[str, tuple[str, ...]]
    # Lemmas of red-flag words: known words, so never "not recognised", even outside a flag.
    flag_lemmas: frozenset[str]
    # The words and phrases a negation reaches over to take a red-flag word away (by first word).
    negation_gap: dict[str, tuple[tuple[str, ...], ...]]
    # First word → the phrases starting with it, longest first ("niet" → ("niet", "meer"), …).
    negations: dict[str, tuple[tuple[str, ...], ...]]
    after_negations: dict[str, tuple[tuple[str, ...], ...]]
    not_negations: dict[str, tuple[tuple[str, ...], ...]]
    # The first words of those three kinds of phrase: a word not among them starts none.
    steering: frozenset[str]
    breakers: frozenset[str]
    list_words: frozenset[str]
    # Every word that steers reading or carries no signal: never "not recognised".
    function_words: frozenset[str]
    # The words that belong to one language only (of the knowledge base's words and the
    # function words of language.yaml): word → its language.
    languages: dict[str, Lang]
    # For "did you mean": each word of each signal phrase, and the phrase it belongs to.
    suggestion_keys: tuple[str, ...]
    suggestion_texts: tuple[str, ...]
    # Clause → what matching found in it: a memo of a pure function, filled as texts are read
    # (least recently used first, so the clauses that keep coming back stay).
    memo: OrderedDict[str, Any]

    def is_function_word(self, norm: str) -> bool:
        return norm in self.function_words

    def suggestions(self, norm: str) -> tuple[str, ...]:
        """Up to three known phrases a word not understood may have meant (``fuzzy.suggest``)."""
        from fasewiel_cli.language.fuzzy import suggest

        return suggest(norm, self.suggestion_keys, self.suggestion_texts)

    def typos(self, norm: str) -> tuple[str, ...]:
        """The known words ``norm`` may be a small typo of (``fuzzy.closest``)."""
        from fasewiel_cli.language.fuzzy import closest

        return closest(norm, self.typo_targets.get(norm[0], ()))

    def language(self, norm: str) -> Lang | None:
        """The one language a (normalised) word is of: a word of that language only, or a form
        only that language builds from a word of the knowledge base; None when it cannot tell."""
        found = self.languages.get(norm)
        if found is not None or norm in self.lemmas or len(norm) > LONGEST_WORD:
            return found
        langs = {
            lang
            for base in bases(norm)
            for _, lang in self.base_index.get(base, ())
            if norm in forms(base, lang)
        }
        return langs.pop() if len(langs) == 1 else None

    def lemma(self, norm: str) -> str | None:
        """The lemma a typed (normalised) word is a form of, if any."""
        found = self.lemmas.get(norm)
        if found is not None or len(norm) > LONGEST_WORD:
            return found
        for base in bases(norm):
            for lemma, lang in self.base_index.get(base, ()):
                if norm in forms(base, lang):
                    return lemma
        return None


class _Words:
    """The knowledge base's words, grouped into lemmas (words that are forms of each other)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.langs: dict[str, set[Lang]] = {}
        self.bases: dict[tuple[str, Lang], tuple[str, ...]] = {}  # (word, language) → bases

    def add(self, phrase: str, lang: Lang) -> tuple[str, ...]:
        norms = phrase_norms(phrase)
        for norm in norms:
            self.langs.setdefault(norm, set()).add(lang)
            if (norm, lang) not in self.bases:
                self.bases[norm, lang] = tuple(own_bases(norm, lang))
                for base in self.bases[norm, lang]:
                    self._join(norm, base)
        return norms

    def _root(self, word: str) -> str:
        self.parent.setdefault(word, word)
        while self.parent[word] != word:
            word = self.parent[word]
        return word

    def _join(self, a: str, b: str) -> None:
        root_a, root_b = self._root(a), self._root(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)

    def lemmas(self) -> dict[str, str]:
        """Each word → its lemma, named after the group's first word in alphabetical order."""
        names: dict[str, str] = {}
        for word in sorted(self.langs):
            names.setdefault(self._root(word), word)
        return {word: names[self._root(word)] for word in self.langs}

    def base_index(self, lemmas: dict[str, str]) -> dict[str, tuple[tuple[str, Lang], ...]]:
        """Base → the (lemma, language) pairs whose words are built on it. A base of three
        letters that is no word of the knowledge base is left out: such short stems are other
        words in the other language ("putjes" is built on "put", and so is "putting")."""
        index: dict[str, set[tuple[str, Lang]]] = {}
        for (word, lang), own in self.bases.items():
            for base in own:
                if len(base) > 3 or base in self.langs:
                    index.setdefault(base, set()).add((lemmas[word], lang))
        return {base: tuple(sorted(pairs)) for base, pairs in index.items()}


# The lexicons of the knowledge bases read with lately, by the knowledge base's identity (a
# knowledge base changed with ``dataclasses.replace`` keeps its ``info.hash``, but not its red
# flags). A process reads with one or two (a custom one and the built-in one that guards it).
_LEXICONS: dict[int, tuple[KnowledgeBase, Lexicon]] = {}
_KEPT = 8


def lexicon_of(kb: KnowledgeBase) -> Lexicon:
    """The lexicon of ``kb``, built the first time it is asked for (about 15 ms), or read from
    the cache (about 5 ms) when ``kb`` was loaded from its files and built one before."""
    found = _LEXICONS.get(id(kb))
    if found is not None and found[0] is kb:  # (kept with it: its id is no other's meanwhile)
        return found[1]
    name = _cache_name(kb)
    lexicon = _from_cache(name)
    if lexicon is None:
        lexicon = build_lexicon(kb.signals, kb.red_flags, kb.language)
        if name is not None:
            cache.write(name, _stored().plain(lexicon[:-1]), kind=_KIND)
    if len(_LEXICONS) >= _KEPT:
        del _LEXICONS[next(iter(_LEXICONS))]
    _LEXICONS[id(kb)] = (kb, lexicon)
    return lexicon


# --- cache -----------------------------------------------------------------------------------

# The kind of cache entry a lexicon is kept in.
_KIND = "lexicon"


def _cache_name(kb: KnowledgeBase) -> str | None:
    """The cache entry of the lexicon of ``kb``: named after the entry of ``kb`` itself (None
    when it has none), the code that builds a lexicon, and the Unicode data of this Python,
    by which words are normalised and told apart (the cache folder is every Python's)."""
    knowledge = load.cache_name(kb)
    if knowledge is None:
        return None
    here = Path(__file__).parent
    code = [here / "lexicon.py", here / "plain.py", *sorted(here.glob("morphology/*.py"))]
    return cache.entry_name((_KIND, knowledge, unicodedata.unidata_version), code)


@functools.cache
def _stored() -> Shape:
    """The shape of a lexicon in the cache: every field but the memo (the last), which starts
    empty."""
    hints = get_type_hints(Lexicon)
    return shape(tuple[tuple(hints[name] for name in Lexicon._fields[:-1])])  # type: ignore[misc]


def _from_cache(name: str | None) -> Lexicon | None:
    """The lexicon in the cache entry ``name``, when there is one of exactly the right shape
    (each word a text, each phrase a tuple of them, …); an entry of any other is not read."""
    if name is None:
        return None
    try:
        data = cache.read(name, kind=_KIND)
        return None if data is None else Lexicon._make((*read(_stored(), data), OrderedDict()))
    except (TypeError, ValueError):
        return None


def build_lexicon(
    signals: Iterable[Signal], red_flags: Iterable[RedFlag], language: LanguageFile
) -> Lexicon:
    words = _Words()
    raw_phrases: list[tuple[str, str, tuple[str, ...]]] = []  # (signal, phrase, norms)
    for signal in signals:
        for lang in LANGS:
            for phrase in signal.words_in(lang):
                raw_phrases.append((signal.id, phrase, words.add(phrase, lang)))
    lost = [
        (item.means, words.add(phrase, lang))
        for item in language.lost_positives
        for lang in LANGS
        for phrase in item.words.get(lang)
    ]
    raw_patterns = []
    flag_words: set[str] = set()
    for flag in red_flags:
        for pattern in flag.patterns:
            groups = [
                [words.add(phrase, lang) for lang in LANGS for phrase in group.get(lang)]
                for group in pattern.groups
            ]
            flag_words |= {w for group in groups for phrase in group for w in phrase}
            raw_patterns.append((flag.id, groups, pattern.near))
    lemmas = words.lemmas()
    fillers = _norm_set(language.fillers.all())
    phrases: dict[tuple[str, ...], tuple[list[str], set[tuple[str, ...]]]] = {}
    suggestions: dict[tuple[str, str], None] = {}
    for signal_id, phrase, norms in raw_phrases:
        if not norms:
            continue
        ids, spellings = phrases.setdefault(tuple(lemmas[n] for n in norms), ([], set()))
        if signal_id not in ids:
            ids.append(signal_id)
        spellings.add(norms)
        suggestions.update(dict.fromkeys((norm, phrase) for norm in norms if len(norm) >= 3))
    # A phrase is also read without its filler words when two words or more are left: "verlies
    # van stevigheid" is "verliest stevigheid" too. (A phrase of its own with those words wins.)
    for signal_id, _, norms in raw_phrases:
        short = tuple(lemmas[n] for n in norms if n not in fillers)
        if 2 <= len(short) < len(norms) and short not in phrases:
            phrases[short] = ([signal_id], set())
    patterns = tuple(
        FlagPattern(
            flag_id,
            tuple(
                frozenset(tuple(lemmas[n] for n in alt) for alt in group if alt) for group in groups
            ),
            near,
        )
        for flag_id, groups, near in raw_patterns
    )
    steering = (language.negations, language.after_negations, language.not_negations)
    steering_words = _norm_set(w for words in steering for w in words.all())
    breakers = _norm_set(language.scope_breakers.all())
    list_words = _norm_set(language.list_words.all())
    signal_words = {n for _, _, norms in raw_phrases for n in norms}
    # Four-letter words are targets too ("jeukk" → "jeuk"); short typos only count as slips.
    typo_targets = {w for w in signal_words if len(w) >= 4 and w not in fillers}
    typo_targets |= {w for w in flag_words if len(w) >= TYPO_MIN_LENGTH}
    return Lexicon(
        lemmas=lemmas,
        base_index=words.base_index(lemmas),
        phrases={k: PhraseEntry(tuple(v[0]), frozenset(v[1])) for k, v in phrases.items()},
        lost_positives=_lost_by_first(
            (tuple(lemmas[n] for n in norms), means) for means, norms in lost if norms
        ),
        phrase_lengths=_by_first(phrases),
        flag_patterns=patterns,
        flag_phrases=_flag_phrases(patterns),
        flag_firsts=tuple(
            tuple(frozenset(lemmas[0] for lemmas in group) for group in pattern.groups)
            for pattern in patterns
        ),
        typo_targets=_by_letter(typo_targets),
        flag_lemmas=frozenset(lemmas[w] for w in flag_words),
        negation_gap=_starting_with(phrase_norms(p) for p in language.negation_gap.all()),
        negations=_starting_with(phrase_norms(p) for p in language.negations.all()),
        after_negations=_starting_with(phrase_norms(p) for p in language.after_negations.all()),
        not_negations=_starting_with(phrase_norms(p) for p in language.not_negations.all()),
        steering=frozenset(
            phrase_norms(p)[0] for words in steering for p in words.all() if phrase_norms(p)
        ),
        breakers=breakers,
        list_words=list_words,
        function_words=fillers | steering_words | breakers | list_words,
        languages=_one_language_words(words, language),
        suggestion_keys=tuple(word for word, _ in suggestions),
        suggestion_texts=tuple(phrase for _, phrase in suggestions),
        memo=OrderedDict(),
    )


def _one_language_words(words: _Words, language: LanguageFile) -> dict[str, Lang]:
    by_lang: dict[Lang, set[str]] = {lang: set() for lang in LANGS}
    for norm, langs in words.langs.items():
        for lang in langs:
            by_lang[lang].add(norm)
    lists = (
        language.negations,
        language.after_negations,
        language.not_negations,
        language.scope_breakers,
        language.list_words,
        language.fillers,
        language.negation_gap,
    )
    for lang in LANGS:
        by_lang[lang] |= {n for item in lists for w in item.get(lang) for n in phrase_norms(w)}
    only: dict[str, Lang] = {}
    for lang in LANGS:
        others = set().union(*(by_lang[other] for other in LANGS if other != lang))
        only |= dict.fromkeys(by_lang[lang] - others, lang)
    return only


def _lost_by_first(
    lost: Iterable[tuple[tuple[str, ...], str]],
) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, means in lost:
        found.setdefault(words[0], []).append((words, means))
    return {first: tuple(entries) for first, entries in found.items()}


def _by_letter(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for word in sorted(words):
        found.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in found.items()}


def _norm_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(n for w in words for n in phrase_norms(w))


def _by_first(phrases: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        lengths.setdefault(phrase[0], set()).add(len(phrase))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


def _flag_phrases(patterns: tuple[FlagPattern, ...]) -> dict[str, tuple[FlagPhrase, ...]]:
    index: dict[str, list[FlagPhrase]] = {}
    for number, pattern in enumerate(patterns):
        for group_number, group in enumerate(pattern.groups):
            for lemmas in sorted(group):
                index.setdefault(lemmas[0], []).append(FlagPhrase(number, group_number, lemmas))
    return {first: tuple(phrases) for first, phrases in index.items()}


def _starting_with(
    phrases: Iterable[tuple[str, ...]],
) -> dict[str, tuple[tuple[str, ...], ...]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            found.setdefault(phrase[0], []).append(phrase)
    return {w: tuple(sorted(p, key=len, reverse=True)) for w, p in found.items()}
