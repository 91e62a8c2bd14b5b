"""The knowledge-base cache: used when it is this user's own and signed, never anything else.

A planted or altered file must never run code, never change advice and never stop a run: the
knowledge base is then read from its YAML, as on a first run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fasewiel_cli import check
from fasewiel_cli.knowledge import cache
from fasewiel_cli.knowledge import load as knowledge
from fasewiel_cli.knowledge.load import load_knowledge
from fasewiel_cli.language import lexicon

RED_FLAG_TEXT = "mijn moedervlek bloedt en ik heb koorts met uitslag"


class Planted:
    """A pickle that, if anything ever unpickled it, would leave a file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh cache home; the process memos emptied, as in a new process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    new_process(monkeypatch)
    return tmp_path / "cache" / "fasewiel"


def builds(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    """A "built" for each call of ``module.name`` from here on."""
    calls: list[str] = []
    build = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("built")
        return build(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How often the YAML is validated (a cache miss) from here on."""
    return builds(monkeypatch, knowledge, "build_knowledge")


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knowledge, "_MEMO", {})
    monkeypatch.setattr(lexicon, "_LEXICONS", {})


def entry(folder: Path, kind: str = "knowledge") -> Path:
    (found,) = folder.glob(f"{kind}-*.json")
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


# What builds each kind of entry (a cache miss).
BUILDERS = {"knowledge": (knowledge, "build_knowledge"), "lexicon": (lexicon, "build_lexicon")}


def without_red_flags(data: Any, kind: str) -> Any:
    """The data of an entry of ``kind`` with its red flags taken out."""
    if kind == "knowledge":
        data["red_flags"] = []
        return data
    at = lexicon.Lexicon._fields.index
    for name in ("flag_patterns", "flag_firsts", "flag_lemmas"):
        data[at(name)] = []
    data[at("flag_phrases")] = {}
    return data


@pytest.mark.parametrize("kind", ["knowledge", "lexicon"])
def test_a_forged_entry_without_the_red_flags_changes_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    built = builds(monkeypatch, *BUILDERS[kind])
    flags_of(RED_FLAG_TEXT)
    path = entry(folder, kind)
    head, signature, body = path.read_bytes().split(b"\n", 2)
    forged = json.dumps(without_red_flags(json.loads(body), kind)).encode()
    # Same header, but a signature made without the key, then the real signature on other bytes.
    for sig in (b"0" * 64, signature):
        path.write_bytes(head + b"\n" + sig + b"\n" + forged)
        new_process(monkeypatch)
        assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert built == ["built", "built", "built"]


def loaded(kind: str) -> Any:
    """What an entry of ``kind`` holds, as a run gets it: from the cache or built."""
    kb = load_knowledge()
    return kb if kind == "knowledge" else lexicon.lexicon_of(kb)


@pytest.mark.parametrize("kind", ["knowledge", "lexicon"])
@pytest.mark.parametrize(
    "damage",
    [b"", b"fasewiel-cache 1\n", b"fasewiel-cache 1\nshort\n{}", b"\x00" * 100],
)
def test_a_damaged_entry_is_rebuilt(
    folder: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes, kind: str
) -> None:
    built = builds(monkeypatch, *BUILDERS[kind])
    first = loaded(kind)
    entry(folder, kind).write_bytes(damage)
    for _ in range(2):  # (rebuilt once, then read again)
        new_process(monkeypatch)
        assert loaded(kind) == first
    assert built == ["built", "built"]


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


@pytest.mark.parametrize("kind", ["knowledge", "lexicon"])
def test_old_entries_are_pruned_kind_by_kind(folder: Path, kind: str) -> None:
    folder.mkdir(parents=True, mode=0o700)
    for n in range(12):
        stale = folder / f"{kind}-old{n}.json"
        stale.write_bytes(b"x")
        os.utime(stale, (n, n))
    loaded("lexicon")  # (writes an entry of each kind)
    left = sorted(p.name for p in folder.glob(f"{kind}-*.json"))
    assert len(left) == cache.ENTRIES
    assert f"{kind}-old0.json" not in left
    other = "lexicon" if kind == "knowledge" else "knowledge"
    assert len(list(folder.glob(f"{other}-*.json"))) == 1


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


# --- the lexicon, kept beside its knowledge base ------------------------------------------------


@pytest.fixture
def lexicon_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How often a lexicon is built (not read from the cache) from here on."""
    return builds(monkeypatch, lexicon, "build_lexicon")


def test_a_second_run_reads_the_lexicon_from_its_signed_entry(
    folder: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = lexicon.lexicon_of(load_knowledge())
    new_process(monkeypatch)
    second = lexicon.lexicon_of(load_knowledge())
    assert lexicon_builds == ["built"]
    assert second == first
    assert [type(field) for field in second] == [type(field) for field in first]
    assert stat.S_IMODE(entry(folder, "lexicon").stat().st_mode) == 0o600
    head, signature, body = entry(folder, "lexicon").read_bytes().split(b"\n", 2)
    assert head == b"fasewiel-cache 1"
    assert len(signature) == 64
    assert isinstance(json.loads(body), list)


def test_a_lexicon_is_cached_only_for_a_knowledge_base_loaded_from_its_files(
    folder: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    kb = load_knowledge()
    # (another knowledge base with the same files' hash: what is cached is not its lexicon)
    made = dataclasses.replace(kb, red_flags=())
    assert knowledge.cache_name(made) is None
    lexicon.lexicon_of(made)
    assert not list(folder.glob("lexicon-*.json"))
    new_process(monkeypatch)
    assert lexicon.lexicon_of(load_knowledge()).flag_patterns
    assert lexicon_builds == ["built", "built"]


def test_a_planted_pickle_in_place_of_the_lexicon_is_never_run(
    folder: Path, tmp_path: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "pwned"
    flags_of(RED_FLAG_TEXT)
    entry(folder, "lexicon").write_bytes(pickle.dumps(Planted(marker)))
    new_process(monkeypatch)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert not marker.exists()
    assert lexicon_builds == ["built", "built"]


def test_a_lexicon_of_another_unicode_version_is_not_read(
    folder: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a Python with other Unicode data (normalisation, what a letter is) would have built."""
    import unicodedata

    lexicon.lexicon_of(load_knowledge())
    new_process(monkeypatch)
    monkeypatch.setattr(unicodedata, "unidata_version", "0.0.1")
    lexicon.lexicon_of(load_knowledge())
    assert lexicon_builds == ["built", "built"]
    assert len(list(folder.glob("lexicon-*.json"))) == 2


def test_a_knowledge_entry_in_place_of_the_lexicon_is_not_read(
    folder: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flags_of(RED_FLAG_TEXT)
    # Signed with this user's key, but for another entry.
    entry(folder).replace(entry(folder, "lexicon"))
    new_process(monkeypatch)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert lexicon_builds == ["built", "built"]


def reshaped(fields: list[Any], how: str) -> Any:
    """A lexicon's stored fields, changed in one way that is not the lexicon's shape."""
    at = lexicon.Lexicon._fields.index
    if how == "not a list":
        return {"lemmas": fields[0]}
    if how == "a field missing":
        return fields[:-1]
    if how == "a field too many":
        return [*fields, []]
    if how == "a word that is a number":
        fields[at("lemmas")]["rood"] = 1
    elif how == "a language that is none":
        fields[at("languages")]["rood"] = "de"
    elif how == "a pair of three":
        fields[at("base_index")]["rood"] = [["rode", "nl", "en"]]
    elif how == "a distance that is true":
        fields[at("flag_patterns")][0][2] = True
    elif how == "a mapping for a list":
        fields[at("suggestion_keys")] = {"rood": "rood"}
    elif how == "a list for a mapping":
        fields[at("languages")] = [["rood", "nl"]]
    elif how == "a phrase that is no list":
        fields[at("phrases")][0][0] = "rode"
    elif how == "nothing for a set of words":
        fields[at("flag_lemmas")] = None
    return fields


@pytest.mark.parametrize(
    "how",
    [
        "not a list",
        "a field missing",
        "a field too many",
        "a word that is a number",
        "a language that is none",
        "a pair of three",
        "a distance that is true",
        "a mapping for a list",
        "a list for a mapping",
        "a phrase that is no list",
        "nothing for a set of words",
    ],
)
def test_a_signed_lexicon_of_another_shape_is_rebuilt(
    folder: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """As an older fasewiel, or a mistake, might write it: signed with the key, yet not read."""
    first = lexicon.lexicon_of(load_knowledge())
    path = entry(folder, "lexicon")
    name = path.stem.removeprefix("lexicon-")
    _, _, body = path.read_bytes().split(b"\n", 2)
    cache.write(name, reshaped(json.loads(body), how), kind="lexicon")
    new_process(monkeypatch)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert lexicon.lexicon_of(load_knowledge())[:-1] == first[:-1]  # (all but the memo)
    assert lexicon_builds == ["built", "built"]


def test_the_lexicon_of_a_changed_knowledge_base_is_its_own(
    folder: Path, kb_copy: Path, lexicon_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "zomaar" not in lexicon.lexicon_of(load_knowledge(kb_copy)).function_words
    language = kb_copy / "language.yaml"
    language.write_text(
        language.read_text().replace("fillers:\n  nl: [", "fillers:\n  nl: [zomaar, ")
    )
    for _ in range(2):  # (built, then read)
        new_process(monkeypatch)
        assert "zomaar" in lexicon.lexicon_of(load_knowledge(kb_copy)).function_words
    assert lexicon_builds == ["built", "built"]


def test_no_home_folder_is_no_error(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user without a home folder (``docker run --user 1234``, ``env -i``): with
    XDG_CACHE_HOME set the cache is used, and without it there is none — never a traceback."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert entry(folder, "lexicon").exists()
    monkeypatch.delenv("XDG_CACHE_HOME")
    new_process(monkeypatch)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]


@pytest.mark.parametrize("kind", ["knowledge", "lexicon"])
def test_a_signed_entry_nested_too_deep_to_read_is_rebuilt(
    folder: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """JSON nested deeper than Python reads (fasewiel never writes it, but a signed entry
    might hold it): no traceback, the entry is built again."""
    built = builds(monkeypatch, *BUILDERS[kind])
    flags_of(RED_FLAG_TEXT)
    name = entry(folder, kind).stem.removeprefix(f"{kind}-")
    body = "[" * 100_000 + "]" * 100_000
    cache.write(name, json.loads("[]"), kind=kind)  # (a valid key and entry, then its body:)
    path = entry(folder, kind)
    head, _, _ = path.read_bytes().split(b"\n", 2)
    key = (folder / "key").read_bytes()
    signed = f"{kind}-{name}".encode() + b"\0" + body.encode()
    signature = hmac.new(key, signed, hashlib.sha256).hexdigest().encode()
    path.write_bytes(head + b"\n" + signature + b"\n" + body.encode())
    assert cache.read(name, kind=kind) is None
    new_process(monkeypatch)
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert built == ["built", "built"]


def test_a_write_cut_short_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM between writing an entry's temporary file and putting it in place: the file
    is removed on the way out; one left by a kill that nothing can catch is removed later."""
    script = (
        "import os, signal, sys\n"
        "real = os.replace\n"
        "def replace(src, dst, **kw):\n"
        "    if str(src).startswith('.lexicon-'):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(src, dst, **kw)\n"
        "os.replace = replace\n"
        "sys.argv = ['fasewiel', 'check', 'rood']\n"
        "from fasewiel_cli.cli.app import main\n"
        "main()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert run.returncode == 128 + signal.SIGTERM, run.stderr
    folder = tmp_path / "fasewiel"
    assert not list(folder.glob(".*.tmp"))
    killed = folder / ".lexicon-0123.4567.tmp"  # (as SIGKILL leaves one)
    fresh = folder / ".lexicon-89ab.cdef.tmp"  # (one another process is writing now)
    for left in (killed, fresh):
        left.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(killed, (an_hour_ago, an_hour_ago))
    for path in folder.glob("lexicon-*.json"):
        path.unlink()  # (so that the next run writes one, and tidies up)
    subprocess.run(
        [sys.executable, "-m", "fasewiel", "check", "rood"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert sorted(folder.glob(".*.tmp")) == [fresh]


def test_entry_names_tell_code_moved_between_files_apart(tmp_path: Path) -> None:
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text("a = 1\nb = 2\n")
    two.write_text("")
    before = cache.entry_name(["x"], [one, two])
    one.write_text("a = 1\n")
    two.write_text("b = 2\n")
    assert before is not None
    assert cache.entry_name(["x"], [one, two]) not in (None, before)


def test_a_knowledge_base_changed_in_memory_reads_with_its_own_lexicon(folder: Path) -> None:
    """``dataclasses.replace`` keeps the info (and its hash) of the knowledge base it copies:
    its lexicon is still its own, and the built-in one keeps its red flags."""
    kb = load_knowledge()
    without = dataclasses.replace(kb, red_flags=())
    assert check("rood", kb=without).red_flags == ()
    assert flags_of(RED_FLAG_TEXT) == ["changing_mole", "spreading_rash_fever"]
    assert lexicon.lexicon_of(without) is not lexicon.lexicon_of(kb)
