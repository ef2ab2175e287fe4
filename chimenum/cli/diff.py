"""``chimenum diff``: what changed between two snapshots chimenum wrote, or one and now."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from chimenum.cli import context, estate, runner
from chimenum.cli.filters import filters_of, listing_filters
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    color_option,
    json_option,
    max_attempts_option,
    output_option,
    quiet_option,
)
from chimenum.output.env import ColorChoice

if TYPE_CHECKING:
    from chimenum.core.documents import Item


def _open(ctx: click.Context, path: str) -> tuple[TextIO, str]:
    """The document at ``path`` (``-``: stdin) as UTF-8 text, and its name for messages."""
    if path == "-":
        if sys.stdin is None:  # started with stdin closed (<&-)
            raise click.UsageError("'-' reads a document from stdin, but stdin is closed", ctx)
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8"), "stdin"
    try:
        return Path(path).open(encoding="utf-8"), path
    except OSError as exc:
        raise click.UsageError(f"cannot read {path}: {exc.strerror}", ctx) from None


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="[NEW]", required=False)
@click.option(
    "--live",
    is_flag=True,
    help="Compare OLD with the account now (the listing filters apply only with --live).",
)
@listing_filters
@output_option(
    "changes",
    "table: a row per change, then the counts; ndjson: a change a line, then {Summary}.",
)
@json_option
@color_option
@quiet_option()
@max_attempts_option("With --live: tries per page (throttling, 5xx).")
@aws_options
@click.pass_context
def diff(
    ctx: click.Context,
    old: str,
    new: str | None,
    live: bool,
    status: tuple[tuple[str, ...], ...],
    product_type: tuple[str, ...],
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    output: str,
    as_json: bool,
    color: ColorChoice,
    quiet: bool,
    max_attempts: int,
) -> int:
    """Say what changed between two snapshots chimenum wrote: OLD and NEW, or OLD and now.

    OLD and NEW are `list`, `get` or `audit` documents written with --json or -o ndjson (`-`:
    stdin); with --live, NEW is the account listed now (every pair of several --profile and
    --region, as `list` reads them). Exit 0: nothing changed; 17: something
    did; 2: an input that is not a document chimenum wrote.

    \b
    Examples:
      chimenum list --json > monday.json; chimenum list --json > tuesday.json
      chimenum diff monday.json tuesday.json
      chimenum diff monday.json --live --status Assigned
      chimenum audit -o ndjson | chimenum diff last-audit.ndjson - -o ndjson
    \f
    OLD and NEW are documents of `list`, `get` (numbers) or `audit` (findings), written with
    --json or -o ndjson; `-` reads one of them from stdin. With --live, NEW is the account's
    numbers listed now (OLD must then be a numbers document); with several --profile or
    --region, every pair's, each number once per AWS account, as `list` reads them. Numbers
    are matched by AWS account (a several-account document's AwsAccountId, "" when there is
    none) and E.164 number: the diff reports numbers added and removed, and per number the
    fields that changed (Status, ProductType, Associations, CallingName, Name, Capabilities;
    the old value is given for Status and ProductType, the others are kept as a digest
    only). For audit documents it reports findings new and resolved (a finding is its
    number, Code and ResourceId). OLD is read once into a map from number to a digest of
    its record, then NEW is streamed against it: memory is bounded by one snapshot, never
    both documents.

    Exit 0: nothing changed; 17: something did; 2: an input that is not a document chimenum
    wrote (one line names the file and line). A document that says it is incomplete (a
    listing that stopped, findings left out) is compared, but what NEW lacks is then not
    reported as removed or resolved.
    """
    fmt = "json" if as_json else output
    if (new is None) == (not live):
        raise click.UsageError("give NEW or --live (not both)", ctx)
    if old == "-" and new == "-":
        raise click.UsageError("at most one of OLD and NEW can be '-' (stdin)", ctx)
    filtered = status or product_type or filter_name or filter_value or limit
    if filtered and not live:
        raise click.UsageError("the listing filters apply only with --live", ctx)
    filters = filters_of(ctx, status, product_type, filter_name, filter_value)

    from chimenum.core import diff as core
    from chimenum.core.documents import BadDocument
    from chimenum.core.errors import ExitCode
    from chimenum.core.fetch import Result
    from chimenum.core.listing import ListingStopped
    from chimenum.output.formats import RenderOptions, get_renderer

    env = context.environment(ctx, quiet=quiet, color=color)
    outcome = runner.Outcome(env)
    stream, name = _open(ctx, old)
    try:
        with stream:
            snapshot = core.read(stream, name)
    except BadDocument as exc:
        env.error(f"error: {exc}")
        return int(ExitCode.USAGE)
    if live and snapshot.kind != "numbers":
        raise click.UsageError(f"--live compares a numbers document; {name} is an audit", ctx)
    changes = core.Diff(snapshot, "live" if live else "stdin" if new == "-" else str(new))
    renderer = get_renderer(fmt, env, RenderOptions(kind="list"), "changes")

    several = live and estate.several(ctx)

    def listed() -> Iterator[Item]:
        if several:
            yield from listed_over_pairs()
            return
        lister = context.lister(ctx, max_attempts)
        try:
            for page in lister.pages(filters, limit=limit):
                yield from core.listed(page.numbers)
        except ListingStopped as stop:
            changes.cut = True
            outcome.listing_stopped(
                stop.failure,
                f"{stop.numbers_so_far} numbers",
                "; numbers not listed are not reported as removed",
            )

    def listed_over_pairs() -> Iterator[Item]:
        """NEW as ``list`` reads it over several pairs: each number once per AWS account."""
        context.run_of(ctx, max_attempts=max_attempts)  # recorded in the Settings
        pairs = estate.Pairs(ctx, env, outcome)
        for page in pairs.pages(filters, limit):
            yield from core.listed(page.numbers)
        if pairs.failed:
            # A pair that failed (its line is on stderr) lacks numbers: none is "removed".
            changes.cut = True
            env.warn("warning: numbers not listed are not reported as removed")

    def stop() -> None:
        changes.cut = True
        if several:
            estate.estate_of(ctx).stop()

    def read_new() -> Iterator[Item]:
        assert new is not None
        stream, name = _open(ctx, new)
        with stream:
            yield from core.new_items(stream, name)

    def take(change: dict[str, object]) -> None:
        renderer.add(Result(str(change.get("E164PhoneNumber")), document=dict(change)))

    def finish() -> None:
        if changes.bad is not None:
            outcome.add(ExitCode.USAGE)
            env.error(f"error: {changes.bad}; the changes above are not all there are")
        summary = changes.summary()
        if summary["Changed"]:
            outcome.add(ExitCode.CHANGED)
        renderer.totals(summary)
        renderer.finish()

    def report_incomplete() -> None:
        for which in (snapshot, changes.new):
            if which.incomplete:
                env.warn(
                    f"warning: {which.name} says it is incomplete: what it lacks is not reported"
                    " as removed or resolved"
                )
            if which.failed:
                env.warn(
                    f"warning: {which.name}: {which.failed} ids had failed when it was written"
                )

    code = runner.run(
        outcome,
        changes.changes(listed() if live else read_new()),
        take,
        stop=stop,
        finish=finish,
        so_far=lambda: "diff stopped",
        after=report_incomplete,
    )
    # USAGE has no place in the run's precedence (it ends a run before any request, elsewhere).
    return (
        int(ExitCode.USAGE) if changes.bad is not None and code in (0, ExitCode.CHANGED) else code
    )
