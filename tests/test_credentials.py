"""Credential and configuration problems: exit 10, one line with the fix, and no request sent.

Each test builds the AWS configuration a user would have (profiles, an SSO token cache, a
``credential_process``) in a temporary HOME; botocore resolves it for real.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from testing.fakechime import FakeChime

ONE = "+12065550100"


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, aws_env: Path) -> Path:
    """A temporary HOME with no credentials in the environment: only the config files speak."""
    home = aws_env / "home"
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return home


def write_config(aws_env: Path, text: str) -> None:
    (aws_env / "aws-config").write_text(text)


def expired_sso_token(home: Path, cache_key: str) -> None:
    """The token ``aws sso login`` left behind, expired yesterday, with nothing to refresh it."""
    name = hashlib.sha1(cache_key.encode()).hexdigest()
    token = {
        "startUrl": "https://example.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "sso-access-token-planted",
        "expiresAt": "2020-01-01T00:00:00Z",
    }
    (home / ".aws" / "sso" / "cache" / f"{name}.json").write_text(json.dumps(token))


def run_exe(exe: str, *args: str) -> tuple[int, str]:
    """The console script in a fresh process: botocore fixes its SSO cache paths from HOME
    when first imported, so HOME can only change between processes."""
    proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    assert proc.stdout == ""
    return proc.returncode, proc.stderr


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_no_credentials(fake: FakeChime, chimenum, home: Path) -> None:
    run = chimenum("get", ONE)
    assert run.exit_code == 10
    assert one_line(run.stderr) == (
        "chimenum: no AWS credentials found (set AWS_PROFILE, run 'aws configure' or"
        " 'aws sso login', or try --demo)"
    )
    assert fake.requests == []


@pytest.mark.parametrize("how", ["option", "env"])
def test_unknown_profile(
    fake: FakeChime, chimenum, home: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "env":
        monkeypatch.setenv("AWS_PROFILE", "nosuch")
        run = chimenum("get", ONE)
    else:
        run = chimenum("get", ONE, "--profile", "nosuch")
    assert run.exit_code == 10
    assert one_line(run.stderr) == (
        "chimenum: The config profile (nosuch) could not be found"
        " (profiles are read from ~/.aws/config and ~/.aws/credentials)"
    )
    assert fake.requests == []


LEGACY_SSO = """
[profile legacy]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly
"""

SESSION_SSO = """
[profile ops]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


@pytest.mark.parametrize(
    ("profile", "config", "cache_key"),
    [
        ("legacy", LEGACY_SSO, "https://example.awsapps.com/start"),
        ("ops", SESSION_SSO, "corp"),
    ],
    ids=["sso_start_url", "sso-session"],
)
@pytest.mark.parametrize("how", ["option", "env"])
def test_expired_sso_token_names_the_login_command(
    fake: FakeChime,
    chimenum_exe: str,
    home: Path,
    aws_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
    config: str,
    cache_key: str,
    how: str,
) -> None:
    write_config(aws_env, config)
    expired_sso_token(home, cache_key)
    if how == "env":
        monkeypatch.setenv("AWS_PROFILE", profile)
        code, stderr = run_exe(chimenum_exe, "get", ONE)
    else:
        code, stderr = run_exe(chimenum_exe, "get", ONE, "--profile", profile)
    assert code == 10
    assert one_line(stderr) == (
        f"chimenum: the SSO session of profile '{profile}' has expired or is invalid"
        f" (run: aws sso login --profile {profile})"
    )
    assert fake.requests == []


def process_profile(aws_env: Path, script: str) -> None:
    path = aws_env / "creds.py"
    path.write_text(script)
    write_config(aws_env, f"[profile proc]\ncredential_process = {sys.executable} {path}\n")


def test_failing_credential_process(fake: FakeChime, chimenum, home: Path, aws_env: Path) -> None:
    process_profile(
        aws_env,
        "import sys\nprint('token broker unreachable\\x1b[31m', file=sys.stderr)\nsys.exit(3)\n",
    )
    run = chimenum("get", ONE, "--profile", "proc")
    assert run.exit_code == 10
    line = one_line(run.stderr)
    assert line.startswith("chimenum: the credential_process of profile 'proc' failed: ")
    assert r"token broker unreachable\x1b[31m" in line, "its stderr, made inert"
    assert fake.requests == []


def test_credential_process_printing_garbage(
    fake: FakeChime, chimenum, home: Path, aws_env: Path
) -> None:
    process_profile(aws_env, "print('Please log in at https://sso.example')\n")
    run = chimenum("get", ONE, "--profile", "proc")
    assert run.exit_code == 10
    assert one_line(run.stderr) == (
        "chimenum: the credential_process of profile 'proc' failed:"
        " it did not print a JSON credentials document"
    )
    assert fake.requests == []


def test_working_credential_process_signs_the_request(
    fake: FakeChime, chimenum, home: Path, aws_env: Path
) -> None:
    document = {
        "Version": 1,
        "AccessKeyId": "AKIDFROMPROCESS0000",
        "SecretAccessKey": "process-secret",
    }
    process_profile(aws_env, f"print({json.dumps(json.dumps(document))})\n")
    run = chimenum("get", ONE, "--profile", "proc", "--json")
    assert run.exit_code == 0, run.stderr
    assert "Credential=AKIDFROMPROCESS0000/" in fake.requests[0].headers["Authorization"]


def test_missing_region_for_the_regional_voice_api(home: Path) -> None:
    from chimenum.core.errors import ChimenumError, ExitCode, classify
    from chimenum.core.session import Settings, make_client

    with pytest.raises(ChimenumError) as caught:
        make_client(Settings(api="voice"))
    failure = classify(caught.value)
    assert failure.exit_code is ExitCode.CONFIG
    assert failure.message == (
        "no region configured, and the Chime SDK Voice API is regional"
        " (use --region REGION, AWS_REGION, or a profile's region)"
    )


def test_sso_portal_unreachable_is_a_network_error(
    fake: FakeChime, chimenum_exe: str, home: Path, aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid SSO token, but the portal that trades it for credentials cannot be reached."""
    import socket

    write_config(aws_env, LEGACY_SSO)
    name = hashlib.sha1(b"https://example.awsapps.com/start").hexdigest()
    token = {
        "startUrl": "https://example.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "sso-access-token-planted",
        "expiresAt": "2099-01-01T00:00:00Z",
    }
    (home / ".aws" / "sso" / "cache" / f"{name}.json").write_text(json.dumps(token))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        portal = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", portal)
    code, stderr = run_exe(chimenum_exe, "get", ONE, "--profile", "legacy")
    assert code == 11
    assert one_line(stderr) == (
        f"chimenum: could not load the credentials of profile 'legacy':"
        f" connection refused by {portal}"
    )
    assert fake.requests == []


def test_assume_role_profile_reaches_sts(
    fake: FakeChime, chimenum, home: Path, aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The credential chain's own clients (sts here) must load: an unreachable STS is a
    network error naming it, not an unknown service."""
    import socket

    (aws_env / "aws-credentials").write_text(
        "[base]\naws_access_key_id = AKIDBASE0000\naws_secret_access_key = base-secret\n"
    )
    write_config(
        aws_env,
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = base\n",
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sts = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts)
    run = chimenum("get", ONE, "--profile", "role")
    assert run.exit_code == 11
    assert one_line(run.stderr) == (
        f"chimenum: could not load the credentials of profile 'role': connection refused by {sts}"
    )
    assert fake.requests == []
