"""Client history in a SQLite file of its own (stdlib ``sqlite3``).

Where: ``$FASEWIEL_HOME/fasewiel.db``, by default in the platform's user data folder; ``--db``
names another file. The folder is made 0700 and the database with its ``-wal`` and ``-shm``
files 0600: they hold personal data.

Safe to share between processes: WAL mode, and every write is one ``BEGIN IMMEDIATE``
transaction with a busy timeout, so parallel writers wait their turn and each visit is stored
exactly once. A batch's visits go in one transaction: all or none.

Never harmful to a file that is not ours: before anything is written, the file is read through a
read-only connection and must be empty, or a SQLite database marked as fasewiel's (its
``application_id``) with a schema this version knows (``user_version``); anything else is
refused and left untouched. Read-only commands open the database read-only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from fasewiel_cli.errors import FasewielError, Message, said
from fasewiel_cli.knowledge.load import refusal

SCHEMA_VERSION = 3
APPLICATION_ID = 0x66617365  # "fase"
BUSY_TIMEOUT_MS = 60_000
FILE_NAME = "fasewiel.db"

# Each schema version's statements, applied in order in one transaction.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            at TEXT NOT NULL,
            input TEXT NOT NULL,
            signals TEXT NOT NULL,
            phase TEXT,
            next_phase TEXT,
            scores TEXT NOT NULL,
            red_flags TEXT NOT NULL,
            treatments TEXT NOT NULL,
            note TEXT,
            lang TEXT NOT NULL,
            kb_name TEXT NOT NULL,
            kb_version TEXT NOT NULL,
            kb_hash TEXT NOT NULL
        )""",
        "CREATE INDEX visits_by_client ON visits (client, at, id)",
    ),
    # A visit's `at` may be a day alone ("2026-11-03": batch --save with a date column); an
    # older fasewiel would take such a row for a damaged one, so it is told the file is newer.
    2: (),
    # The check for a visit already stored (client, time and text) by an index: it read every
    # visit of the client at that time, so a batch of many visits at one time was quadratic.
    3: ("CREATE INDEX visits_by_text ON visits (client, at, input)",),
}
COLUMNS = (
    "client",
    "at",
    "input",
    "signals",
    "phase",
    "next_phase",
    "scores",
    "red_flags",
    "treatments",
    "note",
    "lang",
    "kb_name",
    "kb_version",
    "kb_hash",
)
JSON_COLUMNS = frozenset({"signals", "scores", "red_flags", "treatments"})
_AT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")


class Visit(NamedTuple):
    """One assessment of one client, as stored."""

    client: str
    at: str  # UTC, ISO 8601 with a Z: "2026-11-25T17:30:00Z"
    input: str
    signals: list[str]
    phase: str | None
    next_phase: str | None
    scores: dict[str, float]
    red_flags: list[str]
    treatments: list[dict[str, str | None]]
    note: str | None
    lang: str
    kb_name: str
    kb_version: str
    kb_hash: str

    def row(self) -> tuple[Any, ...]:
        return tuple(
            json.dumps(getattr(self, c), ensure_ascii=False)
            if c in JSON_COLUMNS
            else getattr(self, c)
            for c in COLUMNS
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Visit:
        """A stored row as a visit; ``ValueError`` saying what is wrong when it is not one (a
        row written by hand, or a damaged one)."""
        values = dict(zip(COLUMNS, row, strict=True))
        for column in JSON_COLUMNS:
            try:
                values[column] = json.loads(values[column])
            except (TypeError, ValueError):
                raise ValueError(f"'{column}' is not valid JSON") from None
        shapes = {
            "client": str, "at": str, "input": str, "signals": list, "scores": dict,
            "red_flags": list, "treatments": list, "lang": str,
            "kb_name": str, "kb_version": str, "kb_hash": str,
        }  # fmt: skip
        for column, kind in shapes.items():
            if not isinstance(values[column], kind):
                raise ValueError(f"'{column}' is not a {kind.__name__}")
        for column in ("phase", "next_phase", "note"):
            if values[column] is not None and not isinstance(values[column], str):
                raise ValueError(f"'{column}' is not text")
        if not all(isinstance(s, str) for s in (*values["signals"], *values["red_flags"])):
            raise ValueError("a signal or red flag is not text")
        if not all(isinstance(v, int | float) for v in values["scores"].values()):
            raise ValueError("a score is not a number")
        if not all(
            isinstance(t, dict)
            and all(isinstance(t.get(k), str) for k in ("verdict", "reason"))
            # (a name fasewiel does not know as a treatment has no id)
            and (t.get("id") is None or isinstance(t.get("id"), str))
            for t in values["treatments"]
        ):
            raise ValueError("a treatment verdict is incomplete")
        if not _AT.fullmatch(values["at"]):
            raise ValueError(
                f"'at' is not a UTC time like 2026-11-25T17:30:00Z, nor a day: {values['at']!r}"
            )
        return cls(**values)


class ClientRow(NamedTuple):
    client: str
    visits: int
    last_phase: str | None
    last_visit: str


# What makes a visit the same as one stored already (``Store.add``); the first three are indexed.
_SAME_VISIT = ("client", "at", "input", "note", "treatments")


def parse_at(at: str) -> datetime:
    """A visit's moment (UTC); a visit on a day alone ("2026-11-03") is taken at its start, in
    local time."""
    if len(at) == len("2026-11-03"):
        return datetime.combine(date.fromisoformat(at), datetime.min.time()).astimezone(UTC)
    return datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def when(at: Any) -> tuple[int, float]:
    """A visit's place in time, to sort by (``parse_at``: stored as text, "2026-11-03" would sort
    before the evening before it in a time zone behind UTC); a value that is no time at all (a
    row written by hand) comes last."""
    try:
        return (0, parse_at(str(at)).timestamp())
    except (TypeError, ValueError, OverflowError):
        return (1, 0.0)


def default_path() -> Path:
    """``$FASEWIEL_HOME/fasewiel.db``; without it, the platform's user data folder."""
    home = os.environ.get("FASEWIEL_HOME", "").strip()
    if home:
        return Path(home) / FILE_NAME
    from platformdirs import user_data_path

    return user_data_path("fasewiel", appauthor=False) / FILE_NAME


class Store:
    """An open history database; use ``Store.writing`` or ``Store.reading``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        # Visits committed through this store: known the moment COMMIT returns, so that an
        # interrupt right after it cannot make saved visits look unsaved.
        self.saved = 0
        self.skipped = 0  # (visits ``add`` found stored already)
        self._pending = 0

    # -- opening --------------------------------------------------------------------------------

    @classmethod
    def writing(cls, path: Path) -> Store:
        """Open (and if need be create) the database for writing, after checking it is ours."""
        _prepare(path)
        version = _inspect(path)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise _unusable(path, error) from None
        store = cls(connection, path)
        with store._guard():
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if version > 0:
                # A damaged file, or one a newer fasewiel changed meanwhile, is refused before
                # anything is written to it.
                verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
                actual = connection.execute("PRAGMA user_version").fetchone()[0]
                if verdict != "ok" or actual > SCHEMA_VERSION:
                    connection.close()
                    if verdict != "ok":
                        raise _unusable(path, f"damaged: {verdict}")
                    raise _newer(path, actual)
            connection.execute("PRAGMA journal_mode = WAL")
            if version < SCHEMA_VERSION:
                store._migrate()
        _restrict(path)
        return store

    @classmethod
    def reading(cls, path: Path) -> Store:
        """Open an existing database read-only."""
        if not path.exists():
            raise refusal(said("no_history", path=path), said("no_history_hint"))
        version = _inspect(path)
        if version == 0:
            raise refusal(said("no_history_in", path=path), said("no_history_hint"))
        uri = path.resolve().as_uri()
        try:
            connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            # On read-only media SQLite cannot make its -shm file: read the file as it stands.
            try:
                connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
                connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as error:
                raise _unusable(path, error) from None
        store = cls(connection, path)
        with store._guard():
            # A damaged file is refused, not read as if what is left of it were the history.
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            connection.close()
            raise _unusable(path, f"damaged: {verdict}")
        _restrict(path)
        return store

    def close(self) -> None:
        self.connection.close()
        _restrict(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """sqlite3 errors as the project's own: a damaged file, a lock held too long."""
        try:
            yield
        except sqlite3.OperationalError as error:
            if "readonly" in str(error):
                raise refusal(
                    said("history_read_only", path=self.path), said("history_read_only_hint")
                ) from None
            if "locked" in str(error) or "busy" in str(error):
                raise refusal(
                    said("history_busy", path=self.path, error=error), said("history_busy_hint")
                ) from None
            raise _unusable(self.path, error) from None
        except sqlite3.DatabaseError as error:
            raise _unusable(self.path, error) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): committed whole or not at all."""
        connection = self.connection
        with self._guard():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                self._pending = 0
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            self.saved, self._pending = self.saved + self._pending, 0

    def _migrate(self) -> None:
        with self._transaction() as connection:
            # Read again inside the transaction: another process may have migrated meanwhile.
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _newer(self.path, version)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    connection.execute(statement)
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writing --------------------------------------------------------------------------------

    def add(self, visits: Iterable[Visit], *, again: bool = False) -> int:
        """Store ``visits`` in one transaction; how many. A visit already stored — the same
        client, time, text, note and treatments, as when a file of past visits is saved twice —
        is not stored again (``skipped`` counts them), unless ``again`` (a visit saved on
        purpose: check --save twice in one second is two visits)."""
        count = 0
        with self._transaction() as connection:
            placeholders = ", ".join("?" for _ in COLUMNS)
            sql = f"INSERT INTO visits ({', '.join(COLUMNS)}) VALUES ({placeholders})"
            if not again:
                same = " AND ".join(f"{column} IS ?" for column in _SAME_VISIT)
                sql = (
                    f"INSERT INTO visits ({', '.join(COLUMNS)}) SELECT {placeholders}"
                    f" WHERE NOT EXISTS (SELECT 1 FROM visits WHERE {same})"
                )
            for visit in visits:
                row = visit.row()
                if not again:  # (the values the NOT EXISTS compares, in its order)
                    values = dict(zip(COLUMNS, row, strict=True))
                    row = (*row, *(values[column] for column in _SAME_VISIT))
                added = connection.execute(sql, row)
                if added.rowcount:
                    count += 1
                else:
                    self.skipped += 1
            self._pending = count
        return count

    def delete(self, client: str) -> int:
        """Erase every visit of ``client`` so that no trace of it stays in the files: deleted
        content is overwritten (secure_delete), then the file is rebuilt and the WAL emptied."""
        with self._guard():
            self.connection.execute("PRAGMA secure_delete = ON")
        with self._transaction() as connection:
            count = connection.execute("DELETE FROM visits WHERE client = ?", (client,)).rowcount
        self.compact(said("erasure_done", client=client))
        return count

    def compact(self, done: Message | None = None) -> None:
        """Rebuild the file (VACUUM) and empty the WAL into it: pages of deleted visits are
        gone from both. Needs a moment when no other process reads the database."""
        with self._guard():
            self.connection.execute("PRAGMA secure_delete = ON")
            for step in (
                "PRAGMA wal_checkpoint(TRUNCATE)",
                "VACUUM",
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ):
                row = self.connection.execute(step).fetchone()
                if row is not None and row[0]:  # a checkpoint another process kept from finishing
                    raise refusal(
                        said("erasure_blocked", done=done or said("erasure_history")),
                        said("erasure_blocked_hint"),
                    )

    # -- reading --------------------------------------------------------------------------------

    def rows(self, client: str) -> list[tuple[Any, ...]]:
        """The client's rows as stored (id first), oldest first (``when``)."""
        with self._guard():
            rows = self.connection.execute(
                f"SELECT id, {', '.join(COLUMNS)} FROM visits WHERE client = ?", (client,)
            ).fetchall()
        return sorted(rows, key=lambda row: (when(row[2]), row[0]))

    def visits(self, client: str) -> list[Visit]:
        """The client's visits, oldest first; a damaged one is an error naming it."""
        visits = []
        for row in self.rows(client):
            try:
                visits.append(Visit.from_row(row[1:]))
            except ValueError as error:
                raise refusal(
                    said("visit_damaged", visit=row[0], client=client, path=self.path, error=error),
                    said("visit_damaged_hint", client=client),
                ) from None
        return visits

    def count(self, client: str) -> int:
        with self._guard():
            row = self.connection.execute(
                "SELECT COUNT(*) FROM visits WHERE client = ?", (client,)
            ).fetchone()
        return int(row[0])

    def clients(self) -> list[ClientRow]:
        """One row per client: how many visits, the last phase and when."""
        counts: dict[str, int] = {}
        last: dict[str, tuple[tuple[int, float], int, Any, str]] = {}
        with self._guard():
            for client, visit, at, phase in self.connection.execute(
                "SELECT client, id, at, phase FROM visits"
            ):
                counts[client] = counts.get(client, 0) + 1
                latest = (when(at), visit, phase, at)
                if client not in last or latest[:2] > last[client][:2]:
                    last[client] = latest
        return [
            ClientRow(client, counts[client], last[client][2], last[client][3])
            for client in sorted(counts)
        ]

    def client_ids(self) -> list[str]:
        with self._guard():
            return [row[0] for row in self.connection.execute("SELECT DISTINCT client FROM visits")]


# --- checks before any write ----------------------------------------------------------------------


def _prepare(path: Path) -> None:
    """The folder (0700 when fasewiel makes it) and an empty 0600 file when there is none."""
    if path.is_symlink() and not path.exists():
        raise refusal(said("history_broken_link", path=path), said("history_other_file_hint"))
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            folder.chmod(0o700)  # whatever the umask
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
    except FileExistsError:
        pass  # another process made it just now
    except OSError as error:
        raise refusal(
            said("history_cannot_create", path=path, reason=error.strerror),
            said("history_cannot_create_hint"),
        ) from None
    _regular(path)
    mode = path.stat().st_mode
    # (root may write anything: a file its owner made read-only is still refused)
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise refusal(said("history_read_only", path=path), said("history_read_only_hint"))


def _regular(path: Path) -> None:
    """Refuse what is not a regular file (a folder, a FIFO that would block, a device)."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise _unusable(path, error.strerror or error) from None
    if not stat.S_ISREG(mode):
        raise refusal(said("history_not_regular", path=path), said("history_other_file_hint"))


def _inspect(path: Path) -> int:
    """The schema version of the file at ``path`` (0: empty, to be set up); raises when it is
    not a fasewiel database or comes from a newer fasewiel.

    The 100-byte SQLite header says most of it, read as plain bytes: another application's
    file is refused without SQLite ever opening it (which could leave -wal and -shm files
    beside it). Only when the header cannot tell — a fasewiel file whose first page still
    waits in its WAL — is the file opened, read-only."""
    _regular(path)
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except OSError as error:
        raise _unusable(path, error) from None
    if not header:
        return 0
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise _unusable(path, "not an SQLite file")
    if _truncated(header, size):
        raise _unusable(path, "the file is shorter than its header says: it was cut short")
    version = int.from_bytes(header[60:64], "big")
    application = int.from_bytes(header[68:72], "big")
    pages = int.from_bytes(header[28:32], "big")
    if Path(f"{path}-wal").exists():
        # Changes may still wait in the WAL, the header among them: ask SQLite instead.
        application, version, pages = _ask_sqlite(path)
    if application == 0 and pages <= 1:
        return 0  # an empty SQLite database: ours to set up
    if application != APPLICATION_ID:
        raise refusal(said("history_other_app", path=path), said("history_left_alone_hint"))
    if version > SCHEMA_VERSION:
        raise _newer(path, version)
    return version


def _truncated(header: bytes, size: int) -> bool:
    """Whether a file of ``size`` bytes is shorter than its SQLite header says it is. (The page
    count in the header counts only when it was written with the change counter beside it.)"""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or size % page_size:
        return True
    pages = int.from_bytes(header[28:32], "big")
    return header[24:28] == header[92:96] and size < pages * page_size


def _ask_sqlite(path: Path) -> tuple[int, int, int]:
    """application_id, user_version and whether it has tables, as SQLite sees the file."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            application = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise _unusable(path, error) from None
    return int(application), int(version), 2 if tables else 1


def _newer(path: Path, version: int) -> FasewielError:
    return refusal(
        said("history_newer", path=path, version=version, known=SCHEMA_VERSION),
        said("history_newer_hint"),
    )


def _unusable(path: Path, error: Exception | str) -> FasewielError:
    return refusal(said("history_unusable", path=path, error=error), said("history_unusable_hint"))


def _restrict(path: Path) -> None:
    """The database and its -wal and -shm files readable by their owner only: permissions are
    only ever taken away (a read-only file stays read-only)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if candidate.is_file() and mode & ~0o600:
                candidate.chmod(mode & 0o600)
        except OSError:
            pass  # not ours to change (a read-only copy): reading still works
