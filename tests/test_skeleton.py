"""The one command skeleton, through the CLI, botocore and the fake: failures keep their exit
codes from the request to the exit status, diagnostics are made inert once, ids are read one way
and every command ends the same way when told to stop."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

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
    if command == "describe":
        (association,) = doc["Resolved"]["Associations"]
        # The document is as documented: the failure's code and message, nothing more.
        assert association["Target"]["Status"] == "Failed"
        assert set(association["Target"]["Error"]) == {"Code", "Message"}
        assert association["Target"]["Error"]["Code"] == shown
    else:
        assert doc["Summary"]["FindingsByCode"]["LOOKUP_FAILED"] >= 1


# -- Environment.error alone makes text inert ------------------------------------------------

#: A message with a backslash and an escape sequence, as a service or a proxy may send one.
SENT = "back\\slash \x1b[31mred"
#: How it reads on stderr: the backslash doubled and the escape shown, once.
SHOWN_ONCE = r"back\\slash \x1b[31mred"
ONE = "+12065550101"


@pytest.mark.parametrize(
    ("target", "args"),
    [
        (ONE, ["get", ONE]),
        (ONE, ["get", ONE, "+12065550100", "-o", "ndjson"]),
        (ONE, ["describe", ONE]),
        (ONE, ["wait", ONE, "--status", "Assigned", "--interval", "0.01"]),
        ("phone-numbers", ["list"]),
        ("phone-numbers", ["list", "--starting-token", "abc"]),
        ("phone-numbers", ["audit"]),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_a_service_message_is_escaped_exactly_once(
    fake: FakeChime, chimenum, target: str, args: list[str]
) -> None:
    fake.inject(target, "BadRequestException", message=SENT)
    run = chimenum(*args, "--max-attempts", "1")
    assert run.exit_code == ExitCode.BAD_REQUEST, run.stderr
    (line,) = [line for line in run.stderr.splitlines() if "BadRequestException" in line]
    assert line.endswith(f"BadRequestException: {SHOWN_ONCE}") or f": {SHOWN_ONCE} (" in line


def test_a_starting_token_is_escaped_exactly_once(fake: FakeChime, chimenum) -> None:
    run = chimenum("list", "--starting-token", "a\\b\x1bc", "--json")
    assert run.exit_code == ExitCode.BAD_REQUEST
    assert run.stderr.startswith(r"chimenum: error: --starting-token 'a\\b\x1bc' is not valid:")


# -- one way to stop -------------------------------------------------------------------------


def _signal_once_requested(fake: FakeChime, target: str, signum: int) -> threading.Thread:
    """Sends ``signum`` to this process once the request for ``target`` reached the fake,
    whose answer is held: the run is then waiting for it, whatever the machine's speed."""

    def send() -> None:
        deadline = time.monotonic() + 60
        while not any(
            target in (request.phone_number_id or request.path) for request in list(fake.requests)
        ):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        os.kill(os.getpid(), signum)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    return sender


#: Each command held on one request: what it asks for, and how far it says it got.
HELD = {
    "get": ("+12065550100", ["get", ONE, "+12065550100", "--json"], r": \d of 2 ids fetched"),
    "describe": (
        f"sip-rules/{demo.RULE_BROKEN}",
        [*VOICE, "describe", ON_BROKEN_RULE, "+12065550101", "--json"],
        r": \d of 2 ids described",
    ),
    "wait": (ONE, ["wait", ONE, "--status", "Unassigned", "-q"], ""),
    "list": ("phone-numbers", ["list", "--json"], ": 0 numbers listed"),
    "audit": ("phone-numbers", ["audit", "--json"], ": 0 numbers audited"),
}
SIGNALS = {
    signal.SIGINT: ("interrupted", ExitCode.INTERRUPTED),
    signal.SIGTERM: ("terminated", ExitCode.TERMINATED),
}


@pytest.mark.parametrize(
    ("command", "signum"),
    [
        *[(command, signal.SIGTERM) for command in HELD],
        # The listing's first request runs on the main thread, where Ctrl-C lands inside
        # botocore (cli/signals.py's concern); these requests run on workers.
        *[(command, signal.SIGINT) for command in ("get", "describe", "wait")],
    ],
)
def test_every_command_stops_the_same_way(
    fake: FakeChime, chimenum, command: str, signum: signal.Signals
) -> None:
    target, args, so_far = HELD[command]
    word, code = SIGNALS[signum]
    fake.inject(target, "slow", delay=600)  # held until the test ends
    sender = _signal_once_requested(fake, target, signum)
    run = chimenum(*args)
    sender.join()
    assert run.exit_code == code
    # One line says how far the run got; the requests in flight were not waited for.
    assert re.fullmatch(f"chimenum: {word}{so_far}", run.stderr.splitlines()[-1]), run.stderr
    assert "Traceback" not in run.stderr


# -- ids read one way ------------------------------------------------------------------------

#: Two demo numbers that are Assigned, and one line a list of ids may also hold.
LISTED = "+12065550101  # the main line\n\n%2B12065550102\n+12065550101\n"


@pytest.mark.parametrize("command", ["get", "describe", "wait"])
@pytest.mark.parametrize("source", ["stdin", "file"])
def test_ids_are_read_the_same_way_by_every_command(
    fake: FakeChime, chimenum, tmp_path: Path, command: str, source: str
) -> None:
    listed = tmp_path / "numbers.txt"
    listed.write_text(LISTED)
    ids = ["-"] if source == "stdin" else ["--from-file", str(listed)]
    extra = ["--status", "Assigned", "--interval", "0.01"] if command == "wait" else ["--json"]
    run = chimenum(command, *ids, *extra, input=LISTED if source == "stdin" else None)
    assert run.exit_code in (ExitCode.OK, ExitCode.FINDINGS), run.stderr
    asked = [r.phone_number_id for r in fake.requests if r.operation == "GetPhoneNumber"]
    # Normalised and deduplicated; comments and blank lines skipped.
    assert sorted(asked) == ["+12065550101", "+12065550102"]


@pytest.mark.parametrize("command", ["get", "describe", "wait"])
def test_an_invalid_line_stops_every_command_before_any_request(
    fake: FakeChime, chimenum, command: str
) -> None:
    extra = ["--status", "Assigned"] if command == "wait" else []
    run = chimenum(command, "-", *extra, input="+12065550101\nnot a number\n")
    assert run.exit_code == ExitCode.USAGE
    assert run.stderr.startswith("chimenum: stdin:2: ")
    assert run.stderr.endswith("chimenum: 1 invalid input line; nothing fetched\n")
    assert fake.requests == []


@pytest.mark.parametrize("command", ["get", "describe", "wait"])
def test_an_invalid_line_is_escaped_exactly_once(fake: FakeChime, chimenum, command: str) -> None:
    extra = ["--status", "Assigned"] if command == "wait" else []
    run = chimenum(command, "-", *extra, input=f"+1206{SENT}\n")
    assert run.exit_code == ExitCode.USAGE
    assert run.stderr.startswith(f"chimenum: stdin:1: invalid phone-number id '+1206{SHOWN_ONCE}'")
