"""The AWS CLI as the tests' oracle: what `aws ...` prints for the same answers chimenum reads.

Named ``aws_cli`` rather than ``awscli``: the tests' folder is on ``sys.path``, and a module of that
name would shadow the installed awscli package.

Why not ``awscli.clidriver`` in the test process: importing awscli changes the process. Its
``__init__`` puts a finder first on ``sys.meta_path`` that answers ``import botocore`` with the
botocore awscli vendors (``awscli/botocore``, another version than chimenum's), and it sets
``AWS_DATA_PATH`` in ``os.environ``. In a test process that has already imported botocore, awscli
would run on chimenum's botocore (so it would no longer be the oracle `aws` is); one that has not
would hand chimenum awscli's. So the oracle runs where `aws` runs, in a process of its own, without
paying a Python start-up and awscli's import (about 0.7 s of CPU) per call: one server process per
test process imports awscli once, then forks a child per call, which runs
``create_clidriver().main(args)`` as the ``aws`` script does, in the caller's environment and
folder, its stdout and stderr captured through pipes. A fork starts from the server's state, so no
call sees another's. ``test_the_oracle_prints_what_aws_prints`` (test_conformance.py) holds it to
the real ``aws`` executable, byte for byte.
"""

from __future__ import annotations

import atexit
import io
import json
import locale
import os
import pickle
import select
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

#: The AWS CLI v2 prints ISO 8601 timestamps by default; v1 (the one on PyPI) does with this.
ISO8601_CONFIG = "[default]\ncli_timestamp_format = iso8601\n"

#: Seconds one call may take before the oracle is called hung (a subprocess's timeout before).
TIMEOUT = 60.0

#: The services whose models the server decodes once, before its first fork.
SERVICES = ("chime", "chime-sdk-voice")


def aws_executable() -> str:
    aws = Path(sys.executable).parent / "aws"
    found = str(aws) if aws.exists() else shutil.which("aws")
    assert found, "awscli is a test dependency"
    return found


def print_iso8601(aws_env: Path) -> None:
    """Make the AWS CLI print timestamps as v2 does (``aws_env``: the conftest fixture's folder)."""
    (aws_env / "aws-config").write_text(ISO8601_CONFIG)


def aws(*args: str, region: str = "us-east-1") -> subprocess.CompletedProcess[str]:
    """``aws ARGS --region REGION`` in the test's environment (endpoints, credentials, config)."""
    argv = [*args, "--region", region]
    returncode, stdout, stderr = _oracle().call(argv, dict(os.environ), str(Path.cwd()))
    return subprocess.CompletedProcess(["aws", *argv], returncode, _text(stdout), _text(stderr))


def aws_json(*args: str, region: str = "us-east-1") -> Any:
    """The parsed JSON document ``aws ARGS --output json`` prints; it must succeed."""
    done = aws(*args, "--output", "json", region=region)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def real_aws(*args: str, region: str = "us-east-1") -> subprocess.CompletedProcess[bytes]:
    """The ``aws`` executable itself, in a subprocess: what the oracle is held to."""
    return subprocess.run(
        [aws_executable(), *args, "--region", region],
        capture_output=True,
        env=dict(os.environ),
        timeout=TIMEOUT,
    )


def oracle_bytes(*args: str, region: str = "us-east-1") -> tuple[int, bytes, bytes]:
    """The oracle's exit status, stdout and stderr as bytes (``aws`` decodes them as text)."""
    return _oracle().call([*args, "--region", region], dict(os.environ), str(Path.cwd()))


def _text(data: bytes) -> str:
    # What subprocess.run(text=True) makes of a pipe: the locale's encoding, universal newlines.
    return io.TextIOWrapper(io.BytesIO(data), encoding=locale.getpreferredencoding(False)).read()


# -- the test process's side ------------------------------------------------------------------


class _Oracle:
    """The server process of this test process, started at the first call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: subprocess.Popen[bytes] | None = None

    def call(self, argv: list[str], env: dict[str, str], cwd: str) -> tuple[int, bytes, bytes]:
        with self._lock:
            server = self._started()
            assert server.stdin and server.stdout
            _send(server.stdin, (argv, env, cwd))
            ready, _, _ = select.select([server.stdout], [], [], TIMEOUT)
            if not ready:
                self.close()
                raise TimeoutError(f"aws {' '.join(argv)}: no answer in {TIMEOUT:g} s")
            answer = _receive(server.stdout)
            if answer is None:
                self.close()
                raise RuntimeError("the AWS CLI oracle's server exited")
            returncode, stdout, stderr = answer
            return int(returncode), bytes(stdout), bytes(stderr)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._server is None or self._server.poll() is not None:
            self._server = subprocess.Popen(
                [sys.executable, __file__, "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=dict(os.environ),
            )
        return self._server

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        assert server.stdin
        server.stdin.close()  # the server ends at the end of its input
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


_ORACLE: _Oracle | None = None


def _oracle() -> _Oracle:
    global _ORACLE
    if _ORACLE is None:
        _ORACLE = _Oracle()
        atexit.register(_ORACLE.close)
    return _ORACLE


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(4)
    if len(header) < 4:
        return None
    (size,) = struct.unpack("!I", header)
    return pickle.loads(stream.read(size))


# -- the server process -----------------------------------------------------------------------


def _serve() -> None:
    """Import awscli once, then run each call asked on stdin in a child, answering on stdout."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    # The children's text streams are made as this interpreter made its own, from the same locale.
    encodings = {1: sys.stdout.encoding, 2: sys.stderr.encoding}
    _warm()
    while (request := _receive(requests)) is not None:
        argv, env, cwd = request
        _send(answers, _run_child(argv, env, cwd, encodings))


def _warm() -> None:
    """Import what every call imports and read what every call reads, once, before forking.

    awscli's botocore (its own copy, imported through awscli's finder) decodes its JSON data
    files and lists its ~400 service folders for each session; the children, forked from here,
    find them done. Only the package's own folders are shared this way: a file anywhere else
    (a test's config, ``~/.aws/models``) is read by each call. A child that changes what it was
    given changes its own copy, for no other call.
    """
    import awscli.clidriver
    import awscli.handlers  # the plugins every driver loads
    from botocore.loaders import Loader

    sys.path.append(str(Path(__file__).resolve().parent.parent))  # the checkout's testing/
    from testing.botocore_data import share_botocore_data_files

    share_botocore_data_files(str(Path(awscli.__file__).parent / "data"))
    for name in ("list_available_services", "determine_latest_version"):
        setattr(Loader, name, _per_search_path(getattr(Loader, name)))
    driver = awscli.clidriver.create_clidriver()
    commands = driver._get_command_table()
    for service in SERVICES:
        commands[service]._get_command_table()
        driver.session.create_client(service, region_name="us-east-1")


def _per_search_path(method: Any) -> Any:
    """A Loader method answered once per search path (botocore caches it once per session)."""
    answers: dict[tuple[Any, ...], Any] = {}

    def shared(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = (tuple(self.search_paths), *args, *sorted(kwargs.items()))
        if key not in answers:
            answers[key] = method(self, *args, **kwargs)
        return answers[key]

    return shared


def _run_child(
    argv: list[str], env: dict[str, str], cwd: str, encodings: dict[int, str]
) -> tuple[int, bytes, bytes]:
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the child)
        os.close(out_r)
        os.close(err_r)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.close(out_w)
        os.close(err_w)
        os._exit(_driver(argv, env, cwd, encodings))
    os.close(out_w)
    os.close(err_w)
    captured = _drain({out_r: bytearray(), err_r: bytearray()})
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), bytes(captured[out_r]), bytes(captured[err_r])


def _drain(captured: dict[int, bytearray]) -> dict[int, bytearray]:
    """Read both pipes to their ends, whichever the child fills first."""
    open_fds = set(captured)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [])
        for fd in ready:
            chunk = os.read(fd, 65536)
            if chunk:
                captured[fd] += chunk
            else:
                open_fds.discard(fd)
                os.close(fd)
    return captured


def _driver(argv: list[str], env: dict[str, str], cwd: str, encodings: dict[int, str]) -> int:
    """What the ``aws`` script does, in the caller's environment and folder: the exit status."""
    import awscli

    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # As awscli's __init__ and the aws script set them at start-up.
    data_path = [
        str(Path(os.path.expandvars(p)).expanduser())
        for p in env.get("AWS_DATA_PATH", "").split(os.pathsep)
        if p
    ]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(
        [*data_path, str(Path(awscli.__file__).parent / "data")]
    )
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "wb", closefd=False)), encoding=encodings[1]
    )
    sys.stderr = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "wb", closefd=False)),
        encoding=encodings[2],
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr
    status = 1
    try:
        from awscli.clidriver import main

        sys.argv = ["aws", *argv]
        status = main()
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return status


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
