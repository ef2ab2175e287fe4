"""Fetching phone numbers: one, or many concurrently, in input order.

The core never prints: it yields :class:`Result` objects (a document or a :class:`Failure`) and
the CLI hands them to a renderer. A single id is fetched on the calling thread (no pool, nothing
to start); a batch runs on daemon worker threads sharing one botocore client, and results are
yielded in input order as soon as each one and everything before it are done, with a bounded
window of work in flight so memory stays flat however long the batch.

How each request is tried, retried, paced and given up on is the
:class:`~chimenum.core.policy.RequestPolicy`'s business; this module only orchestrates. In a batch,
an id waiting out its backoff waits in the work queue, not in a worker, so the workers keep
fetching other ids meanwhile. Workers are daemon threads, their waits end when the run is
stopped, so an interrupted batch stops at once: nothing keeps the process alive after Ctrl-C.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chimenum.core.errors import Failure
from chimenum.core.ids import decoded
from chimenum.core.policy import RequestPolicy, Stopped
from chimenum.core.settings import DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS
from chimenum.core.validate import check_phone_number

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_MAX_ATTEMPTS", "Fetcher", "Result", "TimedOut"]


class TimedOut(Exception):
    """:meth:`Fetcher.many` passed its deadline with requests still in flight (abandoned)."""


# A plain class, not a dataclass: generating a dataclass costs ~1 ms of every run's startup,
# and a one-id `get` is measured against a bare botocore script.


class Result:
    """The outcome for one id: ``document`` is ``{"PhoneNumber": {...}}`` unless it failed."""

    __slots__ = ("document", "failure", "phone_number_id")

    def __init__(
        self,
        phone_number_id: str,
        document: dict[str, Any] | None = None,
        failure: Failure | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.document = document
        self.failure = failure

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return (self.phone_number_id, self.document, self.failure) == (
            other.phone_number_id,
            other.document,
            other.failure,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Result({self.phone_number_id!r}, document={self.document!r},"
            f" failure={self.failure!r})"
        )


class _Slot:
    """One id's pending result, filled by a worker."""

    __slots__ = ("attempts", "done", "error", "phone_number_id", "result")

    def __init__(self, phone_number_id: str) -> None:
        self.phone_number_id = phone_number_id
        self.attempts = 0
        self.done = threading.Event()
        self.result: Result | None = None
        self.error: BaseException | None = None


class _WorkQueue:
    """Ids waiting for a worker: retries whose backoff has ended first, then new ids in order.

    An id to retry waits out its backoff here, not in a worker, so no worker sleeps while
    others ids wait; once due it goes before new ids, because the output in input order waits
    for it.
    """

    def __init__(self) -> None:
        self._new: deque[_Slot] = deque()
        self._retries: list[tuple[float, int, _Slot]] = []
        self._cond = threading.Condition()
        self._order = 0
        self._closed = False

    def put(self, slot: _Slot) -> None:
        with self._cond:
            self._new.append(slot)
            self._cond.notify()

    def retry(self, slot: _Slot, due: float) -> None:
        with self._cond:
            self._order += 1
            heapq.heappush(self._retries, (due, self._order, slot))
            self._cond.notify()

    def get(self) -> _Slot | None:
        """The next id to try, waiting for one; ``None`` once closed."""
        with self._cond:
            while not self._closed:
                wait: float | None = None
                if self._retries:
                    wait = self._retries[0][0] - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._retries)[2]
                if self._new:
                    return self._new.popleft()
                self._cond.wait(wait)
            return None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Fetcher:
    """Phone numbers by id, every request under one :class:`RequestPolicy`."""

    def __init__(self, client: Any, policy: RequestPolicy) -> None:
        self.client = client
        #: The policy of ``client``'s endpoint, from the run (:meth:`chimenum.core.run.Run.policy`).
        self.policy = policy
        self._pending: deque[_Slot] = deque()

    @property
    def endpoint(self) -> str:
        return self.policy.endpoint

    def stop(self) -> None:
        """Abandon the run: waits end at once and no further request is sent."""
        self.policy.stop()

    def done_but_not_yielded(self) -> list[Result]:
        """After an interrupted :meth:`many`: the results already fetched that it had not yet
        yielded, in input order, up to the first id not done: never one after a gap."""
        done = []
        for slot in list(self._pending):
            if not slot.done.is_set() or slot.result is None:
                break
            done.append(slot.result)
        return done

    def _request(self, phone_number_id: str) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        e164 = decoded(phone_number_id)
        return (
            lambda: self.client.get_phone_number(PhoneNumberId=e164),
            lambda parsed: check_phone_number(parsed, e164),
        )

    def get(self, phone_number_id: str) -> Result:
        """Fetch one id, retrying throttling and transient failures."""
        outcome = self.policy.run(*self._request(phone_number_id))
        return Result(phone_number_id, document=outcome.document, failure=outcome.failure)

    def many(
        self,
        ids: Iterable[str],
        concurrency: int = DEFAULT_CONCURRENCY,
        on_done: Callable[[Result], None] | None = None,
        *,
        timeout: float | None = None,
    ) -> Iterator[Result]:
        """Fetch every id, yielding results in input order as soon as they can be.

        ``on_done`` is called from the worker as each id completes, in completion order (for a
        progress display). Closing the iterator early (or an exception in the consumer, such as
        KeyboardInterrupt) stops the workers. With ``timeout``, :class:`TimedOut` is raised once
        that many seconds have passed, whatever the requests in flight are doing: they are
        abandoned on their daemon threads.
        """
        id_list = ids if isinstance(ids, list) else list(ids)
        deadline = None if timeout is None else time.monotonic() + timeout
        if deadline is None and (len(id_list) <= 1 or concurrency <= 1):
            for phone_number_id in id_list:
                result = self.get(phone_number_id)
                if on_done is not None:
                    on_done(result)
                yield result
            return
        work = _WorkQueue()
        workers = max(1, min(concurrency, len(id_list)))
        policy = self.policy

        fatal: list[BaseException] = []

        def worker() -> None:
            while (slot := work.get()) is not None:
                try:
                    outcome = policy.attempt(*self._request(slot.phone_number_id))
                    slot.attempts += 1
                    if policy.may_retry(outcome, slot.attempts):
                        # Back off without holding the worker: it takes other ids meanwhile.
                        due = time.monotonic() + policy.delay(outcome, slot.attempts)
                        work.retry(slot, due)
                        continue
                    result = Result(slot.phone_number_id, outcome.document, outcome.failure)
                    slot.result = result
                    if on_done is not None:
                        on_done(result)
                except Stopped:
                    return
                except BaseException as exc:  # handed to the consumer, re-raised there
                    slot.error = exc
                    # It ends the run (no credentials, an endpoint never reached): no worker
                    # starts another request, and the consumer raises it whichever id it waits on.
                    fatal.append(exc)
                    self.stop()
                slot.done.set()

        for n in range(workers):
            # Daemon threads: an abandoned request must not keep the process alive.
            threading.Thread(target=worker, name=f"chimenum-fetch-{n}", daemon=True).start()
        # Work may run this far ahead of the oldest unfinished id: wide enough that one slow
        # id does not idle the workers at once, small enough that memory stays flat.
        window = max(256, concurrency * 4)
        pending: deque[_Slot] = deque()
        self._pending = pending
        finished = False
        try:
            feed = iter(id_list)
            while True:
                for phone_number_id in feed:
                    slot = _Slot(phone_number_id)
                    pending.append(slot)
                    work.put(slot)
                    if len(pending) >= window:
                        break
                if not pending:
                    finished = True
                    return
                head = pending[0]
                # Woken now and then: an id queued behind a run-ending failure is never done.
                while not head.done.wait(0.1):
                    if fatal:
                        raise fatal[0]
                    if deadline is not None and time.monotonic() >= deadline:
                        raise TimedOut
                pending.popleft()
                if head.error is not None:
                    raise head.error
                assert head.result is not None
                yield head.result
        finally:
            if not finished:
                self.stop()
            work.close()
