"""`chimenum get`: fetching through botocore from the loopback fake, and what users see."""

from __future__ import annotations

import json
import subprocess

import pytest
from aws_cli import aws, print_iso8601

from chimenum.demo import resources as demo
from testing.fakechime import FakeChime


@pytest.mark.tooling
def test_one_id_prints_the_aws_cli_document(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    number = doc["PhoneNumber"]
    assert list(doc) == ["PhoneNumber"]
    assert (number["PhoneNumberId"], number["E164PhoneNumber"]) == (
        "%2B12065550100",
        "+12065550100",
    )
    assert number["Status"] == "Assigned"
    assert number["Capabilities"]["InboundMMS"] is False
    assert [a["Name"] for a in number["Associations"]] == ["AccountId", "UserId"]
    assert number["CreatedTimestamp"] == "2024-01-15T10:20:30.123000+00:00"
    assert run.stderr == ""


def test_requests_are_signed_sigv4_for_chime_in_us_east_1(fake: FakeChime, chimenum) -> None:
    assert chimenum("get", "+12065550100", "--json", "--region", "eu-west-1").exit_code == 0
    (request,) = fake.requests
    assert request.path == "/phone-numbers/%2B12065550100"
    assert (request.service, request.region) == ("chime", "us-east-1")
    assert request.headers["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDCHIMENUMTEST"
    )
    assert "chimenum/" in request.user_agent


def test_several_ids_keep_input_order_and_report_errors(fake: FakeChime, chimenum) -> None:
    ids = ["+18005550100", "+12065550199", "+12065550100", "+12065550108"]
    run = chimenum("get", *ids, "--json")
    assert run.exit_code == 3
    doc = json.loads(run.stdout)
    assert list(doc) == ["PhoneNumbers", "PhoneNumberErrors"]
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == [
        "%2B18005550100",
        "%2B12065550100",
        "%2B12065550108",
    ]
    assert doc["PhoneNumberErrors"] == [
        {
            "PhoneNumberId": "+12065550199",
            "ErrorCode": "NotFoundException",
            "ErrorMessage": "The requested resource was not found.",
        }
    ]
    assert run.stderr == (
        "chimenum: error: +12065550199: NotFoundException: The requested resource was not found.\n"
    )


def test_several_ids_all_fetched_have_an_empty_error_list(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "+12065550101", "--json")
    assert run.exit_code == 0
    assert json.loads(run.stdout)["PhoneNumberErrors"] == []


@pytest.mark.parametrize(
    "pasted",
    [
        "%2B12065550100",
        "%2b12065550100",
        "  +12065550100\n",
        "+1 206-555-0100",
        "+1 (206) 555.0100",
    ],
)
def test_pasted_forms_are_normalised(fake: FakeChime, chimenum, pasted: str) -> None:
    run = chimenum("get", pasted, "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["PhoneNumberId"] == "%2B12065550100"
    assert fake.requested_ids() == ["+12065550100"]


def test_duplicates_are_fetched_once_and_printed_each_time(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "%2B12065550100", "+12065550101", "--json")
    assert run.exit_code == 0
    assert sorted(fake.requested_ids()) == ["+12065550100", "+12065550101"]
    assert [n["PhoneNumberId"] for n in json.loads(run.stdout)["PhoneNumbers"]] == [
        "%2B12065550100",
        "%2B12065550100",
        "%2B12065550101",
    ]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+1206555\x1b[31m0100", "control characters"),
        ("+12065550100\u202e", "control characters"),
        ("%2B1206%0A5550100", "control characters"),
        ("+" + "1" * 160, "longer than 128"),
        ("12065550100", "did you mean +12065550100"),
        ("%ZZ12", "bad percent-encoding"),
        ("+0123", "expected an E.164 number"),
        ("../phone-numbers", "expected an E.164 number"),
    ],
)
def test_invalid_ids_are_refused_before_any_request(
    fake: FakeChime, chimenum, bad: str, reason: str
) -> None:
    run = chimenum("get", "+12065550100", bad, "--json")
    assert run.exit_code == 2
    assert reason in run.stderr
    assert run.stdout == ""
    assert fake.requests == []


def test_no_id_is_a_usage_error(fake: FakeChime, chimenum) -> None:
    run = chimenum("get")
    assert run.exit_code == 2
    assert "no phone-number id given" in run.stderr
    assert fake.requests == []


def test_aws_options_are_accepted_before_or_after_the_subcommand(fake: FakeChime, chimenum) -> None:
    before = chimenum("--endpoint-url", fake.url, "get", "+12065550100", "--json")
    after = chimenum("get", "+12065550100", "--json", "--endpoint-url", fake.url)
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout


def test_bad_endpoint_url_is_a_usage_error(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "--endpoint-url", "ftp:/nowhere")
    assert run.exit_code == 2
    assert "not an http(s) URL" in run.stderr
    assert fake.requests == []


def test_table_view_shows_the_number_in_detail(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100")
    assert run.exit_code == 0
    out = run.stdout
    for expected in (
        "+12065550100",
        "Assigned",
        "Local",
        "BusinessCalling",
        "US",
        "AnyCompany (update: UpdateSucceeded)",  # labelled: not the number's status
        "Capabilities",
        "Inbound",
        "Outbound",
        demo.CHIME_ACCOUNT,
        "UserId",
        "2024-01-15 10:20:30 UTC",
        "years ago",
    ):
        assert expected in out, expected
    assert "\x1b" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_table_view_of_several_ids_is_one_summary_in_input_order(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+18005550100", "+12065550100", "+12065550199")
    assert run.exit_code == 3
    lines = run.stdout.splitlines()
    assert lines[0].split()[:2] == ["Phone", "number"]
    rows = [line.split()[0] for line in lines[2:] if line.startswith("+")]
    assert rows == ["+18005550100", "+12065550100"]
    assert "NotFoundException" in run.stderr
    assert "\x1b" not in run.stdout


def test_utc_flag_and_local_time(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    local = chimenum("get", "+12065550100").stdout
    utc = chimenum("get", "+12065550100", "--utc").stdout
    assert "2024-01-15 02:20:30 PST" in local
    assert "2024-01-15 10:20:30 UTC" in utc


def test_version_names_botocore_and_python(chimenum) -> None:
    import platform

    import botocore

    out = chimenum("--version").stdout
    assert out.startswith("chimenum 0.")
    assert f"botocore {botocore.__version__}" in out
    assert f"Python {platform.python_version()}" in out


def test_help_documents_every_exit_code(chimenum) -> None:
    import re

    from chimenum.core.errors import EXIT_CODE_MEANINGS

    # The table is chimenum --help's; get --help points there (tests/test_help.py).
    out = chimenum("--help").stdout
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert re.search(rf"^ +{int(code)}  {re.escape(meaning)}$", out, re.M), code


def test_demo_account_needs_no_credentials_or_config(
    monkeypatch: pytest.MonkeyPatch, chimenum
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    run = chimenum("--demo", "get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["CallingName"] == "AnyCompany"
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    assert chimenum("get", "+12065550101", "--json").exit_code == 0


def test_installed_console_script_runs_the_demo(chimenum_script: str) -> None:
    proc = subprocess.run(
        [chimenum_script, "get", "+12065550100", "--demo"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "+12065550100" in proc.stdout
    assert "Assigned" in proc.stdout
    assert "\x1b" not in proc.stdout
    assert proc.stderr == ""


@pytest.mark.tooling
@pytest.mark.parametrize(
    "created",
    [
        None,  # the fake's own: 2024-02-28T17:45:12.345Z
        "2024-02-28T17:45:12Z",
        "2024-02-28T17:45:12.5Z",
        "2024-02-28T17:45:12.123456Z",
        "2024-02-28T17:45:12.1234567Z",
        "2024-02-28T19:45:12.345+02:00",
        1709142312.345,
    ],
    ids=["millis", "seconds", "tenths", "micros", "nanos", "offset", "epoch"],
)
def test_same_document_as_the_aws_cli(
    fake: FakeChime, chimenum, aws_env, created: str | float | None
) -> None:
    """`aws chime get-phone-number` (awscli, ISO 8601 timestamps) prints the same JSON.

    Whatever form a timestamp has on the wire: chimenum's fast timestamp path must give the
    very value (microseconds, offset) that botocore's own parser gives the AWS CLI.
    """
    print_iso8601(aws_env)
    if created is not None:
        fake.records["+12065550100"] = {**fake.records["+12065550100"], "CreatedTimestamp": created}
    ours = chimenum("get", "+12065550100", "--json")
    theirs = aws(
        "chime", "get-phone-number", "--phone-number-id", "+12065550100", "--output", "json"
    )
    assert theirs.returncode == 0, theirs.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert ours.stdout == theirs.stdout
