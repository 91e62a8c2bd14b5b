"""The knowledge-base cache: used when it is this user's own and signed, never anything else.

A planted or altered file must never run code, never change advice and never stop a run: the
knowledge base is then read from its YAML, as on a first run.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from fasewiel_cli import check
from fasewiel_cli.knowledge import cache
from fasewiel_cli.knowledge import load as knowledge
from fasewiel_cli.knowledge.load import load_knowledge

RED_FLAG_TEXT = "mijn moedervlek bloedt en ik heb koorts met uitslag"


class Planted:
    """A pickle that, if anything ever unpickled it, would leave a file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh cache home; the process memo emptied, as in a new process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(knowledge, "_MEMO", {})
    return tmp_path / "cache" / "fasewiel"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How often the YAML is validated (a cache miss) from here on."""
    calls: list[str] = []
    build = knowledge.build_knowledge

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("built")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(knowledge, "build_knowledge", counted)
    return calls


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knowledge, "_MEMO", {})


def entry(folder: Path) -> Path:
    (found,) = folder.glob("knowledge-*.json")
    return found


def flags_of(text: str) -> list[str]:
    return sorted(f.id for f in check(text).red_flags)


def test_a_second_run_reads_the_signed_entry(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_knowledge()
    assert validations == ["built"]
    new_process(monkeypatch)
    second = load_knowledge()
    assert validations == ["built"]  # from the cache
    assert second == first
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert set(modes.values()) == {0o600}
    assert "key" in modes


def test_the_entry_is_plain_json_not_code(folder: Path) -> None:
    load_knowledge()
    head, signature, body = entry(folder).read_bytes().split(b"\n", 2)
    assert head == b"fasewiel-cache 1"
    assert len(signature) == 64
    assert json.loads(body)["info"]["$model"] == "KnowledgeInfo"


def test_a_planted_pickle_is_never_run(
    folder: Path, tmp_path: Path, validations: list[str]
) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Planted(marker))
    load_knowledge()
    knowledge._MEMO.clear()  # (a new process)
    # Where fasewiel 0.1 kept its cache, and in place of the signed entry.
    (folder / "knowledge-0123456789abcdef0123456789abcdef.pickle").write_bytes(payload)
    entry(folder).write_bytes(payload)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert not marker.exists()
    assert validations == ["built", "built"]  # the planted file was not taken for an entry
    assert not list(folder.glob("*.pickle"))  # old pickles are removed, unread


def test_a_forged_entry_without_the_red_flags_changes_nothing(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_knowledge()
    path = entry(folder)
    head, signature, body = path.read_bytes().split(b"\n", 2)
    parts = json.loads(body)
    parts["red_flags"] = []
    forged = json.dumps(parts).encode()
    # Same header, but a signature made without the key, then the real signature on other bytes.
    for sig in (b"0" * 64, signature):
        path.write_bytes(head + b"\n" + sig + b"\n" + forged)
        new_process(monkeypatch)
        assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert validations == ["built", "built", "built"]


@pytest.mark.parametrize(
    "damage",
    [b"", b"fasewiel-cache 1\n", b"fasewiel-cache 1\nshort\n{}", b"\x00" * 100],
)
def test_a_damaged_entry_is_rebuilt(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    first = load_knowledge()
    entry(folder).write_bytes(damage)
    new_process(monkeypatch)
    assert load_knowledge() == first
    assert validations == ["built", "built"]
    new_process(monkeypatch)
    load_knowledge()  # the rebuilt entry is good again
    assert validations == ["built", "built"]


def tamper_with(folder: Path, how: str) -> None:
    if how == "folder writable by others":
        folder.chmod(0o777)
    elif how == "folder of another user":
        os.chown(folder, 4242, 4242)
    elif how == "key readable by others":
        (folder / "key").chmod(0o644)
    elif how == "key of another user":
        os.chown(folder / "key", 4242, 4242)
    elif how == "entry writable by others":
        entry(folder).chmod(0o666)
    elif how == "entry of another user":
        os.chown(entry(folder), 4242, 4242)
    elif how == "folder is a symbolic link":
        folder.rename(folder.parent / "real")
        folder.symlink_to(folder.parent / "real")


@pytest.mark.parametrize(
    ("how", "builds"),
    [
        # A folder that is not safe is neither read nor written.
        ("folder writable by others", 3),
        ("folder of another user", 3),
        ("folder is a symbolic link", 3),
        # In a safe folder, a key or entry that is not is replaced by a new one, then used.
        ("key readable by others", 2),
        ("key of another user", 2),
        ("entry writable by others", 2),
        ("entry of another user", 2),
    ],
)
def test_a_cache_that_is_not_this_users_own_is_not_used(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch, how: str, builds: int
) -> None:
    if "another user" in how and os.geteuid() != 0:
        pytest.skip("only root can give a file to another user (see the next test)")
    first = load_knowledge()
    tamper_with(folder, how)
    for _ in range(2):
        new_process(monkeypatch)
        assert load_knowledge() == first
    assert len(validations) == builds


def test_a_user_whose_cache_is_anothers_never_uses_it(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_knowledge()
    # Seen by another user (another uid), every file of the cache is foreign.
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 4242)
    for _ in range(2):
        new_process(monkeypatch)
        assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert validations == ["built", "built", "built"]


def test_an_entry_that_is_a_symbolic_link_is_not_followed(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_knowledge()
    path = entry(folder)
    target = folder.parent / "elsewhere.json"
    path.rename(target)
    path.symlink_to(target)
    new_process(monkeypatch)
    assert load_knowledge() == first
    assert validations == ["built", "built"]


def test_a_fifo_in_place_of_an_entry_does_not_block(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_knowledge()
    path = entry(folder)
    path.unlink()
    os.mkfifo(path)
    new_process(monkeypatch)
    assert load_knowledge() == first  # (a blocking open would hang here)
    assert validations == ["built", "built"]


def test_a_cache_folder_that_cannot_be_made_is_no_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, validations: list[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    new_process(monkeypatch)
    assert load_knowledge().info.name == "fasewiel"
    assert validations == ["built"]


def test_old_entries_are_pruned(folder: Path) -> None:
    folder.mkdir(parents=True, mode=0o700)
    for n in range(12):
        stale = folder / f"knowledge-old{n}.json"
        stale.write_bytes(b"x")
        os.utime(stale, (n, n))
    load_knowledge()
    left = sorted(p.name for p in folder.glob("knowledge-*.json"))
    assert len(left) == cache.ENTRIES
    assert "knowledge-old0.json" not in left


def test_cache_folder_is_where_platformdirs_puts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    assert cache.cache_dir() == Path(user_cache_dir("fasewiel"))
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path(user_cache_dir("fasewiel"))


@pytest.mark.parametrize("which", ["key", "entry"])
def test_a_folder_in_place_of_a_cache_file_is_no_error(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    first = load_knowledge()
    path = folder / "key" if which == "key" else entry(folder)
    path.unlink()
    path.mkdir()
    for _ in range(2):
        new_process(monkeypatch)
        assert load_knowledge() == first  # (never "Is a directory")
    assert path.is_dir()


def test_an_entry_signed_for_another_name_is_not_used(
    folder: Path, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_knowledge()
    path = entry(folder)
    other = folder / "knowledge-0123456789abcdef0123456789abcdef.json"
    cache.write("0123456789abcdef0123456789abcdef", {"info": "another knowledge base"})
    other.replace(path)  # (signed by this user's key, but for another entry)
    new_process(monkeypatch)
    assert load_knowledge() == first
    assert validations == ["built", "built"]


def test_a_relative_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "fasewiel"
