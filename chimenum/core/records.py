"""Checking parsed API answers against the API model.

botocore parses leniently: a 200 whose body is not JSON parses to ``{}`` (which is why the AWS
CLI prints nothing and exits 0), and wrong types pass straight through. chimenum checks every
answer against the operation's output shape, so a malformed answer is a loud exit 12, never a
silent success or a confusing crash in a renderer.
"""

from __future__ import annotations

import datetime as dt
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
