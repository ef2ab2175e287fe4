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

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from chimenum.core.errors import Failure
from chimenum.core.fetch import Fetcher, Result
from chimenum.core.findings import DESCRIBE, evaluate
from chimenum.core.following import Following
from chimenum.core.pool import Deadline
from chimenum.core.resources import Resources
from chimenum.core.settings import (
    DEFAULT_NUMBER_TIMEOUT,
    LOOKUPS_PER_NUMBER,
)


class Resolution(NamedTuple):
    """A number's ``Resolved`` dict, and the lookups in it that failed, with their exit codes."""

    document: dict[str, Any]
    failures: list[Failure]


class Resolver:
    """Follows a number's associations, order and (optionally) tags through :class:`Resources`,
    within ``number_timeout`` seconds per number."""

    def __init__(
        self,
        resources: Resources,
        *,
        tags: bool = False,
        number_timeout: float = DEFAULT_NUMBER_TIMEOUT,
        width: int = LOOKUPS_PER_NUMBER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.resources = resources
        self.tags = tags
        self.number_timeout = number_timeout
        self.width = width
        self.clock = clock

    def deadline(self) -> Deadline:
        """A number's deadline, from now."""
        return Deadline.after(self.number_timeout, self.clock)

    def resolve(self, number: dict[str, Any], deadline: Deadline | None = None) -> Resolution:
        """``number`` resolved by ``deadline`` (default: from now). :class:`Again` when a lookup
        is to be tried later: the caller's job goes back in its pool's queue, and runs again
        with the same deadline (the lookups already made come from the run's cache)."""
        deadline = deadline or self.deadline()
        following = Following(self.resources, self.tags, self.number_timeout, self.width, deadline)
        document = following.resolve(number)
        return Resolution(document, following.failures(document))


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
    deadline: Deadline | None = None,
) -> Described:
    """``{"PhoneNumber", "Resolved", "Findings"}`` for one number, with ``command``'s severities."""
    resolved, failures = resolver.resolve(number, deadline)
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

        deadline: list[Deadline] = []

        def job() -> tuple[Result, Described | None]:
            if not fetched:
                fetched.append(fetch())
            result = fetched[0]
            if result.document is None:
                return result, None
            if not deadline:
                deadline.append(resolver.deadline())
            number = result.document["PhoneNumber"]
            return result, describe(number, resolver, now, DESCRIBE, deadline[0])

        return job

    def done(pair: tuple[Result, Described | None]) -> None:
        if on_done is not None:
            on_done(pair[0])

    return fetcher.run(ids, start, concurrency, on_done=done)
