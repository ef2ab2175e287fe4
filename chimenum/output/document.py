"""The JSON document every format and ``--query`` see: AWS CLI JSON, with unsafe characters escaped.

Parsed answers hold ``datetime`` timestamps; here they become ISO 8601 strings with their offset,
as the AWS CLI v2 prints them, so JSON for one id is byte for byte the AWS CLI's.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from chimenum.core.findings import Message
from chimenum.core.safe import json_escaped
from chimenum.output.times import iso_time, message_text


def _default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return iso_time(value)
    if isinstance(value, Message):
        return message_text(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


_compact = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":")).encode


def to_json(doc: Any, *, indent: int | None = 4) -> str:
    """Serialise the way the AWS CLI v2 does: 4-space indent, ISO 8601 timestamps with offset.

    Unlike the AWS CLI, the characters :mod:`chimenum.core.safe` calls unsafe are written as
    ``\\uXXXX`` escapes (:func:`~chimenum.core.safe.json_escaped`): the parsed value is the same,
    and ``--json`` in a terminal, piped or in colour, cannot be used to inject escape sequences.
    """
    if indent is None:
        text = _compact(doc)
    else:
        text = json.dumps(doc, default=_default, ensure_ascii=False, indent=indent)
    return json_escaped(text)


def jsonable(doc: Any) -> Any:
    """The plain JSON value of ``doc``: what ``--query`` and the text format work on."""
    return json.loads(to_json(doc, indent=None))
