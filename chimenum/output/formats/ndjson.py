"""``-o ndjson``: one JSON object per line, written as soon as it and everything before it are done.

A fetched number is ``{"PhoneNumber": {...}}``; a failed id is
``{"PhoneNumberId", "ErrorCode", "ErrorMessage"}``. Nothing is kept, so memory stays flat.
``--query`` applies to each line's object and prints its result as one JSON line, ``null``
included, so line N is always about the Nth id.
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


class NdjsonRenderer(Renderer):
    def add(self, result: Result) -> None:
        doc = result.document if result.document is not None else error_object(result)
        if self.options.query is not None:
            doc = apply(self.options.query, doc)
        write_line(self.env, doc)


def write_line(env: Environment, value: Any) -> None:
    """One JSON value as one line, written at once (every document kind's ndjson)."""
    line = to_json(value, indent=None) + "\n"
    env.write(ascii_json(line) if env.ascii_only else line)
    env.flush()
