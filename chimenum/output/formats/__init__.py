"""Renderers: one module per output format, chosen from :data:`FORMATS` by name.

A renderer receives results in input order through :meth:`Renderer.add` and writes only to the
streams of the :class:`~chimenum.output.env.Environment` it was given; it never calls AWS. Strings
from the API are untrusted: every format for people passes them through
:func:`~chimenum.core.safe.inert`. ``list`` calls :meth:`Renderer.page_done` after each page, so
every format can write as pages arrive and keep memory flat.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment

#: What the document is about: one id (``get ID``), several ids (``get ID ID...``), the
#: account's numbers (``list``).
DocumentKind = Literal["one", "many", "list"]

#: Output format name -> "module:class"; modules are imported only when chosen.
FORMATS: dict[str, str] = {
    "table": "chimenum.output.formats.table:TableRenderer",
    "wide": "chimenum.output.formats.table:WideTableRenderer",
    "json": "chimenum.output.formats.json:JsonRenderer",
    "ndjson": "chimenum.output.formats.ndjson:NdjsonRenderer",
    "text": "chimenum.output.formats.text:TextRenderer",
    "csv": "chimenum.output.formats.csv:CsvRenderer",
}


@dataclass(frozen=True)
class RenderOptions:
    kind: DocumentKind = "one"
    utc: bool = False
    #: A ``--query`` JMESPath expression, already checked by the CLI (see :mod:`.query`).
    query: str | None = None
    #: Table columns by name (``--columns``; ``None``: the format's own choice).
    columns: tuple[str, ...] | None = None
    #: ``--no-headers`` turns this off (tables and CSV).
    headers: bool = True
    #: ``--sort-by``: a column name; the table then waits for every row.
    sort_by: str | None = None


class Renderer:
    """Base class: collect nothing, write nothing. Subclasses override what they need."""

    def __init__(self, env: Environment, options: RenderOptions) -> None:
        self.env = env
        self.options = options

    def add(self, result: Result) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last result (also after an interrupt, to flush what is done)."""

    def page_done(self) -> None:
        """A listing page has been added in full: a streaming format may write it now."""

    def incomplete(self, next_token: str | None) -> None:
        """The run stopped before its end; for a listing ``next_token`` is where the missing part
        starts."""


def get_renderer(name: str, env: Environment, options: RenderOptions) -> Renderer:
    module_name, _, class_name = FORMATS[name].partition(":")
    cls: type[Renderer] = getattr(importlib.import_module(module_name), class_name)
    return cls(env, options)
