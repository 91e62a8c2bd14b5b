"""Text that reaches a terminal: what a user typed, or a file or database held, shown safely."""

from __future__ import annotations

import re

# Control characters except the line break: an escape sequence in a note or a client id must
# never drive the terminal (colours, title, cursor) — it is shown as its escape instead.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """``text`` with every control character (but the line break) written as its escape."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks shown as their escape too."""
    return shown(text).replace("\n", "\\n")
