"""`describe`: every resolution, finding, permission case and region fallback, through the CLI,
botocore and the loopback fake."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chimenum.core.errors import ExitCode
from chimenum.core.findings import CODES
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime
from tests.describing import assert_finding, codes, described

GOLDEN = Path(__file__).parent / "golden" / "describe-voice.json"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "describe.md"


def test_a_healthy_connector_is_resolved_with_its_routes(fake: FakeChime, chimenum, voice) -> None:
    code, doc, stderr = described(chimenum, "+12065550101", args=("--tags",))
    assert code == 0, stderr
    (association,) = doc["Resolved"]["Associations"]
    assert (association["Name"], association["Value"]) == ("VoiceConnectorId", demo.VC_MAIN)
    target = association["Target"]
    assert (target["Kind"], target["Status"], target["Region"]) == (
        "VoiceConnector",
        "Found",
        "us-east-1",
    )
    assert target["Resource"]["Name"] == "Main office"
    parts = {n["Kind"]: n for n in target["Related"]}
    assert [r["Host"] for r in parts["Origination"]["Resource"]["Routes"]] == [
        "sip1.anycompany.example",
        "sip2.anycompany.example",
    ]
    assert parts["Termination"]["Resource"]["CidrAllowedList"] == ["198.51.100.0/27"]
    assert parts["TerminationHealth"]["Resource"]["Source"] == "198.51.100.10"
    assert doc["Resolved"]["Order"]["Resource"]["Status"] == "Successful"
    assert doc["Resolved"]["Tags"]["Resource"] == [
        {"Key": "team", "Value": "support"},
        {"Key": "cost-center", "Value": "1234"},
    ]
    assert codes(doc) == []
    # PhoneNumber is exactly what get prints.
    got = json.loads(chimenum("get", "+12065550101", "--json").stdout)
    assert doc["PhoneNumber"] == got["PhoneNumber"]


def test_shared_resources_are_fetched_once_per_run(fake: FakeChime, chimenum, voice) -> None:
    fake.latency = 0.02  # so that the two numbers' workers ask for the connector together
    run = chimenum("describe", "+12065550101", "+18005550100", "--concurrency", "2", "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert len(doc["Descriptions"]) == 2 and doc["PhoneNumberErrors"] == []
    for operation in (
        "GetVoiceConnector",
        "GetVoiceConnectorOrigination",
        "GetVoiceConnectorTermination",
        "GetVoiceConnectorTerminationHealth",
    ):
        assert fake.count(operation) == 1, operation
    assert fake.count("GetPhoneNumber") == 2


def test_a_group_connector_missing_here_is_found_in_another_region(
    fake: FakeChime, chimenum, voice
) -> None:
    code, doc, stderr = described(chimenum, "+12065550102")
    assert code == 0, stderr  # the group's second connector still works: warnings only
    group = doc["Resolved"]["Associations"][0]["Target"]
    assert group["Kind"] == "VoiceConnectorGroup"
    west, main = group["Related"]
    assert (west["Id"], west["Status"], west["Region"]) == (demo.VC_WEST, "Found", "us-west-2")
    assert main["Region"] == "us-east-1"
    asked = [(r.operation, r.region) for r in fake.requests if r.operation == "GetVoiceConnector"]
    assert ("GetVoiceConnector", "us-east-1") in asked
    assert ("GetVoiceConnector", "us-west-2") in asked
    assert fake.count("ListAvailableVoiceConnectorRegions") == 1
    # Its origination and termination are read where it was found.
    assert {r.region for r in fake.requests if r.operation == "GetVoiceConnectorOrigination"} == {
        "us-east-1",
        "us-west-2",
    }
    assert codes(doc) == [("warning", "ORIGINATION_DISABLED"), ("warning", "TERMINATION_DISABLED")]
    assert west["ParentItem"] == {"VoiceConnectorId": demo.VC_WEST, "Priority": 1}
    assert "another target still works" in doc["Findings"][0]["Message"]
    assert chimenum("describe", "+12065550102", "--fail-on", "warning").exit_code == 15


def test_a_disabled_rule_whose_application_is_missing(fake: FakeChime, chimenum, voice) -> None:
    code, doc, _ = described(chimenum, "+12065550103")
    assert code == ExitCode.FINDINGS == 15
    rule = doc["Resolved"]["Associations"][0]["Target"]
    assert (rule["Kind"], rule["Resource"]["Disabled"]) == ("SipRule", True)
    (sma,) = rule["Related"]
    assert (sma["Kind"], sma["Status"]) == ("SipMediaApplication", "NotFound")
    assert sma["SearchedRegions"] == list(demo.VOICE_CONNECTOR_REGIONS)
    assert codes(doc) == [
        ("error", "SIP_RULE_DISABLED"),
        ("error", "SIP_MEDIA_APPLICATION_MISSING"),
    ]
    assert chimenum("describe", "+12065550103", "--fail-on", "never").exit_code == 0


def test_a_healthy_rule_leads_to_a_lambda(fake: FakeChime, chimenum, voice) -> None:
    code, doc, _ = described(chimenum, "+12065550110")
    rule = doc["Resolved"]["Associations"][0]["Target"]
    (sma,) = rule["Related"]
    assert sma["Resource"]["Endpoints"][0]["LambdaArn"].endswith(":function:old-ivr")
    assert codes(doc) == [("error", "NUMBER_DELETE_FAILED")]
    assert code == 15


def test_a_dangling_association_is_searched_in_every_region(
    fake: FakeChime, chimenum, voice
) -> None:
    code, doc, _ = described(chimenum, "+12065550108")
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["Related"]) == ("NotFound", [])
    assert len(target["SearchedRegions"]) == len(demo.VOICE_CONNECTOR_REGIONS)
    assert codes(doc) == [
        ("error", "NUMBER_PENDING_DELETION"),
        ("error", "DANGLING_ASSOCIATION"),
        ("warning", "NUMBER_STUCK_IN_PROGRESS"),
    ]
    assert code == 15


def test_not_permitted_is_a_warning_and_never_fails_the_number(
    fake: FakeChime, chimenum, voice
) -> None:
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "AccessDeniedException")
    code, doc, stderr = described(chimenum, "+12065550101")
    assert code == 0, stderr
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert (target["Status"], target["Error"]["Code"]) == ("NotPermitted", "AccessDeniedException")
    assert fake.count("ListAvailableVoiceConnectorRegions") == 0  # denied is not missing
    assert codes(doc) == [("warning", "NOT_PERMITTED")]
    fake.inject("phone-number-orders/5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01", "ForbiddenException")
    code, doc, _ = described(chimenum, "+12065550101", args=("--fail-on", "warning"))
    assert code == 15
    assert doc["Resolved"]["Order"]["Status"] == "NotPermitted"


def test_a_resource_that_cannot_be_read_fails_with_its_code(
    fake: FakeChime, chimenum, voice
) -> None:
    fake.inject(f"sip-rules/{demo.RULE_BROKEN}", "ServiceFailureException")
    code, doc, _ = described(chimenum, "+12065550103", args=("--max-attempts", "2"))
    assert code == ExitCode.SERVICE_FAILURE  # outranks the findings' 15
    assert doc["Resolved"]["Associations"][0]["Target"]["Status"] == "Failed"
    assert codes(doc) == [("warning", "LOOKUP_FAILED")]
    assert fake.count("GetSipRule") == 2


def test_a_number_that_cannot_be_fetched_keeps_gets_exit_code(
    fake: FakeChime, chimenum, voice
) -> None:
    code, doc, stderr = described(chimenum, "+12065550103", "+19995550100")
    assert code == ExitCode.NOT_FOUND
    assert [d["PhoneNumber"]["PhoneNumberId"] for d in doc["Descriptions"]] == ["%2B12065550103"]
    assert doc["PhoneNumberErrors"][0]["ErrorCode"] == "NotFoundException"
    assert "+19995550100" in stderr


def test_chime_resolves_accounts_users_and_voice_connectors(fake: FakeChime, chimenum) -> None:
    run = chimenum("describe", "+12065550100", "+12065550101", "--json")
    assert run.exit_code == 0, run.stderr
    first, second = json.loads(run.stdout)["Descriptions"]
    account, user = (a["Target"] for a in first["Resolved"]["Associations"])
    assert (account["Kind"], account["Resource"]["Name"]) == ("Account", "AnyCompany")
    assert (user["Kind"], user["Id"]) == ("User", demo.CHIME_USER)
    assert user["Resource"]["PrimaryEmail"] == "jane.doe@anycompany.example"
    assert account["Region"] is None
    connector = second["Resolved"]["Associations"][0]["Target"]
    assert (connector["Kind"], connector["Status"]) == ("VoiceConnector", "Found")
    by_operation = {r.operation: r for r in fake.requests}
    assert by_operation["GetAccount"].api == by_operation["GetUser"].api == "chime"
    assert by_operation["GetVoiceConnector"].api == "voice"
    assert by_operation["GetVoiceConnector"].region == "us-east-1"
    assert second["Resolved"]["Order"] is None  # chime numbers have no order


def number_with(fake: FakeChime, api: str, phone_id: str, **fields: Any) -> None:
    records = fake.records_for(api)
    records[phone_id] = {**records[phone_id], **fields}


def edit(fake: FakeChime, kind: str, resource_id: str, region: str = "us-east-1", **fields: Any):
    record = copy.deepcopy(fake.resources[region][(kind, resource_id)])
    record.update(fields)
    fake.put(region, kind, resource_id, record)


VOICE_CASES = [
        (lambda f: edit(f, "Origination", demo.VC_MAIN, Routes=[]), "+12065550101",
         ("error", "ORIGINATION_NO_ROUTES")),
        (lambda f: f.put("us-east-1", "Origination", demo.VC_MAIN, None), "+12065550101",
         ("error", "ORIGINATION_NOT_CONFIGURED")),
        (lambda f: edit(f, "Origination", demo.VC_MAIN, Disabled=True), "+12065550101",
         ("error", "ORIGINATION_DISABLED")),
        (lambda f: edit(f, "Termination", demo.VC_MAIN, Disabled=True), "+12065550101",
         ("warning", "TERMINATION_DISABLED")),
        (lambda f: edit(f, "VoiceConnector", demo.VC_MAIN, RequireEncryption=False),
         "+12065550101", ("info", "CONNECTOR_UNENCRYPTED")),
        (lambda f: edit(f, "VoiceConnectorGroup", demo.GROUP, VoiceConnectorItems=[]),
         "+12065550102", ("error", "GROUP_NO_CONNECTOR")),
        (lambda f: edit(f, "VoiceConnectorGroup", demo.GROUP, VoiceConnectorItems=[
            {"VoiceConnectorId": demo.VC_GONE, "Priority": 1}]), "+12065550102",
         ("error", "GROUP_CONNECTOR_MISSING")),
        (lambda f: edit(f, "SipRule", demo.RULE_OK, TargetApplications=[]), "+12065550110",
         ("error", "SIP_RULE_NO_TARGET")),
        (lambda f: edit(f, "SipRule", demo.RULE_OK, TriggerValue="+12065550199"), "+12065550110",
         ("warning", "SIP_RULE_OTHER_NUMBER")),
        (lambda f: edit(f, "SipMediaApplication", demo.SMA_OK, Endpoints=[]), "+12065550110",
         ("error", "SIP_MEDIA_APPLICATION_NO_ENDPOINT")),
        (lambda f: edit(f, "PhoneNumberOrder", "5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01",
                        Status="Partial", OrderedPhoneNumbers=[
                            {"E164PhoneNumber": "+12065550101", "Status": "Failed"}]),
         "+12065550101", ("warning", "ORDER_FAILED")),
        (lambda f: f.put("us-east-1", "PhoneNumberOrder", "5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01",
                         None), "+12065550101", ("info", "ORDER_NOT_FOUND")),
        (lambda f: None, "+18885550100", ("warning", "CALLING_NAME_UPDATE_FAILED")),
        (lambda f: None, "+18885550100", ("error", "NUMBER_UNASSIGNED")),
        (lambda f: None, "+12065550106", ("error", "NUMBER_ACQUIRE_FAILED")),
        (lambda f: None, "+12065550113", ("error", "NUMBER_PORTIN_CANCELLED")),
        (lambda f: None, "+12065550111", ("warning", "NUMBER_STUCK_IN_PROGRESS")),
]  # fmt: skip


@pytest.mark.parametrize(("setup", "number", "expected"), VOICE_CASES)
def test_voice_findings(fake: FakeChime, chimenum, voice, setup, number, expected) -> None:
    setup(fake)
    assert_finding(chimenum, number, expected)


CHIME_CASES = [
        (lambda f: edit(f, "Account", demo.CHIME_ACCOUNT, AccountStatus="Suspended"),
         "+12065550100", ("warning", "ACCOUNT_SUSPENDED")),
        (lambda f: edit(f, "User", demo.CHIME_USER, UserRegistrationStatus="Suspended"),
         "+12065550100", ("warning", "USER_SUSPENDED")),
        (lambda f: f.put("us-east-1", "User", demo.CHIME_USER, None), "+12065550100",
         ("error", "DANGLING_ASSOCIATION")),
        (lambda f: None, "+12065550109", ("error", "NUMBER_RELEASE_FAILED")),
        (lambda f: None, "+12065550107", ("error", "NUMBER_PENDING_DELETION")),
]  # fmt: skip


@pytest.mark.parametrize(("setup", "number", "expected"), CHIME_CASES)
def test_chime_findings(fake: FakeChime, chimenum, setup, number, expected) -> None:
    setup(fake)
    _, doc, _ = described(chimenum, number)
    assert expected in codes(doc), doc["Findings"]


def test_a_port_in_is_stuck_only_past_its_foc_date(fake: FakeChime, chimenum, voice) -> None:
    """A port-in takes weeks: updated long ago, without a FOC date, it is not stuck."""
    _, doc, _ = described(chimenum, "+12065550112")  # its order has no FocDate
    assert codes(doc) == [("error", "NUMBER_NOT_YET_ACTIVE")]
    _, doc, _ = described(chimenum, "+12065550111")  # FOC 2024-06-20, long past
    assert ("warning", "NUMBER_STUCK_IN_PROGRESS") in codes(doc)
    assert "FOC date 2024-06-20" in " ".join(f["Message"] for f in doc["Findings"])


def test_csv_and_ndjson(fake: FakeChime, chimenum, voice) -> None:
    import csv
    import io

    run = chimenum("describe", "+12065550101", "+12065550103", "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["PhoneNumberId"], r["Code"]) for r in rows] == [
        ("+12065550103", "SIP_RULE_DISABLED"),
        ("+12065550103", "SIP_MEDIA_APPLICATION_MISSING"),
    ]
    assert rows[0]["ResourceKind"] == "SipRule" and rows[0]["ResourceId"] == demo.RULE_BROKEN
    run = chimenum("describe", "+12065550101", "+19995550100", "-o", "ndjson")
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert set(first) == {"PhoneNumber", "Resolved", "Findings"}
    assert second["ErrorCode"] == "NotFoundException"


def test_the_tree_shows_the_path_of_a_call(fake: FakeChime, chimenum, voice) -> None:
    run = chimenum("describe", "+12065550101", "+12065550103")
    assert run.exit_code == 15
    out = run.stdout
    assert "VoiceConnectorId → voice connector abcdef1ghij2klmno3pqr4" in out
    assert "route sip1.anycompany.example:5061 TCP" in out
    assert "SIP media application 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a10" in out
    assert "not found (searched 10 regions)" in out
    assert "SIP_RULE_DISABLED" in out and "\x1b[" not in out


def without_ping_times(doc: Any) -> Any:
    """The document with every termination health's time left out: the demo's PBX pinged half
    a minute before the demo started, so that time is the one value of the demo that moves."""
    if isinstance(doc, dict):
        if doc.get("Kind") == "TerminationHealth" and doc.get("Resource"):
            doc = {**doc, "Resource": {**doc["Resource"], "Timestamp": "(moves)"}}
        return {k: without_ping_times(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [without_ping_times(v) for v in doc]
    return doc


def test_the_json_of_the_demo_is_pinned(fake: FakeChime, chimenum, voice) -> None:
    """The documented schema, pinned: a change to it must change this golden file on purpose."""
    run = chimenum("describe", "+12065550101", "+12065550102", "+12065550103", "--tags", "--json")
    assert without_ping_times(json.loads(run.stdout)) == json.loads(GOLDEN.read_text())


def our_fields(description: dict[str, Any]) -> set[str]:
    """The field names chimenum defines (not the API's own objects under Resource)."""
    resolved = description["Resolved"]
    fields = set(description) | set(resolved)
    nodes = [a["Target"] for a in resolved["Associations"]]
    nodes += [n for n in (resolved["Order"], resolved["Tags"]) if n]
    for association in resolved["Associations"]:
        fields |= set(association)
    while nodes:
        current = nodes.pop()
        fields |= set(current) | set(current["Error"] or {})
        nodes += current["Related"]
    for item in description["Findings"]:
        fields |= set(item)
    return fields


def test_every_field_and_code_is_documented(fake: FakeChime, chimenum, voice) -> None:
    text = DOCS.read_text()
    fake.inject(f"sip-rules/{demo.RULE_BROKEN}", "AccessDeniedException")  # an Error object
    doc = json.loads(
        chimenum("describe", "+12065550101", "+12065550103", "--tags", "--json").stdout
    )
    for name in ("Descriptions", "PhoneNumberErrors"):
        assert f"`{name}`" in text, name
    for description in doc["Descriptions"]:
        for name in our_fields(description):
            assert f"`{name}`" in text, name
    for code, entry in CODES.items():
        assert f"| `{code}` | {entry.describe} | {entry.audit} |" in text, code


def test_one_session_per_run_credentials_resolved_once(
    fake: FakeChime, chimenum, voice, monkeypatch: pytest.MonkeyPatch, aws_env: Path
) -> None:
    """Clients for other regions share the run's session: the credential_process runs once,
    however many regions a dangling association is looked for in."""
    import sys

    calls = aws_env / "credential-calls"
    script = aws_env / "creds.py"
    script.write_text(
        "import json, pathlib\n"
        f"with pathlib.Path({str(calls)!r}).open('a') as f: f.write('x')\n"
        'print(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s"}))\n'
    )
    (aws_env / "aws-config").write_text(
        f"[profile proc]\ncredential_process = {sys.executable} {script}\n"
    )
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, doc, stderr = described(chimenum, "+12065550108", args=("--profile", "proc"))
    assert code == 15, stderr
    target = doc["Resolved"]["Associations"][0]["Target"]
    assert len(target["SearchedRegions"]) == len(demo.VOICE_CONNECTOR_REGIONS)
    assert calls.read_text() == "x"
