"""``-o json`` / ``--json``: the document the AWS CLI prints, nothing else on stdout.

One id: ``{"PhoneNumber": {...}}``, as ``aws chime get-phone-number`` prints it. Several ids:
``{"PhoneNumbers": [...], "PhoneNumberErrors": [...]}`` in input order, ``PhoneNumberErrors``
always present. A listing: ``{"PhoneNumbers": [...]}``; if it stopped early (a page still failed
after its retries) the numbers received are kept and ``"NextToken"`` says where the rest starts,
the AWS CLI's own sign of an unfinished listing, with ``"Incomplete": true``; if the first page
failed, nothing is printed. A batch stopped by a signal (Ctrl-C, SIGTERM, SIGHUP...) prints the
ids done before the first unfinished one, ``"Incomplete": true`` and ``"Unfinished"``: the ids
from the first unfinished one on, in input order, neither numbers nor errors.
A failed single id prints nothing on stdout: the error goes to stderr and the exit code says
which. With ``--query`` the result of the expression is printed instead (``null`` when nothing
matched, as the AWS CLI prints it).

When colour is on (a terminal, or ``--color always``), the same JSON text is highlighted with
rich's JSON highlighter. Piped or coloured, it is byte for byte what the AWS CLI prints, except
that the characters :mod:`chimenum.core.safe` calls unsafe (C1 controls, bidi overrides, line
separators, private-use and unassigned code points) are written as ``\\uXXXX`` escapes
(:func:`~chimenum.output.document.to_json`): the same JSON value, escaped the same way in both, so
a JSON file later shown on a terminal cannot act on it either.
"""

from __future__ import annotations

import datetime as dt
import re
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.query import apply
from chimenum.output.times import iso_time

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment


def error_object(result: Result) -> dict[str, str]:
    assert result.failure is not None
    return {
        "PhoneNumberId": result.phone_number_id,
        "ErrorCode": result.failure.code,
        "ErrorMessage": result.failure.message,
    }


def document(
    kind: str,
    numbers: list[dict[str, Any]],
    errors: list[dict[str, str]],
    *,
    stopped: bool = False,
    next_token: str | None = None,
    unfinished: Sequence[str] = (),
) -> dict[str, Any] | None:
    """The JSON document of a run (what ``--query`` sees); ``None`` when one id failed.

    For a listing, ``stopped`` says it ended early and ``next_token`` where the rest starts
    (``None``: its first page failed, so there is no document at all). For a batch,
    ``unfinished`` are the ids a stop signal left undone.
    """
    if kind == "one":
        return {"PhoneNumber": numbers[0]} if numbers else None
    if kind == "list":
        if not stopped:
            return {"PhoneNumbers": numbers}
        if next_token is None:
            return None
        return {"PhoneNumbers": numbers, "NextToken": next_token, "Incomplete": True}
    if stopped:
        return {"PhoneNumbers": numbers, "PhoneNumberErrors": errors, **incomplete(unfinished)}
    return {"PhoneNumbers": numbers, "PhoneNumberErrors": errors}


def with_pairs(doc: dict[str, Any], pairs: list[dict[str, Any]] | None) -> dict[str, Any]:
    """``doc`` ending with a several-pair run's ``Pairs`` (``None``: one pair, doc as is)."""
    return doc if pairs is None else {**doc, "Pairs": pairs}


def incomplete(unfinished: Sequence[str]) -> dict[str, Any]:
    """The keys that end the document of a batch a stop signal cut short, every kind's."""
    return {"Incomplete": True, "Unfinished": list(unfinished)}


def emit(env: Environment, text: str) -> None:
    """JSON text on stdout, every document kind's: ASCII escapes for an ASCII stdout,
    highlighted when colour is on."""
    if env.ascii_only:
        text = ascii_json(text)
    if env.stdout_color:
        from rich.highlighter import JSONHighlighter
        from rich.text import Text

        env.print(JSONHighlighter()(Text(text)), soft_wrap=True, end="")
    else:
        env.write(text)


#: Numbers a streamed document holds before they are written (a page, for a batch of ids).
NUMBERS_PER_WRITE = 100


class JsonRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.next_token: str | None = None
        self.stopped = False
        self.unfinished: Sequence[str] = ()
        self.pair_lines: list[dict[str, Any]] | None = None
        #: Numbers already written by :meth:`page_done` (a streamed document is open).
        self.written = 0

    def streams(self) -> bool:
        """Listings and batches are written as they arrive, byte for byte the document that
        :meth:`finish` would write at once; ``--query`` needs the whole document first."""
        return self.options.kind != "one" and self.options.query is None

    def add(self, result: Result) -> None:
        if result.document is not None:
            self.numbers.append(result.document["PhoneNumber"])
            if len(self.numbers) >= NUMBERS_PER_WRITE and self.options.kind == "many":
                self.page_done()
        else:
            self.errors.append(error_object(result))

    def page_done(self) -> None:
        """Write the numbers so far as the next part of the ``PhoneNumbers`` array.

        ``json.dumps(indent=4)`` writes an array element as the element's own indented JSON
        shifted by two levels, elements separated by ``",\n"``: so the parts written here add
        up to exactly the document's bytes. The document is opened only with its first
        number, so a listing whose first page fails still prints nothing.
        """
        if not self.streams() or not self.numbers:
            return
        parts = []
        if not self.written:
            parts.append('{\n    "PhoneNumbers": [\n')
        for number in self.numbers:
            if self.written:
                parts.append(",\n")
            parts.append("        " + pretty(number, "        "))
            self.written += 1
        self.numbers = []
        self.emit("".join(parts))
        self.env.flush()

    def close(self) -> None:
        """End a streamed document: the rest of the array and the keys after it."""
        self.page_done()
        # The keys after the array are those of the document without its numbers; a listing
        # stopped where it cannot say how to resume still says it is incomplete.
        doc = document(
            self.options.kind,
            [],
            self.errors,
            stopped=self.stopped,
            next_token=self.next_token,
            unfinished=self.unfinished,
        )
        doc = with_pairs(doc or {"Incomplete": True}, self.pair_lines)
        tail = {k: v for k, v in doc.items() if k != "PhoneNumbers"}
        # The keys after the array, cut from the document they would end.
        rest = to_json({"": None, **tail})[len('{\n    "": null') :]
        self.emit("\n    ]" + rest + "\n")

    def emit(self, text: str) -> None:
        emit(self.env, text)

    def document(self) -> dict[str, Any] | None:
        doc = document(
            self.options.kind,
            self.numbers,
            self.errors,
            stopped=self.stopped,
            next_token=self.next_token,
            unfinished=self.unfinished,
        )
        if self.pair_lines is None:
            return doc
        # Several pairs: a pair that failed leaves no token to resume with, and the others'
        # numbers still stand.
        return with_pairs(
            doc or {"PhoneNumbers": self.numbers, "Incomplete": True}, self.pair_lines
        )

    def pairs(self, pairs: list[dict[str, Any]]) -> None:
        # One id's document stays the number's own: its record says where it came from.
        if self.options.kind != "one":
            self.pair_lines = pairs

    def incomplete(self, next_token: str | None, unfinished: Sequence[str] = ()) -> None:
        self.stopped = True
        self.next_token = next_token
        self.unfinished = unfinished

    def finish(self) -> None:
        if self.written:
            self.close()
            return
        doc = self.document()
        if doc is None:
            return
        self.emit(to_json(apply(self.options.query, doc) if self.options.query else doc) + "\n")


class _Unusual(Exception):
    """A value :func:`pretty` leaves to ``to_json`` (a non-string key, an unknown type)."""


def _pretty(value: Any, indent: str) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, dt.datetime):
        return encode_basestring(iso_time(value))
    inner = indent + "    "
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(key, str) for key in value):
            raise _Unusual
        items = (f"{inner}{encode_basestring(k)}: {_pretty(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    raise _Unusual


def pretty(value: Any, indent: str = "") -> str:
    """``to_json(value)`` (4-space indent) with every line after the first indented by
    ``indent``: the same bytes, several times faster.

    ``json.dumps`` has no C encoder for indented output; a phone number is plain dicts, lists,
    strings, booleans, integers and datetimes, written here as ``json.dumps`` writes them (its
    own C string encoder). Anything else, and any text with characters ``to_json`` escapes
    further, is left to ``to_json`` itself.
    """
    try:
        text = _pretty(value, indent)
    except _Unusual:
        text = None
    if text is None or not text.isascii() or "\x7f" in text:
        return to_json(value).replace("\n", "\n" + indent)
    return text


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def ascii_json(text: str) -> str:
    """JSON ``text`` for a stdout that can only write ASCII: every other character as a
    ``\\uXXXX`` escape (JSON has them only inside strings), so it is still the same value."""
    return text if text.isascii() else _NOT_ASCII.sub(_ascii_escape, text)
