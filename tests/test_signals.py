"""Pipes and signals, on the installed console script in a subprocess, as a shell runs it.

- ``chimenum get ... | head -1`` ends quietly: nothing on stderr, exit 141 (128 + SIGPIPE).
- SIGINT (Ctrl-C): ``chimenum: interrupted``, exit 130, no traceback.
- SIGTERM: ``chimenum: terminated``, exit 143, what was rendered is flushed.
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import IO

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
