"""The ``descriptions`` document kind (``describe``): a tree, JSON, ndjson, text, CSV of findings.

- ``table``: per number, a tree (number -> connector -> origination routes, termination and its
  last SIP OPTIONS ping; number -> SIP rule -> applications, each with its priority and the region
  the rule routes to -> Lambda functions), then its findings. The number is shown in E.164, never
  as its (possibly percent-encoded) id. The tree is drawn by the one line engine
  (:func:`~.layout.tree_lines`): the same cell widths, glyphs and timestamps as ``get``'s views.
- ``json``: one id, ``{"PhoneNumber", "Resolved", "Findings"}``; several,
  ``{"Descriptions": [...], "PhoneNumberErrors": [...]}`` in input order (see docs/describe.md);
  a batch a stop signal cut short ends as ``get``'s does: ``"Incomplete": true`` and the ids
  not described, ``"Unfinished"``.
- ``ndjson``: one such object per line as soon as it is described (an id that failed: the
  ``{"PhoneNumberId", "ErrorCode", "ErrorMessage"}`` line ``get`` writes).
- ``text``: the JSON document as the AWS CLI's text output (:mod:`.text`).
- ``csv``: one row per finding (:data:`~.findings.FINDING_COLUMNS`), streamed.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chimenum.core.findings import STALE_PING_AFTER
from chimenum.core.ids import e164_of
from chimenum.core.safe import inert
from chimenum.output.document import jsonable, to_json
from chimenum.output.formats import Renderer
from chimenum.output.formats.findings import FindingRows, findings_lines, where_of
from chimenum.output.formats.json import emit, error_object, incomplete, with_pairs
from chimenum.output.formats.layout import Branch, Painter, Span, tree_lines
from chimenum.output.formats.ndjson import write_line
from chimenum.output.formats.text import to_text
from chimenum.output.formats.values import Values

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chimenum.core.fetch import Result

STATUS_WORDS = {"NotFound": "not found", "NotPermitted": "not permitted", "Failed": "not read"}

#: Kinds whose region is worth a word: each may live in a region of its own.
REGIONAL_KINDS = ("VoiceConnector", "VoiceConnectorGroup", "SipRule", "SipMediaApplication")

KIND_WORDS = {
    "VoiceConnector": "voice connector",
    "Origination": "origination",
    "Termination": "termination",
    "TerminationHealth": "termination health",
    "TerminationCredentials": "termination credentials",
    "VoiceConnectorGroup": "voice connector group",
    "SipRule": "SIP rule",
    "SipMediaApplication": "SIP media application",
    "PhoneNumberOrder": "order",
    "Tags": "tags",
    "Account": "account",
    "User": "user",
}

#: Kinds shown without their id: it is their connector's, or the number's ARN.
_UNNAMED = ("Origination", "Termination", "TerminationHealth", "TerminationCredentials", "Tags")

Part = tuple[str, str] | str


def spans(*parts: Part) -> list[Span]:
    """Parts as spans, every text made inert: resource names and ids are anyone's to choose."""
    return [
        (inert(part[0]), part[1]) if isinstance(part, tuple) else (inert(part), "")
        for part in parts
        if part
    ]


def _present(*values: Any, gap: str = "  ") -> str:
    """The values the answer has, each after ``gap``: a member AWS left out is not shown as
    ``None`` (its published answers have no ``Country``, orders no ``OrderType``)."""
    return "".join(f"{gap}{value}" for value in values if value is not None and value != "")


def _joined(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) and value else "-"


class Tree:
    """A described number as a tree of what calls to it go through."""

    def __init__(self, values: Values, painter: Painter) -> None:
        self.values = values
        self.painter = painter

    def root(self, doc: dict[str, Any]) -> Branch:
        number = doc["PhoneNumber"]
        root = Branch(
            spans(
                (e164_of(number), "bold"),
                _present(number.get("Status"), number.get("ProductType"), number.get("Country")),
                f"  {number['Name']}" if number.get("Name") else "",
                (where_of(number), "dim"),
            )
        )
        resolved = doc["Resolved"]
        if not resolved["Associations"]:
            root.add(spans(("no associations", "dim")))
        arrow = self.painter.glyph("arrow")
        for association in resolved["Associations"]:
            self.branch(root, association["Target"], via=f"{association['Name']} {arrow} ")
        for extra in (resolved.get("Order"), resolved.get("Tags")):
            if extra is not None:
                self.branch(root, extra)
        return root

    def branch(self, parent: Branch, node: dict[str, Any], via: str = "") -> None:
        kind = node["Kind"]
        shown_id = "" if kind in _UNNAMED else f" {node['Id']}"
        branch = parent.add(
            spans((via, "dim"), (KIND_WORDS.get(kind, kind), "bold"), shown_id, *self.summary(node))
        )
        if node["Status"] == "Found":
            for line in self.details(node):
                branch.add(spans(line))
        for related in node["Related"]:
            self.branch(branch, related)

    def details(self, node: dict[str, Any]) -> list[str]:
        """The lines under a found node (its routes, endpoints, settings)."""
        kind, value = node["Kind"], node["Resource"]
        if kind == "VoiceConnector":
            encryption = "required" if value.get("RequireEncryption") else "not required"
            return [f"outbound host {value.get('OutboundHostName')}, encryption {encryption}"]
        if kind == "Origination":
            return [
                f"route {r.get('Host')}:{r.get('Port')} {r.get('Protocol')}"
                f"  priority {r.get('Priority')}  weight {r.get('Weight')}"
                for r in value.get("Routes") or []
            ] or ["no routes"]
        if kind == "SipMediaApplication":
            return [f"Lambda {e.get('LambdaArn')}" for e in value.get("Endpoints") or []] or [
                "no endpoints"
            ]
        return []

    def ping(self, value: dict[str, Any]) -> str:
        """A fresh ping's age is what matters; a stale one's time says since when."""
        when = value.get("Timestamp")
        shown, ago = self.values.timestamp(when)
        source = f"  last SIP OPTIONS ping from {value.get('Source')}"
        if ago is None or not isinstance(when, datetime):
            return f"{source} at {shown}"
        stale = True
        with contextlib.suppress(OverflowError, TypeError):
            stale = self.values.now - when > STALE_PING_AFTER
        return f"{source} at {shown} {ago}" if stale else f"{source} {ago}"

    def summary(self, node: dict[str, Any]) -> list[Part]:
        """What the node's own line says after its kind and id."""
        value = node["Resource"]
        kind = node["Kind"]
        parts: list[Part] = []
        if isinstance(value, dict) and value.get("Name"):
            parts.append(f'  "{value["Name"]}"')
        if node.get("Region") and kind in REGIONAL_KINDS:
            parts.append(f"  {node['Region']}")
        item = node.get("ParentItem")
        if item:
            parts.append(f"  priority {item.get('Priority')}")
            if item.get("AwsRegion"):
                parts.append(f"  routed to {item['AwsRegion']}")
        if node["Status"] != "Found":
            searched = node.get("SearchedRegions") or []
            unread = node.get("UnreadRegions") or []
            word = STATUS_WORDS.get(node["Status"], node["Status"])
            parts.append((f"  {word}", "bold red" if node["Status"] == "NotFound" else "yellow"))
            if unread:
                parts.append(f" in {', '.join(unread)} ({node['Error']['Code']})")
            if searched:
                parts.append(f" (searched {len(searched)} regions)")
            elif node.get("Error") and node["Status"] != "NotFound":
                parts.append(f" ({node['Error']['Code']})")
            return parts
        disabled = isinstance(value, dict) and value.get("Disabled")
        if kind in ("Origination", "Termination", "SipRule"):
            parts.append(("  disabled", "bold red") if disabled else ("  enabled", "green"))
        if kind == "Termination":
            parts.append(
                f"  calling regions {_joined(value.get('CallingRegions'))}"
                f"  CIDR {_joined(value.get('CidrAllowedList'))}"
                f"  CPS limit {value.get('CpsLimit')}"
            )
        elif kind == "TerminationHealth":
            parts.append(self.ping(value))
        elif kind == "TerminationCredentials":
            parts.append(f"  {len(value)} SIP user names")
        elif kind == "VoiceConnectorGroup":
            parts.append(f"  distribution {value.get('CallDistributionType') or '-'}")
        elif kind == "SipRule":
            parts.append(
                f"  trigger{_present(value.get('TriggerType'), value.get('TriggerValue'), gap=' ')}"
            )
        elif kind == "PhoneNumberOrder":
            foc = f"  FOC {value['FocDate']}" if value.get("FocDate") else ""
            parts.append(_present(value.get("OrderType"), value.get("Status")) + foc)
        elif kind == "Account":
            parts.append(_present(value.get("AccountType"), value.get("AccountStatus")))
        elif kind == "User":
            parts.append(
                f"  {value.get('DisplayName') or ''} <{value.get('PrimaryEmail') or ''}>"
                f"  {value.get('UserType') or ''}"
            )
        elif kind == "Tags":
            parts.append(
                "  " + (", ".join(f"{t.get('Key')}={t.get('Value')}" for t in value) or "none")
            )
        return parts


class TreeRenderer(Renderer):
    """``-o table``: each described number's tree, then its findings, as it is described."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.painter = Painter(self.env)
        values = Values(utc=self.options.utc, now=self.env.now(), none=self.painter.glyph("none"))
        self.tree = Tree(values, self.painter)
        self.first = True

    def add(self, result: Result) -> None:
        doc = result.document
        if doc is None:
            return  # the CLI names an id that failed on stderr
        width = self.env.width
        lines = [] if self.first else [""]
        self.first = False
        lines += tree_lines(self.tree.root(doc), self.painter, width)
        lines.append("")
        lines += findings_lines(doc["Findings"], self.painter, width, utc=self.options.utc)
        self.env.write("".join(line + "\n" for line in lines))
        self.env.flush()


class DescriptionsJson(Renderer):
    """``-o json``: the whole document once every id is described."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.unfinished: Sequence[str] | None = None
        self.pair_lines: list[dict[str, Any]] | None = None

    def add(self, result: Result) -> None:
        if result.document is None:
            self.errors.append(error_object(result))
        else:
            self.documents.append(result.document)

    def incomplete(self, next_token: str | None, unfinished: Sequence[str] = ()) -> None:
        self.unfinished = unfinished

    def pairs(self, pairs: list[dict[str, Any]]) -> None:
        self.pair_lines = pairs

    def document(self) -> dict[str, Any] | None:
        if self.options.kind == "one":
            return self.documents[0] if self.documents else None
        doc = {"Descriptions": self.documents, "PhoneNumberErrors": self.errors}
        doc = doc if self.unfinished is None else {**doc, **incomplete(self.unfinished)}
        return with_pairs(doc, self.pair_lines)

    def finish(self) -> None:
        doc = self.document()
        if doc is not None:
            emit(self.env, to_json(doc) + "\n")


class DescriptionsText(DescriptionsJson):
    """``-o text``: the JSON document as the AWS CLI's text output."""

    def finish(self) -> None:
        doc = self.document()
        if doc is not None:
            self.env.write(to_text(jsonable(doc)))


class DescriptionsNdjson(Renderer):
    def add(self, result: Result) -> None:
        doc = result.document
        write_line(self.env, doc if doc is not None else error_object(result))


class DescriptionsCsv(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = FindingRows(self.env, several=self.options.several)

    def add(self, result: Result) -> None:
        if result.document is not None:
            self.rows.add(result.document["Findings"])

    def finish(self) -> None:
        self.rows.flush()
