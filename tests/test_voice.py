"""`--api voice`: Chime SDK Voice through botocore, against the fake's voice listener."""

from __future__ import annotations

import json

import pytest
from aws_cli import aws, print_iso8601

from chimenum.core import apis
from testing.fakechime import FakeChime


def test_constants_match_the_botocore_models() -> None:
    import botocore.session

    session = botocore.session.get_session()
    for api in apis.APIS:
        model = session.get_service_model(apis.SERVICE_NAMES[api])
        listing = model.operation_model("ListPhoneNumbers").input_shape
        number = model.operation_model("GetPhoneNumber").output_shape.members["PhoneNumber"]
        assert tuple(number.members["Status"].enum) == apis.STATUSES[api]
        assert tuple(listing.members["ProductType"].enum) == apis.PRODUCT_TYPES[api]
        assert tuple(listing.members["FilterName"].enum) == apis.FILTER_NAMES[api]
        assert listing.members["MaxResults"].metadata["max"] == apis.MAX_PAGE_SIZE[api]
        assert model.signing_name == "chime"
    assert set(apis.STATUSES["voice"]) >= apis.TERMINAL_FAILED


def test_every_status_of_both_apis_has_a_style() -> None:
    from chimenum.output.formats.values import STATUS_STYLES

    assert set(apis.union(apis.STATUSES)) <= set(STATUS_STYLES)


def test_voice_get_uses_the_regional_client_and_voice_endpoint(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    run = chimenum("--api", "voice", "get", "+12065550111", "--json")
    assert run.exit_code == 0, run.stderr
    number = json.loads(run.stdout)["PhoneNumber"]
    assert number["Status"] == "PortinInProgress"
    assert number["PhoneNumberArn"].endswith(":phone-number/12065550111")
    assert number["OrderId"] == "7a2c3d4e-5f60-4718-9a0b-1c2d3e4f5011"
    assert number["Name"] == "Ported main line"
    (request,) = fake.requests
    assert (request.api, request.service, request.region) == ("voice", "chime", "eu-west-2")


def test_chime_does_not_know_voice_only_numbers(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550111", "--json")
    assert run.exit_code == 3
    assert fake.requests[0].api == "chime"


def test_voice_without_a_region_is_a_configuration_error(fake: FakeChime, chimenum) -> None:
    run = chimenum("--api", "voice", "get", "+12065550101")
    assert run.exit_code == 10
    assert run.stderr.startswith("chimenum: no region configured")
    assert "Chime SDK Voice" in run.stderr
    assert "--region" in run.stderr
    assert fake.requests == []


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["get", "+12065550101"], None, "chime"),
        (["--api", "voice", "get", "+12065550101"], None, "voice"),
        (["get", "+12065550101", "--api", "voice"], None, "voice"),
        (["get", "+12065550101"], "voice", "voice"),
        (["--api", "chime", "get", "+12065550101"], "voice", "chime"),
        (["get", "+12065550101", "--api", "chime"], "voice", "chime"),
        (["--api", "chime", "get", "+12065550101", "--api", "voice"], None, "voice"),
    ],
)
def test_api_option_before_or_after_the_subcommand_and_env(
    fake: FakeChime,
    chimenum,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    expected: str,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    if env:
        monkeypatch.setenv("CHIMENUM_API", env)
    run = chimenum(*args, "--json")
    assert run.exit_code == 0, run.stderr
    assert [r.api for r in fake.requests] == [expected]
    assert ("PhoneNumberArn" in json.loads(run.stdout)["PhoneNumber"]) is (expected == "voice")


def test_bad_api_value_is_a_usage_error(fake: FakeChime, chimenum, monkeypatch) -> None:
    assert chimenum("--api", "sms", "get", "+12065550100").exit_code == 2
    monkeypatch.setenv("CHIMENUM_API", "legacy")
    run = chimenum("get", "+12065550100")
    assert run.exit_code == 2
    assert "legacy" in run.stderr
    assert fake.requests == []


def test_voice_table_shows_the_voice_only_fields(fake: FakeChime, chimenum, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    out = chimenum("--api", "voice", "get", "+12065550101").stdout
    assert "Name             Main line" in out
    assert "Order id         5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01" in out
    assert "ARN              arn:aws:chime:us-east-1:111122223333:phone-number/12065550101" in out
    many = chimenum("--api", "voice", "get", "+12065550101", "+12065550113").stdout
    header = many.splitlines()[0]
    for column in ("Name", "Order id", "ARN"):
        assert column in header
    row = next(line for line in many.splitlines() if line.startswith("+12065550113"))
    assert "Cancelled order" in row
    assert "phone-number/12065550113" in row
    assert "Cancelled" in row.split()[1]


def test_voice_statuses_are_styled_on_a_colour_terminal(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    out = chimenum("--api", "voice", "list", "--product-type", "VoiceConnector").stdout
    assert "\x1b[31mCancelled" not in out  # the Cancelled number is a SIP media application one
    assert "\x1b[33mPortinInProgress" in out
    assert "\x1b[33mPortinCancelRequested" in out
    out = chimenum("--api", "voice", "get", "+12065550113").stdout
    assert "\x1b[31mCancelled" in out


def test_demo_serves_the_voice_api(chimenum, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    run = chimenum("--demo", "--api", "voice", "list", "--json")
    assert run.exit_code == 0, run.stderr
    numbers = json.loads(run.stdout)["PhoneNumbers"]
    assert {n["ProductType"] for n in numbers} == {"VoiceConnector", "SipMediaApplicationDialIn"}
    assert all({"PhoneNumberArn", "OrderId", "Name"} <= set(n) for n in numbers)
    # The demo is one server per process and its port-in numbers move on after a few seconds.
    statuses = {n["Status"] for n in numbers}
    assert "Cancelled" in statuses
    assert statuses <= set(apis.STATUSES["voice"])


@pytest.mark.tooling
@pytest.mark.parametrize("phone_number_id", ["+12065550101", "+12065550111", "+12065550110"])
def test_same_document_as_aws_chime_sdk_voice(
    fake: FakeChime, chimenum, aws_env, phone_number_id: str
) -> None:
    """`aws chime-sdk-voice get-phone-number` (ISO 8601 timestamps) prints the same JSON."""
    print_iso8601(aws_env)
    ours = chimenum("--api", "voice", "--region", "us-west-2", "get", phone_number_id, "--json")
    assert ours.exit_code == 0, ours.stderr
    theirs = aws(
        "chime-sdk-voice",
        "get-phone-number",
        "--phone-number-id",
        phone_number_id,
        "--output",
        "json",
        region="us-west-2",
    )
    assert theirs.returncode == 0, theirs.stderr
    assert [r.api for r in fake.requests] == ["voice", "voice"]
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert ours.stdout == theirs.stdout
