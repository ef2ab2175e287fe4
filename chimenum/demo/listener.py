"""The demo's HTTP side: a loopback listener per API, each request answered by
:class:`DemoHandler` from a :class:`~chimenum.demo.server.DemoServer`'s records.

The wire as the service has it: the routes of the botocore models (:data:`RESOURCE_ROUTES`),
SigV4 required on every request, errors as an HTTP status, ``x-amzn-ErrorType`` and a
``{"Code", "Message"}`` body. The tests' fake (``testing/fakechime``) extends
:meth:`DemoHandler.answer` and :meth:`DemoHandler.send` with its faults. The listeners serve on
threads of their own (http.server's): a service answering chimenum, not chimenum's work, which
runs on the one engine (core/pool.py).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from chimenum.demo.sts import answer as sts_answer

if TYPE_CHECKING:
    from chimenum.demo.accounts import Account
    from chimenum.demo.server import DemoServer

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
    # A key no account has: AWS's answer to any service, before the request is looked at.
    "UnrecognizedClientException": 403,
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


class Listener(ThreadingHTTPServer):
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
    server: Listener

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

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = {name: values[0] for name, values in parse_qs(body).items()}
        self.answer_sts(form, SIGV4.match(self.headers.get("Authorization", "")))

    def answer_sts(self, form: dict[str, str], auth: re.Match[str] | None) -> None:
        """Answer one STS request (query protocol: a form in, XML out)."""
        if self.server.api != "sts":
            self.send_error_code("NotFoundException", "No such route.")
            return
        status, body = sts_answer(self.server.service, form, auth["akid"] if auth else None)
        self.send(status, body, "text/xml")

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
        service, api, region = self.server.service, self.server.api, auth["region"]
        account = service.account_for(auth["akid"])
        if account is None:
            self.send_error_code(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
            return
        if route == "/phone-numbers":
            status, body = service.list_page(query, api, account, region)
            if status != 200:
                self.send_error_code(body["Code"], body["Message"])
                return
            self.send_json(status, body)
            return
        if phone_id is None:
            self.answer_resource(route, query, region, account)
            return
        record = service.record(api, phone_id, account=account, region=region)
        if record is None:
            self.send_error_code("NotFoundException", "The requested resource was not found.")
            return
        self.send_json(200, {"PhoneNumber": record})

    def answer_resource(
        self, route: str, query: dict[str, list[str]], region: str, account: Account
    ) -> None:
        """A related resource (voice connector, SIP rule, account...) of the caller's account
        in the signed region."""
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
        record = service.resource(region, kind, resource_id, account)
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


def serve(listeners: Iterable[Listener]) -> None:
    """Each listener serving on a daemon thread of its own, until it is shut down."""
    for listener in listeners:
        threading.Thread(
            target=listener.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
