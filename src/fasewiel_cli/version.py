"""fasewiel's version: read by the build (pyproject.toml) and by the knowledge-base cache."""

__version__ = "0.1.0"
