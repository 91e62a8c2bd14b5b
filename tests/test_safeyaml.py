"""The strict YAML reader: what it refuses, how it resolves scalars, where it says things are."""

from __future__ import annotations

import pytest

from fasewiel_cli.knowledge import MAX_FILE_BYTES as MAX_BYTES
from fasewiel_cli.knowledge.safeyaml import YamlError, read_document


def read(text: str | bytes) -> object:
    raw = text.encode() if isinstance(text, str) else text
    return read_document(raw, "test.yaml").data


def refused(text: str | bytes) -> str:
    with pytest.raises(YamlError) as error:
        read(text)
    return str(error.value.problem)


def test_plain_mappings_and_lists() -> None:
    assert read("a: [1, 2]\nb: {c: text}\n") == {"a": [1, 2], "b": {"c": "text"}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("nee", "nee"),
        ("True", "True"),
        ("12:30", "12:30"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("2026-11-25", "2026-11-25"),
        ("12", 12),
        ("-3", -3),
        ("0.5", 0.5),
        ("~", None),
        ("null", None),
        ("", None),
        ("'true'", "true"),
        ('"12"', "12"),
    ],
)
def test_only_true_false_are_booleans_and_only_digits_are_numbers(
    value: str, expected: object
) -> None:
    result = read(f"key: {value}\n")
    assert result == {"key": expected}
    assert type(result["key"]) is type(expected)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a: &x 1\nb: *x\n", "anchors (&x) are not allowed", 1),
        ("a: 1\nb: *x\n", "aliases (*x) are not allowed", 2),
        ("a: !!python/object/apply:os.system ['echo hi']\n", "tags such as", 1),
        ("a: !custom 1\n", "tags such as !custom", 1),
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'", 3),
        ("a:\n\t- 1\n", "tab character", 2),
        ("a: 1\n---\nb: 2\n", "only one YAML document", 2),
        ("? [a, b]\n: 1\n", "a mapping key must be plain text", 1),
        ("a: [1, 2\n", "not valid YAML", 2),
    ],
)
def test_refused_with_line(text: str, message: str, line: int) -> None:
    problem = refused(text)
    assert message in problem
    assert problem.startswith(f"test.yaml:{line}:")


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    bomb = (
        'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n'
    )
    assert "anchors (&a)" in refused(bomb)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    assert "nested more than" in refused("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested more than" in refused("a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n")


def test_empty_and_blank_files() -> None:
    assert "file is empty" in refused("")
    assert "file is empty" in refused("  \n\n")


def test_large_file() -> None:
    assert "larger than" in refused("a: " + "x" * MAX_BYTES + "\n")


def test_bytes_that_are_not_utf8() -> None:
    problem = refused(b"a: 1\nb: caf\xe9\n")
    assert problem.startswith("test.yaml:2:")
    assert "not UTF-8" in problem


def test_binary_garbage() -> None:
    assert "test.yaml:" in refused(bytes(range(256)) * 4)


def test_nul_byte() -> None:
    assert refused("a: b\x00c\n") == (
        "test.yaml:1:5: error: character U+0000 is not allowed (a control character)"
    )


def test_a_control_character_is_placed_on_its_line_in_one_line_of_message() -> None:
    problem = refused("a: 1\nb: 2\nc: x\x07y\n")
    assert problem.startswith("test.yaml:3:5: error: character U+0007")
    assert "\n" not in problem


def test_a_number_too_long_to_be_one() -> None:
    assert refused("a: 1\nb: " + "9" * 5000 + "\n") == (
        "test.yaml:2:4: error: a number of more than 30 digits"
    )


def test_utf8_bom_is_accepted() -> None:
    assert read("\ufeffa: ë\n".encode()) == {"a": "ë"}


def test_positions_point_at_values_and_keys() -> None:
    document = read_document(b"phases:\n  - id: reset\n    name: {nl: a, en: b}\n", "f.yaml")
    assert document.locate(("phases", 0, "name", "en")) == (3, 23)
    assert document.locate(("phases", 0, "id")) == (2, 9)
    assert document.locate(("phases", 0, "missing")) == (2, 5)
    assert document.locate(("phases", 7)) == (2, 3)
