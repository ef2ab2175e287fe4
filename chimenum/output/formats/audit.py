"""The ``audit`` document kind: the summary, then the findings.

``ndjson`` and ``csv`` write each finding as its number is described, in the order found, and
keep nothing; ``json`` and ``text`` keep the first :data:`MAX_KEPT_FINDINGS` found, in that
order (the summary's counters count them all, and the document says how many were left out).
The table is for people under pressure: the most severe first, then by number, so it keeps the
:data:`MAX_KEPT_FINDINGS` most severe, each reduced to what its line shows and its message cut
to :data:`MAX_MESSAGE_CELLS`; memory stays bounded either way. Findings arrive already
filtered by ``--severity``; the summary counts every one.
An audit that did not go through the whole inventory (a stop signal, a listing page that still
failed) says so as ``get`` and ``describe`` do, ``"Incomplete": true``, besides the summary's
``"Complete": false``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.findings import SEVERITIES, rank
from chimenum.core.safe import inert
from chimenum.output.document import jsonable, to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.findings import FindingRows, findings_lines
from chimenum.output.formats.json import emit, with_pairs
from chimenum.output.formats.layout import Painter, Span, block, cell_len, plain
from chimenum.output.formats.ndjson import write_line
from chimenum.output.formats.text import to_text
from chimenum.output.times import message_text

if TYPE_CHECKING:
    from chimenum.core.fetch import Result

MAX_KEPT_FINDINGS = 10_000
#: A message in the table longer than this is cut (with an ellipsis): every kept finding is
#: bounded, whatever a resource's name or a backend's text.
MAX_MESSAGE_CELLS = 300
#: What a finding's line in the table shows, all that the table keeps of it.
SHOWN = ("Severity", "PhoneNumberId", "Code", "Muted", "MuteReason", "AwsAccountId", "Region")
#: The summary's rows: label, then the key of its counters.
COUNTERS = (
    ("By status", "ByStatus"),
    ("By product type", "ByProductType"),
    ("By country", "ByCountry"),
    # A several-pair run's only (docs/estate.md).
    ("By AWS account", "ByAwsAccountId"),
    ("By region", "ByRegion"),
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
        self.pair_lines: list[dict[str, Any]] | None = None

    def add(self, result: Result) -> None:
        findings = findings_of(result)
        room = MAX_KEPT_FINDINGS - len(self.kept)
        self.kept += findings[:room]
        self.omitted += max(0, len(findings) - room)

    def totals(self, summary: dict[str, Any]) -> None:
        self.counts = summary

    def pairs(self, pairs: list[dict[str, Any]]) -> None:
        self.pair_lines = pairs

    def document(self) -> dict[str, Any]:
        doc = {"Summary": self.counts, "Findings": self.kept, "FindingsOmitted": self.omitted}
        doc = doc if self.counts.get("Complete", True) else {**doc, "Incomplete": True}
        return with_pairs(doc, self.pair_lines)


class AuditJson(AuditRenderer):
    def finish(self) -> None:
        emit(self.env, to_json(self.document()) + "\n")


class AuditText(AuditRenderer):
    def finish(self) -> None:
        self.env.write(to_text(jsonable(self.document())))


def _rank(severity: object) -> int:
    """:func:`rank`, and after every severity one this version does not know."""
    return rank(severity) if severity in SEVERITIES else len(SEVERITIES)


def table_order(finding: dict[str, Any]) -> tuple[int, str]:
    """The table's order: the most severe first, then by number (a sort keeps the order found
    within one number)."""
    return _rank(finding.get("Severity")), str(finding.get("PhoneNumberId"))


class AuditTable(AuditRenderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.painter = Painter(self.env)

    def add(self, result: Result) -> None:
        for item in findings_of(result):
            message = message_text(item.get("Message"), utc=self.options.utc)
            if cell_len(message) > MAX_MESSAGE_CELLS:
                message = plain(self.painter.truncate([(message, "")], MAX_MESSAGE_CELLS))
            self.kept.append({**{key: item.get(key) for key in SHOWN}, "Message": message})
        # Sorted and cut now and then, not per finding: at most twice the kept findings held.
        if len(self.kept) >= 2 * MAX_KEPT_FINDINGS:
            self.keep_most_severe()

    def keep_most_severe(self) -> None:
        self.kept.sort(key=table_order)
        self.omitted += max(0, len(self.kept) - MAX_KEPT_FINDINGS)
        del self.kept[MAX_KEPT_FINDINGS:]

    def finish(self) -> None:
        self.keep_most_severe()
        painter = self.painter
        width = self.env.width
        rows: list[tuple[str, list[Span]]] = [("Numbers", [(str(self.counts["Numbers"]), "")])]
        for label, key in COUNTERS:
            if key not in self.counts:
                continue
            counts = self.counts[key]
            shown = ", ".join(f"{inert(k)} {v}" for k, v in counts.items()) or "none"
            rows.append((label, [(shown, "")]))
        rows += mutes_rows(self.counts)
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
        severity = self.options.severity
        lines += findings_lines(
            self.kept, painter, width, utc=self.options.utc, with_number=True, severity=severity
        )
        if self.omitted:
            lines.append(
                f"... and {self.omitted} more findings, none more severe than those above"
                " (-o ndjson or -o csv lists every one)"
            )
        lines += unmatched_lines(self.counts, painter)
        by_severity = self.counts.get("FindingsBySeverity", {})
        hidden = sum(n for level, n in by_severity.items() if _rank(level) > rank(severity))
        if hidden:
            lines.append(
                painter.paint(
                    [(f"{hidden} less severe findings not shown (--severity {severity})", "dim")]
                )
            )
        self.env.write("".join(line + "\n" for line in lines))


def mutes_rows(counts: dict[str, Any]) -> list[tuple[str, list[Span]]]:
    """The summary's rows for ``--mutelist`` and ``--baseline``, when given."""
    rows: list[tuple[str, list[Span]]] = []
    mutes = counts.get("Mutes")
    if mutes:
        said = f"{mutes['Muted']} findings, by {mutes['Rules']} rules ({mutes['Expired']} expired)"
        rows.append(("Muted", [(said, "")]))
    baseline = counts.get("Baseline")
    if baseline:
        said = ", ".join(
            f"{key.lower()} {baseline[key]}" for key in ("New", "Unchanged", "Resolved")
        )
        rows.append(("Since baseline", [(said, "")]))
    return rows


def unmatched_lines(counts: dict[str, Any], painter: Painter) -> list[str]:
    """The mute rules that matched nothing, at the end: stale mutes rot."""
    unmatched = (counts.get("Mutes") or {}).get("MatchedNothing") or []
    if not unmatched:
        return []
    lines = [painter.paint([(f"Mute rules that matched nothing ({len(unmatched)}):", "yellow")])]
    for rule in unmatched:
        keys = ", ".join(f"{k} {v}" for k, v in rule.items() if k not in ("Line", "Reason"))
        lines.append(inert(f"  line {rule.get('Line')}: {keys}: {rule.get('Reason')}"))
    return lines


class AuditNdjson(Renderer):
    def add(self, result: Result) -> None:
        for item in findings_of(result):
            write_line(self.env, item)

    def totals(self, summary: dict[str, Any]) -> None:
        write_line(self.env, {"Summary": summary})


class AuditCsv(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = FindingRows(self.env, several=self.options.several)

    def add(self, result: Result) -> None:
        self.rows.add(findings_of(result))

    def finish(self) -> None:
        self.rows.flush()
