"""``chimenum audit``: the whole inventory described, summed up, and its findings."""

from __future__ import annotations

import click

from chimenum.cli import context
from chimenum.cli.describe import describe_options, resources_of
from chimenum.cli.list import check_for_api
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    choices_of,
    max_attempts_option,
    output_option,
    per_api,
)
from chimenum.cli.signals import Terminated
from chimenum.core.apis import FILTER_NAMES, PRODUCT_TYPES, STATUSES
from chimenum.core.errors import ExitCode, most_severe
from chimenum.output.env import ColorChoice


@click.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--status", type=choices_of(STATUSES), metavar="STATUS", help=f"As list ({per_api(STATUSES)})."
)
@click.option("--product-type", type=choices_of(PRODUCT_TYPES), metavar="TYPE", help="As list.")
@click.option("--filter-name", type=choices_of(FILTER_NAMES), metavar="NAME", help="As list.")
@click.option("--filter-value", metavar="VALUE", help="As list, with --filter-name.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Stop after N numbers.")
@output_option(
    "audit",
    "table: the summary, then one line per finding; text: the JSON as the AWS CLI's text;"
    " csv: one row per finding.",
)
@describe_options
@max_attempts_option("Tries per request when throttled or the service fails (5xx).")
@aws_options
@click.pass_context
def audit(
    ctx: click.Context,
    status: str | None,
    product_type: str | None,
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    output: str,
    as_json: bool,
    fail_on: str,
    tags: bool,
    color: ColorChoice,
    utc: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Describe every number of the account and sum up what is wrong.

    Lists the numbers as `list` does (same filters), describes each one as `describe` does (at
    most --concurrency at once; each shared resource read once), then prints a summary (numbers
    by status, product type and country; findings by severity and code) and the findings.
    ndjson and csv stream one finding per line as numbers are described (ndjson ends with a
    {"Summary": ...} line); json and the table keep at most 10,000 findings. Memory stays flat
    whatever the size of the inventory. Severities are audit's: an unassigned number is
    info (it costs, nothing is broken), where describe calls it an error (docs/describe.md).
    Exit codes as for describe.

    \b
    Examples:
      chimenum --demo audit --fail-on never
      chimenum --demo --api voice audit -o csv > findings.csv
      chimenum audit --product-type VoiceConnector --json | jq '.Summary.FindingsByCode'
    """
    settings = context.settings_of(ctx)
    check_for_api(
        ctx,
        settings.api,
        [("status", status), ("product type", product_type), ("filter name", filter_name)],
    )
    if (filter_name is None) != (filter_value is None):
        raise click.UsageError("--filter-name and --filter-value go together", ctx)

    from chimenum.core.audit import Tally, audit
    from chimenum.core.describe import Resolver
    from chimenum.core.fetch import Fetcher, Result
    from chimenum.core.findings import at_or_above
    from chimenum.core.listing import Filters, Lister, ListingStopped
    from chimenum.core.safe import inert
    from chimenum.output.formats import RenderOptions, get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    options = RenderOptions(kind="list", utc=utc)
    renderer = get_renderer("json" if as_json else output, env, options, "audit")
    fetcher = Fetcher(
        context.client(ctx, max_pool_connections=concurrency), max_attempts=max_attempts
    )
    resolver = Resolver(resources_of(ctx, fetcher, concurrency), tags=tags)
    lister = Lister(fetcher.client, settings.api, fetcher.policy)
    filters = Filters(status, product_type, filter_name, filter_value)
    tally = Tally()
    codes: list[ExitCode] = []
    try:
        for described in audit(
            lister, filters, resolver, now=env.now(), concurrency=concurrency, limit=limit
        ):
            tally.add(described)
            number, findings = described.document["PhoneNumber"], described.document["Findings"]
            renderer.add(Result(number.get("PhoneNumberId", ""), described.document))
            codes += described.failures
            if at_or_above(findings, fail_on):
                codes.append(ExitCode.FINDINGS)
    except ListingStopped as stop:
        tally.complete = False
        codes.append(stop.failure.exit_code)
        env.error(
            f"error: listing stopped after {tally.numbers} numbers:"
            f" {stop.failure.code}: {inert(stop.failure.message)}"
        )
    except (KeyboardInterrupt, Terminated) as stop:
        fetcher.stop()
        tally.complete = False
        terminated = isinstance(stop, Terminated)
        env.error(
            f"{'terminated' if terminated else 'interrupted'}: {tally.numbers} numbers audited"
        )
        renderer.totals(tally.summary())
        renderer.finish()
        return int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)
    renderer.totals(tally.summary())
    renderer.finish()
    return int(most_severe(codes))
