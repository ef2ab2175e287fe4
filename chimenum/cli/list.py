"""``chimenum list``: every phone number of the account, page after page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from chimenum.cli import context
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    choices_of,
    max_attempts_option,
    output_options,
    per_api,
    render_options,
)
from chimenum.cli.signals import Terminated
from chimenum.core.apis import FILTER_NAMES, PRODUCT_TYPES, STATUSES
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.listing import ListingStopped


def check_for_api(ctx: click.Context, api: str, checks: list[tuple[str, str | None]]) -> None:
    """Refuse, before any request, a value the chosen API does not have (exit 2)."""
    from chimenum.core import apis

    tables = {
        "status": apis.STATUSES,
        "product type": apis.PRODUCT_TYPES,
        "filter name": apis.FILTER_NAMES,
    }
    for what, value in checks:
        if value is not None:
            reason = apis.check_value(tables[what], api, value, what)
            if reason:
                raise click.UsageError(reason, ctx)


def _token_refused(stop: ListingStopped, starting_token: str | None) -> bool:
    """The API refused ``--starting-token`` itself: its first page was a bad request."""
    from chimenum.core.errors import ExitCode

    return (
        starting_token is not None
        and stop.pages_so_far == 0
        and stop.failure.exit_code is ExitCode.BAD_REQUEST
    )


@click.command(name="list", epilog=EXIT_CODES_HELP)
@output_options
@click.option(
    "--status",
    type=choices_of(STATUSES),
    metavar="STATUS",
    multiple=True,
    help=f"Only numbers in this status ({per_api(STATUSES)}); once (the API filters on one).",
)
@click.option(
    "--product-type",
    type=choices_of(PRODUCT_TYPES),
    metavar="TYPE",
    multiple=True,
    help=f"Only numbers of this product type ({per_api(PRODUCT_TYPES)}); once.",
)
@click.option(
    "--filter-name",
    type=choices_of(FILTER_NAMES),
    metavar="NAME",
    help="Only numbers with an association of this kind, given with --filter-value"
    f" ({per_api(FILTER_NAMES)}).",
)
@click.option("--filter-value", metavar="VALUE", help="The association's value, for --filter-name.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Stop after N numbers.")
@click.option(
    "--starting-token",
    metavar="TOKEN",
    help="Resume a listing where it stopped (the NextToken an unfinished listing reports).",
)
@max_attempts_option("Tries per page when throttled or the service fails.")
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
    status: tuple[str, ...],
    product_type: tuple[str, ...],
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    starting_token: str | None,
    max_attempts: int,
) -> int:
    """List every phone number of the account, page after page.

    Pages (99 numbers for chime, 100 for voice) are requested one after the other, following
    NextToken to the end; every format prints each page as it arrives, so memory stays flat
    (--query and --sort-by wait for the whole listing, and hold it in memory). On a terminal,
    the table fits its width: columns that do not fit are left out (a hint on stderr says
    which); -o wide shows them all. A throttled or failing page is retried like any request; if it
    still fails, what was received stays printed, stderr says where it stopped (resume with
    --starting-token) and the exit code says why: a listing never ends early in silence.

    \b
    Examples:
      chimenum list
      chimenum list --status Assigned --product-type VoiceConnector -o ndjson
      chimenum --api voice list --filter-name VoiceConnectorId --filter-value abcdef1ghij2klmno3pqr4
      chimenum list -o text --query 'PhoneNumbers[?Status==`Unassigned`].E164PhoneNumber'
      chimenum list --json | jq -r '.PhoneNumbers[] | select(.Status != "Assigned").E164PhoneNumber'
    """
    settings = context.settings_of(ctx)
    for flag, given in (("--status", status), ("--product-type", product_type)):
        if len(given) > 1:
            # The API filters on one value; taking the last silently would hide numbers.
            raise click.UsageError(
                f"{flag} takes one value (ListPhoneNumbers filters on one); it was given"
                f" {len(given)} times",
                ctx,
            )
    one_status = status[0] if status else None
    one_product_type = product_type[0] if product_type else None
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
    check_for_api(
        ctx,
        settings.api,
        [
            ("status", one_status),
            ("product type", one_product_type),
            ("filter name", filter_name),
        ],
    )
    if (filter_name is None) != (filter_value is None):
        raise click.UsageError("--filter-name and --filter-value go together", ctx)
    if starting_token is not None and not starting_token.strip():
        raise click.UsageError("--starting-token is empty", ctx)

    from chimenum.core.fetch import Result
    from chimenum.core.ids import e164_of
    from chimenum.core.listing import Filters, ListingStopped
    from chimenum.core.safe import inert
    from chimenum.output.formats import get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    renderer = get_renderer(fmt, env, options)
    lister = context.lister(ctx, max_attempts)
    filters = Filters(one_status, one_product_type, filter_name, filter_value)
    count = 0
    token = starting_token
    try:
        for page in lister.pages(filters, limit=limit, starting_token=starting_token):
            for number in page.numbers:
                renderer.add(Result(e164_of(number), document={"PhoneNumber": number}))
            count += len(page.numbers)
            token = page.next_token
            renderer.page_done()
    except (KeyboardInterrupt, Terminated):
        # What was printed stays; the document says it is not all, and where the rest starts.
        renderer.incomplete(token)
        raise
    except ListingStopped as stop:
        if _token_refused(stop, starting_token):
            # Nothing was listed, and "resume with" the token just refused would loop forever.
            renderer.incomplete(None)
            env.error(
                f"error: --starting-token {inert(starting_token)!r} is not valid:"
                f" {stop.failure.code}: {inert(stop.failure.message)} (use the NextToken an"
                " unfinished listing printed, or list from the start without it)"
            )
            return int(stop.failure.exit_code)
        renderer.incomplete(stop.next_token)
        resume = (
            f"; resume with --starting-token {inert(stop.next_token)}" if stop.next_token else ""
        )
        env.error(
            f"error: listing stopped after {count} numbers ({stop.pages_so_far} pages):"
            f" {stop.failure.code}: {inert(stop.failure.message)}{resume}"
        )
        return int(stop.failure.exit_code)
    finally:
        renderer.finish()
    if count == 0 and fmt in ("table", "wide") and query is None:
        env.warn("no phone numbers" + (" match" if filters.params() else ""))
    return 0
