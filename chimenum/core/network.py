"""What went wrong on the way to an endpoint, in one line: the exceptions behind a botocore
network error (``causes``) and the sentence that names the endpoint and the fault."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception behind it: ``__cause__``, ``__context__``, botocore's
    ``kwargs["error"]``, and exceptions urllib3 carries in its arguments (``ProtocolError``)."""
    todo = [exc]
    seen: set[int] = set()
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [
            getattr(current, "kwargs", {}).get("error"),
            current.__cause__,
            current.__context__,
        ]
        inner += [getattr(current, "reason", None), *current.args]
        todo += [e for e in inner if isinstance(e, BaseException)]


def _found(exc: BaseException, kind: type[BaseException], errno_value: int) -> bool:
    import http.client

    return any(
        # http.client says "closed without a response" with a ConnectionResetError subclass.
        (isinstance(e, kind) and not isinstance(e, http.client.RemoteDisconnected))
        or (isinstance(e, OSError) and e.errno == errno_value)
        for e in causes(exc)
    )


def network_message(exc: BaseException, endpoint: str | None = None) -> str:
    """One line naming the endpoint and what went wrong on the way to it."""
    import errno
    import socket

    import botocore.exceptions as bx

    kwargs = getattr(exc, "kwargs", {}) or {}
    url = endpoint or _endpoint_of(str(kwargs.get("endpoint_url") or "")) or "the endpoint"
    reason = kwargs.get("error")
    if isinstance(exc, bx.ConnectTimeoutError):
        return f"timed out connecting to {url} (see --connect-timeout)"
    if isinstance(exc, bx.ReadTimeoutError):
        return f"timed out waiting for an answer from {url} (see --read-timeout)"
    if any(isinstance(e, socket.gaierror) for e in causes(exc)):
        host = urlsplit(url).hostname or url
        return f"cannot resolve the host name {host!r} of {url}"
    if _found(exc, ConnectionRefusedError, errno.ECONNREFUSED):
        return f"connection refused by {url}"
    if _found(exc, ConnectionResetError, errno.ECONNRESET):
        return f"the connection to {url} was reset before an answer arrived"
    if isinstance(exc, bx.ConnectionClosedError):
        return f"{url} closed the connection before answering"
    if isinstance(exc, bx.EndpointConnectionError):
        return f"cannot connect to {url}: {reason or exc}"
    return f"network error talking to {url}: {reason or exc}"


def _endpoint_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
