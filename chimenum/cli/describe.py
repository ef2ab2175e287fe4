"""``chimenum describe``: where calls to a number go, and what is wrong on the way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.inputs import id_arguments, read_ids
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    findings_options,
    max_attempts_option,
    output_option,
)
from chimenum.core.errors import ExitCode
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.describe import Described
    from chimenum.core.fetch import Result
    from chimenum.core.mutes import Mutelist


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@output_option(
    "descriptions",
    "table: a tree per number and its findings; text: the JSON as the AWS CLI's text;"
    " csv: one row per finding.",
)
@findings_options
@max_attempts_option("Tries per request (throttling, 5xx).")
@aws_options
@click.pass_context
def describe(
    ctx: click.Context,
    ids: tuple[str, ...],
    from_files: tuple[Any, ...],
    output: str,
    as_json: bool,
    fail_on: str,
    severity: str,
    mutelist: Mutelist | None,
    tags: bool,
    number_timeout: float,
    color: ColorChoice,
    utc: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Show numbers with every related resource resolved, and what is wrong with them.

    Each number is fetched as `get` fetches it, then what it leads to is resolved (voice
    connectors, groups, SIP rules and applications, the order); findings have a severity and a
    stable code (docs/describe.md). Exit 15 when a finding is at least --fail-on.

    \b
    Examples:
      chimenum --demo --api voice describe +12065550101
      chimenum --demo --api voice describe +12065550103 --json | jq -r '.Findings[].Code'
      chimenum --demo describe +12065550100 +12065550108 -o csv
      chimenum --api voice --region us-west-2 describe - -o ndjson < numbers.txt
    \f
    The associations followed: a voice connector (origination routes, termination,
    termination health), a voice connector group and its connectors, a SIP rule and its SIP
    media applications (Lambda endpoints), the order, with --tags the number's tags; with --api
    chime also the account and user. Each resource is read once per run however many numbers
    share it; one missing from the region is looked for in every other Voice Connector region,
    and is called missing only when every region answered not found (a region that refused or
    failed is named instead). A number's lookups run at once (up to 8), each given up at
    --number-timeout; a SIP rule's targets past 25, a group's connectors and an origination's
    routes past 100 are not followed (FANOUT_CAPPED). A related endpoint that cannot be reached,
    or refuses the credentials, fails the lookups that need it by name; every number is still
    printed.

    Severities: error (the number cannot take calls, or calls cannot reach a working target),
    warning (degraded, pending, or not readable: "not permitted" never fails a number), info.
    docs/describe.md lists every code, with its severity for describe and for audit. The exit
    code is get's for the numbers themselves and for resources that could not be read, else 15
    when a finding is at least --fail-on (default error), else 0. --severity picks the findings
    every format shows; --fail-on counts them all but those --mutelist mutes (shown, marked
    muted); a rule of it past its Expires date mutes nothing and is a MUTE_EXPIRED warning on
    stderr.
    """
    env = context.environment(ctx, quiet=quiet, color=color)
    asked = read_ids(ctx, env, ids, from_files)
    if asked is None:
        return int(ExitCode.USAGE)

    from chimenum.core.describe import Described, describe_ids
    from chimenum.core.fetch import Result
    from chimenum.core.findings import at_least
    from chimenum.core.mutes import counting
    from chimenum.output.formats import RenderOptions, get_renderer
    from chimenum.output.times import message_text

    several = estate.several(ctx)
    options = RenderOptions(
        kind="one" if asked.one else "many", utc=utc, severity=severity, several=several
    )
    renderer = get_renderer("json" if as_json else output, env, options, "descriptions")
    if not asked.ids:
        renderer.finish()
        return int(ExitCode.OK)
    if several:
        context.run_of(ctx, concurrency=concurrency, max_attempts=max_attempts)
        outcome = runner.Outcome(env)
        pairs = estate.Pairs(ctx, env, outcome)
        resolver_for = estate.resolver_for(ctx, env, tags=tags, number_timeout=number_timeout)
        described = pairs.described_ids(asked.ids, resolver_for, env.now(), concurrency)
        # Each finding carries its own Profile, AwsAccountId and Region for the mutelist.
        mutes = mutelist and context.mutes(ctx, env, mutelist, None)
    else:
        fetcher = runner.fetcher_of(ctx, concurrency, max_attempts)
        resolver = runner.resolver_of(ctx, env, tags=tags, number_timeout=number_timeout)
        outcome = runner.Outcome(env, runner.other_api_hint(ctx, fetcher.client, one=asked.one))
        mutes = mutelist and context.mutes(ctx, env, mutelist, fetcher.client)
        described = describe_ids(fetcher, resolver, asked.ids, concurrency, env.now())
    done = 0

    def take(pair: tuple[Result, Described | None]) -> None:
        nonlocal done
        result, described = pair
        # A described number is rendered as its description (its findings at --severity),
        # a failed one as its failure.
        if described is None:
            renderer.add(result)
        else:
            found = described.document["Findings"]
            found = mutes.apply(found) if mutes else found
            shown = {**described.document, "Findings": at_least(found, severity)}
            renderer.add(Result(result.phone_number_id, shown))
            outcome.described(Described({"Findings": counting(found)}, described.failures), fail_on)
        done += 1
        if result.failure is not None:
            outcome.failed(result.phone_number_id, result.failure)

    def expired() -> None:
        # Not a number's finding: a line on stderr, and a warning for --fail-on.
        findings = mutes.apply(mutes.expired_findings()) if mutes else []
        for item in counting(findings):
            env.warn(f"warning: {item['Code']}: {message_text(item['Message'])}")
        outcome.described(Described({"Findings": counting(findings)}, []), fail_on)

    def stop() -> None:
        context.run_of(ctx).stop()
        if several:
            estate.estate_of(ctx).stop()
        renderer.incomplete(None, asked.ids[done:])

    def finish() -> None:
        if several:
            renderer.pairs(pairs.pairs())
        renderer.finish()

    return runner.run(
        outcome,
        described,
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: f"{done} of {len(asked.ids)} ids described",
        after=expired,
    )
