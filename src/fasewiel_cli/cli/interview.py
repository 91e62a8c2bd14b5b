"""The guided intake's prompt loop (CLI layer): questions on stderr, answers from stdin.

The decisions — which signals to offer, which follow-up to ask, how answers read — are the pure
functions of ``intake``; this module only talks. Questions go to stderr so that the advice on
stdout stays clean (``fasewiel check --format json > advice.json`` still asks on the terminal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.console import Console
from rich.text import Text

from fasewiel_cli.engine.intake import (
    MAX_FOLLOW_UPS,
    MenuItem,
    compose,
    flag_menu,
    follow_up,
    parse_numbers,
    parse_yes_no,
    signal_menu,
)
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.knowledge.models import KnowledgeBase, Lang
from fasewiel_cli.language.matching import MatchResult, read_text
from fasewiel_cli.text import shown


class IntakeResult(NamedTuple):
    """What the intake gathered: a text for ``check`` and the red flags confirmed."""

    text: str
    flags: tuple[tuple[str, str], ...]


class Interview:
    def __init__(
        self, kb: KnowledgeBase, lang: Lang, read: Callable[[], str], console: Console
    ) -> None:
        self.kb = kb
        self.lang = lang
        self.read = read
        self.console = console
        self.texts = kb.intake

    def say(self, text: str, style: str = "") -> None:
        """A line on the terminal; control characters (typed in) shown as escapes."""
        self.console.print(Text(shown(text), style=style))

    def text(self, key: str, **values: str) -> str:
        template: str = getattr(self.texts, key).get(self.lang)
        for name, value in values.items():
            template = template.replace(f"{{{name}}}", value)
        return template

    def ask(self, prompt: str) -> str:
        self.console.print(Text.assemble((prompt, "bold"), " "), end="")
        line = self.read()
        if not line:  # end of input (Ctrl-D): the intake cannot go on
            self.console.print()
            raise FasewielError(self.text("ended"), hint=self.text("ended_hint"))
        return line.rstrip("\r\n")

    def yes_no(self, prompt: str) -> bool:
        while True:
            answer = parse_yes_no(self.ask(prompt))
            if answer is not None:
                return answer
            self.say(self.text("yes_no_hint"), "yellow")

    def numbers(self, prompt: str, last: int) -> list[int]:
        while True:
            answer = parse_numbers(self.ask(prompt), last)
            if answer is not None:
                return answer
            self.say(self.text("number_hint", last=str(last)), "yellow")

    def show(self, items: tuple[MenuItem, ...], width: int = 1) -> None:
        for item in items:
            self.say(f"  {item.number:>{width}}  {item.text}")

    # -- the three steps ------------------------------------------------------------------------

    def run(self) -> IntakeResult:
        self.say(self.text("intro"), "dim")
        flags, stop = self.safety()
        if stop:
            self.say(self.text("stopped_urgent" if self.urgent(flags) else "stopped"), "bold red")
            return IntakeResult("", flags)
        chosen, own_words = self.what_you_see()
        # (read with the signals chosen: "koorts" typed, "roodheid" chosen, is a red flag)
        reading = read_text(self.kb, compose(self.kb, self.lang, chosen, own_words))
        flags, stop = self.warn_new(flags, reading)
        if stop:  # an emergency: as in the safety screen, no plan
            return IntakeResult("", flags)
        denied: list[str] = []
        # What the own words exclude ("geen jeuk") counts as already answered.
        asked: list[str] = sorted(reading.negated_ids)
        for _ in range(MAX_FOLLOW_UPS):
            signal_id = follow_up(self.kb, reading.signal_ids, asked)
            if signal_id is None:
                break
            asked.append(signal_id)
            name = self.kb.signal(signal_id).name.get(self.lang)
            if self.yes_no(self.text("follow_up", signal=name)):
                chosen.append(signal_id)
            else:
                denied.append(signal_id)
            # The answers so far, read as the final text will be.
            reading = read_text(self.kb, compose(self.kb, self.lang, chosen, own_words, denied))
            flags, stop = self.warn_new(flags, reading)  # (a yes may make a flag with the words)
            if stop:
                return IntakeResult("", flags)
        self.console.print()
        return IntakeResult(compose(self.kb, self.lang, chosen, own_words, denied), flags)

    def warn_new(
        self, flags: tuple[tuple[str, str], ...], reading: MatchResult
    ) -> tuple[tuple[tuple[str, str], ...], bool]:
        """Warns of the red flags the answers show that were not warned of yet (safety first,
        also in the person's own words); all the flags so far, and whether the intake stops
        here (an emergency: 112)."""
        known = {flag_id for flag_id, _ in flags}
        new = tuple((f.flag, f.text) for f in reading.red_flags if f.flag not in known)
        if not new:
            return flags, False
        self.warn(new)
        if self.urgent(new):
            self.say(self.text("stopped_urgent"), "bold red")
            return (*flags, *new), True
        self.say(self.kb.texts.referral.get(self.lang), "bold")
        return (*flags, *new), False

    def safety(self) -> tuple[tuple[tuple[str, str], ...], bool]:
        """The red-flag screen: the flags confirmed, and whether the person stops here."""
        items = flag_menu(self.kb, self.lang)
        if not items:
            return (), False
        self.console.print()
        self.say(self.text("safety"), "bold")
        self.show(items, len(str(len(items))))
        if not self.yes_no(self.text("safety_question")):
            return (), False
        which = [] if len(items) > 1 else [1]
        while not which:
            which = self.numbers(self.text("safety_which"), len(items))
            if not which:
                self.say(self.text("number_hint", last=str(len(items))), "yellow")
        confirmed = tuple((items[n - 1].id, items[n - 1].text) for n in which)
        self.warn(confirmed)
        if self.urgent(confirmed):  # an emergency: no question more (the caller says 112)
            return confirmed, True
        self.say(self.kb.texts.referral.get(self.lang), "bold")
        return confirmed, not self.yes_no(self.text("continue_question"))

    def warn(self, flags: Sequence[tuple[str, str]]) -> None:
        """Each red flag by its name, and what to do about it."""
        self.console.print()
        for flag_id, _ in flags:
            flag = self.kb.red_flag(flag_id)
            self.say(f"⚠ {flag.name.get(self.lang)}", "bold red")
            self.say(f"  {flag.advice.get(self.lang)}")

    def urgent(self, flags: Sequence[tuple[str, str]]) -> bool:
        """Is one of these red flags an emergency (112)?"""
        return any(self.kb.red_flag(flag_id).urgent for flag_id, _ in flags)

    def what_you_see(self) -> tuple[list[str], str]:
        """The signals chosen from the menu and the person's own words; asks again until at least
        one signal is recognised. The words of every round are kept: nothing typed is lost."""
        groups = signal_menu(self.kb, self.lang)
        items = {item.number: item for group in groups for item in group.items}
        rounds: list[str] = []
        while True:
            self.console.print()
            self.say(self.text("see"), "bold")
            for group in groups:
                self.say(group.title, "bold cyan")
                self.show(group.items, len(str(len(items))))
            chosen = [items[n].id for n in self.numbers(self.text("see_prompt"), len(items))]
            typed = self.ask(self.text("own_words")).strip()
            if typed:
                rounds.append(typed)
            own_words = ". ".join(rounds)
            found = read_text(self.kb, own_words)
            if chosen or found.signal_ids or found.red_flags:  # (the caller warns of a flag)
                return chosen, own_words
            if typed:
                unknown = ", ".join(u.text for u in read_text(self.kb, typed).unrecognised)
                label = self.kb.labels.get("unrecognised", self.lang)
                self.say(f"{label}: {unknown or typed}", "yellow")
            self.say(self.text("nothing_hint"), "yellow")
