"""AWS session and client resolution: the only place botocore is configured.

Resolution follows the AWS CLI: ``--profile`` or ``AWS_PROFILE``; credentials from botocore's
untouched chain (env, shared files, SSO, ``credential_process``, container/instance roles);
region from ``--region``, ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the profile; endpoint from
``--endpoint-url``, then ``AWS_ENDPOINT_URL_<SERVICE>`` / ``AWS_ENDPOINT_URL`` (read by
botocore itself) and the profile's ``endpoint_url``.

Retries belong to :mod:`chimenum.core.policy`, not botocore: botocore's standard and adaptive
modes do not retry Chime's ``ThrottledClientException`` (botocore#2635), so the client is built
with a single attempt and the policy owns retries; :mod:`chimenum.core.wire` bounds each answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chimenum import __version__
from chimenum.core.apis import SERVICE_NAMES, Api
from chimenum.core.settings import (
    CHIME_GLOBAL_REGION,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_CREDENTIALS_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    Settings,
    resolve_region,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.loaders import Loader

    from chimenum.core.regions import Resolver

__all__ = [
    "CHIME_GLOBAL_REGION",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "SERVICE_NAMES",
    "Api",
    "Sandbox",
    "Settings",
    "make_client",
    "resolve_region",
]


@dataclass(frozen=True)
class Sandbox:
    """An account served at known URLs with static credentials (a built-in one): the user's AWS
    configuration is not read, so it works anywhere. ``urls`` maps each API to its endpoint;
    ``regions`` are the regions its Chime SDK Voice API is in (None: any region-shaped name).
    ``profiles`` are the named profiles it answers to, each with its own account's static
    credentials ``(access key, secret key)``; ``urls`` may hold ``"sts"``, where STS is served."""

    urls: Mapping[str, str]
    access_key: str
    secret_key: str
    regions: tuple[str, ...] | None = None
    profiles: Mapping[str, tuple[str, str]] = field(default_factory=dict)


#: Session variables for a sandbox: no profile from the environment, no config files read.
_SANDBOX_SESSION_VARS: dict[str, tuple[str | None, str | None, str | None, None]] = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


#: Services botocore's credential chain creates clients for: assume-role and web identity
#: (sts), SSO profiles (sso, and sso-oidc to refresh the token), ``aws login`` (signin).
CREDENTIAL_SERVICES = ("sts", "sso", "sso-oidc", "signin")


def _data_loader(search_path: str | None) -> Loader:
    """botocore's data loader, minus the scan of every bundled service to validate one name.

    To check that a service exists, botocore's ``Loader.list_available_services`` lists all of
    its ~400 service directories (some 900 ``listdir``/``stat`` calls, ~25 ms on every run:
    a tenth of a one-id ``get``). chimenum only ever loads its own services and those of the
    credential chain, so this loader looks for those alone, along the same search path
    (``AWS_DATA_PATH`` included).

    Its loads are serialised: botocore caches each decoded file on the loader but does not
    lock, so the sessions of an estate made on several threads at once each decoded (and kept,
    in their endpoint resolvers and clients) a copy of endpoints.json and the models, about
    7 MB apiece: 20 MB more at the estate's peak than one loader's single copy.
    """
    import threading
    from pathlib import Path

    from botocore.loaders import Loader

    class ChimenumLoader(Loader):
        # Reentrant: a service model's load loads its data files through the same methods.
        _lock = threading.RLock()

        def load_data_with_path(self, name: str) -> Any:
            with self._lock:
                return super().load_data_with_path(name)

        def load_service_model(self, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return super().load_service_model(*args, **kwargs)

        def list_available_services(self, type_name: str) -> list[str]:
            found = set()
            for name in (*SERVICE_NAMES.values(), *CREDENTIAL_SERVICES):
                for root in self.search_paths:
                    folder = Path(root, name)
                    if folder.is_dir() and any(
                        self.file_loader.exists(str(version / type_name))
                        for version in folder.iterdir()
                    ):
                        found.add(name)
                        break
            return sorted(found)

    paths = [
        str(Path(os.path.expandvars(p)).expanduser())
        for p in (search_path.split(os.pathsep) if search_path else [])
    ]
    return ChimenumLoader(extra_search_paths=paths)


def make_client(
    settings: Settings,
    *,
    sandbox: Sandbox | None = None,
    max_pool_connections: int = 10,
    default_region: str | None = None,
    sessions: dict[Any, Any] | None = None,
    resolve: Resolver | None = None,
    shared: dict[str, Any] | None = None,
    credentials: tuple[str, str, str] | None = None,
) -> BaseClient:
    """Build the botocore client for ``settings``; raises botocore's own configuration errors.

    ``sandbox``: the account to talk to instead of the configured one.
    ``default_region``: the region to use when none is configured (instead of exit 10), for a
    Chime SDK Voice client a Chime run needs to resolve its numbers' voice connectors.
    ``sessions``: a run's cache of botocore sessions, so that its further clients (describe's
    other regions and the other API) share one session: its loaded models and its credentials,
    resolved once. Callers serialise calls that share one (:class:`chimenum.core.run.Run` does).
    ``resolve``: check the configured region first (:func:`chimenum.core.regions.check`), asking
    this resolver whether an unlisted region's endpoint exists.
    ``shared``: what the runs of an estate share (its one data loader: models decoded once).
    ``credentials``: ``(key, secret, token)`` already had (an assumed role), used as they are.
    """
    import botocore.session
    from botocore.config import Config

    key = (sandbox is not None, settings.profile)
    session = sessions.get(key) if sessions is not None else None
    fresh = session is None
    if session is None:
        if sandbox is not None:
            session = botocore.session.Session(session_vars=_SANDBOX_SESSION_VARS)
        else:
            session = botocore.session.Session(profile=settings.profile)
        loader = _data_loader(session.get_config_variable("data_path"))
        if shared is not None:
            loader = shared.setdefault("data_loader", loader)
        session.register_component("data_loader", loader)
        from chimenum.core.validate import parser_factory

        # Every answer is decoded once and checked against the model in the walk parsing it.
        session.register_component("response_parser_factory", parser_factory())
    endpoint_url = settings.endpoint_url
    region: str | None
    if credentials is not None:
        session.set_credentials(*credentials)
    elif sandbox is not None:
        # The demo ignores the user's AWS configuration, AWS_PROFILE included: only a profile
        # asked for with --profile is one of its own.
        asked = settings.profile if settings.profile in settings.profiles else None
        session.set_credentials(*_sandbox_keys(sandbox, asked))
    if sandbox is not None:
        endpoint_url = sandbox.urls[settings.api]
        region = settings.region or CHIME_GLOBAL_REGION
        if resolve is not None and settings.region:
            _check_region(session, settings, settings.region, sandbox, resolve)
    else:
        region = resolve_region(settings, session.get_config_variable("region"))
        if resolve is not None and region:
            _check_region(session, settings, region, sandbox, resolve)
    region = region or default_region
    chosen_region = region
    if settings.api == "chime":
        region = CHIME_GLOBAL_REGION
    if not region:
        from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure

        # Said before credentials are looked at: it is the first thing to fix.
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                "no region configured, and the Chime SDK Voice API is regional"
                " (use --region REGION, AWS_REGION, or a profile's region)",
                ExitCode.CONFIG,
            )
        )
    if sandbox is None:
        _check_ca_bundle(session)
    if sandbox is None and fresh and credentials is None:
        if not session.get_config_variable("region"):
            # botocore's credential chain builds its own clients (STS for assume-role, SSO) in
            # the session's region: give it the one chimenum chose (AWS_REGION, --region, or
            # the global Chime API's us-east-1) rather than fail for want of one.
            session.set_config_variable("region", chosen_region or region)
        resolve_credentials(session, timeout=settings.credentials_timeout)
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max_pool_connections,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        user_agent_extra=f"chimenum/{__version__}",
    )
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    client = session.create_client(settings.service_name, **kwargs)
    from chimenum.core.secrets import learn_token

    # First, before wire's own before-send handler sends the request.
    client.meta.events.register_first("before-send", learn_token)
    if sessions is not None:
        sessions[key] = session
    from chimenum.core import wire

    wire.install(client)
    return client


def _sandbox_keys(sandbox: Sandbox, profile: str | None) -> tuple[str, str]:
    """The keys of a sandbox's ``profile`` (its default account's without one)."""
    if profile is None or profile == "default":
        return sandbox.access_key, sandbox.secret_key
    if profile not in sandbox.profiles:
        import botocore.exceptions as bx

        raise bx.ProfileNotFound(profile=profile)
    return sandbox.profiles[profile]


def _check_region(
    session: Any, settings: Settings, region: str, sandbox: Sandbox | None, resolve: Resolver
) -> None:
    """The configured region checked before credentials are looked at (exit 2 for a typo)."""
    from chimenum.core import regions

    if sandbox is not None:
        listed, configured = sandbox.regions, sandbox.regions is None
    else:
        # Any endpoint configured, for either API, takes the run away from AWS's host names.
        profile = _profile_config(session)
        listed = None
        configured = bool(
            settings.endpoint_url
            or settings.environ_endpoints
            or "endpoint_url" in profile
            or "services" in profile
        )
    regions.check(
        session, settings, region, sandbox_regions=listed, configured=configured, resolve=resolve
    )


def _check_ca_bundle(session: Any) -> None:
    """Refuse, before any request, a CA bundle that is not there (exit 10, naming the file):
    botocore would fail each request on it, naming nothing."""
    from pathlib import Path

    from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure

    bundle = session.get_config_variable("ca_bundle")
    if bundle and not Path(bundle).expanduser().is_file():
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                f"the CA bundle {bundle!r} (AWS_CA_BUNDLE or the profile's ca_bundle) is not"
                " a file that exists",
                ExitCode.CONFIG,
            )
        )


def _frozen_credentials(session: Any) -> tuple[Any, str]:
    """The credentials, and where botocore found them (``env``, ``shared-credentials-file``...)."""
    import botocore.exceptions as bx

    credentials = session.get_credentials()
    if credentials is None:
        raise bx.NoCredentialsError()
    return credentials.get_frozen_credentials(), str(getattr(credentials, "method", "") or "")


#: Each credential value: its variable, and its key in a profile.
_CREDENTIAL_FIELDS = (
    ("access_key", "AWS_ACCESS_KEY_ID", "aws_access_key_id"),
    ("secret_key", "AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
    ("token", "AWS_SESSION_TOKEN", "aws_session_token"),
)
_SOURCES = {
    "shared-credentials-file": "the shared credentials file",
    "config-file": "the config file",
    "custom-process": "the credential_process",
}


def _check_credential_characters(frozen: Any, method: str, profile: str | None) -> None:
    """A credential with a control character (a token file saved with Windows line endings ends
    in CR) would be refused by http.client with the value quoted: refuse it first, naming where
    it came from and never the value."""
    from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure

    for attribute, variable, key in _CREDENTIAL_FIELDS:
        value = getattr(frozen, attribute, None) or ""
        if all(" " < ch < "\x7f" for ch in value):
            continue
        if method == "env":
            where = variable
        else:
            source = _SOURCES.get(method, f"the credential source {method!r}")
            where = f"{key} of profile {profile or 'default'!r} (from {source})"
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                f"{where} holds a character no credential has (a space, or a control"
                " character such as the CR a file saved with Windows line endings leaves);"
                " the value is not shown",
                ExitCode.CONFIG,
            )
        )


def resolve_credentials(session: Any, *, timeout: float = DEFAULT_CREDENTIALS_TIMEOUT) -> None:
    """Resolve the credentials now, before any request, and fail with a hint a person can act on.

    botocore would resolve them on the first request, from inside the request path and without
    the profile's name at hand; resolving here turns an expired SSO token, a failing
    ``credential_process`` or a missing profile into one exit-10 line naming the fix; a value
    with a control character is refused here too. The run learns the values it must scrub
    (:mod:`chimenum.core.secrets`).
    """
    import botocore.exceptions as bx

    from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure, classify
    from chimenum.core.pool import Deadline, DeadlinePassed, call_by

    profile = session.profile
    named = f" of profile {profile!r}" if profile else ""
    try:
        # botocore waits for a credential_process (and STS, SSO) with no limit: the chain runs
        # on a daemon thread, left behind if it never answers.
        frozen, method = call_by(lambda: _frozen_credentials(session), Deadline.after(timeout))
    except DeadlinePassed:
        source = (
            "the credential_process"
            if "credential_process" in _profile_config(session)
            else "loading the credentials"
        )
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                f"{source}{named} did not finish within {timeout:g}s"
                " (see CHIMENUM_CREDENTIALS_TIMEOUT)",
                ExitCode.CONFIG,
            )
        ) from None
    except (bx.ProfileNotFound, bx.NoCredentialsError):
        raise
    except (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError) as exc:
        login = f"aws sso login --profile {profile}" if profile else "aws sso login"
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                f"the SSO session{named} has expired or is invalid (run: {login})",
                ExitCode.CONFIG,
            )
        ) from exc
    except Exception as exc:
        failure = classify(exc)
        if failure.exit_code is ExitCode.NETWORK:
            # The SSO portal or STS could not be reached: a network problem, said as one.
            raise ChimenumError(
                Failure(
                    failure.code,
                    f"could not load the credentials{named}: {failure.message}",
                    ExitCode.NETWORK,
                )
            ) from exc
        if failure.exit_code is not ExitCode.CONFIG:
            # botocore lets some failures out raw, e.g. a credential_process printing non-JSON.
            failure = Failure(CONFIG_ERROR, f"{type(exc).__name__}: {exc}", ExitCode.CONFIG)
        if "credential_process" in _profile_config(session):
            reason = (
                "it did not print a JSON credentials document"
                if isinstance(exc, ValueError)
                else failure.message
            )
            message = f"the credential_process{named} failed: {reason}"
        else:
            message = f"could not load the credentials{named}: {failure.message}"
        raise ChimenumError(Failure(CONFIG_ERROR, message, ExitCode.CONFIG)) from exc
    from chimenum.core import secrets

    # Learnt before the check below, and whether or not --debug: a server may echo them.
    secrets.add([frozen.secret_key, frozen.token], key_ids=[frozen.access_key])
    _check_credential_characters(frozen, method, profile)


def _profile_config(session: Any) -> dict[str, Any]:
    try:
        config = session.get_scoped_config()
    except Exception:
        return {}
    return config if isinstance(config, dict) else {}


def endpoint_configured(client: BaseClient, sessions: dict[Any, Any]) -> bool:
    """Whether ``client`` talks to an endpoint someone configured (``--endpoint-url``,
    ``AWS_ENDPOINT_URL*``, a profile's ``services``, the demo) rather than AWS's own.

    Decided by asking botocore for the endpoint it would use with configured URLs ignored, so
    every source botocore honours counts, not only the variables chimenum knows of.
    """
    from botocore.config import Config

    session = next(iter(sessions.values()), None)
    if session is None:
        return True  # no session to ask: assume the cautious answer
    # botocore >= 1.31 reads this option; botocore-stubs do not list it yet.
    ignore: dict[str, Any] = {"ignore_configured_endpoint_urls": True}
    default = session.create_client(
        client.meta.service_model.service_name,
        region_name=client.meta.region_name,
        config=Config(**ignore),
    )
    return bool(client.meta.endpoint_url != default.meta.endpoint_url)
