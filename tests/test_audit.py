"""`audit`: the inventory listed, described and summed up, through the CLI and the fake."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re

import pexpect
import ptys
import pytest

from chimenum.core.errors import ExitCode
from chimenum.core.findings import rank
from chimenum.demo import resources as demo
from chimenum.output.formats import REGISTRY
from chimenum.output.formats.audit import MAX_MESSAGE_CELLS
from testing.fakechime import FakeChime, generate_numbers

#: A line of the audit table that starts a finding: its severity, number and code.
FINDING = re.compile(r"^(error|warning|info) +(\+\d+) +([A-Z_]+)(?: +(.*))?$")
#: What rich writes to a terminal for styles.
SGR = re.compile(r"\x1b\[[0-9;]*m")


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


def test_the_table_lists_the_most_severe_first_then_by_number(fake: FakeChime, chimenum) -> None:
    found = json.loads(chimenum("audit", "--json").stdout)["Findings"]
    table = chimenum("audit", "--fail-on", "never").stdout.splitlines()
    heads = [m.groups()[:3] for m in map(FINDING.match, table) if m]
    expected = sorted(found, key=lambda f: (rank(f["Severity"]), f["PhoneNumberId"]))
    assert heads == [(f["Severity"], f["PhoneNumberId"], f["Code"]) for f in expected]
    # json, ndjson and csv keep the order found: the listing's, not the table's.
    assert [f["Severity"] for f in found] != [f["Severity"] for f in expected]
    ndjson = chimenum("audit", "-o", "ndjson").stdout.splitlines()[:-1]
    assert [json.loads(line)["Code"] for line in ndjson] == [f["Code"] for f in found]
    rows = csv.DictReader(io.StringIO(chimenum("audit", "-o", "csv").stdout))
    assert [r["Code"] for r in rows] == [f["Code"] for f in found]


@pytest.mark.slow
@pytest.mark.parametrize("output", sorted(REGISTRY["audit"]))
def test_severity_picks_the_findings_every_format_carries(
    fake: FakeChime, chimenum, output: str
) -> None:
    """Messages appear only in findings (the summary has codes): each names its severity."""
    run = chimenum("audit", "--severity", "warning", "-o", output, "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    everything = chimenum("audit", "-o", output, "--fail-on", "never").stdout
    if output == "name":  # numbers only: those with a finding shown, fewer than with any
        shown, every = set(run.stdout.split()), set(everything.split())
        assert shown and shown < every
        return
    assert "does not exist in any of 10 regions" in run.stdout  # an error
    assert "AcquireInProgress since 2024-06-02" in run.stdout  # a warning
    assert "not assigned to anything" not in run.stdout  # info
    assert "it takes no calls yet" not in run.stdout  # info
    assert "not assigned to anything" in everything


def test_severity_leaves_the_summary_and_fail_on_alone(fake: FakeChime, chimenum) -> None:
    """+12065550105 has one warning and one info finding: --fail-on sees both, shown or not."""
    args = ("audit", "--status", "AcquireInProgress", "--severity", "error")
    run = chimenum(*args, "--fail-on", "warning", "--json")
    assert run.exit_code == ExitCode.FINDINGS
    doc = json.loads(run.stdout)
    assert doc["Findings"] == []
    assert doc["Summary"]["FindingsBySeverity"] == {"error": 0, "warning": 1, "info": 1}
    assert chimenum(*args, "--fail-on", "error").exit_code == 0
    table = chimenum(*args, "--fail-on", "never").stdout
    assert "no findings at error or above" in table
    assert "2 less severe findings not shown (--severity error)" in table


def test_describe_takes_the_same_severity_filter(fake: FakeChime, chimenum) -> None:
    """For describe, +12065550105's not-yet-active finding is an error, its stuck one a warning."""
    run = chimenum("describe", "+12065550105", "--severity", "error", "--fail-on", "warning")
    assert run.exit_code == ExitCode.FINDINGS
    assert "NUMBER_NOT_YET_ACTIVE" in run.stdout
    assert "NUMBER_STUCK_IN_PROGRESS" not in run.stdout
    doc = json.loads(chimenum("describe", "+12065550105", "--json").stdout)
    assert {f["Code"] for f in doc["Findings"]} == {"NUMBER_NOT_YET_ACTIVE",
                                                     "NUMBER_STUCK_IN_PROGRESS"}  # fmt: skip
    assert chimenum("describe", "+12065550105", "--severity", "fatal").exit_code == 2


def test_missing_fields_are_counted_as_unknown(fake: FakeChime, chimenum) -> None:
    for record in list(fake.records.values())[:3]:
        record.pop("Country", None)
        record.pop("ProductType", None)
    doc = json.loads(chimenum("audit", "--json").stdout)["Summary"]
    assert doc["ByCountry"] == {"US": 10, "unknown": 3, "GB": 1}
    assert doc["ByProductType"]["unknown"] == 3
    table = chimenum("audit").stdout
    assert re.search(r"^By country +US 10, unknown 3, GB 1$", table, re.M)
    assert "None" not in table


def test_a_long_message_is_cut_in_the_table_only(fake: FakeChime, chimenum) -> None:
    rule = copy.deepcopy(fake.resources["us-east-1"][("SipRule", demo.RULE_BROKEN)])
    rule["Name"] = "dial in " * 32  # 256 characters, the model's longest name
    fake.put("us-east-1", "SipRule", demo.RULE_BROKEN, rule)
    found = json.loads(chimenum("audit", "--json").stdout)["Findings"]
    (message,) = [f["Message"] for f in found if f["Code"] == "SIP_RULE_DISABLED"]
    assert len(message) > MAX_MESSAGE_CELLS and message.endswith("the SIP rule is disabled")
    table = chimenum("audit", "--fail-on", "never").stdout.splitlines()
    heads = [FINDING.match(line) for line in table]
    start = next(n for n, m in enumerate(heads) if m and m.group(3) == "SIP_RULE_DISABLED")
    head = heads[start]
    assert head and head.group(4)
    lines = [head.group(4)] + [line.strip() for line in table[start + 1 :]]
    shown = " ".join(lines[: next(n for n, x in enumerate(lines) if x.endswith("…")) + 1])
    assert len(shown) <= MAX_MESSAGE_CELLS and shown.startswith(f"SIP rule {demo.RULE_BROKEN}")


def test_on_an_80_column_terminal_messages_hang_under_their_code(
    fake: FakeChime, chimenum_exe: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # the terminal's width
    child = ptys.spawn(
        chimenum_exe, ["audit", "--fail-on", "never"], encoding="utf-8", dimensions=(50, 80),
        timeout=30, env=env,
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = SGR.sub("", child.before).replace("\r\n", "\n").splitlines()
    assert max(len(line) for line in lines) <= 80
    first = next(n for n, line in enumerate(lines) if FINDING.match(line))
    findings = lines[first:]
    assert FINDING.match(findings[0]).group(1) == "error"  # type: ignore[union-attr]
    # Too narrow for messages beside the widest code: each under its head, 10 columns in.
    message = [line for line in findings if not FINDING.match(line)]
    assert message and all(re.match(r"^ {10}\S", line) for line in message), message
    assert "          voice connector zyxwvu9tsrq8ponml7kji6: does not exist in any of 10" in lines
