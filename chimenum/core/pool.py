"""The one concurrency engine: every batch, lookup and bounded wait of a run goes through here.

:class:`Pool` maps jobs over items and yields their values in input order, as soon as each one
and everything before it are done:

- **bounded window**: at most ``window`` items are taken from the input ahead of the oldest one
  not yet yielded, so an input of any length (a file of ids, a listing page after page) is
  mapped in flat memory;
- **retry at a time, not in a worker**: a job that raises :class:`Again` is put back in the
  queue, due at ``Again.at``; the worker moves on to other items meanwhile. Once due, it goes
  before new items, because the output in input order waits for it. A job is an object called
  again for each try, so it keeps its own state (tries so far, what it already fetched);
- **stop**: closing the iterator (a consumer's exception, Ctrl-C, SIGTERM) or :meth:`Pool.stop`
  sets the run's ``stopped`` event: every wait in the engine and in the request policy ends at
  once, and workers are daemon threads, so nothing keeps the process alive afterwards;
- **deadline**: with a :class:`Deadline`, :class:`DeadlinePassed` is raised when it passes,
  whatever the jobs in flight are doing (they are abandoned on their daemon threads).

With one worker (or one item) and no deadline, the jobs run on the calling thread: nothing is
started, which a one-id ``get`` measured against a bare botocore script needs, and a job asked
to try again later still lets the next items run first.

Its other primitive, :class:`~chimenum.core.once.Once` (each key computed once however many jobs
ask for it, retries due at a time shared by every asker), lives in :mod:`chimenum.core.once`.

While workers run, the interpreter's switch interval is :data:`SWITCH_INTERVAL`, not Python's
5 ms: otherwise a worker parsing an answer is made to hand the interpreter lock to another
every 5 ms, mid-parse, and with 32 workers those forced hand-overs cost CPU and context switches
for nothing (1,000 ids at 20 ms with 32 in flight: 0.89x the time and 0.93x the CPU of the
default; docs/performance.md). A worker still gives the lock up at each network read or write,
where it waits anyway; a signal is still handled within the interval.
"""

from __future__ import annotations

import heapq
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["SWITCH_INTERVAL", "Again", "Deadline", "DeadlinePassed", "Pool", "call_by"]

#: The interpreter's switch interval, in seconds, while any pool has workers running.
SWITCH_INTERVAL = 0.02
#: The longest the consumer waits for the head without looking up: a stop signal that lands just
#: before its wait begins is handled only when the wait ends (CPython runs signal handlers
#: between bytecodes, and a wait already begun is not woken by a signal handled meanwhile).
SIGNAL_CHECK = 0.5


class _SwitchInterval:
    """The interpreter's switch interval while pools run threads: lengthened by the first,
    put back by the last (pools of describe's lookups may overlap a batch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._before = 0.0

    def enter(self) -> None:
        with self._lock:
            if not self._users:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(max(self._before, SWITCH_INTERVAL))
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if not self._users:
                sys.setswitchinterval(self._before)


_switching = _SwitchInterval()


class Again(Exception):
    """Raised by a job: try it again at ``at`` (on the pool's clock); the worker moves on."""

    def __init__(self, at: float) -> None:
        super().__init__(at)
        self.at = float(at)


class DeadlinePassed(Exception):
    """The pool's :class:`Deadline` passed with work still in flight (abandoned)."""


class Deadline:
    """A point in time on a monotonic ``clock`` (injected in tests), after which work is given up.

    The one notion of a deadline in the core: a batch's (``wait``'s last poll), completion's
    TAB, the credential chain's.
    """

    __slots__ = ("at", "clock")

    def __init__(self, at: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.at = at
        self.clock = clock

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def left(self) -> float:
        """Seconds until it passes; 0 once it has."""
        return max(0.0, self.at - self.clock())

    def passed(self) -> bool:
        return self.clock() >= self.at

    def __repr__(self) -> str:
        return f"Deadline(left={self.left():.3f})"


# What one try of a job came to.
_DONE, _AGAIN, _FAILED, _QUIET = range(4)


class _Slot:
    """One item's pending value; ``job`` is called for each try."""

    __slots__ = ("done", "error", "job", "value")

    def __init__(self, job: Callable[[], object]) -> None:
        self.job = job
        self.done = False
        self.value: object = None
        self.error: BaseException | None = None


class Pool(Generic[T, R]):
    """``start(item)`` makes each item's job; :meth:`map` yields the jobs' values in input order.

    ``on_done(value)`` is called as each job completes, in completion order (a progress bar):
    it must be quick and do no work of its own. ``on_idle()`` is called on the consumer's
    thread whenever the next value is not done yet, before the consumer waits for it (or, not
    threaded, runs a job): the moment to write out what was buffered, so output held back to
    save system calls never waits behind a slow item. A job raising anything but :class:`Again` ends
    the run: no worker starts another job, and :meth:`map` raises it once every value before it
    is yielded. ``Stopped`` (the run was stopped while the job waited) ends only its worker.
    """

    def __init__(
        self,
        start: Callable[[T], Callable[[], R]],
        *,
        workers: int,
        window: int | None = None,
        deadline: Deadline | None = None,
        stopped: threading.Event | None = None,
        on_done: Callable[[R], None] | None = None,
        on_idle: Callable[[], object] | None = None,
        quiet_errors: tuple[type[BaseException], ...] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.start = start
        self.workers = max(1, workers)
        # Wide enough that one slow item does not idle the workers at once, small enough that
        # memory stays flat.
        self.window = window or max(256, 4 * self.workers)
        self._chunk = max(1, self.window // 8)
        self.deadline = deadline
        self.stopped = stopped or threading.Event()
        self.on_done = on_done
        self.on_idle = on_idle
        #: Exceptions that end a worker quietly: the run was stopped while the job waited.
        self.quiet_errors = quiet_errors
        self.clock = clock
        #: How the calling thread waits for a retry when it runs the jobs itself.
        self.sleep = sleep or self.stopped.wait
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)  # the head's value, or a fatal error
        self._work = threading.Condition(self._lock)  # something for a worker to run
        self._new: deque[_Slot] = deque()
        self._retries: list[tuple[float, int, _Slot]] = []
        self._order = 0
        self._pending: deque[_Slot] = deque()
        self._fatal: BaseException | None = None
        self._closed = False

    def stop(self) -> None:
        """End the run: waits end at once and no job is started again."""
        self.stopped.set()
        with self._lock:
            self._closed = True
            self._work.notify_all()
            self._ready.notify_all()

    def ready(self) -> list[R]:
        """After an interrupted :meth:`map`: the values done but not yet yielded, in input
        order, up to the first item not done: never one after a gap."""
        values: list[R] = []
        with self._lock:
            for slot in self._pending:
                if not slot.done or slot.error is not None:
                    break
                values.append(slot.value)  # type: ignore[arg-type]
        return values

    # -- one try of one job, on whichever thread runs it ------------------------------------

    def _run(self, slot: _Slot) -> tuple[int, object]:
        """One try of ``slot``'s job, outside the lock: what it came to, for :meth:`_settle`."""
        try:
            value = slot.job()
        except Again as again:
            return _AGAIN, again.at
        except BaseException as exc:  # handed to the consumer, raised there
            if isinstance(exc, self.quiet_errors) and self.stopped.is_set():
                return _QUIET, exc
            # It ends the run (no credentials, an endpoint never reached): no job starts again.
            self.stopped.set()
            return _FAILED, exc
        if self.on_done is not None:
            self.on_done(value)  # type: ignore[arg-type]
        return _DONE, value

    def _settle(self, slot: _Slot, kind: int, payload: object) -> bool:
        """Record a try's end, with the lock held; ``False`` when its worker should end."""
        if kind == _DONE:
            slot.value = payload
            slot.done = True
            if self._pending and self._pending[0] is slot:
                self._ready.notify()
            return True
        if kind == _AGAIN:
            assert isinstance(payload, float)
            self._order += 1
            heapq.heappush(self._retries, (payload, self._order, slot))
            # A worker idle with no retry to time may now have one.
            self._work.notify()
            return True
        self._closed = True
        if kind == _FAILED:
            assert isinstance(payload, BaseException)
            slot.error = payload
            slot.done = True
            if self._fatal is None:
                self._fatal = payload
            self._work.notify_all()
        self._ready.notify_all()
        return False

    def _next(self, block: bool) -> tuple[_Slot | None, float | None]:
        """The next slot to try (due retries first, then new items in order), or, when there is
        none yet, how long until a retry is due. Called with the lock held."""
        while not self._closed:
            wait: float | None = None
            if self._retries:
                wait = self._retries[0][0] - self.clock()
                if wait <= 0:
                    return heapq.heappop(self._retries)[2], None
            if self._new:
                return self._new.popleft(), None
            if not block:
                return None, wait
            self._work.wait(wait)
        return None, None

    def _worker(self) -> None:
        # One turn of the lock per try: a try's end is recorded and the next slot taken at once.
        with self._lock:
            slot, _ = self._next(block=True)
        while slot is not None:
            kind, payload = self._run(slot)
            with self._lock:
                if not self._settle(slot, kind, payload):
                    return
                slot, _ = self._next(block=True)

    # -- the consumer -----------------------------------------------------------------------

    def _feed(self, items: Iterator[T]) -> None:
        """Take items up to the window; their jobs are queued for the workers."""
        pending = self._pending
        room = self.window - len(pending)
        # Topped up in chunks, not one item per value yielded: fewer turns of the lock.
        if room < self._chunk and pending:
            return
        taken: list[_Slot] = []
        for item in items:
            taken.append(_Slot(self.start(item)))
            if len(taken) >= room:
                break
        if taken:
            with self._lock:
                pending.extend(taken)
                self._new.extend(taken)
                self._work.notify(len(taken))

    def _head(self, threaded: bool) -> _Slot:
        """The oldest pending slot, taken off once it is done; when not threaded, jobs run
        here meanwhile."""
        head = self._pending[0]
        deadline = self.deadline
        if not head.done and self.on_idle is not None:
            self.on_idle()
        while True:
            with self._lock:
                if head.done:
                    self._pending.popleft()
                    return head
                if self._fatal is not None:
                    raise self._fatal
                if self._closed:
                    raise InterruptedError("the run was stopped")
                if threaded:
                    if deadline is None:
                        self._ready.wait(SIGNAL_CHECK)
                        continue
                    left = deadline.left()
                    if left <= 0:
                        raise DeadlinePassed
                    self._ready.wait(min(left, SIGNAL_CHECK))
                    continue
                slot, wait = self._next(block=False)
            if slot is None:
                # Nothing else to run: wait for the first retry, then it is due (whatever an
                # injected sleep did with the time).
                self.sleep(wait or 0.0)
                if self.stopped.is_set():
                    raise InterruptedError("the run was stopped")
                with self._lock:
                    slot = heapq.heappop(self._retries)[2]
            kind, payload = self._run(slot)
            with self._lock:
                self._settle(slot, kind, payload)

    def map(self, items: Iterable[T]) -> Iterator[R]:
        feed = iter(items)
        if isinstance(items, list) and len(items) <= 1:
            threaded = self.deadline is not None
        else:
            threaded = self.deadline is not None or self.workers > 1
        if threaded:
            _switching.enter()
            count = self.workers
            if isinstance(items, list):
                count = max(1, min(count, len(items)))
            for n in range(count):
                # Daemon threads: an abandoned job must not keep the process alive.
                threading.Thread(
                    target=self._worker, name=f"chimenum-pool-{n}", daemon=True
                ).start()
        pending = self._pending
        finished = False
        try:
            while True:
                self._feed(feed)
                if not pending:
                    finished = True
                    return
                head = self._head(threaded)
                if head.error is not None:
                    raise head.error
                yield head.value  # type: ignore[misc]
        finally:
            if not finished:
                self.stopped.set()
            with self._lock:
                self._closed = True
                self._work.notify_all()
            if threaded:
                _switching.leave()


def call_by(work: Callable[[], R], deadline: Deadline) -> R:
    """``work()`` on a daemon thread, or :class:`DeadlinePassed` once ``deadline`` passes (the
    work is left behind, and ends with the process)."""
    pool: Pool[None, R] = Pool(lambda _: work, workers=1, deadline=deadline)
    (value,) = pool.map([None])
    return value
