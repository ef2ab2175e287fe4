"""Checks on the raw HTTP answer, before botocore parses it.

botocore parses leniently: a 200 whose body is not JSON becomes ``{}`` (the AWS CLI then prints
nothing and exits 0), and a body cut off before its ``Content-Length`` is parsed as far as it
goes. These checks run on botocore's ``before-parse`` event for every operation of the client
and raise :class:`~chimenum.errors.MalformedResponse` with a line that says what arrived, so the
answer ends in exit 12 instead of a silent success or a misleading message.
"""

from __future__ import annotations

import json
from typing import Any

from chimenum.errors import MalformedResponse

#: How much of an unexpected body the error message quotes.
QUOTE_LENGTH = 60


def _quote(body: bytes) -> str:
    text = body[:QUOTE_LENGTH].decode("utf-8", "replace")
    return repr(text + ("…" if len(body) > QUOTE_LENGTH else ""))


def check_body(response_dict: dict[str, Any], **_: Any) -> None:
    """botocore ``before-parse`` handler: refuse truncated and non-JSON answers."""
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
            f"HTTP {status} body is JSON but not an object ({type(document).__name__})"
        )
