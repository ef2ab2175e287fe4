"""Malformed answers and network faults: a loud, named failure with the documented exit code.

Every fault is injected into the loopback fake (or is a loopback socket that behaves like a
broken endpoint); nothing leaves the machine. DNS failures use the reserved ``.invalid`` TLD,
which no resolver answers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import pytest

from testing.fakechime import FakeChime

ONE = "+12065550100"
ENCODED = "%2B12065550100"  # the id as the service answers it


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# -- malformed answers: exit 12 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("not-json", "HTTP 200 body is not JSON (text/html): '<html><body>Service temporarily"),
        ("wrong-shape", "response.PhoneNumber.PhoneNumberId should be a string, got integer"),
        ("empty-object", "response has no PhoneNumber.PhoneNumberId"),
        ("empty-body", "HTTP 200 with an empty body"),
        ("truncated", "the answer was cut off: 374 of 748 bytes arrived"),
    ],
)
@pytest.mark.parametrize("output", ["table", "json", "ndjson"])
def test_malformed_answer_exits_12_with_one_line(
    fake: FakeChime, chimenum, kind: str, says: str, output: str
) -> None:
    fake.inject("*", kind)
    run = chimenum("get", ONE, "-o", output)
    assert run.exit_code == 12
    line = one_line(run.stderr)
    assert line.startswith(f"chimenum: error: {ONE}: InvalidResponse: invalid response from")
    assert fake.url in line
    assert says in line
    if output == "ndjson":  # a failed id is an error object in the stream
        assert json.loads(run.stdout)["ErrorCode"] == "InvalidResponse"
    else:
        assert run.stdout == ""
    assert len(fake.requests) == 1, "a malformed answer is not retried"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"CallingName": 42}, "response.PhoneNumber.CallingName should be a string, got integer"),
        ({"Associations": [{"Name": []}]}, ".Associations[0].Name should be a string, got list"),
        ({"Capabilities": {"InboundCall": "yes"}}, ".InboundCall should be a boolean, got string"),
        ({"CreatedTimestamp": True}, ".CreatedTimestamp should be a timestamp, got boolean"),
        (
            {"CreatedTimestamp": "last week"},
            ".CreatedTimestamp does not fit the API model: 'last week' is not a timestamp",
        ),
        ({"Associations": {"Name": "x"}}, ".Associations should be a list, got object"),
        ({"PhoneNumberId": 12}, ".PhoneNumberId should be a string, got integer"),
    ],
)
def test_wrong_types_inside_a_valid_shape_exit_12(
    fake: FakeChime, chimenum, change: dict[str, object], says: str
) -> None:
    fake.records[ONE] = {**fake.records[ONE], **change}
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 12
    assert says in one_line(run.stderr)
    assert run.stdout == ""


def test_the_parsing_walk_is_the_only_check_of_types(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With botocore's own parser in place of chimenum's, wrong types go through unseen.

    So the walk that parses each answer is the one and only check of its types: nothing after
    it would catch them (and a boolean sent as "yes" would silently become false).
    """
    from botocore.parsers import ResponseParserFactory

    from chimenum.core import validate

    fake.records[ONE] = {
        **fake.records[ONE],
        "CallingName": 42,
        "Capabilities": {"InboundCall": "yes"},
    }
    assert chimenum("get", ONE, "--json").exit_code == 12
    monkeypatch.setattr(validate, "parser_factory", ResponseParserFactory)
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 0, run.stderr
    number = json.loads(run.stdout)["PhoneNumber"]
    assert number["CallingName"] == 42
    assert number["Capabilities"]["InboundCall"] is False


def test_answer_for_another_number_exits_12(fake: FakeChime, chimenum) -> None:
    fake.records[ONE] = {**fake.records["+12065550101"]}
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 12
    assert "asked for +12065550100 but the answer's PhoneNumberId is '%2B12065550101'" in run.stderr


def test_in_a_batch_the_malformed_id_is_an_error_object(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550101", "not-json")
    run = chimenum("get", ONE, "+12065550101", "--json")
    assert run.exit_code == 12
    doc = json.loads(run.stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == [ENCODED]
    (error,) = doc["PhoneNumberErrors"]
    assert error["ErrorCode"] == "InvalidResponse"
    assert "not JSON" in error["ErrorMessage"]


def test_an_error_status_without_an_aws_error_code_exits_12(chimenum, monkeypatch) -> None:
    """A 404 HTML page (a proxy, a wrong --endpoint-url) is not the API's NotFoundException."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class NotTheApi(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>404 Not Found</html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotTheApi)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        run = chimenum("get", ONE, "--endpoint-url", url)
    finally:
        server.shutdown()
        server.server_close()
    assert run.exit_code == 12
    assert "HTTP 404 without an AWS error code (is the endpoint URL right?)" in one_line(run.stderr)


# -- network faults: exit 11, the endpoint named -------------------------------------------


@pytest.fixture
def refused_url() -> str:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def unanswered_url() -> Iterator[str]:
    """A loopback port whose accept queue is full: a connect there hangs until it times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_connection_refused(chimenum, refused_url: str) -> None:
    run = chimenum("get", ONE, "--endpoint-url", refused_url)
    assert run.exit_code == 11
    assert one_line(run.stderr) == f"chimenum: connection refused by {refused_url}"
    assert run.stdout == ""


def test_dns_failure_names_the_host(chimenum) -> None:
    run = chimenum("get", ONE, "--endpoint-url", "http://chime.chimenum-test.invalid")
    assert run.exit_code == 11
    assert one_line(run.stderr) == (
        "chimenum: cannot resolve the host name 'chime.chimenum-test.invalid'"
        " of http://chime.chimenum-test.invalid"
    )


MAKING_REQUEST = "Making request for OperationModel(name=GetPhoneNumber)"


def test_connect_timeout_is_honoured_and_not_retried(chimenum, unanswered_url: str) -> None:
    run = chimenum(
        "get", ONE, "--endpoint-url", unanswered_url, "--connect-timeout", "0.5", "--debug"
    )
    assert run.exit_code == 11
    assert run.stderr.splitlines()[-1] == (
        f"chimenum: timed out connecting to {unanswered_url} (see --connect-timeout)"
    )
    assert "Setting chime timeout as (0.5, 15.0)" in run.stderr
    assert run.stderr.count(MAKING_REQUEST) == 1, "one try, not max-attempts tries"


def test_unreachable_endpoint_fails_within_10_s_by_default(chimenum, refused_url: str) -> None:
    """The documented promise, with the default --connect-timeout of 5 s: one try, not eight.

    What botocore is told by default is checked here, on a port that refuses at once; that a
    connect timeout is tried once is test_connect_timeout_is_honoured_and_not_retried's, with
    0.5 s. Waiting out the default's 5 s as well would test the clock, not chimenum."""
    run = chimenum("get", ONE, "+12065550101", "--endpoint-url", refused_url, "--debug")
    assert run.exit_code == 11
    # The other id's request may still be logging under --debug when the refusal is said.
    assert f"chimenum: connection refused by {refused_url}" in run.stderr.splitlines()
    assert "Setting chime timeout as (5.0, 15.0)" in run.stderr
    # The two ids' first requests may both be under way; neither is tried again.
    assert run.stderr.count(MAKING_REQUEST) <= 2


def test_unreachable_endpoint_ends_a_batch_at_once(chimenum, unanswered_url: str) -> None:
    """Until the endpoint has answered once, an unreachable one fails the whole run, once."""
    ids = [f"+1206555{n:04d}" for n in range(100, 164)]
    run = chimenum(
        "get", *ids, "--json", "--endpoint-url", unanswered_url, "--connect-timeout", "0.5",
        "--debug",
    )  # fmt: skip
    assert run.exit_code == 11
    # Not necessarily the last line: workers abandoned by the run-ending failure may still log
    # their own connect timeout (--debug) after it is written.
    said = [line for line in run.stderr.splitlines() if line.startswith("chimenum: ")]
    assert len(said) == 1
    assert said[0].startswith(f"chimenum: timed out connecting to {unanswered_url}")
    # At most the first request of each of the 16 workers, not one (or eight) per id.
    assert run.stderr.count(MAKING_REQUEST) <= 16


def test_read_timeout_from_a_slow_service(fake: FakeChime, chimenum) -> None:
    # Held 30 s: a run that did not honour --read-timeout would get the answer and exit 0.
    fake.inject("*", "slow", delay=30)
    run = chimenum("get", ONE, "--read-timeout", "0.3")
    fake.released.set()
    assert run.exit_code == 11
    assert one_line(run.stderr) == (
        f"chimenum: error: {ONE}: NetworkError: timed out waiting for an answer from"
        f" {fake.url} (see --read-timeout)"
    )
    assert len(fake.requests) == 1, "a read timeout is not retried"


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("drop", "closed the connection before answering"),
        ("reset", "was reset before an answer arrived"),
    ],
)
def test_dropped_or_reset_connection_retried_three_times_then_exit_11(
    fake: FakeChime, chimenum, kind: str, says: str
) -> None:
    fake.inject("*", kind)
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 11
    line = one_line(run.stderr)
    assert line.startswith(f"chimenum: error: {ONE}: NetworkError: ")
    assert fake.url in line
    assert says in line
    assert len(fake.requests) == 3


def test_a_dropped_connection_then_an_answer_succeeds(fake: FakeChime, chimenum) -> None:
    fake.inject("*", "drop", times=1)
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["PhoneNumberId"] == ENCODED
    assert len(fake.requests) == 2


def test_once_reached_a_network_fault_is_per_id(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550101", "reset")
    run = chimenum("get", ONE, "+12065550101", "--json", "--concurrency", "1")
    assert run.exit_code == 11
    doc = json.loads(run.stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == [ENCODED]
    assert doc["PhoneNumberErrors"][0]["ErrorCode"] == "NetworkError"


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf", "soon"])
def test_timeouts_must_be_sensible_numbers(fake: FakeChime, chimenum, value: str) -> None:
    for option in ("--connect-timeout", "--read-timeout"):
        run = chimenum("get", ONE, option, value)
        assert run.exit_code == 2, (option, value)
        assert f"Invalid value for '{option}'" in run.stderr
    assert fake.requests == []


def test_timeout_defaults_are_documented(chimenum) -> None:
    out = chimenum("--help").stdout  # the AWS options are described there only
    assert "Seconds to wait for a connection (default: 5)." in out
    # Help text wraps: compare it with its lines joined.
    assert "Seconds to wait for a whole answer, headers and body (default: 15)." in " ".join(
        out.split()
    )
    from chimenum.core.session import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

    assert (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT) == (5.0, 15.0)
