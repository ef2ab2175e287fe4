"""The rules of issue 16's point 4, each through the CLI, botocore and the loopback fake: what
was seen raises a finding, with the severity of the command that judges it."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from chimenum.demo import resources as demo
from testing.fakechime import FakeChime
from tests.describing import assert_finding, codes, described

ORDER_MAIN = "5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01"
ORDER_PORT = "7a2c3d4e-5f60-4718-9a0b-1c2d3e4f5011"
OLD = "2024-05-20T12:00:00.000Z"


def edit(fake: FakeChime, kind: str, resource_id: str, region: str = "us-east-1", **fields: Any):
    record = copy.deepcopy(fake.resources[region][(kind, resource_id)])
    record.update(fields)
    fake.put(region, kind, resource_id, record)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def move_application(fake: FakeChime) -> None:
    """The rule's application exists only in us-west-2; the rule routes to us-east-1."""
    record = fake.resources["us-east-1"][("SipMediaApplication", demo.SMA_OK)]
    fake.put("us-east-1", "SipMediaApplication", demo.SMA_OK, None)
    fake.put(demo.WEST_REGION, "SipMediaApplication", demo.SMA_OK, record)


def lambda_in(region: str) -> Any:
    arn = f"arn:aws:lambda:{region}:{demo.ACCOUNT}:function:old-ivr"
    return lambda f: edit(f, "SipMediaApplication", demo.SMA_OK, Endpoints=[{"LambdaArn": arn}])


CASES = [
        (lambda f: edit(f, "Origination", demo.VC_MAIN, Routes=[
            {"Host": "sip1.anycompany.example", "Port": 5060, "Protocol": "UDP", "Priority": 1,
             "Weight": 10}]), "+12065550101", ("warning", "ORIGINATION_ROUTE_UNENCRYPTED")),
        (lambda f: f.put("us-east-1", "Termination", demo.VC_MAIN, None), "+12065550101",
         ("warning", "TERMINATION_NOT_CONFIGURED")),
        (lambda f: (edit(f, "Termination", demo.VC_MAIN, CidrAllowedList=[]),
                    f.put("us-east-1", "TerminationCredentials", demo.VC_MAIN, [])),
         "+12065550101", ("warning", "TERMINATION_NO_ACCESS")),
        (lambda f: edit(f, "Termination", demo.VC_MAIN, CallingRegions=[]), "+12065550101",
         ("warning", "TERMINATION_NO_CALLING_REGIONS")),
        (lambda f: edit(f, "TerminationHealth", demo.VC_MAIN, Timestamp=OLD), "+12065550101",
         ("warning", "TERMINATION_PING_STALE")),
        (move_application, "+12065550110", ("error", "SIP_MEDIA_APPLICATION_OTHER_REGION")),
        (lambda_in("us-west-2"), "+12065550110",
         ("error", "SIP_MEDIA_APPLICATION_LAMBDA_OTHER_REGION")),
        (lambda f: edit(f, "PhoneNumberOrder", ORDER_PORT, Status="PendingDocuments"),
         "+12065550111", ("warning", "PORTIN_DOCUMENTS_PENDING")),
        (lambda f: edit(f, "PhoneNumberOrder", ORDER_PORT, Status="ChangeRequested"),
         "+12065550111", ("warning", "PORTIN_CHANGE_REQUESTED")),
        (lambda f: edit(f, "PhoneNumberOrder", ORDER_PORT, Status="Exception"),
         "+12065550111", ("warning", "PORTIN_EXCEPTION")),
]  # fmt: skip


@pytest.mark.parametrize(("setup", "number", "expected"), CASES)
def test_findings(fake: FakeChime, chimenum, voice, setup, number, expected) -> None:
    setup(fake)
    assert_finding(chimenum, number, expected)


def test_a_healthy_connector_has_a_fresh_ping_and_no_outbound_finding(
    fake: FakeChime, chimenum, voice
) -> None:
    """The demo's PBX pinged half a minute ago; its termination has a CIDR, so no credentials
    are asked for."""
    code, doc, _ = described(chimenum, "+12065550101")
    assert (code, codes(doc)) == (0, [])
    assert fake.count("ListVoiceConnectorTerminationCredentials") == 0
    run = chimenum("describe", "+12065550101")
    shown = r"termination health  last SIP OPTIONS ping from 198\.51\.100\.10 \(\d+ \w+ ago\)\n"
    assert re.search(shown, run.stdout), run.stdout


def test_termination_credentials_are_read_when_there_is_no_cidr(
    fake: FakeChime, chimenum, voice
) -> None:
    edit(fake, "Termination", demo.VC_MAIN, CidrAllowedList=[])
    code, doc, _ = described(chimenum, "+12065550101")
    assert (code, codes(doc)) == (0, [])  # the demo connector has a SIP user name
    termination = doc["Resolved"]["Associations"][0]["Target"]["Related"][1]
    (credentials,) = termination["Related"]
    assert (credentials["Kind"], credentials["Resource"]) == (
        "TerminationCredentials",
        ["pbx-main"],
    )
    assert (
        "termination credentials  1 SIP user names" in chimenum("describe", "+12065550101").stdout
    )


def test_no_ping_while_termination_is_enabled(fake: FakeChime, chimenum, voice) -> None:
    fake.put("us-east-1", "TerminationHealth", demo.VC_MAIN, None)
    _, doc, _ = described(chimenum, "+12065550101")
    (finding,) = doc["Findings"]
    assert finding["Code"] == "TERMINATION_PING_STALE"
    assert "no PBX has sent a SIP OPTIONS ping" in finding["Message"]
    edit(fake, "Termination", demo.VC_MAIN, Disabled=True)
    _, doc, _ = described(chimenum, "+12065550101")
    assert codes(doc) == [("warning", "TERMINATION_DISABLED")]  # no ping expected then


def test_a_stale_ping_says_its_age(fake: FakeChime, chimenum, voice) -> None:
    edit(fake, "TerminationHealth", demo.VC_MAIN, Timestamp=OLD)
    _, doc, _ = described(chimenum, "+12065550101")
    (finding,) = doc["Findings"]
    # JSON shows a finding's times in UTC whatever the zone, so a document reads the same on
    # every machine; for people, the one human timestamp (output/times.py) in the run's zone.
    assert "days ago (2024-05-20 12:00:00 UTC)" in finding["Message"]
    out = chimenum("describe", "+12065550101", "--utc").stdout
    assert "last SIP OPTIONS ping from 198.51.100.10 at 2024-05-20 12:00:00 UTC (" in out
    assert "days ago (2024-05-20 12:00:00 UTC)" in out


def test_a_finding_shows_its_times_in_the_run_zone(
    fake: FakeChime, chimenum, voice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finding's times honour --utc like every view: local time otherwise."""
    import time

    edit(fake, "TerminationHealth", demo.VC_MAIN, Timestamp=OLD)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        for fmt in ("table", "text"):
            local = chimenum("describe", "+12065550101", "-o", fmt).stdout
            assert ("days ago (2024-05-20 05:00:00 PDT)" in local) == (fmt == "table"), fmt
        utc = chimenum("describe", "+12065550101", "--utc").stdout
        assert "days ago (2024-05-20 12:00:00 UTC)" in utc
        audit = chimenum("audit").stdout
        assert "days ago (2024-05-20 05:00:00 PDT)" in audit
        assert "days ago (2024-05-20 12:00:00 UTC)" in chimenum("audit", "-o", "csv").stdout
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_a_target_is_looked_up_where_the_rule_routes(fake: FakeChime, chimenum, voice) -> None:
    move_application(fake)
    code, doc, _ = described(chimenum, "+12065550110")
    assert code == 15
    (sma,) = doc["Resolved"]["Associations"][0]["Target"]["Related"]
    assert (sma["Status"], sma["Region"]) == ("Found", demo.WEST_REGION)
    assert sma["ParentItem"] == {
        "SipMediaApplicationId": demo.SMA_OK,
        "Priority": 1,
        "AwsRegion": "us-east-1",
    }
    (wrong,) = [f for f in doc["Findings"] if f["Code"] == "SIP_MEDIA_APPLICATION_OTHER_REGION"]
    assert "not in us-east-1, the region the rule routes to" in wrong["Message"]
    asked = [r.region for r in fake.requests if r.operation == "GetSipMediaApplication"]
    assert asked[0] == "us-east-1"
    run = chimenum("describe", "+12065550110")
    assert f"SIP media application {demo.SMA_OK}" in run.stdout
    assert "us-west-2  priority 1  routed to us-east-1" in run.stdout


def test_the_tree_shows_priorities_and_the_groups_distribution(
    fake: FakeChime, chimenum, voice
) -> None:
    out = chimenum("describe", "+12065550102").stdout
    assert out.splitlines()[0].startswith("+12065550102  Assigned")
    assert "distribution PriorityWeightedDistribution" in out
    assert f"voice connector {demo.VC_WEST}" in out and "us-west-2  priority 1" in out
    assert "us-east-1  priority 2" in out


def test_a_number_is_judged_by_its_own_entry_in_the_order(fake: FakeChime, chimenum, voice) -> None:
    edit(fake, "PhoneNumberOrder", ORDER_MAIN, Status="Partial", OrderedPhoneNumbers=[
        {"E164PhoneNumber": "+12065550101", "Status": "Acquired"},
        {"E164PhoneNumber": "+12065550199", "Status": "Failed"},
    ])  # fmt: skip
    code, doc, _ = described(chimenum, "+12065550101")
    assert (code, codes(doc)) == (0, [])


def test_a_porting_order_says_what_the_owner_must_do(fake: FakeChime, chimenum, voice) -> None:
    edit(fake, "PhoneNumberOrder", ORDER_PORT, Status="PendingDocuments", FocDate=None)
    _, doc, _ = described(chimenum, "+12065550111")
    (pending,) = [f for f in doc["Findings"] if f["Code"] == "PORTIN_DOCUMENTS_PENDING"]
    assert "upload the letter of authorization" in pending["Message"]
    assert "NUMBER_STUCK_IN_PROGRESS" not in {c for _, c in codes(doc)}


def test_the_deletion_queue_says_when_and_how_to_restore(fake: FakeChime, chimenum, voice) -> None:
    deleted = datetime.now(timezone.utc) - timedelta(days=2)
    records = fake.records_for("voice")
    records["+12065550108"] = {**records["+12065550108"], "DeletionTimestamp": stamp(deleted)}
    _, doc, _ = described(chimenum, "+12065550108")
    (queued,) = [f for f in doc["Findings"] if f["Code"] == "NUMBER_PENDING_DELETION"]
    assert f"deleted on {deleted:%Y-%m-%d}" in queued["Message"]
    until = deleted + timedelta(days=7)
    assert f"restored with RestorePhoneNumber until about {until:%Y-%m-%d}" in queued["Message"]
    assert "NUMBER_STUCK_IN_PROGRESS" not in {c for _, c in codes(doc)}
    _, doc, _ = described(chimenum, "+12065550110")  # DeleteFailed, deleted 2024-06-09
    assert codes(doc)[0] == ("error", "NUMBER_DELETE_FAILED")


def test_a_trigger_is_compared_as_a_number(fake: FakeChime, chimenum, voice) -> None:
    edit(fake, "SipRule", demo.RULE_OK, TriggerValue="%2B12065550110")
    _, doc, _ = described(chimenum, "+12065550110")
    assert "SIP_RULE_OTHER_NUMBER" not in {c for _, c in codes(doc)}


def test_describe_and_audit_judge_with_their_own_severities(fake: FakeChime, chimenum) -> None:
    """describe: can this number take calls (no: an error); audit: an inventory (info, cost)."""
    code, doc, _ = described(chimenum, "+12065550104", "+12065550107")
    assert code == 15
    assert [codes(d) for d in doc["Descriptions"]] == [
        [("error", "NUMBER_UNASSIGNED")],
        [("error", "NUMBER_PENDING_DELETION")],
    ]
    run = chimenum("audit", "--json", "--fail-on", "never")
    found = {
        (f["PhoneNumberId"], f["Code"]): f["Severity"] for f in json.loads(run.stdout)["Findings"]
    }
    assert found[("+12065550104", "NUMBER_UNASSIGNED")] == "info"
    assert found[("+12065550107", "NUMBER_PENDING_DELETION")] == "warning"
    assert found[("+12065550105", "NUMBER_NOT_YET_ACTIVE")] == "info"
    assert found[("+12065550106", "NUMBER_ACQUIRE_FAILED")] == "error"
    assert chimenum("audit", "--status", "Unassigned").exit_code == 0  # info fails nothing


def test_the_readme_lists_every_action_describe_and_audit_call() -> None:
    from pathlib import Path

    from chimenum.core.resources import OPERATIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith("| `describe`, `audit` |")]
    actions = {"GetPhoneNumber", "ListPhoneNumbers"} | {op for _, op, _, _ in OPERATIONS.values()}
    assert [a for a in sorted(actions) if f"`chime:{a}`" not in row] == []
