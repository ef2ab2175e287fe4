"""Auditing the inventory: every listed number described, summed up in flat memory.

The listing is read page by page and each number is described as one job of the run's
:class:`~chimenum.core.pool.Pool` (bounded window, in listing order); :class:`Tally` keeps
counters, and the caller decides what to keep of the findings (streamed formats keep none).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from chimenum.core.describe import Described, Resolver, describe
from chimenum.core.fetch import policy_pool
from chimenum.core.findings import AUDIT, SEVERITIES, Finding
from chimenum.core.listing import Filters, Lister, ListingStopped
from chimenum.core.pool import Deadline


def _known(value: object) -> str:
    """A counter's key: a member the answer left out (AWS's published numbers have no
    ``Country``) is counted as ``unknown``, never as Python's ``None``."""
    return "unknown" if value is None or value == "" else str(value)


class Tally:
    """Counters of an audit: numbers by status, product type and country; findings by code
    and severity."""

    def __init__(self) -> None:
        self.numbers = 0
        self.with_findings = 0
        self.by_status: Counter[str] = Counter()
        self.by_product: Counter[str] = Counter()
        self.by_country: Counter[str] = Counter()
        self.by_severity: Counter[str] = Counter()
        self.by_code: Counter[str] = Counter()
        #: A several-pair run's numbers by AWS account and by region (empty for one pair).
        self.by_account: Counter[str] = Counter()
        self.by_region: Counter[str] = Counter()
        self.complete = True

    def add(self, described: Described) -> None:
        self.count(described.document["PhoneNumber"], described.document["Findings"])

    def count(self, number: dict[str, Any] | None, findings: list[Finding]) -> None:
        """A number and its findings; findings of no number (``None``: an expired mute rule)
        count only as findings."""
        if number is not None:
            self.numbers += 1
            self.by_status[_known(number.get("Status"))] += 1
            self.by_product[_known(number.get("ProductType"))] += 1
            self.by_country[_known(number.get("Country"))] += 1
            self.with_findings += bool(findings)
            if "AwsAccountId" in number:
                self.by_account[_known(number.get("AwsAccountId"))] += 1
                for region in number.get("Regions") or [number.get("Region")]:
                    self.by_region[_known(region)] += 1
        for item in findings:
            self.by_severity[item["Severity"]] += 1
            self.by_code[item["Code"]] += 1

    def summary(self) -> dict[str, Any]:
        def ordered(counter: Counter[str]) -> dict[str, int]:
            return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

        where = (
            {"ByAwsAccountId": ordered(self.by_account), "ByRegion": ordered(self.by_region)}
            if self.by_account
            else {}
        )
        return {
            "Numbers": self.numbers,
            **where,
            "ByStatus": ordered(self.by_status),
            "ByProductType": ordered(self.by_product),
            "ByCountry": ordered(self.by_country),
            "FindingsBySeverity": {s: self.by_severity.get(s, 0) for s in SEVERITIES},
            "FindingsByCode": ordered(self.by_code),
            "NumbersWithFindings": self.with_findings,
            "Complete": self.complete,
        }


def audit(
    lister: Lister,
    filters: Filters,
    resolver: Resolver,
    *,
    now: datetime,
    concurrency: int,
    limit: int | None = None,
) -> Iterator[Described]:
    """Every listed number described, in listing order; raises ``ListingStopped`` like
    :meth:`Lister.pages` once what came before the failed page is yielded."""
    stopped: list[ListingStopped] = []

    def numbers() -> Iterator[dict[str, Any]]:
        try:
            for page in lister.pages(filters, limit=limit):
                yield from page.numbers
        except ListingStopped as exc:
            # Raised after the numbers in flight are described, not instead of them.
            stopped.append(exc)

    def start(number: dict[str, Any]) -> Callable[[], Described]:
        deadline: list[Deadline] = []

        def job() -> Described:
            # Made once: a job tried again (a lookup throttled) keeps its number's deadline.
            if not deadline:
                deadline.append(resolver.deadline())
            return describe(number, resolver, now, AUDIT, deadline[0])

        return job

    yield from policy_pool(lister.policy, start, concurrency).map(numbers())
    if stopped:
        raise stopped[0]
