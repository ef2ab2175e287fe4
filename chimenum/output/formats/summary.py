"""The summary table (``list``, several ids): a row per number, written as results arrive.

As kubectl does, column widths are fixed from the first page (the first :data:`FIRST_ROWS`
results of a batch) and every later row is formatted at once, so memory stays flat for any
inventory. A later value wider than its column widens that column from then on (an id is never
cut); in the fitted view, a prose column (a calling name) is cut with an ellipsis instead.

On a terminal the default columns are fitted to its width by priority
(:data:`DEFAULT_COLUMNS`, :func:`~.layout.fit_columns`): the number, its status and its
associations always, each next column only when it and all before it fit; a short hint on
stderr counts the hidden ones. Nothing is ever left for the terminal to wrap (it would split
an id): a list wraps in its column between items or words, and a row still wider than the
terminal (``-o wide``, ``--columns``, a later wider id) is broken between cells. Piped, every
default column is written in full, one line per number. ``--sort-by`` sorts by one column,
which needs every row first: it keeps the listing in memory.
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
    bands,
    cell_len,
    fit_columns,
    list_pieces,
    list_sizes,
    plain,
    spans_len,
    tokens,
    wrap,
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


def _regions(values: Values, number: Number) -> list[Span]:
    """Every region that answered a number of a several-region run, else its one region."""
    regions = number.get("Regions")
    if isinstance(regions, list):
        return values.text(", ".join(str(r) for r in regions))
    return values.text(number.get("Region"))


#: Every column, most important first: the order of the table, ``-o wide`` and ``--columns``.
COLUMNS: tuple[Column, ...] = (
    Column("number", "Phone number", "id", lambda v, n: v.text(e164_of(n))),
    # The id as the service spells it (``%2B...``), as JSON and --query have it: -o wide only.
    Column("id", "Phone number id", "id", _field("PhoneNumberId")),
    Column("status", "Status", "id", lambda v, n: v.status(n.get("Status"))),
    # Where calls go: with the number and its status, what an operator looks for first.
    Column(
        "associations", "Associations", "list", lambda v, n: v.associations(n.get("Associations"))
    ),
    Column("name", "Name", "prose", _field("Name"), field="Name"),
    Column("calling-name", "Calling name", "prose", _field("CallingName")),
    Column(
        "calling-name-status",
        "Calling name status",
        "id",
        lambda v, n: v.status(n.get("CallingNameStatus")),
    ),
    Column("type", "Type", "id", _field("Type")),
    Column("country", "Country", "id", _field("Country")),
    Column("product-type", "Product type", "id", _field("ProductType")),
    Column(
        "capabilities",
        "Capabilities in / out",
        "id",
        lambda v, n: v.capabilities(n.get("Capabilities")),
    ),
    Column("created", "Created", "id", lambda v, n: v.timestamp_spans(n.get("CreatedTimestamp"))),
    Column(
        "updated",
        "Updated",
        "id",
        lambda v, n: v.timestamp_spans(n.get("UpdatedTimestamp"), date_only=True),
    ),
    Column("deleted", "Deletion", "id", lambda v, n: v.timestamp_spans(n.get("DeletionTimestamp"))),
    Column("order-id", "Order id", "id", _field("OrderId"), field="OrderId"),
    Column("arn", "ARN", "id", _field("PhoneNumberArn"), field="PhoneNumberArn"),
    # Where a number of a several-pair run came from: default columns (after the
    # associations) only in such a run.
    Column("account", "AWS account", "id", _field("AwsAccountId"), field="AwsAccountId"),
    Column("region", "Region", "id", _regions, field="Region"),
    Column("profile", "Profile", "id", _field("Profile"), field="Profile"),
)
BY_NAME = {column.name: column for column in COLUMNS}
COLUMN_NAMES = tuple(BY_NAME)
#: The default columns, in priority order: on a terminal too narrow for all of them, the last
#: are left out first. Product type is the widest of the rest (25 cells) and says less than
#: the associations beside it, so it goes before the narrow ones.
DEFAULT_COLUMNS = (
    "number",
    "status",
    "associations",
    "account",
    "region",
    "profile",
    "name",
    "calling-name",
    "type",
    "country",
    "product-type",
    "capabilities",
    "updated",
    "order-id",
    "arn",
)
#: On a terminal, the leading default columns shown whatever its width: the number, its status
#: and where its calls go (the associations wrap, an item or a word per line, never an id).
ALWAYS = 3
#: Prose columns are cut (with an ellipsis) to no less than this many cells before dropped.
PROSE_MIN = 10
#: Cells between two columns.
GAP = 3
#: On a terminal, a row wider than it is broken between cells; the rest indented this much.
BAND_INDENT = 4
#: The hint about hidden columns fits the narrowest terminal people use.
HINT_WIDTH = 79
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

    def sizes_of(self, column: Column, cells: list[list[Span]]) -> list[int]:
        """The widths ``column`` can take for these cells, widest first."""
        header = len(column.header)
        if column.kind == "list":
            levels = [list_sizes(spans) for spans in cells]
            return sorted({max([header] + [level[n] for level in levels]) for n in range(3)})[::-1]
        full = max([header] + [spans_len(spans) for spans in cells])
        return [full, min(full, PROSE_MIN)] if column.kind == "prose" else [full]

    def start(self) -> None:
        """Fix the columns and their widths from the rows so far, and write them."""
        columns = self.chosen()
        rows = [[c.value(self.values, n) for c in columns] for n in self.pending]
        sizes = [self.sizes_of(c, [row[i] for row in rows]) for i, c in enumerate(columns)]
        width = self.env.width
        if self.fit:
            widths = fit_columns(sizes, width, gap=GAP, always=ALWAYS)
            self.hint([c.name for c in columns[len(widths) :]])
            columns = columns[: len(widths)]
            rows = [row[: len(widths)] for row in rows]
        elif self.env.stdout_isatty:
            # A list or prose wraps rather than run past the terminal (and be split by it).
            widths = [
                max(size[-1], min(size[0], width - BAND_INDENT)) if c.kind != "id" else size[0]
                for c, size in zip(columns, sizes, strict=True)
            ]
        else:
            widths = [size[0] for size in sizes]
        self.columns = columns
        self.sizes = widths
        lines = []
        if self.layout.headers:
            lines.append(self.line([[(c.header, "bold")] for c in columns]))
            total = sum(widths) + GAP * (len(columns) - 1)
            if self.env.stdout_isatty:
                total = min(total, width)
            lines.append(self.painter.paint([(self.painter.glyph("rule") * total, "")]))
        lines.extend(self.line(row) for row in rows)
        self.pending = []
        self.lines = lines

    def hint(self, hidden: list[str]) -> None:
        """One short line on stderr naming the hidden columns, when there is room for them."""
        if not hidden:
            return
        count = f"{len(hidden)} column{'s' if len(hidden) != 1 else ''} hidden"
        for text in (
            f"{count} ({', '.join(hidden)}): -o wide shows them",
            f"{count}: -o wide shows them",
        ):
            if len("chimenum: ") + cell_len(text) <= HINT_WIDTH:
                break
        self.env.warn(text)

    def line(self, cells: list[list[Span]]) -> str:
        """A row as one line; a row that needs more (a list to wrap, a terminal to fit) is
        drawn by :meth:`tall`."""
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
                kind = self.columns[index].kind
                if self.fit and kind == "prose":
                    spans = self.painter.truncate(spans, width)
                    text = plain(spans)
                    size = cell_len(text)
                elif self.env.stdout_isatty and kind != "id":
                    return self.tall(cells)
                else:
                    widths[index] = width = size
            out.append(self.painter.paint(spans) if color else text)
            if index < last:
                out.append(" " * (width - size + GAP))
        # Every row of a terminal breaks where the header did: the columns' widths decide.
        if self.env.stdout_isatty and sum(widths) + GAP * last > self.env.width:
            return self.tall(cells)
        return "".join(out)

    def tall(self, cells: list[list[Span]]) -> str:
        """A row on a terminal as several lines: a list wrapped in its column (an item or a
        word per line), prose wrapped at its spaces (cut instead in the fitted view), and a row
        still too wide broken between cells, so that the terminal never splits a value."""
        assert self.columns is not None
        widths = self.sizes
        blocks: list[list[list[Span]]] = []
        for index, spans in enumerate(cells):
            kind, width = self.columns[index].kind, widths[index]
            if spans_len(spans) <= width:
                block = [list(spans)]
            elif kind == "list":
                block = wrap(list_pieces(spans, width), width)
            elif kind == "prose" and self.fit:
                block = [self.painter.truncate(spans, width)]
            elif kind == "prose":
                block = wrap(tokens(spans, "prose"), width, prose=True)
            else:
                block = [list(spans)]
            # An id, or a word of a list, wider than its column widens it from now on.
            widths[index] = max([width, *map(spans_len, block)])
            blocks.append(block)
        out = []
        for band, (first, end) in enumerate(
            bands(widths, self.env.width, gap=GAP, indent=BAND_INDENT)
        ):
            indent = (" " * BAND_INDENT, "") if band else ("", "")
            for row in range(max(len(block) for block in blocks[first:end])):
                parts: list[Span] = [indent]
                for index in range(first, end):
                    block = blocks[index]
                    piece = block[row] if row < len(block) else []
                    parts.extend(piece)
                    if index < end - 1:
                        parts.append((" " * (widths[index] - spans_len(piece) + GAP), ""))
                out.append(self.painter.paint(parts).rstrip())
        return "\n".join(out)
