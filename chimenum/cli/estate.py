"""The estate's side of ``list``, ``get``, ``describe`` and ``audit``: a run over several
(profile, region) pairs (:mod:`chimenum.core.estate`).

A command asks :func:`several` whether its run is an estate; if so, it takes its numbers from
here instead of its one listing, each record carrying ``Profile``, ``AwsAccountId`` and
``Region`` (``Regions`` too when several regions are asked), and goes on as for one pair. A pair
that fails is one ``error: PROFILE in REGION: CODE: MESSAGE`` line and its exit code on the
run's :class:`~chimenum.cli.runner.Outcome`; the other pairs finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from chimenum.cli import context, runner
from chimenum.core import estate as core
from chimenum.core import estate_ids
from chimenum.core.errors import ExitCode, Failure, most_severe
from chimenum.core.listing import Filters, Page
from chimenum.output.env import Environment

if TYPE_CHECKING:
    from chimenum.core.describe import Described
    from chimenum.core.estate import Estate, Listed, Pair
    from chimenum.core.estate_ids import Looked
    from chimenum.core.fetch import Result
    from chimenum.output.formats import Renderer

_ESTATE = "chimenum.estate"
#: Records handed to the renderer at a time (a page of a listing).
PAGE = 100


def several(ctx: click.Context) -> bool:
    """Whether this run is over several pairs; refuses (exit 2) a combination that has none."""
    settings = context.settings_of(ctx)
    if settings.all_regions and settings.api != "voice":
        raise click.UsageError("--all-regions lists Chime SDK Voice regions: use --api voice", ctx)
    if settings.all_regions and len(settings.regions) > 0:
        raise click.UsageError("--all-regions and --region: give one or the other", ctx)
    if len(settings.regions) > 1 and settings.api == "chime":
        raise click.UsageError(
            "several --region with --api chime: Amazon Chime's numbers are global (one region"
            " lists them all); use --api voice for several regions",
            ctx,
        )
    if bool(settings.assume_role_arn) != bool(settings.accounts):
        raise click.UsageError("--assume-role-arn and --accounts go together", ctx)
    arn = settings.assume_role_arn
    if arn and not ("{account}" in arn and arn.startswith("arn:")):
        raise click.UsageError(
            f"--assume-role-arn {arn!r}: an ARN with {{account}} where each account id goes"
            " (arn:aws:iam::{account}:role/NAME)",
            ctx,
        )
    if arn and len(settings.profiles) > 1:
        raise click.UsageError("--assume-role-arn assumes from one --profile, not several", ctx)
    return core.several(settings)


def one_pair(ctx: click.Context, command: str) -> None:
    """Refuse (exit 2) several pairs for ``command``, which reads one: asking only the first
    pair would call a number another pair holds not found."""
    if several(ctx):
        raise click.UsageError(
            f"{command} reads one profile in one region: give one --profile and one --region"
            " (list, get, describe and audit read several)",
            ctx,
        )


def estate_of(ctx: click.Context) -> Estate:
    """The run's estate, made once (``--demo``: the demo's accounts)."""
    found: Estate | None = ctx.meta.get(_ESTATE)
    if found is None:
        from chimenum.demo import sandbox_for

        settings = context.settings_of(ctx)
        context.run_of(ctx)  # --debug's log, as for one pair
        found = ctx.meta[_ESTATE] = core.Estate(settings, sandbox=sandbox_for(settings))
    return found


def _account_of(item: tuple[Pair, dict[str, Any]]) -> str:
    return item[0].account


class Pairs:
    """The pairs of a run, their failures reported as they come."""

    def __init__(self, ctx: click.Context, env: Environment, outcome: runner.Outcome) -> None:
        self.estate = estate_of(ctx)
        self.settings = self.estate.settings
        self.env = env
        self.outcome = outcome
        self.failed = False
        #: Pairs that could not be identified, with why: an id they might have is not "not found".
        self.unasked: list[tuple[Pair, Failure]] = []
        #: Each pair's line of the ``Pairs`` summary, in the order given.
        self.summary: dict[Pair, dict[str, Any]] = {}
        self.regions = self.settings.all_regions or len(self.settings.regions) > 1

    def _line(self, pair: Pair) -> dict[str, Any]:
        found = self.summary.get(pair)
        if found is None:
            found = self.summary[pair] = {
                **pair.fields(),
                "Numbers": 0,
                "ExitCode": 0,
                "Error": None,
            }
        return found

    def _failed(self, pair: Pair, failure: Failure) -> None:
        line = self._line(pair)
        worst = most_severe([ExitCode(line["ExitCode"]), failure.exit_code])
        if line["Error"] is None or worst is not ExitCode(line["ExitCode"]):
            line["ExitCode"], line["Error"] = int(worst), f"{failure.code}: {failure.message}"

    def fail(self, pair: Pair, failure: Failure, done: str = "") -> None:
        self.failed = True
        self._failed(pair, failure)
        self.outcome.add(failure.exit_code)
        self.env.error(f"error: {pair.name}: {done}{failure.code}: {failure.message}")

    def _listed(self, listed: Listed) -> None:
        self._line(listed.pair)["Numbers"] = listed.count
        if listed.failure is None:
            return
        done = f"listing stopped after {listed.count} numbers: " if listed.stopped else ""
        self.fail(listed.pair, listed.failure, done)

    def identified(self) -> list[Pair]:
        found: list[Pair] = []
        for pairs in self.estate.pairs():
            for pair, _ in pairs:
                self._line(pair)
            for pair, failure in pairs:
                if failure is None:
                    found.append(pair)
                else:
                    self.unasked.append((pair, failure))
                    self.fail(pair, failure)
        return core.accounts_grouped(found)

    def looked_up(self, ids: list[str], workers: int) -> Iterator[Looked]:
        """``get``'s ids asked of every pair, in order (:func:`core.looked_up`)."""
        pairs = self.identified()
        yield from estate_ids.looked_up(
            self.estate, pairs, ids, regions=self.regions, workers=workers
        )

    def result(self, looked: Looked) -> Result:
        """The id's one result: the number found (pairs that failed on it named, with their exit
        codes; other accounts that have it too named), or why no pair had it."""
        from chimenum.core.fetch import Result

        for pair, failure in looked.failures:
            self._failed(pair, failure)
            if looked.record is not None:
                self.outcome.add(failure.exit_code)
                self.env.error(
                    f"error: {looked.phone_number_id}: {pair.name}: {failure.code}:"
                    f" {failure.message}"
                )
        if looked.record is None:
            return Result(looked.phone_number_id, failure=looked.failure(self.unasked))
        assert looked.pair is not None
        self._line(looked.pair)["Numbers"] += 1
        for pair in looked.elsewhere:
            self.env.warn(
                f"warning: {looked.phone_number_id}: also in AWS account {pair.account}"
                f" ({pair.name}); shown as {looked.pair.account}'s"
            )
        return Result(looked.phone_number_id, {"PhoneNumber": looked.record})

    def described_ids(
        self,
        ids: list[str],
        resolver_for: Callable[[Pair], Any],
        now: datetime,
        concurrency: int,
    ) -> Iterator[tuple[Result, Described | None]]:
        """``describe``'s ids found as ``get`` finds them (half of ``concurrency``), each
        described by the pair that found it (the other half)."""
        asking = max(1, concurrency // 2)
        looked = self.looked_up(ids, asking)
        described = estate_ids.described_ids(
            self.estate, looked, resolver_for, now, max(1, concurrency - asking)
        )
        for item, description in described:
            yield self.result(item), description

    def pairs(self) -> list[dict[str, Any]]:
        """The ``Pairs`` summary: each pair, its numbers, exit code and error."""
        return list(self.summary.values())

    def records(
        self, filters: Filters, limit: int | None, workers: int
    ) -> Iterator[tuple[Pair, dict[str, Any]]]:
        """Every number of the estate once per account, with its pair's fields."""
        pairs = self.identified()
        listings = self.estate.listings(pairs, filters, limit=limit, workers=workers)
        yield from core.records(listings, self._listed, regions=self.regions)

    def pages(self, filters: Filters, limit: int | None) -> Iterator[Page]:
        """``list``'s pages: the records, :data:`PAGE` at a time."""
        page: list[dict[str, Any]] = []
        records = self.records(filters, limit, self.settings.concurrency)
        for _, record in core.released(self.estate, records, _account_of):
            page.append(record)
            if len(page) >= PAGE:
                yield Page(page, None)
                page = []
        if page:
            yield Page(page, None)

    def described(
        self,
        filters: Filters,
        limit: int | None,
        resolver_for: Callable[[Pair], Any],
        now: datetime,
        concurrency: int,
    ) -> Iterator[Described]:
        """``audit``'s numbers described, each by its own pair's run; listing takes a quarter
        of ``concurrency`` (at least one), describing the rest: one cap across all pairs."""
        listing = max(1, concurrency // 4)
        records = self.records(filters, limit, listing)
        yield from core.described(
            self.estate, records, resolver_for, now, max(1, concurrency - listing)
        )

    def finish(self, renderer: Renderer) -> None:
        if self.failed:
            renderer.incomplete(None)
        renderer.pairs(self.pairs())


def resolver_for(
    ctx: click.Context, env: Environment, *, tags: bool, number_timeout: float
) -> Callable[[Pair], Any]:
    """Each pair's resolver, made once (until its account is released), through its own run."""
    estate = estate_of(ctx)

    def resolver(pair: Pair) -> Any:
        def make() -> Any:
            run = estate.run(pair)
            return runner.resolver_of(ctx, env, tags=tags, number_timeout=number_timeout, run=run)

        return estate.made(pair, "resolver", make)

    return resolver
