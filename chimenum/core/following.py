"""Following one number: each association, its order and its tags resolved into nodes
(the ``Resolved`` shape of :mod:`chimenum.core.describe`), within the number's deadline and the
caps on what one answer fans out to; a number's uncached lookups run together in a small pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from chimenum.core.errors import ExitCode, Failure
from chimenum.core.pool import Again, Deadline, DeadlinePassed, Pool, call_by
from chimenum.core.resources import FAILED, FOUND, NOT_FOUND, Lookup, Resources
from chimenum.core.settings import (
    MAX_GROUP_CONNECTORS,
    MAX_RULE_TARGETS,
)

T = TypeVar("T")

#: Association names that lead somewhere this module can follow, and the kind of node each
#: leads to.
FOLLOWED = {
    "VoiceConnectorId": "VoiceConnector",
    "VoiceConnectorGroupId": "VoiceConnectorGroup",
    "SipRuleId": "SipRule",
    "AccountId": "Account",
    "UserId": "User",
}


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


#: The code of a lookup not finished within the number's deadline.
TIMEOUT_ERROR = "NumberTimeout"


class _NotCached(Exception):
    """Raised while a level is first walked from the cache alone: this lookup takes a request."""


class Following:
    """One number's resources followed: its nodes, and the failures among them as failures.

    The lookups of one level (the number's associations, a connector's parts, a group's
    connectors, a rule's applications) run at once on a :class:`~chimenum.core.pool.Pool`;
    each lookup is bounded by the number's :class:`Deadline`: one not done by then is a
    ``Failed`` node with a ``NumberTimeout`` error, and the rest of the number is kept."""

    def __init__(
        self, resources: Resources, tags: bool, seconds: float, width: int, deadline: Deadline
    ) -> None:
        self.resources = resources
        self.tags = tags
        self.deadline = deadline
        self.width = width
        self.timeout = f"not read within --number-timeout ({seconds:g} s); not checked"
        # Each failed node's failure, by the node's identity: nodes are made on several
        # threads, and the failures are read back in document order.
        # The node is kept too, so that its identity is not reused by a node made later.
        self._failures: dict[int, tuple[dict[str, Any], Failure]] = {}
        self._local = threading.local()

    def failures(self, document: dict[str, Any]) -> list[Failure]:
        """The failures of the nodes in ``document``, in document order."""
        out: list[Failure] = []
        todo = [a["Target"] for a in document["Associations"]]
        todo += [n for n in (document["Order"], document["Tags"]) if n is not None]
        while todo:
            current = todo.pop(0)
            kept = self._failures.get(id(current))
            if kept is not None:
                out.append(kept[1])
            todo += current["Related"]
        return out

    def node(
        self, lookup: Lookup, shown_id: str | None = None, parent_item: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        made = node(lookup, shown_id, parent_item)
        if lookup.status == FAILED and lookup.failure is not None:
            # Kept whole: the exit code travels with the failure, never read back from its text.
            self._failures[id(made)] = (made, lookup.failure)
        return made

    def bounded(
        self,
        how: Callable[[str, str, str | None], Lookup],
        kind: str,
        resource_id: str,
        region: str | None,
    ) -> Lookup:
        """One lookup, given up at the deadline: the only place a number's walk can wait, so
        the walk itself always ends by then (its request is abandoned, and ends within the
        read timeout). A lookup to try later raises :class:`Again` here, on the walk's thread."""
        cached = self.resources.known(kind, resource_id, region)
        if cached is not None:
            return cached
        if getattr(self._local, "probing", False):
            raise _NotCached

        def attempt() -> Lookup | Again:
            try:
                return how(kind, resource_id, region)
            except Again as again:
                return again

        if not self.deadline.passed():
            try:
                value = call_by(attempt, self.deadline)
            except DeadlinePassed:
                pass
            else:
                if isinstance(value, Again):
                    raise value
                return value
        failure = Failure(TIMEOUT_ERROR, self.timeout, ExitCode.NETWORK)
        return Lookup(kind, resource_id, region, FAILED, failure=failure)

    def fetch(self, kind: str, resource_id: str, region: str | None = None) -> Lookup:
        return self.bounded(self.resources.fetch, kind, resource_id, region)

    def find(self, kind: str, resource_id: str, region: str | None = None) -> Lookup:
        return self.bounded(self.resources.find, kind, resource_id, region)

    def each(self, items: list[T], follow: Callable[[T], dict[str, Any]]) -> list[dict[str, Any]]:
        """``follow(item)`` for every item, in order: first on this thread from the run's cache
        alone (most numbers share their resources), then the rest at once (up to ``width``)
        on a pool. A lookup to try later is not waited for here: the earliest :class:`Again`
        is raised once the others are done, for the number's job to go back in the run's
        queue."""
        nodes: list[dict[str, Any] | None] = []
        probing = getattr(self._local, "probing", False)
        self._local.probing = True
        try:
            for item in items:
                try:
                    nodes.append(follow(item))
                except _NotCached:
                    if probing:
                        raise
                    nodes.append(None)
        finally:
            self._local.probing = probing
        rest = [index for index, made in enumerate(nodes) if made is None]
        later: list[Again] = []

        def start(index: int) -> Callable[[], None]:
            def job() -> None:
                try:
                    nodes[index] = follow(items[index])
                except Again as again:
                    later.append(again)

            return job

        if rest:
            pool: Pool[int, None] = Pool(start, workers=min(self.width, len(rest)))
            for _ in pool.map(rest):
                pass
        if later:
            raise min(later, key=lambda again: again.at)
        return [made for made in nodes if made is not None]

    def connector(
        self,
        connector_id: str,
        region: str | None = None,
        parent_item: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        lookup = self.find("VoiceConnector", connector_id, region)
        found = self.node(lookup, parent_item=parent_item)
        if lookup.status == FOUND:
            where = lookup.region

            def part(kind: str) -> dict[str, Any]:
                fetched = self.fetch(kind, connector_id, where)
                made = self.node(fetched)
                if kind == "Termination" and _needs_credentials(fetched):
                    # Without an allowed CIDR, only SIP credentials let a PBX send calls.
                    credentials = self.fetch("TerminationCredentials", connector_id, where)
                    made["Related"].append(self.node(credentials))
                return made

            found["Related"] = self.each(["Origination", "Termination", "TerminationHealth"], part)
        return found

    def group(self, group_id: str) -> dict[str, Any]:
        lookup = self.find("VoiceConnectorGroup", group_id)
        found = self.node(lookup)
        if lookup.status == FOUND:
            items = [
                item
                for item in _by_priority(lookup.value.get("VoiceConnectorItems"))
                if item.get("VoiceConnectorId")
            ][:MAX_GROUP_CONNECTORS]
            found["Related"] = self.each(
                items, lambda item: self.connector(item["VoiceConnectorId"], lookup.region, item)
            )
        return found

    def sip_rule(self, rule_id: str) -> dict[str, Any]:
        lookup = self.find("SipRule", rule_id)
        found = self.node(lookup)
        if lookup.status == FOUND:
            targets = [
                target
                for target in _by_priority(lookup.value.get("TargetApplications"))
                if target.get("SipMediaApplicationId")
            ][:MAX_RULE_TARGETS]
            found["Related"] = self.each(
                targets,
                lambda target: self.application(
                    target["SipMediaApplicationId"], target, lookup.region
                ),
            )
        return found

    def application(
        self, sma_id: str, target: dict[str, Any], rule_region: str | None
    ) -> dict[str, Any]:
        """A rule's target, in the region the rule routes to (its ``AwsRegion``) only: calls
        go nowhere else. Missing there, it is looked for elsewhere only to say where it is."""
        region = target.get("AwsRegion") or rule_region
        there = self.fetch("SipMediaApplication", sma_id, region)
        if there.status != NOT_FOUND:
            return self.node(there, parent_item=target)
        elsewhere = self.find("SipMediaApplication", sma_id, region)
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
            return self.node(self.fetch("Account", value))
        if name == "UserId" and account_id:
            return self.node(self.fetch("User", f"{account_id}/{value}"), value)
        return None

    def resolve(self, number: dict[str, Any]) -> dict[str, Any]:
        associations = [a for a in number.get("Associations") or [] if a.get("Name") in FOLLOWED]
        account_id = next(
            (a.get("Value") for a in associations if a.get("Name") == "AccountId"), None
        )
        # Every lookup the number leads to, as (association name or kind, id), run at once.
        wanted = [
            (str(a["Name"]), str(a.get("Value") or ""))
            for a in associations
            if a.get("Value") and (a.get("Name") != "UserId" or account_id)
        ]
        named = len(wanted)
        order_id, arn = number.get("OrderId"), number.get("PhoneNumberArn")
        wanted += [("PhoneNumberOrder", order_id)] if order_id else []
        wanted += [("Tags", arn)] if self.tags and arn else []

        def follow(entry: tuple[str, str]) -> dict[str, Any]:
            name, value = entry
            if name in FOLLOWED:
                return self.target(name, value, account_id) or {}
            return self.node(self.fetch(name, value))

        nodes = self.each(wanted, follow)
        rest = iter(nodes[named:])
        return {
            "Associations": [
                {"Name": name, "Value": value, "Target": target}
                for (name, value), target in zip(wanted[:named], nodes[:named], strict=True)
            ],
            "Order": next(rest) if order_id else None,
            "Tags": next(rest) if self.tags and arn else None,
        }
