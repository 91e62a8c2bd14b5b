"""fasewiel's Python API under the product's name: ``from fasewiel import check``.

The code lives in the ``fasewiel_cli`` package; this one forwards its public names (see
``fasewiel_cli.__all__``), each imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import fasewiel_cli
from fasewiel_cli import __all__ as __all__
from fasewiel_cli import __version__ as __version__

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    return getattr(fasewiel_cli, name)


def __dir__() -> list[str]:
    return sorted(__all__)
