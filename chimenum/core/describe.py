"""Describing a number: every related resource resolved into one plain dict, plus its findings.

``Resolved`` (documented field by field in ``docs/describe.md``) is::

    {"Associations": [{"Name", "Value", "Target": node}], "Order": node | None, "Tags": node | None}

where every node has the same keys: ``Kind``, ``Id``, ``Region``, ``Status`` (``Found``,
``NotFound``, ``NotPermitted``, ``Failed``), ``Resource`` (the API's object when found),
``Error`` (``{"Code", "Message"}`` when not), ``SearchedRegions``, ``UnreadRegions`` (regions
that refused or failed), ``ParentItem`` (the group's or rule's list item that leads here) and
``Related`` (the nodes it leads to: a connector's origination, termination and termination
health; a termination's credentials; a group's connectors and a SIP rule's SIP media
applications, by priority).

:func:`describe_ids` describes ids as ``get`` fetches them (same fetcher, same order): a number
and its related lookups are one job of the run's :class:`~chimenum.core.pool.Pool`, which
``audit`` (:mod:`chimenum.core.audit`) runs over a listing too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from chimenum.core.errors import Failure
from chimenum.core.fetch import Fetcher, Result
from chimenum.core.findings import DESCRIBE, evaluate
from chimenum.core.resources import FAILED, FOUND, NOT_FOUND, Lookup, Resources

#: Association names that lead somewhere this module can follow.
FOLLOWED = ("VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId", "AccountId", "UserId")


def node(
    lookup: Lookup, shown_id: str | None = None, parent_item: dict[str, Any] | None = None
) -> dict[str, Any]:
    failure = lookup.failure
    return {
        "Kind": lookup.kind,
        "Id": shown_id or lookup.id,
        "Region": lookup.region,
        "Status": lookup.status,
        "Resource": lookup.value if lookup.status == FOUND else None,
        "Error": None if failure is None else {"Code": failure.code, "Message": failure.message},
        "SearchedRegions": list(lookup.searched),
        "UnreadRegions": list(lookup.unread),
        "ParentItem": parent_item,
        "Related": [],
    }


def _by_priority(items: Any) -> list[dict[str, Any]]:
    return sorted(items or [], key=lambda item: item.get("Priority") or 0)


def _needs_credentials(termination: Lookup) -> bool:
    value = termination.value
    return (
        termination.status == FOUND
        and not value.get("Disabled")
        and not value.get("CidrAllowedList")
    )


class _Following:
    """One number's resources followed: its nodes, and the failures among them as failures."""

    def __init__(self, resources: Resources, tags: bool) -> None:
        self.resources = resources
        self.tags = tags
        self.failures: list[Failure] = []

    def node(
        self, lookup: Lookup, shown_id: str | None = None, parent_item: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if lookup.status == FAILED and lookup.failure is not None:
            # Kept whole: the exit code travels with the failure, never read back from its text.
            self.failures.append(lookup.failure)
        return node(lookup, shown_id, parent_item)

    def connector(
        self,
        connector_id: str,
        region: str | None = None,
        parent_item: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        lookup = self.resources.find("VoiceConnector", connector_id, region)
        found = self.node(lookup, parent_item=parent_item)
        if lookup.status == FOUND:
            for kind in ("Origination", "Termination", "TerminationHealth"):
                part = self.resources.fetch(kind, connector_id, lookup.region)
                found["Related"].append(self.node(part))
                if kind == "Termination" and _needs_credentials(part):
                    # Without an allowed CIDR, only SIP credentials let a PBX send calls.
                    credentials = self.resources.fetch(
                        "TerminationCredentials", connector_id, lookup.region
                    )
                    found["Related"][-1]["Related"].append(self.node(credentials))
        return found

    def group(self, group_id: str) -> dict[str, Any]:
        lookup = self.resources.find("VoiceConnectorGroup", group_id)
        found = self.node(lookup)
        if lookup.status == FOUND:
            for item in _by_priority(lookup.value.get("VoiceConnectorItems")):
                if item.get("VoiceConnectorId"):
                    found["Related"].append(
                        self.connector(item["VoiceConnectorId"], lookup.region, item)
                    )
        return found

    def sip_rule(self, rule_id: str) -> dict[str, Any]:
        lookup = self.resources.find("SipRule", rule_id)
        found = self.node(lookup)
        if lookup.status == FOUND:
            for target in _by_priority(lookup.value.get("TargetApplications")):
                sma_id = target.get("SipMediaApplicationId")
                if sma_id:
                    found["Related"].append(self.application(sma_id, target, lookup.region))
        return found

    def application(
        self, sma_id: str, target: dict[str, Any], rule_region: str | None
    ) -> dict[str, Any]:
        """A rule's target, in the region the rule routes to (its ``AwsRegion``) only: calls
        go nowhere else. Missing there, it is looked for elsewhere only to say where it is."""
        region = target.get("AwsRegion") or rule_region
        there = self.resources.fetch("SipMediaApplication", sma_id, region)
        if there.status != NOT_FOUND:
            return self.node(there, parent_item=target)
        elsewhere = self.resources.find("SipMediaApplication", sma_id, region)
        if elsewhere.status == FOUND:
            return self.node(elsewhere, parent_item=target)
        missing = Lookup(
            there.kind,
            sma_id,
            there.region,
            NOT_FOUND,
            failure=there.failure,
            searched=elsewhere.searched,
            unread=elsewhere.unread,
        )
        return self.node(missing, parent_item=target)

    def target(self, name: str, value: str, account_id: str | None) -> dict[str, Any] | None:
        if name == "VoiceConnectorId":
            return self.connector(value)
        if name == "VoiceConnectorGroupId":
            return self.group(value)
        if name == "SipRuleId":
            return self.sip_rule(value)
        if name == "AccountId":
            return self.node(self.resources.fetch("Account", value))
        if name == "UserId" and account_id:
            return self.node(self.resources.fetch("User", f"{account_id}/{value}"), value)
        return None

    def resolve(self, number: dict[str, Any]) -> dict[str, Any]:
        associations = [a for a in number.get("Associations") or [] if a.get("Name") in FOLLOWED]
        account_id = next(
            (a.get("Value") for a in associations if a.get("Name") == "AccountId"), None
        )
        resolved: list[dict[str, Any]] = []
        for association in associations:
            name, value = str(association["Name"]), str(association.get("Value") or "")
            target = self.target(name, value, account_id) if value else None
            if target is not None:
                resolved.append({"Name": name, "Value": value, "Target": target})
        order_id = number.get("OrderId")
        arn = number.get("PhoneNumberArn")
        return {
            "Associations": resolved,
            "Order": self.node(self.resources.fetch("PhoneNumberOrder", order_id))
            if order_id
            else None,
            "Tags": self.node(self.resources.fetch("Tags", arn)) if self.tags and arn else None,
        }


class Resolution(NamedTuple):
    """A number's ``Resolved`` dict, and the lookups in it that failed, with their exit codes."""

    document: dict[str, Any]
    failures: list[Failure]


class Resolver:
    """Follows a number's associations, order and (optionally) tags through :class:`Resources`."""

    def __init__(self, resources: Resources, *, tags: bool = False) -> None:
        self.resources = resources
        self.tags = tags

    def resolve(self, number: dict[str, Any]) -> Resolution:
        following = _Following(self.resources, self.tags)
        return Resolution(following.resolve(number), following.failures)


class Described:
    """One number described: its document, and the lookups that failed (each with its exit code)."""

    __slots__ = ("document", "failures")

    def __init__(self, document: dict[str, Any], failures: list[Failure]) -> None:
        self.document = document
        self.failures = failures


def describe(
    number: dict[str, Any],
    resolver: Resolver,
    now: datetime,
    command: str = DESCRIBE,
) -> Described:
    """``{"PhoneNumber", "Resolved", "Findings"}`` for one number, with ``command``'s severities."""
    resolved, failures = resolver.resolve(number)
    findings = evaluate(number, resolved, now, command)
    return Described({"PhoneNumber": number, "Resolved": resolved, "Findings": findings}, failures)


def describe_ids(
    fetcher: Fetcher,
    resolver: Resolver,
    ids: list[str],
    concurrency: int,
    now: datetime,
    on_done: Callable[[Result], None] | None = None,
) -> Iterator[tuple[Result, Described | None]]:
    """Fetch and describe every id, in input order; a number that could not be fetched has
    no description. A number and its related lookups are one job: a lookup to try again later
    puts the whole job back in the pool's queue, and the number is not fetched again."""

    def start(phone_number_id: str) -> Callable[[], tuple[Result, Described | None]]:
        fetch = fetcher.job(phone_number_id)
        fetched: list[Result] = []

        def job() -> tuple[Result, Described | None]:
            if not fetched:
                fetched.append(fetch())
            result = fetched[0]
            if result.document is None:
                return result, None
            return result, describe(result.document["PhoneNumber"], resolver, now)

        return job

    def done(pair: tuple[Result, Described | None]) -> None:
        if on_done is not None:
            on_done(pair[0])

    return fetcher.run(ids, start, concurrency, on_done=done)
