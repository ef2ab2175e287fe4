"""``-o table`` (the default): rich views for people.

One id gets a detail view (identity, capabilities grid, associations, timestamps with their age);
several ids get one summary table, a row per fetched number in input order. Colour is used only
when the environment says so (a TTY, ``--color``, ``NO_COLOR``, ``CLICOLOR_FORCE``); piped, the
same content is written with no escape sequences. With ``--query``, the view is not about phone
numbers any more but about whatever the expression returned, so :func:`generic` renders it: a
scalar bare, a list of objects as a table with a column per key, an object as key/value rows,
a list of scalars one per line; nested values as compact JSON. Every string from the API goes
through :func:`~chimenum.core.safe.inert` into a ``Text`` object, so neither control
characters nor rich markup in data can act on the terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from chimenum.core.safe import inert
from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.json import document, error_object
from chimenum.output.query import apply

if TYPE_CHECKING:
    from rich.console import RenderableType

    from chimenum.core.fetch import Result

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

_CAPABILITY_KINDS = ("Call", "SMS", "MMS")
#: Piped, a summary may grow this wide rather than wrap its cells.
SUMMARY_MAX_WIDTH = 400
_DASH = "—"


def styled(value: object, style: str = "") -> Text:
    """Untrusted data as an inert ``Text``: escapes visible, markup literal."""
    if value is None or value == "":
        return Text(_DASH, style="dim")
    return Text(inert(value), style=style)


def _list(value: object) -> list[Any]:
    """A list from the API, or none: renderers must survive any value (core/validate.py checks)."""
    return value if isinstance(value, list) else []


def status_text(value: object) -> Text:
    return styled(value, STATUS_STYLES.get(value, "magenta") if isinstance(value, str) else "")


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
    ):
        if seconds >= size:
            count = int(seconds // size)
            phrase = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {phrase}" if future else f"{phrase} ago"
    return "just now"


class TableRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []

    # -- values ----------------------------------------------------------------------------

    def timestamp(self, value: object, *, with_age: bool = True, date_only: bool = False) -> Text:
        if not isinstance(value, dt.datetime):
            return styled(value)
        try:
            when = value.astimezone(dt.timezone.utc) if self.options.utc else value.astimezone()
        except (OverflowError, ValueError, OSError):
            # A date at the edge of the calendar (0001-01-01T00:00Z from a broken backend)
            # cannot move to another zone: show it in the zone it came in.
            when = value
        shown = when.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M:%S %Z")
        text = Text(inert(shown))
        if with_age:
            # A naive or out-of-range datetime: no age rather than no table.
            with contextlib.suppress(OverflowError, TypeError):
                text.append(f" ({age(value, self.env.now())})", style="dim")
        return text

    @staticmethod
    def capabilities_summary(caps: object) -> Text:
        """``call sms / call``: inbound kinds, then outbound kinds."""
        if not isinstance(caps, dict):
            return styled(None)
        sides = [
            " ".join(k.lower() for k in _CAPABILITY_KINDS if caps.get(f"{d}bound{k}") is True)
            or _DASH
            for d in ("In", "Out")
        ]
        return Text(" / ".join(sides))

    @staticmethod
    def capabilities_grid(caps: object) -> Table:
        grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        grid.add_column("")
        for kind in _CAPABILITY_KINDS:
            grid.add_column(kind, justify="center")
        caps = caps if isinstance(caps, dict) else {}
        for direction in ("Inbound", "Outbound"):
            cells = []
            for kind in _CAPABILITY_KINDS:
                value = caps.get(f"{direction}{kind}")
                cells.append(
                    Text("✓", style="green")
                    if value is True
                    else Text("✗", style="red")
                    if value is False
                    else Text("?", style="dim")
                )
            grid.add_row(direction, *cells)
        return grid

    # -- views -----------------------------------------------------------------------------

    def detail(self, number: dict[str, Any]) -> RenderableType:
        title = Text()
        title.append(
            inert(number.get("E164PhoneNumber") or number.get("PhoneNumberId", "")), style="bold"
        )
        title.append("  ")
        title.append_text(status_text(number.get("Status")))

        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold")
        facts.add_column()
        calling_name = styled(number.get("CallingName"))
        if number.get("CallingNameStatus"):
            # Labelled: bare, it reads like a second status of the number itself.
            calling_name.append(" (update: ")
            calling_name.append_text(status_text(number["CallingNameStatus"]))
            calling_name.append(")")
        rows: list[tuple[str, Text]] = [
            ("Phone number id", styled(number.get("PhoneNumberId"))),
            ("Status", status_text(number.get("Status"))),
            ("Type", styled(number.get("Type"))),
            ("Product type", styled(number.get("ProductType"))),
            ("Country", styled(number.get("Country"))),
            ("Calling name", calling_name),
        ]
        for key, label in (("Name", "Name"), ("OrderId", "Order id"), ("PhoneNumberArn", "ARN")):
            if key in number:
                rows.append((label, styled(number[key])))
        rows += [
            ("Created", self.timestamp(number.get("CreatedTimestamp"))),
            ("Updated", self.timestamp(number.get("UpdatedTimestamp"))),
        ]
        if number.get("DeletionTimestamp") is not None:
            rows.append(("Deletion", self.timestamp(number["DeletionTimestamp"])))
        for label, value in rows:
            facts.add_row(label, value)

        parts: list[RenderableType] = [title, Padding(facts, (1, 0, 1, 2), expand=False)]
        parts.append(Text("Capabilities", style="bold underline"))
        parts.append(
            Padding(self.capabilities_grid(number.get("Capabilities")), (0, 0, 1, 2), expand=False)
        )
        parts.append(Text("Associations", style="bold underline"))
        associations = _list(number.get("Associations"))
        if associations:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            table.add_column("Name")
            table.add_column("Value", overflow="fold")
            table.add_column("Associated")
            for item in associations:
                item = item if isinstance(item, dict) else {}
                table.add_row(
                    styled(item.get("Name")),
                    styled(item.get("Value")),
                    self.timestamp(item.get("AssociatedTimestamp")),
                )
            parts.append(Padding(table, (0, 0, 0, 2), expand=False))
        else:
            parts.append(Padding(Text("none", style="dim"), (0, 0, 0, 2), expand=False))
        return Group(*parts)

    def summary(self, numbers: list[dict[str, Any]]) -> RenderableType:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("Phone number", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Type")
        table.add_column("Product type", overflow="fold")
        table.add_column("Country")
        table.add_column("Calling name", overflow="fold")
        table.add_column("Capabilities in / out")
        table.add_column("Associations", overflow="fold")
        table.add_column("Updated")
        # Chime SDK Voice numbers carry fields Amazon Chime's do not: shown when any has them.
        voice_fields = [
            (key, label)
            for key, label in (("Name", "Name"), ("OrderId", "Order id"), ("PhoneNumberArn", "ARN"))
            if any(key in number for number in numbers)
        ]
        for _key, label in voice_fields:
            table.add_column(label, overflow="fold")
        for number in numbers:
            associations = _list(number.get("Associations"))
            assoc = Text()
            for index, item in enumerate(associations):
                if isinstance(item, dict):
                    if index:
                        assoc.append("\n")
                    assoc.append(f"{inert(item.get('Name', ''))} ", style="dim")
                    assoc.append(inert(item.get("Value", "")))
            table.add_row(
                styled(number.get("E164PhoneNumber") or number.get("PhoneNumberId")),
                status_text(number.get("Status")),
                styled(number.get("Type")),
                styled(number.get("ProductType")),
                styled(number.get("Country")),
                styled(number.get("CallingName")),
                self.capabilities_summary(number.get("Capabilities")),
                assoc if associations else styled(None),
                self.timestamp(number.get("UpdatedTimestamp"), date_only=True),
                *(styled(number.get(key)) for key, _label in voice_fields),
            )
        return table

    # -- renderer protocol -----------------------------------------------------------------

    def add(self, result: Result) -> None:
        if result.document is not None:
            self.numbers.append(result.document["PhoneNumber"])
        elif self.options.query is not None:
            self.errors.append(error_object(result))

    def finish(self) -> None:
        if self.options.query is not None:
            self.finish_query(self.options.query)
            return
        if not self.numbers:
            return
        if self.options.kind == "one":
            self.env.print(self.detail(self.numbers[0]))
        else:
            self.env.print(self.summary(self.numbers), fit=SUMMARY_MAX_WIDTH)

    def finish_query(self, query: str) -> None:
        doc = document(self.options.kind, self.numbers, self.errors)
        if doc is None:
            return
        value = apply(query, doc)
        if value is not None:
            self.env.print(generic(value))


def _cell(value: Any) -> Text:
    """A JSON value for a cell: strings bare, other scalars as JSON, nested values compact."""
    if isinstance(value, str):
        return Text(inert(value))
    if value is None:
        return Text("null", style="dim")
    return Text(inert(to_json(value, indent=None)))


def generic(value: Any) -> RenderableType:
    """Render any JSON value (a ``--query`` result) for people."""
    if isinstance(value, dict):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column(overflow="fold")
        for key, item in value.items():
            grid.add_row(Text(inert(key)), _cell(item))
        return grid
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            columns: dict[str, None] = {}
            for item in value:
                columns.update(dict.fromkeys(item))
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
            for key in columns:
                table.add_column(Text(inert(key)), overflow="fold")
            for item in value:
                table.add_row(
                    *(_cell(item.get(key)) if key in item else styled(None) for key in columns)
                )
            return table
        table = Table(box=None, show_header=False, pad_edge=False, show_edge=False)
        width = max((len(item) if isinstance(item, list) else 1 for item in value), default=1)
        for _ in range(width):
            table.add_column(overflow="fold")
        for item in value:
            cells = item if isinstance(item, list) else [item]
            table.add_row(*(_cell(cell) for cell in cells))
        return table
    return _cell(value)
