"""The one concurrency engine (chimenum/core/pool.py), through the CLI: a retry waits in the
queue, not in a worker, for `get` and for `describe`'s related lookups alike.

The throttles carry ``Retry-After: 1``, a lower bound on when the retry may go: the order of the
requests at the fake is then fixed whatever the machine's speed (the next id is taken at once,
the retry only a second later), and no assertion is about time.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from chimenum.core.pool import SWITCH_INTERVAL
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime

A, B, C = "+12065550100", "+12065550101", "+12065550102"


def asked(fake: FakeChime, operation: str) -> list[str | None]:
    return [r.phone_number_id for r in fake.requests if r.operation == operation]


def test_a_throttled_id_does_not_hold_back_the_next_one(fake: FakeChime, chimenum) -> None:
    """With one request in flight at a time, the throttled first id is tried again after the
    others, yet printed first: a worker sleeping through its backoff would ask A, A, B, C."""
    fake.inject(A, "retry-after", message="1", times=1)
    run = chimenum("get", A, B, C, "--concurrency", "1", "-o", "ndjson")
    assert run.exit_code == 0, run.stderr
    assert asked(fake, "GetPhoneNumber") == [A, B, C, A]
    printed = [json.loads(line)["PhoneNumber"]["E164PhoneNumber"] for line in run.stdout.split()]
    assert printed == [A, B, C]


def test_a_lookup_to_retry_puts_its_number_back_in_the_queue(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    """describe: the voice connector both numbers lead to is throttled once. The first number's
    job goes back in the queue (the second number is fetched meanwhile), its number is not
    fetched again when it resumes, and the connector is asked for once more, not once per
    number that waited for it."""
    monkeypatch.setenv("CHIMENUM_API", "voice")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    fake.inject(f"voice-connectors/{demo.VC_MAIN}", "retry-after", message="1", times=1)
    second = "+18005550100"
    run = chimenum("describe", B, second, "--concurrency", "1", "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [d["PhoneNumber"]["E164PhoneNumber"] for d in doc["Descriptions"]] == [B, second]
    connector = doc["Descriptions"][0]["Resolved"]["Associations"][0]["Target"]
    assert connector["Status"] == "Found"
    operations = [r.operation for r in fake.requests]
    assert operations.count("GetPhoneNumber") == 2
    assert operations.count("GetVoiceConnector") == 2
    # The throttled connector, then the second number, then the connector again.
    first_vc = operations.index("GetVoiceConnector")
    assert operations.index("GetPhoneNumber", first_vc) < operations.index(
        "GetVoiceConnector", first_vc + 1
    )


class _NotingIntervals(list[Any]):
    """The fake's request log, noting the interpreter's switch interval as each request
    arrives (the fake serves from this process, so it sees the one chimenum set)."""

    def __init__(self) -> None:
        super().__init__()
        self.intervals: list[float] = []

    def append(self, item: Any) -> None:
        self.intervals.append(sys.getswitchinterval())
        super().append(item)


def test_workers_run_with_a_longer_switch_interval_put_back_after(
    fake: FakeChime, chimenum
) -> None:
    """While a batch's workers run, the switch interval is the engine's (fewer forced hand-overs
    of the interpreter lock mid-parse); after the run, and for one id fetched on the calling
    thread, it is what it was."""
    before = sys.getswitchinterval()
    log = fake.requests = _NotingIntervals()
    run = chimenum("get", A, B, C, "--concurrency", "3", "-o", "ndjson")
    assert run.exit_code == 0, run.stderr
    assert log.intervals == [max(before, SWITCH_INTERVAL)] * 3
    assert sys.getswitchinterval() == before
    log.intervals.clear()
    run = chimenum("get", A, "-o", "ndjson")
    assert run.exit_code == 0, run.stderr
    assert log.intervals == [before]
    assert sys.getswitchinterval() == before
