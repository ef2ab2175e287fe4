"""Secrets never reach output: an explicit list of secret members, held to both botocore models,
and a user's PersonalPIN absent from every format of ``describe``."""

from __future__ import annotations

import copy
import re
import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from chimenum.core.resources import OPERATIONS, SECRET_MEMBERS, SHOWN_ON_PURPOSE
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime

SERVICES = {"chime": "chime", "voice": "chime-sdk-voice"}
#: What get, list and wait read; describe and audit read these and OPERATIONS.
NUMBER_OPERATIONS = ("GetPhoneNumber", "ListPhoneNumbers")
PIN = "8402197365"


def read_operations() -> Iterator[tuple[str, str]]:
    for api in SERVICES:
        for operation in NUMBER_OPERATIONS:
            yield api, operation
    for api, operation, _, _ in OPERATIONS.values():
        yield api, operation


def members(shape: Any, seen: set[str]) -> Iterator[tuple[str, str, Any]]:
    """``(shape name, member name, member shape)`` of every member reachable from ``shape``."""
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield shape.name, name, member
            yield from members(member, seen)
    elif shape.type_name == "list":
        yield shape.name, "member", shape.member
        yield from members(shape.member, seen)
    elif shape.type_name == "map":
        yield from members(shape.value, seen)


def read_members() -> set[tuple[str, str, bool]]:
    import botocore.session

    session = botocore.session.get_session()
    found: set[tuple[str, str, bool]] = set()
    for api, operation in read_operations():
        model = session.get_service_model(SERVICES[api])
        output = model.operation_model(operation).output_shape
        for owner, name, member in members(output, set()):
            found.add((owner, name, bool(member.metadata.get("sensitive"))))
    return found


def test_every_sensitive_member_read_is_either_secret_or_shown_on_purpose() -> None:
    """A member a model marks sensitive, new in either model, fails here until someone decides."""
    found = read_members()
    sensitive = {(owner, name) for owner, name, flag in found if flag}
    undecided = sensitive - SECRET_MEMBERS - SHOWN_ON_PURPOSE
    assert undecided == set(), "add each to SECRET_MEMBERS or SHOWN_ON_PURPOSE"
    assert not SECRET_MEMBERS & SHOWN_ON_PURPOSE
    # Neither list names a member no operation read has (a typo would silently protect nothing).
    names = {(owner, name) for owner, name, _ in found}
    assert (SECRET_MEMBERS | SHOWN_ON_PURPOSE) - names == set()
    assert ("User", "PersonalPIN") in SECRET_MEMBERS  # not marked sensitive by the model


@pytest.mark.parametrize(
    "args", [("--json",), ("-o", "ndjson"), ("-o", "csv"), ("-o", "table"), ("--color", "always")]
)
def test_a_users_pin_never_reaches_output(fake: FakeChime, chimenum, args) -> None:
    user = copy.deepcopy(fake.resources["us-east-1"][("User", demo.CHIME_USER)])
    fake.put("us-east-1", "User", demo.CHIME_USER, {**user, "PersonalPIN": PIN})
    run = chimenum("describe", "+12065550100", *args)
    assert run.exit_code == 0, run.stderr
    assert fake.count("GetUser") == 1  # the answer carrying the PIN was read
    assert "jane.doe@anycompany.example" in run.stdout or args == ("-o", "csv")
    assert PIN not in run.stdout + run.stderr
    assert "PersonalPIN" not in run.stdout


# --- The run's own credentials and URL passwords (issue 18, point 2) -----------------------

TOKEN = "FwoGZXIvYXdzEchimenumPlantedSessionToken0123456789"
ECHO_ARGS = [(), ("--json",), ("-o", "csv"), ("--debug",)]


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    return TOKEN


def assert_no_credentials(*texts: str, debug: bool = False) -> None:
    """No secret and no traceback in ``texts``; the access key id neither, unless ``debug``
    (its log names the key that signed, no secret: AWS prints it too, and botocore logs the
    tracebacks of the connection errors it retries)."""
    from tests.conftest import TEST_ACCESS_KEY, TEST_SECRET_KEY

    secrets = (TOKEN, TEST_SECRET_KEY, "PASS", *(() if debug else (TEST_ACCESS_KEY,)))
    for text in texts:
        assert not [secret for secret in secrets if secret in text]
        assert not re.search(r"Signature[=:]\s*[0-9a-f]{8}", text)
        assert debug or "Traceback" not in text


@pytest.mark.parametrize("args", ECHO_ARGS)
def test_a_server_echoing_the_credentials_gets_them_scrubbed_from_get(
    fake: FakeChime, chimenum, token: str, args: tuple[str, ...]
) -> None:
    fake.inject("+12065550100", "echo-credentials")
    run = chimenum("get", "+12065550100", *args)
    assert run.exit_code == 5
    # The service did say it: the scrub is what keeps it off the screen.
    assert "token <redacted>" in run.stderr and "key <redacted>" in run.stderr
    error_lines = [line for line in run.stderr.splitlines() if line.startswith("chimenum:")]
    assert len(error_lines) == 1, run.stderr
    assert_no_credentials(run.stdout, run.stderr, debug="--debug" in args)


@pytest.mark.parametrize("args", [("--json",), ("-o", "ndjson"), ("-o", "csv"), ("-o", "table")])
def test_a_related_lookup_echoing_the_credentials_is_scrubbed_in_the_findings(
    fake: FakeChime, chimenum, voice, token: str, args: tuple[str, ...]
) -> None:
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "echo-credentials")
    run = chimenum("describe", "+12065550101", *args)
    assert fake.count("GetVoiceConnector") >= 1
    assert "<redacted>" in run.stdout + run.stderr  # the message is shown, scrubbed
    assert_no_credentials(run.stdout, run.stderr)


@pytest.mark.parametrize(
    "variable", ["AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
)
@pytest.mark.parametrize("debug", [(), ("--debug",)])
def test_a_credential_with_a_stray_cr_is_refused_before_any_request(
    fake: FakeChime,
    chimenum,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    debug: tuple[str, ...],
) -> None:
    value = f"{TOKEN}\r"
    monkeypatch.setenv(variable, value)
    run = chimenum("get", "+12065550100", *debug)
    assert run.exit_code == 10
    # --debug logs botocore's own lines first; chimenum says one.
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("chimenum:")]
    assert line.startswith(f"chimenum: {variable} holds a character no credential has")
    assert line.endswith("the value is not shown")
    assert fake.requests == []
    assert TOKEN not in run.stderr and run.stdout == ""


def test_a_credential_process_token_with_a_stray_cr_names_the_profile(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, aws_env
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    answer = {
        "Version": 1,
        "AccessKeyId": "AKIDPROCESS00000",
        "SecretAccessKey": "process-secret",
        "SessionToken": f"{TOKEN}\r",
    }
    script = aws_env / "creds.py"
    script.write_text(f"import json; print(json.dumps({answer!r}))")
    (aws_env / "aws-config").write_text(
        f"[profile ops]\ncredential_process = {sys.executable} {script}\n"
    )
    run = chimenum("get", "+12065550100", "--profile", "ops")
    assert run.exit_code == 10, run.stderr
    assert run.stderr.startswith(
        "chimenum: aws_session_token of profile 'ops' (from the credential_process) holds"
    )
    assert run.stderr.count("\n") == 1
    assert fake.requests == [] and TOKEN not in run.stderr


@pytest.mark.parametrize("debug", [(), ("--debug",)])
def test_a_urls_password_is_masked(fake: FakeChime, chimenum, debug: tuple[str, ...]) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the URL is quoted in the refusal
    run = chimenum(
        "get", "+12065550100", "--endpoint-url", f"http://ops:PASS@127.0.0.1:{port}", *debug
    )
    assert run.exit_code == 11
    assert f"http://ops:<redacted>@127.0.0.1:{port}" in run.stderr
    assert_no_credentials(run.stdout, run.stderr, debug=bool(debug))


@pytest.mark.parametrize("url", ["http://ops:PASS@[::1", "http://ops:PASS@127.0.0.1:99999"])
def test_a_bad_endpoint_url_with_a_password_is_refused_masked(chimenum, url: str) -> None:
    run = chimenum("get", "+12065550100", "--endpoint-url", url)
    assert run.exit_code == 2
    assert "Error: Invalid value for '--endpoint-url': 'http://ops:<redacted>@" in run.stderr
    assert_no_credentials(run.stderr)


def test_an_environment_endpoint_with_a_password_is_masked(
    chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", "ftp://ops:PASS@example.com")
    run = chimenum("get", "+12065550100")
    assert run.exit_code == 10
    assert run.stderr == (
        "chimenum: $AWS_ENDPOINT_URL_CHIME: 'ftp://ops:<redacted>@example.com': not an http(s)"
        " URL\n"
    )
