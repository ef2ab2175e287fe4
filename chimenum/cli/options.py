"""Shared click options: where to reach AWS, how to render, and value types.

AWS options are accepted on the group and on every command, before or after the subcommand; their
values go to the run's one :class:`~chimenum.core.session.Settings` (see :mod:`.context`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chimenum.cli.context import settings_of as _settings
from chimenum.cli.params import (
    OneOf,
    RegionName,
    Seconds,
    baseline_file,
    column_names,
    mutelist_file,
    query_expression,
)
from chimenum.cli.signals import STOP_CODES
from chimenum.core.apis import SERVICE_NAMES
from chimenum.core.errors import EXIT_CODE_MEANINGS, SEVERITY, ExitCode
from chimenum.core.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_NUMBER_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    endpoint_problem,
    variable,
)
from chimenum.output.formats import Document, formats_of
from chimenum.output.formats.summary import COLUMN_NAMES

if TYPE_CHECKING:
    from chimenum.output.formats import DocumentKind, RenderOptions

F = TypeVar("F", bound=Callable[..., Any])

#: The per-id failures, most severe first: what a batch with several different failures exits with.
SEVERITY_ORDER = ", ".join(
    str(int(code)) for code in SEVERITY if code not in STOP_CODES and code is not ExitCode.INTERNAL
)

# Paragraphs are separated by a blank line: click's no-rewrap marker \b only works at the start
# of a paragraph, and anywhere else it is printed as a raw backspace.
#: ``chimenum --help``'s epilog: the one exit-code table --help shows (the man page's EXIT STATUS
#: and docs/exit-codes.md are generated from the same table).
EXIT_CODE_TABLE = (
    "\b\nExit codes:\n"
    + "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())
    + "\n\nWith several ids, the exit code is that of the most severe failure, in the order"
    f" {SEVERITY_ORDER}."
)


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Record an AWS option given before or after the subcommand; the later one wins."""
    if value is not None and value is not False and param.name:
        setattr(_settings(ctx), param.name, value)
    return value


def _store_many(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    """A repeatable AWS option (``--profile``, ``--region``): every value, the first as the
    run's own; given again after the subcommand, the later list wins."""
    if value and param.name:
        settings = _settings(ctx)
        setattr(settings, param.name, value[0])
        setattr(settings, f"{param.name}s", tuple(dict.fromkeys(value)))
    return value


def _accounts(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is not None:
        from chimenum.cli.params import account_ids

        _settings(ctx).accounts = account_ids(value, ctx, param)
    return value


def _endpoint(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    problem = endpoint_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(f"{value!r}: {problem}", ctx, param)
    _store(ctx, param, value)
    return value


def _complete_profiles(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from chimenum.completion import complete_profiles

    return complete_profiles(ctx, param, incomplete)


def _complete_regions(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from chimenum.completion import complete_regions

    return complete_regions(ctx, param, incomplete)


def complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from chimenum.completion import complete_ids

    return complete_ids(ctx, param, incomplete)


class GlobalOption(click.Option):
    """An AWS option: listed by ``chimenum --help`` only. Every command accepts it too, and says
    so in one line (:data:`EXIT_CODES_HELP`), so that a command's help fits one screen."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        return None if ctx.parent is not None else super().get_help_record(ctx)


def aws_options(f: F) -> F:
    """Where and how to reach AWS; accepted on the group and on every command."""
    decorators = [
        click.option(
            "--api",
            cls=GlobalOption,
            type=OneOf(list(SERVICE_NAMES)),
            expose_value=False,
            callback=_store,
            help="chime: Amazon Chime (global endpoint); voice: Chime SDK Voice, regional"
            f" ({variable('CHIMENUM_API')}; default: chime).",
        ),
        click.option(
            "--profile",
            cls=GlobalOption,
            metavar="NAME",
            expose_value=False,
            multiple=True,
            callback=_store_many,
            shell_complete=_complete_profiles,
            help=f"Named profile from the AWS config files (default: {variable('AWS_PROFILE')})."
            " Repeat it to run over several profiles.",
        ),
        click.option(
            "--region",
            cls=GlobalOption,
            metavar="REGION",
            type=RegionName(),
            expose_value=False,
            multiple=True,
            callback=_store_many,
            shell_complete=_complete_regions,
            help=f"AWS region (default: {variable('AWS_REGION')},"
            f" {variable('AWS_DEFAULT_REGION')}, profile). With --api chime, where the Chime SDK"
            " Voice resources a number points at are looked for; calls go to us-east-1. Repeat"
            " it (--api voice) to run over several regions.",
        ),
        click.option(
            "--all-regions",
            cls=GlobalOption,
            is_flag=True,
            expose_value=False,
            callback=_store,
            help="With --api voice: every region Chime SDK Voice offers voice connectors in"
            " (asked once per profile).",
        ),
        click.option(
            "--assume-role-arn",
            cls=GlobalOption,
            metavar="ARN",
            expose_value=False,
            callback=_store,
            help="With --accounts: assume this role (its {account} replaced) into each account.",
        ),
        click.option(
            "--accounts",
            cls=GlobalOption,
            metavar="FILE",
            expose_value=False,
            callback=_accounts,
            help="One 12-digit AWS account id a line (# comments), for --assume-role-arn.",
        ),
        click.option(
            "--endpoint-url",
            cls=GlobalOption,
            metavar="URL",
            expose_value=False,
            callback=_endpoint,
            help="Send requests to this URL instead of the AWS endpoint.",
        ),
        click.option(
            "--connect-timeout",
            cls=GlobalOption,
            type=Seconds(0.1, 300),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help=f"Seconds to wait for a connection (default: {DEFAULT_CONNECT_TIMEOUT:g}).",
        ),
        click.option(
            "--read-timeout",
            cls=GlobalOption,
            type=Seconds(0.1, 900),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help="Seconds to wait for a whole answer, headers and body"
            f" (default: {DEFAULT_READ_TIMEOUT:g}).",
        ),
        click.option(
            "--demo",
            cls=GlobalOption,
            is_flag=True,
            expose_value=False,
            callback=_store,
            help=f"Use the built-in demo account on 127.0.0.1 ({variable('CHIMENUM_DEMO')}=1).",
        ),
        click.option(
            "--debug",
            cls=GlobalOption,
            is_flag=True,
            expose_value=False,
            callback=_store,
            help="Log botocore's requests and responses on stderr; show tracebacks.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


#: The AWS options, as ``chimenum --help`` names them.
GLOBAL_OPTIONS = tuple(param.opts[0] for param in click.command()(aws_options(lambda: None)).params)

#: Every command's epilog: where the AWS options and the exit codes are described, once.
EXIT_CODES_HELP = (
    f"Global options ({' '.join(GLOBAL_OPTIONS)}) go before or after the command: see"
    " chimenum --help. Exit codes: chimenum --help, man chimenum, docs/exit-codes.md."
)


json_option = click.option("--json", "as_json", is_flag=True, help="Same as --output json.")
color_option = click.option(
    "--color",
    type=OneOf(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour on stdout; auto: on a terminal, unless $NO_COLOR is set.",
)
utc_option = click.option("--utc", is_flag=True, help="Show timestamps in UTC, not local time.")


def quiet_option(
    help: str = "No per-id error lines on stderr.",
) -> Callable[[F], F]:
    return click.option("-q", "--quiet", is_flag=True, help=help)


def concurrency_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 256),
        default=DEFAULT_CONCURRENCY,
        show_default=True,
        metavar="N",
        help=help,
    )


def apply_all(f: F, decorators: list[Callable[[F], F]]) -> F:
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def output_option(document: Document, help: str) -> Callable[[F], F]:
    """``-o/--output``: the choices, and the default (the first), are the format registry's
    formats of ``document``: named once, there."""
    choices = formats_of(document)
    # The choices lead the help text rather than the metavar: on its own, the metavar pushes
    # the help to the next line in every command's --help.
    return click.option(
        "-o",
        "--output",
        type=OneOf(list(choices)),
        default=choices[0],
        show_default=True,
        metavar="FORMAT",
        help=f"{'|'.join(choices)}. {help}",
    )


def output_options(f: F) -> F:
    """How to render results; shared by every command that prints phone numbers."""
    return apply_all(
        f,
        [
            output_option(
                "numbers",
                "table fits the terminal (columns that do not fit are left out), wide has"
                " them all; json and text are the AWS CLI's; yaml is the JSON as YAML; name is"
                " one E.164 number per line.",
            ),
            json_option,
            click.option(
                "--query",
                metavar="EXPR",
                callback=query_expression,
                help="JMESPath on the JSON, as the AWS CLI's (per line with ndjson).",
            ),
            color_option,
            utc_option,
            click.option(
                "--columns",
                metavar="NAME,...",
                callback=column_names,
                help=f"Table columns, in this order ({COLUMN_NAMES[0]},{COLUMN_NAMES[2]},...;"
                " a wrong name lists all).",
            ),
            click.option(
                "--sort-by",
                metavar="COLUMN",
                type=click.Choice(COLUMN_NAMES),
                help="Sort the table by this column (holds every row until the last).",
            ),
            click.option(
                "--no-headers",
                is_flag=True,
                help="No header row (table, wide and csv).",
            ),
            quiet_option(),
        ],
    )


def findings_options(f: F) -> F:
    """What ``describe`` and ``audit`` share: findings, concurrency (each declares its own
    ``-o`` from the format registry, :func:`output_option`)."""
    return apply_all(
        f,
        [
            json_option,
            click.option(
                "--fail-on",
                type=OneOf(["error", "warning", "never"]),
                default="error",
                show_default=True,
                metavar="LEVEL",
                help="Exit 15 on a finding this bad: error|warning|never.",
            ),
            click.option(
                "--severity",
                type=OneOf(["error", "warning", "info"]),
                default="info",
                show_default=True,
                metavar="LEVEL",
                help="error|warning|info. Show only findings at least this severe.",
            ),
            click.option(
                "--mutelist",
                metavar="FILE",
                callback=mutelist_file,
                help="YAML or JSON rules muting accepted findings (docs/mutelist.md).",
            ),
            click.option("--tags", is_flag=True, help="Also read each number's tags (voice only)."),
            click.option(
                "--number-timeout",
                type=Seconds(0.1, 3600),
                default=DEFAULT_NUMBER_TIMEOUT,
                show_default=True,
                metavar="SECONDS",
                help="Per number, for its related lookups.",
            ),
            color_option,
            utc_option,
            quiet_option(),
            concurrency_option("Numbers described at once."),
        ],
    )


baseline_option = click.option(
    "--baseline",
    metavar="PREVIOUS.json",
    callback=baseline_file,
    help="An earlier audit --json: only findings new since then count for --fail-on.",
)


def render_options(
    ctx: click.Context,
    kind: DocumentKind,
    *,
    output: str,
    as_json: bool,
    query: str | None,
    utc: bool,
    columns: tuple[str, ...] | None,
    sort_by: str | None,
    no_headers: bool,
) -> tuple[str, RenderOptions]:
    """The format and its options; combinations that cannot work are usage errors (exit 2)."""
    from chimenum.output.formats import RenderOptions

    fmt = "json" if as_json else output
    for flag, given in (("--columns", columns), ("--sort-by", sort_by)):
        if given is not None and (fmt not in ("table", "wide") or query is not None):
            raise click.UsageError(f"{flag} applies to -o table and -o wide, without --query")
    if fmt == "name" and query is not None:
        raise click.UsageError("--query does not apply to -o name (one number per line)")
    if no_headers and (fmt not in ("table", "wide", "csv") or query is not None):
        raise click.UsageError("--no-headers applies to -o table, wide and csv, without --query")
    options = RenderOptions(
        kind=kind,
        utc=utc,
        query=query,
        columns=columns,
        headers=not no_headers,
        sort_by=sort_by,
    )
    return fmt, options


def max_attempts_option(help: str) -> Callable[[F], F]:
    """``--max-attempts``: one retry budget, for every command that makes requests."""
    return click.option(
        "--max-attempts",
        type=click.IntRange(1, 100),
        default=DEFAULT_MAX_ATTEMPTS,
        show_default=True,
        metavar="N",
        help=help,
    )
