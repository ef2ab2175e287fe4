"""``chimenum wait``: wait until numbers reach a wanted status."""

from __future__ import annotations

from typing import Any

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.inputs import id_arguments, one_id, read_ids
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    color_option,
    json_option,
    max_attempts_option,
    quiet_option,
    render_options,
    utc_option,
)
from chimenum.cli.params import (
    OneOf,
    Seconds,
    Several,
    check_for_api,
    flattened,
    query_expression,
)
from chimenum.core.apis import STATUSES
from chimenum.core.errors import ExitCode
from chimenum.core.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_WAIT_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from chimenum.output.env import ColorChoice
from chimenum.output.formats import formats_of


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@click.option(
    "--status",
    "statuses",
    type=Several(STATUSES),
    multiple=True,
    required=True,
    metavar="STATUS[,...]",
    help="The wanted statuses, in any case, comma-separated or repeated; any one will do.",
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
@click.option(
    "--keep-going",
    is_flag=True,
    help="When an id fails, keep waiting for the others (the exit code is the most severe).",
)
@click.option(
    "-o",
    "--output",
    type=OneOf(["live", *formats_of("numbers")]),
    default="live",
    show_default=True,
    metavar="FORMAT",
    help="live: the changes as they happen (a live table on a terminal, a line per change"
    f" piped); or one of get's formats ({', '.join(formats_of('numbers'))}): nothing until"
    " the wait ends, then each id's final state as get prints it.",
)
@json_option
@click.option(
    "--query",
    metavar="EXPR",
    callback=query_expression,
    help="JMESPath expression applied to the final states' JSON document, as get applies it.",
)
@color_option
@utc_option
@max_attempts_option("Tries per poll of an id (throttling, 5xx).")
@quiet_option("No line on stderr when the wait fails.")
@aws_options
@click.pass_context
def wait(
    ctx: click.Context,
    ids: tuple[str, ...],
    from_files: tuple[Any, ...],
    statuses: tuple[tuple[str, ...], ...],
    timeout: float,
    interval: float,
    keep_going: bool,
    output: str,
    as_json: bool,
    query: str | None,
    color: ColorChoice,
    utc: bool,
    max_attempts: int,
    quiet: bool,
) -> int:
    """Wait until every ID reaches one of the wanted statuses.

    Polls every --interval seconds. Exit 0 once every id has been seen in a wanted status, 14
    when one is in a failed state it does not leave on its own, 13 when the timeout passes.
    --keep-going waits for the others when one id fails. With -o FORMAT (or --json) stdout holds
    only the final states, in the shape get prints for the same ids.

    \b
    Examples:
      chimenum wait +12065550105 --status Unassigned --interval 1
      chimenum --api voice wait +12065550111 --status unassigned --timeout 600 --interval 1
      chimenum wait +12065550107 --status Unassigned,Assigned --timeout 60 --interval 1
      chimenum wait - --status Unassigned -o ndjson --interval 1 <<< +12065550104
    \f
    An id is done the first time it is seen in a wanted status; it is not polled again. The
    failed states are AcquireFailed, DeleteFailed, ReleaseFailed and Cancelled, when not wanted;
    exit 14 comes as soon as an id is in one. A last poll is made at the deadline before exit 13.
    An id that cannot be fetched (NotFoundException, ...) fails with that error's exit code. A
    failed id ends the wait at once, unless --keep-going: then the others are still waited for,
    each failure gets its line on stderr, and the exit code is the most severe met (see
    chimenum --help). Throttled polls are retried, as for get. Ids are read as get reads them:
    arguments, `-` for stdin or --from-file FILE, one per line.

    On a terminal a live table shows each id's status and how long it has waited; piped, one
    line per status change: "SECONDS ID STATUS [reached|failed|error]". With a format, -o ndjson
    is one line per id whatever their number.
    """
    wanted = flattened(statuses)
    estate.one_pair(ctx, "wait")
    settings = context.settings_of(ctx)
    check_for_api(ctx, settings.api, [("status", status) for status in wanted])
    fmt = "json" if as_json else output
    if fmt == "live" and query is not None:
        raise click.UsageError("--query applies to a format (-o json, ndjson, ...), not -o live")
    _, options = render_options(
        ctx,
        "one" if one_id(ids, from_files) else "many",
        output=fmt,
        as_json=False,
        query=query,
        utc=utc,
        columns=None,
        sort_by=None,
        no_headers=False,
    )
    env = context.environment(ctx, quiet=quiet, color=color)
    asked = read_ids(ctx, env, ids, from_files)
    if asked is None:
        return int(ExitCode.USAGE)

    from chimenum.core.waiting import Waiter
    from chimenum.output.formats import get_renderer
    from chimenum.output.live import WaitDisplay, make_display

    concurrency = DEFAULT_CONCURRENCY
    fetcher = runner.fetcher_of(ctx, concurrency, max_attempts)
    waiter = Waiter(
        fetcher,
        asked.ids,
        frozenset(wanted),
        timeout=timeout,
        interval=interval,
        concurrency=concurrency,
        keep_going=keep_going,
    )
    outcome = runner.Outcome(env, runner.other_api_hint(ctx, fetcher.client, one=asked.one))
    renderer = get_renderer(fmt, env, options) if fmt != "live" else None
    display = make_display(env, waiter) if renderer is None else WaitDisplay(env, waiter)
    display.start()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        stopped = True
        context.run_of(ctx).stop()

    def finish() -> None:
        display.finish()
        if renderer is None:
            return
        for result in waiter.final(done_only=stopped):
            renderer.add(result)
        if stopped:
            renderer.incomplete(None, waiter.still_waiting())
        renderer.finish()

    def ended() -> None:
        for problem in waiter.outcome.problems:
            outcome.add(problem.exit_code)
            env.warn(outcome.hinted(problem.message, problem.phone_number_id, problem.exit_code))

    return runner.run(
        outcome,
        waiter.run(),
        display.change,
        stop=stop,
        finish=finish,
        after=ended,
    )
