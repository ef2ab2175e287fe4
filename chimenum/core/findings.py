"""What is wrong with a number and the path calls to it take: findings with stable codes.

Each rule is a small function of the number or of one resolved node; :data:`CODES` is the table
of every code with its severity and the line that documents it (``docs/describe.md`` is checked
against it). Severities:

- ``error``: calls to the number cannot reach a working target;
- ``warning``: degraded, pending, or not known (a resource that may not be read, or could not be);
- ``info``: worth knowing, nothing broken.

A connector of a voice connector group, or a SIP media application of a SIP rule, is one of
several targets: while another one of them has no error, its errors are reported as warnings
(calls still reach a working target), with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
#: Severities, most severe first.
SEVERITIES = (ERROR, WARNING, INFO)

#: In an in-progress state for longer than this, a number is flagged as stuck.
STUCK_AFTER = timedelta(days=1)

CODES: dict[str, tuple[str, str]] = {
    "NUMBER_ACQUIRE_FAILED": (ERROR, "The number's status is AcquireFailed: it takes no calls."),
    "NUMBER_DELETE_FAILED": (ERROR, "The number's status is DeleteFailed: it takes no calls."),
    "NUMBER_RELEASE_FAILED": (ERROR, "The number's status is ReleaseFailed: it takes no calls."),
    "DANGLING_ASSOCIATION": (
        ERROR,
        "An association points at a voice connector, group, SIP rule, account or user that no"
        " region has.",
    ),
    "ORIGINATION_NOT_CONFIGURED": (
        ERROR,
        "The voice connector has no origination settings: inbound calls have nowhere to go.",
    ),
    "ORIGINATION_DISABLED": (ERROR, "The voice connector's origination is disabled."),
    "ORIGINATION_NO_ROUTES": (ERROR, "The voice connector's origination has no route."),
    "GROUP_NO_CONNECTOR": (ERROR, "The voice connector group has no voice connector."),
    "GROUP_CONNECTOR_MISSING": (ERROR, "A connector of the group does not exist in any region."),
    "SIP_RULE_DISABLED": (ERROR, "The SIP rule is disabled."),
    "SIP_RULE_NO_TARGET": (ERROR, "The SIP rule has no target application."),
    "SIP_MEDIA_APPLICATION_MISSING": (
        ERROR,
        "A target SIP media application of the rule does not exist in any region.",
    ),
    "SIP_MEDIA_APPLICATION_NO_ENDPOINT": (
        ERROR,
        "The SIP media application has no endpoint (Lambda function).",
    ),
    "TERMINATION_DISABLED": (
        WARNING,
        "The voice connector's termination is disabled: no outbound calls through it.",
    ),
    "CALLING_NAME_UPDATE_FAILED": (WARNING, "The last update of the calling name failed."),
    "NUMBER_PENDING_DELETION": (
        WARNING,
        "The number is being released or deleted (with the date it goes, when known).",
    ),
    "NUMBER_STUCK_IN_PROGRESS": (
        WARNING,
        "The number has been in an in-progress state for more than a day (for a deletion:"
        " more than a day past its deletion date).",
    ),
    "NUMBER_PORTIN_CANCELLED": (
        WARNING,
        "The number's port-in was cancelled: it is not in service here.",
    ),
    "SIP_RULE_OTHER_NUMBER": (
        WARNING,
        "The number's SIP rule is triggered by another phone number.",
    ),
    "ORDER_FAILED": (WARNING, "The number's order failed, or completed only in part."),
    "NOT_PERMITTED": (
        WARNING,
        "A related resource may not be read with these credentials (AccessDenied/Forbidden):"
        " it was not checked.",
    ),
    "LOOKUP_FAILED": (
        WARNING,
        "A related resource could not be read (still throttled, service or network failure):"
        " it was not checked; the exit code names the failure.",
    ),
    "ACCOUNT_SUSPENDED": (WARNING, "The Amazon Chime account is suspended."),
    "USER_SUSPENDED": (WARNING, "The Amazon Chime user is suspended."),
    "NUMBER_UNASSIGNED": (INFO, "The number is unassigned: paid for, unused."),
    "CONNECTOR_UNENCRYPTED": (
        INFO,
        "The voice connector does not require encryption (TLS and SRTP).",
    ),
    "ORDER_NOT_FOUND": (INFO, "The number's order no longer exists."),
}

_FAILED_STATUSES = {
    "AcquireFailed": "NUMBER_ACQUIRE_FAILED",
    "DeleteFailed": "NUMBER_DELETE_FAILED",
    "ReleaseFailed": "NUMBER_RELEASE_FAILED",
}
_IN_PROGRESS = (
    "AcquireInProgress",
    "ReleaseInProgress",
    "DeleteInProgress",
    "PortinInProgress",
    "PortinCancelRequested",
)
_LABELS = {
    "VoiceConnector": "voice connector",
    "Origination": "origination of voice connector",
    "Termination": "termination of voice connector",
    "TerminationHealth": "termination health of voice connector",
    "VoiceConnectorGroup": "voice connector group",
    "SipRule": "SIP rule",
    "SipMediaApplication": "SIP media application",
    "PhoneNumberOrder": "order",
    "Tags": "tags of",
    "Account": "account",
    "User": "user",
}

Finding = dict[str, str]


def rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info."""
    return SEVERITIES.index(severity)


def finding(number_id: str, code: str, kind: str, resource_id: str, message: str) -> Finding:
    return {
        "PhoneNumberId": number_id,
        "Severity": CODES[code][0],
        "Code": code,
        "ResourceKind": kind,
        "ResourceId": resource_id,
        "Message": message,
    }


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def label(node: dict[str, Any]) -> str:
    """``voice connector abc (Main office)``: a node as a message names it."""
    resource = node.get("Resource")
    name = resource.get("Name") if isinstance(resource, dict) else None
    return f"{_LABELS.get(node['Kind'], node['Kind'])} {node['Id']}" + (
        f" ({name})" if name else ""
    )


def number_findings(number: dict[str, Any], now: datetime) -> Iterator[Finding]:
    number_id = str(number.get("PhoneNumberId"))

    def make(code: str, message: str) -> Finding:
        return finding(number_id, code, "PhoneNumber", number_id, message)

    status = number.get("Status")
    deletion = number.get("DeletionTimestamp")
    if status in _FAILED_STATUSES:
        yield make(_FAILED_STATUSES[status], f"the number's status is {status}")
    if status == "Cancelled":
        yield make("NUMBER_PORTIN_CANCELLED", "the port-in was cancelled")
    if status == "Unassigned":
        yield make("NUMBER_UNASSIGNED", "the number is not assigned to anything")
    going = status in ("DeleteInProgress", "ReleaseInProgress")
    if going:
        when = f" on {_when(deletion)}" if deletion is not None else ""
        yield make("NUMBER_PENDING_DELETION", f"the number is {status}, to be deleted{when}")
    if status in _IN_PROGRESS:
        # A deletion waits for its date by design: it is stuck only a day past that date.
        since: Any = deletion
        if going and isinstance(deletion, datetime):
            what = f"still {status}, a day past its deletion date"
        else:
            since = number.get("UpdatedTimestamp") or number.get("CreatedTimestamp")
            what = f"{status} since"
        if isinstance(since, datetime) and now - since > STUCK_AFTER:
            yield make("NUMBER_STUCK_IN_PROGRESS", f"the number is {what} {_when(since)}")
    if number.get("CallingNameStatus") == "UpdateFailed":
        yield make("CALLING_NAME_UPDATE_FAILED", "the last calling-name update failed")


def _found(node: dict[str, Any], number: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(code, message) of the rules about one found resource itself."""
    kind, value = node["Kind"], node["Resource"]
    if kind == "VoiceConnector" and value.get("RequireEncryption") is False:
        yield "CONNECTOR_UNENCRYPTED", "encryption is not required"
    elif kind == "Origination":
        if value.get("Disabled"):
            yield "ORIGINATION_DISABLED", "disabled: inbound calls are refused"
        if not value.get("Routes"):
            yield "ORIGINATION_NO_ROUTES", "no route: inbound calls go nowhere"
    elif kind == "Termination" and value.get("Disabled"):
        yield "TERMINATION_DISABLED", "disabled: no outbound calls"
    elif kind == "VoiceConnectorGroup" and not value.get("VoiceConnectorItems"):
        yield "GROUP_NO_CONNECTOR", "the group has no voice connector"
    elif kind == "SipRule":
        if value.get("Disabled"):
            yield "SIP_RULE_DISABLED", "the SIP rule is disabled"
        if not value.get("TargetApplications"):
            yield "SIP_RULE_NO_TARGET", "the SIP rule has no target application"
        trigger = value.get("TriggerValue")
        e164 = number.get("E164PhoneNumber") or number.get("PhoneNumberId")
        if value.get("TriggerType") == "ToPhoneNumber" and trigger and trigger != e164:
            yield "SIP_RULE_OTHER_NUMBER", f"the SIP rule is triggered by {trigger}, not {e164}"
    elif kind == "SipMediaApplication" and not value.get("Endpoints"):
        yield "SIP_MEDIA_APPLICATION_NO_ENDPOINT", "the application has no endpoint"
    elif kind == "PhoneNumberOrder" and value.get("Status") in ("Failed", "Partial"):
        yield "ORDER_FAILED", f"the order's status is {value['Status']}"
    elif kind == "Account" and value.get("AccountStatus") == "Suspended":
        yield "ACCOUNT_SUSPENDED", "the account is suspended"
    elif kind == "User" and value.get("UserRegistrationStatus") == "Suspended":
        yield "USER_SUSPENDED", "the user is suspended"


def node_findings(
    node: dict[str, Any], number: dict[str, Any], missing: str | None
) -> list[Finding]:
    """Findings of a node and the nodes it leads to; ``missing`` is the code for not found."""
    number_id = str(number.get("PhoneNumberId"))
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(finding(number_id, code, node["Kind"], node["Id"], f"{label(node)}: {message}"))

    status, error = node["Status"], node.get("Error") or {}
    if status == "NotPermitted":
        add("NOT_PERMITTED", f"not permitted ({error.get('Code')}); not checked")
    elif status == "Failed":
        add("LOOKUP_FAILED", f"could not be read: {error.get('Code')}: {error.get('Message')}")
    elif status == "NotFound":
        if missing is not None:
            searched = node.get("SearchedRegions") or []
            where = f" in any of {len(searched)} regions" if len(searched) > 1 else ""
            add(missing, f"does not exist{where}")
    else:
        for code, message in _found(node, number):
            add(code, message)
    related = node["Related"]
    if node["Kind"] == "VoiceConnector":
        for part in related:
            missed = "ORIGINATION_NOT_CONFIGURED" if part["Kind"] == "Origination" else None
            out += node_findings(part, number, missed)
    elif node["Kind"] in ("VoiceConnectorGroup", "SipRule"):
        missed = (
            "GROUP_CONNECTOR_MISSING"
            if node["Kind"] == "VoiceConnectorGroup"
            else "SIP_MEDIA_APPLICATION_MISSING"
        )
        out += _alternatives([node_findings(r, number, missed) for r in related])
    return out


def _alternatives(per_target: list[list[Finding]]) -> list[Finding]:
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


#: Which code a missing target of each association is.
_MISSING: dict[str, str] = dict.fromkeys(
    ("VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId", "AccountId", "UserId"),
    "DANGLING_ASSOCIATION",
)


def evaluate(number: dict[str, Any], resolved: dict[str, Any], now: datetime) -> list[Finding]:
    """Every finding of one described number, most severe first (stable within a severity)."""
    found = list(number_findings(number, now))
    for association in resolved["Associations"]:
        missing = _MISSING.get(association["Name"])
        found += node_findings(association["Target"], number, missing)
    order = resolved.get("Order")
    if order is not None:
        found += node_findings(order, number, "ORDER_NOT_FOUND")
    tags = resolved.get("Tags")
    if tags is not None:
        found += node_findings(tags, number, None)
    return sorted(found, key=lambda f: rank(f["Severity"]))


def at_or_above(findings: list[Finding], threshold: str) -> bool:
    """Whether any finding is at least as severe as ``threshold`` (``never``: none is)."""
    if threshold == "never":
        return False
    return any(rank(f["Severity"]) <= rank(threshold) for f in findings)
