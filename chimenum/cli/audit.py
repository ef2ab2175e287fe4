"""``chimenum audit``: the whole inventory described, summed up, and its findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from chimenum.cli import context, runner
from chimenum.cli.filters import filters_of, listing_filters
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    findings_options,
    max_attempts_option,
    output_option,
)
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.describe import Described


@click.command(epilog=EXIT_CODES_HELP)
@listing_filters
@output_option(
    "audit",
    "table: the summary, then one line per finding, most severe first; csv: a row per finding.",
)
@findings_options
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
    tags: bool,
    number_timeout: float,
    color: ColorChoice,
    utc: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Describe every number of the account and sum up what is wrong.

    Lists the numbers as `list` does (same filters) and describes each as `describe` does; a
    summary (numbers by status, product type and country; findings by severity and code) comes
    first. Exit codes as for describe.

    \b
    Examples:
      chimenum --demo audit --severity warning --fail-on never
      chimenum --demo --api voice audit -o csv > findings.csv
      chimenum audit --product-type VoiceConnector --json | jq '.Summary.FindingsByCode'
    \f
    At most --concurrency numbers are described at once, and each shared resource is read
    once. A missing field is counted as "unknown". The table lists the findings most severe
    first, then by number (the 10,000 most severe; a message longer than 300 cells is cut).
    ndjson and csv stream one finding per line in the order found, as numbers are described
    (ndjson ends with a {"Summary": ...} line); json keeps the first 10,000 found, in that
    order. Memory stays flat whatever the size of the inventory. --severity picks the findings
    every format shows; the summary and --fail-on count them all. Severities are audit's: an
    unassigned number is info (it costs, nothing is broken), where describe calls it an error
    (docs/describe.md).
    """
    filters = filters_of(ctx, status, product_type, filter_name, filter_value)

    from chimenum.core.audit import Tally, audit
    from chimenum.core.fetch import Result
    from chimenum.core.findings import at_least
    from chimenum.core.ids import e164_of
    from chimenum.core.listing import ListingStopped
    from chimenum.output.formats import RenderOptions, get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    options = RenderOptions(kind="list", utc=utc, severity=severity)
    renderer = get_renderer("json" if as_json else output, env, options, "audit")
    resolver = runner.resolver_of(ctx, env, tags=tags, number_timeout=number_timeout)
    lister = context.lister(ctx, max_attempts)
    tally = Tally()
    outcome = runner.Outcome(env)

    def described() -> Iterator[Described]:
        try:
            yield from audit(
                lister, filters, resolver, now=env.now(), concurrency=concurrency, limit=limit
            )
        except ListingStopped as stop:
            tally.complete = False
            outcome.add(stop.failure.exit_code)
            env.error(
                f"error: listing stopped after {tally.numbers} numbers:"
                f" {stop.failure.code}: {stop.failure.message}"
            )

    def take(number: Described) -> None:
        # The summary and --fail-on see every finding; the renderer only those --severity shows.
        tally.add(number)
        outcome.described(number, fail_on)
        shown = {**number.document, "Findings": at_least(number.document["Findings"], severity)}
        renderer.add(Result(e164_of(number.document["PhoneNumber"]), shown))

    def stop() -> None:
        context.run_of(ctx).stop()
        tally.complete = False

    def finish() -> None:
        renderer.totals(tally.summary())
        renderer.finish()

    return runner.run(
        outcome,
        described(),
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: f"{tally.numbers} numbers audited",
    )
