"""The click group and its commands: parse options, call the core, pick a renderer, exit.

Nothing heavy is imported at module level: botocore and rich load only when a command needs
them, so ``--help``, ``--version`` and shell completion stay instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from chimenum import __version__
from chimenum.env import Environment
from chimenum.errors import (
    EXIT_CODE_MEANINGS,
    ExitCode,
    Failure,
    classify,
    most_severe,
)
from chimenum.session import Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    + "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())
    + (
        "\n\b\nWith several ids, the exit code is that of the most severe failure, in the order"
        "\n10, 11, 5, 6, 12, 9, 8, 7, 4, 3."
    )
)


def _settings(ctx: click.Context) -> Settings:
    return ctx.ensure_object(Settings)


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Record an AWS option given before or after the subcommand; the later one wins."""
    if value is not None and value is not False and param.name:
        setattr(_settings(ctx), param.name, value)
    return value


def _endpoint(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx, param)
    _store(ctx, param, value)
    return value


def aws_options(f: F) -> F:
    """Where and how to reach AWS; accepted on the group and on every command."""
    decorators = [
        click.option(
            "--profile",
            metavar="NAME",
            expose_value=False,
            callback=_store,
            help="Named profile from the AWS config files (default: $AWS_PROFILE).",
        ),
        click.option(
            "--region",
            metavar="REGION",
            expose_value=False,
            callback=_store,
            help="AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, profile).",
        ),
        click.option(
            "--endpoint-url",
            metavar="URL",
            expose_value=False,
            callback=_endpoint,
            help="Send requests to this URL instead of the AWS endpoint.",
        ),
        click.option(
            "--connect-timeout",
            type=click.FloatRange(0.1, 300),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help="Seconds to wait for a connection (default: 5).",
        ),
        click.option(
            "--read-timeout",
            type=click.FloatRange(0.1, 900),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help="Seconds to wait for an answer (default: 15).",
        ),
        click.option(
            "--demo",
            is_flag=True,
            envvar="CHIMENUM_DEMO",
            expose_value=False,
            callback=_store,
            help="Use the built-in demo account on 127.0.0.1 ($CHIMENUM_DEMO=1).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_store,
            help="Log botocore's requests and responses on stderr; show tracebacks.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def output_options(f: F) -> F:
    """How to render results; shared by every command that prints phone numbers."""
    decorators = [
        click.option(
            "-o",
            "--output",
            type=click.Choice(["table", "json", "ndjson"]),
            default="table",
            show_default=True,
            help="Output format.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Same as --output json."),
        click.option("--utc", is_flag=True, help="Show timestamps in UTC, not local time."),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="No per-id error lines on stderr; the exit code still tells.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


class Interrupted(Exception):
    """Ctrl-C inside a command; click would otherwise print its own blank line for it."""


class ChimenumGroup(click.Group):
    """Turns every way a run can end into one stderr line and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        env = Environment()
        try:
            rv = super().main(
                argv, prog_name or "chimenum", complete_var, standalone_mode=False, **extra
            )
            code = rv if isinstance(rv, int) else 0
        except click.exceptions.Abort:
            env.error("interrupted")
            code = ExitCode.INTERRUPTED
        except click.ClickException as exc:
            exc.show(env.stderr)
            code = exc.exit_code
        except (Interrupted, KeyboardInterrupt):
            env.error("interrupted")
            code = ExitCode.INTERRUPTED
        except Exception as exc:
            failure = classify(exc)
            if "--debug" in argv:
                import traceback

                traceback.print_exception(exc, file=env.stderr)
            env.error(failure.message)
            code = failure.exit_code
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        botocore_version = version("botocore")
    except PackageNotFoundError:
        botocore_version = "not installed"
    click.echo(
        f"chimenum {__version__} (botocore {botocore_version}, Python {platform.python_version()})"
    )
    ctx.exit(0)


@click.group(
    name="chimenum",
    cls=ChimenumGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show chimenum's, botocore's and Python's versions.",
)
@aws_options
def cli() -> None:
    """Inspect the phone numbers of an Amazon Chime / Chime SDK Voice account.

    \b
    Examples:
      chimenum get +12065550100
      chimenum get +12065550100 +12065550101 --json | jq -r '.PhoneNumbers[].Status'
      chimenum --demo get +12065550100
    """


def report(env: Environment, phone_number_id: str, failure: Failure) -> None:
    from chimenum.render.sanitize import inert

    env.warn(f"error: {phone_number_id}: {failure.code}: {inert(failure.message)}")


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("ids", nargs=-1, metavar="ID...")
@output_options
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Requests in flight at once for several ids.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 100),
    default=8,
    show_default=True,
    help="Tries per id when throttled or the service fails.",
)
@aws_options
@click.pass_context
def get(
    ctx: click.Context,
    ids: tuple[str, ...],
    output: str,
    as_json: bool,
    utc: bool,
    quiet: bool,
    concurrency: int,
    max_attempts: int,
) -> int:
    """Fetch phone numbers by id and show them.

    An ID is the number in E.164 form (+12065550100); the percent-encoded form that list output
    shows (%2B12065550100) and separators (+1 206-555-0100) are accepted. Duplicate ids are
    fetched once. One ID prints the document `aws chime get-phone-number` prints; several print
    {"PhoneNumbers": [...], "PhoneNumberErrors": [...]} in input order.

    \b
    Examples:
      chimenum get +12065550100
      chimenum get %2B12065550100 --utc
      chimenum get +12065550100 +12065550101 --json | jq '.PhoneNumberErrors'
    """
    from chimenum.ids import InvalidId, unique

    if not ids:
        raise click.UsageError("no phone-number id given", ctx)
    try:
        phone_ids = unique(ids)
    except InvalidId as exc:
        raise click.UsageError(str(exc), ctx) from None

    from chimenum.fetch import Fetcher
    from chimenum.render import RenderOptions, get_renderer
    from chimenum.session import make_client

    settings = _settings(ctx)
    env = Environment(quiet=quiet)
    renderer = get_renderer(
        "json" if as_json else output,
        env,
        RenderOptions(kind="one" if len(ids) == 1 else "many", utc=utc),
    )
    fetcher = Fetcher(
        make_client(settings, max_pool_connections=concurrency), max_attempts=max_attempts
    )
    codes: list[ExitCode] = []
    try:
        for result in fetcher.many(phone_ids, concurrency):
            renderer.add(result)
            if result.failure is not None:
                codes.append(result.failure.exit_code)
                report(env, result.phone_number_id, result.failure)
    finally:
        renderer.finish()
    return int(most_severe(codes))


def main() -> None:
    cli.main(prog_name="chimenum")
