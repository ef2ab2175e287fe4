"""Parsing and normalising phone-number ids.

A Chime ``PhoneNumberId`` is the number in E.164 form (``+12065550100``). People paste it in the
forms they see: plain, percent-encoded as list output shows it (``%2B12065550100``), with
surrounding whitespace, with the usual separators (``+1 206-555-0100``, ``+1 (206) 555.0100``),
or as the number's ARN that Chime SDK Voice prints in ``PhoneNumberArn``
(``arn:aws:chime:us-east-1:111122223333:phone-number/12065550100``: the id is the last path
segment, the number's digits with or without its ``+``, percent-encoded or not). All of those
normalise to the E.164 string. Anything else cannot name a phone number, so it is refused here,
before any request is sent: an empty id would even turn ``GET /phone-numbers/{id}`` into the list
route, and a North American (+1) number without exactly ten digits after the 1 would only come
back NotFound.

Answers carry the id percent-encoded (``"PhoneNumberId": "%2B12065550100"``) with
``"E164PhoneNumber": "+12065550100"`` beside it; :func:`e164_of` is the number either way, and
:func:`decoded` is what an id sent to the API must be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO
from urllib.parse import unquote

from chimenum.core.safe import has_unsafe

#: Longer input is refused without being examined further: no E.164 number or phone-number ARN
#: is near this long.
MAX_INPUT_LENGTH = 128

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SEPARATORS = re.compile(r"[ \t\-.()]")


class InvalidId(ValueError):
    """An id that cannot be a phone-number id; its message says why, for one line on stderr.

    ``str()`` quotes the id as Python's ``repr`` does, safe wherever it is shown; ``as_given``
    quotes it as it was given, for a sink that makes text inert itself (``Environment.error``),
    so that it is escaped there once, not twice.
    """

    def __init__(self, message: str, as_given: str | None = None) -> None:
        super().__init__(message)
        self.as_given = message if as_given is None else as_given


def _invalid(raw: str, reason: str) -> InvalidId:
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    return InvalidId(
        f"invalid phone-number id {shown!r}: {reason}",
        f"invalid phone-number id '{shown}': {reason}",
    )


def normalise(raw: str) -> str:
    """Return the E.164 phone-number id that ``raw`` names, or raise :class:`InvalidId`."""
    if len(raw) > MAX_INPUT_LENGTH:
        raise _invalid(raw, f"longer than {MAX_INPUT_LENGTH}")
    text = raw.strip()
    if not text:
        raise InvalidId("invalid phone-number id: empty")
    if "%" in text:
        decoded = unquote(text, errors="strict") if _valid_percent(text) else None
        if decoded is None:
            raise _invalid(raw, "bad percent-encoding")
        text = decoded.strip()
    if has_unsafe(text):
        raise _invalid(raw, "contains control characters")
    if text.startswith("arn:"):
        text = _arn_number(raw, text)
    compact = _SEPARATORS.sub("", text)
    if _E164.fullmatch(compact):
        if compact.startswith("+1") and len(compact) != 12:
            raise _invalid(raw, _nanp_hint(compact[2:]))
        return compact
    if compact.isascii() and compact.isdigit():
        raise _invalid(raw, _digits_hint(compact))
    raise _invalid(raw, "expected an E.164 number such as +12065550100")


#: A phone number's ARN: ``arn:PARTITION:chime:REGION:ACCOUNT:phone-number/ID``.
_ARN = re.compile(r"arn:aws[a-z-]*:chime:[a-z0-9-]*:[0-9]*:phone-number/(?P<id>[^/:]+)")


def _arn_number(raw: str, arn: str) -> str:
    """The number a phone-number ARN names: its last path segment (already percent-decoded),
    the E.164 digits with their ``+`` or without it, as Chime SDK Voice writes them."""
    match = _ARN.fullmatch(arn)
    if match is None:
        raise _invalid(
            raw,
            "not a phone-number ARN (expected arn:aws:chime:REGION:ACCOUNT:phone-number/NUMBER)",
        )
    number = match["id"].strip()
    return number if number.startswith("+") else "+" + number


#: A North American number without its country code: area code and exchange start with 2-9.
_NANP_NATIONAL = re.compile(r"[2-9][0-9]{2}[2-9][0-9]{6}")


def _north_america(national: str) -> str:
    """The hint for ten digits that would be a North American number after +1 ("" if not)."""
    return f" (in North America: +1{national})" if _NANP_NATIONAL.fullmatch(national) else ""


def _nanp_hint(national: str) -> str:
    """Why a +1 number is refused: North America's numbers have ten digits after the 1. One
    typed with the 1 twice (+1 1 206...) names the number it would be without it."""
    count = len(national)
    if count == 11 and _NANP_NATIONAL.fullmatch(national[1:]) and national.startswith("1"):
        hint = f" (did you mean +1{national[1:]}?)"
    else:
        hint = " (in North America: +1 and 10 digits, e.g. +12065550100)"
    return f"a North American (+1) number has 10 digits after the 1, this one has {count}{hint}"


def _digits_hint(digits: str) -> str:
    """Why digits without a ``+`` are refused, suggesting only an id that would be accepted.

    Guessing ``+`` in front is right only when the digits already start with a country code:
    ``00`` is the international call prefix (dropped), a single leading ``0`` is a national
    trunk prefix, and ten digits are a national number in most of the world (2065550100 is
    Seattle, while +2065550100 would be in Egypt).
    """
    if digits.startswith("00"):
        if _E164.fullmatch("+" + digits[2:]):
            return (
                f"E.164 ids start with '+' in place of the 00 prefix (did you mean +{digits[2:]}?)"
            )
        return "E.164 ids start with '+' and a country code, e.g. +12065550100"
    if digits.startswith("0"):
        return (
            "the country code is missing: write '+', the country code, then the number"
            " without its leading 0"
        )
    if len(digits) == 10:
        return f"the country code is missing{_north_america(digits)}"
    if _E164.fullmatch("+" + digits):
        return f"E.164 ids start with '+' (did you mean +{digits}?)"
    return "expected an E.164 number such as +12065550100"


def _valid_percent(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return re.fullmatch(r"(?:[^%]|%[0-9A-Fa-f]{2})*", text) is not None


def decoded(phone_number_id: str) -> str:
    """The id as the API's path takes it: the service answers ``%2B12065550100`` where it means
    ``+12065550100``, and botocore percent-encodes the path label itself (``%2B`` sent as is would
    arrive as ``%252B``)."""
    return unquote(phone_number_id) if "%" in phone_number_id else phone_number_id


def encoded(phone_number_id: str) -> str:
    """The id percent-encoded as the service answers it (``%2B12065550100``)."""
    return phone_number_id.replace("+", "%2B")


def e164_of(number: Mapping[str, Any]) -> str:
    """The number an answer is about, in E.164: ``E164PhoneNumber`` when the answer has it, else
    its ``PhoneNumberId`` decoded ("" when it has neither). The one way the program keys, compares
    and shows numbers, whichever form the service sent the id in."""
    e164 = number.get("E164PhoneNumber")
    if isinstance(e164, str) and e164:
        return e164
    phone_number_id = number.get("PhoneNumberId")
    return decoded(phone_number_id) if isinstance(phone_number_id, str) else ""


def unique(ids: Iterable[str]) -> list[str]:
    """Normalise every id, keeping the first occurrence of each in input order.

    Raises :class:`InvalidId` for the first id that cannot be valid, so nothing is fetched when
    any input is bad.
    """
    seen: dict[str, None] = {}
    for raw in ids:
        seen.setdefault(normalise(raw), None)
    return list(seen)


#: The longest line of ids read, in bytes; a longer line ends the input (exit 2), rather than
#: being cut (the id at its end would be lost) or read whole (it could be endless: /dev/zero).
MAX_LINE_BYTES = 4096
#: The most input read, in bytes: some five million ids.
MAX_INPUT_BYTES = 64 << 20


class InputTooLarge(InvalidId):
    """The input breaks a limit at line ``line``: nothing after it is read."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def id_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of ``stream`` that names an id.

    One id per line; blank lines are skipped, and so is everything from a ``#`` to the end of
    the line (no id contains ``#``), so lists can carry comments (of any length). Bytes that
    are not UTF-8 are kept as U+FFFD, so such a line is reported as invalid rather than
    crashing the read. A line over :data:`MAX_LINE_BYTES` that is not a comment, or input over
    :data:`MAX_INPUT_BYTES`, raises :class:`InputTooLarge`.
    """
    number = 0
    total = 0

    def count(raw: bytes) -> None:
        nonlocal total
        total += len(raw)
        if total > MAX_INPUT_BYTES:
            raise InputTooLarge(number, f"the input is larger than {MAX_INPUT_BYTES >> 20} MiB")

    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        count(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            if not raw.lstrip().startswith(b"#"):
                raise InputTooLarge(number, f"line longer than {MAX_LINE_BYTES} bytes")
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                count(rest)
        text = raw.decode("utf-8", "replace")
        if number == 1:
            text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
        text = text.partition("#")[0].strip()
        if text:
            yield number, text
