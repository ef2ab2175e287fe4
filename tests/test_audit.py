"""`audit`: the inventory listed, described and summed up, through the CLI and the fake."""

from __future__ import annotations

import csv
import io
import json

from chimenum.core.errors import ExitCode
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime, generate_numbers


def test_the_demo_inventory_is_summed_up(fake: FakeChime, chimenum) -> None:
    run = chimenum("audit", "--json")
    assert run.exit_code == ExitCode.FINDINGS, run.stderr
    doc = json.loads(run.stdout)
    summary = doc["Summary"]
    assert summary["Numbers"] == len(fake.records)
    assert summary["ByStatus"]["Assigned"] == 6
    assert summary["ByCountry"] == {"US": 13, "GB": 1}
    assert summary["FindingsBySeverity"]["error"] == sum(
        1 for f in doc["Findings"] if f["Severity"] == "error"
    )
    assert summary["FindingsByCode"]["DANGLING_ASSOCIATION"] == 1
    assert summary["Complete"] is True and doc["FindingsOmitted"] == 0
    assert {f["Code"] for f in doc["Findings"]} >= {
        "SIP_RULE_DISABLED",
        "SIP_MEDIA_APPLICATION_MISSING",
        "DANGLING_ASSOCIATION",
        "NUMBER_UNASSIGNED",
    }
    # Resources shared by numbers are read once: +12065550101, +18005550100 and the group.
    assert fake.count("GetVoiceConnector") == 1 + 2 + len(demo.VOICE_CONNECTOR_REGIONS)
    assert fake.count("GetPhoneNumber") == 0  # the listing has every number already


def test_filters_are_lists_and_fail_on_never(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "--api", "voice", "--region", "us-east-1", "audit", "--product-type",
        "SipMediaApplicationDialIn", "-o", "csv", "--fail-on", "never",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert {r["PhoneNumberId"] for r in rows} <= {"+12065550103", "+12065550110", "+18885550100",
                                                   "+12065550113"}  # fmt: skip
    assert ("+12065550103", "SIP_RULE_DISABLED") in {(r["PhoneNumberId"], r["Code"]) for r in rows}
    (listing,) = [r for r in fake.requests if r.operation == "ListPhoneNumbers"]
    assert listing.query["product-type"] == ["SipMediaApplicationDialIn"]


def test_ndjson_streams_findings_then_the_summary(fake: FakeChime, chimenum) -> None:
    run = chimenum("audit", "-o", "ndjson", "--fail-on", "warning")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert all(set(line) == {"PhoneNumberId", "Severity", "Code", "ResourceKind", "ResourceId",
                             "Message"} for line in lines[:-1])  # fmt: skip
    assert lines[-1]["Summary"]["Numbers"] == 14
    assert run.exit_code == 15


def test_a_listing_that_stops_says_so(fake: FakeChime, chimenum) -> None:
    fake.records.update({r["PhoneNumberId"]: r for r in generate_numbers(150)})
    fake.inject("*", "ServiceUnavailableException", skip=1)  # the second page fails
    run = chimenum("audit", "--json", "--max-attempts", "1")
    assert run.exit_code == ExitCode.SERVICE_UNAVAILABLE
    summary = json.loads(run.stdout)["Summary"]
    assert summary["Complete"] is False and summary["Numbers"] == 99
    assert "listing stopped after 99 numbers" in run.stderr


def test_the_table_has_the_summary_and_the_findings(fake: FakeChime, chimenum) -> None:
    run = chimenum("audit", "--fail-on", "never")
    assert run.exit_code == 0
    assert "Findings by code" in run.stdout
    assert "+12065550108  DANGLING_ASSOCIATION" in run.stdout


def test_usage_errors_are_refused_before_any_request(fake: FakeChime, chimenum) -> None:
    assert chimenum("audit", "--filter-name", "SipRuleId").exit_code == 2
    assert chimenum("--api", "voice", "audit", "--status", "x").exit_code == 2
    assert fake.requests == []
