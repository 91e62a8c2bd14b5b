"""Languages are keyed by one list, ``LANGS``: adding one is its texts in data/ and one module of
word-form rules (language/morphology/<code>.py); no other code names a language."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

import fasewiel_cli
from fasewiel_cli.knowledge.models import (
    LANGS,
    Everyday,
    KnowledgeBase,
    Localized,
    LocalizedList,
)
from fasewiel_cli.language.morphology import RULES

SRC = Path(fasewiel_cli.__file__).parent
# The only places a language code may be written: where LANGS is defined, and the languages'
# own word-form rules (in which "en" is also a Dutch ending).
ALLOWED = {SRC / "knowledge" / "models.py"} | {
    SRC / "language" / "morphology" / f"{lang}.py" for lang in LANGS
}


def test_every_language_has_its_word_form_rules() -> None:
    assert list(RULES) == list(LANGS)
    for lang in LANGS:
        module = importlib.import_module(f"fasewiel_cli.language.morphology.{lang}")
        assert RULES[lang] is module
        for name in ("forms", "bases", "own_bases"):
            assert callable(getattr(module, name))
        assert isinstance(module.COMPOUND_LINKS, tuple)


@pytest.mark.parametrize("model", [Localized, LocalizedList, Everyday])
def test_texts_in_every_language_have_a_field_per_language(model: type) -> None:
    names = [f.name for f in dataclasses.fields(model)]
    assert [name for name in names if name not in ("source", "derived")] == list(LANGS)


def test_no_other_code_names_a_language() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.lower() in LANGS:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {text!r}")
    assert found == []


def test_the_knowledge_base_speaks_every_language(kb: KnowledgeBase) -> None:
    for phase in kb.phases:
        for lang in LANGS:
            assert phase.name.get(lang).strip()
            assert phase.care.ritual.get(lang)
    assert phase.name.all() == tuple(phase.name.get(lang) for lang in LANGS)
