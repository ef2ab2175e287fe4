"""``chimenum get``: fetch phone numbers by id and show them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from chimenum.cli import context, hints
from chimenum.cli.options import (
    EXIT_CODES_HELP,
    aws_options,
    id_arguments,
    max_attempts_option,
    output_options,
    render_options,
)
from chimenum.cli.signals import Terminated
from chimenum.core.errors import ExitCode, Failure, most_severe
from chimenum.core.settings import DEFAULT_CONCURRENCY
from chimenum.output.env import ColorChoice, Environment

if TYPE_CHECKING:
    from chimenum.core.fetch import Result


def report(env: Environment, phone_number_id: str, failure: Failure, hint: str = "") -> None:
    # env.warn makes the whole line inert: the code and message may come from the service.
    message = f"{failure.message.rstrip('.')} ({hint})" if hint else failure.message
    env.warn(f"error: {phone_number_id}: {failure.code}: {message}")


#: Invalid input lines reported one by one before the rest are summed up.
MAX_REPORTED_LINES = 20
#: Invalid lines after which the input is not read further: it is not a list of ids.
MAX_INVALID_LINES = 1000


def _read_ids(
    env: Environment, ctx: click.Context, args: tuple[str, ...], files: tuple[Any, ...]
) -> list[str] | None:
    """Every id asked for, normalised and deduplicated in input order; ``None`` if any input
    line is invalid (each reported with its line number, nothing fetched)."""
    from chimenum.core.ids import InputTooLarge, InvalidId, id_lines, normalise

    seen: dict[str, None] = {}
    bad: list[str] = []

    def take_lines(name: str, stream: Any) -> None:
        try:
            for number, text in id_lines(stream):
                try:
                    seen.setdefault(normalise(text), None)
                except InvalidId as exc:
                    bad.append(f"{name}:{number}: {exc}")
                    if len(bad) >= MAX_INVALID_LINES:
                        raise InputTooLarge(
                            number, "too many invalid lines; stopped reading"
                        ) from None
        except InputTooLarge as exc:
            bad.append(f"{name}:{exc.line}: {exc}")

    for arg in args:
        if arg == "-":
            if sys.stdin.isatty():
                env.warn("reading ids from the terminal, one per line; end with Ctrl-D")
            take_lines("stdin", sys.stdin.buffer)
            continue
        try:
            seen.setdefault(normalise(arg), None)
        except InvalidId as exc:
            raise click.UsageError(str(exc), ctx) from None
    for stream in files:
        name = getattr(stream, "name", "-")
        take_lines("stdin" if name in ("-", "<stdin>") else str(name), stream)
    if bad:
        for line in bad[:MAX_REPORTED_LINES]:
            env.error(line)
        if len(bad) > MAX_REPORTED_LINES:
            env.error(f"... and {len(bad) - MAX_REPORTED_LINES} more invalid lines")
        env.error(f"{len(bad)} invalid input line{'s' if len(bad) != 1 else ''}; nothing fetched")
        return None
    return list(seen)


@click.command(epilog=EXIT_CODES_HELP)
@id_arguments
@output_options
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    metavar="N",
    help="Requests in flight at once for several ids.",
)
@max_attempts_option("Tries per id when throttled or the service fails (5xx).")
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
    shows (%2B12065550100) and separators (+1 206-555-0100) are accepted. Duplicate ids are
    fetched once. One ID prints the document `aws chime get-phone-number` prints (with --api
    voice: `aws chime-sdk-voice get-phone-number`); several, or any read from a file or stdin,
    print {"PhoneNumbers": [...], "PhoneNumberErrors": [...]} in input order.

    `-` (or --from-file FILE) reads ids one per line; blank lines and everything after a `#`
    are skipped. Any invalid line is reported with its line number and nothing is fetched
    (exit 2). Batches run --concurrency requests at once on one connection pool; throttling
    and 5xx answers are retried with backoff (--max-attempts tries per id) while the request
    rate adapts to what the API accepts. On a terminal, batches taking over a second show a
    progress bar on stderr. Ctrl-C stops at once, writes what was fetched, and exits 130.

    \b
    Examples:
      chimenum get +12065550100
      chimenum get %2B12065550100 --utc
      chimenum get +12065550100 +12065550101 --json | jq '.PhoneNumberErrors'
      chimenum get - -o ndjson < numbers.txt
      chimenum get +12065550100 --query PhoneNumber.Status -o text
    """
    env = context.environment(ctx, quiet=quiet, color=color)
    if not ids and not from_files:
        raise click.UsageError("no phone-number id given", ctx)
    batch = len(ids) != 1 or bool(from_files) or ids[0] == "-"
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
    phone_ids = _read_ids(env, ctx, ids, from_files)
    if phone_ids is None:
        return int(ExitCode.USAGE)

    from chimenum.output.formats import get_renderer

    renderer = get_renderer(fmt, env, options)
    if not phone_ids:
        env.warn("no ids in the input")
        renderer.finish()
        return int(ExitCode.OK)

    fetcher = context.fetcher(ctx, concurrency, max_attempts)
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
    codes: list[ExitCode] = []

    def emit(result: Result) -> None:
        renderer.add(result)
        if result.failure is not None:
            codes.append(result.failure.exit_code)
            failure, phone_id = result.failure, result.phone_number_id
            hint = (
                ""
                if batch
                else hints.other_api_hint(ctx, fetcher.client, phone_id, failure.exit_code)
            )
            report(env, phone_id, failure, hint)

    written = 0
    try:
        try:
            for result in fetcher.many(
                phone_ids, concurrency, on_done=progress.advance if progress else None
            ):
                emit(result)
                written += 1
        except (KeyboardInterrupt, Terminated) as stop:
            # Ctrl-C and SIGTERM end a batch the same way; only the word and the code differ.
            context.run_of(ctx).stop()
            if progress is not None:
                progress.close()
            # Ids fetched while waiting for an earlier one are written too (still in order).
            for result in fetcher.done_but_not_yielded():
                emit(result)
                written += 1
            if batch:
                renderer.incomplete(None)
            word, code = (
                ("terminated", ExitCode.TERMINATED)
                if isinstance(stop, Terminated)
                else ("interrupted", ExitCode.INTERRUPTED)
            )
            if len(phone_ids) > 1:
                env.error(f"{word}: {written} of {len(phone_ids)} ids fetched")
            else:
                env.error(word)
            return int(code)
    finally:
        if progress is not None:
            progress.close()
        renderer.finish()
    return int(most_severe(codes))
