"""The fork server's child: it takes the launcher's place and runs the console script as a
freshly started interpreter would (testing/forkserver.py says what differs, and why it does
not matter to the tests)."""

from __future__ import annotations

import atexit
import codecs
import contextlib
import fcntl
import io
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any


class Request:
    """One run asked for by a launcher (testing/forklauncher.py)."""

    def __init__(self, message: bytes) -> None:
        fields = message.split(b"\0")
        _, self.cwd, umask, opened, ignored, limits, argc = fields[:7]
        self.umask = int(umask)
        self.opened = [int(fd) for fd in opened.split(b",") if fd]
        self.ignored = {int(s) for s in ignored.split(b",") if s}
        self.limits = [tuple(int(n) for n in limit.split(b":")) for limit in limits.split(b",")]
        self.argv = fields[7 : 7 + int(argc)]
        self.env = dict(item.split(b"=", 1) for item in fields[7 + int(argc) :])


STDIO = {"stdin": (0, "r"), "stdout": (1, "w"), "stderr": (2, "w")}


def become(request: Request, fds: list[int], started: dict[str, tuple[str, str]]) -> None:
    """The child takes the launcher's place: signals, fds, cwd, environment, stdio, argv."""
    signal.set_wakeup_fd(-1)
    for signum in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
        with contextlib.suppress(OSError, ValueError):
            ignored = signum in request.ignored
            signal.signal(signum, signal.SIG_IGN if ignored else signal.SIG_DFL)
    if signal.SIGINT not in request.ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):  # as CPython sets them at start
        signal.signal(signum, signal.SIG_IGN)
    # Every fd the launcher had, at its number (a shell's `<(...)` is /dev/fd/63): first out
    # of the way of every number taken, then each to its place.
    above = max([*request.opened, *fds, 2]) + 1
    moved = {
        target: fcntl.fcntl(fd, fcntl.F_DUPFD, above)
        for target, fd in zip(request.opened, fds, strict=True)
    }
    for fd in fds:
        os.close(fd)
    for target in (0, 1, 2):
        if target not in moved:
            with contextlib.suppress(OSError):
                os.close(target)
    for target, fd in moved.items():
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request.cwd)
    os.umask(request.umask)
    for which, soft, hard in request.limits:
        with contextlib.suppress(ValueError, OSError):  # a hard limit above the server's
            resource.setrlimit(which, (soft, hard))
    os.environ.clear()
    os.environb.clear()
    for key, value in request.env.items():
        os.environb[key] = value
        os.environ[os.fsdecode(key)] = os.fsdecode(value)
    time.tzset()
    chosen = io_codecs(os.environ.get("PYTHONIOENCODING", ""), started)
    for name, (fd, mode) in STDIO.items():
        stream = _stdio(name, fd, mode, *chosen[name])
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    sys.argv = [os.fsdecode(arg) for arg in request.argv]


def io_codecs(variable: str, started: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The stdio ``(encoding, errors)`` CPython takes from ``PYTHONIOENCODING=encoding[:errors]``
    (the server started without it: ``started``). The launcher checked that Python knows the
    encoding; for one it does not, it ran the real script, to fail as the interpreter fails."""
    if not variable:
        return started
    encoding, _, errors = variable.partition(":")
    name = codecs.lookup(encoding).name if encoding else ""
    chosen = {}
    for stream, (default_encoding, default_errors) in started.items():
        handler = errors or ("strict" if name else default_errors)
        chosen[stream] = (
            name or default_encoding,
            "backslashreplace" if stream == "stderr" else handler,
        )
    return chosen


def _stdio(name: str, fd: int, mode: str, encoding: str, errors: str) -> io.TextIOWrapper | None:
    """The stream CPython makes for ``fd`` at start (Python/pylifecycle.c, create_stdio)."""
    try:
        os.fstat(fd)
    except OSError:
        return None
    buffered = open(fd, mode + "b", buffering=-1, closefd=False)  # noqa: SIM115
    raw = buffered.raw
    raw.name = f"<{name}>"  # type: ignore[misc]
    stream = io.TextIOWrapper(
        buffered,
        encoding=encoding,
        errors=errors,
        newline="\n",
        line_buffering=raw.isatty() or fd == 2,
    )
    stream.mode = mode  # type: ignore[misc]
    return stream


def run_as_interpreter(console_script: Callable[[], Any]) -> int:
    """Run the console script's function and end as the interpreter would: the exit code."""
    interrupted = False
    try:
        raise SystemExit(console_script())  # the console script's sys.exit(main())
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        code = 1
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    if not _flush_std_files():
        code = 120
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return code


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.write(f"{code}\n")
    return 1


def _flush_std_files() -> bool:
    ok = True
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", True):
            continue
        try:
            stream.flush()
        except Exception as exc:
            ok = False
            if stream is sys.stdout:
                import traceback

                with contextlib.suppress(Exception):
                    lines = traceback.format_exception_only(type(exc), exc)
                    sys.stderr.write(f"Exception ignored in: {stream!r}\n{''.join(lines)}")
                    sys.stderr.flush()
    return ok
