"""The estate: one run over several (profile, region) pairs, each with its own run object.

A *source* is where credentials come from: a named profile (``--profile``, repeatable) or an
account assumed into (``--assume-role-arn`` with ``--accounts``: STS ``AssumeRole`` from the
run's own credentials). A *pair* is a source in one region (``--region``, repeatable, or
``--all-regions``: what ``ListAvailableVoiceConnectorRegions`` says, asked once per source).

Each pair has its own :class:`~chimenum.core.run.Run`: its botocore session and credentials, its
clients, endpoints, request policies and rate limiters, so a throttled or broken account slows
or sinks no other. Every run shares the estate's one botocore data loader (``shared``): the
models are decoded once per process, not once per pair. Each source is identified once
(``GetCallerIdentity``: the AWS account its credentials belong to), then every pair is listed,
at most ``concurrency`` requests in flight across all pairs (:class:`~chimenum.core.pool.Pool`).

A pair's listing is held (pickled, a page at a time) until every region of its account is
listed: a number that several regions of one account answer is one record (keyed by
``AwsAccountId`` and E.164) whose ``Regions`` lists them all. An account's runs are released
once its numbers are through. Memory is bounded by the accounts at work at once (the pairs
listed at once; a quarter of ``concurrency`` identified), not the estate.
"""

from __future__ import annotations

import gc
import pickle
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from chimenum.core.errors import ChimenumError, Failure, classify
from chimenum.core.ids import e164_of
from chimenum.core.listing import Filters, Lister, ListingStopped
from chimenum.core.policy import Stopped
from chimenum.core.pool import Pool
from chimenum.core.run import Run
from chimenum.core.settings import Settings

if TYPE_CHECKING:
    from datetime import datetime

    from chimenum.core.describe import Described, Resolver
    from chimenum.core.session import Sandbox

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """Where a pair's credentials come from: a profile, or an account assumed into."""

    profile: str | None
    account: str | None = None

    @property
    def name(self) -> str:
        if self.account is not None:
            return f"account {self.account}"
        return f"profile {self.profile or 'default'}"


@dataclass(frozen=True)
class Pair:
    """A source in one region, once identified: the record fields it gives its numbers."""

    source: Source
    region: str | None
    account: str = ""

    @property
    def name(self) -> str:
        return f"{self.source.name} in {self.region or 'its configured region'}"

    def fields(self) -> dict[str, Any]:
        """``Profile`` (``null`` for an assumed account), ``AwsAccountId`` and ``Region``."""
        source = self.source
        profile = None if source.account is not None else source.profile or "default"
        return {"Profile": profile, "AwsAccountId": self.account, "Region": self.region}


def sources_of(settings: Settings) -> list[Source]:
    if settings.assume_role_arn:
        return [Source(None, account) for account in settings.accounts]
    return [Source(p) for p in settings.profiles or (settings.profile,)]


def several(settings: Settings) -> bool:
    """Whether the run is an estate (more than one pair, or pairs found only by asking)."""
    return bool(
        len(settings.profiles) > 1
        or len(settings.regions) > 1
        or settings.all_regions
        or settings.assume_role_arn
    )


@dataclass
class Listed:
    """One pair's listing, held until its account's every region is listed: each page
    pickled and compressed (the data is this process's own),
    with the E.164 of each number beside it; and why it stopped early (``failure``)."""

    pair: Pair
    pages: list[bytes] = field(default_factory=list)
    e164s: list[str] = field(default_factory=list)
    failure: Failure | None = None
    #: A listing that stopped after some pages: where the rest starts.
    stopped: ListingStopped | None = None

    def add(self, numbers: list[dict[str, Any]]) -> None:
        self.pages.append(zlib.compress(pickle.dumps(numbers, pickle.HIGHEST_PROTOCOL), 1))
        self.e164s += (e164_of(number) for number in numbers)

    @property
    def count(self) -> int:
        return len(self.e164s)

    def numbers(self) -> Iterator[dict[str, Any]]:
        """The numbers, a page decoded at a time."""
        for page in self.pages:
            numbers: list[dict[str, Any]] = pickle.loads(zlib.decompress(page))
            yield from numbers


def failure_of(exc: BaseException) -> Failure:
    return exc.failure if isinstance(exc, ChimenumError) else classify(exc)


class Estate:
    """The runs of every pair, identified; stopped together."""

    def __init__(self, settings: Settings, *, sandbox: Sandbox | None = None) -> None:
        self.settings = settings
        self.sandbox = sandbox
        #: What every run shares: botocore's data loader.
        self.shared: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._runs: dict[Pair, Run] = {}
        self._made: dict[tuple[Pair, str], Any] = {}
        self._credentials: dict[Source, tuple[str, str, str]] = {}
        self._pools: list[Pool[Any, Any]] = []
        self._base: Run | None = None
        self.stopped = False

    def _run(self, source: Source, region: str | None) -> Run:
        if region is None and source.account is not None and self._base is not None:
            # An assumed account has no profile of its own: its region is the one the profile
            # it is assumed from resolves to, not AWS_PROFILE's or the default profile's.
            region = str(self._base.client().meta.region_name)
        own = replace(self.settings, profile=source.profile, region=region)
        run = Run(
            own,
            sandbox=self.sandbox,
            shared=self.shared,
            credentials=self._credentials.get(source),
        )
        if self.stopped:
            run.stop()
        return run

    def run(self, pair: Pair) -> Run:
        """The run object of ``pair``, made once."""
        with self._lock:
            found = self._runs.get(pair)
            if found is None:
                found = self._runs[pair] = self._run(pair.source, pair.region)
            return found

    def _identify(self, source: Source) -> list[tuple[Pair, Failure | None]]:
        """The pairs of ``source``, each with its failure if it has one: its account (assumed
        into, or asked of STS) and regions. The source is identified in the first region given
        that answers: a region that fails (invalid, unreachable, refused) fails its own pair,
        not the regions after it."""
        from chimenum.core import identity

        settings = self.settings
        # The regions a failure is said for: those given, else the one the profile resolves to.
        regions: list[str | None] = list(settings.regions) or [settings.region]
        if source.account is not None:
            assert self._base is not None and settings.assume_role_arn
            try:
                credentials = identity.assume_role(
                    self._base, settings.assume_role_arn, source.account
                )
            except Stopped:
                raise
            except Exception as exc:
                # Refused by the account, not by a region: every pair of it is.
                failure = failure_of(exc)
                return [(Pair(source, r), failure) for r in regions]
            with self._lock:
                self._credentials[source] = credentials
        failed: list[tuple[Pair, Failure | None]] = []
        for tried, region in enumerate(regions):
            try:
                probe = self._run(source, region)
                if not settings.regions:
                    # Said for a failure too: the region the profile resolves to.
                    region = str(probe.client().meta.region_name)
                account = source.account or identity.caller_account(probe)
                found = identity.voice_regions(probe) if settings.all_regions else None
            except Stopped:
                raise
            except Exception as exc:
                failed.append((Pair(source, region), failure_of(exc)))
                continue
            # The probe is not kept for its region's pair: a run is made when a pair is listed
            # and released once its account is done (:meth:`release`), so that at most the
            # accounts at work hold a run (a botocore session and its clients), not all.
            left = list(found) if found is not None else [region, *regions[tried + 1 :]]
            return failed + [(Pair(source, r, account), None) for r in left]
        return failed

    def pairs(self) -> Iterator[list[tuple[Pair, Failure | None]]]:
        """Each source's pairs once identified, in the order given, a quarter of
        ``concurrency`` sources asked at once; a pair that could not be identified comes
        with its failure."""
        sources = sources_of(self.settings)
        if self.settings.assume_role_arn:
            self._base = self._run(Source(self.settings.profile), self.settings.region)
        # A quarter of --concurrency, as listing: each source asked holds a botocore session
        # and clients while it is.
        workers = min(len(sources), max(1, self.settings.concurrency // 4))
        identified = self.pool(lambda s: lambda: self._identify(s), workers).map(sources)
        for done, found in enumerate(identified, 1):
            # A probe's session and clients are reference cycles: left to the collector's own
            # pace, all 20 sources' probes were seen alive at once. Collected a wave at a
            # time, at most a wave's are (a collection: about 60 ms of CPU; none after the
            # last wave, when no other source's probes are to come).
            if done % workers == 0 and done < len(sources):
                gc.collect()
            yield found

    def pool(self, start: Callable[[Any], Callable[[], Any]], jobs: int) -> Pool[Any, Any]:
        workers = max(1, min(jobs, self.settings.concurrency))
        pool: Pool[Any, Any] = Pool(start, workers=workers, window=workers, quiet_errors=(Stopped,))
        self._pools.append(pool)
        if self.stopped:
            pool.stop()
        return pool

    def listings(
        self, pairs: list[Pair], filters: Filters, *, limit: int | None, workers: int
    ) -> Iterator[Listed]:
        """Every pair's listing, in the order of ``pairs``, ``workers`` pairs listed at once."""

        def start(pair: Pair) -> Callable[[], Listed]:
            return lambda: self._list(pair, filters, limit)

        yield from self.pool(start, min(workers, len(pairs))).map(pairs)

    def _list(self, pair: Pair, filters: Filters, limit: int | None) -> Listed:
        listed = Listed(pair)
        try:
            run = self.run(pair)
            client = run.client()
            lister = Lister(client, run.settings.api, run.policy(client))
            for page in lister.pages(filters, limit=limit):
                listed.add(page.numbers)
        except ListingStopped as stop:
            listed.failure, listed.stopped = stop.failure, stop
        except Stopped:
            raise
        except Exception as exc:
            listed.failure = failure_of(exc)
        return listed

    def made(self, pair: Pair, kind: str, make: Callable[[], Any]) -> Any:
        """What ``make`` makes for ``pair`` (a fetcher, a resolver), once until released."""
        with self._lock:
            found = self._made.get((pair, kind))
        if found is None:
            found = make()
            with self._lock:
                found = self._made.setdefault((pair, kind), found)
        return found

    def release(self, account: str, *, collect: bool = True) -> None:
        """Forget the runs of ``account``'s pairs, and what was made for them: its numbers are
        all done. Botocore's sessions and clients are reference cycles: collected now
        (``collect``: another account comes next), their memory serves the next account's."""
        with self._lock:
            for pair in [p for p in self._runs if p.account == account]:
                del self._runs[pair]
            for key in [k for k in self._made if k[0].account == account]:
                del self._made[key]
        if collect:
            gc.collect()

    def stop(self) -> None:
        """Abandon every pair: every wait ends at once and no further request is sent."""
        with self._lock:
            self.stopped = True
            runs = list(self._runs.values())
        for pool in self._pools:
            pool.stop()
        for run in runs:
            run.stop()


def accounts_grouped(pairs: list[Pair]) -> list[Pair]:
    """``pairs`` with the pairs of each AWS account together, in the order first seen."""
    order: dict[str, int] = {}
    for pair in pairs:
        order.setdefault(pair.account, len(order))
    return sorted(pairs, key=lambda p: order[p.account])


def records(
    listings: Iterator[Listed], on_listed: Callable[[Listed], None], *, regions: bool
) -> Iterator[tuple[Pair, dict[str, Any]]]:
    """Each number of the estate once per AWS account, with its pair's fields; ``Regions``
    (with ``regions``) lists every region of the account whose listing had it. ``listings``
    come grouped by account; each account's listings are held (:class:`Listed`) until its
    last pair is in: what is held is bounded by the pairs listed at once, not the estate.
    ``on_listed`` hears of each listing as it comes (a failed one, say)."""
    group: list[Listed] = []
    for listed in listings:
        on_listed(listed)
        if group and listed.pair.account != group[0].pair.account:
            yield from _account(group, regions=regions)
            group = []
        group.append(listed)
    yield from _account(group, regions=regions)


def _account(group: list[Listed], *, regions: bool) -> Iterator[tuple[Pair, dict[str, Any]]]:
    """One account's numbers, each once, in the order first listed."""
    seen: dict[str, list[str | None]] = {}
    for listed in group:
        for e164 in listed.e164s:
            answered = seen.setdefault(e164, [])
            # Two profiles of one account in one region: the region once.
            if listed.pair.region not in answered:
                answered.append(listed.pair.region)
    for listed in group:
        for number in listed.numbers():
            found = seen.pop(e164_of(number), None)
            if found is None:
                continue  # an earlier region's listing had it
            record = record_of(listed.pair, number, regions=False)
            if regions:
                record["Regions"] = found
            yield listed.pair, record


def record_of(pair: Pair, number: dict[str, Any], *, regions: bool) -> dict[str, Any]:
    """``number`` with ``pair``'s fields (and ``Regions``, its first, with ``regions``)."""
    record = {**number, **pair.fields()}
    if regions:
        record["Regions"] = [pair.region]
    return record


def description(
    pair: Pair,
    record: dict[str, Any],
    resolver_for: Callable[[Pair], Resolver],
    now: datetime,
    command: str,
) -> Callable[[], Described]:
    """The job describing ``record`` by its pair's resolver; each finding carries the pair's
    ``Profile``, ``AwsAccountId`` and ``Region``, and the record's ``Regions`` if it has them."""
    from chimenum.core.describe import describe
    from chimenum.core.pool import Deadline

    deadline: list[Deadline] = []

    def job() -> Described:
        resolver = resolver_for(pair)
        # Made once: a job tried again keeps its number's deadline.
        if not deadline:
            deadline.append(resolver.deadline())
        found = describe(record, resolver, now, command, deadline[0])
        where = pair.fields()
        if "Regions" in record:
            where["Regions"] = record["Regions"]
        for finding in found.document["Findings"]:
            finding.update(where)
        return found

    return job


def described(
    estate: Estate,
    records: Iterator[tuple[Pair, dict[str, Any]]],
    resolver_for: Callable[[Pair], Resolver],
    now: datetime,
    workers: int,
) -> Iterator[Described]:
    """``audit``: each record described by its pair's resolver, ``workers`` at once, in order."""
    from chimenum.core.findings import AUDIT

    def start(item: tuple[Pair, dict[str, Any]]) -> Callable[[], Described]:
        return description(item[0], item[1], resolver_for, now, AUDIT)

    yield from released(estate, estate.pool(start, workers).map(records), _account_of)


def _account_of(found: Described) -> str:
    return str(found.document["PhoneNumber"]["AwsAccountId"])


def released(estate: Estate, items: Iterator[T], account_of: Callable[[T], str]) -> Iterator[T]:
    """``items``, grouped by account, each account's runs released once its last is through."""
    account: str | None = None
    for item in items:
        this = account_of(item)
        if account is not None and this != account:
            estate.release(account)
        account = this
        yield item
    if account is not None:
        estate.release(account, collect=False)  # the last: nothing comes to use the memory
