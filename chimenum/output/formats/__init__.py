"""Renderers: ONE registry, keyed by document kind, then by output format name.

A document kind is what a command prints: ``numbers`` (``get`` one or many ids, ``list``),
``descriptions`` (``describe``), ``audit`` or ``changes`` (``diff``). Each kind has its own renderer
per format, all behind one interface (:class:`Renderer`), and every ``-o`` choice of every command
comes from :data:`REGISTRY`. The renderers share one table engine and cell width (:mod:`.layout`),
one timestamp formatter (:mod:`.values`), one CSV cell policy (:mod:`.csv`) and one glyph policy
(:class:`~.layout.Painter`), so the property tests run over every entry of the registry.

A renderer receives results in input order through :meth:`Renderer.add` and writes only to the
streams of the :class:`~chimenum.output.env.Environment` it was given; it never calls AWS. Strings
from the API are untrusted: every format for people passes them through
:func:`~chimenum.core.safe.inert`. ``list`` calls :meth:`Renderer.page_done` after each page, so
every format can write as pages arrive and keep memory flat.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment

#: What a command prints: phone numbers, described numbers, an audit of the inventory, or what
#: changed between two snapshots (``diff``).
Document = Literal["numbers", "descriptions", "audit", "changes"]

#: How many ids the document is about: one id (``get ID``, ``describe ID``), several ids, the
#: account's numbers (``list``, ``audit``).
DocumentKind = Literal["one", "many", "list"]

_NUMBERS = "chimenum.output.formats"
#: Document kind -> output format name -> "module:class"; modules are imported only when chosen.
#: The first format of a kind is its default.
REGISTRY: dict[Document, dict[str, str]] = {
    "numbers": {
        "table": f"{_NUMBERS}.table:TableRenderer",
        "wide": f"{_NUMBERS}.table:WideTableRenderer",
        "json": f"{_NUMBERS}.json:JsonRenderer",
        "ndjson": f"{_NUMBERS}.ndjson:NdjsonRenderer",
        "text": f"{_NUMBERS}.text:TextRenderer",
        "csv": f"{_NUMBERS}.csv:CsvRenderer",
        "yaml": f"{_NUMBERS}.yaml:NumbersYaml",
        "name": f"{_NUMBERS}.name:NameRenderer",
    },
    "descriptions": {
        "table": f"{_NUMBERS}.describe:TreeRenderer",
        "json": f"{_NUMBERS}.describe:DescriptionsJson",
        "ndjson": f"{_NUMBERS}.describe:DescriptionsNdjson",
        "text": f"{_NUMBERS}.describe:DescriptionsText",
        "csv": f"{_NUMBERS}.describe:DescriptionsCsv",
        "yaml": f"{_NUMBERS}.yaml:DescriptionsYaml",
        "name": f"{_NUMBERS}.name:NameRenderer",
    },
    "audit": {
        "table": f"{_NUMBERS}.audit:AuditTable",
        "json": f"{_NUMBERS}.audit:AuditJson",
        "ndjson": f"{_NUMBERS}.audit:AuditNdjson",
        "text": f"{_NUMBERS}.audit:AuditText",
        "csv": f"{_NUMBERS}.audit:AuditCsv",
        "yaml": f"{_NUMBERS}.yaml:AuditYaml",
        "name": f"{_NUMBERS}.name:AuditNames",
    },
    "changes": {
        "table": f"{_NUMBERS}.changes:ChangesTable",
        "json": f"{_NUMBERS}.changes:ChangesJson",
        "ndjson": f"{_NUMBERS}.changes:ChangesNdjson",
        "csv": f"{_NUMBERS}.changes:ChangesCsv",
    },
}
#: The phone-number formats (``get``, ``list``).
FORMATS = REGISTRY["numbers"]


def formats_of(document: Document) -> tuple[str, ...]:
    """The ``-o`` choices of a command that prints ``document``."""
    return tuple(REGISTRY[document])


def entries() -> list[tuple[Document, str]]:
    """Every ``(document kind, format)`` of the registry: what the property tests run over."""
    return [(document, name) for document, formats in REGISTRY.items() for name in formats]


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
    #: ``--severity``: the least severe finding shown (``describe``, ``audit``).
    severity: str = "info"
    #: A run over several (profile, region) pairs: each record carries ``Profile``,
    #: ``AwsAccountId``, ``Region`` (and ``Regions``), and CSV has columns for them from its
    #: header on, whatever its first row (docs/estate.md).
    several: bool = False


class Renderer:
    """Base class: collect nothing, write nothing. Subclasses override what they need.

    For ``numbers`` a result's document is ``{"PhoneNumber": ...}``; for ``descriptions`` and
    ``audit`` it is the described number, ``{"PhoneNumber", "Resolved", "Findings"}``. A
    result that failed carries its failure and no document.
    """

    def __init__(self, env: Environment, options: RenderOptions) -> None:
        self.env = env
        self.options = options

    def add(self, result: Result) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last result (also after an interrupt, to flush what is done)."""

    def page_done(self) -> None:
        """A listing page has been added in full: a streaming format may write it now."""

    def flush(self) -> None:
        """Nothing more is ready for now (a batch waits for its next id): a format that holds
        lines back to write them together writes them now."""

    def incomplete(self, next_token: str | None, unfinished: Sequence[str] = ()) -> None:
        """The run stopped before its end; for a listing ``next_token`` is where the missing part
        starts, for a batch ``unfinished`` are the ids not done, in input order."""

    def totals(self, summary: dict[str, Any]) -> None:
        """What the whole run sums up to (``audit``), handed over before :meth:`finish`."""

    def pairs(self, pairs: list[dict[str, Any]]) -> None:
        """A several-pair run's ``Pairs`` (each pair's ``Profile``, ``AwsAccountId``,
        ``Region``, ``Numbers``, ``ExitCode``, ``Error``), before :meth:`finish`: the JSON
        document ends with it (docs/estate.md); other formats leave it to stderr."""


def get_renderer(
    name: str, env: Environment, options: RenderOptions, document: Document = "numbers"
) -> Renderer:
    module_name, _, class_name = REGISTRY[document][name].partition(":")
    cls: type[Renderer] = getattr(importlib.import_module(module_name), class_name)
    return cls(env, options)
