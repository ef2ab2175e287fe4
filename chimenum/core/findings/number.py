"""Rules about the number itself and its order: its status, the deletion queue, its port-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

from chimenum.core.ids import InvalidId, e164_of, normalise

#: Acquiring takes minutes: in progress for longer than this, a number is called stuck.
STUCK_AFTER = timedelta(days=1)
#: How long a deleted number stays in the deletion queue, restorable (AWS documents 7 days).
DELETION_QUEUE = timedelta(days=7)

_FAILED_STATUSES = {
    "AcquireFailed": "NUMBER_ACQUIRE_FAILED",
    "DeleteFailed": "NUMBER_DELETE_FAILED",
    "ReleaseFailed": "NUMBER_RELEASE_FAILED",
}
_NOT_YET_ACTIVE = ("AcquireInProgress", "PortinInProgress", "PortinCancelRequested")
_PORT_IN = ("PortinInProgress", "PortinCancelRequested")
_IN_DELETION_QUEUE = ("DeleteInProgress", "ReleaseInProgress")
#: Porting order statuses that wait for the owner: code, and what the owner must do.
_PORTING_ACTIONS = {
    "PendingDocuments": (
        "PORTIN_DOCUMENTS_PENDING",
        "the port-in waits for documents: upload the letter of authorization and a recent bill"
        " in the Amazon Chime SDK console",
    ),
    "ChangeRequested": (
        "PORTIN_CHANGE_REQUESTED",
        "AWS asked for a change to the port-in request: answer it in the port-in support case",
    ),
    "Exception": (
        "PORTIN_EXCEPTION",
        "the port-in hit a problem: read and answer the port-in support case with AWS Support",
    ),
}

Emit = Callable[[str, "str | Message"], None]


def e164(value: Any) -> str:
    """A phone number as people read it: E.164 when ``value`` normalises, else as given."""
    text = str(value)
    try:
        return normalise(text)
    except InvalidId:
        return unquote(text)


@dataclass(frozen=True)
class Message:
    """A finding's message: its words, with its timestamps kept as ``datetime`` data.

    The core knows no terminal and no zone: the output side shows each time the way every
    view shows one (``output/formats/values.py``: the run's zone, or UTC with ``--utc``).
    """

    parts: tuple[str | datetime, ...]

    def __add__(self, other: str | Message) -> Message:
        return text(self, other)

    def __radd__(self, other: str) -> Message:
        return text(other, self)

    def shown(self, time: Callable[[datetime], str]) -> str:
        """The message as one string, each timestamp shown by ``time``."""
        return "".join(part if isinstance(part, str) else time(part) for part in self.parts)


def text(*pieces: str | datetime | Message) -> Message:
    """A :class:`Message` of words, timestamps and other messages, in order."""
    parts: list[str | datetime] = []
    for piece in pieces:
        parts.extend(piece.parts if isinstance(piece, Message) else (piece,))
    return Message(tuple(parts))


def age(since: datetime, now: datetime) -> str:
    """``3 days``, ``5 hours``, ``12 minutes``: how long ago, roughly, for a person."""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def foc_date(order: dict[str, Any] | None) -> datetime | None:
    """The order's firm order commitment date (``FocDate``, a string), when it reads as one."""
    raw = order.get("FocDate") if order else None
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def number_findings(
    number: dict[str, Any], order: dict[str, Any] | None, now: datetime, emit: Emit
) -> None:
    """The rules about the number; ``order`` is its order's answer when it was read."""
    status = number.get("Status")
    if status in _FAILED_STATUSES:
        emit(_FAILED_STATUSES[status], f"the number's status is {status}: it takes no calls")
    elif status == "Cancelled":
        emit("NUMBER_PORTIN_CANCELLED", "the port-in was cancelled: it takes no calls here")
    elif status == "Unassigned":
        # AWS's own published answer is Unassigned with a voice connector association: say
        # what the answer says, not that nothing is associated.
        listed = len(number.get("Associations") or [])
        emit(
            "NUMBER_UNASSIGNED",
            f"the number's status is Unassigned, though its answer lists {listed} association"
            f"{'s' if listed != 1 else ''}"
            if listed
            else "the number is not assigned to anything: it takes no calls",
        )
    elif status in _NOT_YET_ACTIVE:
        emit("NUMBER_NOT_YET_ACTIVE", f"the number is {status}: it takes no calls yet")
    elif status in _IN_DELETION_QUEUE:
        _deletion_queue(number, now, emit)
    stuck = _stuck_since(number, order, now)
    if stuck is not None:
        emit("NUMBER_STUCK_IN_PROGRESS", stuck)
    if number.get("CallingNameStatus") == "UpdateFailed":
        emit("CALLING_NAME_UPDATE_FAILED", "the last calling-name update failed")


def _deletion_queue(number: dict[str, Any], now: datetime, emit: Emit) -> None:
    deleted = number.get("DeletionTimestamp")
    if isinstance(deleted, datetime):
        until = deleted + DELETION_QUEUE
        restore = (
            text("it can be restored with RestorePhoneNumber until about ", until)
            if now < until
            else "its 7 days in the queue are over, so it may no longer be restored"
        )
        emit(
            "NUMBER_PENDING_DELETION",
            text("the number was deleted on ", deleted, " and takes no calls; ", restore),
        )
    else:
        emit(
            "NUMBER_PENDING_DELETION",
            "the number is in the deletion queue and takes no calls; it can be restored with"
            " RestorePhoneNumber while it is there (7 days after its deletion)",
        )


def _stuck_since(
    number: dict[str, Any], order: dict[str, Any] | None, now: datetime
) -> Message | None:
    """Why the number is stuck in progress, or ``None`` when it is not (yet)."""
    status = number.get("Status")
    if status in _IN_DELETION_QUEUE:
        deleted = number.get("DeletionTimestamp")
        if isinstance(deleted, datetime) and now - deleted > DELETION_QUEUE + STUCK_AFTER:
            return text(
                f"the number is still {status}, deleted on ", deleted, ", a day past its 7 days"
            )
        return None
    if status in _PORT_IN:
        # A port-in takes weeks: only its FOC date says when it should have completed.
        foc = foc_date(order)
        if foc is not None and now - foc > STUCK_AFTER:
            return text(f"the number is still {status}, a day past its FOC date ", foc)
        return None
    if status == "AcquireInProgress":
        since = number.get("UpdatedTimestamp") or number.get("CreatedTimestamp")
        if isinstance(since, datetime) and now - since > STUCK_AFTER:
            return text(f"the number is {status} since ", since)
    return None


def order_findings(order: dict[str, Any], number: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(code, message) about the number's order, judged by the number's own entry."""
    mine = e164_of(number)
    entry = next(
        (
            item
            for item in order.get("OrderedPhoneNumbers") or []
            if e164(item.get("E164PhoneNumber")) == mine
        ),
        None,
    )
    status = order.get("Status")
    if entry is not None and entry.get("Status") == "Failed":
        yield "ORDER_FAILED", f"the order is {status} and this number's entry in it is Failed"
    elif entry is None and status == "Failed":
        yield "ORDER_FAILED", "the order failed (it has no entry for this number)"
    if order.get("OrderType") == "Porting" and status in _PORTING_ACTIONS:
        code, action = _PORTING_ACTIONS[status]
        yield code, f"the porting order is {status}: {action}"
