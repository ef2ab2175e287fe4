"""Making untrusted strings inert for a terminal.

Calling names, association values and error messages are typed by other people. Before they reach
a terminal, every control character (C0, DEL, C1), every format character (bidi overrides,
zero-width joiners) and every line or paragraph separator is replaced by a visible escape such as
``\\x1b`` or ``\\u202e``; a literal backslash is doubled so an escape cannot be forged. Rich markup
in data is never interpreted: renderers build ``rich.text.Text`` objects, never markup strings.
"""

from __future__ import annotations

import re
import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_FAST_SAFE = re.compile(r"[ -\[\]-~]*")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with the characters a terminal could act on escaped, backslashes left alone.

    For text the user typed (click's usage errors quote argv): escapes cannot be forged there by
    anyone but the user, and ``'\\x1b'`` in an echoed ``repr`` should stay readable. Newlines
    are kept: usage messages span lines.
    """
    if _FAST_SAFE.fullmatch(text.replace("\\", "").replace("\n", "")):
        return text
    return "".join(
        _escape(ch) if ch != "\n" and unicodedata.category(ch) in UNSAFE_CATEGORIES else ch
        for ch in text
    )


def inert(value: object) -> str:
    """``str(value)`` with every character a terminal could act on shown as an escape."""
    text = value if isinstance(value, str) else str(value)
    if _FAST_SAFE.fullmatch(text):
        return text
    return "".join(
        "\\\\"
        if ch == "\\"
        else _escape(ch)
        if unicodedata.category(ch) in UNSAFE_CATEGORIES
        else ch
        for ch in text
    )
