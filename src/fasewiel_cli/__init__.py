"""fasewiel: a command-line phase advisor for skin care, after the fasewiel of the white paper
"De huid als boodschapper".

The Python API is the pipeline without the terminal::

    from fasewiel_cli import load_knowledge, check
    advice = check("mijn huid is rood en jeukt", lang="en")
    advice.phase.id  # 'reset'
"""

from fasewiel_cli.engine.advice import Advice, advise, check
from fasewiel_cli.engine.scoring import Assessment, assess
from fasewiel_cli.errors import FasewielError, KnowledgeError
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.language.matching import MatchResult, match_text
from fasewiel_cli.version import __version__

__all__ = [
    "Advice",
    "Assessment",
    "FasewielError",
    "KnowledgeError",
    "MatchResult",
    "__version__",
    "advise",
    "assess",
    "check",
    "load_knowledge",
    "match_text",
]
