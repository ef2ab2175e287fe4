"""Settings, every default in one place, and every environment variable chimenum honours.

:data:`ENVIRONMENT` is the one table of variables (name, default, meaning): ``--help`` names them
from it, docs/configuration.md and the man page's ENVIRONMENT are generated from it, and
:meth:`Settings.from_environ` is the only reader of the ``CHIMENUM_*`` and ``AWS_*`` ones
chimenum reads itself (tests/test_settings.py holds all three to it). The click side shows the
defaults in its help and uses them as option defaults; nothing else types them again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from chimenum.core.apis import SERVICE_NAMES, Api

#: Amazon Chime has a single global endpoint, signed for us-east-1, whatever region is set.
CHIME_GLOBAL_REGION = "us-east-1"

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
#: Seconds the credential chain (a ``credential_process``, SSO, assume-role) may take.
#: Long enough to type an MFA code.
DEFAULT_CREDENTIALS_TIMEOUT = 60.0
#: Requests in flight at once for a batch (get, describe, audit, wait).
DEFAULT_CONCURRENCY = 16
#: Tries per request when throttled or the service fails.
DEFAULT_MAX_ATTEMPTS = 8
#: ``wait``: how long to wait in all, and between polls, in seconds.
DEFAULT_WAIT_TIMEOUT = 300
DEFAULT_WAIT_INTERVAL = 5
#: Seconds a batch runs before its progress bar appears, so quick batches never flash one.
DEFAULT_PROGRESS_DELAY = 1.0
#: Seconds the ids shell completion offers stay cached, and a TAB waits for fresh ones.
DEFAULT_COMPLETION_TTL = 120.0
DEFAULT_COMPLETION_TIMEOUT = 0.8
#: ``describe``/``audit``: seconds one number's related lookups may take in all
#: (``--number-timeout``); what is not read by then is reported as not read.
DEFAULT_NUMBER_TIMEOUT = 60.0
#: Related lookups of one number in flight at once (so hanging ones cost one read timeout,
#: not one each).
LOOKUPS_PER_NUMBER = 8
#: How much of one answer ``describe`` follows: a SIP rule's target applications (the API's
#: own limit), a group's voice connectors and an origination's routes. Past a cap the rest is
#: not followed and a ``FANOUT_CAPPED`` finding says so: one answer must not hold a number's
#: description for hours. Not settings: no real account comes near them.
MAX_RULE_TARGETS = 25
MAX_GROUP_CONNECTORS = 100
MAX_ORIGINATION_ROUTES = 100

#: Who reads a variable: chimenum (here, in :meth:`Settings.from_environ`), botocore's own
#: configuration chain, or the terminal layer (read here too, as :class:`Terminal`; acted on
#: by ``Environment``).
Reader = Literal["chimenum", "botocore", "terminal"]


@dataclass(frozen=True)
class Variable:
    """One row of :data:`ENVIRONMENT`: variables that mean one thing, their default, meaning."""

    names: tuple[str, ...]
    default: str
    doc: str
    reader: Reader = "chimenum"

    @property
    def label(self) -> str:
        return ", ".join(self.names)


ENVIRONMENT: tuple[Variable, ...] = (
    Variable(("AWS_PROFILE",), "default", "The named profile to use, unless --profile is given."),
    Variable(
        ("AWS_REGION", "AWS_DEFAULT_REGION"),
        "the profile's",
        "The region, unless --region is given. Chime SDK Voice (--api voice) is regional and"
        " needs one; Amazon Chime always uses its global endpoint.",
    ),
    Variable(
        ("AWS_ENDPOINT_URL_CHIME", "AWS_ENDPOINT_URL_CHIME_SDK_VOICE", "AWS_ENDPOINT_URL"),
        "AWS's",
        "Send requests to another endpoint, unless --endpoint-url is given.",
    ),
    Variable(
        ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"),
        "~/.aws/config, ~/.aws/credentials",
        "The AWS configuration and credentials files (profiles are completed from them).",
    ),
    Variable(
        (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CA_BUNDLE",
            "AWS_DATA_PATH",
            "...",
        ),
        "",
        "Credentials and the rest of the configuration are resolved by botocore exactly as the"
        " AWS CLI does. A credential holding a control character (a Windows CR), or a CA bundle"
        " that is not a file, is refused with exit 10 before any request.",
        "botocore",
    ),
    Variable(
        ("CHIMENUM_API",),
        "chime",
        "chime or voice: the API to use, unless --api is given. Any other value is refused"
        " (exit 2).",
    ),
    Variable(("CHIMENUM_DEMO",), "0", "Set to 1 to use the built-in demo account, as --demo does."),
    Variable(
        ("CHIMENUM_CREDENTIALS_TIMEOUT",),
        f"{DEFAULT_CREDENTIALS_TIMEOUT:g}",
        "Seconds the credential chain (credential_process, SSO, assume-role) may take before"
        " the run stops with exit 10.",
    ),
    Variable(
        ("CHIMENUM_PROGRESS_DELAY",),
        f"{DEFAULT_PROGRESS_DELAY:g}",
        "Seconds a batch runs before its progress bar appears on a terminal (0: at once).",
    ),
    Variable(
        ("CHIMENUM_COMPLETION_TTL",),
        f"{DEFAULT_COMPLETION_TTL:g}",
        "Seconds the ids offered by shell completion are cached.",
    ),
    Variable(
        ("CHIMENUM_COMPLETION_TIMEOUT",),
        f"{DEFAULT_COMPLETION_TIMEOUT:g}",
        "Seconds a TAB waits for the account's ids before offering the cached ones.",
    ),
    Variable(
        ("CHIMENUM_TODAY",),
        "today (UTC)",
        "The date (YYYY-MM-DD) a --mutelist rule's Expires is judged against.",
    ),
    Variable(("XDG_CACHE_HOME",), "~/.cache", "Where the completion id cache lives."),
    Variable(("NO_COLOR",), "", "Set and not empty: no colour with --color auto.", "terminal"),
    Variable(
        ("CLICOLOR_FORCE",),
        "",
        "Set and not 0: colour with --color auto even when stdout is not a TTY.",
        "terminal",
    ),
    Variable(
        ("COLUMNS",),
        "",
        "The width tables and --help are laid out for, when stdout is not a terminal.",
        "terminal",
    ),
    Variable(
        ("TERM", "COLORTERM"),
        "",
        "The terminal's kind and colour depth, for the live displays (wait's table, the"
        " progress bar), which rich draws.",
        "terminal",
    ),
)


def variable(name: str) -> str:
    """``$NAME``, for help texts: fails at import if the table does not list ``name``."""
    if not any(name in row.names for row in ENVIRONMENT):
        raise KeyError(f"{name} is not in settings.ENVIRONMENT")
    return f"${name}"


class SettingError(ValueError):
    """An environment variable with a value chimenum refuses; ``variable`` names it.

    ``exit_code``: 2 for a choice chimenum offers (``CHIMENUM_API``), 10 for configuration
    (a number of seconds, an endpoint URL); a TAB falls back to the defaults on either.
    """

    def __init__(self, variable: str, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.variable = variable
        self.exit_code = exit_code


#: What configuration errors exit with (core/errors.py's ExitCode.CONFIG, not imported here).
_CONFIG_EXIT = 10
#: The most seconds any CHIMENUM_* duration may say: a day. Past it, a deadline is no bound.
MAX_SECONDS = 86_400.0


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint URL (``http(s)://host[:port][/path]``), or ``None``.

    Checked before any request: botocore would take ``file:///x`` or ``http://[::1`` as far as
    an internal error, and a port out of range as far as the request.
    """
    from urllib.parse import urlsplit

    from chimenum.core.safe import has_unsafe

    if has_unsafe(url) or any(ch.isspace() for ch in url):
        return "it contains a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0 is no port"
    return None


@dataclass(frozen=True)
class Terminal:
    """What the environment says about the terminal: read here, acted on by ``Environment``.

    Read apart from the rest of :class:`Settings` because it never fails: the message that
    refuses a bad ``$CHIMENUM_API`` needs it.
    """

    no_color: bool = False
    clicolor_force: bool = False
    #: ``$COLUMNS`` when it is a positive whole number (``0``, ``-5``, ``abc``: as if unset).
    columns: int | None = None
    #: ``TERM`` and ``COLORTERM`` as set, for rich's live displays (colour depth, dumb terminals).
    terminal_type: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Terminal:
        env = os.environ if environ is None else environ
        columns = env.get("COLUMNS", "").strip()
        return cls(
            no_color=bool(env.get("NO_COLOR")),
            clicolor_force=env.get("CLICOLOR_FORCE", "0") not in ("", "0"),
            columns=int(columns) if columns.isdigit() and int(columns) > 0 else None,
            terminal_type=tuple((name, env[name]) for name in ("TERM", "COLORTERM") if name in env),
        )


def completion_request(variable: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The shell-completion request in ``variable`` (click's protocol, set by the completion
    script, not by a person: not in :data:`ENVIRONMENT`), or ``None`` for an ordinary run."""
    env = os.environ if environ is None else environ
    return env.get(variable) or None


_TRUE = ("1", "true", "t", "yes", "y", "on")
_FALSE = ("", "0", "false", "f", "no", "n", "off")


@dataclass
class Settings:
    """Everything the user said about where and how to reach AWS, and how the run behaves.

    ``region`` and ``profile`` hold the options; ``environ_region`` what the environment says
    (the demo account ignores it, as it ignores the rest of the user's AWS configuration).
    """

    profile: str | None = None
    region: str | None = None
    #: Every ``--profile`` and ``--region`` given (the estate: a run over each pair of them);
    #: ``profile`` and ``region`` hold the first.
    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    #: ``--all-regions``: every region Chime SDK Voice lists for voice connectors.
    all_regions: bool = False
    #: ``--assume-role-arn`` (with ``{account}``) and the account ids of ``--accounts``.
    assume_role_arn: str | None = None
    accounts: tuple[str, ...] = ()
    endpoint_url: str | None = None
    api: Api = "chime"
    debug: bool = False
    demo: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    credentials_timeout: float = DEFAULT_CREDENTIALS_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    concurrency: int = DEFAULT_CONCURRENCY
    environ_region: str | None = None
    #: ``AWS_ENDPOINT_URL_<SERVICE>`` or ``AWS_ENDPOINT_URL``, per API (botocore reads them too).
    environ_endpoints: dict[str, str] = field(default_factory=dict)
    config_file: str = "~/.aws/config"
    credentials_file: str = "~/.aws/credentials"
    cache_home: str = ""
    progress_delay: float = DEFAULT_PROGRESS_DELAY
    completion_ttl: float = DEFAULT_COMPLETION_TTL
    completion_timeout: float = DEFAULT_COMPLETION_TIMEOUT
    terminal: Terminal = field(default_factory=Terminal)
    #: ``CHIMENUM_TODAY``: the day mutelist rules expire against (``None``: today in UTC).
    today: date | None = None

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES[self.api]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the environment gives; raises :class:`SettingError` for a bad value."""
        env = os.environ if environ is None else environ
        api = env.get("CHIMENUM_API") or "chime"
        if api not in SERVICE_NAMES:
            raise SettingError(
                "CHIMENUM_API", f"{api!r} is not one of {', '.join(SERVICE_NAMES)} (or unset it)"
            )
        demo = env.get("CHIMENUM_DEMO", "").strip().lower()
        if demo not in _TRUE + _FALSE:
            raise SettingError("CHIMENUM_DEMO", f"{demo!r} is not 1 or 0 (or unset it)")
        endpoints = {}
        for name, service in SERVICE_NAMES.items():
            own = f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"
            source = own if env.get(own) else "AWS_ENDPOINT_URL"
            url = env.get(source)
            if url:
                problem = endpoint_problem(url)
                if problem:
                    raise SettingError(source, f"{url!r}: {problem}", _CONFIG_EXIT)
                endpoints[name] = url
        return cls(
            profile=env.get("AWS_PROFILE") or None,
            api=api,  # type: ignore[arg-type]
            demo=demo in _TRUE,
            environ_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            environ_endpoints=endpoints,
            config_file=env.get("AWS_CONFIG_FILE") or "~/.aws/config",
            credentials_file=env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials",
            cache_home=env.get("XDG_CACHE_HOME", ""),
            credentials_timeout=_seconds(
                env, "CHIMENUM_CREDENTIALS_TIMEOUT", DEFAULT_CREDENTIALS_TIMEOUT, positive=True
            ),
            progress_delay=_seconds(env, "CHIMENUM_PROGRESS_DELAY", DEFAULT_PROGRESS_DELAY),
            completion_ttl=_seconds(env, "CHIMENUM_COMPLETION_TTL", DEFAULT_COMPLETION_TTL),
            completion_timeout=_seconds(
                env, "CHIMENUM_COMPLETION_TIMEOUT", DEFAULT_COMPLETION_TIMEOUT
            ),
            terminal=Terminal.from_environ(env),
            today=_date(env, "CHIMENUM_TODAY"),
        )


def _date(env: Mapping[str, str], name: str) -> date | None:
    """A date (YYYY-MM-DD); unset or empty: ``None``."""
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingError(name, f"{text!r} is not a date (YYYY-MM-DD)", _CONFIG_EXIT) from None


def _seconds(env: Mapping[str, str], name: str, default: float, *, positive: bool = False) -> float:
    """A number of seconds, finite and at most :data:`MAX_SECONDS`; unset or empty: ``default``."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    lowest = "more than 0" if positive else "0 or more"
    if not (0 <= value <= MAX_SECONDS) or (positive and value == 0):
        raise SettingError(
            name,
            f"{text!r} is not a number of seconds ({lowest}, at most {MAX_SECONDS:g})",
            _CONFIG_EXIT,
        )
    return value


def resolve_region(settings: Settings, config_region: str | None) -> str | None:
    """Pick the region the way the AWS CLI v2 does (botocore alone ignores ``AWS_REGION``)."""
    return settings.region or settings.environ_region or config_region
