"""The fake's faults: what each injected fault answers, and the hostile data it can carry."""

from __future__ import annotations

import io
import json
import re
import socket
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chimenum.core.ids import encoded
from chimenum.demo.listener import API_ERRORS, DemoHandler

if TYPE_CHECKING:
    from testing.fakechime import FakeChime

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
    "html-502",
    "html-503",
    "html-504",
    "bare-429",
    "echo-credentials",
    "trickle-status",
    "trickle-headers",
)

#: Faults that send the service's own answer, its head (from the status line, or from the
#: headers on) a byte every ``delay`` seconds; the body follows at once, so the answer is valid.
TRICKLED_HEADS = frozenset({"trickle-status", "trickle-headers"})

#: Faults whose answer breaks the API model on purpose (a body that is not the model's JSON,
#: wrong types, strings outside their enums and patterns, an unreadable timestamp): they test
#: what chimenum does with an answer AWS would never send, so tests/test_model_valid.py, which
#: holds every other answer of the fake to the botocore model, leaves them out by name.
MODEL_BREAKING = frozenset(
    {
        "not-json",
        "wrong-shape",
        "empty-body",
        "truncated",
        "hostile",
        "endless",
        "huge",
        "deep",
        "timestamp",
    }
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

    A ``GetPhoneNumber`` answer must carry the id asked for, in ``PhoneNumberId`` (encoded, as
    the service answers it) and ``E164PhoneNumber``; the ``hostile`` fault on the list route
    passes hostile ids here as well.
    """

    def h(field: str) -> str:
        return f"{field}:{HOSTILE}"

    return {
        "PhoneNumberId": encoded(phone_number_id),
        "E164PhoneNumber": phone_number_id,
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


class TrickledHead:
    """A handler's output whose first write, the answer's head, goes out a byte at a time.

    The head is finite, so a client that waits it out gets the whole answer in the end (a test
    of a deadline that regressed fails instead of hanging); ``released`` ends the trickle at
    once. Once the client has gone, the rest of the answer goes to a sink.
    """

    def __init__(self, out: Any, fault: Fault, released: Any) -> None:
        self.out = out
        self.fault = fault
        self.released = released
        self.sent_head = False
        self.gone = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)

    def _send(self, data: bytes) -> None:
        if self.gone:
            return
        try:
            self.out.write(data)
            self.out.flush()
        except OSError:
            self.gone = True

    def write(self, data: bytes) -> int:
        if self.sent_head:
            self._send(data)
            return len(data)
        self.sent_head = True
        start = data.index(b"\r\n") + 2 if self.fault.kind == "trickle-headers" else 0
        self._send(data[:start])
        for at in range(start, len(data)):
            if self.released.wait(self.fault.delay):
                self._send(data[at:])
                break
            self._send(data[at : at + 1])
        return len(data)

    def flush(self) -> None:
        self._send(b"")


@dataclass
class Fault:
    kind: str
    #: How many more requests it applies to; ``None`` for every one.
    times: int | None = None
    message: str = ""
    delay: float = 30.0
    #: How many matching requests still pass untouched before the fault starts.
    skip: int = 0
    #: Only requests signed for this region (``None``: every region).
    region: str | None = None


class FaultAnswers(DemoHandler):
    """The fake's handler, answering an injected fault instead of the service's answer."""

    logged: Any

    def _answer_body(self, fake: FakeChime, phone_id: str | None) -> bytes:
        """The well-formed answer to this request: the number, or the first page."""
        if phone_id is None:
            return json.dumps(fake.list_page({}, self.server.api)[1]).encode()
        return json.dumps({"PhoneNumber": self._record(fake, phone_id)}).encode()

    def _record(self, fake: FakeChime, phone_id: str | None) -> dict[str, Any]:
        """The number as served (its id in the fake's form), without counting a GET."""
        record = fake.records_for(self.server.api).get(phone_id or "", {"PhoneNumberId": phone_id})
        return fake.served(record)

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
            body = self._answer_body(fake, phone_id)
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
            page = [fake.served(hostile_record(f"{i}:{HOSTILE}")) for i in ids]
            self.send_json(200, {"PhoneNumbers": page})
        elif kind == "hostile":
            self.send_json(200, {"PhoneNumber": fake.served(hostile_record(phone_id or ""))})
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
        elif kind in ("html-502", "html-503", "html-504"):
            # A load balancer's error page in front of the service: no AWS error code either.
            page = f"<html><body><h1>{kind[-3:]}</h1>nginx</body></html>".encode()
            self.send(int(kind[-3:]), page, "text/html")
        elif kind == "bare-429":
            # A front end's rate limit (API Gateway, a proxy): 429 and no AWS error code.
            self.send(429, json.dumps({"message": "Too Many Requests"}).encode())
        elif kind == "echo-credentials":
            # A service (or a front end) quoting the request back: the run's own access key id,
            # session token and Authorization header in its error message.
            auth = self.headers.get("Authorization", "")
            key_id = re.search(r"Credential=([^/,]*)", auth)
            token = self.headers.get("X-Amz-Security-Token", "")
            message = (
                f"The security token included in the request is invalid: key"
                f" {key_id.group(1) if key_id else ''}, token {token}, header {auth}"
            )
            self.send_error_code("UnauthorizedClientException", message)
        elif kind == "hostile-error":
            # No x-amzn-ErrorType header: botocore takes the code from the body, hostile too.
            error = {"Code": HOSTILE_CODE, "Message": f"Message:{HOSTILE}"}
            self.send(400, json.dumps(error).encode())
