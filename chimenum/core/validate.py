"""Checks on the raw HTTP answer, before botocore parses it.

botocore parses leniently: a 200 whose body is not JSON becomes ``{}`` (the AWS CLI then prints
nothing and exits 0), and a body cut off before its ``Content-Length`` is parsed as far as it
goes. These checks run on botocore's ``before-parse`` event for every operation of the client
and raise :class:`~chimenum.core.errors.MalformedResponse` with a line that says what arrived, so
the
answer ends in exit 12 instead of a silent success or a misleading message.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chimenum.core.errors import MalformedResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

#: How much of an unexpected body the error message quotes.
QUOTE_LENGTH = 60


def _quote(body: bytes) -> str:
    text = body[:QUOTE_LENGTH].decode("utf-8", "replace")
    return repr(text + ("…" if len(body) > QUOTE_LENGTH else ""))


#: The JSON types a value of each scalar model type may have on the wire.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (str, int, float),
}


def check_json(shape: Shape, value: Any, where: str) -> None:
    """Raise unless the raw JSON ``value`` has the types the model promises for ``shape``.

    Run on the body as sent, because botocore's parser coerces: a boolean sent as ``"yes"``
    becomes ``False``, which no check after parsing could tell from a real ``false``.
    """
    if value is None:
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise MalformedResponse(f"{where} should be an object, got {_json_name(value)}")
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if member.serialization.get("location"):
                continue  # a header or the status code, not in the body
            key = member.serialization.get("name", name)
            if key in value:
                check_json(member, value[key], f"{where}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            raise MalformedResponse(f"{where} should be a list, got {_json_name(value)}")
        for index, item in enumerate(value):
            check_json(shape.member, item, f"{where}[{index}]")  # type: ignore[attr-defined]
    elif kind == "map":
        if not isinstance(value, dict):
            raise MalformedResponse(f"{where} should be an object, got {_json_name(value)}")
        for key, item in value.items():
            check_json(shape.value, item, f"{where}[{key!r}]")  # type: ignore[attr-defined]
    else:
        expected = _JSON_TYPES.get(kind)
        wrong_bool = isinstance(value, bool) and kind != "boolean"
        if expected is not None and (not isinstance(value, expected) or wrong_bool):
            raise MalformedResponse(f"{where} should be a {kind}, got {_json_name(value)}")


def _json_name(value: Any) -> str:
    names = {
        dict: "object",
        list: "list",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
    }
    return names.get(type(value), type(value).__name__)


def check_body(
    response_dict: dict[str, Any], operation_model: OperationModel | None = None, **_: Any
) -> None:
    """botocore ``before-parse`` handler: refuse truncated, non-JSON and mistyped answers."""
    body = response_dict.get("body")
    if not isinstance(body, (bytes, bytearray)):
        return  # a streaming body: nothing chimenum calls has one
    headers = response_dict.get("headers") or {}
    status = int(response_dict.get("status_code") or 0)
    declared = headers.get("content-length")
    encoding = (headers.get("content-encoding") or "identity").lower()
    if (
        declared is not None
        and declared.isdigit()
        and encoding == "identity"
        and len(body) < int(declared)
    ):
        raise MalformedResponse(
            f"the answer was cut off: {len(body)} of {int(declared)} bytes arrived"
        )
    if not 200 <= status < 300:
        return  # error answers are parsed and classified by status and error code
    if not body.strip():
        raise MalformedResponse(f"HTTP {status} with an empty body")
    content_type = headers.get("content-type") or "no Content-Type"
    try:
        document = json.loads(body)
    except ValueError:
        raise MalformedResponse(
            f"HTTP {status} body is not JSON ({content_type}): {_quote(bytes(body))}"
        ) from None
    if not isinstance(document, dict):
        raise MalformedResponse(
            f"HTTP {status} body is JSON but not an object ({_json_name(document)})"
        )
    output = operation_model.output_shape if operation_model is not None else None
    if output is not None:
        payload = output.serialization.get("payload")
        check_json(output.members[payload] if payload else output, document, "response")
