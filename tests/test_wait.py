"""`chimenum wait`: polling the fake while it moves numbers through statuses."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pexpect
import ptys
import pytest

from testing.fakechime import FakeChime

FAST = ("--interval", "0.05")


def lines(out: str) -> list[list[str]]:
    """The piped display: "SECONDS ID STATUS [state]" per change, without the seconds."""
    parsed = [line.split() for line in out.splitlines()]
    assert all(re.fullmatch(r"\d+\.\d+s", fields[0]) for fields in parsed), out
    return [fields[1:] for fields in parsed]


def test_waits_until_the_status_is_reached(fake: FakeChime, chimenum) -> None:
    fake.move("+12065550105", "Assigned", after_requests=3)
    run = chimenum("wait", "+12065550105", "--status", "Assigned", *FAST)
    assert run.exit_code == 0, run.stderr
    assert lines(run.stdout) == [
        ["+12065550105", "AcquireInProgress"],
        ["+12065550105", "Assigned", "reached"],
    ]
    assert fake.requested_ids() == ["+12065550105"] * 4
    assert run.stderr == ""


def test_changes_at_different_polls_and_several_ids(fake: FakeChime, chimenum) -> None:
    # Counted in polls, not seconds: one id is reached while another still waits.
    fake.move("+12065550105", "Assigned", after_requests=2)
    fake.move("+12065550107", "Unassigned", after_requests=5)
    run = chimenum(
        "wait",
        "+12065550105",
        "+12065550107",
        "+12065550100",
        "--status",
        "Assigned",
        "--status",
        "Unassigned",
        *FAST,
    )
    assert run.exit_code == 0, run.stderr
    changes = lines(run.stdout)
    last = {fields[0]: fields[1:] for fields in changes}
    assert last == {
        "+12065550100": ["Assigned", "reached"],
        "+12065550105": ["Assigned", "reached"],
        "+12065550107": ["Unassigned", "reached"],
    }
    assert ["+12065550105", "AcquireInProgress"] in changes
    seconds = [float(line.split()[0][:-1]) for line in run.stdout.splitlines()]
    assert seconds == sorted(seconds)
    # A number is not polled again once it is done.
    assert fake.requested_ids().count("+12065550100") == 1
    assert fake.requested_ids().count("+12065550105") == 3


def test_intermediate_statuses_are_each_shown(fake: FakeChime, chimenum) -> None:
    fake.move("+12065550104", "AcquireInProgress", after_requests=1)
    fake.move("+12065550104", "Assigned", after_requests=3)
    run = chimenum("wait", "+12065550104", "--status", "Assigned", *FAST)
    assert run.exit_code == 0
    assert [fields[1] for fields in lines(run.stdout)] == [
        "Unassigned",
        "AcquireInProgress",
        "Assigned",
    ]


def test_timeout_is_exit_13(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550105", "+12065550100", "--status", "Assigned",
                   "--timeout", "0.3", *FAST)  # fmt: skip
    assert run.exit_code == 13
    assert run.stderr == (
        "chimenum: timed out after 0.3s waiting for Assigned: +12065550105 is AcquireInProgress\n"
    )
    # The first poll and the last one at the deadline, whatever the machine's speed; never more
    # than the interval allows.
    polls = fake.requested_ids().count("+12065550105")
    assert 2 <= polls <= 0.3 / 0.05 + 2


def test_timeout_zero_polls_once(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550105", "--status", "Assigned", "--timeout", "0")
    assert run.exit_code == 13
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("start", "failed"),
    [
        ("+12065550105", "AcquireFailed"),
        ("+12065550108", "DeleteFailed"),
        ("+12065550107", "ReleaseFailed"),
    ],
)
def test_landing_in_a_failed_state_is_exit_14(
    fake: FakeChime, chimenum, start: str, failed: str
) -> None:
    fake.move(start, failed, after_requests=2)
    run = chimenum("wait", start, "--status", "Assigned", "--status", "Unassigned",
                   "--timeout", "30", *FAST)  # fmt: skip
    assert run.exit_code == 14
    assert lines(run.stdout)[-1] == [start, failed, "failed"]
    assert run.stderr == (
        f"chimenum: {start} is {failed}, a failed state that cannot become Assigned or Unassigned\n"
    )
    assert len(fake.requests) == 3  # it stopped at once, long before the timeout


def test_already_failed_is_exit_14_at_once(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550106", "+12065550105", "--status", "Assigned")
    assert run.exit_code == 14
    assert "+12065550106 is AcquireFailed" in run.stderr


def test_a_failed_state_that_is_wanted_is_success(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550106", "--status", "AcquireFailed")
    assert run.exit_code == 0


def test_voice_numbers_through_port_in(fake: FakeChime, chimenum, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    fake.move("+12065550111", "Assigned", after_requests=2, api="voice")
    fake.move("+12065550112", "Cancelled", after_requests=4, api="voice")
    ok = chimenum("--api", "voice", "wait", "+12065550111", "--status", "Assigned", *FAST)
    assert ok.exit_code == 0, ok.stderr
    assert lines(ok.stdout)[-1] == ["+12065550111", "Assigned", "reached"]
    cancelled = chimenum("--api", "voice", "wait", "+12065550112", "--status", "Assigned", *FAST)
    assert cancelled.exit_code == 14
    assert [f[1] for f in lines(cancelled.stdout)] == ["PortinCancelRequested", "Cancelled"]
    assert {r.api for r in fake.requests} == {"voice"}


def test_unknown_number_ends_the_wait_with_its_error(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550199", "--status", "Assigned", *FAST)
    assert run.exit_code == 3
    assert run.stderr == (
        "chimenum: error: +12065550199: NotFoundException: The requested resource was not found"
        " (not under Chime SDK Voice either)\n"
    )
    assert lines(run.stdout) == [["+12065550199", "-", "error"]]


def test_throttled_polls_are_retried(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550105", "ThrottledClientException", times=3)
    fake.move("+12065550105", "Assigned", after_requests=1)
    run = chimenum("wait", "+12065550105", "--status", "Assigned", *FAST)
    assert run.exit_code == 0, run.stderr
    assert [r.status for r in fake.requests] == [429, 429, 429, 200, 200]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wait", "+12065550105"], "Missing option '--status'"),
        (["wait", "--status", "Assigned"], "no phone-number id given"),
        (["wait", "+12065550105", "--status", "Cancelled"], "not valid for --api chime"),
        (["wait", "+12065550105", "--status", "Done"], "'Done' is not one of"),
        (["wait", "12065550105", "--status", "Assigned"], "did you mean +12065550105"),
        (["wait", "+12065550105", "--status", "Assigned", "--interval", "0"], "--interval"),
        (["wait", "+12065550105", "--status", "Assigned", "--timeout", "-1"], "--timeout"),
    ],
)
def test_bad_wait_input_is_refused_before_any_request(
    fake: FakeChime, chimenum, args: list[str], message: str
) -> None:
    run = chimenum(*args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert fake.requests == []


def test_piped_output_is_one_line_per_change(fake: FakeChime, chimenum_exe: str) -> None:
    fake.move("+12065550105", "Assigned", after_requests=2)
    proc = subprocess.run(
        [chimenum_exe, "wait", "+12065550105", "--status", "Assigned", *FAST],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert lines(proc.stdout) == [
        ["+12065550105", "AcquireInProgress"],
        ["+12065550105", "Assigned", "reached"],
    ]
    assert "\x1b" not in proc.stdout


@pytest.mark.parametrize("no_color", [False, True])
def test_live_table_on_a_terminal(fake: FakeChime, chimenum_exe: str, no_color: bool) -> None:
    fake.move("+12065550105", "Assigned", after_requests=3)
    env = dict(os.environ, COLUMNS="100", LINES="30", TERM="xterm-256color")
    if no_color:
        env["NO_COLOR"] = "1"
    child = ptys.spawn(
        chimenum_exe,
        ["wait", "+12065550105", "+12065550100", "--status", "Assigned", "--interval", "0.2"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 100),
    )
    child.expect("Waiting for Assigned")
    child.expect("AcquireInProgress")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = child.before
    assert "Phone number" in screen
    assert "Waited" in screen
    assert "✓ reached" in screen
    assert "\x1b[1A" in screen  # redrawn in place: the cursor moves up over the old table
    last = screen.rsplit("Waiting for Assigned", 1)[1]
    assert re.search(r"\+12065550105 .*Assigned.* \d\.\ds .*reached", last)
    assert re.search(r"\+12065550105 .*AcquireInProgress.* \d\.\ds .*…", screen)
    assert ("\x1b[32m" in screen) is not no_color


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_polls_every_interval_and_once_more_at_the_deadline(fake: FakeChime) -> None:
    from chimenum.core.errors import ExitCode
    from chimenum.core.fetch import Fetcher
    from chimenum.core.run import Run
    from chimenum.core.settings import Settings
    from chimenum.core.waiting import Waiter

    clock = FakeClock()
    run = Run(Settings())
    client = run.client()
    waiter = Waiter(
        Fetcher(client, run.policy(client)),
        ["+12065550105"],
        frozenset({"Assigned"}),
        timeout=10,
        interval=4,
        clock=clock,
        sleep=clock.sleep,
    )
    changes = list(waiter.run())
    assert waiter.outcome.exit_code is ExitCode.WAIT_TIMEOUT
    assert clock.sleeps == [4, 4, 2]
    assert len(fake.requests) == 4
    assert [c.status for c in changes] == ["AcquireInProgress"]


# -- --keep-going, ids from stdin and files, the final states as a document --------------------


def test_keep_going_waits_for_the_others_and_exits_with_the_most_severe(
    fake: FakeChime, chimenum
) -> None:
    fake.move("+12065550105", "Assigned", after_requests=3)
    run = chimenum(
        "wait", "+12065550106", "+12065550199", "+12065550105", "--status", "Assigned",
        "--keep-going", "--json", *FAST,
    )  # fmt: skip
    # Not found (3) outranks a failed state (14): the precedence of chimenum --help.
    assert run.exit_code == 3
    assert run.stderr.splitlines() == [
        "chimenum: +12065550106 is AcquireFailed, a failed state that cannot become Assigned",
        "chimenum: error: +12065550199: NotFoundException: The requested resource was not found.",
    ]
    doc = json.loads(run.stdout)
    assert [(n["E164PhoneNumber"], n["Status"]) for n in doc["PhoneNumbers"]] == [
        ("+12065550106", "AcquireFailed"),
        ("+12065550105", "Assigned"),
    ]
    assert [e["PhoneNumberId"] for e in doc["PhoneNumberErrors"]] == ["+12065550199"]
    # The failed ones were polled once; the other until it was reached.
    assert fake.requested_ids().count("+12065550106") == 1
    assert fake.requested_ids().count("+12065550105") == 4


def test_without_keep_going_the_first_failure_ends_the_wait(fake: FakeChime, chimenum) -> None:
    fake.move("+12065550105", "Assigned", after_requests=3)
    run = chimenum(
        "wait", "+12065550106", "+12065550105", "--status", "Assigned", "-o", "ndjson", *FAST
    )
    assert run.exit_code == 14
    states = [json.loads(line) for line in run.stdout.splitlines()]
    assert states[0]["PhoneNumber"]["Status"] == "AcquireFailed"
    # The other id is still there, never lost: the round stopped before its answer was taken.
    assert states[1] == {
        "PhoneNumberId": "+12065550105",
        "ErrorCode": "NotFetched",
        "ErrorMessage": "the wait ended before this number was fetched",
    }


def test_keep_going_with_a_timeout_is_the_failure_first(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "wait", "+12065550105", "+12065550106", "--status", "Assigned", "--keep-going",
        "--timeout", "0", "-o", "ndjson",
    )  # fmt: skip
    assert run.exit_code == 14
    assert "+12065550106 is AcquireFailed" in run.stderr
    assert "timed out after 0s waiting for Assigned: +12065550105 is AcquireInProgress" in (
        run.stderr
    )
    assert [json.loads(line)["PhoneNumber"]["Status"] for line in run.stdout.splitlines()] == [
        "AcquireInProgress",
        "AcquireFailed",
    ]


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_ids_from_stdin_or_a_file_and_ndjson_of_the_final_states(
    fake: FakeChime, chimenum, tmp_path, source: str
) -> None:
    fake.move("+12065550105", "Assigned", after_requests=2)
    text = "+12065550105\n+12065550100\n"
    if source == "stdin":
        run = chimenum("wait", "-", "--status", "assigned", "-o", "ndjson", *FAST, input=text)
    else:
        (tmp_path / "ids.txt").write_text(text)
        args = ["--from-file", str(tmp_path / "ids.txt"), "-o", "ndjson"]
        run = chimenum("wait", *args, "--status", "Assigned", *FAST)
    assert run.exit_code == 0, run.stderr
    states = [json.loads(line)["PhoneNumber"] for line in run.stdout.splitlines()]
    assert [(n["E164PhoneNumber"], n["Status"]) for n in states] == [
        ("+12065550105", "Assigned"),
        ("+12065550100", "Assigned"),
    ]


def test_ndjson_is_one_shape_whatever_the_number_of_ids(fake: FakeChime, chimenum) -> None:
    one = chimenum("wait", "+12065550100", "--status", "Assigned", "-o", "ndjson")
    two = chimenum("wait", "+12065550100", "+12065550101", "--status", "Assigned", "-o", "ndjson")
    assert one.stdout.splitlines() == two.stdout.splitlines()[:1]
    assert list(json.loads(one.stdout)) == ["PhoneNumber"]
    # --json for one id is get's one-id document, and --query sees it.
    status = chimenum(
        "wait", "+12065550100", "--status", "Assigned", "--query", "PhoneNumber.Status", "--json"
    )
    assert (status.exit_code, status.stdout) == (0, '"Assigned"\n')


def test_query_needs_a_format(fake: FakeChime, chimenum) -> None:
    run = chimenum("wait", "+12065550100", "--status", "Assigned", "--query", "PhoneNumber")
    assert run.exit_code == 2
    assert "--query applies to a format" in run.stderr
    assert fake.requests == []
