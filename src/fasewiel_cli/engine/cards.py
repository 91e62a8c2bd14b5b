"""Reference cards and the ingredient glossary, from the same knowledge base as the advice.

Pure functions of the knowledge base and a language: every renderer (terminal, Markdown, HTML,
SVG, PDF) draws the same ``Card`` objects, so cards and advice never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fasewiel_cli.engine.blocks import (
    Block,
    Bullets,
    Card,
    Heading,
    Pairs,
    Paragraph,
    Table,
    Wheel,
)
from fasewiel_cli.errors import FasewielError
from fasewiel_cli.knowledge.models import PHASE_IDS, KnowledgeBase, Lang

OTHER_TOPICS = ("wheel", "messengers", "nervous-system")
TOPICS = (*PHASE_IDS, *OTHER_TOPICS)


def build_cards(kb: KnowledgeBase, lang: Lang, topics: Sequence[str] = ()) -> list[Card]:
    """The cards for ``topics`` (all of them, in order, when empty)."""
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise FasewielError(
            f"unknown card topic '{unknown[0]}'", hint=f"choose from: {', '.join(TOPICS)}"
        )
    footer = kb.info.title.get(lang)
    builders = {"wheel": wheel_card, "messengers": messengers_card, "nervous-system": nerve_card}
    cards = []
    for topic in dict.fromkeys(topics or TOPICS):
        card = phase_card(kb, lang, topic) if topic in PHASE_IDS else builders[topic](kb, lang)
        cards.append(card._replace(footer=footer))
    return cards


def _wheel(kb: KnowledgeBase, lang: Lang, current: str | None = None) -> Wheel:
    names = tuple(p.name.get(lang) for p in kb.phases)
    if current is None:
        return Wheel(names, None, None)
    phase = kb.phase(current)
    return Wheel(names, phase.name.get(lang), kb.phase(phase.next).name.get(lang))


def phase_card(kb: KnowledgeBase, lang: Lang, phase_id: str) -> Card:
    label = kb.labels.get
    phase = kb.phase(phase_id)
    # The phase's own signals (§8, the strongest weight), then the §2 pictures that point to it.
    signals = kb.signals_of(phase_id)
    strongest = max(kb.weight(s, phase_id) for s in signals)
    own = [s.name.get(lang) for s in signals if kb.weight(s, phase_id) == strongest]
    weaker = [s for s in signals if kb.weight(s, phase_id) < strongest]
    # (the §2 table's pictures are those linked to a messenger; the rest are fasewiel's own)
    also = [s.name.get(lang) for s in weaker if s.messengers]
    derived = [s.name.get(lang) for s in weaker if not s.messengers]
    care = phase.care
    ingredients = tuple(
        (
            kb.ingredient(use.ingredient).name.get(lang)
            + (f" ({use.form.get(lang)})" if use.form else ""),
            use.role.get(lang),
        )
        for use in phase.ingredients
    )
    following = kb.phase(phase.next)
    blocks: list[Block] = [
        _wheel(kb, lang, phase_id),
        Paragraph(phase.core_message.get(lang), "quote"),
        Heading(label("signals", lang)),
        Bullets(tuple(own)),
    ]
    if also:
        blocks.append(Paragraph(f"{label('also_visible', lang)}: {', '.join(also)}", "muted"))
    if derived:
        text = f"{label('also_recognised', lang)}: {', '.join(derived)}"
        blocks.append(Paragraph(text, "muted"))
    blocks += [
        Heading(label("nervous_system", lang)),
        Paragraph(phase.nervous_system.get(lang)),
        Heading(label("care_plan", lang)),
        Pairs(
            (
                (label("lifestyle", lang), " · ".join(care.lifestyle.get(lang))),
                (label("ritual", lang), " · ".join(care.ritual.get(lang))),
                (label("treatment", lang), " · ".join(care.treatment.get(lang))),
            )
        ),
    ]
    if ingredients:  # a custom knowledge base may give a phase none
        blocks += [Heading(label("ingredients", lang)), Pairs(ingredients)]
    blocks += [
        Heading(label("next_phase", lang)),
        Paragraph(f"{following.name.get(lang)} — {following.tagline.get(lang)}"),
        Heading(label("intensive", lang)),
        Paragraph(kb.texts.intensive_rule.get(lang), "note"),
    ]
    index = [p.id for p in kb.phases].index(phase_id)
    title = f"{phase.name.get(lang)} — {phase.tagline.get(lang)}"
    return Card(phase_id, title, None, tuple(blocks), index)


def wheel_card(kb: KnowledgeBase, lang: Lang) -> Card:
    text = kb.cards.wheel
    label = kb.labels.get
    blocks: tuple[Block, ...] = (
        _wheel(kb, lang),
        Paragraph(text.intro.get(lang)),
        Pairs(tuple((p.name.get(lang), p.tagline.get(lang)) for p in kb.phases)),
        Paragraph(text.movement.text.get(lang)),
        Paragraph(text.no_wrong_phase.get(lang), "quote"),
        Heading(label("for_professionals", lang)),
        Bullets(text.professionals.lines.get(lang)),
        Heading(label("for_consumers", lang)),
        Bullets(text.consumers.lines.get(lang)),
    )
    return Card("wheel", text.title.get(lang), None, blocks)


def messengers_card(kb: KnowledgeBase, lang: Lang) -> Card:
    text = kb.cards.messengers
    columns = text.columns
    headers = (
        kb.labels.get("neurotransmitter", lang),
        columns.role.get(lang),
        columns.skin_effect.get(lang),
        columns.shortage.get(lang),
        columns.visible.get(lang),
    )
    rows = tuple(
        (
            m.name.get(lang),
            m.role.get(lang),
            m.skin_effect.get(lang),
            m.shortage.get(lang),
            m.visible.get(lang),
        )
        for m in kb.messengers
    )
    return Card("messengers", text.title.get(lang), None, (Table(headers, rows),))


def nerve_card(kb: KnowledgeBase, lang: Lang) -> Card:
    text = kb.cards.nervous_system
    blocks: tuple[Block, ...] = (
        Pairs(tuple((part.name.get(lang), part.text.get(lang)) for part in text.parts)),
        Paragraph(text.practical.text.get(lang), "note"),
        Heading(text.touch.name.get(lang)),
        Bullets(text.touch.lines.get(lang)),
        Paragraph(text.touch.conclusion.get(lang), "quote"),
        Heading(text.devices.name.get(lang)),
        Paragraph(text.devices.text.get(lang)),
    )
    return Card("nervous-system", text.title.get(lang), None, blocks)


# --- the ingredient glossary --------------------------------------------------------------------


def ingredient_uses(kb: KnowledgeBase, ingredient_id: str) -> list[tuple[str, Any]]:
    """(phase id, PhaseIngredient) for every phase that uses the ingredient, in wheel order."""
    return [
        (phase.id, use)
        for phase in kb.phases
        for use in phase.ingredients
        if use.ingredient == ingredient_id
    ]


def ingredient_card(kb: KnowledgeBase, lang: Lang, ingredient_id: str) -> Card:
    ingredient = kb.ingredient(ingredient_id)
    label = kb.labels.get
    rows = tuple(
        (
            kb.phase(phase_id).name.get(lang) + (f" ({use.form.get(lang)})" if use.form else ""),
            use.role.get(lang),
        )
        for phase_id, use in ingredient_uses(kb, ingredient_id)
    )
    blocks: list[Block] = [Heading(label("used_in", lang), level=3), Pairs(rows)]
    spellings = (*ingredient.name.all(), *ingredient.words.all())
    names = [n for n in dict.fromkeys(spellings) if n != ingredient.name.get(lang)]
    if names:
        blocks.append(Paragraph(f"{label('also_known_as', lang)}: {', '.join(names)}", "muted"))
    origin = (
        f"{label('origin_source', lang)}: {ingredient.source}"
        if ingredient.source
        else f"{label('origin_derived', lang)}: {ingredient.derived}"
    )
    blocks.append(Paragraph(origin, "muted"))
    return Card(ingredient.id, ingredient.name.get(lang), None, tuple(blocks))


def by_name(kb: KnowledgeBase, lang: Lang) -> list[str]:
    return [i.id for i in sorted(kb.ingredients, key=lambda i: i.name.get(lang).casefold())]


def glossary(kb: KnowledgeBase, lang: Lang) -> Card:
    """Every ingredient (by name), the phases that use it and its role in each."""
    blocks: list[Block] = []
    for ingredient_id in by_name(kb, lang):
        card = ingredient_card(kb, lang, ingredient_id)
        blocks += [Heading(card.title), *card.blocks[1:-1]]
    return Card("glossary", kb.labels.get("glossary", lang), None, tuple(blocks))
