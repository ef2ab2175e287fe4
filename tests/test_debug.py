"""``--debug`` shows requests and responses, and never a secret.

Credentials with a planted secret key and session token are used for real: botocore signs with
them, logs its canonical request, string to sign, signature and headers; none of the secret
values, nor the signature the fake received, may appear on stderr.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from testing.fakechime import FakeChime

ONE = "+12065550100"
SECRET = "planted/Secret+Key=ZZZZ0123456789abcdefghij"
TOKEN = "planted//Session+Token==FwoGZXIvYXdzEJr//////////wEaDPLANTEDTOKEN"


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def signature_sent(fake: FakeChime) -> str:
    match = re.search(r"Signature=([0-9a-f]{64})", fake.requests[0].headers["Authorization"])
    assert match
    return match.group(1)


def assert_no_secret(stderr: str, *secrets: str) -> None:
    from urllib.parse import quote

    for secret in secrets:
        assert secret not in stderr
        assert quote(secret, safe="") not in stderr


def test_debug_logs_requests_and_responses_but_no_secret(
    fake: FakeChime, chimenum, planted: None
) -> None:
    run = chimenum("get", ONE, "--json", "--debug")
    assert run.exit_code == 0, run.stderr
    err = run.stderr
    # It does show what a person debugging needs...
    assert "Sending http request" in err
    assert "/phone-numbers/%2B12065550100" in err
    assert "Response headers" in err
    assert "Response body" in err and "UpdateSucceeded" in err
    assert "CanonicalRequest" in err
    assert "Credential=AKIDCHIMENUMTEST0000/" in err, "the access key id is not a secret"
    # ...and none of the secrets.
    assert "X-Amz-Security-Token': b'<redacted>'" in err
    assert "x-amz-security-token:<redacted>" in err
    assert "Signature=<redacted>" in err
    assert_no_secret(err, SECRET, TOKEN, signature_sent(fake))
    assert json.loads(run.stdout)["PhoneNumber"]["PhoneNumberId"] == "%2B" + ONE[1:]


def test_debug_on_a_failure_shows_no_secret_even_one_the_service_echoes(
    fake: FakeChime, chimenum, planted: None
) -> None:
    fake.inject("*", "ForbiddenException", message=f"denied for token {TOKEN}")
    run = chimenum("get", ONE, "--debug")
    assert run.exit_code == 6
    assert "ForbiddenException" in run.stderr
    assert_no_secret(run.stderr, SECRET, TOKEN, signature_sent(fake))


def test_debug_redacts_credentials_from_a_credential_process(
    fake: FakeChime, chimenum, aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    document = {
        "Version": 1,
        "AccessKeyId": "ASIAFROMPROCESS0000",
        "SecretAccessKey": SECRET,
        "SessionToken": TOKEN,
        "Expiration": "2099-01-01T00:00:00Z",
    }
    script = aws_env / "creds.py"
    script.write_text(f"print({json.dumps(json.dumps(document))})\n")
    (aws_env / "aws-config").write_text(
        f"[profile proc]\ncredential_process = {sys.executable} {script}\n"
    )
    run = chimenum("get", ONE, "--profile", "proc", "--debug")
    assert run.exit_code == 0, run.stderr
    assert "Sending http request" in run.stderr
    assert_no_secret(run.stderr, SECRET, TOKEN, signature_sent(fake))


def test_debug_through_the_installed_script(
    fake: FakeChime, chimenum_exe: str, planted: None
) -> None:
    proc = subprocess.run(
        [chimenum_exe, "get", ONE, "+12065550101", "--debug", "-o", "ndjson"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Sending http request") == 2
    assert_no_secret(proc.stderr, SECRET, TOKEN)
    for request in fake.requests:
        signature = re.search(r"Signature=([0-9a-f]{64})", request.headers["Authorization"])
        assert signature and signature.group(1) not in proc.stderr


def test_debug_logging_ends_with_the_run(fake: FakeChime, chimenum, planted: None) -> None:
    """An in-process run must not leave botocore logging (to a closed stream) behind."""
    import logging

    chimenum("get", ONE, "--debug")
    logger = logging.getLogger("botocore")
    assert logger.level == logging.NOTSET
    run = chimenum("get", ONE, "--json")
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("logged", "secret"),
    [
        # What botocore logs of an SSO GetRoleCredentials answer.
        (
            '{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"s3cr3t/Key",'
            '"sessionToken":"t0k3n+==","expiration":1}}',
            ("s3cr3t/Key", "t0k3n+=="),
        ),
        ("{'x-amz-sso_bearer_token': b'bearer-planted'}", ("bearer-planted",)),
        ("https://x/?X-Amz-Signature=abcdef0123&X-Amz-Security-Token=tok%2Fen", ("abcdef0123",)),
        ("Signature:\n" + "ab" * 32, ("ab" * 32,)),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", ("wJalrXUtnFEMI/K7MDENG",)),
    ],
)
def test_redaction_recognises_secrets_it_was_not_told(logged: str, secret: tuple[str, ...]) -> None:
    from chimenum.core.debuglog import redact

    text = redact(logged)
    assert "<redacted>" in text
    for value in secret:
        assert value not in text
