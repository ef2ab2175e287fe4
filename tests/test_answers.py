"""No answer's content can kill the run or its memory (issue 18, points 3, 4, 5 and 11).

A null list item, a related answer about another resource, region names that are not region
names or too many of them, error messages of any size: each is that lookup's failure or is
skipped with one line, through the real stack (CLI, botocore, the loopback fake), and every id
asked for is still there.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chimenum.core.errors import MESSAGE_LIMIT, ExitCode
from chimenum.core.findings.rules import FINDING_MESSAGE_LIMIT
from chimenum.core.resources import MAX_REGIONS
from chimenum.demo import resources as demo
from chimenum.demo import voice_arn
from testing.fakechime import FakeChime
from testing.fakechime.related import LISTS, about_another, with_null_item
from tests.describing import codes, described

HOME = demo.HOME_REGION

#: kind -> (the number whose describe reads it, the resource id)
READ_BY = {
    "Origination": ("+12065550101", demo.VC_MAIN),
    "Termination": ("+12065550101", demo.VC_MAIN),
    "VoiceConnectorGroup": ("+12065550102", demo.GROUP),
    "SipRule": ("+12065550110", demo.RULE_OK),
    "SipMediaApplication": ("+12065550110", demo.SMA_OK),
    "Tags": ("+12065550101", voice_arn("+12065550101")),
}
#: Another number described in the same run, untouched by the bad answer.
BYSTANDER = "+12065550106"


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


def failed_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node under ``node`` (itself included) whose lookup failed."""
    found = [node] if node.get("Status") == "Failed" else []
    for related in node.get("Related") or []:
        found += failed_nodes(related)
    return found


def failed_in(doc: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = doc["Resolved"]
    roots = [a["Target"] for a in resolved["Associations"] if a.get("Target")]
    roots += [n for n in (resolved.get("Order"), resolved.get("Tags")) if n]
    return [failed for root in roots for failed in failed_nodes(root)]


@pytest.mark.parametrize(("kind", "member"), LISTS, ids=[f"{k}.{m}" for k, m in LISTS])
def test_a_null_item_is_that_lookups_bad_answer(
    fake: FakeChime, chimenum: Any, voice: None, kind: str, member: str | None
) -> None:
    number, resource_id = READ_BY[kind]
    with_null_item(fake, HOME, kind, resource_id, member)
    run = chimenum("describe", number, BYSTANDER, "--json", "--tags")
    no_traceback(run.stderr)
    assert run.exit_code == ExitCode.BAD_RESPONSE, run.stderr
    docs = json.loads(run.stdout)["Descriptions"]
    assert [d["PhoneNumber"]["E164PhoneNumber"] for d in docs] == [number, BYSTANDER]
    (failed,) = failed_in(docs[0])
    assert (failed["Kind"], failed["Id"]) == (kind, resource_id)
    assert failed["Error"]["Code"] == "InvalidResponse"
    assert "[0] should be a " in failed["Error"]["Message"]
    assert "got null" in failed["Error"]["Message"]
    assert ("warning", "LOOKUP_FAILED") in codes(docs[0])
    assert not failed_in(docs[1])


def test_a_null_item_in_audit_is_a_finding_and_the_summary_is_printed(
    fake: FakeChime, chimenum: Any, voice: None
) -> None:
    with_null_item(fake, HOME, "Origination", demo.VC_MAIN, "Routes")
    run = chimenum("audit", "--json")
    no_traceback(run.stderr)
    assert run.exit_code == ExitCode.BAD_RESPONSE, run.stderr
    doc = json.loads(run.stdout)
    assert doc["Summary"]["Numbers"] == len(fake.records_for("voice"))
    assert doc["Summary"]["Complete"] is True
    failed = [f for f in doc["Findings"] if f["Code"] == "LOOKUP_FAILED"]
    assert {f["ResourceKind"] for f in failed} == {"Origination"}


def null_association(fake: FakeChime, number: str) -> None:
    record = fake.records_for("voice")[number]
    record["Associations"] = [None, *record["Associations"]]


@pytest.mark.parametrize("command", ["get", "describe"])
def test_a_null_association_is_that_numbers_bad_answer(
    fake: FakeChime, chimenum: Any, voice: None, command: str
) -> None:
    null_association(fake, "+12065550101")
    run = chimenum(command, "+12065550101", BYSTANDER, "--json")
    no_traceback(run.stderr)
    assert run.exit_code == ExitCode.BAD_RESPONSE, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("chimenum: error: +12065550101: InvalidResponse: ")
    assert "response.PhoneNumber.Associations[0] should be a structure, got null" in line
    assert BYSTANDER in run.stdout and "+12065550101" in run.stdout


def test_a_null_association_in_a_listing_stops_audit_with_its_summary(
    fake: FakeChime, chimenum: Any, voice: None
) -> None:
    null_association(fake, "+12065550101")
    run = chimenum("audit", "--json")
    no_traceback(run.stderr)
    assert run.exit_code == ExitCode.BAD_RESPONSE, run.stderr
    (line,) = run.stderr.splitlines()
    assert "listing stopped" in line and "Associations[0] should be a structure, got null" in line
    assert json.loads(run.stdout)["Summary"]["Complete"] is False


#: kind -> the id member of its answer object (the request's id parameter)
ID_MEMBERS = {
    "VoiceConnector": ("+12065550101", demo.VC_MAIN, "VoiceConnectorId"),
    "VoiceConnectorGroup": ("+12065550102", demo.GROUP, "VoiceConnectorGroupId"),
    "SipRule": ("+12065550110", demo.RULE_OK, "SipRuleId"),
    "SipMediaApplication": ("+12065550110", demo.SMA_OK, "SipMediaApplicationId"),
}


@pytest.mark.parametrize("kind", sorted(ID_MEMBERS))
def test_a_related_answer_about_another_id_is_that_lookups_bad_answer(
    fake: FakeChime, chimenum: Any, voice: None, kind: str
) -> None:
    number, resource_id, member = ID_MEMBERS[kind]
    other = about_another(fake, HOME, kind, resource_id, member)
    code, doc, stderr = described(chimenum, number)
    no_traceback(stderr)
    assert code == ExitCode.BAD_RESPONSE, stderr
    (failed,) = failed_in(doc)
    assert (failed["Kind"], failed["Id"], failed["Resource"]) == (kind, resource_id, None)
    message = failed["Error"]["Message"]
    assert f"asked for {resource_id} but the answer's {member} is {other!r}" in message
    assert ("warning", "LOOKUP_FAILED") in codes(doc)


def test_an_order_about_another_id_is_that_lookups_bad_answer(
    fake: FakeChime, chimenum: Any, voice: None
) -> None:
    order_id = fake.records_for("voice")["+12065550101"]["OrderId"]
    about_another(fake, HOME, "PhoneNumberOrder", order_id, "PhoneNumberOrderId")
    code, doc, stderr = described(chimenum, "+12065550101")
    assert code == ExitCode.BAD_RESPONSE, stderr
    assert doc["Resolved"]["Order"]["Status"] == "Failed"
    assert "the answer's PhoneNumberOrderId is" in doc["Resolved"]["Order"]["Error"]["Message"]


def test_an_invalid_region_name_is_skipped_and_said_once(
    fake: FakeChime, chimenum: Any, voice: None
) -> None:
    fake.voice_regions = ["us-east-1", "../../x", "http://evil.example/", "us-west-2"]
    # +12065550102's group leads to a connector only us-west-2 has; +12065550108's connector
    # is in no region: both search past the bad names.
    run = chimenum("describe", "+12065550102", "+12065550108", "--json")
    no_traceback(run.stderr)
    (line,) = run.stderr.splitlines()
    assert line == "chimenum: ListAvailableVoiceConnectorRegions: 2 invalid region names skipped"
    docs = json.loads(run.stdout)["Descriptions"]
    group = docs[0]["Resolved"]["Associations"][0]["Target"]
    west = group["Related"][0]
    assert (west["Id"], west["Status"], west["Region"]) == (demo.VC_WEST, "Found", "us-west-2")
    gone = docs[1]["Resolved"]["Associations"][0]["Target"]
    assert (gone["Status"], gone["SearchedRegions"]) == ("NotFound", ["us-east-1", "us-west-2"])
    assert {r.region for r in fake.requests} <= {"us-east-1", "us-west-2"}
    assert run.exit_code == 15  # the findings of a run that read every region it could


@pytest.mark.slow
def test_thousands_of_region_names_are_capped(fake: FakeChime, chimenum: Any, voice: None) -> None:
    # 3,001 distinct names of the region form: zz-aa-0 ... zz-eb-99.
    names = ["us-east-1"] + [f"zz-{chr(97 + n // 2600)}{chr(97 + n // 100 % 26)}-{n % 100}"
                             for n in range(3000)]  # fmt: skip
    fake.voice_regions = names
    run = chimenum("describe", "+12065550108", "--json")
    no_traceback(run.stderr)
    (line,) = run.stderr.splitlines()
    assert line == (
        f"chimenum: ListAvailableVoiceConnectorRegions: only the first {MAX_REGIONS}"
        " of 3001 regions searched"
    )
    gone = json.loads(run.stdout)["Resolved"]["Associations"][0]["Target"]
    assert gone["SearchedRegions"] == names[:MAX_REGIONS]
    assert fake.count("GetVoiceConnector") == MAX_REGIONS


HUGE = "y" * 100_000


def test_a_huge_error_message_is_kept_cut(fake: FakeChime, chimenum: Any, voice: None) -> None:
    order_id = fake.records_for("voice")["+12065550101"]["OrderId"]
    fake.inject(f"phone-number-orders/{order_id}", "ServiceFailureException", message=HUGE)
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "ServiceFailureException", message=HUGE)
    code, doc, stderr = described(chimenum, "+12065550101", args=("--max-attempts", "1"))
    no_traceback(stderr)
    assert code == ExitCode.SERVICE_FAILURE, stderr
    failed = failed_in(doc)
    assert {n["Kind"] for n in failed} == {"VoiceConnector", "PhoneNumberOrder"}
    for node in failed:
        message = node["Error"]["Message"]
        assert len(message) == MESSAGE_LIMIT and message.endswith("y...")
    lookups = [f for f in doc["Findings"] if f["Code"] == "LOOKUP_FAILED"]
    assert len(lookups) == 2
    assert all(len(f["Message"]) <= FINDING_MESSAGE_LIMIT for f in lookups)


def test_a_huge_error_message_for_a_number_is_one_cut_line(
    fake: FakeChime, chimenum: Any, voice: None
) -> None:
    fake.inject("+12065550101", "NotFoundException", message=HUGE)
    run = chimenum("get", "+12065550101", BYSTANDER, "--json")
    assert run.exit_code == ExitCode.NOT_FOUND
    (line,) = run.stderr.splitlines()
    assert line.startswith("chimenum: error: +12065550101: NotFoundException: yyy")
    assert len(line) < MESSAGE_LIMIT + 100
    assert BYSTANDER in run.stdout
