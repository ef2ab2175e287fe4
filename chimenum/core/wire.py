"""Reading one answer within bounds: a deadline for the whole answer, and a size limit.

botocore reads an answer's body in one ``b"".join(raw.stream())``, with ``--read-timeout``
applied to each socket read: a server trickling a byte a second, or sending a body that never
ends, holds it forever and grows its memory without limit. :func:`install` registers a
``before-send`` handler that sends the request itself (as botocore would) and wraps the raw
stream in :class:`BoundedBody`, which botocore then reads:

- the whole answer must have arrived within ``read_timeout`` of the request being sent (every
  socket read waits at most what is left; the connection has ``connect_timeout`` of its own), else
  :class:`botocore.exceptions.ReadTimeoutError`: exit 11, not retried;
- an answer larger than :data:`MAX_ANSWER_BYTES` for its operation is refused while it streams
  in (at once when ``Content-Length`` says so): :class:`~chimenum.core.errors.MalformedResponse`,
  exit 12, not retried. The connection is closed, so nothing more of it is read.
"""

from __future__ import annotations

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


class BoundedBody:
    """urllib3's raw response, read chunk by chunk within a deadline and a size limit."""

    def __init__(self, raw: Any, *, url: str, deadline: float, timeout: float, limit: int) -> None:
        self.raw = raw
        self.url = url
        self.deadline = deadline
        self.timeout = timeout
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
            left = self.deadline - time.monotonic()
            if left <= 0:
                self._give_up()
                raise bx.ReadTimeoutError(endpoint_url=self.url, error="deadline passed")
            sock = getattr(getattr(self.raw, "connection", None), "sock", None)
            if sock is not None:
                sock.settimeout(min(self.timeout, left))
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


def install(client: Any, connect_timeout: float, read_timeout: float) -> None:
    """Make every request of ``client`` read its answer through :class:`BoundedBody`."""
    from chimenum.core.botocore_private import http_session as session_of

    # botocore has no hook between receiving the headers and reading the body; sending from
    # before-send (what botocore's Stubber does too) is the one place to wrap the stream.
    http_session = session_of(client)

    def send(request: Any, event_name: str = "", **_: Any) -> Any:
        deadline = time.monotonic() + read_timeout
        operation = event_name.rpartition(".")[2]
        limit = MAX_ANSWER_BYTES.get(operation, DEFAULT_MAX_ANSWER_BYTES)
        # Sent as a streaming answer: botocore reads it later, through the wrapper.
        request.stream_output = True
        response = http_session.send(request)
        response.raw = BoundedBody(
            response.raw, url=request.url, deadline=deadline, timeout=read_timeout, limit=limit
        )
        return response

    client.meta.events.register("before-send", send)
