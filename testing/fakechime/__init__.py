"""The tests' fake Chime API: the demo server plus faults, hostile data, throttling and a log.

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
alone with ``python -m testing.fakechime --help``.
"""

from __future__ import annotations

import io
import json
import random
import re
import socket
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chimenum.demo import CALL_ONLY_CAPABILITIES, voice_arn
from chimenum.demo.server import API_ERRORS, DemoHandler, DemoServer, match_route

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
    "trickle",
    "endless",
    "huge",
    "deep",
    "timestamp",
    "retry-after",
    "html-401",
    "html-403",
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
    #: The API operation the route belongs to (``GetPhoneNumber``, ``GetSipRule``...).
    operation: str = ""


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


class FakeChime(DemoServer):
    """The demo server, plus faults, a token bucket, random 503s, latency and a request log."""

    def __init__(
        self,
        records: Iterable[dict[str, Any]] = (),
        *,
        voice_records: Iterable[dict[str, Any]] = (),
        resources: dict[str, dict[tuple[str, str], Any]] | None = None,
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
        super().__init__(
            records,
            voice_records=voice_records,
            resources=resources,
            host=host,
            port=port,
            voice_port=voice_port,
        )
        self.faults: dict[str, Fault] = {}
        self.requests: list[LoggedRequest] = []
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.bucket = TokenBucket(throttle_rate, throttle_burst) if throttle_rate else None
        self.fail_ratio = fail_ratio
        self.random = random.Random(seed)
        #: Set to end every ``slow`` fault's wait at once: a test holds an answer for exactly as
        #: long as it needs, instead of racing a delay against the machine's speed.
        self.released = threading.Event()

    def start(self) -> FakeChime:
        super().start()
        return self

    def stop(self) -> None:
        self.released.set()
        super().stop()

    def __enter__(self) -> FakeChime:
        return self.start()

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

        A related resource is named by its path without the leading slash, e.g.
        ``"sip-rules/6bd8..."`` or ``"voice-connectors/abc.../origination"``.

        ``skip`` lets that many matching requests through first (say, the first pages of a list).
        """
        if kind not in API_ERRORS and kind not in WIRE_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.faults[phone_number_id] = Fault(kind, times, message, delay, skip)

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def count(self, operation: str) -> int:
        """How many requests of ``operation`` (``GetVoiceConnector``...) arrived."""
        with self.lock:
            return sum(1 for r in self.requests if r.operation == operation)

    def put(self, region: str, kind: str, resource_id: str, record: Any) -> None:
        """Add or replace a related resource in ``region`` (``None``: remove it)."""
        with self.lock:
            store = self.resources.setdefault(region, {})
            if record is None:
                store.pop((kind, resource_id), None)
            else:
                store[(kind, resource_id)] = record

    def requested_ids(self) -> list[str | None]:
        with self.lock:
            return [r.phone_number_id for r in self.requests]

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


def operation_of(api: str, route: str, phone_id: str | None) -> str:
    if phone_id is not None:
        return "GetPhoneNumber"
    if route == "/phone-numbers":
        return "ListPhoneNumbers"
    found = match_route(api, route)
    return found[0] if found else ""


class _FakeHandler(DemoHandler):
    logged: LoggedRequest

    @property
    def fake(self) -> FakeChime:
        service = self.server.service
        assert isinstance(service, FakeChime)
        return service

    def answer(
        self,
        route: str,
        phone_id: str | None,
        query: dict[str, list[str]],
        auth: re.Match[str] | None,
    ) -> None:
        fake = self.fake
        # Logged before answering, so a client that has its answer always finds its request here.
        logged = LoggedRequest(
            method="GET",
            path=urlsplit(self.path).path,
            query=query,
            phone_number_id=phone_id,
            status=0,
            time=time.monotonic(),
            region=auth["region"] if auth else None,
            service=auth["service"] if auth else None,
            user_agent=self.headers.get("User-Agent", ""),
            headers=dict(self.headers.items()),
            api=self.server.api,
            operation=operation_of(self.server.api, route, phone_id),
        )
        with fake.lock:
            fake.requests.append(logged)
        self.logged = logged
        if auth is None:
            super().answer(route, phone_id, query, auth)
            return
        fault = fake._take_fault(phone_id if phone_id is not None else route.lstrip("/"))
        if fault is not None and fault.kind == "slow":
            fake.released.wait(fault.delay)
        elif fault is not None:
            self._fault(fault, fake, phone_id)
            return
        busy = fake._busy()
        if busy is not None:
            self.send_error_code(busy)
            return
        super().answer(route, phone_id, query, auth)

    def send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        # Recorded before a byte goes out, so a client that has its answer finds the status.
        self.logged.status = status
        super().send(status, body, content_type, headers, length)

    def send_error_code(self, code: str, message: str = "") -> None:
        super().send_error_code(code, message or f"fake {code}")

    def _answer_body(self, fake: FakeChime, phone_id: str | None) -> bytes:
        """The well-formed answer to this request: the number, or the first page."""
        if phone_id is None:
            return json.dumps(fake.list_page({}, self.server.api)[1]).encode()
        record = fake.records_for(self.server.api).get(phone_id, {"PhoneNumberId": phone_id})
        return json.dumps({"PhoneNumber": record}).encode()

    def _headers(self, status: int, headers: dict[str, str]) -> None:
        self.logged.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def _write(self, data: bytes) -> bool:
        """Write and flush; ``False`` once the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return False
        return True

    def _fault(self, fault: Fault, fake: FakeChime, phone_id: str | None) -> None:
        kind = fault.kind
        if kind in API_ERRORS:
            self.send_error_code(kind, fault.message)
            return
        if kind == "not-json":
            self.send(200, b"<html><body>Service temporarily moved</body></html>", "text/html")
        elif kind == "wrong-shape":
            self.send_json(200, {"PhoneNumber": {"PhoneNumberId": 12, "Capabilities": "all"}})
        elif kind == "empty-object":
            self.send_json(200, {})
        elif kind == "empty-body":
            self.send(200, b"")
        elif kind == "truncated":
            record = fake.records_for(self.server.api).get(
                phone_id or "", {"PhoneNumberId": phone_id}
            )
            body = json.dumps({"PhoneNumber": record}).encode()
            self.send(200, body[: len(body) // 2], length=len(body))
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
            self.send_json(200, {"PhoneNumbers": page})
        elif kind == "hostile":
            self.send_json(200, {"PhoneNumber": hostile_record(phone_id or "")})
        elif kind == "trickle":
            # A valid answer, one byte every `delay` seconds, until the client gives up.
            body = self._answer_body(fake, phone_id)
            self._headers(200, {"Content-Length": str(len(body))})
            for byte in body:
                if fake.released.wait(fault.delay) or not self._write(bytes([byte])):
                    break
        elif kind == "endless":
            # A body that never ends: no length, chunks until the client hangs up.
            self._headers(200, {"Connection": "close"})
            self.close_connection = True
            chunk = b'{"PhoneNumber": {"Name": "' + b"x" * 65536
            while not fake.released.is_set() and self._write(chunk):
                chunk = b"x" * 65536
        elif kind == "huge":
            # A Content-Length far over any limit (message: the size), and bytes to match.
            size = int(fault.message or 64 << 20)
            self._headers(200, {"Content-Length": str(size)})
            self.close_connection = True
            sent = 0
            while sent < size and not fake.released.is_set() and self._write(b" " * 65536):
                sent += 65536
        elif kind == "deep":
            depth = int(fault.message or 100_000)
            body = b'{"PhoneNumbers": ' if phone_id is None else b'{"PhoneNumber": '
            self.send(200, body + b"[" * depth + b"]" * depth + b"}")
        elif kind == "timestamp":
            # A timestamp the model allows (a number) but no datetime can hold: 1e20, Infinity.
            body = self._answer_body(fake, phone_id).decode()
            literal = fault.message or "1e20"
            body = re.sub(
                r'"CreatedTimestamp": "[^"]*"', f'"CreatedTimestamp": {literal}', body, count=1
            )
            self.send(200, body.encode())
        elif kind == "retry-after":
            body = json.dumps({"Code": "ThrottledClientException", "Message": "slow down"})
            headers = {"x-amzn-ErrorType": "ThrottledClientException:"}
            self.send(429, body.encode(), headers={**headers, "Retry-After": fault.message})
        elif kind in ("html-401", "html-403"):
            # A login page or a proxy's refusal: no AWS error code anywhere.
            self.send(int(kind[-3:]), b"<html><body>Sign in</body></html>", "text/html")
        elif kind == "hostile-error":
            # No x-amzn-ErrorType header: botocore takes the code from the body, hostile too.
            error = {"Code": HOSTILE_CODE, "Message": f"Message:{HOSTILE}"}
            self.send(400, json.dumps(error).encode())


FakeChime.handler = _FakeHandler


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
