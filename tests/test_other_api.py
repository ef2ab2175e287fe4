"""A single id not found under one API: one request to the other API says whether it is there.

Amazon Chime ended support on 2026-02-20; numbers asked for under the wrong API answer NotFound.
The hint costs one request, once per run, and never goes to an endpoint nobody configured.
"""

from __future__ import annotations

import socket

import pytest

from testing.fakechime import FakeChime


def gets(fake: FakeChime, api: str) -> int:
    return sum(1 for r in fake.requests if r.operation == "GetPhoneNumber" and r.api == api)


def test_a_voice_number_asked_under_chime_says_where_it_is(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550111")
    assert run.exit_code == 3
    assert run.stdout == ""
    assert run.stderr == (
        "chimenum: error: +12065550111: NotFoundException: The requested resource was not found"
        " (it exists under Chime SDK Voice: use --api voice)\n"
    )
    assert (gets(fake, "chime"), gets(fake, "voice")) == (1, 1)


def test_a_chime_number_asked_under_voice_says_where_it_is(fake: FakeChime, chimenum) -> None:
    run = chimenum("--api", "voice", "--region", "us-east-1", "get", "+12065550100", "--json")
    assert run.exit_code == 3
    assert run.stdout == ""
    assert "(it exists under Amazon Chime: use --api chime)" in run.stderr
    assert (gets(fake, "chime"), gets(fake, "voice")) == (1, 1)


def test_a_number_under_neither_api_says_so(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550199")
    assert run.exit_code == 3
    assert run.stderr.endswith("(not under Chime SDK Voice either)\n")


@pytest.mark.parametrize(
    "command",
    [
        ("describe", "+12065550111"),
        ("wait", "+12065550111", "--status", "Assigned", "--timeout", "5", "--interval", "1"),
    ],
)
def test_describe_and_wait_give_the_same_hint(fake: FakeChime, chimenum, command) -> None:
    run = chimenum(*command)
    assert run.exit_code == 3
    assert "(it exists under Chime SDK Voice: use --api voice)" in run.stderr
    assert gets(fake, "voice") == 1


def test_a_batch_asks_nothing_more(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550111", "+12065550199", "--json")
    assert run.exit_code == 3
    assert "exists under" not in run.stderr and "either" not in run.stderr
    assert (gets(fake, "chime"), gets(fake, "voice")) == (2, 0)


@pytest.fixture
def proxy_trap(monkeypatch: pytest.MonkeyPatch):
    """A loopback listener every request to a non-loopback host would reach, through the proxy
    variables botocore honours: a request to AWS's own endpoint shows up as a connection here."""
    trap = socket.socket()
    trap.bind(("127.0.0.1", 0))
    trap.listen(8)
    trap.setblocking(False)
    url = f"http://127.0.0.1:{trap.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield trap
    trap.close()


def connections(trap: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = trap.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_with_endpoint_url_the_unconfigured_api_is_never_asked(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, proxy_trap: socket.socket
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE")
    run = chimenum(
        "--endpoint-url", fake.url, "get", "+12065550111", "--connect-timeout", "2",
        "--read-timeout", "2",
    )  # fmt: skip
    assert run.exit_code == 3
    assert run.stderr == (
        "chimenum: error: +12065550111: NotFoundException: The requested resource was not found.\n"
    )
    assert connections(proxy_trap) == 0
    assert gets(fake, "voice") == 0


def test_with_endpoint_url_a_configured_other_api_is_asked(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, proxy_trap: socket.socket
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    run = chimenum("--endpoint-url", fake.url, "get", "+12065550111")
    assert run.exit_code == 3
    assert "(it exists under Chime SDK Voice: use --api voice)" in run.stderr
    assert connections(proxy_trap) == 0
    assert gets(fake, "voice") == 1


def test_the_demo_says_where_a_number_is(chimenum) -> None:
    run = chimenum("--demo", "--api", "voice", "get", "+12065550100")
    assert run.exit_code == 3
    assert "(it exists under Amazon Chime: use --api chime)" in run.stderr
