"""The one policy for untrusted characters: what is unsafe for a terminal, for JSON, for an id.

Calling names, association values and error messages are typed by other people. A character is
unsafe when a terminal could act on it or a reader could not see it: every control character
(C0, DEL, C1), every format character (bidi overrides, zero-width joiners), line and paragraph
separators, surrogates, private-use and unassigned code points (:data:`UNSAFE_CATEGORIES`).

- For a terminal (:func:`inert`, :func:`visible`), each is replaced by a visible escape such as
  ``\\x1b`` or ``\\u202e``; a literal backslash is doubled so an escape cannot be forged. Rich
  markup in data is never interpreted: renderers build ``rich.text.Text`` objects.
- In JSON text (:func:`json_escaped`), each is written as a ``\\uXXXX`` escape, so the value is
  the same and the text is inert, whether it is piped or shown in colour.
- An id containing one is refused (:func:`has_unsafe`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_FAST_SAFE = re.compile(r"[ -\[\]-~]*")


def is_unsafe(ch: str) -> bool:
    """Whether the one character ``ch`` is unsafe (see the module's description)."""
    return unicodedata.category(ch) in UNSAFE_CATEGORIES


def has_unsafe(text: str) -> bool:
    """Whether any character of ``text`` is unsafe."""
    return not _FAST_SAFE.fullmatch(text) and any(map(is_unsafe, text))


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
    return "".join(_escape(ch) if ch != "\n" and is_unsafe(ch) else ch for ch in text)


def inert(value: object) -> str:
    """``str(value)`` with every character a terminal could act on shown as an escape."""
    text = value if isinstance(value, str) else str(value)
    if _FAST_SAFE.fullmatch(text):
        return text
    return "".join("\\\\" if ch == "\\" else _escape(ch) if is_unsafe(ch) else ch for ch in text)


def inert_all(values: Iterable[object]) -> list[str]:
    """:func:`inert` of each value: one check of them all for the usual case, nothing unsafe."""
    texts = [value if isinstance(value, str) else str(value) for value in values]
    # The pattern is a run of safe characters: it matches the joined texts iff each of them.
    if _FAST_SAFE.fullmatch("".join(texts)):
        return texts
    return [inert(text) for text in texts]


#: In JSON text, only DEL and non-ASCII characters can be unsafe: ``json.dumps`` already
#: escapes C0 controls inside strings, and outside strings JSON has no such characters.
_DEL_OR_NON_ASCII = re.compile(r"[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if not is_unsafe(ch):
        return ch
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        # A lone surrogate is no character: UTF-8 cannot carry it and jq rejects its escape.
        return "\ufffd"
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_escaped(text: str) -> str:
    """JSON ``text`` with every unsafe character written as a ``\\uXXXX`` escape.

    The parsed value is the same, except that a lone surrogate (which JSON can name but is not
    a character) becomes U+FFFD, as jq would show it.
    """
    if text.isascii() and "\x7f" not in text:
        return text
    return _DEL_OR_NON_ASCII.sub(_json_escape, text)
