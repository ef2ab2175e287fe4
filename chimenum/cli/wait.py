"""``chimenum wait``: wait until numbers reach a wanted status."""

from __future__ import annotations

import click

from chimenum.cli import context, hints
from chimenum.cli.list import check_for_api
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    Seconds,
    aws_options,
    choices_of,
    complete_ids,
    max_attempts_option,
    per_api,
)
from chimenum.core.apis import STATUSES
from chimenum.core.errors import ExitCode
from chimenum.core.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_WAIT_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("ids", nargs=-1, metavar="ID...", shell_complete=complete_ids)
@click.option(
    "--status",
    "statuses",
    type=choices_of(STATUSES),
    multiple=True,
    required=True,
    metavar="STATUS",
    help=f"A wanted status; repeat for several, any one will do ({per_api(STATUSES)}).",
)
@click.option(
    "--timeout",
    type=Seconds(0, 7 * 86400),
    default=DEFAULT_WAIT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up (exit 13) after this long: seconds, or a duration such as 90s, 5m, 1h30m.",
)
@click.option(
    "--interval",
    type=Seconds(0.01, 3600),
    default=DEFAULT_WAIT_INTERVAL,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between polls.",
)
@max_attempts_option("Tries per poll of an id when throttled or the service fails.")
@click.option("-q", "--quiet", is_flag=True, help="No line on stderr when the wait fails.")
@aws_options
@click.pass_context
def wait(
    ctx: click.Context,
    ids: tuple[str, ...],
    statuses: tuple[str, ...],
    timeout: float,
    interval: float,
    max_attempts: int,
    quiet: bool,
) -> int:
    """Wait until every ID reaches one of the wanted statuses.

    Polls every --interval seconds. Exit 0 once every id has been seen in a wanted status (an id
    is done the first time it is; it is not polled again). Exit 14 as soon as an id is in a
    failed state it does not leave on its own (AcquireFailed, DeleteFailed, ReleaseFailed,
    Cancelled) and that is not wanted. Exit 13 if the timeout passes first (a last poll is made
    at the deadline). An id that cannot be fetched (NotFoundException, ...) ends the wait with
    that error's exit code. Throttled polls are retried, as for get.

    On a terminal a live table shows each id's status and how long it has waited; piped, one
    line per status change: "SECONDS ID STATUS [reached|failed|error]".

    \b
    Examples:
      chimenum wait +12065550105 --status Unassigned --interval 1
      chimenum --api voice wait +12065550111 --status Unassigned --timeout 600 --interval 1
      chimenum wait +12065550107 --status Unassigned --status Assigned --timeout 60 --interval 1
    """
    from chimenum.core.ids import InvalidId, unique

    if not ids:
        raise click.UsageError("no phone-number id given", ctx)
    try:
        phone_ids = unique(ids)
    except InvalidId as exc:
        raise click.UsageError(str(exc), ctx) from None
    settings = context.settings_of(ctx)
    check_for_api(ctx, settings.api, [("status", status) for status in statuses])

    from chimenum.core.safe import inert
    from chimenum.core.waiting import Waiter
    from chimenum.output.live import make_display

    env = context.environment(ctx, quiet=quiet)
    concurrency = DEFAULT_CONCURRENCY
    fetcher = context.fetcher(ctx, concurrency, max_attempts)
    waiter = Waiter(
        fetcher,
        phone_ids,
        frozenset(statuses),
        timeout=timeout,
        interval=interval,
        concurrency=concurrency,
    )
    display = make_display(env, waiter)
    display.start()
    try:
        for change in waiter.run():
            display.change(change)
    finally:
        display.finish()
    outcome = waiter.outcome
    if outcome.exit_code is not ExitCode.OK:
        hint = (
            hints.other_api_hint(ctx, fetcher.client, phone_ids[0], outcome.exit_code)
            if len(phone_ids) == 1
            else ""
        )
        message = f"{outcome.message.rstrip('.')} ({hint})" if hint else outcome.message
        env.warn(inert(message))
    return int(outcome.exit_code)
