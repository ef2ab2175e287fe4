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

A pair's listing is held whole until every region of its account is listed: a number that
several regions of one account answer is one record (keyed by ``AwsAccountId`` and E.164) whose
``Regions`` lists them all. Memory is bounded by the accounts listed at once, not the estate.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from chimenum.core.errors import ChimenumError, ExitCode, Failure, classify, most_severe
from chimenum.core.ids import e164_of
from chimenum.core.listing import Filters, Lister, ListingStopped
from chimenum.core.policy import Stopped
from chimenum.core.pool import Again, Pool
from chimenum.core.run import Run
from chimenum.core.settings import Settings

if TYPE_CHECKING:
    from datetime import datetime

    from chimenum.core.describe import Described, Resolver
    from chimenum.core.session import Sandbox


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
    """One pair's listing: its numbers, and why it stopped early (``failure``)."""

    pair: Pair
    numbers: list[dict[str, Any]] = field(default_factory=list)
    failure: Failure | None = None
    #: A listing that stopped after some pages: where the rest starts.
    stopped: ListingStopped | None = None


def _failure(exc: BaseException) -> Failure:
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
        self._credentials: dict[Source, tuple[str, str, str]] = {}
        self._pools: list[Pool[Any, Any]] = []
        self._base: Run | None = None
        self.stopped = False

    def _run(self, source: Source, region: str | None) -> Run:
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

    def _identify(self, source: Source) -> tuple[list[Pair], Failure | None]:
        """The pairs of ``source``: its account (assumed into, or asked of STS) and regions."""
        from chimenum.core import identity

        settings = self.settings
        first = settings.regions[0] if settings.regions else settings.region
        # The regions a failure is said for: those given, else the one the profile resolves to.
        regions: list[str | None] = list(settings.regions) or [first]
        try:
            if source.account is not None:
                assert self._base is not None and settings.assume_role_arn
                credentials = identity.assume_role(
                    self._base, settings.assume_role_arn, source.account
                )
                with self._lock:
                    self._credentials[source] = credentials
                account = source.account
            probe = self._run(source, first)
            regions = list(settings.regions) or [str(probe.client().meta.region_name)]
            if source.account is None:
                account = identity.caller_account(probe)
            if settings.all_regions:
                regions = list(identity.voice_regions(probe))
        except Stopped:
            raise
        except Exception as exc:
            return [Pair(source, r) for r in regions], _failure(exc)
        pairs = [Pair(source, region, account) for region in regions]
        # The probe serves its own region's pair: that pair's credentials are not resolved again.
        own = (
            pairs[0]
            if not settings.all_regions
            else next((p for p in pairs if p.region == probe.client().meta.region_name), None)
        )
        if own is not None:
            with self._lock:
                self._runs.setdefault(own, probe)
        return pairs, None

    def pairs(self) -> Iterator[tuple[list[Pair], Failure | None]]:
        """Each source's pairs once identified, in the order given, at most ``concurrency``
        sources asked at once; a source that could not be identified comes with its failure."""
        sources = sources_of(self.settings)
        if self.settings.assume_role_arn:
            self._base = self._run(Source(self.settings.profile), self.settings.region)
        yield from self.pool(lambda s: lambda: self._identify(s), len(sources)).map(sources)

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
                listed.numbers += page.numbers
        except ListingStopped as stop:
            listed.failure, listed.stopped = stop.failure, stop
        except Stopped:
            raise
        except Exception as exc:
            listed.failure = _failure(exc)
        return listed

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
    come grouped by account; each account's numbers are held until its last pair is in.
    ``on_listed`` hears of each listing as it comes (a failed one, say)."""
    account: str | None = None
    held: dict[str, tuple[Pair, dict[str, Any]]] = {}
    for listed in listings:
        on_listed(listed)
        if listed.pair.account != account:
            yield from held.values()
            held, account = {}, listed.pair.account
        for number in listed.numbers:
            key = e164_of(number)
            found = held.get(key)
            if found is None:
                held[key] = (listed.pair, record_of(listed.pair, number, regions=regions))
            elif regions:
                found[1]["Regions"].append(listed.pair.region)
    yield from held.values()


def record_of(pair: Pair, number: dict[str, Any], *, regions: bool) -> dict[str, Any]:
    """``number`` with ``pair``'s fields (and ``Regions``, its first, with ``regions``)."""
    record = {**number, **pair.fields()}
    if regions:
        record["Regions"] = [pair.region]
    return record


@dataclass
class Looked:
    """One id asked of every pair: the number as the first account that has it answered
    (``pair``, ``record``: with ``Regions`` every region of that account that had it), the
    pairs that failed, those that said not found, and other accounts that have it too."""

    phone_number_id: str
    pair: Pair | None = None
    record: dict[str, Any] | None = None
    failures: list[tuple[Pair, Failure]] = field(default_factory=list)
    not_found: list[Pair] = field(default_factory=list)
    elsewhere: list[Pair] = field(default_factory=list)

    def failure(self, unasked: list[tuple[Pair, Failure]]) -> Failure | None:
        """Why no pair had the number, if none did: not found only when every pair was asked
        and every one said so; else the pairs that failed, or could not be asked, by name."""
        if self.record is not None:
            return None
        failed = self.failures + unasked
        if not failed:
            return Failure(
                "NotFoundException",
                f"not found by any of the {len(self.not_found)} pairs asked",
                ExitCode.NOT_FOUND,
            )
        worst = most_severe([f.exit_code for _, f in failed])
        said = [f"{pair.name}: {f.code}: {f.message}" for pair, f in self.failures] + [
            f"{pair.name} could not be asked ({f.code})" for pair, f in unasked
        ]
        if self.not_found:
            said.append(f"not found by the other {len(self.not_found)}")
        code = next(f.code for _, f in failed if f.exit_code is worst)
        return Failure(code, "; ".join(said), worst)


def looked_up(
    estate: Estate, pairs: list[Pair], ids: list[str], *, regions: bool, workers: int
) -> Iterator[Looked]:
    """Each id asked of every pair (``GetPhoneNumber`` through the pair's own run), in the
    order of ``ids``, ``workers`` requests at once across all pairs."""
    from chimenum.core.fetch import Fetcher, Result

    fetchers: dict[Pair, Fetcher] = {}

    def fetcher(pair: Pair) -> Fetcher:
        with estate._lock:
            found = fetchers.get(pair)
        if found is None:
            run = estate.run(pair)
            client = run.client()
            found = Fetcher(client, run.policy(client))
            with estate._lock:
                found = fetchers.setdefault(pair, found)
        return found

    def start(item: tuple[str, Pair]) -> Callable[[], tuple[Pair, Result]]:
        phone_number_id, pair = item
        made: list[Callable[[], Result]] = []

        def job() -> tuple[Pair, Result]:
            try:
                if not made:
                    made.append(fetcher(pair).job(phone_number_id))
                return pair, made[0]()
            except (Again, Stopped):
                raise
            except Exception as exc:
                return pair, Result(phone_number_id, failure=_failure(exc))

        return job

    if not pairs:
        yield from (Looked(phone_number_id) for phone_number_id in ids)
        return
    items = ((phone_number_id, pair) for phone_number_id in ids for pair in pairs)
    answers = estate.pool(start, min(workers, len(ids) * len(pairs))).map(items)
    for phone_number_id in ids:
        looked = Looked(phone_number_id)
        for _ in pairs:
            pair, result = next(answers)
            failure = result.failure
            if result.document is not None:
                _found(looked, pair, result.document["PhoneNumber"], regions=regions)
            elif failure is not None and failure.exit_code is ExitCode.NOT_FOUND:
                looked.not_found.append(pair)
            elif failure is not None:
                looked.failures.append((pair, failure))
        yield looked


def _found(looked: Looked, pair: Pair, number: dict[str, Any], *, regions: bool) -> None:
    if looked.pair is None:
        looked.pair, looked.record = pair, record_of(pair, number, regions=regions)
    elif pair.account == looked.pair.account:
        if regions and looked.record is not None:
            looked.record["Regions"].append(pair.region)
    elif all(p.account != pair.account for p in looked.elsewhere):
        looked.elsewhere.append(pair)


def _description(
    pair: Pair,
    record: dict[str, Any],
    resolver_for: Callable[[Pair], Resolver],
    now: datetime,
    command: str,
) -> Callable[[], Described]:
    """The job describing ``record`` by its pair's resolver; each finding carries the pair's
    ``Profile``, ``AwsAccountId`` and ``Region``."""
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
        return _description(item[0], item[1], resolver_for, now, AUDIT)

    yield from estate.pool(start, workers).map(records)


def described_ids(
    estate: Estate,
    looked: Iterator[Looked],
    resolver_for: Callable[[Pair], Resolver],
    now: datetime,
    workers: int,
) -> Iterator[tuple[Looked, Described | None]]:
    """``describe``: each id found described by the pair that found it, in order; an id no
    pair found has no description."""
    from chimenum.core.findings import DESCRIBE

    def start(item: Looked) -> Callable[[], tuple[Looked, Described | None]]:
        if item.pair is None or item.record is None:
            return lambda: (item, None)
        job = _description(item.pair, item.record, resolver_for, now, DESCRIBE)
        return lambda: (item, job())

    yield from estate.pool(start, workers).map(looked)
