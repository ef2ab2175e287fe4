"""What differs between the two phone-number APIs chimenum speaks, as plain constants.

``chime`` is the Amazon Chime API (global endpoint, support ended 2026-02-20); ``voice`` is the
Chime SDK Voice API (regional). The values mirror the botocore service models (a test keeps them
in step) but live here so that option choices and ``--help`` need no botocore import.
"""

from __future__ import annotations

from typing import Literal

Api = Literal["chime", "voice"]

APIS: tuple[Api, ...] = ("chime", "voice")

#: The botocore client each API uses.
SERVICE_NAMES: dict[str, str] = {"chime": "chime", "voice": "chime-sdk-voice"}

#: The ``aws`` command group that prints the same documents.
AWS_CLI_COMMANDS: dict[str, str] = {"chime": "aws chime", "voice": "aws chime-sdk-voice"}

_CHIME_STATUSES = (
    "AcquireInProgress",
    "AcquireFailed",
    "Unassigned",
    "Assigned",
    "ReleaseInProgress",
    "DeleteInProgress",
    "ReleaseFailed",
    "DeleteFailed",
)

#: Every phone-number status of each API (``PhoneNumberStatus``); voice adds three to chime's.
STATUSES: dict[str, tuple[str, ...]] = {
    "chime": _CHIME_STATUSES,
    "voice": ("Cancelled", "PortinCancelRequested", "PortinInProgress", *_CHIME_STATUSES),
}

#: ``ListPhoneNumbers --product-type`` values of each API.
PRODUCT_TYPES: dict[str, tuple[str, ...]] = {
    "chime": ("BusinessCalling", "VoiceConnector", "SipMediaApplicationDialIn"),
    "voice": ("VoiceConnector", "SipMediaApplicationDialIn"),
}

#: ``ListPhoneNumbers --filter-name`` values (association kinds) of each API.
FILTER_NAMES: dict[str, tuple[str, ...]] = {
    "chime": ("AccountId", "UserId", "VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId"),
    "voice": ("VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId"),
}

#: The largest ``MaxResults`` each API accepts for ``ListPhoneNumbers``.
MAX_PAGE_SIZE: dict[str, int] = {"chime": 99, "voice": 100}

#: Failed states a number does not leave on its own. A ``...InProgress`` or port-in state moves
#: on by itself and ``Assigned``/``Unassigned`` change when someone acts; these four only change
#: when someone starts a new operation (orders again, retries the deletion), so ``wait`` treats
#: them as final: reaching one that is not wanted ends the wait with exit 14.
TERMINAL_FAILED: frozenset[str] = frozenset(
    {"AcquireFailed", "DeleteFailed", "ReleaseFailed", "Cancelled"}
)


def union(table: dict[str, tuple[str, ...]]) -> list[str]:
    """Every value of both APIs, in first-seen order: the click choices before --api is known."""
    seen: dict[str, None] = {}
    for api in APIS:
        seen.update(dict.fromkeys(table[api]))
    return list(seen)


def check_value(table: dict[str, tuple[str, ...]], api: str, value: str, what: str) -> str | None:
    """A one-line reason ``value`` is not valid for ``api``, or ``None`` when it is."""
    if value in table[api]:
        return None
    others = [other for other in APIS if other != api and value in table[other]]
    where = f" (it is a {others[0]} value)" if others else ""
    return f"{what} {value!r} is not valid for --api {api}{where}; choose from: " + ", ".join(
        table[api]
    )
