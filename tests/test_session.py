"""AWS session resolution, as the AWS CLI does it."""

from __future__ import annotations

import json

import pytest

from chimenum.core.session import Settings, resolve_region
from testing.fakechime import FakeChime


@pytest.mark.tooling
@pytest.mark.parametrize(
    ("flag", "aws_region", "aws_default_region", "profile", "expected"),
    [
        ("eu-west-1", "us-west-2", "ap-south-1", "ca-central-1", "eu-west-1"),
        (None, "us-west-2", "ap-south-1", "ca-central-1", "us-west-2"),
        (None, None, "ap-south-1", "ca-central-1", "ap-south-1"),
        (None, None, None, "ca-central-1", "ca-central-1"),
        (None, None, None, None, None),
    ],
)
def test_region_precedence_is_the_aws_cli_v2_one(
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    aws_region: str | None,
    aws_default_region: str | None,
    profile: str | None,
    expected: str | None,
) -> None:
    for name, value in (("AWS_REGION", aws_region), ("AWS_DEFAULT_REGION", aws_default_region)):
        if value:
            monkeypatch.setenv(name, value)
    settings = Settings.from_environ()
    settings.region = flag
    assert resolve_region(settings, profile) == expected


def test_generic_endpoint_env_var_is_honoured(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    monkeypatch.setenv("AWS_ENDPOINT_URL", fake.url)
    run = chimenum("get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["Status"] == "Assigned"
    assert len(fake.requests) == 1


def test_profile_endpoint_and_credential_process(
    fake: FakeChime, chimenum, aws_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile whose credentials come from credential_process, as SSO helpers provide them."""
    import sys

    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    creds = json.dumps(
        {
            "Version": 1,
            "AccessKeyId": "AKIDFROMPROCESS00000",
            "SecretAccessKey": "s",
            "SessionToken": "t",
        }
    )
    script = aws_env / "creds.py"
    script.write_text(f"print({creds!r})\n")
    (aws_env / "aws-config").write_text(
        f"[profile ops]\nendpoint_url = {fake.url}\n"
        f"credential_process = {sys.executable} {script}\n"
    )
    run = chimenum("get", "+12065550100", "--profile", "ops", "--json")
    assert run.exit_code == 0, run.stderr
    assert "Credential=AKIDFROMPROCESS00000/" in fake.requests[0].headers["Authorization"]
    assert fake.requests[0].headers["X-Amz-Security-Token"] == "t"
