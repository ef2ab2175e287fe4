"""The one-id view: identity, capabilities grid, associations, timestamps with their age.

Every value stays whole at any width: prose wraps at its spaces, and an id that does not fit
beside its label moves, whole, to a line of its own under it (past the edge of a very narrow
terminal, which then wraps it; the text itself is never split). The associations table becomes
one block per association when it does not fit.
"""

from __future__ import annotations

from typing import Any

from chimenum.core.ids import e164_of
from chimenum.output.formats.layout import (
    BREAK,
    Kind,
    Painter,
    Span,
    cell_len,
    spans_len,
    tokens,
    wrap,
)
from chimenum.output.formats.values import CAPABILITY_KINDS, Values, as_list

INDENT = 2
LABEL_GAP = 2
#: Cells between the columns of the capabilities and associations tables.
GAP = 3

Row = tuple[str, list[list[Span]], bool]


def field(label: str, spans: list[Span], kind: Kind = "id") -> Row:
    return label, tokens(spans, kind), kind == "prose"


class Detail:
    def __init__(self, values: Values, painter: Painter, width: int) -> None:
        self.values = values
        self.painter = painter
        self.width = width

    def lines(self, number: dict[str, Any]) -> list[str]:
        v = self.values
        title = v.text(e164_of(number), "bold")
        # Two spaces apart, as in the grid: a status is not part of the name before it.
        title_tokens = [title, [(" ", ""), *v.status(number.get("Status"))]]
        out = [self.paint_line(line) for line in wrap(title_tokens, self.width)]
        out.append("")

        calling_name = tokens(v.text(number.get("CallingName")), "prose")
        if number.get("CallingNameStatus"):
            # Labelled: bare, it reads like a second status of the number itself.
            calling_name.append(
                [("(update: ", ""), *v.status(number["CallingNameStatus"]), (")", "")]
            )
        rows: list[Row] = [
            # As the service spells it (``%2B...``): what the JSON, --query and ARNs carry.
            field("Phone number id", v.text(number.get("PhoneNumberId"))),
            field("Status", v.status(number.get("Status"))),
            field("Type", v.text(number.get("Type"))),
            field("Product type", v.text(number.get("ProductType"))),
            field("Country", v.text(number.get("Country"))),
            ("Calling name", calling_name, True),
        ]
        for key, label, kind in (
            ("Name", "Name", "prose"),
            ("OrderId", "Order id", "id"),
            ("PhoneNumberArn", "ARN", "id"),
        ):
            if key in number:
                rows.append(field(label, v.text(number[key]), kind))  # type: ignore[arg-type]
        rows.append(("Created", self.when(number.get("CreatedTimestamp")), False))
        rows.append(("Updated", self.when(number.get("UpdatedTimestamp")), False))
        if number.get("DeletionTimestamp") is not None:
            rows.append(("Deletion", self.when(number["DeletionTimestamp"]), False))
        out += self.grid(rows)
        out.append("")
        out.append(self.painter.paint([("Capabilities", "bold underline")]))
        out += self.capabilities(number.get("Capabilities"))
        out.append("")
        out.append(self.painter.paint([("Associations", "bold underline")]))
        out += self.associations(as_list(number.get("Associations")))
        return out

    # -- pieces ----------------------------------------------------------------------------

    def when(self, value: object) -> list[list[Span]]:
        shown, ago = self.values.timestamp(value)
        pieces = [[(shown, "dim" if shown == self.values.none else "")]]
        if ago:
            pieces.append([(ago, "dim")])
        return pieces

    def paint_line(self, spans: list[Span], indent: int = 0) -> str:
        return (" " * indent + self.painter.paint(spans)).rstrip()

    def grid(self, rows: list[Row], indent: int = INDENT) -> list[str]:
        """Label/value rows; a row whose value does not fit beside the label is stacked."""
        label_width = max(cell_len(label) for label, _, _ in rows)
        start = indent + label_width + LABEL_GAP
        room = self.width - start
        out = []
        for label, pieces, prose in rows:
            head = [(label, "bold")] if label else []
            if all(spans_len(p) <= room for p in pieces) or (prose and room >= 8):
                lines = wrap(pieces, room, prose=prose)
                pad = " " * (start - indent - cell_len(label))
                out.append(self.paint_line([*head, (pad, ""), *lines[0]], indent))
                out += [self.paint_line(line, start) for line in lines[1:]]
            else:
                if head:
                    out.append(self.paint_line(head, indent))
                below = indent + INDENT
                lines = wrap(pieces, self.width - below, prose=prose)
                out += [self.paint_line(line, below) for line in lines]
        return out

    def capabilities(self, caps: object) -> list[str]:
        caps = caps if isinstance(caps, dict) else {}
        first = max(len("Outbound"), 1)
        widths = [max(len(kind), cell_len(self.painter.glyph("yes"))) for kind in CAPABILITY_KINDS]
        header = " " * first + "".join(
            " " * GAP + kind.center(w) for kind, w in zip(CAPABILITY_KINDS, widths, strict=True)
        )
        total = cell_len(header)
        out = [self.paint_line([(header, "bold")], INDENT)]
        out.append(self.paint_line([(self.painter.glyph("rule") * total, "")], INDENT))
        for direction in ("Inbound", "Outbound"):
            spans: list[Span] = [(direction.ljust(first), "")]
            for kind, w in zip(CAPABILITY_KINDS, widths, strict=True):
                value = caps.get(f"{direction}{kind}")
                mark, style = (
                    ("yes", "green")
                    if value is True
                    else ("no", "red")
                    if value is False
                    else ("", "dim")
                )
                glyph = self.painter.glyph(mark) if mark else "?"
                spans += [(" " * GAP, ""), (glyph.center(w), style)]
            out.append(self.paint_line(spans, INDENT))
        return out

    def associations(self, items: list[Any]) -> list[str]:
        if not items:
            return [self.paint_line([("none", "dim")], INDENT)]
        v = self.values
        rows = []
        for item in items:
            item = item if isinstance(item, dict) else {}
            shown, ago = v.timestamp(item.get("AssociatedTimestamp"))
            rows.append((v.text(item.get("Name")), v.text(item.get("Value")), shown, ago))
        cells = [
            [name, value, [(shown, "")] + ([(f" {ago}", "dim")] if ago else [])]
            for name, value, shown, ago in rows
        ]
        headers = [[("Name", "bold")], [("Value", "bold")], [("Associated", "bold")]]
        widths = [max(spans_len(row[i]) for row in [headers, *cells]) for i in range(3)]
        total = sum(widths) + GAP * 2
        if INDENT + total <= self.width:
            out = [self.table_line(headers, widths)]
            out.append(self.paint_line([(self.painter.glyph("rule") * total, "")], INDENT))
            out += [self.table_line(row, widths) for row in cells]
            return out
        # Too narrow for a table: each association's name, its value and time beside it.
        grid: list[Row] = []
        for name, value, shown, ago in rows:
            pieces: list[list[Span]] = [value, BREAK, [(shown, "")]]
            if ago:
                pieces.append([(ago, "dim")])
            grid.append((name[0][0], pieces, False))
        return self.grid(grid)

    def table_line(self, cells: list[list[Span]], widths: list[int]) -> str:
        spans: list[Span] = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            spans += cell
            if index < len(cells) - 1:
                spans.append((" " * (width - spans_len(cell) + GAP), ""))
        return self.paint_line(spans, INDENT)
