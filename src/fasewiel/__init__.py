"""fasewiel's Python API under the product's name: ``from fasewiel import check``.

The code lives in the ``fasewiel_cli`` package; this one only forwards its public names.
"""

from fasewiel_cli import *  # noqa: F403
from fasewiel_cli import __all__, __version__  # noqa: F401
