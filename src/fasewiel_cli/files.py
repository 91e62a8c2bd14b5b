"""Writing files so that an interrupted or failed run never leaves a half-written one."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from fasewiel_cli.errors import FasewielError
from fasewiel_cli.text import TerminalSafe


def _cannot_write(path: Path, error: OSError) -> FasewielError:
    folder = path.parent
    hint = None
    if isinstance(error, FileNotFoundError) and not folder.exists():
        hint = f"the folder {folder} does not exist; create it first or choose another"
    return FasewielError(f"cannot write {path}: {error.strerror or error}", hint=hint)


@contextlib.contextmanager
def _replacing(path: Path, *, private: bool) -> Iterator[int]:
    """A descriptor to write ``path`` through, so that it appears only when complete.

    A regular file (new or existing) is written as a hidden temporary file beside it, renamed
    onto it at the end: same folder, so the rename is atomic; on any exception — Ctrl-C
    included — the temporary file is removed and ``path`` is left as it was. A symbolic link of
    one's own is followed (the link stays). With ``private`` (results may hold personal data)
    the file is 0600, also when it replaces one; else a new file gets the usual mode under the
    umask and an existing one keeps its mode. A read-only file is refused. What is not a
    regular file (``/dev/null``, a pipe) is written in place, never replaced.
    """
    if not _STREAM.fullmatch(str(path)):
        path = _followed(path)
    if _STREAM.fullmatch(str(path)) or (path.exists() and not path.is_file()):
        # Written through as it is: /dev/stdout and its kin (the terminal, a pipe, or the file
        # the shell opened: appended to, never replaced), /dev/null, a named pipe.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as error:
            raise _cannot_write(path, error) from None
        yield fd
        return
    path = _target(path)
    # The name is chosen before the file exists, so that Ctrl-C at any moment — even between
    # creating the file and learning its descriptor — can still remove it.
    tmp = path.parent / f".fasewiel-{secrets.token_hex(8)}.tmp"
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise _cannot_write(path, error) from None
        # Private: 0600 from creation, also over an existing file.
        if not private and path.exists():
            os.fchmod(fd, stat.S_IMODE(path.stat().st_mode))
        elif not private:
            os.fchmod(fd, 0o666 & ~_umask())
        yield fd
        try:
            tmp.replace(path)
        except OSError as error:
            raise _cannot_write(path, error) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# The names of this process's own streams.
_STREAM = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/self/fd/\d+")


def _followed(path: Path) -> Path:
    """The path ``path``'s symbolic links lead to, each link one's own: a link another user put
    in a shared folder (/tmp), or one a link of one's own leads to, would have us write into a
    file or device of their choosing."""
    for _ in range(_MAX_LINKS):
        if not path.is_symlink():
            return path
        if path.lstat().st_uid != os.geteuid():
            raise FasewielError(
                f"cannot write {path}: it is a symbolic link of another user",
                hint="name a file of your own",
            )
        path = path.parent / path.readlink()  # (a relative link is relative to its folder)
    raise FasewielError(f"cannot write {path}: too many symbolic links", hint="name a file")


_MAX_LINKS = 40  # (as the kernel: a loop of links ends here)


def _target(path: Path) -> Path:
    """The file ``path`` names (its links followed: ``_followed``); refused when it cannot be
    written."""
    if path.is_dir():
        raise FasewielError(f"cannot write {path}: it is a folder", hint="name a file instead")
    if path.is_file() and not path.stat().st_mode & 0o222:
        raise FasewielError(
            f"cannot write {path}: the file is read-only",
            hint="make it writable first, or choose another file",
        )
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_text(path: Path, *, bom: bool = False, private: bool = True) -> Iterator[IO[str]]:
    """A UTF-8 text file (with a BOM if asked) that appears at ``path`` only when complete. A
    terminal named as the file (``-o /dev/tty``) gets control characters as escapes."""
    with (
        _replacing(path, private=private) as fd,
        os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file,
    ):
        yield TerminalSafe(file) if os.isatty(fd) else file  # type: ignore[misc]


@contextlib.contextmanager
def atomic_bytes(path: Path, *, private: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when complete (never a terminal)."""
    with _replacing(path, private=private) as fd, os.fdopen(fd, "wb") as file:
        if os.isatty(fd):
            raise FasewielError(
                f"{path} is a terminal: binary output would garble it", hint="name a file instead"
            )
        yield file
