"""Reading one answer within bounds: a deadline for the whole answer, and a size limit.

botocore applies ``--read-timeout`` to each socket read: a server sending its status line, its
headers or its body a byte a second, or a body that never ends, holds it forever (and grows its
memory without limit). Two pieces bound it:

- :class:`DeadlineResponse`, the response class of every connection of a client (installed
  through :func:`chimenum.core.botocore_private.read_answers_with`): the whole answer, status
  line, headers and body, must have arrived within ``read_timeout`` of the request being sent.
  Every socket read waits at most what is left of that, so a trickle cannot restart the clock;
  past it, urllib3 sees a socket timeout and botocore raises
  :class:`botocore.exceptions.ReadTimeoutError`: exit 11, not retried. Connecting has
  ``connect_timeout`` of its own (and a proxy's ``CONNECT`` answer is read within it).
- :class:`BoundedBody`, wrapped around the raw stream by a ``before-send`` handler that sends the
  request itself (as botocore would): an answer larger than :data:`MAX_ANSWER_BYTES` for its
  operation is refused while it streams in (at once when ``Content-Length`` says so):
  :class:`~chimenum.core.errors.MalformedResponse`, exit 12, not retried. The connection is
  closed, so nothing more of it is read.
"""

from __future__ import annotations

import http.client
import io
import time
from collections.abc import Iterator
from typing import Any

from chimenum.core.errors import MalformedResponse

#: The largest answer accepted for each operation, in bytes. A phone number is a few KB and a
#: page of 100 under a few hundred KB: these leave room for any real answer.
MAX_ANSWER_BYTES: dict[str, int] = {"GetPhoneNumber": 1 << 20, "ListPhoneNumbers": 16 << 20}
#: For an operation not named above (the credential chain's own clients are not wrapped).
DEFAULT_MAX_ANSWER_BYTES = 16 << 20

CHUNK = 1 << 16


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each waiting at most what is left until ``deadline``."""

    def __init__(self, sock: Any, deadline: float) -> None:
        super().__init__()
        self.sock = sock
        # Read through the socket's own file object: it keeps the socket open while the answer
        # is read, even once http.client has closed the connection ("Connection: close").
        self.raw = sock.makefile("rb", buffering=0)
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the whole answer did not arrive in time")
        self.sock.settimeout(left)
        count: int | None = self.raw.readinto(buffer)
        return count

    def fileno(self) -> int:
        number: int = self.raw.fileno()
        return number

    def close(self) -> None:
        self.raw.close()
        super().close()


class _DeadlineSocket:
    """What :class:`http.client.HTTPResponse` is handed instead of the socket: the one thing it
    asks of it is a file to read the answer from."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        timeout = self.sock.gettimeout()
        if not timeout:
            return io.BufferedReader(self.sock.makefile("rb", buffering=0))
        # urllib3 set the socket's timeout to the read timeout just before this: the clock of
        # the whole answer starts now, with the request sent.
        return io.BufferedReader(_DeadlineReader(self.sock, time.monotonic() + timeout))


class DeadlineResponse(http.client.HTTPResponse):
    """An HTTP answer read whole (status line, headers, body) within the read timeout."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(_DeadlineSocket(sock), *args, **kwargs)  # type: ignore[arg-type]


class BoundedBody:
    """urllib3's raw response, read chunk by chunk within a size limit."""

    def __init__(self, raw: Any, *, url: str, limit: int) -> None:
        self.raw = raw
        self.url = url
        self.limit = limit

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def _give_up(self) -> None:
        # Closed, not returned to the pool: the rest of this answer must never be read.
        self.raw.close()

    def _too_large(self) -> MalformedResponse:
        self._give_up()
        return MalformedResponse(f"the answer is larger than {_size(self.limit)}; refused")

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        import botocore.exceptions as bx
        import urllib3.exceptions

        declared = str(self.raw.headers.get("content-length") or "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large()
        total = 0
        while True:
            try:
                chunk = self.raw.read1(CHUNK)
            except urllib3.exceptions.ReadTimeoutError as exc:
                self._give_up()
                raise bx.ReadTimeoutError(endpoint_url=self.url, error=exc) from exc
            if not chunk:
                return
            total += len(chunk)
            if total > self.limit:
                raise self._too_large()
            yield chunk


def install(client: Any) -> None:
    """Make every request of ``client`` read its answer within its deadline and size limit."""
    from chimenum.core.botocore_private import http_session as session_of
    from chimenum.core.botocore_private import read_answers_with

    read_answers_with(client, DeadlineResponse)

    # botocore has no hook between receiving the headers and reading the body; sending from
    # before-send (what botocore's Stubber does too) is the one place to wrap the stream.
    http_session = session_of(client)

    def send(request: Any, event_name: str = "", **_: Any) -> Any:
        operation = event_name.rpartition(".")[2]
        limit = MAX_ANSWER_BYTES.get(operation, DEFAULT_MAX_ANSWER_BYTES)
        # Sent as a streaming answer: botocore reads it later, through the wrapper.
        request.stream_output = True
        response = http_session.send(request)
        response.raw = BoundedBody(response.raw, url=request.url, limit=limit)
        return response

    client.meta.events.register("before-send", send)
