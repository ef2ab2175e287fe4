"""Findings as ``describe`` and ``audit`` show them: one line each for people, one CSV row each.

Shared by the two document kinds that carry findings, so a finding reads the same in both and
goes through the same cell policy (:func:`~chimenum.output.formats.csv.cell`) and the same
line engine (:mod:`.layout`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.findings import ERROR, INFO, WARNING
from chimenum.core.safe import inert
from chimenum.output.formats.csv import ESTATE_FIELDS, CsvRows
from chimenum.output.formats.layout import Painter, Span, block, cell_len
from chimenum.output.times import message_text

if TYPE_CHECKING:
    from chimenum.output.env import Environment

FINDING_COLUMNS = (
    "PhoneNumberId",
    "Severity",
    "Code",
    "ResourceKind",
    "ResourceId",
    "Message",
    "Muted",
    "MuteReason",
)
SEVERITY_STYLES = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}
#: Cells of the severity column.
SEVERITY_WIDTH = 8
#: Cells between the number, the code and the message.
GAP = 2
#: Cells a message needs beside its code; with less it goes under them, indented by
#: :data:`MESSAGE_INDENT`, so that no message is squeezed into a narrow strip.
MESSAGE_MIN = 32
MESSAGE_INDENT = SEVERITY_WIDTH + GAP


def findings_lines(
    findings: list[dict[str, Any]],
    painter: Painter,
    width: int,
    *,
    utc: bool,
    with_number: bool = False,
    severity: str = INFO,
) -> list[str]:
    """One entry per finding: its severity, number and code in aligned columns, then its
    message, its times in the run's zone (``utc``: ``--utc``). A message too long for ``width``
    wraps at its spaces, words whole, each line under the message's first; when the columns
    leave it less than :data:`MESSAGE_MIN` cells, every finding's message goes under its
    code instead. ``severity`` is ``--severity``, named when nothing is left to show."""
    if not findings:
        shown = "no findings" if severity == INFO else f"no findings at {severity} or above"
        return [painter.paint([(shown, "green")])]
    rows = [
        (
            inert(item.get("Severity")),
            # A finding of no number: an expired mute rule.
            inert(f"{item.get('PhoneNumberId') or '-'}{where_of(item)}") if with_number else "",
            inert(item.get("Code")),
            inert(muted_mark(item) + message_text(item.get("Message"), utc=utc)),
        )
        for item in findings
    ]
    numbers = max(cell_len(row[1]) for row in rows) + GAP if with_number else 0
    codes = max(cell_len(row[2]) for row in rows) + GAP
    start = SEVERITY_WIDTH + numbers + codes
    beside = width - start >= MESSAGE_MIN
    indent = start if beside else MESSAGE_INDENT
    out: list[str] = []
    for level, number, code, message in rows:
        lead: list[Span] = [
            (level, SEVERITY_STYLES.get(level, "")),
            (_pad(level, SEVERITY_WIDTH), ""),
        ]
        if beside:
            if with_number:
                lead += [(number, ""), (_pad(number, numbers), "")]
            lead += [(code, "bold"), (_pad(code, codes), "")]
            text = block([(message, "")], width - start)
            out.append(painter.paint([*lead, *text[0]]).rstrip())
            text = text[1:]
        else:
            # The head on its own (wrapped like any line: a hostile code may be long), the
            # message under it.
            words: list[Span] = [(f"{number}{' ' * GAP}", "")] if with_number else []
            for n, line in enumerate(block([*words, (code, "bold")], width - SEVERITY_WIDTH)):
                first = lead if n == 0 else [(" " * SEVERITY_WIDTH, "")]
                out.append(painter.paint([*first, *line]).rstrip())
            text = block([(message, "")], width - indent) if message else []
        out += [painter.paint([(" " * indent, ""), *line]).rstrip() for line in text]
    return out


def where_of(item: dict[str, Any]) -> str:
    """Where a several-pair run's number was read: ``  ACCOUNT REGION`` (its ``Regions``,
    comma-joined, when several answered); nothing for one pair's, which carry no account."""
    account = item.get("AwsAccountId")
    if not account:
        return ""
    regions = item.get("Regions") or [item.get("Region")]
    return f"  {account} {','.join(str(r) for r in regions if r)}".rstrip()


def muted_mark(finding: dict[str, Any]) -> str:
    """What a muted finding's message starts with in people's views: that it is, and why."""
    return f"muted ({finding.get('MuteReason')}): " if finding.get("Muted") else ""


def _pad(text: str, cells: int) -> str:
    """The spaces that fill ``text`` out to ``cells`` (one at least: columns never touch)."""
    return " " * max(cells - cell_len(text), 1)


class FindingRows(CsvRows):
    """``-o csv`` of ``describe`` and ``audit``: a header, then one row per finding; a
    several-pair run's (``several``) say where each was found in columns of their own."""

    def __init__(self, env: Environment, *, several: bool) -> None:
        super().__init__(env)
        self.columns = FINDING_COLUMNS + (ESTATE_FIELDS if several else ())
        self.row(self.columns)

    def add(self, findings: list[dict[str, Any]]) -> None:
        for item in findings:
            row = {**item, "Muted": bool(item.get("Muted"))}
            self.row(row.get(column) for column in self.columns)
        self.flush()
