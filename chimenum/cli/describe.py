"""``chimenum describe``: where calls to a number go, and what is wrong on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chimenum.cli import context, hints
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    id_arguments,
    max_attempts_option,
    output_option,
)
from chimenum.cli.signals import Terminated
from chimenum.core.errors import ExitCode, most_severe
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.fetch import Fetcher
    from chimenum.core.resources import Resources

F = TypeVar("F", bound=Callable[..., Any])


def describe_options(f: F) -> F:
    """Options ``describe`` and ``audit`` share (each declares its own ``-o``, from the format
    registry): findings, colour, concurrency."""
    decorators = [
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
            default=16,
            show_default=True,
            metavar="N",
            help="Numbers described at once.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def resources_of(ctx: click.Context, fetcher: Fetcher, concurrency: int) -> Resources:
    """The run's related resources, fetched with ``fetcher``'s policy and, where it fits, client."""
    from chimenum.core.resources import Resources

    settings = context.settings_of(ctx)

    def client_for(api: Any, region: str | None) -> Any:
        if api == settings.api and region is None:
            return fetcher.client
        return context.client_for(ctx, api, region, max_pool_connections=concurrency)

    return Resources(client_for, fetcher.policy)


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@output_option(
    "descriptions",
    "table: a tree per number and its findings; text: the JSON as the AWS CLI's text;"
    " csv: one row per finding.",
)
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
    from chimenum.core.fetch import Fetcher, Result
    from chimenum.core.findings import at_or_above
    from chimenum.output.formats import RenderOptions, get_renderer

    options = RenderOptions(kind="one" if one else "many", utc=utc)
    renderer = get_renderer(fmt, env, options, "descriptions")
    fetcher = Fetcher(
        context.client(ctx, max_pool_connections=concurrency), max_attempts=max_attempts
    )
    resolver = Resolver(resources_of(ctx, fetcher, concurrency), tags=tags)
    codes: list[ExitCode] = []
    done = 0
    try:
        for result, described in describe_ids(fetcher, resolver, phone_ids, concurrency, env.now()):
            # A described number is rendered as its description, a failed one as its failure.
            renderer.add(
                result if described is None else Result(result.phone_number_id, described.document)
            )
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
        fetcher.stop()
        terminated = isinstance(stop, Terminated)
        env.error(
            f"{'terminated' if terminated else 'interrupted'}:"
            f" {done} of {len(phone_ids)} ids described"
        )
        return int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)
    finally:
        renderer.finish()
    return int(most_severe(codes))
