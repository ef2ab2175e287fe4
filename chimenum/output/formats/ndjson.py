"""``-o ndjson``: one JSON object per line, written as soon as it and everything before it are done.

A fetched number is ``{"PhoneNumber": {...}}``; a failed id is
``{"PhoneNumberId", "ErrorCode", "ErrorMessage"}``. Nothing is kept beyond a bounded buffer, so
memory stays flat. ``--query`` applies to each line's object and prints its result as one JSON
line, ``null`` included, so line N is always about the Nth id.

Lines are written out together, in one write, when nothing else is ready: the batch engine calls
:meth:`NdjsonRenderer.flush` before it waits for the next id (a listing, after each page). A
line therefore never waits behind a slow id, and a batch whose results arrive faster than they
are written costs one system call per run of ready lines instead of one per line: with 32
requests in flight, each write gave up the interpreter's lock to the workers and waited to get
it back. At most :data:`BUFFERED` characters are held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.json import ascii_json, error_object
from chimenum.output.query import apply

if TYPE_CHECKING:
    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment

#: The most characters held before they are written whatever comes next.
BUFFERED = 1 << 15


class NdjsonRenderer(Renderer):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._lines: list[str] = []
        self._size = 0

    def add(self, result: Result) -> None:
        doc = result.document if result.document is not None else error_object(result)
        if self.options.query is not None:
            doc = apply(self.options.query, doc)
        line = to_json(doc, indent=None) + "\n"
        self._lines.append(line)
        self._size += len(line)
        if self._size >= BUFFERED:
            self.flush()

    def flush(self) -> None:
        """Write the lines held, in one write."""
        if self._lines:
            text = "".join(self._lines)
            self._lines.clear()
            self._size = 0
            write_text(self.env, text)

    page_done = flush
    finish = flush


def write_line(env: Environment, value: Any) -> None:
    """One JSON value as one line, written at once (every document kind's ndjson)."""
    write_text(env, to_json(value, indent=None) + "\n")


def write_text(env: Environment, text: str) -> None:
    env.write(ascii_json(text) if env.ascii_only else text)
    env.flush()
