"""Writing files so that an interrupted or failed run never leaves a half-written one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from fasewiel_cli.errors import FasewielError


def _cannot_write(path: Path, error: OSError) -> FasewielError:
    folder = path.parent
    hint = None
    if isinstance(error, FileNotFoundError) and not folder.exists():
        hint = f"the folder {folder} does not exist; create it first or choose another"
    return FasewielError(f"cannot write {path}: {error.strerror or error}", hint=hint)


@contextlib.contextmanager
def _replacing(path: Path, *, private: bool) -> Iterator[int]:
    """A descriptor of a hidden temporary file beside ``path``, renamed onto it at the end.

    Same folder, so the final rename is atomic. Mode 0600 when ``private`` (results may hold
    personal data), else the usual mode for a new file under the umask. On any exception —
    Ctrl-C included — the temporary file is removed and ``path`` is left as it was.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        if not private:
            os.fchmod(fd, 0o666 & ~_umask())
        yield fd
        try:
            Path(tmp).replace(path)
        except OSError as error:
            raise _cannot_write(path, error) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_text(path: Path, *, bom: bool = False, private: bool = True) -> Iterator[IO[str]]:
    """A UTF-8 text file (with a BOM if asked) that appears at ``path`` only when complete."""
    with (
        _replacing(path, private=private) as fd,
        os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file,
    ):
        yield file


@contextlib.contextmanager
def atomic_bytes(path: Path, *, private: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when complete."""
    with _replacing(path, private=private) as fd, os.fdopen(fd, "wb") as file:
        yield file
