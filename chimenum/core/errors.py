"""The exit-code table, and the one mapping from exceptions to it.

Every failure chimenum can meet becomes a :class:`Failure`: the documented error code a script can
match on (the API's exception name, or a chimenum name for failures that never reached the API),
a one-line message for a person, and the exit code. :func:`classify` is the only place that knows
which botocore exception means what; botocore is imported lazily so that ``--help`` stays instant.
"""

from __future__ import annotations

import enum
import functools
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from chimenum.core.network import causes, network_message


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    NOT_FOUND = 3
    BAD_REQUEST = 4
    UNAUTHORIZED = 5
    FORBIDDEN = 6
    THROTTLED = 7
    SERVICE_UNAVAILABLE = 8
    SERVICE_FAILURE = 9
    CONFIG = 10
    NETWORK = 11
    BAD_RESPONSE = 12
    WAIT_TIMEOUT = 13
    WAIT_FAILED = 14
    FINDINGS = 15
    QUERY_FAILED = 16
    CHANGED = 17
    #: sysexits.h's EX_IOERR: the output could not be written.
    OUTPUT_FAILED = 74
    #: 128 + the signal, as a shell reports a process it ended (Linux numbers in the docs).
    HANGUP = 128 + signal.SIGHUP
    USER_SIGNAL = 128 + signal.SIGUSR1
    INTERRUPTED = 128 + signal.SIGINT
    BROKEN_PIPE = 128 + signal.SIGPIPE
    ALARM = 128 + signal.SIGALRM
    TERMINATED = 128 + signal.SIGTERM


EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success: every id fetched, every page listed, every wait reached",
    ExitCode.INTERNAL: "unexpected internal error (rerun with --debug for the traceback)",
    ExitCode.USAGE: "usage error, including an id that cannot be valid",
    ExitCode.NOT_FOUND: "NotFoundException",
    ExitCode.BAD_REQUEST: "BadRequestException",
    ExitCode.UNAUTHORIZED: "UnauthorizedClientException",
    ExitCode.FORBIDDEN: "ForbiddenException (and AccessDenied)",
    ExitCode.THROTTLED: "ThrottledClientException (still throttled after retries)",
    ExitCode.SERVICE_UNAVAILABLE: "ServiceUnavailableException",
    ExitCode.SERVICE_FAILURE: "ServiceFailureException",
    ExitCode.CONFIG: "configuration or credentials problem",
    ExitCode.NETWORK: "network problem: endpoint unreachable, connection reset, timeout",
    ExitCode.BAD_RESPONSE: "the service answered with something that is not a valid response",
    ExitCode.WAIT_TIMEOUT: "wait: timed out before every id reached a wanted status",
    ExitCode.WAIT_FAILED: "wait: a number is in a failed state that cannot become a wanted one",
    ExitCode.FINDINGS: "describe, audit: described, with findings at or above --fail-on",
    ExitCode.QUERY_FAILED: "--query could not be applied to the data fetched (a JMESPath type"
    " error, such as sum() of strings); the expression itself parsed",
    ExitCode.CHANGED: "diff: the documents differ (numbers added, removed or changed; findings"
    " new or resolved)",
    ExitCode.OUTPUT_FAILED: "stdout or stderr could not be written: closed, full (/dev/full),"
    " I/O error (a failure whose line cannot be written on stderr ends with this code)",
    ExitCode.HANGUP: "hung up (SIGHUP: the terminal closed); as for SIGTERM",
    ExitCode.USER_SIGNAL: "stopped by SIGUSR1; as for SIGTERM",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.BROKEN_PIPE: "the reader of stdout went away (e.g. | head); nothing on stderr",
    ExitCode.ALARM: "stopped by SIGALRM; as for SIGTERM",
    ExitCode.TERMINATED: "terminated (SIGTERM); output already rendered is flushed",
}

#: When several ids fail differently, the exit code is the first of these that occurred:
#: problems that affect every id (configuration, network, auth) outrank per-id answers, and
#: any failure to fetch (a number, or a resource needed to describe one) outranks what was
#: learnt from the answers (a wait that ended unreached, findings): a description that is
#: incomplete must not pass for one that is merely unhealthy. A usage error comes first of the
#: failures: it reaches a batch only through a pair of an estate (a region that does not exist,
#: a parameter botocore refuses), where nothing was sent and no retry can help until the command
#: is changed.
SEVERITY: tuple[ExitCode, ...] = (
    ExitCode.HANGUP,
    ExitCode.USER_SIGNAL,
    ExitCode.ALARM,
    ExitCode.TERMINATED,
    ExitCode.INTERRUPTED,
    ExitCode.INTERNAL,
    ExitCode.USAGE,
    ExitCode.QUERY_FAILED,
    ExitCode.CONFIG,
    ExitCode.NETWORK,
    ExitCode.UNAUTHORIZED,
    ExitCode.FORBIDDEN,
    ExitCode.BAD_RESPONSE,
    ExitCode.SERVICE_FAILURE,
    ExitCode.SERVICE_UNAVAILABLE,
    ExitCode.THROTTLED,
    ExitCode.BAD_REQUEST,
    ExitCode.NOT_FOUND,
    ExitCode.WAIT_FAILED,
    ExitCode.WAIT_TIMEOUT,
    ExitCode.FINDINGS,
    ExitCode.CHANGED,
)


def most_severe(codes: Iterable[ExitCode]) -> ExitCode:
    """The first of ``codes`` in :data:`SEVERITY`; OK only when every one is OK (a code the
    order does not rank, such as 74, is still a failure: the highest such is returned)."""
    seen = set(codes)
    for code in SEVERITY:
        if code in seen:
            return code
    return max(seen - {ExitCode.OK}, default=ExitCode.OK)


#: The documented exceptions of GetPhoneNumber (both APIs), and the aliases AWS front ends use
#: for the same meaning.
API_ERROR_CODES: dict[str, ExitCode] = {
    "NotFoundException": ExitCode.NOT_FOUND,
    "BadRequestException": ExitCode.BAD_REQUEST,
    "UnauthorizedClientException": ExitCode.UNAUTHORIZED,
    "UnrecognizedClientException": ExitCode.UNAUTHORIZED,
    "InvalidSignatureException": ExitCode.UNAUTHORIZED,
    "IncompleteSignatureException": ExitCode.UNAUTHORIZED,
    "MissingAuthenticationTokenException": ExitCode.UNAUTHORIZED,
    "InvalidClientTokenId": ExitCode.UNAUTHORIZED,
    "SignatureDoesNotMatch": ExitCode.UNAUTHORIZED,
    "ForbiddenException": ExitCode.FORBIDDEN,
    "AccessDeniedException": ExitCode.FORBIDDEN,
    "AccessDenied": ExitCode.FORBIDDEN,
    "ThrottledClientException": ExitCode.THROTTLED,
    "ThrottlingException": ExitCode.THROTTLED,
    "Throttling": ExitCode.THROTTLED,
    "TooManyRequestsException": ExitCode.THROTTLED,
    "ServiceUnavailableException": ExitCode.SERVICE_UNAVAILABLE,
    "ServiceFailureException": ExitCode.SERVICE_FAILURE,
    "InternalServerError": ExitCode.SERVICE_FAILURE,
    # Expired temporary credentials are fixed by refreshing them, not by a permission change.
    "ExpiredTokenException": ExitCode.CONFIG,
    "ExpiredToken": ExitCode.CONFIG,
    "RequestExpired": ExitCode.CONFIG,
}

#: Error codes chimenum itself reports for failures that are not an API exception.
CONFIG_ERROR = "ConfigurationError"
NETWORK_ERROR = "NetworkError"
BAD_RESPONSE_ERROR = "InvalidResponse"
INTERNAL_ERROR = "InternalError"
INTERRUPTED_ERROR = "Interrupted"
QUERY_ERROR = "QueryError"


#: The most of a message from the service (or anything else) a failure keeps, in characters:
#: a run of any number of failures holds a bounded amount of text (docs/faults.md).
MESSAGE_LIMIT = 1024


#: What ends a cut message. ASCII, so that an ASCII message stays one byte a character in
#: memory (Python stores a string with one "…" at two bytes a character).
CUT_MARK = "..."


def cut(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text``, cut to at most ``limit`` characters (:data:`CUT_MARK` ending a cut one)."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


#: A proxy on the way asked for credentials (HTTP 407): the proxy's settings need fixing.
PROXY_AUTH_ERROR = "ProxyAuthenticationRequired"


def gateway_error_code(status: int) -> str:
    """The error code of a 5xx answer without an AWS error code (a load balancer's or a
    proxy's page): ``HTTP502`` and so on."""
    return f"HTTP{status}"


@dataclass(frozen=True)
class Failure:
    """Why one request failed: the code scripts match on, a line for people, the exit code.

    The code and the message are cut to :data:`MESSAGE_LIMIT` as the failure is made: a
    service that answers 100 KB messages must not make every failure kept 100 KB.
    """

    code: str
    message: str
    exit_code: ExitCode

    def __post_init__(self) -> None:
        # Frozen: the cut copies are set the one way a frozen dataclass allows.
        object.__setattr__(self, "code", cut(self.code))
        object.__setattr__(self, "message", cut(self.message))

    @property
    def retryable(self) -> bool:
        return self.exit_code in (
            ExitCode.THROTTLED,
            ExitCode.SERVICE_UNAVAILABLE,
            ExitCode.SERVICE_FAILURE,
        )


class ChimenumError(Exception):
    """A failure that ends the whole command, carrying its exit code."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class MalformedResponse(Exception):
    """The service answered, but not with a document of the shape the API model promises."""


def _sso_hint(exc: BaseException) -> str:
    profile = getattr(exc, "kwargs", {}).get("profile_name") or ""
    return f" (run: aws sso login{' --profile ' + profile if profile else ''})"


#: A handler turns one kind of exception into its failure: ``(exception, " (endpoint)")``.
Handler = Callable[[Any, str], Failure]


def _fixed(code: str, message: str, exit_code: ExitCode) -> Handler:
    return lambda exc, where: Failure(code, message, exit_code)


def _described(code: str, exit_code: ExitCode, suffix: str = "") -> Handler:
    return lambda exc, where: Failure(code, f"{exc}{suffix}", exit_code)


def _bad_response(exc: BaseException, where: str) -> Failure:
    return Failure(
        BAD_RESPONSE_ERROR,
        f"invalid response from the service{where}: {exc}",
        ExitCode.BAD_RESPONSE,
    )


def _client_error(exc: Any, where: str) -> Failure:
    """An answer with an error status: by its AWS error code, else by the status."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "") or str(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    exit_code = API_ERROR_CODES.get(code)
    aws_code = bool(code) and not code.isdigit()
    if status == 407:
        # Said by a proxy forwarding plain HTTP; through a tunnel it is a ProxyConnectionError.
        return _proxy_refused(f"the proxy on the way to {where[2:-1] or 'the endpoint'}")
    if exit_code is None:
        if status == 429:
            exit_code = ExitCode.THROTTLED
        elif status >= 500 and not aws_code:
            return _gateway_error(status, where)
        elif status >= 500:
            exit_code = ExitCode.SERVICE_FAILURE
        elif 400 <= status < 500 and aws_code:
            exit_code = (
                ExitCode.UNAUTHORIZED
                if status == 401
                else ExitCode.FORBIDDEN
                if status == 403
                else ExitCode.BAD_REQUEST
            )
        else:
            # botocore names an error without an AWS error code after its status: an answer
            # from something that is not the API (a proxy, a login page, a wrong endpoint URL),
            # whatever its status, 401 and 403 included.
            return Failure(
                BAD_RESPONSE_ERROR,
                f"invalid response from the service{where}: HTTP {status} without an"
                " AWS error code (is the endpoint URL right?)",
                ExitCode.BAD_RESPONSE,
            )
    if exit_code is ExitCode.CONFIG:
        message += " (refresh your credentials)"
    return Failure(code or f"HTTP{status}", message, exit_code)


def _gateway_error(status: int, where: str) -> Failure:
    import http.client

    # Transient as the service's own 5xx are (retried, exit 8 or 9), but not the service's words.
    reason = http.client.responses.get(status, "error")
    return Failure(
        gateway_error_code(status),
        f"HTTP {status} {reason} without an AWS error code{where}: not an answer from the"
        " service (a load balancer or proxy in front of it)",
        ExitCode.SERVICE_UNAVAILABLE if status == 503 else ExitCode.SERVICE_FAILURE,
    )


def _proxy_refused(proxy: str) -> Failure:
    return Failure(
        PROXY_AUTH_ERROR,
        f"{proxy} refused: proxy authentication required (HTTP 407; give the proxy's user and"
        " password in the URL of HTTPS_PROXY or HTTP_PROXY)",
        ExitCode.CONFIG,
    )


def _network(exc: BaseException, where: str) -> Failure:
    return Failure(NETWORK_ERROR, network_message(exc, where[2:-1] or None), ExitCode.NETWORK)


def _proxy(exc: BaseException, where: str) -> Failure:
    import re

    if any(re.search(r"\b407\b", str(e)) for e in causes(exc)):
        # The proxy's address only: botocore's URL masks a user and password as ***:***, which
        # the one scrub would then mark again; neither is worth a reader's attention.
        from urllib.parse import urlsplit

        proxy = urlsplit(str(getattr(exc, "kwargs", {}).get("proxy_url") or ""))
        address = proxy.hostname and f"{proxy.scheme}://{proxy.hostname}:{proxy.port or 80}"
        return _proxy_refused(f"the proxy {address}" if address else "the proxy")
    return _network(exc, where)


def _sso(exc: BaseException, where: str) -> Failure:
    message = f"the SSO session has expired or is invalid{_sso_hint(exc)}"
    return Failure(CONFIG_ERROR, message, ExitCode.CONFIG)


@functools.cache
def _table() -> tuple[tuple[tuple[type[BaseException], ...], Handler], ...]:
    """Exception types -> handler, first match wins (so subclasses go before their bases)."""
    import botocore.exceptions as bx
    from botocore.parsers import ResponseParserError

    return (
        ((ChimenumError,), lambda exc, where: exc.failure),
        ((MalformedResponse, ResponseParserError), _bad_response),
        ((bx.ClientError,), _client_error),
        ((bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError), _sso),
        (
            (bx.NoCredentialsError,),
            _fixed(
                CONFIG_ERROR,
                "no AWS credentials found (set AWS_PROFILE, run 'aws configure' or"
                " 'aws sso login', or try --demo)",
                ExitCode.CONFIG,
            ),
        ),
        (
            (bx.ProfileNotFound,),
            _described(
                CONFIG_ERROR,
                ExitCode.CONFIG,
                " (profiles are read from ~/.aws/config and ~/.aws/credentials)",
            ),
        ),
        (
            (bx.NoRegionError,),
            _fixed(
                CONFIG_ERROR,
                "no region configured (use --region REGION, AWS_REGION, or a profile's region)",
                ExitCode.CONFIG,
            ),
        ),
        ((bx.ProxyConnectionError,), _proxy),
        ((bx.ConnectionError, bx.HTTPClientError), _network),
        (
            (
                bx.PartialCredentialsError,
                bx.CredentialRetrievalError,
                bx.InvalidConfigError,
                bx.ConfigParseError,
                bx.ConfigNotFound,
                bx.UnknownCredentialError,
                bx.InvalidRegionError,
                bx.UnknownServiceError,
                bx.InvalidEndpointConfigurationError,
            ),
            _described(CONFIG_ERROR, ExitCode.CONFIG),
        ),
        ((bx.ParamValidationError,), _described("ParamValidationError", ExitCode.USAGE)),
        ((KeyboardInterrupt,), _fixed(INTERRUPTED_ERROR, "interrupted", ExitCode.INTERRUPTED)),
    )


def classify(exc: BaseException, endpoint: str | None = None) -> Failure:
    """Map any exception raised while talking to AWS to its documented failure, its message
    scrubbed of secrets (:mod:`chimenum.core.secrets`)."""
    from chimenum.core.secrets import scrub

    where = f" ({endpoint})" if endpoint else ""
    for types, handler in _table():
        if isinstance(exc, types):
            failure: Failure = handler(exc, where)
            break
    else:
        failure = Failure(
            INTERNAL_ERROR,
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            ExitCode.INTERNAL,
        )
    # The one scrub of what a failure says, wherever it is shown (stderr, JSON, findings): a
    # service may echo the run's credentials, botocore quotes header values and URLs.
    message = scrub(failure.message)
    return failure if message == failure.message else replace(failure, message=message)
