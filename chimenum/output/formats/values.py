"""A phone number's values as the table views show them: inert text, styles, local times, ages.

Every string from the API goes through :func:`~chimenum.core.safe.inert` here, so neither
control characters nor markup in data can act on the terminal; the views only place spans.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from chimenum.core.safe import inert
from chimenum.output.formats.layout import Span
from chimenum.output.times import human_time

STATUS_STYLES: dict[str, str] = {
    "Assigned": "bold green",
    "Unassigned": "cyan",
    "AcquireInProgress": "yellow",
    "ReleaseInProgress": "yellow",
    "DeleteInProgress": "yellow",
    "PortinInProgress": "yellow",
    "PortinCancelRequested": "yellow",
    "AcquireFailed": "bold red",
    "ReleaseFailed": "bold red",
    "DeleteFailed": "bold red",
    "Cancelled": "red",
    # Calling-name statuses.
    "UpdateSucceeded": "green",
    "UpdateInProgress": "yellow",
    "UpdateFailed": "bold red",
}

#: Timestamps :meth:`Values.timestamp` remembers, so memory stays flat for any inventory.
TIMES_KEPT = 1024
CAPABILITY_KINDS = ("Call", "SMS", "MMS")
#: ``(field, word)`` of each capability, inbound then outbound, spelt out once for every row.
_SIDES = tuple(
    tuple((f"{side}bound{kind}", kind.lower()) for kind in CAPABILITY_KINDS)
    for side in ("In", "Out")
)


def as_list(value: object) -> list[Any]:
    """A list from the API, or none: renderers must survive any value (core/validate.py checks)."""
    return value if isinstance(value, list) else []


def age(when: dt.datetime, now: dt.datetime) -> str:
    """``"3 days ago"`` / ``"in 2 hours"``, in the largest unit that fits."""
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (
        ("year", 365 * 86400),
        ("month", 30 * 86400),
        ("day", 86400),
        ("hour", 3600),
        ("minute", 60),
        # A health check's ping is seconds old: how many is what tells it is alive.
        ("second", 1),
    ):
        if seconds >= size:
            count = int(seconds // size)
            phrase = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {phrase}" if future else f"{phrase} ago"
    return "just now"


class Values:
    """Formats values for one run: ``--utc``, the clock, the glyphs of its stdout."""

    def __init__(self, *, utc: bool, now: dt.datetime, none: str) -> None:
        self.utc = utc
        self.now = now
        self.none = none
        self._times: dict[tuple[dt.datetime, bool], tuple[str, str | None]] = {}

    def text(self, value: object, style: str = "") -> list[Span]:
        if value is None or value == "":
            return [(self.none, "dim")]
        return [(inert(value), style)]

    def status(self, value: object) -> list[Span]:
        style = STATUS_STYLES.get(value, "magenta") if isinstance(value, str) else ""
        return self.text(value, style)

    def timestamp(self, value: object, *, date_only: bool = False) -> tuple[str, str | None]:
        """``(when, age)``: the time in the run's zone, and ``"(3 days ago)"`` if it has one."""
        if not isinstance(value, dt.datetime):
            return (self.none if value is None or value == "" else inert(value)), None
        # Numbers ordered or changed together share their timestamps, and a table shows
        # three per row. Only UTC ones (as the APIs send them) are kept: two equal datetimes
        # in other zones may still print differently (%Z).
        if value.tzinfo is not dt.timezone.utc:
            return self._timestamp(value, date_only)
        key = (value, date_only)
        known = self._times.get(key)
        if known is None:
            if len(self._times) >= TIMES_KEPT:
                self._times.clear()
            known = self._times[key] = self._timestamp(value, date_only)
        return known

    def _timestamp(self, value: dt.datetime, date_only: bool) -> tuple[str, str | None]:
        shown = human_time(value, utc=self.utc, date_only=date_only)
        # A naive or out-of-range datetime: no age rather than no table.
        with contextlib.suppress(OverflowError, TypeError):
            return shown, f"({age(value, self.now)})"
        return shown, None

    def timestamp_spans(self, value: object, *, date_only: bool = False) -> list[Span]:
        shown, ago = self.timestamp(value, date_only=date_only)
        spans: list[Span] = [(shown, "dim" if shown == self.none else "")]
        if ago:
            spans.append((f" {ago}", "dim"))
        return spans

    def capabilities(self, caps: object) -> list[Span]:
        """``call sms / call``: inbound kinds, then outbound kinds."""
        if not isinstance(caps, dict):
            return self.text(None)
        sides = [
            " ".join([word for key, word in side if caps.get(key) is True]) or self.none
            for side in _SIDES
        ]
        return [(" / ".join(sides), "")]

    def associations(self, value: object) -> list[Span]:
        """Every association on one line: ``AccountId 12a3...-..., UserId 1ab2...``."""
        spans: list[Span] = []
        for item in as_list(value):
            if isinstance(item, dict):
                if spans:
                    spans.append((", ", ""))
                spans.append((f"{inert(item.get('Name', ''))} ", "dim"))
                spans.append((inert(item.get("Value", "")), ""))
        return spans or self.text(None)
