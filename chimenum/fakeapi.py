"""A loopback fake of the Chime phone-number API, real enough for botocore to talk to.

It serves ``GET /phone-numbers/{id}`` and ``GET /phone-numbers`` (with paging and filters) the way
the service does on the wire: rest-json bodies, ISO 8601 timestamps, errors as an HTTP status plus
``x-amzn-ErrorType`` and a ``{"Code", "Message"}`` body. It checks that every request carries a
SigV4 ``Authorization`` header and logs what each one asked for, so tests can assert on requests
sent (or not sent). Faults can be injected per id or for every request, and a token bucket,
random 503s and latency simulate a busy service.

Both APIs are served, each from its own record set and its own loopback port, just as the real
services live on different hosts (``chime.us-east-1.amazonaws.com`` and
``voice-chime.<region>.amazonaws.com``): :attr:`FakeChime.url` answers as Amazon Chime,
:attr:`FakeChime.voice_url` as Chime SDK Voice. The port is the only robust way to tell the two
apart: both sign with service name ``chime``, use the same paths and query strings, and botocore's
User-Agent does not name the service. Numbers can be moved through statuses over time
(:meth:`FakeChime.move`), after some seconds or after some requests for that number, so that
``chimenum wait`` is tested against a service whose answers really change.

It backs the ``--demo`` account (see :mod:`chimenum.demo`), the tests and the benchmark; run it
alone with ``python -m chimenum.fakeapi --help``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

#: The documented exceptions, with the HTTP status the service answers them with.
API_ERRORS: dict[str, int] = {
    "BadRequestException": 400,
    "UnauthorizedClientException": 401,
    "ForbiddenException": 403,
    "AccessDeniedException": 403,
    "NotFoundException": 404,
    "ThrottledClientException": 429,
    "ServiceFailureException": 500,
    "ServiceUnavailableException": 503,
}

#: Faults that are not an API exception: broken answers, broken connections, and hostile data.
WIRE_FAULTS = (
    "not-json",
    "wrong-shape",
    "empty-object",
    "empty-body",
    "truncated",
    "drop",
    "reset",
    "slow",
    "hostile",
    "hostile-error",
)

#: What a hostile string carries: SGR colour, rich markup (style and link), an OSC 8 hyperlink,
#: an OSC window-title change, the one-byte C1 CSI (clear screen), carriage return, backspace,
#: NUL, a bidi override, a line separator and a lone surrogate. Valid JSON, valid for the model.
HOSTILE = (
    "\x1b[31mred\x1b[0m [bold red]markup[/] [link=https://evil.example]link[/link]"
    " \x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\ \x1b]0;pwned\x07 \x9b2J"
    " \r\x08\x00 \u202eevil\u202c \u2028 \ud800 back\\slash"
)

#: An error code for ``hostile-error`` (botocore cuts a code at its first ':', so none here).
HOSTILE_CODE = "Evil\x1b[31m[bold red]Code[/]\x9b2J\u202e"


def hostile_record(phone_number_id: str) -> dict[str, Any]:
    """A number whose every string but its id is hostile.

    A ``GetPhoneNumber`` answer must carry the id asked for; the ``hostile`` fault on the list
    route passes hostile ids here as well.
    """

    def h(field: str) -> str:
        return f"{field}:{HOSTILE}"

    return {
        "PhoneNumberId": phone_number_id,
        "E164PhoneNumber": h("E164PhoneNumber"),
        "PhoneNumberArn": h("PhoneNumberArn"),
        "Name": h("Name"),
        "OrderId": h("OrderId"),
        "Country": h("Country"),
        "Type": h("Type"),
        "ProductType": h("ProductType"),
        "Status": h("Status"),
        "Capabilities": dict.fromkeys(
            ("InboundCall", "OutboundCall", "InboundSMS", "OutboundSMS", "InboundMMS"), True
        ),
        "Associations": [
            {
                "Value": h("Associations.Value"),
                "Name": h("Associations.Name"),
                "AssociatedTimestamp": "2024-03-01T09:00:00.000Z",
            }
        ],
        "CallingName": h("CallingName"),
        "CallingNameStatus": h("CallingNameStatus"),
        "CreatedTimestamp": "2024-02-28T17:45:12.345Z",
        "UpdatedTimestamp": "2024-03-01T09:00:00.000Z",
    }


_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$"
)


@dataclass
class Fault:
    kind: str
    #: How many more requests it applies to; ``None`` for every one.
    times: int | None = None
    message: str = ""
    delay: float = 30.0
    #: How many matching requests still pass untouched before the fault starts.
    skip: int = 0


@dataclass
class Transition:
    """A scheduled status change: due ``after_seconds`` or after ``after_requests`` GETs."""

    status: str
    due_at: float | None = None
    after_requests: int | None = None


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    phone_number_id: str | None
    #: The HTTP status answered (0 until the answer starts, or for a dropped connection).
    status: int
    time: float
    region: str | None
    service: str | None
    user_agent: str
    headers: dict[str, str] = field(repr=False)
    #: Which API was asked: the listener the request arrived on (``"chime"`` or ``"voice"``).
    api: str = "chime"


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _next_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None


class FakeChime:
    """The fake service: its records, its faults, its request log and its HTTP server."""

    def __init__(
        self,
        records: Iterable[dict[str, Any]] = (),
        *,
        voice_records: Iterable[dict[str, Any]] = (),
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        throttle_rate: float | None = None,
        throttle_burst: int = 10,
        fail_ratio: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        voice_port: int = 0,
    ) -> None:
        self.records: dict[str, dict[str, Any]] = {r["PhoneNumberId"]: r for r in records}
        self.voice_records: dict[str, dict[str, Any]] = {
            r["PhoneNumberId"]: r for r in voice_records
        }
        #: Scheduled status changes per (api, id), applied in order, and GETs seen per (api, id).
        self.transitions: dict[tuple[str, str], list[Transition]] = {}
        self.gets: dict[tuple[str, str], int] = {}
        self.faults: dict[str, Fault] = {}
        self.requests: list[LoggedRequest] = []
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.bucket = TokenBucket(throttle_rate, throttle_burst) if throttle_rate else None
        self.fail_ratio = fail_ratio
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self._servers: dict[str, _Server] = {}
        for api, api_port in (("chime", port), ("voice", voice_port)):
            server = _Server((host, api_port), _Handler)
            server.fake = self
            server.api = api
            self._servers[api] = server
        self._server = self._servers["chime"]

    # -- control ---------------------------------------------------------------------------

    def url_for(self, api: str) -> str:
        host, port = self._servers[api].server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """Where the fake answers as Amazon Chime."""
        return self.url_for("chime")

    @property
    def voice_url(self) -> str:
        """Where the fake answers as Chime SDK Voice."""
        return self.url_for("voice")

    def records_for(self, api: str) -> dict[str, dict[str, Any]]:
        return self.voice_records if api == "voice" else self.records

    def start(self) -> FakeChime:
        for server in self._servers.values():
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeChime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(
        self,
        phone_number_id: str,
        kind: str,
        *,
        times: int | None = None,
        message: str = "",
        delay: float = 30.0,
        skip: int = 0,
    ) -> None:
        """Make requests for ``phone_number_id`` (``"*"``: every request) fail with ``kind``.

        ``skip`` lets that many matching requests through first (say, the first pages of a list).
        """
        if kind not in API_ERRORS and kind not in WIRE_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.faults[phone_number_id] = Fault(kind, times, message, delay, skip)

    def move(
        self,
        phone_number_id: str,
        status: str,
        *,
        after_seconds: float | None = None,
        after_requests: int | None = None,
        api: str = "chime",
    ) -> None:
        """Schedule a status change for one number of ``api``, counted from now.

        ``after_seconds``: the change is seen from that many seconds on. ``after_requests``: the
        next that-many ``GET /phone-numbers/{id}`` still see the old status, later ones the new.
        Several calls queue changes that happen in the order they were scheduled.
        """
        if (after_seconds is None) == (after_requests is None):
            raise ValueError("give exactly one of after_seconds and after_requests")
        key = (api, phone_number_id)
        with self.lock:
            if phone_number_id not in self.records_for(api):
                raise KeyError(f"{api} has no number {phone_number_id}")
            seen = self.gets.get(key, 0)
            self.transitions.setdefault(key, []).append(
                Transition(
                    status,
                    None if after_seconds is None else time.monotonic() + after_seconds,
                    None if after_requests is None else seen + after_requests,
                )
            )

    def _advance(self, api: str, phone_number_id: str) -> None:
        """Apply the due status changes of one number; the caller holds the lock."""
        key = (api, phone_number_id)
        queue = self.transitions.get(key)
        now = time.monotonic()
        seen = self.gets.get(key, 0)
        while queue:
            step = queue[0]
            if step.due_at is not None and now < step.due_at:
                break
            if step.after_requests is not None and seen < step.after_requests:
                break
            queue.pop(0)
            record = self.records_for(api)[phone_number_id]
            record["Status"] = step.status
            record["UpdatedTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

    def record(
        self, api: str, phone_number_id: str, *, count: bool = True
    ) -> dict[str, Any] | None:
        """The number as the service would answer it now (``None``: not in that API)."""
        with self.lock:
            if phone_number_id not in self.records_for(api):
                return None
            self._advance(api, phone_number_id)
            if count:
                key = (api, phone_number_id)
                self.gets[key] = self.gets.get(key, 0) + 1
            return dict(self.records_for(api)[phone_number_id])

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def requested_ids(self) -> list[str | None]:
        with self.lock:
            return [r.phone_number_id for r in self.requests]

    # -- behaviour -------------------------------------------------------------------------

    def _take_fault(self, phone_number_id: str | None) -> Fault | None:
        with self.lock:
            for key in (phone_number_id, "*"):
                fault = self.faults.get(key) if key else None
                if fault is None:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        del self.faults[key]  # type: ignore[arg-type]
                return fault
            return None

    def _busy(self) -> str | None:
        with self.lock:
            if self.bucket is not None and not self.bucket.take():
                return "ThrottledClientException"
            if self.fail_ratio and self.random.random() < self.fail_ratio:
                return "ServiceUnavailableException"
            delay = self.latency + (
                self.random.uniform(0, self.latency_jitter) if self.latency_jitter else 0.0
            )
        if delay:
            time.sleep(delay)
        return None

    def list_page(
        self, query: dict[str, list[str]], api: str = "chime"
    ) -> tuple[int, dict[str, Any]]:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        largest = 100 if api == "voice" else 99
        try:
            max_results = int(one("max-results") or largest)
        except ValueError:
            max_results = 0
        token = one("next-token")
        start = _offset(token) if token else 0
        if start is None:
            return 400, {"Code": "BadRequestException", "Message": "Invalid next token."}
        status, product = one("status"), one("product-type")
        filter_name, filter_value = one("filter-name"), one("filter-value")
        if max_results < 1 or max_results > largest:
            return 400, {"Code": "BadRequestException", "Message": "Invalid MaxResults."}
        with self.lock:
            for key in list(self.transitions):
                if key[0] == api:
                    self._advance(*key)
            matching = [
                dict(r)
                for r in self.records_for(api).values()
                if (status is None or r.get("Status") == status)
                and (product is None or r.get("ProductType") == product)
                and (
                    filter_name is None
                    or any(
                        a.get("Name") == filter_name and a.get("Value") == filter_value
                        for a in r.get("Associations", [])
                    )
                )
            ]
        page = matching[start : start + max_results]
        body: dict[str, Any] = {"PhoneNumbers": page}
        if start + max_results < len(matching):
            body["NextToken"] = _next_token(start + max_results)
        return 200, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    fake: FakeChime
    api: str

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timeout, an interrupted batch) is normal here, not worth a
        # traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's
    # delayed ACK and every request on a kept-alive connection takes ~40 ms longer.
    disable_nagle_algorithm = True
    server: _Server
    logged: LoggedRequest

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        # Recorded before a byte goes out, so a client that has its answer finds the status.
        self.logged.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("x-amzn-RequestId", f"fake-{id(body):x}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, doc: dict[str, Any]) -> None:
        self._send(status, json.dumps(doc).encode())

    def _send_error(self, code: str, message: str = "") -> None:
        status = API_ERRORS[code]
        message = message or f"fake {code}"
        body = json.dumps({"Code": code, "Message": message}).encode()
        self._send(status, body, headers={"x-amzn-ErrorType": f"{code}:"})

    def do_GET(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        route = url.path.rstrip("/")
        phone_id: str | None = None
        if route.startswith("/phone-numbers/"):
            phone_id = unquote(route[len("/phone-numbers/") :])
        auth = _AUTH.match(self.headers.get("Authorization", ""))
        # Logged before answering, so a client that has its answer always finds its request here.
        logged = LoggedRequest(
            method="GET",
            path=url.path,
            query=query,
            phone_number_id=phone_id,
            status=0,
            time=time.monotonic(),
            region=auth["region"] if auth else None,
            service=auth["service"] if auth else None,
            user_agent=self.headers.get("User-Agent", ""),
            headers=dict(self.headers.items()),
            api=self.server.api,
        )
        with fake.lock:
            fake.requests.append(logged)
        self.logged = logged
        self._answer(fake, route, phone_id, query, auth is not None)

    def _answer(
        self,
        fake: FakeChime,
        route: str,
        phone_id: str | None,
        query: dict[str, list[str]],
        signed: bool,
    ) -> None:
        if not signed:
            self._send_error("ForbiddenException", "Missing or malformed SigV4 Authorization.")
            return
        fault = fake._take_fault(phone_id)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault is not None:
            self._fault(fault, fake, phone_id)
            return
        busy = fake._busy()
        if busy is not None:
            self._send_error(busy)
            return
        if route == "/phone-numbers":
            status, body = fake.list_page(query, self.server.api)
            if status != 200:
                self._send_error(body["Code"], body["Message"])
                return
            self._send_json(status, body)
            return
        if phone_id is None:
            self._send_error("NotFoundException", "No such route.")
            return
        record = fake.record(self.server.api, phone_id)
        if record is None:
            self._send_error("NotFoundException", "The requested resource was not found.")
            return
        self._send_json(200, {"PhoneNumber": record})

    def _fault(self, fault: Fault, fake: FakeChime, phone_id: str | None) -> None:
        kind = fault.kind
        if kind in API_ERRORS:
            self._send_error(kind, fault.message)
            return
        if kind == "not-json":
            self._send(200, b"<html><body>Service temporarily moved</body></html>", "text/html")
        elif kind == "wrong-shape":
            self._send_json(200, {"PhoneNumber": {"PhoneNumberId": 12, "Capabilities": "all"}})
        elif kind == "empty-object":
            self._send_json(200, {})
        elif kind == "empty-body":
            self._send(200, b"")
        elif kind == "truncated":
            record = fake.records_for(self.server.api).get(
                phone_id or "", {"PhoneNumberId": phone_id}
            )
            body = json.dumps({"PhoneNumber": record}).encode()
            self._send(200, body[: len(body) // 2], length=len(body))
            self.close_connection = True
        elif kind == "drop":
            self.close_connection = True
        elif kind == "reset":
            # Linger 0 and a close with no shutdown first: the client gets an RST, not a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # The file objects hold references that keep the socket open; the handler's own
            # final flush goes to a sink.
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
            self.wfile = io.BytesIO()
            self.close_connection = True
        elif kind == "hostile" and phone_id is None:
            with fake.lock:
                ids = list(fake.records)
            # A list answer need not match any requested id: the ids are hostile too.
            page = [hostile_record(f"{i}:{HOSTILE}") for i in ids]
            self._send_json(200, {"PhoneNumbers": page})
        elif kind == "hostile":
            self._send_json(200, {"PhoneNumber": hostile_record(phone_id or "")})
        elif kind == "hostile-error":
            # No x-amzn-ErrorType header: botocore takes the code from the body, hostile too.
            error = {"Code": HOSTILE_CODE, "Message": f"Message:{HOSTILE}"}
            self._send(400, json.dumps(error).encode())


#: What voice-connector numbers usually have: calls both ways, no messaging.
CALL_ONLY_CAPABILITIES: dict[str, bool] = {
    "InboundCall": True,
    "OutboundCall": True,
    "InboundSMS": False,
    "OutboundSMS": False,
    "InboundMMS": False,
    "OutboundMMS": False,
}


def generate_numbers(
    count: int, first: int = 12065560000, *, voice: bool = False
) -> Iterator[dict[str, Any]]:
    """``count`` plain Assigned VoiceConnector numbers, for load tests and the benchmark.

    ``voice=True`` adds the fields only Chime SDK Voice has (``PhoneNumberArn``, ``OrderId``,
    ``Name``) in the service's key order.
    """
    for n in range(first, first + count):
        e164 = f"+{n}"
        arn = {"PhoneNumberArn": voice_arn(e164)} if voice else {}
        yield {
            "PhoneNumberId": e164,
            "E164PhoneNumber": e164,
            **arn,
            "Country": "US",
            "Type": "Local",
            "ProductType": "VoiceConnector",
            "Status": "Assigned",
            "Capabilities": dict(CALL_ONLY_CAPABILITIES),
            "Associations": [
                {
                    "Value": "abcdef1ghij2klmno3pqr4",
                    "Name": "VoiceConnectorId",
                    "AssociatedTimestamp": "2024-03-01T09:00:00.000Z",
                }
            ],
            "CallingNameStatus": "Unassigned",
            "CreatedTimestamp": "2024-02-28T17:45:12.345Z",
            "UpdatedTimestamp": "2024-03-01T09:00:00.000Z",
            **({"OrderId": f"00000000-0000-4000-8000-{n % 10**12:012d}"} if voice else {}),
            **({"Name": f"line {n}"} if voice else {}),
        }


def voice_arn(e164: str, account: str = "111122223333", region: str = "us-east-1") -> str:
    """The ``PhoneNumberArn`` Chime SDK Voice gives a number (the id percent-encoded)."""
    return f"arn:aws:chime:{region}:{account}:phone-number/{e164.replace('+', '%2B')}"


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m chimenum.fakeapi",
        description="Serve the loopback fake Chime API until stdin closes or Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=0, help="Amazon Chime port")
    parser.add_argument("--voice-port", type=int, default=0, help="Chime SDK Voice port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--latency-jitter", type=float, default=0.0)
    parser.add_argument("--throttle-rate", type=float, default=None, help="requests/s")
    parser.add_argument("--throttle-burst", type=int, default=10)
    parser.add_argument("--fail-ratio", type=float, default=0.0, help="share of 503 answers")
    parser.add_argument("--generate", type=int, default=0, help="extra generated numbers")
    args = parser.parse_args(argv)
    from chimenum.demo import sample_numbers, sample_voice_numbers

    fake = FakeChime(
        [*sample_numbers(), *generate_numbers(args.generate)],
        voice_records=[*sample_voice_numbers(), *generate_numbers(args.generate, voice=True)],
        latency=args.latency,
        latency_jitter=args.latency_jitter,
        throttle_rate=args.throttle_rate,
        throttle_burst=args.throttle_burst,
        fail_ratio=args.fail_ratio,
        port=args.port,
        voice_port=args.voice_port,
    )
    with fake:
        sys.stdout.write(f"{fake.url}\n{fake.voice_url}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()


if __name__ == "__main__":
    main()
