"""Pipes and signals, on the installed console script in a subprocess, as a shell runs it.

- ``chimenum get ... | head -1`` ends quietly: nothing on stderr, exit 141 (128 + SIGPIPE).
- SIGINT (Ctrl-C): ``chimenum: interrupted``, exit 130, no traceback.
- SIGTERM: ``chimenum: terminated``, exit 143, what was rendered is flushed.
"""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from chimenum.demo import sample_numbers
from testing.fakechime import FakeChime, generate_numbers

ONE = "+12065550100"
MANY = 600


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeChime, list[str]]]:
    """A fake holding enough numbers that the output overflows a pipe's buffer (64 KiB)."""
    numbers = list(generate_numbers(MANY))
    with FakeChime([*sample_numbers(), *numbers]) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        yield server, [n["PhoneNumberId"] for n in numbers]


def wait_for_request(fake: FakeChime, phone_number_id: str, timeout: float = 30) -> None:
    """Until the fake has the request for ``phone_number_id``: the run is then inside its
    command, wherever exactly (sending, or waiting for the answer): a signal must end it
    the same way from any of those places."""
    deadline = time.monotonic() + timeout
    while phone_number_id not in fake.requested_ids():
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.02)


class Lines:
    """A process's stdout read line by line on a thread, so a test can wait for a line
    without blocking forever if it never comes."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def take(self, count: int, timeout: float = 30) -> list[str]:
        """The next ``count`` lines, as soon as they are written."""
        lines = []
        deadline = time.monotonic() + timeout
        while len(lines) < count:
            line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            assert line is not None, f"stdout ended after {len(lines)} of {count} lines"
            lines.append(line)
        return lines

    def rest(self, timeout: float = 30) -> list[str]:
        """Every line still to come, up to the end of the stream."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "stdout never ended"
        lines = []
        while (line := self._queue.get_nowait()) is not None:
            lines.append(line)
        return lines


@pytest.mark.parametrize("output", ["table", "ndjson", "json"])
def test_reader_going_away_ends_quietly(
    big: tuple[FakeChime, list[str]], chimenum_exe: str, output: str
) -> None:
    _, ids = big
    proc = subprocess.Popen(
        [chimenum_exe, "get", *ids, "-o", output],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert first
    assert err == b"", err.decode()


@pytest.mark.shell
def test_pipe_into_head_in_a_shell(big: tuple[FakeChime, list[str]], chimenum_exe: str) -> None:
    bash = shutil.which("bash")
    assert bash
    _, ids = big
    script = f'"{chimenum_exe}" get "$@" -o ndjson | head -1; echo "status=${{PIPESTATUS[0]}}" >&2'
    proc = subprocess.run(
        [bash, "-c", script, "bash", *ids], capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.count("\n") == 1
    assert proc.stdout.startswith('{"PhoneNumber":')
    assert proc.stderr == "status=141\n"


def test_small_output_into_head_exits_0(fake: FakeChime, chimenum_exe: str) -> None:
    """Output that fits the pipe was delivered whole: nothing broke, exit 0."""
    proc = subprocess.run(
        f'"{chimenum_exe}" get {ONE} --json | head -1',
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == "{\n"
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("signum", "code", "message"),
    [
        (signal.SIGINT, 130, "chimenum: interrupted"),
        (signal.SIGTERM, 143, "chimenum: terminated"),
    ],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_while_waiting_for_one_answer(
    fake: FakeChime, chimenum_exe: str, signum: int, code: int, message: str
) -> None:
    fake.inject("*", "slow", delay=600)  # held until the test ends
    proc = subprocess.Popen(
        [chimenum_exe, "get", ONE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for_request(fake, ONE)
    proc.send_signal(signum)
    # The answer is held until the test ends: a run that waited for it would never exit.
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.strip() == message
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_signal_during_a_batch_ends_at_once_and_flushes(
    fake: FakeChime, chimenum_exe: str, signum: int, code: int
) -> None:
    """Requests still in flight on worker threads do not hold the exit back."""
    ids = [f"+1206555{n:04d}" for n in range(100, 111)]
    fake.inject(ids[-1], "slow", delay=600)  # held until the test ends
    proc = subprocess.Popen(
        [chimenum_exe, "get", *ids, "-o", "ndjson"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines = Lines(proc.stdout)
    # Every id before the held one is fetched and written (ndjson writes each line at once):
    # only the last is in flight when the signal comes.
    written = lines.take(len(ids) - 1)
    proc.send_signal(signum)
    # The held answer never comes while the test runs: waiting for it would never exit.
    assert proc.wait(timeout=60) == code
    err = proc.stderr.read()
    assert lines.rest() == [], "nothing after the signal"
    assert [json.loads(line)["PhoneNumber"]["E164PhoneNumber"] for line in written] == ids[:-1]
    word = "interrupted" if signum == signal.SIGINT else "terminated"
    assert err.splitlines()[-1] == f"chimenum: {word}: {len(ids) - 1} of {len(ids)} ids fetched"
    assert "Traceback" not in err
    assert "Exception ignored" not in err


def test_ctrl_c_ends_the_run_even_when_started_with_sigint_ignored(
    fake: FakeChime, chimenum_exe: str
) -> None:
    """A process started in the background of a shell without job control (``cmd &`` in a
    script, a CI runner) inherits SIGINT ignored, and Python then installs no handler for it:
    the run must still stop on it rather than wait for the answer until the read timeout."""
    fake.inject("*", "slow", delay=600)  # held until the test ends
    bash = shutil.which("bash")
    assert bash
    proc = subprocess.Popen(
        [bash, "-c", 'trap "" INT; exec "$0" get "$1"', chimenum_exe, ONE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_request(fake, ONE)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err, out) == (130, "chimenum: interrupted\n", "")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_handler_is_restored_after_an_in_process_run(
    fake: FakeChime, chimenum, signum: int
) -> None:
    before = signal.getsignal(signum)
    assert chimenum("get", ONE, "--json").exit_code == 0
    assert signal.getsignal(signum) == before


# -- every stop signal, every command, every format ------------------------------------------

#: The signals that end a run as SIGTERM does: exit code (128 + N) and the stderr line's word.
STOP_SIGNALS = [
    pytest.param(signal.SIGHUP, 129, "hung up (SIGHUP)", id="SIGHUP"),
    pytest.param(signal.SIGUSR1, 128 + signal.SIGUSR1, "stopped by SIGUSR1", id="SIGUSR1"),
    pytest.param(signal.SIGALRM, 128 + signal.SIGALRM, "stopped by SIGALRM", id="SIGALRM"),
]
BATCH = [f"+1206555{n:04d}" for n in range(100, 106)]
HELD = BATCH[3]
#: What each command is run with: its arguments, and what the fake holds until the test ends.
COMMANDS = {
    "numbers": (["get", *BATCH], HELD),
    "descriptions": (["describe", *BATCH], HELD),
    "audit": (["audit"], "*"),
    # OLD is written by the test (an empty listing); NEW is the account listed now, held.
    "changes": (["diff", "{old}", "--live"], "*"),
}


def wait_for_any_request(fake: FakeChime, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not fake.requested_ids():
        assert time.monotonic() < deadline, "no request ever arrived"
        time.sleep(0.02)


def stopped_run(
    fake: FakeChime, exe: str, argv: list[str], held: str, signum: int
) -> subprocess.CompletedProcess[str]:
    """``chimenum ARGV`` with ``held``'s answer held until the test ends, signalled once the
    held request is in."""
    fake.inject(held, "slow", delay=600)
    proc = subprocess.Popen([exe, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if held == "*":
        wait_for_any_request(fake)
    else:
        wait_for_request(fake, held)
    proc.send_signal(signum)
    # The held answer never comes while the test runs: a run that waited for it never exits.
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def entries_of_registry() -> list[Any]:
    from chimenum.output.formats import entries

    return [pytest.param(*entry, id="-".join(entry)) for entry in entries()]


@pytest.mark.parametrize(("signum", "code", "word"), STOP_SIGNALS)
@pytest.mark.parametrize(("document", "output"), entries_of_registry())
def test_stop_signals_flush_every_format_of_every_command(
    fake: FakeChime,
    chimenum_exe: str,
    tmp_path: Path,
    signum: int,
    code: int,
    word: str,
    document: str,
    output: str,
) -> None:
    """A hang-up (or SIGUSR1, SIGALRM) mid-run: what was collected is written, in a valid
    document where the format has one, one stderr line, exit 128 + N, no traceback."""
    old = tmp_path / "old.json"
    old.write_text('{"PhoneNumbers": []}\n')
    template, held = COMMANDS[document]
    argv = [arg.format(old=old) for arg in template]
    run = stopped_run(fake, chimenum_exe, [*argv, "-o", output], held, signum)
    assert run.returncode == code, run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith(f"chimenum: {word}"), run.stderr
    if output == "json":
        doc = json.loads(run.stdout)
        assert doc["Incomplete"] is True
    elif output == "ndjson":
        for line in run.stdout.splitlines():
            json.loads(line)


@pytest.mark.parametrize(("signum", "code", "word"), STOP_SIGNALS)
@pytest.mark.parametrize("command", ["get", "describe"])
def test_interrupted_json_names_every_id_left_out(
    fake: FakeChime, chimenum_exe: str, signum: int, code: int, word: str, command: str
) -> None:
    """No id is lost: each asked for is a number (or description), an error, or unfinished."""
    run = stopped_run(fake, chimenum_exe, [command, *BATCH, "--json"], HELD, signum)
    assert run.returncode == code, run.stderr
    doc = json.loads(run.stdout)
    done = doc["PhoneNumbers" if command == "get" else "Descriptions"]
    done_ids = [
        (item if command == "get" else item["PhoneNumber"])["E164PhoneNumber"] for item in done
    ]
    assert doc["Incomplete"] is True
    assert doc["PhoneNumberErrors"] == []
    assert done_ids + doc["Unfinished"] == BATCH
    assert HELD in doc["Unfinished"]
    noun = "fetched" if command == "get" else "described"
    assert run.stderr == f"chimenum: {word}: {len(done_ids)} of {len(BATCH)} ids {noun}\n"


def test_interrupted_audit_json_says_incomplete(fake: FakeChime, chimenum_exe: str) -> None:
    run = stopped_run(fake, chimenum_exe, ["audit", "--json"], "*", signal.SIGHUP)
    assert run.returncode == 129, run.stderr
    doc = json.loads(run.stdout)
    assert doc["Incomplete"] is True and doc["Summary"]["Complete"] is False


@pytest.mark.parametrize("argv", [["list"], ["wait", ONE, "--status", "Unassigned"]])
def test_hang_up_ends_list_and_wait(fake: FakeChime, chimenum_exe: str, argv: list[str]) -> None:
    run = stopped_run(fake, chimenum_exe, argv, "*", signal.SIGHUP)
    assert run.returncode == 129, run.stderr
    assert run.stderr.startswith("chimenum: hung up (SIGHUP)")
    assert len(run.stderr.splitlines()) == 1, run.stderr


def test_sigquit_keeps_its_default_action(fake: FakeChime, chimenum_exe: str) -> None:
    """SIGQUIT is the operator's hard quit: the process dies of it, nothing is flushed."""
    import resource

    def no_core_dump() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    fake.inject(HELD, "slow", delay=600)
    proc = subprocess.Popen(
        [chimenum_exe, "get", *BATCH, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=no_core_dump,
    )
    wait_for_request(fake, HELD)
    proc.send_signal(signal.SIGQUIT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGQUIT
    assert out == ""


def test_a_second_signal_ends_a_flush_blocked_on_a_reader_that_never_reads(
    big: tuple[FakeChime, list[str]], chimenum_exe: str
) -> None:
    """The output overflows the pipe and nobody reads it: the first signal's flush blocks,
    the second ends the run at once."""
    server, listed = big
    ids = [phone_id.replace("%2B", "+") for phone_id in listed]
    server.inject(ids[-1], "slow", delay=600)
    proc = subprocess.Popen(
        [chimenum_exe, "get", *ids, "-o", "ndjson"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_request(server, ids[0])
    proc.send_signal(signal.SIGHUP)
    # A different signal: two of the same, sent at once, may be delivered as one.
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 129
    assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()


def test_a_flush_to_a_vanished_terminal_fails_quietly(fake: FakeChime, chimenum_exe: str) -> None:
    """After a hang-up stdout is gone too (here: its reader closed it): no traceback, the
    signal's exit code, its one line."""
    fake.inject(HELD, "slow", delay=600)
    proc = subprocess.Popen(
        [chimenum_exe, "get", *BATCH, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    wait_for_request(fake, HELD)
    proc.stdout.close()
    proc.send_signal(signal.SIGHUP)
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 129
    # The ids before the held one may be in flight still: how many were fetched varies.
    assert re.fullmatch(rf"chimenum: hung up \(SIGHUP\): [0-3] of {len(BATCH)} ids fetched\n", err)


# -- a stop raised inside a finaliser --------------------------------------------------------


def _noisy_finaliser(signum: int) -> None:
    """A finaliser during which a stop signal arrives: the handler runs at the call below, and
    its exception is one Python swallows (a finaliser's exceptions are only printed)."""
    signal.raise_signal(signum)
    (lambda: None)()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_raised_inside_a_finaliser_is_raised_again(signum: int) -> None:
    """The garbage collector closed a connection pool just as SIGTERM came: the run must still
    stop at once, not wait out the request it is blocked on, and print no traceback."""
    import weakref

    from chimenum.cli.signals import STOPS, stop_on_signals

    printed: list[Any] = []
    previous, sys_hook = sys.unraisablehook, printed.append
    sys.unraisablehook = sys_hook
    try:
        with stop_on_signals() as signals, pytest.raises(STOPS[signum][0]):

            class Pool:
                pass

            pool = Pool()
            weakref.finalize(pool, _noisy_finaliser, signum)
            del pool  # the finaliser runs here and swallows the stop
            # What the run does next: wait on an answer. Only the signal sent again ends this
            # wait; without it the test fails a minute later, the stop lost.
            threading.Event().wait(60)
    finally:
        sys.unraisablehook = previous
    assert signals.received == signum
    assert printed == []  # nothing reached the hook that prints "Exception ignored"
