"""Writing files so that an interrupted or failed run never leaves a half-written one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[int]:
    """A descriptor of a hidden temporary file beside ``path``, renamed onto it at the end.

    Same folder, so the final rename is atomic; mode 0600, since results may hold personal
    data. On any exception — Ctrl-C included — the temporary file is removed and ``path`` is
    left as it was.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        yield fd
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_text(path: Path, *, bom: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 text file (with a BOM if asked) that appears at ``path`` only when complete."""
    with (
        _replacing(path) as fd,
        os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file,
    ):
        yield file


@contextlib.contextmanager
def atomic_bytes(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when complete."""
    with _replacing(path) as fd, os.fdopen(fd, "wb") as file:
        yield file
