"""The fork server's launcher (testing/forkserver.py) answers as the console script does.

Each comparison runs the real console script (``chimenum_script``) and the launcher
(``chimenum_exe``) the same way and expects the same stdout, stderr and exit status, and that
the launcher's run was forked, not started.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ptys
import pytest

from testing import forkchild
from testing.fakechime import FakeChime
from testing.forkserver import ForkServer

ONE = "+12065550100"
MISSING = "+12065559999"

Outcome = tuple[int, bytes, bytes]


def forked(server: ForkServer, run: Callable[[], Outcome]) -> Outcome:
    """``run``'s outcome, checking that it was forked by the server exactly once."""
    before = server.served()
    outcome = run()
    assert server.served() == before + 1
    return outcome


def ran(argv: list[str], **kwargs: object) -> Outcome:
    proc = subprocess.run(argv, capture_output=True, timeout=60, **kwargs)  # type: ignore[call-overload]
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["get", ONE, MISSING, "--json"],  # a get, with one id not found: exit 3
        ["get", ONE, "-o", "csv"],
        ["get", "--no-such-option"],  # a usage error: exit 2
        ["--api", "voice", "--region", "us-east-1", "list", "-o", "ndjson"],
    ],
    ids=["get", "csv", "usage-error", "list"],
)
def test_the_same_answer_as_the_console_script(
    fake: FakeChime,
    chimenum_exe: str,
    chimenum_script: str,
    fork_server: ForkServer,
    args: list[str],
) -> None:
    real = ran([chimenum_script, *args])
    assert forked(fork_server, lambda: ran([chimenum_exe, *args])) == real
    assert real[0] in (0, 2, 3)


@pytest.mark.parametrize(
    "redirect", [">&-", "<&- 2>&-"], ids=["stdout-closed", "stdin-and-stderr-closed"]
)
def test_closed_streams_stay_closed(
    fake: FakeChime, chimenum_exe: str, chimenum_script: str, fork_server: ForkServer, redirect: str
) -> None:
    script = f'"$0" get {ONE} {MISSING} - {redirect}; echo "status=$?" >&2'
    real = ran(["bash", "-c", script, chimenum_script], stdin=subprocess.DEVNULL)
    launched = forked(
        fork_server, lambda: ran(["bash", "-c", script, chimenum_exe], stdin=subprocess.DEVNULL)
    )
    assert launched == real
    assert b"Traceback" not in real[2]


def _into_a_pipe_nobody_reads(exe: str) -> tuple[int, bytes]:
    read, write = os.pipe()
    os.close(read)  # gone before the first write: every write fails, whatever the timing
    try:
        proc = subprocess.run(
            [exe, "list", "-o", "ndjson"], stdout=write, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write)
    return proc.returncode, proc.stderr


def test_a_reader_gone_ends_the_same_way(
    fake: FakeChime, chimenum_exe: str, chimenum_script: str, fork_server: ForkServer
) -> None:
    real = _into_a_pipe_nobody_reads(chimenum_script)
    before = fork_server.served()
    assert _into_a_pipe_nobody_reads(chimenum_exe) == real
    assert fork_server.served() == before + 1
    assert real == (141, b"")


def _stopped(fake: FakeChime, exe: str, signum: int) -> Outcome:
    """A run stopped by ``signum`` while its request is held by the fake (one id: with more,
    how many were answered before the signal would differ from run to run)."""
    held = "+12065550103"
    asked = fake.requested_ids().count(held)
    proc = subprocess.Popen(
        [exe, "get", held, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60  # a watchdog: a pass never waits for it
    while fake.requested_ids().count(held) == asked:
        assert time.monotonic() < deadline, "the held request never arrived"
        time.sleep(0.02)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT])
def test_a_signal_mid_run_ends_it_the_same_way(
    fake: FakeChime, chimenum_exe: str, chimenum_script: str, fork_server: ForkServer, signum: int
) -> None:
    fake.inject("+12065550103", "slow", delay=600)  # released when the test ends
    real = _stopped(fake, chimenum_script, signum)
    assert forked(fork_server, lambda: _stopped(fake, chimenum_exe, signum)) == real
    assert real[0] == (-signal.SIGQUIT if signum == signal.SIGQUIT else 128 + signum)


def _on_a_terminal(exe: str, *args: str) -> tuple[int | None, int | None, str]:
    import pexpect

    child = ptys.spawn(exe, list(args), encoding="utf-8", dimensions=(40, 90), timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.signalstatus, child.before


@pytest.mark.parametrize("args", [["get", ONE], ["get", ONE, MISSING, "--json"]])
def test_on_a_terminal_the_same_output(
    fake: FakeChime,
    chimenum_exe: str,
    chimenum_script: str,
    fork_server: ForkServer,
    args: list[str],
) -> None:
    real = _on_a_terminal(chimenum_script, *args)
    before = fork_server.served()
    assert _on_a_terminal(chimenum_exe, *args) == real
    assert fork_server.served() == before + 1
    assert "\x1b[" in real[2]  # coloured: the terminal was seen as one


def test_ctrl_c_on_a_terminal_reaches_the_child(
    fake: FakeChime, chimenum_exe: str, fork_server: ForkServer
) -> None:
    import pexpect

    fake.inject(ONE, "slow", delay=600)
    before = fork_server.served()
    child = ptys.spawn(chimenum_exe, ["get", ONE], encoding="utf-8", timeout=60)
    deadline = time.monotonic() + 60
    while ONE not in fake.requested_ids():
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.02)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "chimenum: interrupted" in child.before
    assert fork_server.served() == before + 1


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "no-such-codec"}, {"LC_ALL": "C"}, {"PYTHONWARNINGS": "error"}],
    ids=["unknown-io-encoding", "locale", "warnings"],
)
def test_an_environment_that_changes_python_starts_the_real_script(
    fake: FakeChime,
    chimenum_exe: str,
    chimenum_script: str,
    fork_server: ForkServer,
    env: dict[str, str],
) -> None:
    environ = {**os.environ, **env}
    argv = ["get", ONE, "+12065550101"]  # a table with a glyph an ASCII stdout cannot show
    real = ran([chimenum_script, *argv], env=environ)
    before = fork_server.served()
    launched = ran([chimenum_exe, *argv], env=environ)
    # Python's fatal error on an unknown stdio encoding names its thread by address.
    thread = re.compile(rb"thread 0x[0-9a-f]+")
    assert thread.sub(b"thread", launched[2]) == thread.sub(b"thread", real[2])
    assert launched[:2] == real[:2]
    assert fork_server.served() == before  # exec'd, not forked


def stdio_codecs(python: str, env: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The ``(encoding, errors)`` of the interpreter's stdio when it starts in ``env``."""
    code = (
        "import sys; print([(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr)])"
    )
    done = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = ast.literal_eval(done.stdout)
    return {name: tuple(pair) for name, pair in zip(forkchild.STDIO, found, strict=True)}


@pytest.mark.parametrize("variable", ["ascii", "ASCII", "latin-1:replace", ":replace", "utf-8:"])
def test_pythonioencoding_is_applied_by_the_forked_child(
    fake: FakeChime,
    chimenum_exe: str,
    chimenum_script: str,
    fork_server: ForkServer,
    variable: str,
) -> None:
    python = str(Path(chimenum_script).parent / "python")
    environ = {**os.environ, "PYTHONIOENCODING": variable}
    started = stdio_codecs(python, {k: v for k, v in environ.items() if k != "PYTHONIOENCODING"})
    assert forkchild.io_codecs(variable, started) == stdio_codecs(python, environ)
    argv = ["get", ONE, "+12065550101"]  # a table with a glyph an ASCII stdout cannot show
    real = ran([chimenum_script, *argv], env=environ)
    before = fork_server.served()
    assert ran([chimenum_exe, *argv], env=environ) == real
    assert fork_server.served() == before + 1  # forked, with the interpreter's stdio codecs


def test_a_file_the_shell_opened_past_stderr_is_there(
    fake: FakeChime, chimenum_exe: str, chimenum_script: str, fork_server: ForkServer
) -> None:
    """bash's `<(...)` hands a command /dev/fd/63: the child has it at that number too."""
    script = '"$0" get --from-file <(printf "%s\\n" +12065550100 +12065550101) --json'
    runs = [ran(["bash", "-c", script, exe]) for exe in (chimenum_script, chimenum_exe)]
    assert runs[0] == runs[1]
    assert runs[0][0] == 0 and b"+12065550101" in runs[0][1]
    before = fork_server.served()
    ran(["bash", "-c", script, chimenum_exe])
    assert fork_server.served() == before + 1


def test_an_ignored_sigint_is_inherited_and_chimenum_still_stops_on_it(
    fake: FakeChime, chimenum_exe: str, chimenum_script: str, fork_server: ForkServer
) -> None:
    """A background job inherits SIGINT ignored; chimenum installs its handler anyway."""
    fake.inject("+12065550103", "slow", delay=600)
    script = 'trap "" INT; exec "$0" "$@"'
    results = []
    for exe in (chimenum_script, chimenum_exe):
        asked = fake.requested_ids().count("+12065550103")
        proc = subprocess.Popen(
            ["bash", "-c", script, exe, "get", "+12065550103"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while fake.requested_ids().count("+12065550103") == asked:
            assert time.monotonic() < deadline, "the request never arrived"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        results.append((proc.returncode, out, err))
    assert results[0] == results[1]
    assert results[0][0] == 130


@pytest.mark.slow  # a real interpreter start
def test_the_server_preloads_neither_rich_nor_yaml() -> None:
    """What a command imports lazily stays lazy in the server's children."""
    probe = (
        "import sys; from testing.forkserver import preload; preload();"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'yaml', 'botocore'}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "['botocore']"
