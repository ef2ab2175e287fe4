"""The checks of an answer that the API model cannot express, made on the parsed answer.

:mod:`chimenum.core.validate` holds every answer to the model's types as it is parsed; what is
left is whether the answer is about what was asked: the number asked for, every listed number
with an id, a related resource whose id member names the resource requested. An answer that
fails raises :class:`~chimenum.core.errors.MalformedResponse`: that lookup's exit-12 failure.
"""

from __future__ import annotations

from typing import Any

from chimenum.core.errors import MalformedResponse
from chimenum.core.ids import decoded


def check_phone_number(parsed: dict[str, Any], requested: str) -> dict[str, Any]:
    """Check a GetPhoneNumber answer and return the document without ``ResponseMetadata``.

    The service answers the id percent-encoded (``%2B12065550100``) with ``E164PhoneNumber``
    beside it; a plain id is accepted too. Both must name the E.164 number asked for.
    """
    doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    number = doc.get("PhoneNumber")
    if not isinstance(number, dict) or not number.get("PhoneNumberId"):
        raise MalformedResponse("response has no PhoneNumber.PhoneNumberId")
    for key, value in (
        ("PhoneNumberId", decoded(number["PhoneNumberId"])),
        ("E164PhoneNumber", number.get("E164PhoneNumber", requested)),
    ):
        if value != requested:
            raise MalformedResponse(
                f"asked for {requested} but the answer's {key} is {number[key]!r}"
            )
    return doc


def check_page(parsed: dict[str, Any]) -> dict[str, Any]:
    """Check a ListPhoneNumbers answer and return the page without ``ResponseMetadata``."""
    doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    numbers = doc.get("PhoneNumbers")
    if numbers is None:
        raise MalformedResponse("response has no PhoneNumbers list")
    for index, number in enumerate(numbers):
        if not isinstance(number, dict) or not number.get("PhoneNumberId"):
            raise MalformedResponse(f"response.PhoneNumbers[{index}] has no PhoneNumberId")
    return doc


def check_about(value: Any, requested: dict[str, str]) -> None:
    """Raise unless a related answer's object is about the resource asked for.

    ``requested`` is the request's id parameters (``{"VoiceConnectorId": "abc..."}``; GetUser:
    ``AccountId`` and ``UserId``). An answer object that carries a member of the same name
    (``GetVoiceConnector``'s ``VoiceConnector.VoiceConnectorId``) must carry that very id; an
    answer with no such member (an origination, a termination, a list of tags) says nothing
    about what it is for, and the model does not require one.
    """
    if not isinstance(value, dict):
        return
    for name, asked in requested.items():
        answered = value.get(name)
        if answered is not None and answered != asked:
            raise MalformedResponse(f"asked for {asked} but the answer's {name} is {answered!r}")
