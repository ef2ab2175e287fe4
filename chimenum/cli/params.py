"""click value types: durations, choices, and values that differ between the two APIs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

from chimenum.core.settings import SettingError, Settings
from chimenum.output.formats.summary import COLUMN_NAMES

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


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


class RegionName(click.types.StringParamType):
    """``--region``: a region-shaped name, refused at parse time otherwise (whether botocore
    knows the region is checked by the run, once it knows where requests go)."""

    name = "region"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from chimenum.core.regions import shape_problem

        name = super().convert(value, param, ctx)
        problem = shape_problem(name)
        if problem:
            self.fail(problem, param, ctx)
        return name


class OneOf(click.Choice[str]):
    """A choice whose "missing" message is one plain line.

    click's own puts a tab before each choice, which the error boundary then shows as ``\\x09``.
    """

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return "Choose from: " + ", ".join(self.allowed(ctx))

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        # click's own lists the values as it compares them: lower-cased when any case is taken.
        return f"{value!r} is not one of {', '.join(self.allowed(ctx))}."

    def allowed(self, ctx: click.Context | None) -> tuple[str, ...]:
        return tuple(str(choice) for choice in self.choices)


class PerApi(OneOf):
    """The values of one API's table: both APIs' values parse (``--api`` may come later on the
    line, and is checked then), but completion and "choose from" offer only those of the API
    in effect. Any case is accepted (``--status assigned``); the value passed on is the API's
    own spelling (``Assigned``), which the API requires and every view prints."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        from chimenum.core.apis import union

        super().__init__(union(table), case_sensitive=False)
        self.table = table

    def allowed(self, ctx: click.Context | None) -> tuple[str, ...]:
        settings = ctx.find_object(Settings) if ctx is not None else None
        if settings is None:  # a TAB: no option was parsed, the environment may name the API
            try:
                settings = Settings.from_environ()
            except SettingError:
                settings = Settings()
        return self.table[settings.api]

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [
            CompletionItem(value)
            for value in self.allowed(ctx)
            if value.lower().startswith(incomplete.lower())
        ]


def choices_of(table: dict[str, tuple[str, ...]]) -> click.Choice[str]:
    return PerApi(table)


class Several(PerApi):
    """Values of one API's table, comma-separated (``--status AcquireFailed,DeleteFailed``),
    each matched whatever its case and given back in the API's case, as a tuple; an option
    given again adds its values."""

    name = "values"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        in_api_case = {str(choice).lower(): str(choice) for choice in self.choices}
        values = []
        for part in str(value).split(","):
            found = in_api_case.get(part.strip().lower())
            if found is None:
                self.fail(
                    f"{part.strip()!r} is not one of {', '.join(self.allowed(ctx))}", param, ctx
                )
            values.append(found)
        return tuple(values)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        done, _, last = incomplete.rpartition(",")
        prefix = done + "," if done else ""
        return [
            CompletionItem(prefix + value)
            for value in self.allowed(ctx)
            if value.lower().startswith(last.lower())
        ]


def flattened(given: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The values of a :class:`Several` option given once or more, in order, each once."""
    return tuple(dict.fromkeys(value for values in given for value in values))


def per_api(table: dict[str, tuple[str, ...]]) -> str:
    """``"A, B; chime only: C; voice only: D"``: the values of both APIs, for --help."""
    both = [v for v in table["chime"] if v in table["voice"]]
    parts = [", ".join(both)]
    for api, other in (("chime", "voice"), ("voice", "chime")):
        only = [v for v in table[api] if v not in table[other]]
        if only:
            parts.append(f"{api} only: {', '.join(only)}")
    return "; ".join(parts)


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


def query_expression(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Compile ``--query`` while parsing, so a bad expression fails before any request."""
    if value is None:
        return None
    from chimenum.output.query import QueryError, compile_query

    try:
        compile_query(value)
    except QueryError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


def column_names(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
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


def mutelist_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--mutelist FILE``, read and checked while parsing: a bad rule fails before any request."""
    from chimenum.core.mutes import Mutelist

    return _read(ctx, param, value, Mutelist.read)


def baseline_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--baseline PREVIOUS.json``: an earlier ``audit --json``, read while parsing."""
    from chimenum.core.mutes import Baseline

    return _read(ctx, param, value, Baseline.read)


def _read(ctx: click.Context, param: click.Parameter, path: str | None, read: Any) -> Any:
    from chimenum.core.mutes import MutelistError

    if path is None:
        return None
    try:
        return read(path)
    except MutelistError as exc:
        raise click.BadParameter(f"{path}: {exc}", ctx, param) from None


def account_ids(path: str, ctx: click.Context, param: click.Parameter) -> tuple[str, ...]:
    """``--accounts FILE``: one 12-digit account id a line; ``#`` starts a comment."""
    import re
    from pathlib import Path

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise click.BadParameter(f"{path!r}: {reason}", ctx, param) from None
    found: dict[str, None] = {}
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not re.fullmatch(r"[0-9]{12}", text, re.ASCII):
            raise click.BadParameter(
                f"{path}: line {number}: {text!r} is not a 12-digit AWS account id", ctx, param
            )
        found[text] = None
    if not found:
        raise click.BadParameter(f"{path}: no account id in it", ctx, param)
    return tuple(found)
