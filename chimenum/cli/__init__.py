"""The click group and its commands: parse options, call the core, pick a renderer, exit.

Nothing heavy is imported at module level: botocore and rich load only when a command needs
them, so ``--help``, ``--version`` and shell completion stay instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from chimenum import __version__
from chimenum.cli.signals import (
    ReaderGone,
    Terminated,
    end_now,
    reader_gone_on_broken_pipe,
    silence,
    terminate_on_sigterm,
)
from chimenum.core.apis import FILTER_NAMES, PRODUCT_TYPES, STATUSES
from chimenum.core.errors import (
    EXIT_CODE_MEANINGS,
    ExitCode,
    Failure,
    classify,
    most_severe,
)
from chimenum.core.session import Settings
from chimenum.output.env import ColorChoice, Environment

if TYPE_CHECKING:
    from chimenum.core.fetch import Result

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    + "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())
    + (
        "\n\b\nWith several ids, the exit code is that of the most severe failure, in the order"
        "\n10, 11, 5, 6, 12, 9, 8, 7, 4, 3."
    )
)


class Seconds(click.FloatRange):
    """A number of seconds in a range; unlike ``FloatRange``, ``nan`` is refused."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


def _settings(ctx: click.Context) -> Settings:
    return ctx.ensure_object(Settings)


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


def _complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from chimenum.completion import complete_ids

    return complete_ids(ctx, param, incomplete)


def aws_options(f: F) -> F:
    """Where and how to reach AWS; accepted on the group and on every command."""
    decorators = [
        click.option(
            "--api",
            type=click.Choice(["chime", "voice"]),
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
            help="Seconds to wait for a connection (default: 5).",
        ),
        click.option(
            "--read-timeout",
            type=Seconds(0.1, 900),
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


def output_options(f: F) -> F:
    """How to render results; shared by every command that prints phone numbers."""
    decorators = [
        click.option(
            "-o",
            "--output",
            type=click.Choice(["table", "json", "ndjson", "text"]),
            default="table",
            show_default=True,
            help="Output format; text is the AWS CLI's tab-separated text.",
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
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour on stdout: auto means on a terminal, unless $NO_COLOR is set "
            "($CLICOLOR_FORCE=1 forces it).",
        ),
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


def max_attempts_option(help: str) -> Callable[[F], F]:
    """``--max-attempts``: one retry budget, for every command that makes requests."""
    return click.option(
        "--max-attempts",
        type=click.IntRange(1, 100),
        default=8,
        show_default=True,
        metavar="N",
        help=help,
    )


class ChimenumGroup(click.Group):
    """Turns every way a run can end into one stderr line and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        complete_var = complete_var or "_CHIMENUM_COMPLETE"
        if os.environ.get(complete_var):
            # A TAB in the user's shell: whatever happens, print candidates or nothing.
            code = self.complete_quietly(prog_name or "chimenum", complete_var, **extra)
            if standalone_mode:
                sys.exit(code)
            return code
        env = Environment()
        with terminate_on_sigterm():
            try:
                code = self._run(argv, env, prog_name, complete_var, **extra)
                # A closed pipe must surface here, not in the interpreter's final flush.
                env.stdout.flush()
            except (BrokenPipeError, ReaderGone):
                silence(env.stdout)
                silence(env.stderr)
                code = ExitCode.BROKEN_PIPE
        if standalone_mode:
            sys.exit(int(code))
        return int(code)

    def _run(
        self,
        argv: list[str],
        env: Environment,
        prog_name: str | None,
        complete_var: str | None,
        **extra: Any,
    ) -> int:
        try:
            rv = super().main(
                argv, prog_name or "chimenum", complete_var, standalone_mode=False, **extra
            )
            return rv if isinstance(rv, int) else 0
        except (BrokenPipeError, ReaderGone):
            raise
        except click.exceptions.Abort:
            env.error("interrupted")
            return ExitCode.INTERRUPTED
        except click.ClickException as exc:
            show_usage_error(env, exc)
            return exc.exit_code
        except (Interrupted, KeyboardInterrupt):
            env.error("interrupted")
            return ExitCode.INTERRUPTED
        except Terminated:
            env.error("terminated")
            return ExitCode.TERMINATED
        except Exception as exc:
            failure = classify(exc)
            if "--debug" in argv:
                import traceback

                from chimenum.core.debuglog import redact

                env.stderr.write(redact("".join(traceback.format_exception(exc))))
            env.error(failure.message)
            return failure.exit_code
        finally:
            # Only a --debug run imported it; --help must not pay for logging.
            debuglog = sys.modules.get("chimenum.core.debuglog")
            if debuglog is not None:
                debuglog.uninstall()

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with reader_gone_on_broken_pipe():  # --help and --version write while parsing
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with reader_gone_on_broken_pipe():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted from None

    def complete_quietly(self, prog_name: str, complete_var: str, **extra: Any) -> int:
        """Answer the shell's completion request; errors and stderr output are swallowed."""
        import contextlib
        import io
        import warnings

        from click.shell_completion import shell_complete

        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from chimenum.completion import register

                register()
                return shell_complete(
                    self, extra, prog_name, complete_var, os.environ[complete_var]
                )
            except Exception:
                return 1


def show_usage_error(env: Environment, exc: click.ClickException) -> None:
    """click's own error display, with any control characters from argv made visible."""
    import io

    from chimenum.core.safe import visible

    buffer = io.StringIO()
    exc.show(buffer)
    env.stderr.write(visible(buffer.getvalue()))
    env.stderr.flush()


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
      chimenum list --status Assigned -o ndjson
      chimenum --api voice --region us-west-2 wait +12065550111 --status Assigned
    """


def report(env: Environment, phone_number_id: str, failure: Failure) -> None:
    # env.warn makes the whole line inert: the code and message may come from the service.
    env.warn(f"error: {phone_number_id}: {failure.code}: {failure.message}")


#: Invalid input lines reported one by one before the rest are summed up.
MAX_REPORTED_LINES = 20


def _read_ids(
    env: Environment, ctx: click.Context, args: tuple[str, ...], files: tuple[Any, ...]
) -> list[str] | None:
    """Every id asked for, normalised and deduplicated in input order; ``None`` if any input
    line is invalid (each reported with its line number, nothing fetched)."""
    from chimenum.core.ids import InvalidId, id_lines, normalise

    seen: dict[str, None] = {}
    bad: list[str] = []

    def take_lines(name: str, stream: Any) -> None:
        for number, text in id_lines(stream):
            try:
                seen.setdefault(normalise(text), None)
            except InvalidId as exc:
                bad.append(f"{name}:{number}: {exc}")

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


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("ids", nargs=-1, metavar="[ID|-]...", shell_complete=_complete_ids)
@click.option(
    "-f",
    "--from-file",
    "from_files",
    type=click.File("rb"),
    multiple=True,
    metavar="FILE",
    help="Read ids from FILE, one per line (- for stdin); repeatable.",
)
@output_options
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=16,
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

    \b
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
    env = Environment(quiet=quiet, color=color)
    if not ids and not from_files:
        raise click.UsageError("no phone-number id given", ctx)
    phone_ids = _read_ids(env, ctx, ids, from_files)
    if phone_ids is None:
        return int(ExitCode.USAGE)
    batch = len(ids) != 1 or bool(from_files) or ids[0] == "-"

    from chimenum.output.formats import RenderOptions, get_renderer

    fmt = "json" if as_json else output
    renderer = get_renderer(
        fmt, env, RenderOptions(kind="many" if batch else "one", utc=utc, query=query)
    )
    if not phone_ids:
        env.warn("no ids in the input")
        renderer.finish()
        return int(ExitCode.OK)

    from chimenum.core.fetch import Fetcher
    from chimenum.core.session import make_client
    from chimenum.demo import resolve

    fetcher = Fetcher(
        make_client(resolve(_settings(ctx)), max_pool_connections=concurrency),
        max_attempts=max_attempts,
    )
    progress = None
    # A progress bar for batches on a terminal; not when ndjson lines stream to the same one.
    if (
        len(phone_ids) > 1
        and env.stderr_isatty
        and not quiet
        and not (fmt == "ndjson" and env.stdout_isatty)
    ):
        from chimenum.output.progress import BatchProgress

        progress = BatchProgress(env, len(phone_ids)).start()
    codes: list[ExitCode] = []

    def emit(result: Result) -> None:
        renderer.add(result)
        if result.failure is not None:
            codes.append(result.failure.exit_code)
            report(env, result.phone_number_id, result.failure)

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
            fetcher.stop()
            if progress is not None:
                progress.close()
            # Ids fetched while waiting for an earlier one are written too (still in order).
            for result in fetcher.done_but_not_yielded():
                emit(result)
                written += 1
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


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL.

    Completes subcommands, options, choice values, --profile from the AWS config files, --region
    from botocore's region list and phone-number ids from the account (cached for two minutes
    under $XDG_CACHE_HOME/chimenum; a TAB never waits more than about a second).

    \b
    Install (or use the committed copies in completions/):
      bash:  chimenum completion bash > ~/.local/share/bash-completion/completions/chimenum
      zsh:   chimenum completion zsh > "${fpath[1]}/_chimenum"
      fish:  chimenum completion fish > ~/.config/fish/completions/chimenum.fish
    """
    from chimenum.completion import script

    click.echo(script(cli, shell), nl=False)


def _check_for_api(ctx: click.Context, api: str, checks: list[tuple[str, str | None]]) -> None:
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


def _choices(table: dict[str, tuple[str, ...]]) -> click.Choice[str]:
    from chimenum.core.apis import union

    return click.Choice(union(table))


def _per_api(table: dict[str, tuple[str, ...]]) -> str:
    """``"A, B; chime only: C; voice only: D"``: the values of both APIs, for --help."""
    both = [v for v in table["chime"] if v in table["voice"]]
    parts = [", ".join(both)]
    for api, other in (("chime", "voice"), ("voice", "chime")):
        only = [v for v in table[api] if v not in table[other]]
        if only:
            parts.append(f"{api} only: {', '.join(only)}")
    return "; ".join(parts)


@cli.command(name="list", epilog=EXIT_CODES_HELP)
@output_options
@click.option(
    "--status",
    type=_choices(STATUSES),
    metavar="STATUS",
    help=f"Only numbers in this status ({_per_api(STATUSES)}).",
)
@click.option(
    "--product-type",
    type=_choices(PRODUCT_TYPES),
    metavar="TYPE",
    help=f"Only numbers of this product type ({_per_api(PRODUCT_TYPES)}).",
)
@click.option(
    "--filter-name",
    type=_choices(FILTER_NAMES),
    metavar="NAME",
    help="Only numbers with an association of this kind, given with --filter-value"
    f" ({_per_api(FILTER_NAMES)}).",
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
    quiet: bool,
    status: str | None,
    product_type: str | None,
    filter_name: str | None,
    filter_value: str | None,
    limit: int | None,
    starting_token: str | None,
    max_attempts: int,
) -> int:
    """List every phone number of the account, page after page.

    Pages (99 numbers for chime, 100 for voice) are requested one after the other, following
    NextToken to the end; ndjson and text print each page as it arrives, json and the table
    once the listing is complete (with --query, every format waits for the whole document, as
    the expression sees it all). A throttled or failing page is retried like any request; if it
    still fails, what was received stays printed, stderr says where it stopped (resume with
    --starting-token) and the exit code says why: a listing never ends early in silence.

    \b
    Examples:
      chimenum list
      chimenum list --status Assigned --product-type VoiceConnector -o ndjson
      chimenum --api voice list --filter-name VoiceConnectorId --filter-value abcdef1ghij2klmno3pqr4
      chimenum list -o text --query 'PhoneNumbers[?Status==`Unassigned`].PhoneNumberId'
      chimenum list --json | jq -r '.PhoneNumbers[] | select(.Status != "Assigned").PhoneNumberId'
    """
    settings = _settings(ctx)
    _check_for_api(
        ctx,
        settings.api,
        [("status", status), ("product type", product_type), ("filter name", filter_name)],
    )
    if (filter_name is None) != (filter_value is None):
        raise click.UsageError("--filter-name and --filter-value go together", ctx)
    if starting_token is not None and not starting_token.strip():
        raise click.UsageError("--starting-token is empty", ctx)

    from chimenum.core.fetch import Fetcher, Result
    from chimenum.core.listing import Filters, Lister, ListingStopped
    from chimenum.core.safe import inert
    from chimenum.core.session import make_client
    from chimenum.demo import resolve
    from chimenum.output.formats import RenderOptions, get_renderer

    env = Environment(quiet=quiet, color=color)
    renderer = get_renderer(
        "json" if as_json else output, env, RenderOptions(kind="list", utc=utc, query=query)
    )
    lister = Lister(
        Fetcher(make_client(resolve(settings)), max_attempts=max_attempts), settings.api
    )
    filters = Filters(status, product_type, filter_name, filter_value)
    count = 0
    try:
        for page in lister.pages(filters, limit=limit, starting_token=starting_token):
            for number in page.numbers:
                renderer.add(Result(str(number["PhoneNumberId"]), document={"PhoneNumber": number}))
            count += len(page.numbers)
            renderer.page_done()
    except ListingStopped as stop:
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
    if count == 0 and output == "table" and not as_json and query is None:
        env.warn("no phone numbers" + (" match" if filters.params() else ""))
    return 0


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("ids", nargs=-1, metavar="ID...", shell_complete=_complete_ids)
@click.option(
    "--status",
    "statuses",
    type=_choices(STATUSES),
    multiple=True,
    required=True,
    metavar="STATUS",
    help=f"A wanted status; repeat for several, any one will do ({_per_api(STATUSES)}).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, 7 * 86400),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="Give up (exit 13) after this long.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.01, 3600),
    default=5,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between polls.",
)
@max_attempts_option("Tries per poll of an id when throttled or the service fails.")
@click.option("-q", "--quiet", is_flag=True, help="No line on stderr when the wait fails.")
@aws_options
@click.pass_context
def wait(
    ctx: click.Context,
    ids: tuple[str, ...],
    statuses: tuple[str, ...],
    timeout: float,
    interval: float,
    max_attempts: int,
    quiet: bool,
) -> int:
    """Wait until every ID reaches one of the wanted statuses.

    Polls every --interval seconds. Exit 0 once every id has been seen in a wanted status (an id
    is done the first time it is; it is not polled again). Exit 14 as soon as an id is in a
    failed state it does not leave on its own (AcquireFailed, DeleteFailed, ReleaseFailed,
    Cancelled) and that is not wanted. Exit 13 if the timeout passes first (a last poll is made
    at the deadline). An id that cannot be fetched (NotFoundException, ...) ends the wait with
    that error's exit code. Throttled polls are retried, as for get.

    On a terminal a live table shows each id's status and how long it has waited; piped, one
    line per status change: "SECONDS ID STATUS [reached|failed|error]".

    \b
    Examples:
      chimenum wait +12065550105 --status Assigned --interval 1
      chimenum --api voice wait +12065550111 --status Assigned --timeout 600 --interval 1
      chimenum wait +12065550107 --status Unassigned --status Assigned --timeout 60 --interval 1
    """
    from chimenum.core.ids import InvalidId, unique

    if not ids:
        raise click.UsageError("no phone-number id given", ctx)
    try:
        phone_ids = unique(ids)
    except InvalidId as exc:
        raise click.UsageError(str(exc), ctx) from None
    settings = _settings(ctx)
    _check_for_api(ctx, settings.api, [("status", status) for status in statuses])

    from chimenum.core.fetch import Fetcher
    from chimenum.core.safe import inert
    from chimenum.core.session import make_client
    from chimenum.core.waiting import Waiter
    from chimenum.demo import resolve
    from chimenum.output.live import make_display

    env = Environment(quiet=quiet)
    concurrency = 16
    fetcher = Fetcher(
        make_client(resolve(settings), max_pool_connections=concurrency), max_attempts=max_attempts
    )
    waiter = Waiter(
        fetcher,
        phone_ids,
        frozenset(statuses),
        timeout=timeout,
        interval=interval,
        concurrency=concurrency,
    )
    display = make_display(env, waiter)
    display.start()
    try:
        for change in waiter.run():
            display.change(change)
    finally:
        display.finish()
    outcome = waiter.outcome
    if outcome.exit_code is not ExitCode.OK:
        env.warn(inert(outcome.message))
    return int(outcome.exit_code)


def main() -> None:
    """The console script."""
    code = cli.main(prog_name="chimenum", standalone_mode=False)
    if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
        end_now(code)
    sys.exit(code)
