"""What a command needs, built once per run: the Settings, the one Environment, a client factory.

As gh's ``cmdutil.Factory`` does, commands get their dependencies from here rather than building
them, so a run has exactly one :class:`~chimenum.output.env.Environment` (the error boundary's, set
up before any parsing) and one place that knows how ``--demo`` turns into an endpoint.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import click

from chimenum.core.apis import Api
from chimenum.core.session import Settings
from chimenum.output.env import ColorChoice, Environment

if TYPE_CHECKING:
    from botocore.client import BaseClient

#: The run's Environment, set by the error boundary before click parses anything.
RUN_ENVIRONMENT: ContextVar[Environment] = ContextVar("chimenum_environment")


def settings_of(ctx: click.Context) -> Settings:
    """The run's Settings: what the user said about where and how to reach AWS."""
    return ctx.ensure_object(Settings)


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


def client(ctx: click.Context, **kwargs: Any) -> BaseClient:
    """A botocore client for the run's Settings (``--demo``: the demo account's server)."""
    from chimenum.core.session import make_client
    from chimenum.demo import resolve

    return make_client(resolve(settings_of(ctx)), sessions=sessions_of(ctx), **kwargs)


def sessions_of(ctx: click.Context) -> dict[Any, Any]:
    """The run's botocore sessions, shared by every client it makes."""
    found: dict[Any, Any] = ctx.meta.setdefault("chimenum.sessions", {})
    return found


def client_for(
    ctx: click.Context, api: Api, region: str | None = None, **kwargs: Any
) -> BaseClient:
    """A client for ``api`` (either one, whatever ``--api`` says) with the run's session settings.

    ``region`` overrides the configured one (a resource looked up in another region). An
    ``--endpoint-url`` names the endpoint of the run's own API, so the other API's client uses
    its own (``AWS_ENDPOINT_URL_CHIME_SDK_VOICE``, the profile, or AWS's); with ``--demo``, the
    demo server's. A Chime run with no region configured resolves voice resources in us-east-1,
    where the Chime API itself lives.
    """
    from dataclasses import replace

    from chimenum.core.session import CHIME_GLOBAL_REGION, make_client
    from chimenum.demo import resolve

    settings = settings_of(ctx)
    other = replace(
        settings,
        api=api,
        region=region or settings.region,
        endpoint_url=settings.endpoint_url if api == settings.api else None,
    )
    fallback = CHIME_GLOBAL_REGION if api != settings.api else None
    return make_client(resolve(other), default_region=fallback, sessions=sessions_of(ctx), **kwargs)
