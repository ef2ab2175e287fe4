"""The one command skeleton, through the CLI, botocore and the fake: failures keep their exit
codes from the request to the exit status, diagnostics are made inert once, ids are read one way
and every command ends the same way when told to stop."""

from __future__ import annotations

import json

import pytest

from chimenum.core.errors import ExitCode
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime

#: A voice number whose SIP rule (demo.RULE_BROKEN) every describe and audit reads.
ON_BROKEN_RULE = "+12065550103"
VOICE = ("--api", "voice", "--region", "us-east-1")

# -- failures travel as failures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "code", "shown"),
    [
        # A front end's rate limit: no AWS error code, only the status says "throttled".
        ("bare-429", ExitCode.THROTTLED, "429"),
        ("BadRequestException", ExitCode.BAD_REQUEST, "BadRequestException"),
    ],
)
@pytest.mark.parametrize("command", ["describe", "audit"])
def test_a_related_lookup_fails_with_its_own_exit_code(
    fake: FakeChime, chimenum, command: str, fault: str, code: ExitCode, shown: str
) -> None:
    fake.inject(f"sip-rules/{demo.RULE_BROKEN}", fault)
    args = [ON_BROKEN_RULE] if command == "describe" else []
    run = chimenum(*VOICE, command, *args, "--json", "--max-attempts", "1", "--fail-on", "never")
    assert run.exit_code == code, run.stderr
    doc = json.loads(run.stdout)
    nodes = (
        [
            association["Target"]
            for number in (doc["Described"] if command == "audit" else [doc])
            for association in number["Resolved"]["Associations"]
        ]
        if command == "describe"
        else []
    )
    for node in nodes:
        # The document is as documented: the failure's code and message, nothing more.
        assert node["Status"] == "Failed"
        assert set(node["Error"]) == {"Code", "Message"}
        assert node["Error"]["Code"] == shown
    if command == "audit":
        assert doc["Summary"]["FindingsByCode"]["LOOKUP_FAILED"] >= 1
