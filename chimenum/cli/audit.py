"""``chimenum audit``: the whole inventory described, summed up, and its findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.filters import filters_of, listing_filters
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    baseline_option,
    findings_options,
    max_attempts_option,
    output_option,
)
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.describe import Described
    from chimenum.core.mutes import Baseline, Mutelist


@click.command(epilog=EXIT_CODES_HELP)
@listing_filters
@output_option(
    "audit",
    "table: the summary, then one line per finding, most severe first.",
)
@findings_options
@baseline_option
@max_attempts_option("Tries per request (throttling, 5xx).")
@aws_options
@click.pass_context
def audit(
    ctx: click.Context,
    status: tuple[tuple[str, ...], ...],
    product_type: tuple[str, ...],
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    output: str,
    as_json: bool,
    fail_on: str,
    severity: str,
    mutelist: Mutelist | None,
    baseline: Baseline | None,
    tags: bool,
    number_timeout: float,
    color: ColorChoice,
    utc: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Describe every number of the account and sum up what is wrong.

    Lists the numbers as `list` does, describes each as `describe` does, summary first.

    \b
    Examples:
      chimenum --demo audit --severity warning --fail-on never
      chimenum audit --product-type VoiceConnector --json | jq '.Summary.FindingsByCode'
      chimenum audit --mutelist mutes.yaml --baseline yesterday.json --fail-on warning
    \f
    At most --concurrency numbers are described at once, and each shared resource is read
    once. A missing field is counted as "unknown". The table lists the findings most severe
    first, then by number (the 10,000 most severe; a message longer than 300 cells is cut).
    ndjson and csv stream one finding per line in the order found, as numbers are described
    (ndjson ends with a {"Summary": ...} line); json keeps the first 10,000 found, in that
    order. Memory stays flat whatever the size of the inventory. --severity picks the findings
    every format shows; the summary and --fail-on count them all, but for findings --mutelist
    mutes (shown, marked muted, counted in the summary's Mutes) and, with --baseline, findings
    the earlier audit already had, which never fail the run. Severities are audit's: an
    unassigned number is info (it costs, nothing is broken), where describe calls it an error
    (docs/describe.md).
    """
    filters = filters_of(ctx, status, product_type, filter_name, filter_value)

    from chimenum.core.audit import Tally, audit
    from chimenum.core.describe import Described
    from chimenum.core.fetch import Result
    from chimenum.core.findings import AUDIT, at_least
    from chimenum.core.ids import e164_of
    from chimenum.core.listing import ListingStopped
    from chimenum.core.mutes import counting
    from chimenum.output.formats import RenderOptions, get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    several = estate.several(ctx)
    options = RenderOptions(kind="list", utc=utc, severity=severity, several=several)
    renderer = get_renderer("json" if as_json else output, env, options, "audit")
    pairs = several and estate.Pairs(ctx, env, runner.Outcome(env))
    tally = Tally()
    outcome = pairs.outcome if pairs else runner.Outcome(env)
    # A several-pair run's findings carry their own Profile, AwsAccountId and Region.
    lister = None if pairs else context.lister(ctx, max_attempts)
    mutes = mutelist and context.mutes(ctx, env, mutelist, lister.client if lister else None)
    if baseline and baseline.unlisted:
        env.warn(
            f"warning: --baseline lists {baseline.unlisted} fewer findings than it counted"
            " (--severity, or past the 10,000 kept): those count as new"
        )

    def described() -> Iterator[Described]:
        if pairs:
            # Recorded in the Settings: the estate's pools are capped by it, not the default.
            context.run_of(ctx, concurrency=concurrency, max_attempts=max_attempts)
            resolver_for = estate.resolver_for(ctx, env, tags=tags, number_timeout=number_timeout)
            yield from pairs.described(filters, limit, resolver_for, env.now(), concurrency)
            pairs.finish(renderer)
            tally.complete = tally.complete and not pairs.failed
            return
        assert lister is not None
        resolver = runner.resolver_of(ctx, env, tags=tags, number_timeout=number_timeout)
        try:
            yield from audit(
                lister, filters, resolver, now=env.now(), concurrency=concurrency, limit=limit
            )
        except ListingStopped as stop:
            tally.complete = False
            outcome.listing_stopped(stop.failure, f"{tally.numbers} numbers")

    def judged(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        findings = mutes.apply(findings) if mutes else findings
        return baseline.mark(findings) if baseline else findings

    def take(number: Described) -> None:
        # The summary sees every finding, --fail-on those neither muted nor in the baseline,
        # the renderer those --severity shows.
        findings = judged(number.document["Findings"])
        tally.count(number.document["PhoneNumber"], findings)
        outcome.described(Described({"Findings": counting(findings)}, number.failures), fail_on)
        shown = {**number.document, "Findings": at_least(findings, severity)}
        renderer.add(Result(e164_of(number.document["PhoneNumber"]), shown))

    def stop() -> None:
        context.run_of(ctx).stop()
        if pairs:
            estate.estate_of(ctx).stop()
        tally.complete = False

    def finish() -> None:
        if mutes:
            # Reported once the inventory is, as findings of no number.
            findings = judged(mutes.expired_findings(AUDIT))
            tally.count(None, findings)
            outcome.described(Described({"Findings": counting(findings)}, []), fail_on)
            renderer.add(
                Result("", {"PhoneNumber": None, "Findings": at_least(findings, severity)})
            )
        summary = tally.summary()
        if mutes:
            summary["Mutes"] = mutes.summary()
        if baseline:
            summary["Baseline"] = baseline.summary()
        renderer.totals(summary)
        renderer.finish()

    return runner.run(
        outcome,
        described(),
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: f"{tally.numbers} numbers audited",
    )
