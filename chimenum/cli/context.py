"""What a command needs, built once per run: the Settings, the one Environment, the run object.

As gh's ``cmdutil.Factory`` does, commands get their dependencies from here rather than building
them, so a run has exactly one :class:`~chimenum.output.env.Environment` (the error boundary's, set
up before any parsing), one :class:`~chimenum.core.settings.Settings` (the environment's, then the
options') and one :class:`~chimenum.core.run.Run` (sessions, clients, per-endpoint policies). This
is the one place that turns ``--demo`` into an endpoint table and ``--debug`` into a log handler.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import click

from chimenum.core.apis import Api
from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure
from chimenum.core.settings import SettingError, Settings
from chimenum.output.env import ColorChoice, Environment

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from chimenum.core.fetch import Fetcher
    from chimenum.core.listing import Lister
    from chimenum.core.mutes import Mutelist, Mutes
    from chimenum.core.run import Run

#: The run's Environment, set by the error boundary before click parses anything.
RUN_ENVIRONMENT: ContextVar[Environment] = ContextVar("chimenum_environment")

_RUN = "chimenum.run"


def settings_of(ctx: click.Context) -> Settings:
    """The run's Settings: the environment's (read once), then what the options said.

    A test may pass its own (``CliRunner().invoke(cli, args, obj=Settings(...))``).
    """
    found = ctx.find_object(Settings)
    if found is None:
        try:
            found = Settings.from_environ()
        except SettingError as exc:
            if exc.exit_code != ExitCode.USAGE:
                raise ChimenumError(
                    Failure(CONFIG_ERROR, f"${exc.variable}: {exc}", ExitCode(exc.exit_code))
                ) from None
            raise click.BadParameter(str(exc), ctx, param_hint=f"${exc.variable}") from None
        ctx.find_root().obj = found
        ctx.obj = found
    return found


def environment(
    ctx: click.Context, *, quiet: bool = False, color: ColorChoice = "auto"
) -> Environment:
    """The run's one Environment, with the command's ``--quiet`` and ``--color`` applied."""
    env = ctx.meta.get("chimenum.env")
    if env is None:
        env = RUN_ENVIRONMENT.get(None) or Environment()
        ctx.meta["chimenum.env"] = env
    env.quiet = quiet
    env.color = color
    return env


def run_of(
    ctx: click.Context, *, concurrency: int | None = None, max_attempts: int | None = None
) -> Run:
    """The run object, built on first use: after parsing, so every option is in the Settings.

    ``concurrency`` and ``max_attempts``: the command's options, recorded in the Settings first.
    """
    from chimenum.core.run import Run

    settings = settings_of(ctx)
    if concurrency is not None:
        settings.concurrency = concurrency
    if max_attempts is not None:
        settings.max_attempts = max_attempts
    run: Run | None = ctx.meta.get(_RUN)
    if run is None:
        from chimenum.demo import sandbox_for

        if settings.debug:
            from chimenum.core import debuglog

            debuglog.install(sys.stderr)
        run = ctx.meta[_RUN] = Run(settings, sandbox=sandbox_for(settings))
    return run


def client(ctx: click.Context, **kwargs: Any) -> BaseClient:
    """The run's client for its own API and region."""
    return client_for(ctx, settings_of(ctx).api, **kwargs)


def client_for(
    ctx: click.Context, api: Api, region: str | None = None, *, max_pool_connections: int = 0
) -> BaseClient:
    """The run's client for ``api`` in ``region`` (see :meth:`~chimenum.core.run.Run.client`)."""
    return run_of(ctx).client(api, region, pool=max_pool_connections or None)


def sessions_of(ctx: click.Context) -> dict[Any, Any]:
    """The run's botocore sessions, shared by every client it makes."""
    return run_of(ctx).sessions


def fetcher(ctx: click.Context, concurrency: int, max_attempts: int) -> Fetcher:
    """A Fetcher for the run's own API, under its endpoint's policy."""
    from chimenum.core.fetch import Fetcher

    run = run_of(ctx, concurrency=concurrency, max_attempts=max_attempts)
    own = run.client()
    return Fetcher(own, run.policy(own))


def lister(ctx: click.Context, max_attempts: int) -> Lister:
    """A Lister for the run's own API, under its endpoint's policy."""
    from chimenum.core.listing import Lister

    run = run_of(ctx, max_attempts=max_attempts)
    own = run.client()
    return Lister(own, run.settings.api, run.policy(own))


def mutes(
    ctx: click.Context, env: Environment, mutelist: Mutelist, client: BaseClient | None
) -> Mutes:
    """``--mutelist`` judged for this run: on its day (``CHIMENUM_TODAY``, else today in UTC),
    with its one profile and region standing for every finding's (``client``: the one pair's;
    None for several pairs, whose findings carry their own)."""
    settings = settings_of(ctx)
    where = (
        {"Profile": settings.profile or "default", "Region": str(client.meta.region_name)}
        if client is not None
        else {}
    )
    return mutelist.for_run(settings.today or env.now().date(), where)
