"""Rendering described numbers: a tree on a terminal, JSON, ndjson, and CSV of the findings.

- ``table``: per number, a tree (number -> connector -> origination routes, termination and its
  last SIP OPTIONS ping; number -> SIP rule -> applications, each with its priority and the region
  the rule routes to -> Lambda functions), then its findings; rich is imported only here. The
  number is shown in E.164, never as its (possibly percent-encoded) id.
- ``json``: one id, ``{"PhoneNumber", "Resolved", "Findings"}``; several,
  ``{"Descriptions": [...], "PhoneNumberErrors": [...]}`` in input order (see docs/describe.md).
- ``ndjson``: one such object per line as soon as it is described (an id that failed: the
  ``{"PhoneNumberId", "ErrorCode", "ErrorMessage"}`` line ``get`` writes).
- ``csv``: one row per finding (:data:`FINDING_COLUMNS`), streamed.

Every string from the API reaches the terminal through :func:`chimenum.core.safe.inert`.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from chimenum.core.findings import (
    ERROR,
    INFO,
    STALE_PING_AFTER,
    WARNING,
    age,
)
from chimenum.core.ids import e164_of
from chimenum.core.safe import inert
from chimenum.output.document import to_json

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

    from chimenum.core.describe import Described
    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment

FINDING_COLUMNS = ("PhoneNumberId", "Severity", "Code", "ResourceKind", "ResourceId", "Message")
SEVERITY_STYLES = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}
STATUS_WORDS = {"NotFound": "not found", "NotPermitted": "not permitted", "Failed": "not read"}


def write_json(env: Environment, doc: Any) -> None:
    """Pretty JSON on stdout, highlighted when colour is on (as ``get --json``)."""
    text = to_json(doc)
    if env.stdout_color:
        from rich.highlighter import JSONHighlighter
        from rich.text import Text

        env.print(JSONHighlighter()(Text(text)), soft_wrap=True)
    else:
        env.write(text + "\n")


def csv_line(row: dict[str, Any], columns: tuple[str, ...] = FINDING_COLUMNS) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row.get(c, "") for c in columns])
    return buffer.getvalue()


def _time(value: Any, utc: bool) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc if utc else None).strftime("%Y-%m-%d %H:%M %Z")
    return inert(value)


def _text(*parts: tuple[str, str] | str) -> Text:
    from rich.text import Text

    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(inert(part[0]), style=part[1])
        else:
            text.append(inert(part))
    return text


def _details(node: dict[str, Any], utc: bool) -> list[str]:
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


def _summary(node: dict[str, Any], utc: bool, now: datetime) -> list[tuple[str, str] | str]:
    """What the node's own line says after its kind and id."""
    value = node["Resource"]
    kind = node["Kind"]
    parts: list[tuple[str, str] | str] = []
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
            f"  calling regions {', '.join(value.get('CallingRegions') or []) or '-'}"
            f"  CIDR {', '.join(value.get('CidrAllowedList') or []) or '-'}"
            f"  CPS limit {value.get('CpsLimit')}"
        )
    elif kind == "TerminationHealth":
        # A fresh ping's age is what matters; a stale one's time says since when.
        ping = value.get("Timestamp")
        source = f"  last SIP OPTIONS ping from {value.get('Source')}"
        if not isinstance(ping, datetime):
            parts.append(f"{source} at {_time(ping, utc)}")
        elif now - ping > STALE_PING_AFTER:
            parts.append(f"{source} at {_time(ping, utc)} ({age(ping, now)} ago)")
        else:
            parts.append(f"{source} ({age(ping, now)} ago)")
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
        parts.append("  " + (", ".join(f"{t['Key']}={t['Value']}" for t in value) or "none"))
    return parts


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


def _branch(parent: Tree, node: dict[str, Any], utc: bool, now: datetime, via: str = "") -> None:
    kind = node["Kind"]
    shown_id = "" if kind in _UNNAMED else f" {node['Id']}"
    head = (via, "dim") if via else ""
    branch = parent.add(
        _text(head, (KIND_WORDS.get(kind, kind), "bold"), shown_id, *_summary(node, utc, now))
    )
    if node["Status"] == "Found":
        for line in _details(node, utc):
            branch.add(_text(line))
    for related in node["Related"]:
        _branch(branch, related, utc, now)


def _present(*values: Any, gap: str = "  ") -> str:
    """The values the answer has, each after ``gap``: a member AWS left out is not shown as
    ``None`` (its published answers have no ``Country``, orders no ``OrderType``)."""
    return "".join(f"{gap}{value}" for value in values if value is not None and value != "")


def tree(doc: dict[str, Any], utc: bool, now: datetime) -> Tree:
    """A described number as a tree of what calls to it go through."""
    from rich.tree import Tree

    number = doc["PhoneNumber"]
    root = Tree(
        _text(
            (e164_of(number), "bold"),
            _present(number.get("Status"), number.get("ProductType"), number.get("Country")),
            f"  {number['Name']}" if number.get("Name") else "",
        )
    )
    resolved = doc["Resolved"]
    if not resolved["Associations"]:
        root.add(_text(("no associations", "dim")))
    for association in resolved["Associations"]:
        _branch(root, association["Target"], utc, now, via=f"{association['Name']} → ")
    for extra in (resolved.get("Order"), resolved.get("Tags")):
        if extra is not None:
            _branch(root, extra, utc, now)
    return root


def findings_lines(findings: list[dict[str, str]], *, with_number: bool = False) -> Text:
    from rich.text import Text

    text = Text()
    if not findings:
        text.append("no findings", style="green")
        return text
    for n, item in enumerate(findings):
        if n:
            text.append("\n")
        text.append(f"{item['Severity']:<8}", style=SEVERITY_STYLES.get(item["Severity"], ""))
        if with_number:
            text.append(f"{inert(item['PhoneNumberId'])}  ")
        text.append(f"{inert(item['Code'])}  ", style="bold")
        text.append(inert(item["Message"]))
    return text


class DescribeRenderer:
    """Writes described numbers in one of ``table``, ``json``, ``ndjson``, ``csv``."""

    def __init__(self, env: Environment, fmt: str, *, one: bool, utc: bool) -> None:
        self.env = env
        self.fmt = fmt
        self.one = one
        self.utc = utc
        self.now = env.now()
        self.documents: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.first = True
        if fmt == "csv":
            env.write(csv_line({c: c for c in FINDING_COLUMNS}))

    def add(self, result: Result, described: Described | None) -> None:
        env = self.env
        if described is None:
            from chimenum.output.formats.json import error_object

            if self.fmt == "ndjson":
                env.write(to_json(error_object(result), indent=None) + "\n")
            else:
                self.errors.append(error_object(result))
            return
        doc = described.document
        if self.fmt == "ndjson":
            env.write(to_json(doc, indent=None) + "\n")
        elif self.fmt == "csv":
            for item in doc["Findings"]:
                env.write(csv_line(item))
        elif self.fmt == "json":
            self.documents.append(doc)
        else:
            from rich.console import Group
            from rich.text import Text

            if not self.first:
                env.write("\n")
            self.first = False
            env.print(
                Group(tree(doc, self.utc, self.now), Text(""), findings_lines(doc["Findings"]))
            )
        env.stdout.flush()

    def finish(self) -> None:
        if self.fmt != "json":
            return
        if self.one:
            if self.documents:
                write_json(self.env, self.documents[0])
            return
        write_json(self.env, {"Descriptions": self.documents, "PhoneNumberErrors": self.errors})
