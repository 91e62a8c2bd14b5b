"""Text that reaches a terminal: what a user typed, or a file or database held, shown safely."""

from __future__ import annotations

import re
from typing import IO

# Characters that hide or reorder what a text says: the bidirectional controls (U+202E and kin,
# "Trojan source"), zero-width characters, line and paragraph separators, a BOM in the middle.
INVISIBLE = "\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff"

# Control characters except the line break: an escape sequence in a note or a client id must
# never drive the terminal (colours, title, cursor) — it is shown as its escape instead. So are
# bidirectional controls (U+202E and kin), which would make text read otherwise than it is, and
# invisible characters (zero width, line separators, a BOM).
_CONTROL = re.compile(rf"[\x00-\x09\x0b-\x1f\x7f-\x9f{INVISIBLE}]")


def shown(text: str) -> str:
    """``text`` with every control character (but the line break) written as its escape."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def shortened(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters (an ellipsis last) when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """``text`` on one line: line breaks shown as their escape too."""
    return shown(text).replace("\n", "\\n")


# What ``for_terminal`` escapes: every control character but the tab and the line end ("\n",
# or "\r\n" as CSV writes it), and the bidirectional controls. (A pattern left to ``re`` to
# compile when first used, as ``_JSON_UNSAFE``: most runs need neither, and compiling these
# character classes costs ~0.4 ms each.)
_UNSAFE = rf"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{INVISIBLE}]"


def for_terminal(text: str) -> str:
    """Output bound for a terminal (plain text, Markdown, CSV or JSON Lines shown as they are):
    every control character that could drive it written as its escape, line ends kept."""
    return re.sub(_UNSAFE, lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TerminalSafe:
    """A text stream that writes ``for_terminal`` text into another (stdout, when a terminal)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(for_terminal(text))

    def flush(self) -> None:
        self.stream.flush()


# What JSON leaves as it is but a terminal may act on: DEL, the C1 controls (U+0080-U+009F, CSI
# among them) and the bidirectional controls. (JSON escapes the C0 controls itself.)
_JSON_UNSAFE = rf"[\x7f-\x9f{INVISIBLE}]"


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``) with those characters written as ``\\uXXXX`` escapes:
    the same JSON, safe to print."""
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)
