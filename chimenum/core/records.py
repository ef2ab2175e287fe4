"""Checking parsed API answers against the API model, and turning them into JSON documents.

botocore parses leniently: a 200 whose body is not JSON parses to ``{}`` (which is why the AWS
CLI prints nothing and exits 0), and wrong types pass straight through. chimenum checks every
answer against the operation's output shape, so a malformed answer is a loud exit 12, never a
silent success or a confusing crash in a renderer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from chimenum.core.errors import MalformedResponse

if TYPE_CHECKING:
    from botocore.model import Shape

_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (float, int),
    "double": (float, int),
    "timestamp": (dt.datetime,),
    "blob": (bytes,),
}


def check_shape(shape: Shape, value: Any, where: str) -> None:
    """Raise :class:`MalformedResponse` unless ``value`` has the types ``shape`` promises."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise MalformedResponse(f"{where} should be an object, got {type(value).__name__}")
        members = shape.members  # type: ignore[attr-defined]
        for name, member in members.items():
            if name in value and value[name] is not None:
                check_shape(member, value[name], f"{where}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            raise MalformedResponse(f"{where} should be a list, got {type(value).__name__}")
        for index, item in enumerate(value):
            check_shape(shape.member, item, f"{where}[{index}]")  # type: ignore[attr-defined]
    elif kind == "map":
        if not isinstance(value, dict):
            raise MalformedResponse(f"{where} should be an object, got {type(value).__name__}")
    else:
        expected = _SCALARS.get(kind)
        bad_bool = kind in ("integer", "long", "float", "double") and isinstance(value, bool)
        if expected is not None and (not isinstance(value, expected) or bad_bool):
            raise MalformedResponse(f"{where} should be a {kind}, got {type(value).__name__}")


def check_phone_number(
    output_shape: Shape, parsed: dict[str, Any], requested: str
) -> dict[str, Any]:
    """Check a GetPhoneNumber answer and return the document without ``ResponseMetadata``."""
    doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    check_shape(output_shape, doc, "response")
    number = doc.get("PhoneNumber")
    if not isinstance(number, dict) or not number.get("PhoneNumberId"):
        raise MalformedResponse("response has no PhoneNumber.PhoneNumberId")
    if number["PhoneNumberId"] != requested:
        raise MalformedResponse(
            f"asked for {requested} but the answer is for {number['PhoneNumberId']!r}"
        )
    return doc


def _default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


#: Characters JSON may carry raw but a terminal could act on (DEL, C1 controls such as the
#: one-byte CSI U+009B, bidi overrides and other format characters, line/paragraph separators)
#: or an encoder cannot write (lone surrogates). ``json.dumps`` already escapes C0 controls.
_JSON_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NON_ASCII_OR_DEL = re.compile(r"[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if unicodedata.category(ch) not in _JSON_UNSAFE:
        return ch
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        # A lone surrogate is no character: UTF-8 cannot carry it and jq rejects its escape.
        return "\ufffd"
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def to_json(doc: Any, *, indent: int | None = 4) -> str:
    """Serialise the way the AWS CLI v2 does: 4-space indent, ISO 8601 timestamps with offset.

    Unlike the AWS CLI, characters a terminal could act on are written as ``\\uXXXX`` escapes:
    the parsed value is the same, and ``--json`` in a terminal cannot be used to inject escape
    sequences. Outside strings JSON has no such characters, so escaping is always valid. A lone
    surrogate (which JSON can name but is not a character) becomes U+FFFD, as jq would show it.
    """
    if indent is None:
        text = json.dumps(doc, default=_default, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(doc, default=_default, ensure_ascii=False, indent=indent)
    return (
        _NON_ASCII_OR_DEL.sub(_json_escape, text) if not text.isascii() or "\x7f" in text else text
    )


def jsonable(doc: Any) -> Any:
    """The plain JSON value of ``doc``: what ``--query`` and the text format work on."""
    return json.loads(to_json(doc, indent=None))
