"""Shared click options: where to reach AWS, how to render, and value types.

AWS options are accepted on the group and on every command, before or after the subcommand; their
values go to the run's one :class:`~chimenum.core.session.Settings` (see :mod:`.context`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from chimenum.cli.context import settings_of as _settings
from chimenum.core.errors import EXIT_CODE_MEANINGS, SEVERITY, ExitCode
from chimenum.core.settings import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    Settings,
)
from chimenum.output.formats import Document, formats_of
from chimenum.output.formats.summary import COLUMN_NAMES

if TYPE_CHECKING:
    from chimenum.output.formats import DocumentKind, RenderOptions

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

F = TypeVar("F", bound=Callable[..., Any])

#: The per-id failures, most severe first: what a batch with several different failures exits with.
SEVERITY_ORDER = ", ".join(
    str(int(code))
    for code in SEVERITY
    if code not in (ExitCode.TERMINATED, ExitCode.INTERRUPTED, ExitCode.INTERNAL)
)

# Paragraphs are separated by a blank line: click's no-rewrap marker \b only works at the start
# of a paragraph, and anywhere else it is printed as a raw backspace.
EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    + "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())
    + "\n\nWith several ids, the exit code is that of the most severe failure, in the order"
    f" {SEVERITY_ORDER}."
)


_DURATION = re.compile(r"(?:(\d+(?:\.\d*)?)h)?(?:(\d+(?:\.\d*)?)m)?(?:(\d+(?:\.\d*)?)s)?")


class Seconds(click.FloatRange):
    """A number of seconds in a range, also written as a duration (``90s``, ``5m``, ``1h30m``);
    unlike ``FloatRange``, ``nan`` is refused."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            match = _DURATION.fullmatch(text)
            if text and match and any(match.groups()):
                hours, minutes, secs = (float(part or 0) for part in match.groups())
                value = hours * 3600 + minutes * 60 + secs
            else:
                try:
                    value = float(text)
                except ValueError:
                    self.fail(
                        f"{value!r} is not a duration: give seconds (300) or 90s, 5m, 1h30m",
                        param,
                        ctx,
                    )
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Record an AWS option given before or after the subcommand; the later one wins."""
    if value is not None and value is not False and param.name:
        setattr(_settings(ctx), param.name, value)
    return value


def _store_api(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--api`` before or after the subcommand; ``$CHIMENUM_API`` only when neither was given.

    Both the group and the subcommand read the environment variable, so without this the
    subcommand's environment value would overwrite a ``--api`` given before the subcommand.
    """
    if value is None:
        return value
    from click.core import ParameterSource

    explicit = ctx.get_parameter_source(param.name or "api") is ParameterSource.COMMANDLINE
    if explicit or not ctx.meta.get("chimenum.api_explicit"):
        _settings(ctx).api = value  # type: ignore[assignment]
    if explicit:
        ctx.meta["chimenum.api_explicit"] = True
    return value


def _endpoint(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx, param)
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


def aws_options(f: F) -> F:
    """Where and how to reach AWS; accepted on the group and on every command."""
    decorators = [
        click.option(
            "--api",
            type=ApiName(["chime", "voice"]),
            envvar="CHIMENUM_API",
            expose_value=False,
            callback=_store_api,
            help="chime: Amazon Chime (global endpoint); voice: Chime SDK Voice, regional"
            " ($CHIMENUM_API; default: chime).",
        ),
        click.option(
            "--profile",
            metavar="NAME",
            expose_value=False,
            callback=_store,
            shell_complete=_complete_profiles,
            help="Named profile from the AWS config files (default: $AWS_PROFILE).",
        ),
        click.option(
            "--region",
            metavar="REGION",
            expose_value=False,
            callback=_store,
            shell_complete=_complete_regions,
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
            type=Seconds(0.1, 300),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help=f"Seconds to wait for a connection (default: {DEFAULT_CONNECT_TIMEOUT:g}).",
        ),
        click.option(
            "--read-timeout",
            type=Seconds(0.1, 900),
            metavar="SECONDS",
            expose_value=False,
            callback=_store,
            help=f"Seconds to wait for an answer (default: {DEFAULT_READ_TIMEOUT:g}).",
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


def _query(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Compile ``--query`` while parsing, so a bad expression fails before any request."""
    if value is None:
        return None
    from chimenum.output.query import QueryError, compile_query

    try:
        compile_query(value)
    except QueryError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


def _columns(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--columns number,status``: known names, in the order given."""
    if value is None:
        return None
    names = tuple(name.strip().lower() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in COLUMN_NAMES]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown column {', '.join(map(repr, unknown)) or 'list'}; choose from"
            f" {', '.join(COLUMN_NAMES)}",
            ctx,
            param,
        )
    return names


def output_option(document: Document, help: str) -> Callable[[F], F]:
    """``-o/--output``: the choices, and the default (the first), are the format registry's
    formats of ``document``: named once, there."""
    choices = formats_of(document)
    return click.option(
        "-o",
        "--output",
        type=OneOf(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def output_options(f: F) -> F:
    """How to render results; shared by every command that prints phone numbers."""
    decorators = [
        output_option(
            "numbers",
            "Output format. table fits a terminal's width (columns that do not fit are"
            " left out, with a hint on stderr); wide shows every column; text is the AWS"
            " CLI's tab-separated text; csv is RFC 4180 with a header row (cells a"
            " spreadsheet would run as a formula get a leading ', E.164 numbers excepted).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Same as --output json."),
        click.option(
            "--query",
            metavar="EXPR",
            callback=_query,
            help="JMESPath expression applied to the JSON document, as in the AWS CLI "
            "(per line with ndjson).",
        ),
        click.option(
            "--color",
            type=OneOf(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour on stdout: auto means on a terminal, unless $NO_COLOR is set "
            "($CLICOLOR_FORCE=1 forces it).",
        ),
        click.option("--utc", is_flag=True, help="Show timestamps in UTC, not local time."),
        click.option(
            "--columns",
            metavar="NAME,...",
            callback=_columns,
            help=f"Table columns to show, in this order: {', '.join(COLUMN_NAMES)}.",
        ),
        click.option(
            "--sort-by",
            metavar="COLUMN",
            type=click.Choice(COLUMN_NAMES),
            help="Sort the table by this column (it then waits for every row, holding the"
            " whole listing in memory).",
        ),
        click.option(
            "--no-headers",
            is_flag=True,
            help="No header row (table, wide and csv), for scripts that read tables.",
        ),
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


class OneOf(click.Choice[str]):
    """A choice whose "missing" message is one plain line.

    click's own puts a tab before each choice, which the error boundary then shows as ``\\x09``.
    """

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return "Choose from: " + ", ".join(self.allowed(ctx))

    def allowed(self, ctx: click.Context | None) -> tuple[str, ...]:
        return tuple(str(choice) for choice in self.choices)


class PerApi(OneOf):
    """The values of one API's table: both APIs' values parse (``--api`` may come later on the
    line, and is checked then), but completion and "choose from" offer only those of the API
    in effect."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        from chimenum.core.apis import union

        super().__init__(union(table))
        self.table = table

    def allowed(self, ctx: click.Context | None) -> tuple[str, ...]:
        settings = ctx.find_object(Settings) if ctx is not None else None
        return self.table[settings.api if settings is not None else "chime"]

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [
            CompletionItem(value) for value in self.allowed(ctx) if value.startswith(incomplete)
        ]


class ApiName(OneOf):
    """``--api``: a bad ``$CHIMENUM_API`` is reported as the variable, not as the option."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from click.core import ParameterSource

        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            source = ctx.get_parameter_source(param.name) if ctx and param and param.name else None
            if source is not ParameterSource.ENVIRONMENT:
                raise
            raise click.BadParameter(
                f"{value!r} is not one of {', '.join(self.allowed(ctx))} (or unset it)",
                ctx,
                param_hint="$CHIMENUM_API",
            ) from None


def choices_of(table: dict[str, tuple[str, ...]]) -> click.Choice[str]:
    return PerApi(table)


def per_api(table: dict[str, tuple[str, ...]]) -> str:
    """``"A, B; chime only: C; voice only: D"``: the values of both APIs, for --help."""
    both = [v for v in table["chime"] if v in table["voice"]]
    parts = [", ".join(both)]
    for api, other in (("chime", "voice"), ("voice", "chime")):
        only = [v for v in table[api] if v not in table[other]]
        if only:
            parts.append(f"{api} only: {', '.join(only)}")
    return "; ".join(parts)


def id_arguments(f: F) -> F:
    """``ID...`` and ``-f/--from-file``: the ids a command works on (``-`` reads stdin)."""
    f = click.option(
        "-f",
        "--from-file",
        "from_files",
        type=click.File("rb"),
        multiple=True,
        metavar="FILE",
        help="Read ids from FILE, one per line (- for stdin); repeatable.",
    )(f)
    return click.argument("ids", nargs=-1, metavar="[ID|-]...", shell_complete=complete_ids)(f)
