"""One deadline for the whole answer, and honest words for what is not the service's answer.

``--read-timeout`` bounds one answer whole, from the request sent: its status line and headers as
well as its body. The fake sends the head of an answer (some 160 bytes) a byte every 0.25 s
(``trickle-status``, ``trickle-headers``) and the run has 8 s: the answer cannot arrive in time,
whatever the machine's speed, while every other answer of the run, on a busy machine too, has
time enough. The head is finite, so a run whose deadline regressed gets the whole answer after
some 40 s and fails its assertions rather than hanging.

Each of those runs waits out its 8 s, and nothing but the clock can end one sooner, so they all
start at once (:func:`trickled`: a fake and a ``chimenum`` process each) and each test reads its
own: the module waits 8 s, not 8 s a run. The nine runs share a busy machine at once, hence 8 s
rather than the 3 s that did for one run at a time. A worker given only some of these tests
(``--dist worksteal`` may split them) still starts all nine: seconds of waiting, little CPU.

A proxy that wants credentials (407), and a load balancer's HTML 5xx page, are said to be what they
are, with their own ``ErrorCode``.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from conftest import VOICE, Run, demo_fake, endpoint_variables, foreign, isolated_variables

from chimenum.core.errors import ExitCode
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime

ONE, TWO, THREE = "+12065550100", "+12065550101", "+12065550102"
TRICKLES = ["trickle-status", "trickle-headers"]
SHORT = ("--read-timeout", "8")
DELAY = 0.25
TIMED_OUT = "timed out waiting for an answer from"


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Exception" not in stderr


# -- a trickled answer ends at the read timeout -------------------------------------------------


def _more_numbers(fake: FakeChime) -> None:
    for n in range(150):
        fake.records[f"+1206556{n:04d}"] = {"PhoneNumberId": f"+1206556{n:04d}"}


@dataclass(frozen=True)
class Scenario:
    """A run against a fake that trickles the head of one answer."""

    args: tuple[str, ...]
    #: What the fake trickles, and what ``fake.inject`` is given besides.
    target: str
    skip: int = 0
    voice: bool = False
    prepare: Callable[[FakeChime], None] | None = None


SCENARIOS = {
    "get": Scenario(("get", ONE, TWO, THREE, "--json"), TWO),
    # The second page trickles.
    "list": Scenario(("list", "--json"), "phone-numbers", skip=1, prepare=_more_numbers),
    "describe": Scenario(
        ("describe", TWO, "+12065550103", "--json", "--fail-on", "never"),
        f"voice-connectors/{demo.VC_MAIN}",
        voice=True,
    ),
    "audit": Scenario(
        ("audit", "--json", "--fail-on", "never"), f"voice-connectors/{demo.VC_MAIN}"
    ),
    "wait": Scenario(("wait", ONE, TWO, "--status", "Assigned", "--timeout", "30"), TWO),
}


@dataclass
class Trickled:
    """One scenario's run, under way: its fake, and its process."""

    fake: FakeChime
    process: subprocess.Popen[str]

    def run(self) -> Run:
        """The run as a user sees it, once it has ended."""
        out, err = self.process.communicate(timeout=120)
        return Run(self.process.returncode, out, err)


@pytest.fixture(scope="module")
def trickled(
    chimenum_exe: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple[str, str], Trickled]]:
    """Every scenario in both trickle modes (and wait in one), each run started now."""
    base = {name: value for name, value in os.environ.items() if not foreign(name)}
    started: dict[tuple[str, str], Trickled] = {}
    fakes: list[FakeChime] = []
    try:
        for name, scenario in SCENARIOS.items():
            for kind in TRICKLES[-1:] if name == "wait" else TRICKLES:
                fake = demo_fake().start()
                fakes.append(fake)
                if scenario.prepare:
                    scenario.prepare(fake)
                fake.inject(scenario.target, kind, delay=DELAY, skip=scenario.skip)
                env = {
                    **base,
                    **isolated_variables(tmp_path_factory.mktemp(f"{name}-{kind}")),
                    **endpoint_variables(fake),
                    **(VOICE if scenario.voice else {}),
                }
                process = subprocess.Popen(
                    [chimenum_exe, *scenario.args, *SHORT],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                started[name, kind] = Trickled(fake, process)
        yield started
    finally:
        for each in started.values():
            each.process.kill()
            each.process.communicate()
        for fake in fakes:
            fake.stop()


@pytest.mark.slow  # waits out its read timeout
@pytest.mark.parametrize("kind", TRICKLES)
def test_get_a_trickled_head_is_that_ids_timeout(trickled, kind: str) -> None:
    this = trickled["get", kind]
    run = this.run()
    assert run.exit_code == ExitCode.NETWORK
    doc = json.loads(run.stdout)
    assert [n["E164PhoneNumber"] for n in doc["PhoneNumbers"]] == [ONE, THREE]
    (error,) = doc["PhoneNumberErrors"]
    assert (error["PhoneNumberId"], error["ErrorCode"]) == (TWO, "NetworkError")
    assert TIMED_OUT in error["ErrorMessage"]
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"chimenum: error: {TWO}: NetworkError: {TIMED_OUT}")
    assert line.endswith("(see --read-timeout)")
    no_traceback(run.stderr)
    assert this.fake.requested_ids().count(TWO) == 1  # a read timeout is not retried


@pytest.mark.slow  # waits out its read timeout
@pytest.mark.parametrize("kind", TRICKLES)
def test_list_a_trickled_page_stops_the_listing_and_keeps_the_pages_before(
    trickled, kind: str
) -> None:
    run = trickled["list", kind].run()
    assert run.exit_code == ExitCode.NETWORK
    doc = json.loads(run.stdout)
    assert len(doc["PhoneNumbers"]) == 99 and doc["Incomplete"] is True
    (line,) = run.stderr.splitlines()
    assert line.startswith("chimenum: error: listing stopped after 99 numbers (1 pages):")
    assert TIMED_OUT in line and f"--starting-token {doc['NextToken']}" in line
    no_traceback(run.stderr)


@pytest.mark.slow  # waits out its read timeout
@pytest.mark.parametrize("kind", TRICKLES)
def test_describe_a_trickled_related_lookup_fails_that_lookup_only(trickled, kind: str) -> None:
    run = trickled["describe", kind].run()
    assert run.exit_code == ExitCode.NETWORK
    first, second = json.loads(run.stdout)["Descriptions"]
    target = first["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["Error"]["Code"]) == ("Failed", "NetworkError")
    assert TIMED_OUT in target["Error"]["Message"]
    assert [f["Code"] for f in first["Findings"]] == ["LOOKUP_FAILED"]
    # The other number is described whole.
    assert second["Resolved"]["Associations"][0]["Target"]["Status"] == "Found"
    # A failed lookup is reported in the document, as every related failure is.
    assert run.stderr == ""


@pytest.mark.slow  # waits out its read timeout
@pytest.mark.parametrize("kind", TRICKLES)
def test_audit_a_trickled_related_lookup_fails_that_lookup_only(trickled, kind: str) -> None:
    this = trickled["audit", kind]
    run = this.run()
    assert run.exit_code == ExitCode.NETWORK
    doc = json.loads(run.stdout)
    assert doc["Summary"]["Complete"] is True
    assert doc["Summary"]["Numbers"] == len(this.fake.records)
    failed = [f for f in doc["Findings"] if f["Code"] == "LOOKUP_FAILED"]
    assert failed and all(f["ResourceId"] == demo.VC_MAIN for f in failed)
    assert all(TIMED_OUT in f["Message"] for f in failed)
    assert run.stderr == ""
    assert this.fake.count("GetVoiceConnector") >= 1


@pytest.mark.slow  # waits out its read timeout
def test_wait_a_trickled_poll_is_that_ids_timeout(trickled) -> None:
    run = trickled["wait", "trickle-headers"].run()
    assert run.exit_code == ExitCode.NETWORK
    assert TIMED_OUT in run.stderr and TWO in run.stderr
    no_traceback(run.stderr)


# -- what is not the service's answer says so ---------------------------------------------------


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A proxy that wants credentials: 407 to everything, CONNECT included."""

    protocol_version = "HTTP/1.1"

    def _refuse(self) -> None:
        body = b"<html><body>Proxy Authentication Required</body></html>"
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_CONNECT = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_forwarding_proxys_407_is_said_to_be_the_proxys(
    fake: FakeChime, chimenum, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{proxy}")
    run = chimenum("get", ONE, TWO, "--json")
    assert run.exit_code == ExitCode.CONFIG
    (line,) = run.stderr.splitlines()
    assert line.startswith(
        f"chimenum: the proxy on the way to {fake.url}"
        " refused: proxy authentication required (HTTP 407"
    ), line
    assert "endpoint URL" not in line
    assert fake.requests == []  # nothing reached the service


def test_a_tunnelling_proxys_407_is_said_and_its_password_masked(
    fake: FakeChime, chimenum, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An https endpoint is reached through a CONNECT tunnel, which the proxy refuses.
    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", fake.url.replace("http://", "https://"))
    monkeypatch.setenv("HTTPS_PROXY", f"http://alice:PROXY-SECRET@{proxy}")
    run = chimenum("get", ONE, TWO, "--json")
    assert run.exit_code == ExitCode.CONFIG
    (line,) = run.stderr.splitlines()
    assert line.startswith(
        f"chimenum: the proxy http://{proxy} refused: proxy authentication required (HTTP 407"
    ), line
    assert "PROXY-SECRET" not in run.stderr
    assert "alice" not in run.stderr


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (502, "Bad Gateway", ExitCode.SERVICE_FAILURE),
        (503, "Service Unavailable", ExitCode.SERVICE_UNAVAILABLE),
        (504, "Gateway Timeout", ExitCode.SERVICE_FAILURE),
    ],
)
def test_a_load_balancers_html_5xx_is_not_an_aws_answer(
    fake: FakeChime, chimenum, status: int, reason: str, code: ExitCode
) -> None:
    fake.inject(TWO, f"html-{status}")
    run = chimenum("get", ONE, TWO, "--json", "--max-attempts", "2")
    assert run.exit_code == code
    doc = json.loads(run.stdout)
    assert [n["E164PhoneNumber"] for n in doc["PhoneNumbers"]] == [ONE]
    (error,) = doc["PhoneNumberErrors"]
    assert error["ErrorCode"] == f"HTTP{status}"
    assert error["ErrorMessage"] == (
        f"HTTP {status} {reason} without an AWS error code ({fake.url}): not an answer from"
        " the service (a load balancer or proxy in front of it)"
    )
    (line,) = run.stderr.splitlines()
    assert line == f"chimenum: error: {TWO}: HTTP{status}: {error['ErrorMessage']}"
    assert fake.requested_ids().count(TWO) == 2  # transient, as the service's own 5xx: retried
