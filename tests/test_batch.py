"""Batches at scale: ids from files and stdin, concurrency, throttling, order, streaming,
progress, interrupts and startup cost, all through botocore against the loopback fake."""

from __future__ import annotations

import json
import logging
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.fakechime import FakeChime, generate_numbers

FIRST = 12065560000


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+{FIRST + n}" for n in range(start, start + count)]


@pytest.fixture
def make_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FakeChime]]:
    """A fake with ``count`` generated numbers and the given behaviour, the env pointed at it."""
    started: list[FakeChime] = []

    def make(count: int, **behaviour: Any) -> FakeChime:
        fake = FakeChime(generate_numbers(count, FIRST), **behaviour).start()
        started.append(fake)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", fake.url)
        return fake

    yield make
    for fake in started:
        fake.stop()


def e164(number: dict[str, Any]) -> str:
    """The number a document is about, once its id is seen as the service sends it."""
    assert number["PhoneNumberId"] == "%2B" + number["E164PhoneNumber"][1:], number
    return str(number["E164PhoneNumber"])


def fetched_ids(stdout: str) -> list[str]:
    return [e164(n) for n in json.loads(stdout)["PhoneNumbers"]]


# -- input ---------------------------------------------------------------------------------


def test_stdin_skips_blank_lines_and_comments_and_gives_the_many_shape(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    fake = make_fake(5)
    text = (
        "# numbers to audit\n"
        "+12065560003\n"
        "\n"
        "   \n"
        "%2B12065560001   # percent-encoded, with a comment\n"
        "+1 206-556-0002\r\n"
        "+12065560003\n"
    )
    run = chimenum("get", "-", "--json", input=text)
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert list(doc) == ["PhoneNumbers", "PhoneNumberErrors"]
    # Fetched once, printed once per time given (docs/output-formats.md).
    assert fetched_ids(run.stdout) == [
        "+12065560003",
        "+12065560001",
        "+12065560002",
        "+12065560003",
    ]
    assert sorted(fake.requested_ids()) == ["+12065560001", "+12065560002", "+12065560003"]


def test_one_id_from_a_file_still_gives_the_many_shape(
    make_fake: Callable[..., FakeChime], chimenum, tmp_path: Path
) -> None:
    make_fake(3)
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"\xef\xbb\xbf+12065560002\n")  # with the BOM some editors write
    run = chimenum("get", "--from-file", str(ids), "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == {
        "PhoneNumbers": [json.loads(run.stdout)["PhoneNumbers"][0]],
        "PhoneNumberErrors": [],
    }
    assert fetched_ids(run.stdout) == ["+12065560002"]


def test_arguments_then_files_in_order(
    make_fake: Callable[..., FakeChime], chimenum, tmp_path: Path
) -> None:
    make_fake(6)
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("+12065560004\n+12065560001\n")
    second.write_text("+12065560000\n")
    run = chimenum(
        "get", "+12065560005", "-", "-f", str(first), "-f", str(second), "--json",
        input="+12065560003\n",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert fetched_ids(run.stdout) == [
        "+12065560005",
        "+12065560003",
        "+12065560004",
        "+12065560001",
        "+12065560000",
    ]


def test_invalid_stdin_lines_are_refused_with_line_numbers_and_no_request(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    fake = make_fake(5)
    text = "+12065560001\n# fine\nnot-a-number\n\n12065560002\n+12065560003\n\xff\xfe\n"
    run = chimenum("get", "-", "--json", input=text.encode("latin-1").decode("latin-1"))
    assert run.exit_code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert lines[0].startswith("chimenum: stdin:3: invalid phone-number id 'not-a-number'")
    assert lines[1].startswith("chimenum: stdin:5: ") and "did you mean +12065560002" in lines[1]
    assert lines[2].startswith("chimenum: stdin:7: invalid phone-number id")
    assert lines[3] == "chimenum: 3 invalid input lines; nothing fetched"
    assert fake.requests == []


def test_undecodable_bytes_in_a_file_are_an_invalid_line(
    make_fake: Callable[..., FakeChime], chimenum, tmp_path: Path
) -> None:
    fake = make_fake(3)
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"+12065560001\n+1206\xff5560002\n")
    run = chimenum("get", "-f", str(ids))
    assert run.exit_code == 2
    assert f"chimenum: {ids}:2: invalid phone-number id" in run.stderr
    assert "Traceback" not in run.stderr
    assert fake.requests == []


def test_many_invalid_lines_are_summed_up(
    make_fake: Callable[..., FakeChime], chimenum, tmp_path: Path
) -> None:
    fake = make_fake(1)
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"bad{n}\n" for n in range(50)))
    run = chimenum("get", "-f", str(ids))
    assert run.exit_code == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 22
    assert lines[19].startswith(f"chimenum: {ids}:20: ")
    assert lines[20] == "chimenum: ... and 30 more invalid lines"
    assert lines[21] == "chimenum: 50 invalid input lines; nothing fetched"
    assert fake.requests == []


def test_empty_input_is_an_empty_batch(make_fake: Callable[..., FakeChime], chimenum) -> None:
    fake = make_fake(1)
    run = chimenum("get", "-", "--json", input="# nothing today\n\n")
    assert run.exit_code == 0
    assert json.loads(run.stdout) == {"PhoneNumbers": [], "PhoneNumberErrors": []}
    assert run.stderr == "chimenum: no ids in the input\n"
    assert fake.requests == []


def test_missing_file_is_a_usage_error(chimenum, tmp_path: Path) -> None:
    run = chimenum("get", "-f", str(tmp_path / "nope.txt"))
    assert run.exit_code == 2
    assert "No such file" in run.stderr


# -- concurrency, throttling, faults, order ------------------------------------------------


def test_connection_pool_matches_the_concurrency(
    make_fake: Callable[..., FakeChime], chimenum, caplog: pytest.LogCaptureFixture
) -> None:
    fake = make_fake(96)
    # Every answer is held until 32 requests are under way at once: far more than botocore's
    # default 10 connections, counted, not inferred from timing.
    fake.inject("*", "slow", delay=600)
    caplog.set_level(logging.WARNING, logger="urllib3")
    runs: list[Any] = []
    runner = threading.Thread(
        target=lambda: runs.append(
            chimenum("get", *numbers(96), "-o", "ndjson", "--concurrency", "32")
        )
    )
    runner.start()
    hang_guard = time.monotonic() + 60
    while len(fake.requests) < 32:
        assert time.monotonic() < hang_guard, f"only {len(fake.requests)} requests under way"
        time.sleep(0.01)
    assert all(r.status == 0 for r in fake.requests)  # all 32 unanswered, all in flight
    fake.released.set()
    fake.faults.clear()
    runner.join(60)
    (run,) = runs
    assert run.exit_code == 0, run.stderr
    assert len(run.stdout.splitlines()) == 96
    assert not [r for r in caplog.records if "Connection pool is full" in r.getMessage()]


def test_a_pool_smaller_than_the_workers_is_detected(
    make_fake: Callable[..., FakeChime], caplog: pytest.LogCaptureFixture
) -> None:
    """The check above can fail: a client whose pool is too small does log the warning."""
    from chimenum.core.fetch import Fetcher
    from chimenum.core.run import Run
    from chimenum.core.settings import Settings

    fake = make_fake(64, latency=0.05)
    caplog.set_level(logging.WARNING, logger="urllib3")
    run = Run(Settings(endpoint_url=fake.url))
    client = run.client(pool=4)
    fetcher = Fetcher(client, run.policy(client))
    assert len(list(fetcher.many(numbers(64), 32))) == 64
    assert [r for r in caplog.records if "Connection pool is full" in r.getMessage()]


@pytest.mark.slow  # the policy backs off from throttles in real time: seconds
def test_throttling_api_every_id_fetched_each_throttled_request_retried_once(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    fake = make_fake(60)
    # Counted, not timed: after ten answers, the next twenty requests are throttled, whatever
    # the machine's speed. How the rate limiter cuts, holds and recovers is tested with an
    # injected clock (test_rate_limiter_cuts_on_throttle_ignores_stale_throttles_and_recovers).
    fake.inject("*", "ThrottledClientException", times=20, skip=10)
    run = chimenum("get", *numbers(60), "--json")
    assert run.exit_code == 0, run.stderr
    assert fetched_ids(run.stdout) == numbers(60)
    throttled = [r.phone_number_id for r in fake.requests if r.status == 429]
    answered = [r.phone_number_id for r in fake.requests if r.status == 200]
    assert len(throttled) == 20
    # Every throttled id asked again until answered, and no id answered twice.
    assert sorted(answered) == numbers(60) and set(throttled) <= set(answered)
    assert len(fake.requests) == 80


def test_flaky_api_every_id_fetched(make_fake: Callable[..., FakeChime], chimenum) -> None:
    fake = make_fake(200, fail_ratio=0.2, seed=3)
    run = chimenum("get", *numbers(200), "--json")
    assert run.exit_code == 0, run.stderr
    assert fetched_ids(run.stdout) == numbers(200)
    assert json.loads(run.stdout)["PhoneNumberErrors"] == []
    assert sum(r.status == 503 for r in fake.requests) >= 20


def test_exit_7_only_when_the_attempts_are_spent(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    fake = make_fake(5)
    fake.inject("+12065560001", "ThrottledClientException", times=2)
    fake.inject("+12065560003", "ThrottledClientException")
    run = chimenum("get", *numbers(5), "--json", "--max-attempts", "3")
    assert run.exit_code == 7
    doc = json.loads(run.stdout)
    assert [e164(n) for n in doc["PhoneNumbers"]] == [
        "+12065560000",
        "+12065560001",
        "+12065560002",
        "+12065560004",
    ]
    assert [(e["PhoneNumberId"], e["ErrorCode"]) for e in doc["PhoneNumberErrors"]] == [
        ("+12065560003", "ThrottledClientException")
    ]
    asked = fake.requested_ids()
    assert asked.count("+12065560003") == 3
    assert asked.count("+12065560001") == 3
    assert "+12065560003: ThrottledClientException" in run.stderr


def test_5xx_still_failing_after_the_attempts_keeps_its_own_exit_code(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    fake = make_fake(3)
    fake.inject("+12065560001", "ServiceUnavailableException")
    run = chimenum("get", *numbers(3), "--json", "--max-attempts", "2")
    assert run.exit_code == 8
    assert fake.requested_ids().count("+12065560001") == 2


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_order_is_kept_with_random_latency(
    make_fake: Callable[..., FakeChime], chimenum, fmt: str
) -> None:
    fake = make_fake(120, latency_jitter=0.05, seed=7)
    ids = numbers(120)[::-1]
    run = chimenum("get", *ids, "-o", fmt, "--concurrency", "16")
    assert run.exit_code == 0, run.stderr
    if fmt == "json":
        assert fetched_ids(run.stdout) == ids
    else:
        got = [e164(json.loads(line)["PhoneNumber"]) for line in run.stdout.split("\n")[:-1]]
        assert got == ids
    assert len(fake.requests) == 120


def test_ndjson_error_objects_in_place(make_fake: Callable[..., FakeChime], chimenum) -> None:
    make_fake(3)
    run = chimenum("get", "+12065560000", "+12065569999", "+12065560002", "-o", "ndjson")
    assert run.exit_code == 3
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert e164(lines[0]["PhoneNumber"]) == "+12065560000"
    assert lines[1] == {
        "PhoneNumberId": "+12065569999",
        "ErrorCode": "NotFoundException",
        "ErrorMessage": "The requested resource was not found.",
    }
    assert e164(lines[2]["PhoneNumber"]) == "+12065560002"


# -- streaming, progress, interrupts (the installed console script) ------------------------


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spawn(exe: str, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([exe, *args], stdin=subprocess.DEVNULL, **kwargs)


@pytest.mark.parametrize("concurrency", ["4", "1"])  # on workers; on the calling thread
def test_ndjson_lines_appear_before_the_batch_ends(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, concurrency: str
) -> None:
    """Lines held back to be written together are written before the batch waits for an id:
    every line before a slow id reaches the reader while that id is still unanswered."""
    fake = make_fake(200)
    # The answer for id 150 is held until 150 lines have been read: the batch cannot end
    # before it, so lines read by then were written while the batch was running.
    fake.inject(numbers(200)[150], "slow", delay=600)
    proc = _spawn(
        chimenum_exe, "get", *numbers(200), "-o", "ndjson", "--concurrency", concurrency,
        "--read-timeout", "600",  # the held answer never times out: the lines must come first
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    stdout = proc.stdout
    before: list[bytes] = []
    # Read on a thread: lines never written would block the read for as long as id 150 is held
    # (the watchdog is generous; a pass never waits for it).
    reader = threading.Thread(
        target=lambda: before.extend(stdout.readline() for _ in range(150)), daemon=True
    )
    reader.start()
    reader.join(timeout=60)
    assert len(before) == 150, f"{len(before)} lines reached the reader before the slow id"
    assert proc.poll() is None
    # Still unanswered (with one request at a time it may not even have been sent yet).
    assert all(r.status == 0 for r in fake.requests if r.phone_number_id == numbers(200)[150])
    fake.released.set()
    rest = proc.stdout.read()  # the buffered reader holds more than the lines read
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [e164(json.loads(line)["PhoneNumber"]) for line in before] == numbers(150)
    assert len(rest.splitlines()) == 50


def _run_with_stderr_on_a_terminal(
    args: list[str], when_shown: tuple[str, Callable[[], None]] | None = None
) -> tuple[int, bytes, str]:
    """Run with stdout piped and stderr on a pseudo-terminal; return code, stdout, terminal.

    ``when_shown``: (text, action): the action runs once the terminal has shown the text.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, close_fds=True
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        waiting = when_shown
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                return
            if not data:
                return
            chunks.append(data)
            if waiting and waiting[0] in b"".join(chunks).decode("utf-8", "replace"):
                waiting[1]()
                waiting = None

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=60)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


#: How long the cases without a bar hold one answer: time enough for a bar to appear (its timer
#: fires at once with a delay of 0, then rich is imported) on a busy machine, so that each of
#: them would show one were it not for what it tests.
HOLD = 2.0


def test_progress_bar_on_a_terminal_for_a_slow_batch(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(60)
    monkeypatch.setenv("CHIMENUM_PROGRESS_DELAY", "0")  # "slow" is the test's to say
    # Slow by construction: one answer is held until the bar is on the terminal, so the batch
    # cannot end before the bar shows, however slow the machine is to draw it.
    held = numbers(59)[30]
    fake.inject(held, "slow", delay=60)
    args = [chimenum_exe, "get", *numbers(59), "+12065569999", "--json", "--concurrency", "2"]
    code, out, terminal = _run_with_stderr_on_a_terminal(args, ("ids/s", fake.released.set))
    assert code == 3
    assert len(json.loads(out)["PhoneNumbers"]) == 59  # stdout untouched by the bar
    assert "ids/s" in terminal
    assert "/60" in terminal  # done/total
    assert "errors" in terminal
    assert "\x1b[" in terminal  # drawn and redrawn in place
    assert "chimenum: error: +12065569999: NotFoundException" in terminal


def test_no_progress_bar_for_a_quick_batch_or_with_quiet(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(60)
    # "Quick" is shorter than the delay; the test sets the delay, so a busy machine cannot make
    # five ids slow.
    monkeypatch.setenv("CHIMENUM_PROGRESS_DELAY", "3600")
    quick = [chimenum_exe, "get", *numbers(5), "--json"]
    code, out, terminal = _run_with_stderr_on_a_terminal(quick)
    assert (code, terminal) == (0, "")
    assert json.loads(out)["PhoneNumberErrors"] == []
    # --quiet: a batch slow enough for the bar (as in the test above) shows none.
    monkeypatch.setenv("CHIMENUM_PROGRESS_DELAY", "0")
    fake.inject(numbers(60)[30], "slow", delay=HOLD)
    quiet = [chimenum_exe, "get", *numbers(60), "--json", "--concurrency", "2", "--quiet"]
    code, out, terminal = _run_with_stderr_on_a_terminal(quiet)
    assert (code, terminal) == (0, "")
    assert json.loads(out)["PhoneNumberErrors"] == []


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_fake(60)
    monkeypatch.setenv("CHIMENUM_PROGRESS_DELAY", "0")  # slow enough for a bar, were it a terminal
    fake.inject(numbers(60)[30], "slow", delay=HOLD)
    proc = subprocess.run(
        [chimenum_exe, "get", *numbers(60), "--json", "--concurrency", "2"],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stderr == b""


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_sigint_stops_at_once_writes_what_was_fetched_and_exits_130(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, fmt: str
) -> None:
    fake = make_fake(300, latency=0.05)
    # A request that never ends is in flight when Ctrl-C comes: it must not hold the exit.
    fake.inject("+12065560009", "slow", delay=600)  # held until the test ends
    proc = _spawn(
        chimenum_exe, "get", *numbers(300), "-o", fmt, "--concurrency", "4",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # As from a terminal: a background job (`pytest &`) would inherit SIGINT ignored.
        preexec_fn=_default_sigint,
    )  # fmt: skip
    # Ids 0-8 come back, 9 hangs, the window after it fills: ids up to ~24 are asked for.
    while len(fake.requests) < 20:
        assert proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    # The held answer never comes while the test runs: waiting for it would never exit.
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    stderr = err.decode()
    assert "Traceback" not in stderr
    assert stderr.startswith("chimenum: interrupted: ")
    assert stderr.endswith(" of 300 ids fetched\n")
    if fmt == "ndjson":
        got = [e164(json.loads(line)["PhoneNumber"]) for line in out.splitlines()]
    else:
        got = fetched_ids(out.decode())
    # Everything fetched before the stuck id is written, in input order, and nothing after it:
    # ids fetched later are not written past the gap the stuck one would leave.
    assert got == numbers(9)
    assert "interrupted: 9 of 300" in stderr


# -- startup ---------------------------------------------------------------------------------

_PROBE = """
import json, os, sys
sys.argv = ["chimenum", *json.loads(os.environ["PROBE_ARGS"])]
try:
    from chimenum.cli import main
    main()
except SystemExit:
    pass
finally:
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"botocore", "boto3", "rich"})
    with open(os.environ["PROBE_OUT"], "w") as out:
        json.dump(heavy, out)
"""


def _heavy_modules(tmp_path: Path, args: list[str], **env: str) -> list[str]:
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**os.environ, **env, "PROBE_ARGS": json.dumps(args), "PROBE_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    modules: list[str] = json.loads(out.read_text())
    return modules


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["get", "--help"], ["get"]],
    ids=["help", "version", "get-help", "usage-error"],
)
def test_help_version_and_usage_errors_import_neither_botocore_nor_rich(
    tmp_path: Path, args: list[str]
) -> None:
    assert _heavy_modules(tmp_path, args) == []


def test_shell_completion_imports_neither_botocore_nor_rich(tmp_path: Path) -> None:
    env = {"_CHIMENUM_COMPLETE": "bash_complete", "COMP_WORDS": "chimenum g", "COMP_CWORD": "1"}
    assert _heavy_modules(tmp_path, [], **env) == []


@pytest.mark.slow  # four runs of the console script
def test_get_json_imports_no_rich(fake: FakeChime, tmp_path: Path) -> None:
    assert _heavy_modules(tmp_path, ["get", "+12065550100", "--json"]) == ["botocore"]
    assert _heavy_modules(tmp_path, ["get", "+12065550100", "+12065550101", "--json"]) == [
        "botocore"
    ]
    # The tables, --query results included, are drawn line by line without rich; the probe
    # does see rich when it is used: JSON highlighted in colour.
    assert _heavy_modules(tmp_path, ["get", "+12065550100"]) == ["botocore"]
    assert _heavy_modules(tmp_path, ["get", "+12065550100", "--query", "PhoneNumber"]) == [
        "botocore"
    ]
    assert "rich" in _heavy_modules(
        tmp_path, ["get", "+12065550100", "--json", "--color", "always"]
    )


@pytest.mark.shell
def test_completion_probe_really_completes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "_CHIMENUM_COMPLETE": "bash_complete",
        "COMP_WORDS": "chimenum g",
        "COMP_CWORD": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", "from chimenum.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "get" in proc.stdout


# -- the rate limiter on its own -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_cuts_on_throttle_ignores_stale_throttles_and_recovers() -> None:
    from chimenum.core.policy import RateLimiter

    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert limiter.rate() is None
    # Two seconds of 100 requests/s, all accepted: no limit.
    slots = []
    for _ in range(200):
        slots.append(limiter.reserve())
        limiter.succeeded()
        clock.now += 0.01
    assert slots[-1] == pytest.approx(clock.now - 0.01)
    assert limiter.rate() is None
    limiter.throttled(slots[-1])
    assert limiter.rate() == pytest.approx(80.0, rel=0.05)
    # A throttle of a request sent before the cut does not cut again.
    limiter.throttled(slots[-2])
    assert len(limiter.cuts) == 1
    # Requests are now spaced at the new rate.
    a, b = limiter.reserve(), limiter.reserve()
    assert b - a == pytest.approx(1 / limiter.rate(), rel=0.05)  # type: ignore[operator]
    # Success: back to the throttled rate within the recovery time, then beyond it.
    limiter.succeeded()
    clock.now += 0.5
    assert 85 < limiter.rate() < 95  # type: ignore[operator]
    clock.now += 0.5
    assert limiter.rate() == pytest.approx(100, rel=0.01)
    clock.now += 2
    assert limiter.rate() > 150  # type: ignore[operator]
    # A new throttle, sent well after the cut, cuts again.
    clock.now += 1
    limiter.throttled(limiter.reserve())
    assert len(limiter.cuts) == 2


# -- the batch examples of docs/faults.md ----------------------------------------------------------


@pytest.mark.slow
def test_documented_batch_examples_run_as_written(
    make_fake: Callable[..., FakeChime], chimenum_exe: str, tmp_path: Path
) -> None:
    import re
    import shutil

    assert shutil.which("jq"), "jq is a test tool (.ci/run installs it)"
    page = (Path(__file__).resolve().parent.parent / "docs" / "faults.md").read_text()
    section = page.split("## Batches", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    make_fake(4)
    (tmp_path / "numbers.txt").write_text("+12065560000\n\n# retired\n+12065560002\n")
    (tmp_path / "audit.txt").write_text("# audit\n+12065560001\n+12065569999\n")
    env = {**os.environ, "PATH": f"{Path(chimenum_exe).parent}{os.pathsep}{os.environ['PATH']}"}
    outputs = []
    for command in commands:
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        outputs.append(proc)
    assert outputs[0].returncode == 0, outputs[0].stderr
    lines = (tmp_path / "numbers.ndjson").read_text().splitlines()
    assert [e164(json.loads(x)["PhoneNumber"]) for x in lines] == [
        "+12065560000",
        "+12065560002",
    ]
    # The second example's list has a number the account does not hold: exit 3 through the pipe.
    assert outputs[1].returncode == 3
    errors = json.loads(outputs[1].stdout)
    assert [e["PhoneNumberId"] for e in errors] == ["+12065569999"]
    assert re.search(r"NotFoundException", outputs[1].stderr)


def test_an_endless_line_is_reported_not_read_into_memory(
    make_fake: Callable[..., FakeChime], chimenum, tmp_path: Path
) -> None:
    fake = make_fake(3)
    ids = tmp_path / "ids.txt"
    with ids.open("wb") as out:
        out.write(b"+12065560001\n")
        out.write(b"#" + b"x" * 100_000 + b"\n")  # a long comment is still a comment
        out.write(b"+12065560002" + b"9" * 1_000_000 + b"\n")
        out.write(b"+12065560000\n")
    run = chimenum("get", "-f", str(ids))
    assert run.exit_code == 2
    # Refused with its line number, neither cut (losing the id at its end) nor read whole.
    assert run.stderr.splitlines()[0] == f"chimenum: {ids}:3: line longer than 4096 bytes"
    assert len(run.stderr) < 1000
    assert fake.requests == []


def test_data_loader_finds_chimenums_services_without_scanning_all(tmp_path: Path) -> None:
    """The startup shortcut in session.py answers like botocore's loader for our services."""
    from botocore.loaders import Loader

    from chimenum.core.session import CREDENTIAL_SERVICES, _data_loader

    ours = _data_loader(None)
    for kind in ("service-2", "endpoint-rule-set-1"):
        everything = Loader().list_available_services(kind)
        assert ours.list_available_services(kind) == [
            s for s in everything if s in ("chime", "chime-sdk-voice", *CREDENTIAL_SERVICES)
        ]
    # AWS_DATA_PATH (the session's data_path) is still searched, first.
    model = tmp_path / "chime" / "2018-05-01"
    model.mkdir(parents=True)
    (model / "chimenum-test-1.json").write_text("{}")
    extra = _data_loader(str(tmp_path))
    assert str(tmp_path) in extra.search_paths
    assert extra.list_available_services("chimenum-test-1") == ["chime"]
    assert ours.list_available_services("chimenum-test-1") == []


def test_a_run_ending_failure_mid_batch_ends_it_once(
    make_fake: Callable[..., FakeChime], chimenum
) -> None:
    """Credentials that expire at id 50 end the run with exit 10 at once, whichever id the output
    was waiting for: not after the answers still under way, nor after the ids queued behind."""
    fake = make_fake(200)
    ids = numbers(200)
    # Id 3's answer is held for the whole test: the output waits on it when id 50 ends the run.
    fake.inject(ids[3], "slow", delay=600)
    fake.inject(ids[50], "ExpiredTokenException")
    run = chimenum("get", *ids, "--json", "--concurrency", "4")
    # It ended without waiting for the held answer: that request is still unanswered.
    (held,) = [r for r in fake.requests if r.phone_number_id == ids[3]]
    assert held.status == 0
    fake.released.set()
    assert run.exit_code == 10, run.stderr
    assert run.stderr.splitlines()[-1].startswith("chimenum: ")
    assert "ExpiredTokenException" in run.stderr or "refresh your credentials" in run.stderr
    assert "Traceback" not in run.stderr
    assert fake.requested_ids().count(ids[50]) == 1


def test_workers_starting_together_never_see_a_half_compiled_walk() -> None:
    """The batch's workers share one parser factory, and the first answers arrive together.

    The walk of a shape is compiled on first use; a worker that picked up a structure's walk
    before its members were filled in parsed every answer as empty. Thread switches are made
    as frequent as Python allows, so that any such window is hit.
    """
    from botocore.session import Session

    from chimenum.core.validate import parser_factory

    shape = Session().get_service_model("chime").operation_model("ListPhoneNumbers").output_shape
    body = json.dumps({"PhoneNumbers": list(generate_numbers(2))}).encode()
    response = {"status_code": 200, "headers": {"content-length": str(len(body))}, "body": body}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(30):
            factory = parser_factory()
            start = threading.Barrier(16)
            parsed: list[Any] = []

            def parse(factory: Any, start: threading.Barrier, parsed: list[Any]) -> None:
                start.wait()
                parsed.append(factory.create_parser("rest-json").parse(response, shape))

            workers = [
                threading.Thread(target=parse, args=(factory, start, parsed)) for _ in range(16)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            assert len(parsed) == 16
            for answer in parsed:
                capabilities = [n["Capabilities"] for n in answer["PhoneNumbers"]]
                assert [c["InboundCall"] for c in capabilities] == [True, True]
    finally:
        sys.setswitchinterval(interval)
