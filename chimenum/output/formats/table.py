"""``-o table`` (the default) and ``-o wide``: views for people.

One id gets a detail view (:mod:`.detail`); several ids and listings get one summary table,
a row per number in input order, streamed (:mod:`.summary`). Colour is used only when the
environment says so (a TTY, ``--color``, ``NO_COLOR``, ``CLICOLOR_FORCE``); piped, the same
content is written with no escape sequences. A stdout that cannot encode the table's glyphs
gets ASCII ones. With ``--query``, the view is not about phone numbers any more but about
whatever the expression returned, so :func:`generic` lays it out with the one grid engine
(:func:`~.layout.grid_lines`): a scalar bare, a list of objects as a table with a column per
key, an object as key/value rows, a list of scalars one per line; nested values as compact
JSON, written whole. Every string from the API goes through
:func:`~chimenum.core.safe.inert`, so neither control characters nor rich markup in data can
act on the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert
from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.json import document, error_object
from chimenum.output.formats.layout import Cell, Painter, grid_lines
from chimenum.output.formats.summary import Layout, Summary
from chimenum.output.formats.values import Values
from chimenum.output.query import apply

if TYPE_CHECKING:
    from chimenum.core.fetch import Result


class TableRenderer(Renderer):
    wide = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.painter = Painter(self.env)
        self.values = Values(
            utc=self.options.utc, now=self.env.now(), none=self.painter.glyph("none")
        )
        self.summary: Summary | None = None
        # One id gets the detail view, unless columns were asked for: then it is a table row.
        summary = self.options.kind != "one" or self.options.columns is not None
        if summary and self.options.query is None:
            layout = Layout(
                wide=self.wide,
                columns=self.options.columns,
                headers=self.options.headers,
                sort_by=self.options.sort_by,
            )
            self.summary = Summary(self.env, self.values, self.painter, layout)

    def add(self, result: Result) -> None:
        if result.document is not None:
            if self.summary is not None:
                self.summary.add(result.document["PhoneNumber"])
            else:
                self.numbers.append(result.document["PhoneNumber"])
        elif self.options.query is not None:
            self.errors.append(error_object(result))

    def page_done(self) -> None:
        if self.summary is not None:
            self.summary.page_done()

    def finish(self) -> None:
        if self.options.query is not None:
            self.finish_query(self.options.query)
        elif self.summary is not None:
            self.summary.finish()
        elif self.numbers:
            from chimenum.output.formats.detail import Detail

            lines = Detail(self.values, self.painter, self.env.width).lines(self.numbers[0])
            self.env.write("".join(line + "\n" for line in lines))

    def finish_query(self, query: str) -> None:
        doc = document(self.options.kind, self.numbers, self.errors)
        if doc is None:
            return
        value = apply(query, doc)
        if value is not None:
            self.env.write("".join(line + "\n" for line in generic(value, self.painter)))


class WideTableRenderer(TableRenderer):
    """``-o wide``: every column, each value in full."""

    wide = True


def _cell(value: Any) -> Cell:
    """A JSON value for a cell: strings bare, other scalars as JSON, nested values compact."""
    if isinstance(value, str):
        return [(inert(value), "")]
    if value is None:
        return [("null", "dim")]
    return [(inert(to_json(value, indent=None)), "")]


def generic(value: Any, painter: Painter) -> list[str]:
    """Any JSON value (a ``--query`` result) as lines for people, by the one grid engine."""
    if isinstance(value, dict):
        rows = [[[(inert(key), "bold")], _cell(item)] for key, item in value.items()]
        return grid_lines(rows, painter, gap=2)
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            columns: dict[str, None] = {}
            for item in value:
                columns.update(dict.fromkeys(item))
            missing: Cell = [(painter.glyph("none"), "dim")]
            rows = [
                [_cell(item[key]) if key in item else missing for key in columns] for item in value
            ]
            return grid_lines(rows, painter, header=[inert(key) for key in columns])
        return grid_lines(
            [
                [_cell(cell) for cell in (item if isinstance(item, list) else [item])]
                for item in value
            ],
            painter,
            gap=2,
        )
    return [painter.paint(_cell(value))]
