"""How a run ends when its reader goes away or it is told to stop: the one place for signals.

- A closed pipe (``chimenum get ... | head -1``): the write raises ``BrokenPipeError``; the CLI
  catches it once, points the stream's file descriptor at ``/dev/null`` so the interpreter's
  final flush has nowhere to fail, and exits 141 (128 + SIGPIPE, what the shell reports for
  ``cat`` or ``grep`` in the same place) without a word on stderr. SIGPIPE itself stays ignored
  (Python's default): with its default action, a write to a socket the service closed would kill
  the process silently instead of ending in a network error.
- SIGTERM raises :class:`Terminated` in the main thread, so the run unwinds like Ctrl-C: output
  already rendered is flushed, ``chimenum: terminated`` goes to stderr, and the exit code is 143
  (128 + SIGTERM).
- SIGINT keeps Python's default, ``KeyboardInterrupt``: exit 130.
- After either, the console script exits at once (:func:`end_now`) rather than wait for requests
  still in flight on worker threads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TextIO


class Terminated(BaseException):
    """SIGTERM arrived. A ``BaseException``, like ``KeyboardInterrupt``, so that no
    ``except Exception`` in botocore or urllib3 swallows it on the way out."""


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


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While the body runs, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    """Exit at once with ``code`` after an interrupt, once what was rendered is flushed.

    A batch interrupted mid-way still has requests in flight on worker threads, and the
    interpreter joins them before it exits: up to ``--read-timeout`` seconds of waiting after
    Ctrl-C or SIGTERM. Only the console script calls this, never an in-process run.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
