"""``chimenum list``: every phone number of the account, page after page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.filters import filters_of, listing_filters
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    max_attempts_option,
    output_options,
    render_options,
)
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.listing import ListingStopped, Page


def _token_refused(stop: ListingStopped, starting_token: str | None) -> bool:
    """The API refused ``--starting-token`` itself: its first page was a bad request."""
    from chimenum.core.errors import ExitCode

    return (
        starting_token is not None
        and stop.pages_so_far == 0
        and stop.failure.exit_code is ExitCode.BAD_REQUEST
    )


def _resume(stop: ListingStopped, *, several: bool) -> str:
    """How to list what is missing: the token resumes the first of the statuses left."""
    options = [f"--status {','.join(stop.statuses_left)}"] if several else []
    if stop.next_token:
        options.append(f"--starting-token {stop.next_token}")
    return f"; resume with {' '.join(options)}" if options else ""


@click.command(name="list", epilog=EXIT_CODES_HELP)
@output_options
@listing_filters
@click.option(
    "--starting-token",
    metavar="TOKEN",
    help="Resume a listing where it stopped (the NextToken an unfinished listing reports).",
)
@max_attempts_option("Tries per page (throttling, 5xx).")
@aws_options
@click.pass_context
def list_(
    ctx: click.Context,
    output: str,
    as_json: bool,
    query: str | None,
    color: ColorChoice,
    utc: bool,
    columns: tuple[str, ...] | None,
    sort_by: str | None,
    no_headers: bool,
    quiet: bool,
    status: tuple[tuple[str, ...], ...],
    product_type: tuple[str, ...],
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    starting_token: str | None,
    max_attempts: int,
) -> int:
    """List every phone number of the account, page after page.

    Each page is printed as it arrives. A page that still fails after retries leaves what was
    received printed, and stderr says where to resume (--starting-token) and why.

    \b
    Examples:
      chimenum list --status assigned --product-type VoiceConnector -o ndjson
      chimenum --api voice list --filter-name VoiceConnectorId --filter-value abcdef1ghij2klmno3pqr4
      chimenum list -o text --query 'PhoneNumbers[?Status==`Unassigned`].E164PhoneNumber'
    \f
    Pages (99 numbers for chime, 100 for voice) are requested one after the other, following
    NextToken to the end; every format prints each page as it arrives, so memory stays flat
    (--query and --sort-by wait for the whole listing, and hold it in memory). On a terminal,
    the table fits its width: columns that do not fit are left out (a hint on stderr says
    which); -o wide shows them all. The exit code says why a listing stopped: it never ends
    early in silence.

    \b
    More examples:
      chimenum list --json | jq -r '.PhoneNumbers[] | select(.Status != "Assigned").E164PhoneNumber'
    """
    fmt, options = render_options(
        ctx,
        "list",
        output=output,
        as_json=as_json,
        query=query,
        utc=utc,
        columns=columns,
        sort_by=sort_by,
        no_headers=no_headers,
    )
    filters = filters_of(ctx, status, product_type, filter_name, filter_value)
    if starting_token is not None and not starting_token.strip():
        raise click.UsageError("--starting-token is empty", ctx)

    from chimenum.core.fetch import Result
    from chimenum.core.ids import e164_of
    from chimenum.core.listing import ListingStopped
    from chimenum.output.formats import get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    pairs = estate.several(ctx)
    options = dataclasses.replace(options, several=pairs)
    if pairs and starting_token is not None:
        raise click.UsageError("--starting-token resumes one listing: give one profile and region")
    # Made before anything is rendered: a region refused here prints no document.
    lister = None if pairs else context.lister(ctx, max_attempts)
    renderer = get_renderer(fmt, env, options)
    outcome = runner.Outcome(env)
    count = 0
    token = starting_token

    def pages() -> Iterator[Page]:
        if pairs:
            context.run_of(ctx, max_attempts=max_attempts)  # recorded in the Settings
            several = estate.Pairs(ctx, env, outcome)
            yield from several.pages(filters, limit)
            several.finish(renderer)
            return
        assert lister is not None
        try:
            yield from lister.pages(filters, limit=limit, starting_token=starting_token)
        except ListingStopped as stop:
            failure = stop.failure
            if _token_refused(stop, starting_token):
                # Nothing was listed, and "resume with" the token just refused would loop.
                outcome.add(failure.exit_code)
                renderer.incomplete(None)
                env.error(
                    f"error: --starting-token '{starting_token}' is not valid: {failure.code}:"
                    f" {failure.message} (use the NextToken an unfinished listing printed, or"
                    " list from the start without it)"
                )
                return
            renderer.incomplete(stop.next_token)
            resume = _resume(stop, several=len(filters.statuses) > 1)
            outcome.listing_stopped(failure, f"{count} numbers ({stop.pages_so_far} pages)", resume)

    def take(page: Page) -> None:
        nonlocal count, token
        for number in page.numbers:
            renderer.add(Result(e164_of(number), document={"PhoneNumber": number}))
        count += len(page.numbers)
        token = page.next_token
        renderer.page_done()

    def stopped() -> None:
        if pairs:
            estate.estate_of(ctx).stop()
        renderer.incomplete(token)

    def after() -> None:
        if count == 0 and not outcome.codes and fmt in ("table", "wide") and query is None:
            env.warn("no phone numbers" + (" match" if filters.narrow() else ""))

    return runner.run(
        outcome,
        pages(),
        take,
        # What was printed stays; the document says it is not all, and where the rest starts.
        stop=lambda: stopped(),
        finish=renderer.finish,
        so_far=lambda: f"{count} numbers listed",
        after=after,
    )
