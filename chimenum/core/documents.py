"""Documents chimenum wrote, read a record at a time: for ``diff``.

``list``, ``get`` and ``audit`` write ``--json`` (one JSON document) or ``-o ndjson`` (one object a
line). Both are read the same way, as a stream of top-level JSON objects whose ``PhoneNumbers`` or
``Findings`` array is decoded one element at a time with :meth:`json.JSONDecoder.raw_decode` over
a buffer of :data:`READ_SIZE` characters (:class:`Reader`): a document is never held whole, and
one value over :data:`MAX_VALUE` characters is refused. Each record becomes an :class:`Item`;
anything that is not JSON, or not a document chimenum wrote, is a :class:`BadDocument` naming the
file and the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TextIO

#: Characters read at a time.
READ_SIZE = 1 << 16
#: The most characters one value (an array element, any other top-level value) may take.
MAX_VALUE = 1 << 22

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class BadDocument(ValueError):
    """Not a document chimenum wrote, or not JSON: where, and why."""

    def __init__(self, name: str, line: int, reason: str) -> None:
        super().__init__(f"{name}: line {line}: {reason}")
        self.name = name
        self.line = line


class Reader:
    """JSON values read from a text stream a chunk at a time, with the line each starts on."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream = stream
        self.name = name
        self.buffer = ""
        self.pos = 0
        self.eof = False
        #: Lines in the text already dropped from the buffer.
        self.lines_before = 0

    def line(self) -> int:
        return self.lines_before + self.buffer.count("\n", 0, self.pos) + 1

    def fail(self, reason: str, line: int | None = None) -> BadDocument:
        return BadDocument(self.name, self.line() if line is None else line, reason)

    def more(self) -> bool:
        """Read a chunk, dropping what was consumed; ``False`` at the end of the stream."""
        if self.eof:
            return False
        try:
            chunk = self.stream.read(READ_SIZE)
        except UnicodeDecodeError as exc:
            raise self.fail(f"not UTF-8 text ({exc.reason})") from None
        self.lines_before += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def take(self, char: str, what: str) -> None:
        found = self.peek()
        if found != char:
            shown = f"{found!r}" if found else "the end of the file"
            raise self.fail(f"not JSON: expected {what}, found {shown}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, whole."""
        if not self.peek():
            raise self.fail("not JSON: the file ends inside the document")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buffer) - self.pos > MAX_VALUE:
                    reason = exc.msg if self.eof else f"a value over {MAX_VALUE} characters"
                    raise self.fail(f"not JSON: {reason}", self.lines_before + exc.lineno) from None
                self.more()
                continue
            # A number at the end of the buffer may go on in the next chunk.
            if end == len(self.buffer) and not self.eof and self.more():
                continue
            self.pos = end
            return value


#: Keys of a top-level object whose array is read an element at a time, and what it holds.
STREAMED: dict[str, Literal["number", "finding"]] = {
    "PhoneNumbers": "number",
    "Findings": "finding",
}
#: Other keys of the documents chimenum writes (a key beside them that is not here is skipped,
#: so that later versions' additions do not break a diff).
KNOWN = {
    "PhoneNumber",
    "PhoneNumberErrors",
    "PhoneNumberId",
    "ErrorCode",
    "Code",
    "Summary",
    "NextToken",
    "Incomplete",
    "Unfinished",
    "FindingsOmitted",
}


@dataclass(frozen=True)
class Item:
    """One record of a snapshot: a number, a finding, or what the document says of itself."""

    kind: Literal["number", "finding", "failed", "incomplete", "numbers", "audit"]
    record: dict[str, Any]
    line: int
    account: str = ""


def account_of(*records: Any) -> str:
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("AwsAccountId"), str):
            return str(record["AwsAccountId"])
    return ""


def items(reader: Reader) -> Iterator[Item]:
    """Every record of the stream, as it is read."""
    if not reader.peek():
        raise reader.fail("empty: not a document chimenum wrote")
    while reader.peek():
        line = reader.line()
        reader.take("{", "an object")
        fields: dict[str, Any] = {}
        while reader.peek() != "}":
            key = reader.value()
            if not isinstance(key, str):
                raise reader.fail("not JSON: an object key that is not a string")
            reader.take(":", "':'")
            if key in STREAMED and reader.peek() == "[":
                fields[key] = None
                yield from _elements(reader, STREAMED[key])
            else:
                fields[key] = reader.value()
            if reader.peek() != ",":
                break
            reader.pos += 1
        reader.take("}", "',' or '}'")
        yield from _top_level(reader, fields, line)


def _elements(reader: Reader, kind: Literal["number", "finding"]) -> Iterator[Item]:
    reader.take("[", "'['")
    while reader.peek() != "]":
        line = reader.line()
        element = reader.value()
        if not isinstance(element, dict):
            raise reader.fail(f"not a chimenum document: a {kind} that is not an object", line)
        yield Item(kind, element, line, account_of(element))
        if reader.peek() != ",":
            break
        reader.pos += 1
    reader.take("]", "',' or ']'")


def _top_level(reader: Reader, fields: dict[str, Any], line: int) -> Iterator[Item]:
    """What one top-level object says, once its streamed arrays are read."""
    if not KNOWN.intersection(fields) and not set(STREAMED).intersection(fields):
        keys = ", ".join(sorted(fields)[:5]) or "no keys"
        raise reader.fail(f"not a document chimenum wrote (an object with {keys})", line)
    if "PhoneNumbers" in fields:
        yield Item("numbers", fields, line)
    if "Findings" in fields or "Summary" in fields:
        yield Item("audit", fields, line)
    number = fields.get("PhoneNumber")
    if isinstance(number, dict):
        yield Item("number", number, line, account_of(number, fields))
    elif "Code" in fields and "PhoneNumberId" in fields:
        yield Item("finding", fields, line, account_of(fields))
    elif "ErrorCode" in fields:
        yield Item("failed", fields, line)
    errors = fields.get("PhoneNumberErrors")
    if isinstance(errors, list) and errors:
        yield Item("failed", {"Count": len(errors)}, line)
    summary = fields.get("Summary")
    omitted = fields.get("FindingsOmitted")
    if (
        fields.get("Incomplete") is True
        or (isinstance(summary, dict) and summary.get("Complete") is False)
        or (isinstance(omitted, int) and omitted > 0)
    ):
        yield Item("incomplete", fields, line)
