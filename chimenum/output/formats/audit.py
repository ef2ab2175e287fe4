"""The ``audit`` document kind: the summary, then the findings.

``ndjson`` and ``csv`` write each finding as its number is described, and keep nothing;
``json``, ``text`` and ``table`` keep at most :data:`MAX_KEPT_FINDINGS` findings (the summary's
counters count them all, and the document says how many were left out), so memory stays bounded.
An audit that did not go through the whole inventory (a stop signal, a listing page that still
failed) says so as ``get`` and ``describe`` do, ``"Incomplete": true``, besides the summary's
``"Complete": false``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert
from chimenum.output.document import jsonable, to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.findings import FindingRows, findings_lines
from chimenum.output.formats.json import emit
from chimenum.output.formats.layout import Painter, Span, block, cell_len
from chimenum.output.formats.ndjson import write_line
from chimenum.output.formats.text import to_text

if TYPE_CHECKING:
    from chimenum.core.fetch import Result

MAX_KEPT_FINDINGS = 10_000
#: The summary's rows: label, then the key of its counters.
COUNTERS = (
    ("By status", "ByStatus"),
    ("By product type", "ByProductType"),
    ("By country", "ByCountry"),
    ("Findings by severity", "FindingsBySeverity"),
    ("Findings by code", "FindingsByCode"),
)
#: Cells between a summary label and its value.
LABEL_GAP = 2
#: Cells a summary value needs beside its label; a value stacked under it is indented so.
MIN_ROOM = 16
STACKED_INDENT = 2


def findings_of(result: Result) -> list[dict[str, Any]]:
    return result.document["Findings"] if result.document is not None else []


class AuditRenderer(Renderer):
    """Keeps the summary and at most :data:`MAX_KEPT_FINDINGS` findings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept: list[dict[str, Any]] = []
        self.omitted = 0
        self.counts: dict[str, Any] = {}

    def add(self, result: Result) -> None:
        findings = findings_of(result)
        room = MAX_KEPT_FINDINGS - len(self.kept)
        self.kept += findings[:room]
        self.omitted += max(0, len(findings) - room)

    def totals(self, summary: dict[str, Any]) -> None:
        self.counts = summary

    def document(self) -> dict[str, Any]:
        doc = {"Summary": self.counts, "Findings": self.kept, "FindingsOmitted": self.omitted}
        return doc if self.counts.get("Complete", True) else {**doc, "Incomplete": True}


class AuditJson(AuditRenderer):
    def finish(self) -> None:
        emit(self.env, to_json(self.document()) + "\n")


class AuditText(AuditRenderer):
    def finish(self) -> None:
        self.env.write(to_text(jsonable(self.document())))


class AuditTable(AuditRenderer):
    def finish(self) -> None:
        painter = Painter(self.env)
        width = self.env.width
        rows: list[tuple[str, list[Span]]] = [("Numbers", [(str(self.counts["Numbers"]), "")])]
        for label, key in COUNTERS:
            counts = self.counts[key]
            shown = ", ".join(f"{inert(k)} {v}" for k, v in counts.items()) or "none"
            rows.append((label, [(shown, "")]))
        if not self.counts["Complete"]:
            rows.append(("Incomplete", [("the listing stopped early", "bold red")]))
        start = max(cell_len(label) for label, _ in rows) + LABEL_GAP
        # Too narrow for values beside their labels: each value under its label instead.
        stacked = width - start < MIN_ROOM
        lines = []
        for label, value in rows:
            if stacked:
                lines.append(painter.paint([(label, "bold")]))
            indent = STACKED_INDENT if stacked else start
            for n, line in enumerate(block(value, width - indent)):
                beside = n == 0 and not stacked
                head: list[Span] = [(label, "bold")] if beside else []
                pad = (" " * (indent - (cell_len(label) if beside else 0)), "")
                lines.append(painter.paint([*head, pad, *line]).rstrip())
        lines.append("")
        lines += findings_lines(self.kept, painter, width, utc=self.options.utc, with_number=True)
        if self.omitted:
            lines.append(f"... and {self.omitted} more findings (use -o ndjson or -o csv)")
        self.env.write("".join(line + "\n" for line in lines))


class AuditNdjson(Renderer):
    def add(self, result: Result) -> None:
        for item in findings_of(result):
            write_line(self.env, item)

    def totals(self, summary: dict[str, Any]) -> None:
        write_line(self.env, {"Summary": summary})


class AuditCsv(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = FindingRows(self.env)

    def add(self, result: Result) -> None:
        self.rows.add(findings_of(result))

    def finish(self) -> None:
        self.rows.flush()
