"""How a run ends when its reader goes away or it is told to stop: the one place for signals.

- A closed pipe (``chimenum get ... | head -1``): the write raises ``BrokenPipeError``; the CLI
  catches it once, points the stream's file descriptor at ``/dev/null`` so the interpreter's
  final flush has nowhere to fail, and exits 141 (128 + SIGPIPE, what the shell reports for
  ``cat`` or ``grep`` in the same place) without a word on stderr. SIGPIPE itself stays ignored
  (Python's default): with its default action, a write to a socket the service closed would kill
  the process silently instead of ending in a network error.
- SIGINT (Ctrl-C) and SIGTERM each raise an exception of chimenum's own in the main thread,
  from handlers installed for the run (:func:`stop_on_signals`): :class:`Interrupted` (a
  ``KeyboardInterrupt``) and :class:`Terminated`. The run unwinds, output already rendered is
  flushed, ``chimenum: interrupted`` or ``chimenum: terminated`` goes to stderr, and the exit
  code is 130 or 143 (128 + the signal).
- SIGHUP (the terminal closed, an ssh session dropped), SIGUSR1 and SIGALRM (a supervisor's or
  ``timeout -s``'s way to end a run) end it as SIGTERM does, each with its own word and exit
  code, 128 + the signal (:data:`STOPS`): whatever reason a process is told to stop, what it
  collected is written, not lost. After a hang-up stdout and stderr may be gone with the
  terminal: the flush then fails quietly (:mod:`chimenum.cli.runner`) and the signal's exit
  code stands. SIGQUIT keeps its default action: the operator's hard quit, with a core dump
  where they are enabled.
- The handlers are installed whatever the process inherited. Python installs its own SIGINT
  handler only when SIGINT was not ignored at startup, and a process started in the background
  of a shell without job control (``cmd &`` in a script, many CI runners and test harnesses)
  inherits it ignored: Ctrl-C, or ``kill -INT``, would then do nothing, and a run waiting for an
  answer would end much later in a network timeout (exit 11).
- The first of those signals is recorded before its exception is raised, so the run ends as
  the signal says even when the exception never reaches the boundary (after the command had
  already finished).
- A handler's exception raised inside a finaliser (a connection pool closed by the garbage
  collector, say) is one Python swallows: it would print "Exception ignored" with a traceback,
  and the run would go on, possibly blocked for a whole read timeout. The run's
  ``sys.unraisablehook`` takes it instead, prints nothing, and sends the signal again to the
  main thread, whose next Python code (or blocking call, interrupted) raises it for good.
- A second stop signal, while the first one's output is being flushed, is raised at once and
  ends the run without waiting for the flush (a write blocked on a reader that never reads).
- After any of them, the console script exits at once (:func:`end_now`) rather than wait for
  requests still in flight on worker threads.
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, TextIO

from chimenum.core.errors import ExitCode


class Terminated(BaseException):
    """SIGTERM arrived, or a signal that ends a run as it does (the subclasses). A
    ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception`` in botocore
    or urllib3 swallows it on the way out."""


class HungUp(Terminated):
    """SIGHUP arrived: the terminal closed, the ssh session dropped."""


class UserSignalled(Terminated):
    """SIGUSR1 arrived."""


class AlarmRang(Terminated):
    """SIGALRM arrived."""


class Interrupted(KeyboardInterrupt):
    """SIGINT arrived (Ctrl-C). A ``KeyboardInterrupt``, so that every place that already ends
    a run on Ctrl-C (click, the commands, the core's error table) ends it on this one."""


#: What each signal a run stops on raises, and the word and exit code it ends with.
STOPS: dict[int, tuple[type[BaseException], str, ExitCode]] = {
    signal.SIGINT: (Interrupted, "interrupted", ExitCode.INTERRUPTED),
    signal.SIGTERM: (Terminated, "terminated", ExitCode.TERMINATED),
    signal.SIGHUP: (HungUp, "hung up (SIGHUP)", ExitCode.HANGUP),
    signal.SIGUSR1: (UserSignalled, "stopped by SIGUSR1", ExitCode.USER_SIGNAL),
    signal.SIGALRM: (AlarmRang, "stopped by SIGALRM", ExitCode.ALARM),
}
#: The exit codes of a run a signal stopped: the console script then exits at once.
STOP_CODES = frozenset(code for _, _, code in STOPS.values())
#: What a stop signal's handler raises.
STOP_TYPES = tuple(raised for raised, _, _ in STOPS.values())


class RunSignals:
    """The first signal that told the run to stop, if any (``received``)."""

    def __init__(self) -> None:
        self.received: int | None = None
        #: The stop was raised inside a finaliser and swallowed: its next delivery counts as
        #: the first (a held block still takes it whole).
        self.swallowed = False
        #: The handlers are installed (a signal sent again arrives too late otherwise).
        self.active = True
        self._lock = threading.Lock()

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        global _pending
        if not self.active:
            return  # sent again as the run ended: the run ends as the first one says
        first = self.received is None or self.swallowed
        self.swallowed = False
        if self.received is None:
            self.received = signum
        stop = STOPS[signum][0]
        if _held and first:
            _pending = stop  # raised when the held block ends (a second signal: at once)
            return
        _pending = None
        raise stop

    def unraisable(self, unraisable: Any, previous: Callable[[Any], object]) -> None:
        """``sys.unraisablehook`` while the run's handlers are installed."""
        if not isinstance(unraisable.exc_value, STOP_TYPES) or self.received is None:
            previous(unraisable)
            return
        self.swallowed = True
        # From another thread, once this hook has returned: raised in here, the stop would be
        # swallowed again. A bare thread, not threading.Thread: its start() waits for the
        # thread in Python code, where the signal sent would be handled, inside this hook.
        # After start_new_thread this hook runs no more Python code, so the new thread gets
        # the interpreter (and the signal a place to land) only once the hook has returned.
        _thread.start_new_thread(self._send_again, (self.received,))

    def _send_again(self, signum: int) -> None:
        main = threading.main_thread().ident
        with self._lock:
            if self.active and main is not None:
                signal.pthread_kill(main, signum)

    def deactivate(self) -> None:
        """The run's handlers are about to be put back: no signal is sent again after this."""
        with self._lock:
            self.active = False

    def ending(self) -> tuple[str, ExitCode] | None:
        """The word and exit code the run ends with because of a signal; ``None``: no signal."""
        if self.received is None:
            return None
        _, word, code = STOPS[self.received]
        return word, code


#: How deep the main thread is in :func:`held` blocks, and the stop raised when they end.
_held = 0
_pending: type[BaseException] | None = None


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A stop signal that arrives inside the block is raised when the block ends.

    A result is taken whole or not at all: rendered and counted, never written but left out of
    "N of M ids fetched", never taken from the engine and then dropped. A second signal is
    raised at once, so a write blocked on a reader that never reads cannot hold the run.
    """
    global _held, _pending
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending is not None:
            stop, _pending = _pending, None
            raise stop


def ending_of(stop: BaseException) -> tuple[str, ExitCode]:
    """The word and exit code for a run stopped by ``stop`` (a ``KeyboardInterrupt`` raised
    by hand, or where no handler of ours was installed, counts as Ctrl-C)."""
    for raised, word, code in STOPS.values():
        if type(stop) is raised:
            return word, code
    _, word, code = STOPS[signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT]
    return word, code


class ReaderGone(Exception):
    """A write to stdout or stderr found the pipe closed.

    ``BrokenPipeError`` is converted to this on its way out of a command, because click catches
    ``EPIPE`` itself and exits 1 even when asked not to handle errors.
    """


@contextlib.contextmanager
def reader_gone_on_broken_pipe() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError as exc:
        raise ReaderGone from exc


@contextlib.contextmanager
def stop_on_signals() -> Iterator[RunSignals]:
    """While the body runs, each signal of :data:`STOPS` raises its exception (main thread
    only: Python runs handlers there alone); the handlers that were there before are put back
    afterwards. SIGQUIT is left alone."""
    signals = RunSignals()
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return
    previous = {signum: signal.signal(signum, signals.on_signal) for signum in STOPS}
    previous_hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(signals.unraisable, previous=previous_hook)
    try:
        yield signals
    finally:
        signals.deactivate()
        sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            # None: a handler not set from Python, which cannot be put back; the default is.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def silence(stream: TextIO) -> None:
    """Send whatever is still buffered for ``stream`` to /dev/null, quietly.

    Called after ``BrokenPipeError``: the reader is gone, and without this the interpreter's
    last flush of ``sys.stdout`` prints "Exception ignored ... BrokenPipeError".
    """
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not backed by a file descriptor (tests' in-memory streams)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def end_now(code: int) -> None:
    """Exit at once with ``code`` after a stop signal, once what was rendered is flushed.

    A batch interrupted mid-way still has requests in flight on worker threads, and the
    interpreter joins them before it exits: up to ``--read-timeout`` seconds of waiting after
    a stop signal. Only the console script calls this, never an in-process run.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
