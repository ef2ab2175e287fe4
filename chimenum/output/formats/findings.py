"""Findings as ``describe`` and ``audit`` show them: one line each for people, one CSV row each.

Shared by the two document kinds that carry findings, so a finding reads the same in both and
goes through the same cell policy (:func:`~chimenum.output.formats.csv.cell`) and the same
line engine (:mod:`.layout`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.findings import ERROR, INFO, WARNING
from chimenum.core.safe import inert
from chimenum.output.formats.csv import CsvRows
from chimenum.output.formats.layout import Painter, Span, block
from chimenum.output.times import message_text

if TYPE_CHECKING:
    from chimenum.output.env import Environment

FINDING_COLUMNS = ("PhoneNumberId", "Severity", "Code", "ResourceKind", "ResourceId", "Message")
SEVERITY_STYLES = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}
#: Cells of the severity column; a finding's wrapped lines are indented by as much.
SEVERITY_WIDTH = 8


def findings_lines(
    findings: list[dict[str, Any]],
    painter: Painter,
    width: int,
    *,
    utc: bool,
    with_number: bool = False,
) -> list[str]:
    """One line per finding: its severity, then (wrapped at its spaces under the code when
    too long for ``width``, words whole) its number, code and message, its times in the run's
    zone (``utc``: ``--utc``)."""
    if not findings:
        return [painter.paint([("no findings", "green")])]
    out = []
    for item in findings:
        severity = inert(item.get("Severity"))
        rest: list[Span] = []
        if with_number:
            rest.append((f"{inert(item.get('PhoneNumberId'))}  ", ""))
        rest.append((inert(item.get("Code")), "bold"))
        rest.append((f"  {inert(message_text(item.get('Message'), utc=utc))}", ""))
        head = (f"{severity:<{SEVERITY_WIDTH}}", SEVERITY_STYLES.get(severity, ""))
        lines = block(rest, width - SEVERITY_WIDTH)
        indent = (" " * SEVERITY_WIDTH, "")
        out += [painter.paint([head if n == 0 else indent, *line]) for n, line in enumerate(lines)]
    return out


class FindingRows(CsvRows):
    """``-o csv`` of ``describe`` and ``audit``: a header, then one row per finding."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self.row(FINDING_COLUMNS)

    def add(self, findings: list[dict[str, Any]]) -> None:
        for item in findings:
            self.row(item.get(column) for column in FINDING_COLUMNS)
        self.flush()
