"""fasewiel: a command-line phase advisor for skin care, after the fasewiel of the white paper
"De huid als boodschapper". The Python API is the pipeline without the terminal::

    from fasewiel import check, flat_row, assess_rows, load_knowledge

    advice = check("mijn huid is rood en jeukt", lang="en")
    advice.phase.id                      # 'reset'
    flat_row(advice)["next_phase"]       # 'activate'
    rows = assess_rows([{"symptoms": "dof, vale teint"}])   # (a generator of dicts)

The names are imported when first used (PEP 562), so that ``import fasewiel`` and the command
line start fast. ``fasewiel`` (the product's name) forwards to this package, where the code is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fasewiel_cli.version import __version__

if TYPE_CHECKING:  # (for type checkers: the names, as __getattr__ finds them)
    from fasewiel_cli.batch.run import assess_rows as assess_rows
    from fasewiel_cli.engine.advice import Advice as Advice
    from fasewiel_cli.engine.advice import advise as advise
    from fasewiel_cli.engine.advice import check as check
    from fasewiel_cli.engine.scoring import Assessment as Assessment
    from fasewiel_cli.engine.scoring import assess as assess
    from fasewiel_cli.errors import FasewielError as FasewielError
    from fasewiel_cli.errors import KnowledgeError as KnowledgeError
    from fasewiel_cli.knowledge.load import load_knowledge as load_knowledge
    from fasewiel_cli.knowledge.models import KnowledgeBase as KnowledgeBase
    from fasewiel_cli.language.matching import MatchResult as MatchResult
    from fasewiel_cli.language.matching import match_text as match_text
    from fasewiel_cli.language.matching import read_text as read_text
    from fasewiel_cli.serialize import advice_to_dict as advice_to_dict
    from fasewiel_cli.serialize import flat_row as flat_row

# Each public name and the module it lives in.
_PUBLIC = {
    "Advice": "fasewiel_cli.engine.advice",
    "Assessment": "fasewiel_cli.engine.scoring",
    "FasewielError": "fasewiel_cli.errors",
    "KnowledgeBase": "fasewiel_cli.knowledge.models",
    "KnowledgeError": "fasewiel_cli.errors",
    "MatchResult": "fasewiel_cli.language.matching",
    "advice_to_dict": "fasewiel_cli.serialize",
    "advise": "fasewiel_cli.engine.advice",
    "assess": "fasewiel_cli.engine.scoring",
    "assess_rows": "fasewiel_cli.batch.run",
    "check": "fasewiel_cli.engine.advice",
    "flat_row": "fasewiel_cli.serialize",
    "load_knowledge": "fasewiel_cli.knowledge.load",
    "match_text": "fasewiel_cli.language.matching",
    "read_text": "fasewiel_cli.language.matching",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'fasewiel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # (found once)
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
