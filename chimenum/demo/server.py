"""The demo account's loopback server: a small, well-behaved Chime phone-number API.

It serves ``GET /phone-numbers/{id}`` and ``GET /phone-numbers`` (paging and filters), and the
related resources ``describe`` resolves (:data:`RESOURCE_ROUTES`: voice connectors and their
origination, termination and health, groups, SIP rules, SIP media applications, orders, tags,
Voice Connector regions; Chime accounts and users), each from the record set of the region the
request is signed for, as the service does on the wire: rest-json bodies, ISO 8601 timestamps,
errors as an HTTP status, ``x-amzn-ErrorType`` and a ``{"Code", "Message"}`` body, phone-number
ids percent-encoded (``"PhoneNumberId": "%2B12065550100"``) as the service answers them. Every
request must carry a SigV4 ``Authorization`` header, so signing is exercised as against AWS.

Both APIs are served, each from its own record set and its own loopback port, as the real services
live on different hosts (``chime.us-east-1.amazonaws.com`` and ``voice-chime.<region>...``): the
port is the only robust way to tell them apart, since both sign as ``chime``, use the same paths,
and botocore's User-Agent does not name the service. Numbers can move through statuses over time
(:meth:`DemoServer.move`), so ``chimenum wait`` works against answers that really change.

This is all ``--demo`` needs. Fault injection, hostile data, throttling, latency and the request
log belong to the tests' fake (``testing/fakechime``, outside the package), which extends the
classes here through :meth:`DemoHandler.answer` and :meth:`DemoHandler.send`.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from chimenum.core.apis import MAX_PAGE_SIZE
from chimenum.core.ids import decoded, encoded
from chimenum.demo.resources import VOICE_CONNECTOR_REGIONS

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
    "ExpiredTokenException": 403,
}

SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$"
)


#: Related-resource routes as the botocore models define them: (api, path, operation, record
#: kind, answer key); the record of ``kind`` and the path's ``id`` is answered as ``{key: record}``.
RESOURCE_ROUTES: tuple[tuple[str, re.Pattern[str], str, str, str], ...] = tuple(
    (api, re.compile(pattern), operation, kind, key)
    for api, pattern, operation, kind, key in (
        ("voice", r"/voice-connectors/(?P<id>[^/]+)", "GetVoiceConnector", "VoiceConnector",
         "VoiceConnector"),
        ("voice", r"/voice-connectors/(?P<id>[^/]+)/origination", "GetVoiceConnectorOrigination",
         "Origination", "Origination"),
        ("voice", r"/voice-connectors/(?P<id>[^/]+)/termination", "GetVoiceConnectorTermination",
         "Termination", "Termination"),
        ("voice", r"/voice-connectors/(?P<id>[^/]+)/termination/health",
         "GetVoiceConnectorTerminationHealth", "TerminationHealth", "TerminationHealth"),
        ("voice", r"/voice-connectors/(?P<id>[^/]+)/termination/credentials",
         "ListVoiceConnectorTerminationCredentials", "TerminationCredentials", "Usernames"),
        ("voice", r"/voice-connector-groups/(?P<id>[^/]+)", "GetVoiceConnectorGroup",
         "VoiceConnectorGroup", "VoiceConnectorGroup"),
        ("voice", r"/sip-rules/(?P<id>[^/]+)", "GetSipRule", "SipRule", "SipRule"),
        ("voice", r"/sip-media-applications/(?P<id>[^/]+)", "GetSipMediaApplication",
         "SipMediaApplication", "SipMediaApplication"),
        ("voice", r"/phone-number-orders/(?P<id>[^/]+)", "GetPhoneNumberOrder",
         "PhoneNumberOrder", "PhoneNumberOrder"),
        ("voice", r"/tags", "ListTagsForResource", "Tags", "Tags"),
        ("voice", r"/voice-connector-regions", "ListAvailableVoiceConnectorRegions", "Regions",
         "VoiceConnectorRegions"),
        ("chime", r"/accounts/(?P<id>[^/]+)", "GetAccount", "Account", "Account"),
        ("chime", r"/accounts/(?P<account>[^/]+)/users/(?P<id>[^/]+)", "GetUser", "User", "User"),
    )
)  # fmt: skip


def match_route(api: str, path: str) -> tuple[str, str, str, dict[str, str]] | None:
    """``(operation, kind, answer key, path parameters)`` of a related-resource route."""
    for route_api, pattern, operation, kind, key in RESOURCE_ROUTES:
        found = pattern.fullmatch(path) if route_api == api else None
        if found:
            return operation, kind, key, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


@dataclass
class Transition:
    """A scheduled status change: due at ``due_at`` (monotonic) or after ``after_requests`` GETs."""

    status: str
    due_at: float | None = None
    after_requests: int | None = None


def next_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def token_offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None


class DemoServer:
    """The records of both APIs, their scheduled status changes, and the two HTTP listeners."""

    handler: ClassVar[type[DemoHandler]]

    def __init__(
        self,
        records: Any = (),
        *,
        voice_records: Any = (),
        resources: dict[str, dict[tuple[str, str], Any]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        voice_port: int = 0,
    ) -> None:
        # Keyed by the E.164 number, whichever form a record's id is in: requests name it so
        # once the path is decoded, and so do move() and the tests.
        self.records: dict[str, dict[str, Any]] = {decoded(r["PhoneNumberId"]): r for r in records}
        self.voice_records: dict[str, dict[str, Any]] = {
            decoded(r["PhoneNumberId"]): r for r in voice_records
        }
        #: Answer ids plain (``+12065550100``) rather than percent-encoded as the service does.
        self.plain_ids = False
        #: Related resources per region (the SigV4 scope's), keyed by (kind, id); see
        #: :mod:`chimenum.demo.resources`.
        self.resources: dict[str, dict[tuple[str, str], Any]] = {
            region: dict(store) for region, store in (resources or {}).items()
        }
        self.voice_regions: list[str] = list(VOICE_CONNECTOR_REGIONS)
        #: Scheduled status changes per (api, id), applied in order, and GETs seen per (api, id).
        self.transitions: dict[tuple[str, str], list[Transition]] = {}
        self.gets: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        self._servers: dict[str, _Listener] = {}
        for api, api_port in (("chime", port), ("voice", voice_port)):
            listener = _Listener((host, api_port), self.handler)
            listener.service = self
            listener.api = api
            self._servers[api] = listener

    def url_for(self, api: str) -> str:
        host, port = self._servers[api].server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """Where the server answers as Amazon Chime."""
        return self.url_for("chime")

    @property
    def voice_url(self) -> str:
        """Where the server answers as Chime SDK Voice."""
        return self.url_for("voice")

    def records_for(self, api: str) -> dict[str, dict[str, Any]]:
        return self.voice_records if api == "voice" else self.records

    def served(self, record: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``record`` with its id as the service answers it: percent-encoded
        (``%2B12065550100``), or plain with :attr:`plain_ids`. An id that is neither form of a
        ``+`` number stays as it is (tests give such records on purpose)."""
        served = dict(record)
        phone_number_id = served.get("PhoneNumberId")
        if isinstance(phone_number_id, str) and (plain := decoded(phone_number_id))[:1] == "+":
            served["PhoneNumberId"] = plain if self.plain_ids else encoded(plain)
        return served

    def start(self) -> Any:
        for listener in self._servers.values():
            threading.Thread(
                target=listener.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
        return self

    def stop(self) -> None:
        for listener in self._servers.values():
            listener.shutdown()
            listener.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
            return self.served(self.records_for(api)[phone_number_id])

    def resource(self, region: str, kind: str, resource_id: str) -> Any:
        """The related resource as the service would answer it in ``region`` (``None``: none)."""
        with self.lock:
            record = self.resources.get(region, {}).get((kind, resource_id))
            return copy.deepcopy(record)

    def list_page(
        self, query: dict[str, list[str]], api: str = "chime"
    ) -> tuple[int, dict[str, Any]]:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        largest = MAX_PAGE_SIZE[api]
        try:
            max_results = int(one("max-results") or largest)
        except ValueError:
            max_results = 0
        token = one("next-token")
        start = token_offset(token) if token else 0
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
            # Only the page is copied (under the lock, as transitions change records): copying
            # every record for every page made a large listing slow on the server's side.
            matching = [
                r
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
            page = [self.served(r) for r in matching[start : start + max_results]]
        body: dict[str, Any] = {"PhoneNumbers": page}
        if start + max_results < len(matching):
            body["NextToken"] = next_token(start + max_results)
        return 200, body


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    service: DemoServer
    api: str

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timeout, an interrupted batch) is normal, not a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's
    # delayed ACK and every request on a kept-alive connection takes ~40 ms longer.
    disable_nagle_algorithm = True
    server: _Listener

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        route = url.path.rstrip("/")
        phone_id: str | None = None
        if route.startswith("/phone-numbers/"):
            phone_id = unquote(route[len("/phone-numbers/") :])
        self.answer(route, phone_id, query, SIGV4.match(self.headers.get("Authorization", "")))

    def answer(
        self,
        route: str,
        phone_id: str | None,
        query: dict[str, list[str]],
        auth: re.Match[str] | None,
    ) -> None:
        """Answer one request as the service would."""
        if auth is None:
            self.send_error_code("ForbiddenException", "Missing or malformed SigV4 Authorization.")
            return
        service, api = self.server.service, self.server.api
        if route == "/phone-numbers":
            status, body = service.list_page(query, api)
            if status != 200:
                self.send_error_code(body["Code"], body["Message"])
                return
            self.send_json(status, body)
            return
        if phone_id is None:
            self.answer_resource(route, query, auth["region"])
            return
        record = service.record(api, phone_id)
        if record is None:
            self.send_error_code("NotFoundException", "The requested resource was not found.")
            return
        self.send_json(200, {"PhoneNumber": record})

    def answer_resource(self, route: str, query: dict[str, list[str]], region: str) -> None:
        """A related resource (voice connector, SIP rule, account...) in the signed region."""
        service = self.server.service
        found = match_route(self.server.api, route)
        if found is None:
            self.send_error_code("NotFoundException", "No such route.")
            return
        _, kind, key, params = found
        if kind == "Regions":
            self.send_json(200, {key: list(service.voice_regions)})
            return
        # ListTagsForResource names its resource in the query; GetUser's path needs its account.
        resource_id = (query.get("arn") or [""])[0] if kind == "Tags" else params["id"]
        record = service.resource(region, kind, resource_id)
        if record is None or ("account" in params and record["AccountId"] != params["account"]):
            self.send_error_code("NotFoundException", "The requested resource was not found.")
            return
        self.send_json(200, {key: record})

    def send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("x-amzn-RequestId", f"demo-{id(body):x}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, doc: dict[str, Any]) -> None:
        self.send(status, json.dumps(doc).encode())

    def send_error_code(self, code: str, message: str = "") -> None:
        body = json.dumps({"Code": code, "Message": message or code}).encode()
        self.send(API_ERRORS[code], body, headers={"x-amzn-ErrorType": f"{code}:"})


DemoServer.handler = DemoHandler
