"""`describe` and `audit` bounded: caps on what one answer fans out to, a deadline per number,
and a related endpoint that fails by name, through the CLI, botocore and the loopback fake.

The wide answers hold 1,000 items, ten times their cap or more and far below any answer size
limit (core/wire.py): a bigger one would prove nothing more.

Deadlines are injected (`--number-timeout`, `--read-timeout`); no test times anything. The
console script runs in a subprocess where a hang would otherwise hold the suite: its timeout is
generous and only catches a hang.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chimenum.core.errors import ExitCode
from chimenum.core.settings import (
    LOOKUPS_PER_NUMBER,
    MAX_GROUP_CONNECTORS,
    MAX_ORIGINATION_ROUTES,
    MAX_RULE_TARGETS,
)
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime
from testing.fakechime.related import wide_group, wide_rule
from tests.describing import codes, described

#: Seconds a subprocess may take before the test calls it hung: far above any healthy run.
HUNG = 120


def run_exe(exe: str, *args: str) -> tuple[int, Any, str]:
    done = subprocess.run(
        [exe, *args], capture_output=True, text=True, timeout=HUNG, env=dict(os.environ)
    )
    doc = json.loads(done.stdout) if done.stdout else None
    return done.returncode, doc, done.stderr


def findings(doc: dict[str, Any], code: str) -> list[dict[str, str]]:
    return [f for f in doc["Findings"] if f["Code"] == code]


@pytest.mark.slow
def test_a_rule_with_1000_targets_follows_25_and_says_so(
    fake: FakeChime, voice: None, chimenum_exe: str
) -> None:
    ids = wide_rule(fake, demo.RULE_OK, 1_000)
    code, doc, stderr = run_exe(chimenum_exe, "describe", "+12065550110", "--json")
    # The demo's number is DeleteFailed (an error); the cap itself is a warning.
    assert code == ExitCode.FINDINGS, stderr
    assert codes(doc)[0] == ("error", "NUMBER_DELETE_FAILED")
    assert "Traceback" not in stderr
    rule = doc["Resolved"]["Associations"][0]["Target"]
    assert rule["Status"] == "Found"
    assert [n["Id"] for n in rule["Related"]] == ids[:MAX_RULE_TARGETS]
    assert fake.count("GetSipMediaApplication") == MAX_RULE_TARGETS
    (capped,) = findings(doc, "FANOUT_CAPPED")
    assert capped["Severity"] == "warning" and capped["ResourceKind"] == "SipRule"
    assert "1000 target applications: only the first 25 were followed" in capped["Message"]


@pytest.mark.slow
def test_a_group_of_1000_connectors_follows_100_and_says_so(
    fake: FakeChime, voice: None, chimenum_exe: str
) -> None:
    ids = wide_group(fake, demo.GROUP, 1_000)
    code, doc, stderr = run_exe(chimenum_exe, "describe", "+12065550102", "--json")
    assert code == 0, stderr
    group = doc["Resolved"]["Associations"][0]["Target"]
    assert [n["Id"] for n in group["Related"]] == ids[:MAX_GROUP_CONNECTORS]
    assert all(n["Status"] == "Found" for n in group["Related"])
    assert fake.count("GetVoiceConnector") == MAX_GROUP_CONNECTORS
    (capped,) = findings(doc, "FANOUT_CAPPED")
    assert capped["ResourceKind"] == "VoiceConnectorGroup"
    assert "1000 voice connectors: only the first 100 were followed" in capped["Message"]


def test_routes_past_the_cap_are_not_checked(fake: FakeChime, voice: None, chimenum) -> None:
    routes = [
        {"Host": f"sip{n}.anycompany.example", "Port": 5060, "Protocol": "UDP", "Priority": 1,
         "Weight": 1}
        for n in range(MAX_ORIGINATION_ROUTES + 50)
    ]  # fmt: skip
    origination = fake.resource(demo.HOME_REGION, "Origination", demo.VC_MAIN)
    fake.put(demo.HOME_REGION, "Origination", demo.VC_MAIN, {**origination, "Routes": routes})
    code, doc, stderr = described(chimenum, "+12065550101")
    assert code == 0, stderr  # warnings only
    assert len(findings(doc, "ORIGINATION_ROUTE_UNENCRYPTED")) == MAX_ORIGINATION_ROUTES
    assert ("warning", "FANOUT_CAPPED") in codes(doc)
    (capped,) = findings(doc, "FANOUT_CAPPED")
    assert capped["ResourceKind"] == "Origination"
    assert "150 routes: only the first 100 were checked, not the other 50" in capped["Message"]


def hang(fake: FakeChime, connectors: list[str]) -> None:
    """Every ``GetVoiceConnector`` of ``connectors`` hangs until the fake stops."""
    for connector in connectors:
        fake.inject(f"voice-connectors/{connector}", "slow", delay=HUNG)


@pytest.mark.slow
def test_hanging_connectors_end_at_the_number_deadline_with_the_rest(
    fake: FakeChime, voice: None, chimenum_exe: str
) -> None:
    hang(fake, wide_group(fake, demo.GROUP, 20))
    code, doc, stderr = run_exe(
        chimenum_exe, "describe", "+12065550102", "--json", "--number-timeout", "1"
    )
    assert code == ExitCode.NETWORK, stderr
    assert "Traceback" not in stderr
    group = doc["Resolved"]["Associations"][0]["Target"]
    assert group["Status"] == "Found" and len(group["Related"]) == 20
    for connector in group["Related"]:
        assert (connector["Status"], connector["Error"]["Code"]) == ("Failed", "NumberTimeout")
    # What was resolved is kept: the number's order was read meanwhile.
    assert doc["Resolved"]["Order"]["Status"] == "Found"
    late = findings(doc, "LOOKUP_FAILED")
    assert len(late) == 20
    assert "not read within --number-timeout (1 s)" in late[0]["Message"]


@pytest.mark.slow
def test_hanging_connectors_are_read_at_once_each_within_the_read_timeout(
    fake: FakeChime, voice: None, chimenum_exe: str
) -> None:
    hang(fake, wide_group(fake, demo.GROUP, 20))
    code, doc, stderr = run_exe(
        chimenum_exe, "--read-timeout", "0.5", "describe", "+12065550102", "--json"
    )
    assert code == ExitCode.NETWORK, stderr
    group = doc["Resolved"]["Associations"][0]["Target"]
    assert [c["Error"]["Code"] for c in group["Related"]] == ["NetworkError"] * 20
    assert fake.count("GetVoiceConnector") == 20  # a read timeout is not retried
    assert ("warning", "LOOKUP_FAILED") in codes(doc)


@pytest.mark.slow
def test_a_numbers_lookups_are_in_flight_together(
    fake: FakeChime, voice: None, chimenum_exe: str
) -> None:
    """The held connectors are answered only once LOOKUPS_PER_NUMBER of them were asked at
    the same time: one after the other, the first would be held until the test gives up."""
    hang(fake, wide_group(fake, demo.GROUP, 20))
    with subprocess.Popen(
        [chimenum_exe, "describe", "+12065550102", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    ) as proc:
        try:
            together = wait_for(lambda: fake.count("GetVoiceConnector") >= LOOKUPS_PER_NUMBER)
        finally:
            fake.released.set()
        stdout, stderr = proc.communicate(timeout=HUNG)
    assert together, "the connectors were not asked for at once"
    assert proc.returncode == 0, stderr
    group = json.loads(stdout)["Resolved"]["Associations"][0]["Target"]
    assert [c["Status"] for c in group["Related"]] == ["Found"] * 20


def wait_for(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` came true before the test gave up (a bound on a hang, not a
    timing: it is checked every few milliseconds)."""
    ended = threading.Event()
    for _ in range(HUNG * 100):
        if condition():
            return True
        ended.wait(0.01)
    return False


@pytest.fixture
def refused() -> Iterator[str]:
    """A loopback URL whose port refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_an_unreachable_voice_endpoint_is_named_and_the_numbers_printed(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", refused)
    code, doc, stderr = described(chimenum, "+12065550101", "+12065550102", "+12065550104")
    assert code == ExitCode.NETWORK, stderr
    assert "Traceback" not in stderr
    assert len(doc["Descriptions"]) == 3 and doc["PhoneNumberErrors"] == []
    failed = [f for d in doc["Descriptions"] for f in findings(d, "LOOKUP_FAILED")]
    assert len(failed) == 2
    for finding in failed:
        assert (
            f"Chime SDK Voice at {refused} (us-east-1) could not be reached" in (finding["Message"])
        )
    # Findings that need no lookup are still made.
    assert ("error", "NUMBER_UNASSIGNED") in codes(doc["Descriptions"][2])


def test_audit_goes_on_past_an_unreachable_voice_endpoint(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", refused)
    run = chimenum("audit", "--json")
    assert run.exit_code == ExitCode.NETWORK, run.stderr
    doc = json.loads(run.stdout)
    assert doc["Summary"]["Numbers"] == len(fake.records)
    assert doc["Summary"]["FindingsByCode"]["LOOKUP_FAILED"] >= 1
    assert any(refused in f["Message"] for f in doc["Findings"] if f["Code"] == "LOOKUP_FAILED")


def test_expired_credentials_in_one_region_fail_that_lookup_by_name(
    fake: FakeChime, voice: None, chimenum
) -> None:
    fake.inject(f"voice-connectors/{demo.VC_WEST}", "ExpiredTokenException", region="us-west-2")
    run = chimenum("audit", "--json")
    assert run.exit_code == ExitCode.CONFIG, run.stderr
    assert "Traceback" not in run.stderr
    doc = json.loads(run.stdout)
    assert doc["Summary"]["Numbers"] == len(fake.records_for("voice"))
    (expired,) = [
        f
        for f in doc["Findings"]
        if f["Code"] == "LOOKUP_FAILED" and f["ResourceId"] == demo.VC_WEST
    ]
    assert "Chime SDK Voice at" in expired["Message"]
    assert "(us-west-2) refused the credentials" in expired["Message"]
    assert "ExpiredTokenException" in expired["Message"]
    # The rest was described: the group's other connector, in the home region, was read.
    assert fake.count("GetVoiceConnectorOrigination") >= 1


def test_the_wide_answers_are_model_valid(fake: FakeChime) -> None:
    """Past the caps, but valid: the model's list limits are request-side."""
    from tests.test_model_valid import walk

    wide_rule(fake, demo.RULE_OK, MAX_RULE_TARGETS + 5)
    wide_group(fake, demo.GROUP, MAX_GROUP_CONNECTORS + 5)
    assert walk(fake) > MAX_GROUP_CONNECTORS * 4
