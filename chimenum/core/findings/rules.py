"""Rules about the resources a number leads to, and :func:`evaluate`, which runs them all.

A connector of a voice connector group, or a SIP media application of a SIP rule, is one of
several targets: while another one of them has no error, its errors are reported as warnings
(calls still reach a working target), with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from chimenum.core.errors import CUT_MARK, MESSAGE_LIMIT, cut
from chimenum.core.findings.codes import DESCRIBE, ERROR, WARNING, rank, severity
from chimenum.core.findings.number import (
    Message,
    age,
    e164,
    number_findings,
    order_findings,
    text,
)
from chimenum.core.ids import e164_of
from chimenum.core.settings import (
    MAX_GROUP_CONNECTORS,
    MAX_ORIGINATION_ROUTES,
    MAX_RULE_TARGETS,
)

#: A PBX pings termination every minute or so: a last ping older than this is stale.
STALE_PING_AFTER = timedelta(minutes=15)

_LABELS = {
    "VoiceConnector": "voice connector",
    "Origination": "origination of voice connector",
    "Termination": "termination of voice connector",
    "TerminationHealth": "termination health of voice connector",
    "TerminationCredentials": "termination credentials of voice connector",
    "VoiceConnectorGroup": "voice connector group",
    "SipRule": "SIP rule",
    "SipMediaApplication": "SIP media application",
    "PhoneNumberOrder": "order",
    "Tags": "tags of",
    "Account": "account",
    "User": "user",
}
#: Which code a node of each kind is when every region answered not found.
_MISSING = {
    "Origination": "ORIGINATION_NOT_CONFIGURED",
    "Termination": "TERMINATION_NOT_CONFIGURED",
    "PhoneNumberOrder": "ORDER_NOT_FOUND",
}
#: Association names whose target, missing, is dangling.
_DANGLING = ("VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId", "AccountId", "UserId")
_STATUS_WORDS = {"NotPermitted": "not permitted", "Failed": "could not be read"}

#: ``Message`` is a :class:`~.number.Message` (its timestamps are data); the rest are strings.
Finding = dict[str, Any]


#: The most a finding's message holds, in characters: a failure's message and what it names.
FINDING_MESSAGE_LIMIT = 2 * MESSAGE_LIMIT

#: What a timestamp counts for in a message's length (``2024-05-20 12:00:00 UTC``).
_TIME_LENGTH = 23


def bounded(message: Message, limit: int) -> Message:
    """``message`` with its words cut so that, timestamps shown, it is about ``limit`` long."""
    parts: list[str | datetime] = []
    left = limit
    for part in message.parts:
        if isinstance(part, datetime):
            parts.append(part)
            left -= _TIME_LENGTH
            continue
        if len(part) > left:
            parts.append(cut(part, max(left, len(CUT_MARK))))
            return Message(tuple(parts))
        parts.append(part)
        left -= len(part)
    return message


class Judge:
    """Findings of one number, with one command's severities."""

    def __init__(self, number: dict[str, Any], now: datetime, command: str) -> None:
        self.number = number
        self.number_id = e164_of(number)
        self.now = now
        self.command = command

    def make(self, code: str, kind: str, resource_id: str, message: str | Message) -> Finding:
        return {
            "PhoneNumberId": self.number_id,
            "Severity": severity(code, self.command),
            "Code": code,
            "ResourceKind": kind,
            "ResourceId": resource_id,
            # A label and a failure's message (already cut) with its regions: bounded whatever
            # the service put in names and messages.
            "Message": bounded(text(message), FINDING_MESSAGE_LIMIT),
        }

    def node(self, node: dict[str, Any], missing: str | None) -> list[Finding]:
        """Findings of a node and the nodes it leads to; ``missing``: the code for not found."""
        out: list[Finding] = []

        def add(code: str, message: str | Message) -> None:
            out.append(self.make(code, node["Kind"], node["Id"], text(f"{label(node)}: ", message)))

        status = node["Status"]
        if status in _STATUS_WORDS:
            add("NOT_PERMITTED" if status == "NotPermitted" else "LOOKUP_FAILED", unread(node))
        elif status == "NotFound":
            code = _MISSING.get(node["Kind"], missing)
            if code is not None:
                add(code, not_found(node))
        else:
            for code, message in self._found(node):
                add(code, message)
        related = node["Related"]
        if node["Kind"] in ("VoiceConnector", "Termination"):
            for part in related:
                out += self.node(part, None)
        if node["Kind"] == "VoiceConnector" and status == "Found":
            # After its parts' own findings: inbound first, then what the parts say together.
            for code, message in connector_findings(node, self.now):
                add(code, message)
        elif node["Kind"] == "VoiceConnectorGroup":
            out += alternatives([self.node(r, "GROUP_CONNECTOR_MISSING") for r in related])
        elif node["Kind"] == "SipRule":
            out += alternatives([self.node(r, "SIP_MEDIA_APPLICATION_MISSING") for r in related])
        return out

    def _found(self, node: dict[str, Any]) -> Iterator[tuple[str, str | Message]]:
        """(code, message) of the rules about one found resource itself."""
        kind, value = node["Kind"], node["Resource"]
        if kind == "Origination":
            if value.get("Disabled"):
                yield "ORIGINATION_DISABLED", "disabled: inbound calls are refused"
            if not value.get("Routes"):
                yield "ORIGINATION_NO_ROUTES", "no route: inbound calls go nowhere"
            yield from capped(value.get("Routes"), MAX_ORIGINATION_ROUTES, "routes", "checked")
        elif kind == "VoiceConnectorGroup":
            items = value.get("VoiceConnectorItems")
            if not items:
                yield "GROUP_NO_CONNECTOR", "the group has no voice connector"
            yield from capped(items, MAX_GROUP_CONNECTORS, "voice connectors", "followed")
        elif kind == "SipRule":
            targets = value.get("TargetApplications")
            yield from capped(targets, MAX_RULE_TARGETS, "target applications", "followed")
            yield from self._sip_rule(value)
        elif kind == "SipMediaApplication":
            yield from application_findings(node)
        elif kind == "PhoneNumberOrder":
            yield from order_findings(value, self.number)
        elif kind == "Account" and value.get("AccountStatus") == "Suspended":
            yield "ACCOUNT_SUSPENDED", "the account is suspended"
        elif kind == "User" and value.get("UserRegistrationStatus") == "Suspended":
            yield "USER_SUSPENDED", "the user is suspended"

    def _sip_rule(self, value: dict[str, Any]) -> Iterator[tuple[str, str | Message]]:
        if value.get("Disabled"):
            yield "SIP_RULE_DISABLED", "the SIP rule is disabled"
        if not value.get("TargetApplications"):
            yield "SIP_RULE_NO_TARGET", "the SIP rule has no target application"
        trigger = value.get("TriggerValue")
        if (
            value.get("TriggerType") == "ToPhoneNumber"
            and trigger
            and e164(trigger) != self.number_id
        ):
            yield (
                "SIP_RULE_OTHER_NUMBER",
                f"the SIP rule is triggered by {e164(trigger)}, not {self.number_id}",
            )


def capped(items: Any, cap: int, what: str, done: str) -> Iterator[tuple[str, str]]:
    """``FANOUT_CAPPED`` when an answer lists more ``items`` than chimenum follows."""
    if isinstance(items, list) and len(items) > cap:
        yield (
            "FANOUT_CAPPED",
            f"{len(items)} {what}: only the first {cap} were {done}, not the"
            f" other {len(items) - cap}",
        )


def label(node: dict[str, Any]) -> str:
    """``voice connector abc (Main office)``: a node as a message names it."""
    resource = node.get("Resource")
    name = resource.get("Name") if isinstance(resource, dict) else None
    return f"{_LABELS.get(node['Kind'], node['Kind'])} {node['Id']}" + (
        f" ({name})" if name else ""
    )


def not_found(node: dict[str, Any]) -> str:
    searched = node.get("SearchedRegions") or []
    item = node.get("ParentItem") or {}
    if node["Kind"] == "SipMediaApplication" and item.get("AwsRegion"):
        others = f", nor in any of {len(searched) - 1} other regions" if len(searched) > 1 else ""
        return f"not in {item['AwsRegion']}, the region the rule routes to{others}"
    if len(searched) > 1:
        return f"does not exist in any of {len(searched)} regions"
    return f"does not exist in {node['Region']}" if node.get("Region") else "does not exist"


def unread(node: dict[str, Any]) -> str:
    """What a lookup that was refused or failed saw, naming the regions."""
    error = node.get("Error") or {}
    word = _STATUS_WORDS[node["Status"]]
    cause = (
        f"{error.get('Code')}: {error.get('Message')}"
        if error.get("Message")
        else error.get("Code")
    )
    unread_regions = node.get("UnreadRegions") or []
    searched = node.get("SearchedRegions") or []
    if unread_regions:
        elsewhere = [r for r in searched if r not in unread_regions]
        return (
            f"{word} in {', '.join(unread_regions)} ({cause}); not found in"
            f" {len(elsewhere)} other regions; not checked"
        )
    if searched:
        return f"not found in {searched[0]}; the other regions could not be listed ({cause})"
    where = f" in {node['Region']}" if node.get("Region") else ""
    return f"{word}{where} ({cause}); not checked"


def connector_findings(node: dict[str, Any], now: datetime) -> Iterator[tuple[str, str | Message]]:
    """(code, message) of a voice connector: encryption, routes, outbound calls."""
    value = node["Resource"]
    parts = {part["Kind"]: part for part in node["Related"]}
    encrypted = value.get("RequireEncryption")
    if encrypted is False:
        yield "CONNECTOR_UNENCRYPTED", "encryption is not required"
    origination = parts.get("Origination")
    if encrypted and origination is not None and origination["Status"] == "Found":
        for route in (origination["Resource"].get("Routes") or [])[:MAX_ORIGINATION_ROUTES]:
            if route.get("Protocol") == "UDP" or route.get("Port") == 5060:
                yield (
                    "ORIGINATION_ROUTE_UNENCRYPTED",
                    f"route {route.get('Host')}:{route.get('Port')} {route.get('Protocol')}"
                    " cannot carry the TLS this connector requires",
                )
    termination = parts.get("Termination")
    if termination is not None and termination["Status"] == "Found":
        yield from _outbound(termination, parts.get("TerminationHealth"), now)


def _outbound(
    termination: dict[str, Any], health: dict[str, Any] | None, now: datetime
) -> Iterator[tuple[str, str | Message]]:
    value = termination["Resource"]
    if value.get("Disabled"):
        yield "TERMINATION_DISABLED", "termination is disabled: no outbound calls"
        return
    credentials = next(
        (r for r in termination["Related"] if r["Kind"] == "TerminationCredentials"), None
    )
    if (
        not value.get("CidrAllowedList")
        and credentials is not None
        and credentials["Status"] == "Found"
        and not credentials["Resource"]
    ):
        yield (
            "TERMINATION_NO_ACCESS",
            "termination has neither an allowed CIDR nor SIP credentials: no PBX can send calls",
        )
    if not value.get("CallingRegions"):
        yield "TERMINATION_NO_CALLING_REGIONS", "termination has no calling regions"
    if health is None or health["Status"] in _STATUS_WORDS:
        return  # not read: its own finding says so
    ping = (health["Resource"] or {}).get("Timestamp") if health["Status"] == "Found" else None
    if not isinstance(ping, datetime):
        yield (
            "TERMINATION_PING_STALE",
            "termination is enabled but no PBX has sent a SIP OPTIONS ping",
        )
    elif now - ping > STALE_PING_AFTER:
        yield (
            "TERMINATION_PING_STALE",
            text(f"the last SIP OPTIONS ping from the PBX was {age(ping, now)} ago (", ping, ")"),
        )


def application_findings(node: dict[str, Any]) -> Iterator[tuple[str, str | Message]]:
    """(code, message) of a SIP media application: its region, its endpoints."""
    value = node["Resource"]
    routed = (node.get("ParentItem") or {}).get("AwsRegion")
    region = node.get("Region")
    if routed and region and routed != region:
        yield (
            "SIP_MEDIA_APPLICATION_OTHER_REGION",
            f"in {region}, not in {routed}, the region the rule routes to",
        )
    endpoints = value.get("Endpoints") or []
    if not endpoints:
        yield "SIP_MEDIA_APPLICATION_NO_ENDPOINT", "the application has no endpoint"
    home = value.get("AwsRegion") or region
    for endpoint in endpoints:
        arn = str(endpoint.get("LambdaArn") or "")
        parts = arn.split(":")
        if len(parts) > 3 and home and parts[3] and parts[3] != home:
            yield (
                "SIP_MEDIA_APPLICATION_LAMBDA_OTHER_REGION",
                f"its Lambda function {arn} is in {parts[3]}, not in {home}",
            )


def alternatives(per_target: list[list[Finding]]) -> list[Finding]:
    """Several targets of one group or rule: while one works, the others' errors are warnings."""
    working = [t for t in per_target if not any(f["Severity"] == ERROR for f in t)]
    out = [f for t in per_target for f in t]
    if not working or len(per_target) < 2:
        return out
    return [
        {**f, "Severity": WARNING, "Message": f["Message"] + " (another target still works)"}
        if f["Severity"] == ERROR
        else f
        for f in out
    ]


def evaluate(
    number: dict[str, Any], resolved: dict[str, Any], now: datetime, command: str = DESCRIBE
) -> list[Finding]:
    """Every finding of one described number, most severe first (stable within a severity)."""
    judge = Judge(number, now, command)
    found: list[Finding] = []
    order = resolved.get("Order")
    order_value = order["Resource"] if order is not None and order["Status"] == "Found" else None

    def emit(code: str, message: str | Message) -> None:
        found.append(judge.make(code, "PhoneNumber", judge.number_id, message))

    number_findings(number, order_value, now, emit)
    for association in resolved["Associations"]:
        missing = "DANGLING_ASSOCIATION" if association["Name"] in _DANGLING else None
        found += judge.node(association["Target"], missing)
    if order is not None:
        found += judge.node(order, None)
    tags = resolved.get("Tags")
    if tags is not None:
        found += judge.node(tags, None)
    return sorted(found, key=lambda f: rank(f["Severity"]))


def at_or_above(findings: list[Finding], threshold: str) -> bool:
    """Whether any finding is at least as severe as ``threshold`` (``never``: none is)."""
    if threshold == "never":
        return False
    return any(rank(f["Severity"]) <= rank(threshold) for f in findings)


def at_least(findings: list[Finding], severity: str) -> list[Finding]:
    """The findings at least as severe as ``severity`` (``--severity``), in their order."""
    return [f for f in findings if rank(f["Severity"]) <= rank(severity)]
