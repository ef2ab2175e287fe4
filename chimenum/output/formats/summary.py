"""The summary table (``list``, several ids): one line per number, written as results arrive.

As kubectl does, column widths are fixed from the first page (the first :data:`FIRST_ROWS`
results of a batch) and every later row is one formatted line, so memory stays flat for any
inventory. A later value wider than its column widens that column from then on (an id is never
cut); on a terminal, a prose column (a calling name) is cut with an ellipsis instead.

On a terminal the default columns are fitted to its width: columns are dropped in
:data:`DROP_ORDER` (a hint on stderr names them and ``-o wide``) and the calling name is cut,
so that at 100 columns each number is one line. Piped, every default column is written in full.
``-o wide`` shows :data:`COLUMNS` in full; ``--columns`` picks them by name; ``--sort-by``
sorts by one, which needs every row first: it keeps the listing in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chimenum.core.ids import e164_of
from chimenum.output.formats.layout import (
    Kind,
    Painter,
    Span,
    cell_len,
    fit_columns,
    plain,
    spans_len,
)
from chimenum.output.formats.values import Values

if TYPE_CHECKING:
    from chimenum.output.env import Environment

Number = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    kind: Kind
    value: Callable[[Values, Number], list[Span]]
    #: A Chime SDK Voice field: a default column only when the numbers have it.
    field: str | None = None


def _field(key: str) -> Callable[[Values, Number], list[Span]]:
    return lambda values, number: values.text(number.get(key))


COLUMNS: tuple[Column, ...] = (
    Column("number", "Phone number", "id", lambda v, n: v.text(e164_of(n))),
    # The id as the service spells it (``%2B...``), as JSON and --query have it: -o wide only.
    Column("id", "Phone number id", "id", _field("PhoneNumberId")),
    Column("status", "Status", "id", lambda v, n: v.status(n.get("Status"))),
    Column("type", "Type", "id", _field("Type")),
    Column("product-type", "Product type", "id", _field("ProductType")),
    Column("country", "Country", "id", _field("Country")),
    Column("calling-name", "Calling name", "prose", _field("CallingName")),
    Column(
        "calling-name-status",
        "Calling name status",
        "id",
        lambda v, n: v.status(n.get("CallingNameStatus")),
    ),
    Column(
        "capabilities",
        "Capabilities in / out",
        "id",
        lambda v, n: v.capabilities(n.get("Capabilities")),
    ),
    Column(
        "associations", "Associations", "id", lambda v, n: v.associations(n.get("Associations"))
    ),
    Column("created", "Created", "id", lambda v, n: v.timestamp_spans(n.get("CreatedTimestamp"))),
    Column(
        "updated",
        "Updated",
        "id",
        lambda v, n: v.timestamp_spans(n.get("UpdatedTimestamp"), date_only=True),
    ),
    Column("deleted", "Deletion", "id", lambda v, n: v.timestamp_spans(n.get("DeletionTimestamp"))),
    Column("name", "Name", "prose", _field("Name"), field="Name"),
    Column("order-id", "Order id", "id", _field("OrderId"), field="OrderId"),
    Column("arn", "ARN", "id", _field("PhoneNumberArn"), field="PhoneNumberArn"),
)
BY_NAME = {column.name: column for column in COLUMNS}
COLUMN_NAMES = tuple(BY_NAME)
DEFAULT_COLUMNS = (
    "number",
    "status",
    "type",
    "product-type",
    "country",
    "calling-name",
    "capabilities",
    "associations",
    "updated",
    "name",
    "order-id",
    "arn",
)
#: On a terminal, the columns given up first when the default ones do not fit.
DROP_ORDER = (
    "associations",
    "arn",
    "order-id",
    "name",
    "updated",
    "country",
    "type",
    "capabilities",
    "calling-name",
    "product-type",
)
#: Prose columns are cut (with an ellipsis) to no less than this many cells before dropped.
PROSE_MIN = 10
#: Cells between two columns.
GAP = 3
#: Rows a batch (which has no pages) collects before its column widths are fixed.
FIRST_ROWS = 100


@dataclass(frozen=True)
class Layout:
    """What the user asked of the table."""

    wide: bool = False
    columns: tuple[str, ...] | None = None
    headers: bool = True
    sort_by: str | None = None


class Summary:
    def __init__(self, env: Environment, values: Values, painter: Painter, layout: Layout) -> None:
        self.env = env
        self.values = values
        self.painter = painter
        self.layout = layout
        #: Fit to the terminal: only the default view on a terminal.
        self.fit = env.stdout_isatty and not layout.wide and layout.columns is None
        self.pending: list[Number] = []
        self.columns: list[Column] | None = None
        #: The width of each of :attr:`columns`, by position.
        self.sizes: list[int] = []
        #: Rows formatted since the last write.
        self.lines: list[str] = []

    # -- protocol ------------------------------------------------------------------------

    def add(self, number: Number) -> None:
        if self.columns is not None:
            values = self.values
            self.lines.append(self.line([column.value(values, number) for column in self.columns]))
            if len(self.lines) >= FIRST_ROWS:
                self.page_done()
            return
        self.pending.append(number)
        if len(self.pending) >= FIRST_ROWS and self.layout.sort_by is None:
            self.page_done()

    def page_done(self) -> None:
        """The first page fixes the columns; each later one is written as one piece."""
        if self.columns is None and self.pending and self.layout.sort_by is None:
            self.start()
        if self.lines:
            self.env.write("".join(line + "\n" for line in self.lines))
            self.lines = []
        self.env.flush()

    def finish(self) -> None:
        if self.columns is None and self.pending:
            if self.layout.sort_by is not None:
                column = BY_NAME[self.layout.sort_by]
                self.pending.sort(key=lambda n: plain(column.value(self.values, n)))
            self.start()
        self.page_done()

    # -- drawing -------------------------------------------------------------------------

    def chosen(self) -> list[Column]:
        if self.layout.columns is not None:
            return [BY_NAME[name] for name in self.layout.columns]
        names = COLUMN_NAMES if self.layout.wide else DEFAULT_COLUMNS
        return [
            BY_NAME[name]
            for name in names
            if BY_NAME[name].field is None
            or any(BY_NAME[name].field in number for number in self.pending)
        ]

    def start(self) -> None:
        """Fix the columns and their widths from the rows so far, and write them."""
        columns = self.chosen()
        rows = [[c.value(self.values, n) for c in columns] for n in self.pending]
        widths = {
            c.name: max([len(c.header)] + [spans_len(row[i]) for row in rows])
            for i, c in enumerate(columns)
        }
        if self.fit:
            names, widths = fit_columns(
                [c.name for c in columns],
                widths,
                self.env.width,
                gap=GAP,
                drop_order=DROP_ORDER,
                shrinkable={c.name: PROSE_MIN for c in columns if c.kind == "prose"},
            )
            hidden = [c.name for c in columns if c.name not in names]
            if hidden:
                self.env.warn(
                    f"{len(hidden)} column{'s' if len(hidden) != 1 else ''} hidden to fit"
                    f" {self.env.width} columns ({', '.join(hidden)}): -o wide shows every"
                    " column, --columns picks them"
                )
            keep = [columns.index(BY_NAME[name]) for name in names]
            columns = [columns[i] for i in keep]
            rows = [[row[i] for i in keep] for row in rows]
        self.columns = columns
        self.sizes = [widths[c.name] for c in columns]
        lines = []
        if self.layout.headers:
            lines.append(self.line([[(c.header, "bold")] for c in columns]))
            total = sum(widths.values()) + GAP * (len(columns) - 1)
            lines.append(self.painter.paint([(self.painter.glyph("rule") * total, "")]))
        lines.extend(self.line(row) for row in rows)
        self.pending = []
        self.lines = lines

    def line(self, cells: list[list[Span]]) -> str:
        # Called for every row: the plain text of a cell is measured once (cell widths add
        # up) and is what is written when there is no colour.
        assert self.columns is not None
        out = []
        widths = self.sizes
        color = self.painter.color
        last = len(cells) - 1
        for index, spans in enumerate(cells):
            text = spans[0][0] if len(spans) == 1 else plain(spans)
            size = len(text) if text.isascii() else cell_len(text)
            width = widths[index]
            if size > width:
                if self.fit and self.columns[index].kind == "prose":
                    spans = self.painter.truncate(spans, width)
                    text = plain(spans)
                    size = cell_len(text)
                else:
                    widths[index] = width = size
            out.append(self.painter.paint(spans) if color else text)
            if index < last:
                out.append(" " * (width - size + GAP))
        return "".join(out)
