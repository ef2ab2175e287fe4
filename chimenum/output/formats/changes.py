"""The ``changes`` document kind (``diff``): numbers added, removed and changed, findings new and
resolved, then what the diff sums up to.

A change is a flat object: ``Change`` (``NumberAdded``, ``NumberRemoved``, ``NumberChanged``,
``FindingNew``, ``FindingResolved``), ``E164PhoneNumber``, ``AwsAccountId`` when the documents
carry one, then what the change is about (:mod:`chimenum.core.diff`). ``json`` is
``{"Changes": [...], "Summary": {...}}``, written as the changes arrive; ``ndjson`` one change a
line, then ``{"Summary": {...}}``; ``csv`` a header, then one row per change, and one per field
of a changed number. The table keeps the first :data:`MAX_KEPT_ROWS` rows, sorts them by number
and draws them with the one grid engine (:func:`~.layout.grid_lines`), then a line of counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert
from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.csv import CsvRows
from chimenum.output.formats.json import emit
from chimenum.output.formats.layout import Cell, Painter, Span, block, cell_len, grid_lines
from chimenum.output.formats.ndjson import write_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chimenum.core.fetch import Result

#: Rows the table keeps (the rest are counted, and -o ndjson lists them).
MAX_KEPT_ROWS = 10_000
#: Cells a change's detail is indented under its number, when the grid does not fit.
STACKED_INDENT = 2
#: Changes a streamed document writes at once.
CHANGES_PER_WRITE = 100
CSV_COLUMNS = (
    "Change",
    "AwsAccountId",
    "E164PhoneNumber",
    "Status",
    "ProductType",
    "Field",
    "Old",
    "New",
    "Code",
    "ResourceId",
    "Severity",
    "Message",
)
#: How the table names each change, and its style.
WORDS = {
    "NumberAdded": ("added", "green"),
    "NumberRemoved": ("removed", "red"),
    "NumberChanged": ("changed", "yellow"),
    "FindingNew": ("new finding", "red"),
    "FindingResolved": ("resolved", "green"),
}


def _change(result: Result) -> dict[str, Any]:
    return result.document if result.document is not None else {}


def _indented(text: str, spaces: int) -> str:
    return text.replace("\n", "\n" + " " * spaces)


class ChangesJson(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[str] = []
        self.written = 0
        self.summary: dict[str, Any] = {}
        self.stopped = False

    def add(self, result: Result) -> None:
        self.held.append("        " + _indented(to_json(_change(result)), 8))
        if len(self.held) >= CHANGES_PER_WRITE:
            self.flush()

    def flush(self) -> None:
        if not self.held:
            return
        head = '{\n    "Changes": [\n' if not self.written else ",\n"
        emit(self.env, head + ",\n".join(self.held))
        self.written += len(self.held)
        self.held.clear()

    def totals(self, summary: dict[str, Any]) -> None:
        self.summary = summary

    def incomplete(self, next_token: str | None, unfinished: Sequence[str] = ()) -> None:
        self.stopped = True

    def finish(self) -> None:
        self.flush()
        head = "\n    ]" if self.written else '{\n    "Changes": []'
        # As get, describe and audit say it: a document a stop cut short, or one compared
        # with an incomplete snapshot, is not the whole story.
        stopped = self.stopped or self.summary.get("Complete") is False
        tail = ',\n    "Incomplete": true' if stopped else ""
        summary = _indented(to_json(self.summary), 4)
        emit(self.env, f'{head},\n    "Summary": {summary}{tail}\n}}\n')


class ChangesNdjson(Renderer):
    def add(self, result: Result) -> None:
        write_line(self.env, _change(result))

    def totals(self, summary: dict[str, Any]) -> None:
        write_line(self.env, {"Summary": summary})


def _rows(change: dict[str, Any]) -> list[dict[str, Any]]:
    """A change as flat rows: one per field of a changed number."""
    if change.get("Change") != "NumberChanged":
        return [change]
    return [{**change, **field} for field in change.get("Fields") or [{}]]


class ChangesCsv(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = CsvRows(self.env)
        if self.options.headers:
            self.rows.row(CSV_COLUMNS)
        self.count = 0

    def add(self, result: Result) -> None:
        for row in _rows(_change(result)):
            self.rows.row(row.get(column) for column in CSV_COLUMNS)
            self.count += 1
        if self.count >= CHANGES_PER_WRITE:
            self.flush()

    def flush(self) -> None:
        self.rows.flush()
        self.count = 0

    finish = flush


def shown(value: Any) -> str:
    """A value as the table shows it: associations as NAME=VALUE, capabilities those that are
    on, anything else as JSON; missing as "-"."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(a, dict) for a in value):
        return ", ".join(f"{a.get('Name')}={a.get('Value')}" for a in value) or "none"
    if isinstance(value, dict) and all(isinstance(v, bool) for v in value.values()):
        return ", ".join(name for name, on in value.items() if on) or "none"
    return to_json(value, indent=None)


def _both(change: dict[str, Any], first: str, second: str) -> str:
    return " ".join(shown(change.get(key)) for key in (first, second))


def table_rows(change: dict[str, Any]) -> list[tuple[str, ...]]:
    """A change as the table's rows: (change, account, number, what, old, new)."""
    kind = str(change.get("Change"))
    lead = (kind, str(change.get("AwsAccountId") or ""), str(change.get("E164PhoneNumber")))
    if kind == "NumberAdded":
        return [(*lead, "", "", _both(change, "Status", "ProductType"))]
    if kind == "NumberRemoved":
        return [(*lead, "", _both(change, "Status", "ProductType"), "")]
    if kind == "FindingNew":
        return [(*lead, shown(change.get("Code")), "", _both(change, "Severity", "ResourceId"))]
    if kind == "FindingResolved":
        return [(*lead, shown(change.get("Code")), _both(change, "Severity", "ResourceId"), "")]
    return [
        # Only a digest of an old value is kept, for the fields that are not KEPT.
        (
            *lead,
            shown(field.get("Field")),
            shown(field.get("Old", "(not kept)")),
            shown(field.get("New")),
        )
        for field in change.get("Fields") or []
    ]


class ChangesTable(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept: list[tuple[str, ...]] = []
        self.omitted = 0
        self.summary: dict[str, Any] = {}

    def add(self, result: Result) -> None:
        rows = table_rows(_change(result))
        room = MAX_KEPT_ROWS - len(self.kept)
        self.kept += rows[:room]
        self.omitted += max(0, len(rows) - room)

    def totals(self, summary: dict[str, Any]) -> None:
        self.summary = summary

    def finish(self) -> None:
        painter = Painter(self.env)
        accounts = any(row[1] for row in self.kept)
        self.kept.sort(key=lambda row: (row[1], row[2]))
        rows: list[list[Cell]] = []
        for kind, account, *rest in self.kept:
            word, style = WORDS.get(kind, (kind, ""))
            cells = [[(word, style)]] + ([[(inert(account), "")]] if accounts else [])
            rows.append(cells + [[(inert(text), "")] for text in rest])
        header = ["CHANGE", *(["ACCOUNT"] if accounts else []), "NUMBER", "WHAT", "OLD", "NEW"]
        shown = header if self.options.headers else None
        lines = [line.rstrip() for line in grid_lines(rows, painter, header=shown)] if rows else []
        if any(cell_len(line) > self.env.width for line in lines):
            lines = self.stacked(painter)
        closing = [(counts_line(self.summary), "bold")]
        if self.omitted:
            more = f"... and {self.omitted} more changes (-o ndjson lists every one)"
            lines += [painter.paint(line) for line in block([(more, "")], self.env.width)]
        lines += [painter.paint(line) for line in block(closing, self.env.width)]
        self.env.write("".join(line + "\n" for line in lines))

    def stacked(self, painter: Painter) -> list[str]:
        """Too narrow for the grid: each change's number on a line, what changed under it,
        wrapped at its spaces (an id is never split)."""
        width = self.env.width
        lines = []
        for kind, account, number, what, old, new in self.kept:
            word, style = WORDS.get(kind, (kind, ""))
            head: list[Span] = [(word, style), (" ", "")]
            head += [(inert(account), ""), (" ", "")] if account else []
            lines += [painter.paint(line) for line in block([*head, (inert(number), "")], width)]
            detail = " ".join(
                part
                for part in (
                    f"{inert(what)}:" if what else "",
                    inert(old),
                    painter.glyph("arrow") if old and new else "",
                    inert(new),
                )
                if part
            )
            indent = [(" " * STACKED_INDENT, "")]
            wrapped = block([(detail, "")], width - STACKED_INDENT) if detail else []
            lines += [painter.paint([*indent, *line]) for line in wrapped]
        return lines


def counts_line(summary: dict[str, Any]) -> str:
    """The summary as one line for people."""
    words: tuple[tuple[str, str], ...]
    if summary.get("Kind") == "audit":
        words = (
            ("FindingsNew", "new findings"),
            ("FindingsResolved", "resolved"),
            ("FindingsUnchanged", "unchanged"),
        )
    else:
        words = (
            ("NumbersAdded", "numbers added"),
            ("NumbersRemoved", "removed"),
            ("NumbersChanged", "changed"),
            ("NumbersUnchanged", "unchanged"),
        )
    line = ", ".join(f"{summary.get(key, 0)} {word}" for key, word in words)
    if summary.get("Complete") is False:
        line += " (incomplete: a document is not all there was)"
    return line if summary.get("Changed") else f"no changes: {line}"
