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
