"""Which numbers ``list`` and ``audit`` read: the ListPhoneNumbers filters they share, declared
once, and the :class:`~chimenum.core.listing.Filters` made of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chimenum.cli.context import settings_of as _settings
from chimenum.cli.options import apply_all
from chimenum.cli.params import Several, check_for_api, choices_of, flattened
from chimenum.core.apis import FILTER_NAMES, PRODUCT_TYPES, STATUSES

if TYPE_CHECKING:
    from chimenum.core.listing import Filters

F = TypeVar("F", bound=Callable[..., Any])


def listing_filters(f: F) -> F:
    """Which numbers ``list`` and ``audit`` read: the filters of ListPhoneNumbers, and a limit."""
    return apply_all(
        f,
        [
            click.option(
                "--status",
                type=Several(STATUSES),
                metavar="STATUS[,...]",
                multiple=True,
                help="Only these statuses (any case; comma-separated or repeated).",
            ),
            click.option(
                "--product-type",
                type=choices_of(PRODUCT_TYPES),
                metavar="TYPE",
                multiple=True,
                help="Only numbers of this product type (any case; once).",
            ),
            click.option(
                "--filter-name",
                type=choices_of(FILTER_NAMES),
                metavar="NAME",
                help="Only numbers with an association of this kind, with --filter-value.",
            ),
            click.option(
                "--filter-value",
                metavar="VALUE",
                help="The association's value, for --filter-name.",
            ),
            click.option(
                "--limit", type=click.IntRange(min=1), metavar="N", help="Stop after N numbers."
            ),
        ],
    )


def filters_of(
    ctx: click.Context,
    status: tuple[tuple[str, ...], ...],
    product_type: tuple[str, ...],
    filter_name: str | None,
    filter_value: str | None,
) -> Filters:
    """The listing's filters; values the API cannot filter on are usage errors (exit 2)."""
    from chimenum.core.listing import Filters

    for flag, given in (("--product-type", product_type),):
        if len(given) > 1:
            # The API filters on one value; taking the last silently would hide numbers.
            raise click.UsageError(
                f"{flag} takes one value (ListPhoneNumbers filters on one); it was given"
                f" {len(given)} times",
                ctx,
            )
    filters = Filters(
        flattened(status),
        product_type[0] if product_type else None,
        filter_name,
        filter_value,
    )
    check_for_api(
        ctx,
        _settings(ctx).api,
        [
            *(("status", value) for value in filters.statuses),
            ("product type", filters.product_type),
            ("filter name", filter_name),
        ],
    )
    if (filter_name is None) != (filter_value is None):
        raise click.UsageError("--filter-name and --filter-value go together", ctx)
    return filters
