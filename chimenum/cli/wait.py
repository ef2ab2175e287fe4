"""``chimenum wait``: wait until numbers reach a wanted status."""

from __future__ import annotations

from typing import Any

import click

from chimenum.cli import context, runner
from chimenum.cli.inputs import id_arguments, read_ids
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    max_attempts_option,
    quiet_option,
)
from chimenum.cli.params import Seconds, check_for_api, choices_of
from chimenum.core.apis import STATUSES
from chimenum.core.errors import ExitCode
from chimenum.core.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_WAIT_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@click.option(
    "--status",
    "statuses",
    type=choices_of(STATUSES),
    multiple=True,
    required=True,
    metavar="STATUS",
    help="A wanted status, in any case; repeat for several, any one will do.",
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
@quiet_option("No line on stderr when the wait fails.")
@aws_options
@click.pass_context
def wait(
    ctx: click.Context,
    ids: tuple[str, ...],
    from_files: tuple[Any, ...],
    statuses: tuple[str, ...],
    timeout: float,
    interval: float,
    max_attempts: int,
    quiet: bool,
) -> int:
    """Wait until every ID reaches one of the wanted statuses.

    Polls every --interval seconds. Exit 0 once every id has been seen in a wanted status, 14
    when one is in a failed state it does not leave on its own, 13 when the timeout passes.

    \b
    Examples:
      chimenum wait +12065550105 --status Unassigned --interval 1
      chimenum --api voice wait +12065550111 --status unassigned --timeout 600 --interval 1
      chimenum wait +12065550107 --status Unassigned --status Assigned --timeout 60 --interval 1
      chimenum wait - --status Unassigned --interval 1 <<< +12065550104
    \f
    An id is done the first time it is seen in a wanted status; it is not polled again. The
    failed states are AcquireFailed, DeleteFailed, ReleaseFailed and Cancelled, when not wanted;
    exit 14 comes as soon as an id is in one. A last poll is made at the deadline before exit 13.
    An id that cannot be fetched (NotFoundException, ...) ends the wait with that error's exit
    code. Throttled polls are retried, as for get. Ids are read as get reads them: arguments,
    `-` for stdin or --from-file FILE, one per line.

    On a terminal a live table shows each id's status and how long it has waited; piped, one
    line per status change: "SECONDS ID STATUS [reached|failed|error]".
    """
    settings = context.settings_of(ctx)
    check_for_api(ctx, settings.api, [("status", status) for status in statuses])
    env = context.environment(ctx, quiet=quiet)
    asked = read_ids(ctx, env, ids, from_files)
    if asked is None:
        return int(ExitCode.USAGE)

    from chimenum.core.waiting import Waiter
    from chimenum.output.live import make_display

    concurrency = DEFAULT_CONCURRENCY
    fetcher = runner.fetcher_of(ctx, concurrency, max_attempts)
    waiter = Waiter(
        fetcher,
        asked.ids,
        frozenset(statuses),
        timeout=timeout,
        interval=interval,
        concurrency=concurrency,
    )
    outcome = runner.Outcome(env, runner.other_api_hint(ctx, fetcher.client, one=asked.one))
    display = make_display(env, waiter)
    display.start()

    def ended() -> None:
        end = waiter.outcome
        outcome.add(end.exit_code)
        if end.exit_code is not ExitCode.OK:
            env.warn(outcome.hinted(end.message, asked.ids[0], end.exit_code))

    return runner.run(
        outcome,
        waiter.run(),
        display.change,
        stop=context.run_of(ctx).stop,
        finish=display.finish,
        after=ended,
    )
