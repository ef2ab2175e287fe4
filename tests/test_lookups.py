"""A resource is missing only when every region searched said so: a region that refused (403)
or failed (5xx) is named, and the number is not failed for it (issue 16, point 4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chimenum.core.errors import ExitCode
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime
from tests.describing import codes, described


def described_toll_free(chimenum: Any, *args: str) -> tuple[int, Any, str]:
    return described(chimenum, "+18005550100", args=args)


@pytest.fixture
def connector_elsewhere(fake: FakeChime) -> None:
    """+18005550100's connector is not in us-east-1: where else it is must be asked."""
    fake.put("us-east-1", "VoiceConnector", demo.VC_MAIN, None)


def test_a_region_that_refuses_is_named_and_nothing_is_called_missing(
    fake: FakeChime, chimenum, voice, connector_elsewhere
) -> None:
    # us-east-1 answers not found; us-west-2, asked next, refuses (a service control policy).
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "AccessDeniedException", skip=1, times=1)
    code, doc, stderr = described_toll_free(chimenum)
    assert code == 0, stderr  # not permitted never fails the number
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["Region"]) == ("NotPermitted", "us-west-2")
    assert target["UnreadRegions"] == ["us-west-2"]
    assert target["SearchedRegions"] == list(demo.VOICE_CONNECTOR_REGIONS)
    assert codes(doc) == [("warning", "NOT_PERMITTED")]
    message = doc["Findings"][0]["Message"]
    assert "not permitted in us-west-2 (AccessDeniedException" in message
    assert "not found in 9 other regions" in message
    assert "DANGLING_ASSOCIATION" not in json.dumps(doc)
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "AccessDeniedException", skip=1, times=1)
    code, _, _ = described_toll_free(chimenum, "--fail-on", "warning")
    assert code == 15
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "AccessDeniedException", skip=1, times=1)
    run = chimenum("describe", "+18005550100")
    assert "not permitted in us-west-2 (AccessDeniedException)" in run.stdout


def test_a_region_that_fails_is_named_and_sets_the_exit_code(
    fake: FakeChime, chimenum, voice, connector_elsewhere
) -> None:
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "ServiceUnavailableException", skip=1)
    code, doc, _ = described_toll_free(chimenum, "--max-attempts", "1")
    assert code == ExitCode.SERVICE_UNAVAILABLE  # the documented rule for a lookup not read
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["Region"]) == ("Failed", "us-west-2")
    assert target["UnreadRegions"] == list(demo.VOICE_CONNECTOR_REGIONS[1:])
    assert codes(doc) == [("warning", "LOOKUP_FAILED")]
    assert "could not be read in us-west-2, ca-central-1" in doc["Findings"][0]["Message"]


def test_every_region_that_refuses_is_named(
    fake: FakeChime, chimenum, voice, connector_elsewhere
) -> None:
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "AccessDeniedException", skip=1, times=2)
    code, doc, _ = described_toll_free(chimenum)
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert target["Status"] == "NotPermitted" and code == 0
    assert target["UnreadRegions"] == ["us-west-2", "ca-central-1"]


def test_regions_that_cannot_be_listed_leave_it_unchecked(
    fake: FakeChime, chimenum, voice, connector_elsewhere
) -> None:
    fake.inject("voice-connector-regions", "ForbiddenException")
    code, doc, _ = described_toll_free(chimenum)
    assert code == 0
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["SearchedRegions"]) == ("NotPermitted", ["us-east-1"])
    assert codes(doc) == [("warning", "NOT_PERMITTED")]
    assert "the other regions could not be listed" in doc["Findings"][0]["Message"]


def test_missing_only_when_every_region_says_so(
    fake: FakeChime, chimenum, voice, connector_elsewhere
) -> None:
    code, doc, _ = described_toll_free(chimenum)
    assert code == 15
    assert codes(doc) == [("error", "DANGLING_ASSOCIATION")]
    assert "does not exist in any of 10 regions" in doc["Findings"][0]["Message"]
