"""Fetching phone numbers: one, or many concurrently, with retries, in input order.

The core never prints: it yields :class:`Result` objects (a document or a :class:`Failure`) and
the CLI hands them to a renderer. A single id is fetched on the calling thread (no pool, nothing
to start); a batch runs on daemon worker threads sharing one botocore client, and results are
yielded in input order as soon as each one and everything before it are done, with a bounded
window of work in flight so memory stays flat however long the batch.

Throttling (``ThrottledClientException``, HTTP 429) and 5xx answers are retried here, with
exponential backoff and full jitter, up to ``max_attempts`` tries per id; botocore itself is set
to a single attempt (see :mod:`chimenum.core.session`). On top of the per-id backoff, every request
of a run goes through one shared :class:`RateLimiter`, which learns the rate the API accepts:
unlimited until the first throttle, then cut on throttling and raised again on success (AIMD),
so a large batch against a throttling API runs at about the API's rate instead of hammering it
and losing ids.

Network failures follow a stricter policy, so that an unreachable endpoint fails within about
``--connect-timeout`` (5 s by default) instead of ``max_attempts`` times that:

- a connection that is refused, a host name that does not resolve, and a connect timeout are
  never retried; and until the endpoint has answered once, they end the whole run (exit 11)
  rather than being reported for every id of a batch;
- a read timeout is not retried (the service got the request and is slow: waiting again would
  double the wait);
- a connection dropped or reset before the answer (a keep-alive connection recycled by a load
  balancer, usually) is retried, at most :data:`MAX_CONNECTION_ATTEMPTS` tries in all;
- an answer cut off mid-body, or not JSON, or of the wrong shape, is not retried: exit 12.

In a batch, an id waiting out its backoff waits in the work queue, not in a worker, so the
workers keep fetching other ids meanwhile. Workers are daemon threads, their waits end when the
run is stopped, so an interrupted batch stops at once: nothing keeps the process alive after
Ctrl-C.
"""

from __future__ import annotations

import heapq
import http.client
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chimenum.core.errors import ChimenumError, ExitCode, Failure, MalformedResponse, classify
from chimenum.core.records import check_phone_number

DEFAULT_CONCURRENCY = 16
DEFAULT_MAX_ATTEMPTS = 8
#: Tries per id when the connection is dropped or reset before an answer arrives.
MAX_CONNECTION_ATTEMPTS = 3


# Result and Backoff are plain classes, not dataclasses: generating a dataclass costs ~1 ms of
# every run's startup, and a one-id `get` is measured against a bare botocore script.


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


class Backoff:
    """Exponential backoff with full jitter: attempt n waits up to ``min(cap, base * 2**n)``."""

    def __init__(
        self, base: float = 0.05, cap: float = 5.0, rng: random.Random | None = None
    ) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * 2**attempt))


class Stopped(Exception):
    """Raised in a worker when the run was stopped (Ctrl-C): its result is no longer wanted."""


class RateLimiter:
    """A client-side request rate shared by every worker, adapted to what the API accepts.

    - Unlimited until the API first throttles: an API that does not throttle is never slowed.
    - On a throttle, the rate is cut to ``beta`` times the rate the API is known to accept: the
      lower of the rate that was throttled (the measured send rate when the limit was not what
      held requests back) and the rate of successful requests over the last ``window``.
      Throttles of requests sent in slots booked before the last cut, or in the first few slots
      after it, are ignored: they say nothing about the new rate (just after a cut the API's
      bucket is still empty, and one unlucky pair of requests must not cut again and again).
      The first throttle, if it comes early, only sets the rate to the success rate so far.
    - Once requests succeed again, the rate climbs back linearly to the rate that was throttled
      over ``recovery`` seconds, then creeps beyond it, slowly at first and faster the longer
      nothing is throttled (``ceiling * (1 + probe * t**3)``, as TCP CUBIC does), until the next
      throttle.

    Against a token bucket this settles into a sawtooth just under and over the bucket's rate;
    the bucket's burst absorbs the overshoot, so a batch runs at about the rate the API allows.
    Requests are spaced evenly, so the API sees a steady stream rather than bursts.
    ``cuts`` records every cut as ``(time, throttled rate, new rate)``.
    """

    # A plain class, not a dataclass: generating one costs ~2 ms of every run's startup.
    def __init__(
        self,
        *,
        beta: float = 0.8,
        recovery: float = 1.0,
        probe: float = 0.25,
        min_rate: float = 1.0,
        hold_slots: float = 4.0,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.beta = beta
        self.recovery = recovery
        self.probe = probe
        self.min_rate = min_rate
        #: After a cut, throttles of requests booked within this many slots are ignored.
        self.hold_slots = hold_slots
        self.window = window
        self.clock = clock
        #: The rate that was last throttled; ``None`` until the first throttle.
        self.ceiling: float | None = None
        self.cuts: list[tuple[float, float, float]] = []
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._hold_until = float("-inf")
        self._growing_since: float | None = None
        self._started: float | None = None
        self._sent: deque[float] = deque()
        self._succeeded: deque[float] = deque()

    def _per_second(self, times: deque[float], now: float) -> float:
        """Events per second over the last ``window`` (or since the start, at least 1/4 s)."""
        while times and times[0] <= now - self.window:
            times.popleft()
        started = now if self._started is None else self._started
        return len(times) / min(self.window, max(now - started, 0.25))

    def _rate(self, now: float) -> float | None:
        ceiling = self.ceiling
        if ceiling is None:
            return None
        low = max(self.min_rate, ceiling * self.beta)
        if self._growing_since is None:
            return low
        elapsed = now - self._growing_since
        if elapsed < self.recovery:
            return low + (ceiling - low) * elapsed / self.recovery
        return ceiling * (1 + self.probe * (elapsed - self.recovery) ** 3)

    def rate(self) -> float | None:
        """Requests per second allowed now; ``None`` for no limit."""
        with self._lock:
            return self._rate(self.clock())

    def reserve(self) -> float:
        """Book the next send slot: when the request may go."""
        with self._lock:
            now = self.clock()
            if self._started is None:
                self._started = now
            slot = now
            rate = self._rate(now)
            if rate is not None:
                slot = max(now, self._next_slot)
                self._next_slot = slot + 1.0 / rate
            self._sent.append(slot)
            return slot

    def throttled(self, slot: float) -> None:
        """The request sent in ``slot`` was throttled."""
        with self._lock:
            if slot < self._hold_until:
                return
            now = self.clock()
            measured = self._per_second(self._sent, now)
            rate = self._rate(now)
            binding = rate is not None and measured >= 0.8 * rate
            sending = rate if binding and rate is not None else measured
            # With no success to go by (yet), the rate that was throttled is all there is.
            accepted = self._per_second(self._succeeded, now) or sending
            ceiling = max(self.min_rate, min(sending, accepted))
            self.ceiling = ceiling
            started = now if self._started is None else self._started
            if rate is None and now - started < self.window:
                # The first throttle, early in the run: the successes so far are a short, rough
                # sample (the API's burst allowance inflates it, the 1/4 s floor deflates it).
                # Start at that estimate and probe from there rather than cut below it.
                self._growing_since = now - self.recovery
                new_rate = ceiling
            else:
                self._growing_since = None
                new_rate = max(self.min_rate, ceiling * self.beta)
            # Slots already booked (at most one per worker) keep their places; the new pace
            # starts after them, so the API never sees the old and the new pace at once.
            self._next_slot = max(now, self._next_slot)
            self._hold_until = self._next_slot + self.hold_slots / new_rate
            self.cuts.append((now, ceiling, new_rate))

    def succeeded(self) -> None:
        with self._lock:
            now = self.clock()
            self._succeeded.append(now)
            if len(self._succeeded) > 4096:
                self._per_second(self._succeeded, now)  # trims; throttles are what read it
            if self.ceiling is not None and self._growing_since is None:
                self._growing_since = now


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
    def __init__(
        self,
        client: Any,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.client = client
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff or Backoff()
        self.limiter = limiter or RateLimiter()
        self.stopped = threading.Event()
        self._pending: deque[_Slot] = deque()
        self.sleep = sleep or self.stopped.wait
        #: Whether the endpoint has answered at all (see the network policy above).
        self.reached = False
        output_shape = client.meta.service_model.operation_model("GetPhoneNumber").output_shape
        assert output_shape is not None
        self.output_shape = output_shape

    @property
    def endpoint(self) -> str:
        return str(self.client.meta.endpoint_url)

    def stop(self) -> None:
        """Abandon the run: waits end at once and no further request is sent."""
        self.stopped.set()

    def done_but_not_yielded(self) -> list[Result]:
        """After an interrupted :meth:`many`: the results already fetched that it had not yet
        yielded (they wait for an earlier id), in input order."""
        return [
            slot.result
            for slot in list(self._pending)
            if slot.done.is_set() and slot.result is not None
        ]

    def call(
        self,
        request: Callable[[], dict[str, Any]],
        check: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> tuple[dict[str, Any] | None, Failure | None, bool]:
        """One request under chimenum's error policy, for every operation (get and list pages).

        Returns the checked document or the failure, and whether trying again could change it.
        Raises :class:`ChimenumError` for failures every other request would share.
        """
        import botocore.exceptions as bx
        import urllib3.exceptions

        truncated = (
            bx.ResponseStreamingError,
            urllib3.exceptions.ProtocolError,
            http.client.IncompleteRead,
        )

        try:
            try:
                parsed = request()
            except truncated as exc:
                # Raised while reading the body (botocore reads it outside its own error
                # handling): the connection ended before Content-Length bytes arrived.
                raise MalformedResponse(f"the answer was cut off ({exc})") from exc
            except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
                # Raised from inside botocore's parser: the body did not fit the model at all.
                raise MalformedResponse(
                    f"the answer does not fit the API model ({type(exc).__name__}: {exc})"
                ) from exc
            document = check(parsed)
        except (bx.BotoCoreError, bx.ClientError, MalformedResponse) as exc:
            failure = classify(exc, self.endpoint)
            if failure.exit_code is ExitCode.CONFIG:
                # No credentials or an expired session: every other id would fail the same way.
                raise ChimenumError(failure) from exc
            if not self.reached and isinstance(exc, bx.ConnectionError):
                # Refused, unresolvable or connect timeout, and never reached: the same for all.
                raise ChimenumError(failure) from exc
            if isinstance(exc, bx.ClientError):
                self.reached = True
            retry = failure.retryable or isinstance(exc, bx.ConnectionClosedError)
            return None, failure, retry
        self.reached = True
        return document, None, False

    def _attempt(self, phone_number_id: str) -> tuple[Result, bool]:
        """One request for one id; returns the result and whether trying again could change it."""
        document, failure, retry = self.call(
            lambda: self.client.get_phone_number(PhoneNumberId=phone_number_id),
            lambda parsed: check_phone_number(self.output_shape, parsed, phone_number_id),
        )
        return Result(phone_number_id, document=document, failure=failure), retry

    def may_retry(self, failure: Failure | None, retry: bool, attempts: int) -> bool:
        """Whether to try again after ``attempts`` tries ended in ``failure``."""
        limit = self.max_attempts
        if failure is not None and failure.exit_code is ExitCode.NETWORK:
            limit = min(limit, MAX_CONNECTION_ATTEMPTS)
        return retry and attempts < limit

    def _try(self, phone_number_id: str) -> tuple[Result, bool]:
        """One attempt, in its turn under the rate limit; tells the limiter how it went."""
        limiter = self.limiter
        slot = limiter.reserve()
        wait = slot - limiter.clock()
        if wait > 0:
            self.sleep(wait)
        if self.stopped.is_set():
            raise Stopped
        result, retry = self._attempt(phone_number_id)
        if result.failure is None:
            limiter.succeeded()
        elif result.failure.exit_code is ExitCode.THROTTLED:
            limiter.throttled(slot)
        return result, retry

    def get(self, phone_number_id: str) -> Result:
        """Fetch one id, retrying throttling and transient failures."""
        attempt = 0
        while True:
            result, retry = self._try(phone_number_id)
            attempt += 1
            if not self.may_retry(result.failure, retry, attempt):
                return result
            self.sleep(self.backoff.delay(attempt))

    def many(
        self,
        ids: Iterable[str],
        concurrency: int = DEFAULT_CONCURRENCY,
        on_done: Callable[[Result], None] | None = None,
    ) -> Iterator[Result]:
        """Fetch every id, yielding results in input order as soon as they can be.

        ``on_done`` is called from the worker as each id completes, in completion order (for a
        progress display). Closing the iterator early (or an exception in the consumer, such as
        KeyboardInterrupt) stops the workers.
        """
        id_list = ids if isinstance(ids, list) else list(ids)
        if len(id_list) <= 1 or concurrency <= 1:
            for phone_number_id in id_list:
                result = self.get(phone_number_id)
                if on_done is not None:
                    on_done(result)
                yield result
            return
        work = _WorkQueue()
        workers = min(concurrency, len(id_list))

        def worker() -> None:
            while (slot := work.get()) is not None:
                try:
                    result, retry = self._try(slot.phone_number_id)
                    slot.attempts += 1
                    if self.may_retry(result.failure, retry, slot.attempts):
                        # Back off without holding the worker: it takes other ids meanwhile.
                        work.retry(slot, time.monotonic() + self.backoff.delay(slot.attempts))
                        continue
                    slot.result = result
                    if on_done is not None:
                        on_done(result)
                except Stopped:
                    return
                except BaseException as exc:  # handed to the consumer, re-raised there
                    slot.error = exc
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
                head.done.wait()
                pending.popleft()
                if head.error is not None:
                    raise head.error
                assert head.result is not None
                yield head.result
        finally:
            if not finished:
                self.stop()
            work.close()
