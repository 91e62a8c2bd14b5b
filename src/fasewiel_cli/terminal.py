"""Text that reaches a terminal: what a user typed, or a file or database held, shown safely."""

from __future__ import annotations

import re

# Control characters except the line break: an escape sequence in a note or a client id must
# never drive the terminal (colours, title, cursor) — it is shown as its escape instead. So are
# bidirectional controls (U+202E and kin), which would make text read otherwise than it is.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """``text`` with every control character (but the line break) written as its escape."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks shown as their escape too."""
    return shown(text).replace("\n", "\\n")
