"""``chimenum get``: fetch phone numbers by id and show them."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.inputs import id_arguments, one_id, read_ids
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    concurrency_option,
    max_attempts_option,
    output_options,
    render_options,
)
from chimenum.core.errors import ExitCode
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.cli.inputs import Ids
    from chimenum.core.estate_ids import Looked
    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment
    from chimenum.output.formats import Renderer


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@output_options
@concurrency_option("Requests in flight at once for several ids.")
@max_attempts_option("Tries per id (throttling, 5xx).")
@aws_options
@click.pass_context
def get(
    ctx: click.Context,
    ids: tuple[str, ...],
    from_files: tuple[Any, ...],
    output: str,
    as_json: bool,
    query: str | None,
    color: ColorChoice,
    utc: bool,
    columns: tuple[str, ...] | None,
    sort_by: str | None,
    no_headers: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Fetch phone numbers by id and show them.

    An ID is the number in E.164 form (+12065550100); the percent-encoded form that list output
    shows (%2B12065550100), separators (+1 206-555-0100) and the number's ARN are accepted.
    One ID prints the document `aws chime get-phone-number` prints; several, or any read from a
    file or stdin, print {"PhoneNumbers": [...], "PhoneNumberErrors": [...]} in input order.
    For one shape whatever the number of ids (a script passing "$@" on), use -o ndjson: one
    {"PhoneNumber": {...}} line per id, or its error object.

    \b
    Examples:
      chimenum get +12065550100
      chimenum get +12065550100 +12065550101 --json | jq '.PhoneNumberErrors'
      chimenum get - -o ndjson < numbers.txt
      chimenum get +12065550100 --query PhoneNumber.Status -o text
    \f
    A +1 number needs ten digits after the 1. An id given twice is fetched once and printed
    twice: the Nth entry of the output (line, row, array element) is about the Nth id. With
    --api voice, one ID prints what `aws chime-sdk-voice get-phone-number` prints.

    `-` (or --from-file FILE) reads ids one per line; blank lines and everything after a `#`
    are skipped. Any invalid line is reported with its line number and nothing is fetched
    (exit 2). Batches run --concurrency requests at once on one connection pool; throttling
    and 5xx answers are retried with backoff (--max-attempts tries per id) while the request
    rate adapts to what the API accepts. On a terminal, batches taking over a second show a
    progress bar on stderr. Ctrl-C stops at once, writes what was fetched, and exits 130.
    """
    env = context.environment(ctx, quiet=quiet, color=color)
    batch = not one_id(ids, from_files)
    fmt, options = render_options(
        ctx,
        "many" if batch else "one",
        output=output,
        as_json=as_json,
        query=query,
        utc=utc,
        columns=columns,
        sort_by=sort_by,
        no_headers=no_headers,
    )
    asked = read_ids(ctx, env, ids, from_files)
    if asked is None:
        return int(ExitCode.USAGE)

    from chimenum.output.formats import get_renderer

    several = estate.several(ctx)
    renderer = get_renderer(fmt, env, dataclasses.replace(options, several=several))
    phone_ids = asked.ids
    if not phone_ids:
        renderer.finish()
        return int(ExitCode.OK)
    if several:
        return _over_pairs(ctx, env, renderer, asked, concurrency, max_attempts)
    fetcher = runner.fetcher_of(ctx, concurrency, max_attempts)
    outcome = runner.Outcome(env, runner.other_api_hint(ctx, fetcher.client, one=asked.one))
    progress = None
    # A progress bar for batches on a terminal; not when ndjson lines stream to the same one.
    if (
        len(phone_ids) > 1
        and env.stderr_isatty
        and not quiet
        and not (fmt == "ndjson" and env.stdout_isatty)
    ):
        from chimenum.output.progress import BatchProgress

        delay = context.settings_of(ctx).progress_delay
        progress = BatchProgress(env, len(phone_ids), delay).start()
    written = 0
    as_asked = runner.AsAsked(asked.given)

    def take(fetched: Result) -> None:
        nonlocal written
        for result in as_asked(fetched):
            renderer.add(result)
            written += 1
            if result.failure is not None:
                outcome.failed(result.phone_number_id, result.failure)

    def close_progress() -> None:
        if progress is not None:
            progress.close()

    def stop() -> None:
        context.run_of(ctx).stop()
        close_progress()
        # Ids fetched while waiting for an earlier one are written too (still in order).
        for result in fetcher.done_but_not_yielded():
            take(result)
        if batch:
            renderer.incomplete(None, as_asked.left())

    def finish() -> None:
        close_progress()
        renderer.finish()

    return runner.run(
        outcome,
        fetcher.many(
            phone_ids,
            concurrency,
            on_done=progress.advance if progress else None,
            on_idle=runner.flushing(renderer),
        ),
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: f"{written} of {len(asked.given)} ids fetched" if batch else "",
    )


def _over_pairs(
    ctx: click.Context,
    env: Environment,
    renderer: Renderer,
    asked: Ids,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Each id asked of every (profile, region) pair: found by one, it is that pair's number;
    not found only when every pair said so (docs/estate.md)."""
    context.run_of(ctx, concurrency=concurrency, max_attempts=max_attempts)
    outcome = runner.Outcome(env)
    pairs = estate.Pairs(ctx, env, outcome)
    as_asked = runner.AsAsked(asked.given)
    written = 0

    def take(looked: Looked) -> None:
        nonlocal written
        for result in as_asked(pairs.result(looked)):
            renderer.add(result)
            written += 1
            if result.failure is not None:
                outcome.failed(result.phone_number_id, result.failure)

    def stop() -> None:
        estate.estate_of(ctx).stop()
        if not asked.one:
            renderer.incomplete(None, as_asked.left())

    def finish() -> None:
        renderer.pairs(pairs.pairs())
        renderer.finish()

    return runner.run(
        outcome,
        pairs.looked_up(asked.ids, concurrency),
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: f"{written} of {len(asked.given)} ids fetched",
    )
