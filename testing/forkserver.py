"""A fork server for the tests: ``chimenum`` as a process, without a Python start-up per run.

A test that checks a process (a terminal, a signal, stdout closed, the exit status) runs
``chimenum`` in a subprocess; started for real, each run spends about 0.45 s of CPU importing
botocore and chimenum.cli and decoding botocore's JSON. The server does that once per pytest
worker (``python -m testing.forkserver SOCKET``), then forks a child per run. Tests run a
launcher named ``chimenum`` (:attr:`ForkServer.bin`, first on the shells' PATH;
testing/forklauncher.py): a script run by ``python -SE`` (no site, a few ms) that sends the
server its argv, environment, cwd, umask, the signals it inherited ignored and every fd it has
open, each at its own number in the child (``socket.send_fds``; a closed 0-2 stays closed; a
shell's ``<(...)`` is /dev/fd/63), forwards every catchable signal it gets to the child, and
ends as the child ended (killed by a signal: the same signal, SIG_DFL first). An environment
that changes how the interpreter itself starts (any
``PYTHON*`` variable but a ``PYTHONIOENCODING`` whose encoding Python knows, which the child
applies itself, ``LC_ALL``/``LC_CTYPE``/``LANG`` different from the server's), or a HOME
other than the server's (botocore fixes its cache folders from it when imported), makes the
launcher exec the real console script instead.

The server is single-threaded (forking a threaded process is unsafe): it accepts a request,
forks, reaps children on SIGCHLD and sends each launcher its child's wait status. The child
(testing/forkchild.py) takes the launcher's place. The server exits
when the worker that started it goes (its lifeline socket closes), killing children left.

What differs from a real start, and why the tests cannot tell:

- botocore (its session and client modules) is already imported, and its bundled JSON decoded
  (:mod:`testing.botocore_data`, as in-process runs do); rich and yaml are not (the server
  refuses to start if they are), nor any chimenum module ``chimenum.cli`` does not import at
  start. The import checks of tests/test_batch.py start a real interpreter.
- The child's parent is the server, not the launcher, and it has no controlling terminal: a
  terminal's Ctrl-C, hang-up or resize reaches it through the launcher, which the terminal
  signals as it would the real process. Its fds 0-2 are the launcher's own, so ``isatty``,
  the terminal's size and closed streams are what the real process would see.
- A traceback shows this module's frames instead of the console script's ``<module>``; the
  interpreter's teardown is reproduced in the order CPython runs it (the SystemExit code,
  threads joined, atexit, stdout then stderr flushed, 120 if a flush fails, an unhandled
  Ctrl-C re-raised as SIGINT) but modules are not torn down, so an object's finaliser that
  only garbage collection at exit would run does not.
- ``sys.argv[0]`` is the launcher's path; the hash seed is the server's (``random`` is reseeded
  at fork by CPython itself).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testing import forkchild

ROOT = Path(__file__).resolve().parent.parent
#: The signals the launcher forwards to its child (every catchable one a test or a shell sends).
FORWARDED = tuple(
    getattr(signal, f"SIG{name}")
    for name in "INT TERM HUP QUIT USR1 USR2 ALRM WINCH PIPE CONT TSTP".split()  # noqa: SIM905
)
#: Environment variables besides ``PYTHON*`` that decide how the interpreter starts (its stdio
#: and file system encodings) or what the preloaded modules fixed when imported (botocore's SSO
#: token and credential cache folders, from HOME).
STARTUP_VARIABLES = (b"LC_ALL", b"LC_CTYPE", b"LANG", b"HOME")
#: The largest request (argv and environment); a bigger one runs the real script.
MAX_REQUEST = 1 << 20
#: The most fds a launcher hands over (a few past 0-2: a shell's ``<(...)``); more: the real script.
MAX_FDS = 32
#: The environment the test process started with, before any test changed it.
_STARTUP_ENV = dict(os.environ)


def _startup_env() -> dict[bytes, bytes]:
    environ = os.environb.items()
    return {
        k: v
        for k, v in environ
        if (k.startswith(b"PYTHON") and k != b"PYTHONIOENCODING") or k in STARTUP_VARIABLES
    }


# -- the test process's side -------------------------------------------------------------------


class ForkServer:
    """A running server, its launcher (``bin/chimenum``) and its socket, in a folder of its own."""

    def __init__(self, folder: Path, process: subprocess.Popen[bytes], lifeline: socket.socket):
        self.folder = folder
        self.process = process
        self.lifeline = lifeline

    @property
    def socket(self) -> Path:
        return self.folder / "socket"

    @property
    def bin(self) -> Path:
        return self.folder / "bin"

    @property
    def launcher(self) -> Path:
        return self.bin / "chimenum"

    @classmethod
    def start(cls) -> ForkServer:
        # A short folder: a Unix socket's path has room for about 100 bytes.
        folder = Path(tempfile.mkdtemp(prefix="chimenum-fork-"))
        ours, theirs = socket.socketpair()
        env = {k: v for k, v in _STARTUP_ENV.items() if not k.startswith(("AWS_", "CHIMENUM_"))}
        env.pop("PYTHONIOENCODING", None)  # each child applies its own (forkchild.io_codecs)
        # The warm-up's clients read no one's configuration.
        env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        env.update(AWS_EC2_METADATA_DISABLED="true")
        lifeline = ["--lifeline", str(theirs.fileno())]
        with (folder / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "testing.forkserver", str(folder / "socket"), *lifeline],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=[theirs.fileno()],
                start_new_session=True,  # a Ctrl-C meant for pytest is not the server's
            )
        theirs.close()
        ours.settimeout(120)  # a watchdog: the server is ready in about a second
        try:
            ready = ours.recv(64)
        except OSError:
            ready = b""
        server = cls(folder, process, ours)
        if ready != b"ready\n":
            log_text = (folder / "server.log").read_text(errors="replace")
            server.stop()
            raise RuntimeError(f"the fork server did not start:\n{log_text}")
        return server

    def served(self) -> int:
        """How many runs the server has forked so far."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as client:
            client.settimeout(60)
            client.connect(str(self.socket))
            client.send(b"stats")
            return int(client.recv(64).split()[1])

    def stop(self) -> None:
        self.lifeline.close()  # the server sees its lifeline end and exits
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_shared: ForkServer | None = None


def shared() -> ForkServer:
    """This process's server, started on first use (each pytest worker has its own)."""
    global _shared
    if _shared is None or _shared.process.poll() is not None:
        _shared = ForkServer.start()
    return _shared


def stop_shared() -> None:
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None


# -- the server --------------------------------------------------------------------------------


def preload() -> Callable[[], Any]:
    """Import what every run imports at start, decode botocore's data; the console script's
    function (pyproject's [project.scripts], as installed)."""
    from importlib.metadata import entry_points

    from testing.botocore_data import share_botocore_data_files, share_botocore_handler_checks

    share_botocore_data_files()
    share_botocore_handler_checks()
    import botocore.client
    import botocore.session

    import chimenum.cli  # noqa: F401

    session = botocore.session.Session()
    for service in ("chime", "chime-sdk-voice"):
        session.create_client(
            service, region_name="us-east-1", aws_access_key_id="-", aws_secret_access_key="-"
        )
    assert botocore.client
    lazy = {"rich", "yaml"} & {name.split(".")[0] for name in sys.modules}
    if lazy:
        raise SystemExit(f"the fork server imported {sorted(lazy)}: they must stay lazy")
    (script,) = entry_points(group="console_scripts", name="chimenum")
    function: Callable[[], Any] = script.load()
    return function


def serve(path: Path, lifeline: socket.socket) -> None:
    console_script = preload()
    # The real script's sys.path[0] is its own folder, not this checkout.
    script = Path(sys.executable).parent / "chimenum"
    sys.path[0] = str(script.parent)
    codecs = {n: (getattr(sys, n).encoding, getattr(sys, n).errors) for n in forkchild.STDIO}
    launcher = path.parent / "bin" / "chimenum"
    launcher.parent.mkdir()
    settings = {
        "server_socket": str(path),
        "script": str(script),
        "startup": _startup_env(),
        "variables": STARTUP_VARIABLES,
        "forwarded": tuple(int(s) for s in FORWARDED),
        "max_request": MAX_REQUEST,
        "max_fds": MAX_FDS,
    }
    source = Path(__file__).with_name("forklauncher.py").read_text()
    launcher.write_text(f"#!{sys.executable} -SE\n{source}\n\nmain(**{settings!r})\n")
    launcher.chmod(0o755)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(str(path))
    listener.listen(64)
    wake, waker = socket.socketpair()
    for end in (wake, waker):
        end.setblocking(False)
    signal.set_wakeup_fd(waker.fileno(), warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # wakes the selector
    selector = selectors.DefaultSelector()
    for sock in (listener, wake, lifeline):
        selector.register(sock, selectors.EVENT_READ)
    children: dict[int, socket.socket] = {}
    served = 0
    import gc

    gc.freeze()  # the children's collections leave the preloaded objects' pages shared
    lifeline.send(b"ready\n")
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is lifeline:
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                return
            if sock is listener:
                selector.register(listener.accept()[0], selectors.EVENT_READ)
            elif sock is wake:
                with contextlib.suppress(BlockingIOError):
                    while wake.recv(4096):
                        pass
                _reap(children, selector)
            elif sock in children.values():
                # The launcher ended before its child (SIGKILL): so does the child.
                pid = next(p for p, s in children.items() if s is sock)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                selector.unregister(sock)
            else:
                message, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, MAX_FDS)
                if message == b"stats":
                    sock.send(b"served %d" % served)
                if not message.startswith(b"run\0"):
                    selector.unregister(sock)
                    sock.close()
                    continue
                server_socks = [listener, wake, waker, lifeline, *children.values(), sock]
                pid = _fork(
                    forkchild.Request(message), fds, selector, server_socks, codecs, console_script
                )
                served += 1
                for fd in fds:
                    os.close(fd)
                children[pid] = sock
                try:
                    sock.send(b"pid %d" % pid)
                except OSError:
                    os.kill(pid, signal.SIGKILL)


def _reap(children: dict[int, socket.socket], selector: selectors.BaseSelector) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
        sock = children.pop(pid, None)
        if sock is None:
            continue
        with contextlib.suppress(OSError):
            sock.send(b"status %d" % status)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(sock)
        sock.close()


def _fork(
    request: forkchild.Request,
    fds: list[int],
    selector: selectors.BaseSelector,
    server_socks: list[socket.socket],
    codecs: dict[str, tuple[str, str]],
    console_script: Callable[[], Any],
) -> int:
    # Every signal waits until the child has put back its default handlers: none runs the
    # server's handlers in the child.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    pid = os.fork()
    if pid:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return pid
    code = 70
    try:
        selector.close()
        for sock in server_socks:
            sock.close()
        forkchild.become(request, fds, codecs)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        code = forkchild.run_as_interpreter(console_script)
    except BaseException:
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m testing.forkserver")
    parser.add_argument("socket", type=Path)
    parser.add_argument("--lifeline", type=int, required=True, help="a socket's fd: EOF = exit")
    args = parser.parse_args()
    serve(args.socket, socket.socket(fileno=args.lifeline))


if __name__ == "__main__":
    main()
