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

Accounts (:class:`~chimenum.demo.accounts.Account`, chosen by the access key a request is signed
with), STS and broken accounts are in :mod:`testing.fakechime.accounts`.

It backs the ``--demo`` account (see :mod:`chimenum.demo`), the tests and the benchmark; run it
alone with ``python -m testing.fakechime --help``.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chimenum.core.ids import encoded
from chimenum.demo import CALL_ONLY_CAPABILITIES, voice_arn
from chimenum.demo.accounts import Account
from chimenum.demo.listener import API_ERRORS, SIGV4, DemoHandler, match_route
from chimenum.demo.server import DemoServer
from testing.fakechime.accounts import AccountAnswers
from testing.fakechime.canned import Canned
from testing.fakechime.faults import (
    HOSTILE,
    HOSTILE_CODE,
    TRICKLED_HEADS,
    WIRE_FAULTS,
    Fault,
    FaultAnswers,
    TrickledHead,
    hostile_record,
)

__all__ = [
    "HOSTILE",
    "HOSTILE_CODE",
    "WIRE_FAULTS",
    "Account",
    "FakeChime",
    "Fault",
    "generate_numbers",
    "hostile_record",
]


@dataclass
class LoggedRequest:
    method: str
    path: str
    #: The HTTP status answered (0 until the answer starts, or for a dropped connection).
    status: int
    time: float
    region: str | None
    service: str | None
    user_agent: str
    headers: dict[str, str] = field(repr=False)
    #: Which API was asked: the listener the request arrived on (``"chime"``, ``"voice"`` or
    #: ``"sts"``).
    api: str = "chime"
    #: The API operation the route belongs to (``GetPhoneNumber``, ``GetSipRule``...), or the
    #: STS action.
    operation: str = ""
    #: The query string's parameters (STS: the form's).
    query: dict[str, list[str]] = field(default_factory=dict)
    phone_number_id: str | None = None


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
    """The demo server, plus faults, a token bucket, random 503s, latency and a request log.

    Ids are answered percent-encoded, as the service answers them; ``plain_ids=True`` answers
    them plain (``+12065550100``), a form chimenum accepts as well. Records are keyed, moved and
    given faults by the E.164 number either way.
    """

    def __init__(
        self,
        records: Iterable[dict[str, Any]] = (),
        *,
        voice_records: Iterable[dict[str, Any]] = (),
        resources: dict[str, dict[tuple[str, str], Any]] | None = None,
        accounts: Mapping[str, Account] | None = None,
        default_keys: Iterable[str] | None = None,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        throttle_rate: float | None = None,
        throttle_burst: int = 10,
        fail_ratio: float = 0.0,
        seed: int = 0,
        plain_ids: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        voice_port: int = 0,
        sts_port: int = 0,
    ) -> None:
        super().__init__(
            records,
            voice_records=voice_records,
            resources=resources,
            accounts=accounts,
            default_keys=default_keys,
            host=host,
            port=port,
            voice_port=voice_port,
            sts_port=sts_port,
        )
        self.plain_ids = plain_ids
        self.faults: dict[str, Fault] = {}
        #: Broken accounts, by access key id: every request signed with the key gets the fault.
        self.broken: dict[str, Fault] = {}
        self.requests: list[LoggedRequest] = []
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.bucket = TokenBucket(throttle_rate, throttle_burst) if throttle_rate else None
        self.fail_ratio = fail_ratio
        self.random = random.Random(seed)
        #: Set to end every ``slow`` fault's wait at once: a test holds an answer for exactly as
        #: long as it needs, instead of racing a delay against the machine's speed.
        self.released = threading.Event()
        #: Answers served verbatim, before the records (:mod:`testing.fakechime.canned`).
        self.canned = Canned()

    def start(self) -> FakeChime:
        super().start()
        return self

    def stop(self) -> None:
        self.released.set()
        # Each listener notices a shutdown only when its select() returns, every 50 ms when
        # idle: two listeners stopped in turn cost a test ~0.1 s of waiting. Ask both at once
        # and wake each with a connection it will not accept: the loop sees the request at once.
        listeners = list(self._servers.values())
        for listener in listeners:
            listener._BaseServer__shutdown_request = True  # type: ignore[attr-defined]
        for listener in listeners:
            with contextlib.suppress(OSError):
                socket.create_connection(listener.server_address[:2], timeout=1).close()
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
        region: str | None = None,
    ) -> None:
        """Make requests for ``phone_number_id`` (``"*"``: every request) fail with ``kind``
        (with ``region``: only requests signed for that region).

        A related resource is named by its path without the leading slash, e.g.
        ``"sip-rules/6bd8..."`` or ``"voice-connectors/abc.../origination"``.

        ``skip`` lets that many matching requests through first (say, the first pages of a list).
        """
        if kind not in API_ERRORS and kind not in WIRE_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.faults[phone_number_id] = Fault(kind, times, message, delay, skip, region)

    def break_account(
        self, access_key: str, kind: str, *, message: str = "", delay: float = 30.0
    ) -> None:
        """Make every request signed with ``access_key`` (STS included) fail with ``kind``: an
        API error (``ExpiredTokenException``, ``ForbiddenException``...; STS answers its own
        code for it, :data:`~testing.fakechime.accounts.STS_CODES`), or ``"slow"``: it hangs
        until the client gives up or the fake stops."""
        if kind not in API_ERRORS and kind not in WIRE_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.broken[access_key] = Fault(kind, None, message, delay)

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

    def _take_fault(
        self, phone_number_id: str | None, region: str | None, *, wildcard: bool = True
    ) -> Fault | None:
        with self.lock:
            for key in (phone_number_id, "*") if wildcard else (phone_number_id,):
                fault = self.faults.get(key) if key else None
                if fault is None or fault.region not in (None, region):
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


class _FakeHandler(AccountAnswers, FaultAnswers, DemoHandler):
    logged: LoggedRequest

    @property
    def fake(self) -> FakeChime:
        service = self.server.service
        assert isinstance(service, FakeChime)
        return service

    def log(self, **fields: Any) -> None:
        """Log the request before answering, so a client that has its answer finds it here."""
        auth = SIGV4.match(self.headers.get("Authorization", ""))
        logged = LoggedRequest(
            method=self.command,
            path=urlsplit(self.path).path,
            status=0,
            time=time.monotonic(),
            region=auth["region"] if auth else None,
            service=auth["service"] if auth else None,
            user_agent=self.headers.get("User-Agent", ""),
            headers=dict(self.headers.items()),
            api=self.server.api,
            **fields,
        )
        with self.fake.lock:
            self.fake.requests.append(logged)
        self.logged = logged

    def answer(
        self,
        route: str,
        phone_id: str | None,
        query: dict[str, list[str]],
        auth: re.Match[str] | None,
    ) -> None:
        fake = self.fake
        self.log(
            query=query,
            phone_number_id=phone_id,
            operation=operation_of(self.server.api, route, phone_id),
        )
        if auth is None:
            super().answer(route, phone_id, query, auth)
            return
        fault = self.broken(auth["akid"]) or fake._take_fault(
            phone_id if phone_id is not None else route.lstrip("/"), self.logged.region
        )
        if fault is not None and fault.kind == "slow":
            fake.released.wait(fault.delay)
        elif fault is not None and fault.kind in TRICKLED_HEADS:
            self.wfile = TrickledHead(self.wfile, fault, fake.released)  # then answers as usual
        elif fault is not None:
            self._fault(fault, fake, phone_id)
            return
        busy = fake._busy()
        if busy is not None:
            self.send_error_code(busy)
            return
        canned = fake.canned.answer(self.server.api, self.logged.path, self.logged.region)
        if canned is not None:
            self.send(200, canned)
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


FakeChime.handler = _FakeHandler


def generate_numbers(
    count: int, first: int = 12065560000, *, voice: bool = False
) -> Iterator[dict[str, Any]]:
    """``count`` Assigned VoiceConnector numbers, for load tests and the benchmark (ids
    percent-encoded, as the service answers them; key them by ``E164PhoneNumber``).

    ``voice=True`` adds the fields only Chime SDK Voice has (``PhoneNumberArn``, ``OrderId``,
    ``Name``) in the service's key order.
    """
    for n in range(first, first + count):
        e164 = f"+{n}"
        arn = {"PhoneNumberArn": voice_arn(e164)} if voice else {}
        yield {
            "PhoneNumberId": encoded(e164),
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
