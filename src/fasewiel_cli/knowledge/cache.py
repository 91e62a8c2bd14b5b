"""A cache of validated knowledge bases that no file can turn into code or into other advice.

An entry is JSON (plain data: reading it cannot run anything), signed with HMAC-SHA256 under a
random key that only this user can read. Everything lives in one folder that must belong to this
user and be writable by nobody else; the folder is opened once and every file in it is opened
relative to it without following symbolic links, so a folder swapped in meanwhile is not used.
Anything that does not check out — a foreign folder, a key or entry owned by someone else or
writable by others, a bad signature, a damaged file — means "no cache": the knowledge base is
then read from its YAML, exactly as on a first run. A cache never makes a run fail.

Two kinds of entry are kept: validated knowledge bases (``knowledge.load``) and the lexicons
built from them (``language.lexicon``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

# Entries kept of each kind (the built-in knowledge base and a few --data folders); older ones
# are removed.
ENTRIES = 8
# No entry is larger than this (ten YAML files of at most 1 MiB each, as JSON).
MAX_ENTRY_BYTES = 32 * 1024 * 1024
_MAGIC = b"fasewiel-cache 1\n"
_KEY_FILE = "key"
_KEY_BYTES = 32
_SUFFIX = ".json"
_TMP = ".tmp"
# A temporary file this old was left by a process that was killed while writing it.
_STALE_SECONDS = 600


def cache_dir() -> Path:
    """The user's cache folder for fasewiel, as platformdirs' ``user_cache_dir`` gives it.

    Written out because it is on the path of every start, and importing platformdirs costs
    more (~6 ms) than everything else the knowledge base needs there.
    """
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(local) / "fasewiel" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "fasewiel"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # (a relative path is to be ignored, says the XDG specification; only then is the home
    # folder needed, which a user without one, as in a container, does not have)
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache") / "fasewiel"


def entry_name(parts: Iterable[str], code: Iterable[Path]) -> str | None:
    """The name of the entry that holds what the code in the files ``code`` made of ``parts``:
    a digest of both, so that no fasewiel reads what another version of it wrote. None when
    there is no cache, or a file cannot be read."""
    if not usable():
        return None
    digest = hashlib.sha256("\0".join(parts).encode())
    try:
        for path in code:  # (each by its name and length too: no code moved between files
            data = path.read_bytes()  # makes the same name)
            digest.update(f"\0{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()[:32]


def read(name: str, object_hook: Any = None, kind: str = "knowledge") -> Any | None:
    """The data stored under ``name`` when it is there and its signature holds, else None.
    ``object_hook`` is ``json.loads``'s: it builds objects from the stored mappings."""
    entry = f"{kind}-{name}"
    with _folder() as folder:
        if folder is None:
            return None
        key = _key(folder, create=False)
        raw = _read_own(folder, entry + _SUFFIX, MAX_ENTRY_BYTES)
    if key is None or raw is None or not raw.startswith(_MAGIC):
        return None
    signature, _, body = raw[len(_MAGIC) :].partition(b"\n")
    if not hmac.compare_digest(signature, _sign(key, entry, body)):
        return None
    try:
        return json.loads(body, object_hook=object_hook)
    except RecursionError:  # (nested deeper than fasewiel ever writes: not its entry)
        return None


def write(name: str, data: Any, kind: str = "knowledge") -> None:
    """Store ``data`` (JSON-able) under ``name``, signed; silently nothing when it cannot be."""
    import secrets  # (only a run that writes needs it: not imported at every start)

    entry = f"{kind}-{name}"
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with _folder(create=True) as folder:
        if folder is None or len(body) > MAX_ENTRY_BYTES:
            return
        key = _key(folder, create=True)
        if key is None:
            return
        tmp = f".{entry}.{secrets.token_hex(8)}{_TMP}"
        try:
            with _create(folder, tmp) as file:
                file.write(_MAGIC + _sign(key, entry, body) + b"\n" + body)
            os.replace(tmp, entry + _SUFFIX, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:
            return
        finally:  # (after a failure, or a Ctrl-C or SIGTERM half way: no file left behind)
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
        _prune(folder, f"{kind}-")


def usable() -> bool:
    """Whether this platform can keep the cache safely (opening files relative to a folder)."""
    return os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "geteuid")


@contextlib.contextmanager
def _folder(create: bool = False) -> Iterator[int | None]:
    """The cache folder, opened; None when there is none or it is not safe to use."""
    if not usable():
        yield None
        return
    try:
        path = cache_dir()
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        yield None
        return
    try:
        yield fd if _own(os.fstat(fd), private=False) else None
    finally:
        os.close(fd)


def _own(status: os.stat_result, private: bool) -> bool:
    """Owned by this user and writable by nobody else (``private``: nor readable)."""
    others = 0o077 if private else 0o022
    return status.st_uid == os.geteuid() and not status.st_mode & others


def _read_own(folder: int, name: str, limit: int) -> bytes | None:
    """The bytes of a regular file in ``folder`` that this user owns and only this user can
    write (None otherwise, or when it is larger than ``limit``)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        private = name == _KEY_FILE
        if not stat.S_ISREG(status.st_mode) or not _own(status, private):
            return None  # (a folder, a FIFO, someone else's: not read at all)
        if status.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _key(folder: int, create: bool) -> bytes | None:
    """This user's signing key. With ``create``, one is made when there is none, or in place of
    one that is not safe (someone else's, readable by others, damaged): the entries signed with
    it are then no longer read."""
    key = _read_own(folder, _KEY_FILE, _KEY_BYTES)
    if (key is None or len(key) != _KEY_BYTES) and create:
        import secrets

        with contextlib.suppress(OSError):
            os.unlink(_KEY_FILE, dir_fd=folder)
        try:
            with _create(folder, _KEY_FILE) as file:
                file.write(secrets.token_bytes(_KEY_BYTES))
        except OSError:  # (another process made it just now: next time it is read)
            return None
        key = _read_own(folder, _KEY_FILE, _KEY_BYTES)
    return key if key is not None and len(key) == _KEY_BYTES else None


def _create(folder: int, name: str) -> BinaryIO:
    """A new file in ``folder``, readable by this user only (never an existing one, nor through
    a symbolic link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    return os.fdopen(os.open(name, flags, 0o600, dir_fd=folder), "wb")


def _sign(key: bytes, entry: str, body: bytes) -> bytes:
    """The signature of an entry: of its name too, so that no entry passes for another."""
    signed = entry.encode("ascii") + b"\0" + body
    return hmac.new(key, signed, hashlib.sha256).hexdigest().encode("ascii")


def _prune(folder: int, prefix: str) -> None:
    """Keep the most recently written entries that start with ``prefix``; remove older ones,
    the temporary files of writes killed half way, and the unsigned pickles that fasewiel 0.1
    kept here (never read again)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    entries = []
    for name in names:
        if name.startswith("knowledge-") and name.endswith(".pickle"):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder)
        elif name.startswith("." + prefix) and name.endswith(_TMP):
            with contextlib.suppress(OSError):
                written = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime
                if time.time() - written > _STALE_SECONDS:  # (not one being written now)
                    os.unlink(name, dir_fd=folder)
        elif name.startswith(prefix) and name.endswith(_SUFFIX):
            with contextlib.suppress(OSError):
                entries.append((os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime, name))
    for _, stale in sorted(entries)[:-ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(stale, dir_fd=folder)
