"""``-o csv``: RFC 4180 for spreadsheets and ``csv`` readers, written as results arrive.

A header row, then one row per number with the same columns for both APIs (:data:`FIELDS`;
the Chime SDK Voice fields are empty for Amazon Chime): every field of ``PhoneNumber``
(``PhoneNumberId`` as the service spells it, ``%2B...``; ``E164PhoneNumber`` always the E.164
number, taken from the id when an answer lacks it, so it is the column to read), the six
capabilities as columns of their own (``true``/``false``), timestamps in ISO 8601 as the JSON
has them, the associations as compact JSON. A batch of ids adds ``ErrorCode`` and
``ErrorMessage``, filled in the row of an id that failed, so no id is missing from the file.

Cells a spreadsheet would run as a formula get a leading ``'`` (:func:`defused`): one whose
first character is a control character, or whose first non-space character, read as a
spreadsheet reads it (NFKC: a full-width ``＝`` is ``=``, a no-break or ideographic space a
space), is ``=``, ``+``, ``-`` or ``@``. E.164 numbers (``+12065550100``) stay whole text.
As in the text format, characters a terminal could act on are shown as escapes (``\\x1b``)
and a backslash is doubled. With ``--query`` the result is written once the whole document is
in: a list of objects as a header (the union of their keys) and rows, an object as
a header and one row, a list of lists as rows, anything else one value per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from chimenum.core.findings import Message
from chimenum.core.ids import e164_of
from chimenum.core.safe import inert
from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.json import JsonRenderer, error_object
from chimenum.output.query import apply
from chimenum.output.times import iso_time, message_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment

CAPABILITIES = (
    "InboundCall",
    "OutboundCall",
    "InboundSMS",
    "OutboundSMS",
    "InboundMMS",
    "OutboundMMS",
)
FIELDS = (
    "PhoneNumberId",
    "E164PhoneNumber",
    "Country",
    "Type",
    "ProductType",
    "Status",
    *CAPABILITIES,
    "Associations",
    "CallingName",
    "CallingNameStatus",
    "CreatedTimestamp",
    "UpdatedTimestamp",
    "DeletionTimestamp",
    "PhoneNumberArn",
    "OrderId",
    "Name",
)
ERROR_FIELDS = ("ErrorCode", "ErrorMessage")
#: Where a number of a several-pair run came from (docs/estate.md): columns only in such a run.
ESTATE_FIELDS = ("Profile", "AwsAccountId", "Region", "Regions")
NUMBER_FIELDS = ("PhoneNumberId", "E164PhoneNumber")
#: What a spreadsheet reads as the start of a formula, once leading spaces are skipped.
FORMULA_START = ("=", "+", "-", "@")
#: Characters of a cell's start normalised to find its first non-space one: enough for any
#: character whose NFKC form starts with spaces (U+00A8 is a space and a diaeresis).
_LOOK_AHEAD = 8
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
#: Rows of a batch (no pages) written together.
ROWS_PER_WRITE = 100


def cell(value: Any) -> str:
    """One value as CSV text: JSON scalars, compact JSON for nested values, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = inert(value)
    elif isinstance(value, dt.datetime):
        text = iso_time(value)
    elif isinstance(value, Message):
        text = inert(message_text(value))
    elif isinstance(value, (int, float)):
        return to_json(value)
    else:
        # to_json already writes what a terminal could act on as JSON escapes.
        text = to_json(value, indent=None)
    return defused(text)


def defused(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet could run it as a formula.

    Spreadsheets skip leading spaces of any kind and read full-width signs as their ASCII
    forms, so the test is on the first non-space character of the NFKC form; a control
    character first (a tab, a CR) is defused whatever follows it.
    """
    if not text or E164.fullmatch(text):
        return text
    if unicodedata.category(text[0]) == "Cc":
        return "'" + text
    rest = text.lstrip()
    head = unicodedata.normalize("NFKC", rest[:_LOOK_AHEAD]).lstrip()
    while not head and len(rest) > _LOOK_AHEAD:
        # Only spaces so far (a cell padded with NFKC spaces): look further.
        rest = rest[_LOOK_AHEAD:].lstrip()
        head = unicodedata.normalize("NFKC", rest[:_LOOK_AHEAD]).lstrip()
    return "'" + text if head.startswith(FORMULA_START) else text


def number_row(number: dict[str, Any]) -> list[Any]:
    caps = number.get("Capabilities")
    caps = caps if isinstance(caps, dict) else {}
    values = {**number, "E164PhoneNumber": e164_of(number) or None}
    return [caps.get(name) if name in CAPABILITIES else values.get(name) for name in FIELDS]


class CsvRows:
    """RFC 4180 records for a run's stdout, every cell through :func:`cell` (the one CSV cell
    policy, for every document kind), written when :meth:`flush` says."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def row(self, values: Iterable[Any]) -> None:
        self.writer.writerow([cell(value) for value in values])

    def flush(self) -> None:
        if self.buffer.tell():
            self.env.write(self.buffer.getvalue())
            self.buffer.seek(0)
            self.buffer.truncate()
        self.env.flush()


class CsvRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = CsvRows(self.env)
        self.count = 0
        self.started = False
        self.errors = self.options.kind != "list"
        self.estate = ESTATE_FIELDS if self.options.several else ()
        # --query needs the whole document: the JSON renderer keeps it.
        self.document = JsonRenderer(self.env, self.options) if self.options.query else None

    def add(self, result: Result) -> None:
        if self.document is not None:
            self.document.add(result)
            return
        if not self.started:
            self.started = True
            if self.options.headers:
                self.rows.row(FIELDS + self.estate + (ERROR_FIELDS if self.errors else ()))
        if result.document is not None:
            number = result.document["PhoneNumber"]
            row = number_row(number) + [number.get(name) for name in self.estate]
            if self.errors:
                row += [None, None]
        else:
            error = error_object(result)
            # Both id columns name the number asked for: no answer says how the service spells it.
            asked = error["PhoneNumberId"]
            row = [asked if name in NUMBER_FIELDS else None for name in FIELDS + self.estate]
            row += [error["ErrorCode"], error["ErrorMessage"]]
        self.rows.row(row)
        self.count += 1
        if self.count % ROWS_PER_WRITE == 0:
            self.page_done()

    def page_done(self) -> None:
        self.rows.flush()

    def incomplete(self, next_token: str | None, unfinished: Sequence[str] = ()) -> None:
        if self.document is not None:
            self.document.incomplete(next_token, unfinished)

    def finish(self) -> None:
        if self.document is not None:
            doc = self.document.document()
            if doc is not None:
                self.write_value(apply(self.options.query, doc))
        self.page_done()

    def write_value(self, value: Any) -> None:
        rows: list[list[Any]]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(key for item in value for key in item))
            rows = [keys, *([item.get(key) for key in keys] for item in value)]
        elif isinstance(value, dict):
            rows = [list(value), list(value.values())]
        elif isinstance(value, list):
            rows = [item if isinstance(item, list) else [item] for item in value]
        else:
            rows = [[value]]
        for row in rows:
            self.rows.row(row)
