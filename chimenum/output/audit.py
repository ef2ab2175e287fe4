"""Rendering an audit: the summary, then the findings (``table``, ``json``, ``ndjson``, ``csv``).

``ndjson`` and ``csv`` write each finding as its number is described, and keep nothing;
``json`` and ``table`` keep at most :data:`MAX_KEPT_FINDINGS` findings (the summary's counters
count them all, and the document says how many were left out), so memory stays bounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert
from chimenum.output.describe import FINDING_COLUMNS, csv_line, findings_lines, write_json
from chimenum.output.document import to_json

if TYPE_CHECKING:
    from chimenum.output.env import Environment

MAX_KEPT_FINDINGS = 10_000


class AuditRenderer:
    def __init__(self, env: Environment, fmt: str) -> None:
        self.env = env
        self.fmt = fmt
        self.kept: list[dict[str, str]] = []
        self.omitted = 0
        if fmt == "csv":
            env.write(csv_line({c: c for c in FINDING_COLUMNS}))

    def add(self, findings: list[dict[str, str]]) -> None:
        if self.fmt == "ndjson":
            for item in findings:
                self.env.write(to_json(item, indent=None) + "\n")
        elif self.fmt == "csv":
            for item in findings:
                self.env.write(csv_line(item))
        else:
            room = MAX_KEPT_FINDINGS - len(self.kept)
            self.kept += findings[:room]
            self.omitted += max(0, len(findings) - room)

    def finish(self, summary: dict[str, Any]) -> None:
        env = self.env
        if self.fmt == "ndjson":
            env.write(to_json({"Summary": summary}, indent=None) + "\n")
        elif self.fmt == "json":
            doc = {"Summary": summary, "Findings": self.kept, "FindingsOmitted": self.omitted}
            write_json(env, doc)
        elif self.fmt == "table":
            self._table(summary)

    def _table(self, summary: dict[str, Any]) -> None:
        from rich.table import Table
        from rich.text import Text

        env = self.env
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Numbers", str(summary["Numbers"]))
        for label, key in (
            ("By status", "ByStatus"),
            ("By product type", "ByProductType"),
            ("By country", "ByCountry"),
            ("Findings by severity", "FindingsBySeverity"),
            ("Findings by code", "FindingsByCode"),
        ):
            counts = summary[key]
            shown = ", ".join(f"{inert(k)} {v}" for k, v in counts.items()) or "none"
            table.add_row(label, Text(shown))
        if not summary["Complete"]:
            table.add_row("Incomplete", Text("the listing stopped early", style="bold red"))
        env.print(table)
        env.write("\n")
        env.print(findings_lines(self.kept, with_number=True))
        if self.omitted:
            env.write(f"... and {self.omitted} more findings (use -o ndjson or -o csv)\n")
