"""``chimenum describe``: where calls to a number go, and what is wrong on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chimenum.cli import context, hints
from chimenum.cli.options import EXIT_CODES_HELP, aws_options, id_arguments, max_attempts_option
from chimenum.cli.signals import Terminated
from chimenum.core.errors import ExitCode, most_severe
from chimenum.core.settings import DEFAULT_CONCURRENCY
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.resources import Resources

F = TypeVar("F", bound=Callable[..., Any])


def describe_options(f: F) -> F:
    """Options ``describe`` and ``audit`` share: format, findings, concurrency."""
    decorators = [
        click.option(
            "-o",
            "--output",
            type=click.Choice(["table", "json", "ndjson", "csv"]),
            default="table",
            show_default=True,
            help="table: a tree per number and its findings; csv: one row per finding.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Same as --output json."),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "never"]),
            default="error",
            show_default=True,
            help="Exit 15 when a finding is at least this severe (never: findings never fail).",
        ),
        click.option("--tags", is_flag=True, help="Also read each number's tags (voice only)."),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour on stdout: auto means on a terminal, unless $NO_COLOR is set.",
        ),
        click.option("--utc", is_flag=True, help="Show timestamps in UTC, not local time."),
        click.option("-q", "--quiet", is_flag=True, help="No per-id error lines on stderr."),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 256),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            metavar="N",
            help="Numbers described at once.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def resources_of(ctx: click.Context) -> Resources:
    """The run's related resources, through the run object's clients and policies."""
    from chimenum.core.resources import Resources

    return Resources(context.run_of(ctx))


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@describe_options
@max_attempts_option("Tries per request when throttled or the service fails (5xx).")
@aws_options
@click.pass_context
def describe(
    ctx: click.Context,
    ids: tuple[str, ...],
    from_files: tuple[Any, ...],
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
    """Show numbers with every related resource resolved, and what is wrong with them.

    Each number is fetched as `get` fetches it, then its associations are followed: a voice
    connector (origination routes, termination, termination health), a voice connector group
    and its connectors, a SIP rule and its SIP media applications (Lambda endpoints), the
    order, with --tags the number's tags; with --api chime also the account and user. Each
    resource is read once per run however many numbers share it; one missing from the
    region is looked for in every other Voice Connector region, and is called missing only
    when every region answered not found (a region that refused or failed is named instead).

    Findings have a severity and a stable code (docs/describe.md lists them all, with their
    severity for describe and for audit): error (the number cannot take calls, or calls
    cannot reach a working target), warning (degraded, pending, or not readable: "not
    permitted" never fails a number), info. The exit code is get's for the numbers
    themselves and for resources that could not be read, else 15 when a finding is at least
    --fail-on (default error), else 0.

    \b
    Examples:
      chimenum --demo --api voice describe +12065550101
      chimenum --demo --api voice describe +12065550103 --json | jq -r '.Findings[].Code'
      chimenum --demo describe +12065550100 +12065550108 -o csv
      chimenum --api voice --region us-west-2 describe - -o ndjson < numbers.txt
    """
    from chimenum.cli.get import _read_ids, report

    env = context.environment(ctx, quiet=quiet, color=color)
    if not ids and not from_files:
        raise click.UsageError("no phone-number id given", ctx)
    phone_ids = _read_ids(env, ctx, ids, from_files)
    if phone_ids is None:
        return int(ExitCode.USAGE)
    fmt = "json" if as_json else output
    one = len(ids) == 1 and not from_files and ids[0] != "-"

    from chimenum.core.describe import Resolver, describe_ids
    from chimenum.core.findings import at_or_above
    from chimenum.output.describe import DescribeRenderer

    renderer = DescribeRenderer(env, fmt, one=one, utc=utc)
    fetcher = context.fetcher(ctx, concurrency, max_attempts)
    resolver = Resolver(resources_of(ctx), tags=tags)
    codes: list[ExitCode] = []
    done = 0
    try:
        for result, described in describe_ids(fetcher, resolver, phone_ids, concurrency, env.now()):
            renderer.add(result, described)
            done += 1
            if result.failure is not None:
                codes.append(result.failure.exit_code)
                failure, phone_id = result.failure, result.phone_number_id
                hint = (
                    hints.other_api_hint(ctx, fetcher.client, phone_id, failure.exit_code)
                    if one
                    else ""
                )
                report(env, phone_id, failure, hint)
            if described is not None:
                codes += described.failures
                if at_or_above(described.document["Findings"], fail_on):
                    codes.append(ExitCode.FINDINGS)
    except (KeyboardInterrupt, Terminated) as stop:
        context.run_of(ctx).stop()
        terminated = isinstance(stop, Terminated)
        env.error(
            f"{'terminated' if terminated else 'interrupted'}:"
            f" {done} of {len(phone_ids)} ids described"
        )
        return int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)
    finally:
        renderer.finish()
    return int(most_severe(codes))
