"""The one request policy: how every request chimenum sends is tried, retried and given up on.

Every request goes through :meth:`RequestPolicy.run` (or, in a batch, one
:meth:`RequestPolicy.attempt` at a time): ``GetPhoneNumber`` for ``get`` and ``wait``, every
``ListPhoneNumbers`` page of ``list`` and of shell completion. botocore itself is set to a single
attempt (see :mod:`chimenum.core.session`): it does not retry Chime's ``ThrottledClientException``
(botocore#2635), so the policy is all here.

- **Retried**: throttling (``ThrottledClientException``, HTTP 429) and 5xx answers, with
  exponential backoff and full jitter (:class:`Backoff`), up to ``max_attempts`` tries. A 429
  carrying ``Retry-After`` waits at least that long, up to :data:`RETRY_AFTER_CAP` seconds.
- **Paced**: every request to one endpoint (a service in a region at a URL: what AWS throttles
  on its own) goes through that endpoint's :class:`RateLimiter` (:class:`chimenum.core.run.Run`
  keeps one per endpoint, so a throttled region never slows another), which learns
  the rate the API accepts: unlimited until the first throttle, then cut on throttling and
  raised again on success (AIMD), so a large batch against a throttling API runs at about the
  API's rate instead of hammering it and losing ids.
- **Network failures** follow a stricter rule, so that an unreachable endpoint fails within about
  ``--connect-timeout`` (5 s by default) instead of ``max_attempts`` times that: a refused
  connection, a host name that does not resolve and a connect timeout are never retried, and
  until the endpoint has answered once they end the whole run (exit 11) rather than being
  reported for every id of a batch; a read timeout is not retried (the service got the request
  and is slow: waiting again would double the wait); a connection dropped or reset before the
  answer (a keep-alive connection recycled by a load balancer, usually) is retried, at most
  :data:`MAX_CONNECTION_ATTEMPTS` tries in all.
- **Bad answers** are never retried and never end the run: whatever an answer does (not JSON,
  wrong shape, cut off, too large, nested too deeply, a timestamp out of range, any exception
  while it is parsed or checked) becomes that request's failure, exit 12, with one line saying
  what arrived.
- **Configuration failures** (no credentials, an expired session) are the same for every
  request: they raise :class:`~chimenum.core.errors.ChimenumError` and end the run.

Deadlines and size limits of one answer are enforced while it streams in, by
:mod:`chimenum.core.wire`.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from chimenum.core.errors import ChimenumError, ExitCode, Failure, MalformedResponse, classify
from chimenum.core.settings import DEFAULT_MAX_ATTEMPTS

#: Tries per request when the connection is dropped or reset before an answer arrives.
MAX_CONNECTION_ATTEMPTS = 3
#: The longest a ``Retry-After`` header makes a request wait before its next try, in seconds.
RETRY_AFTER_CAP = 20.0

# Plain classes, not dataclasses: generating a dataclass costs ~1 ms of every run's startup,
# and a one-id `get` is measured against a bare botocore script.


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


class Outcome:
    """How one request ended: the checked ``document``, or the ``failure`` and whether trying
    again could change it (``retry``), and how long the service asked to wait first."""

    __slots__ = ("document", "failure", "retry", "retry_after")

    def __init__(
        self,
        document: dict[str, Any] | None = None,
        failure: Failure | None = None,
        retry: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.document = document
        self.failure = failure
        self.retry = retry
        self.retry_after = retry_after


def retry_after(exc: BaseException) -> float | None:
    """The seconds a 429/503 answer's ``Retry-After`` header asks for (``None``: no header).

    Only the delay-seconds form is read: an HTTP date would need the server's clock to be right.
    """
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders") or {}
    value = str(headers.get("retry-after") or "").strip()
    return float(value) if value.isdigit() else None


class RequestPolicy:
    """Attempts, backoff, the endpoint's rate limit and the error rules, for every request.

    Built by :meth:`chimenum.core.run.Run.policy` alone, one per endpoint."""

    def __init__(
        self,
        endpoint: str,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], object] | None = None,
        stopped: threading.Event | None = None,
        retry_after_cap: float = RETRY_AFTER_CAP,
    ) -> None:
        self.endpoint = endpoint
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff or Backoff()
        self.limiter = limiter or RateLimiter()
        self.stopped = stopped or threading.Event()
        self.sleep = sleep or self.stopped.wait
        self.retry_after_cap = retry_after_cap
        #: Whether the endpoint has answered at all (see the network rule above).
        self.reached = False

    def call(
        self,
        request: Callable[[], dict[str, Any]],
        check: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Outcome:
        """One request under the error rules, unpaced. Raises :class:`ChimenumError` for a
        failure every other request would share."""
        import botocore.exceptions as bx

        try:
            try:
                parsed = request()
                document = check(parsed)
            except bx.ResponseStreamingError as exc:
                raise MalformedResponse(f"the answer was cut off ({exc})") from exc
            except (bx.BotoCoreError, bx.ClientError, MalformedResponse, ChimenumError):
                raise
            except Exception as exc:
                # Raised while the body was read, parsed or checked (urllib3 cutting the body
                # short, botocore's parser meeting a timestamp of 1e400, JSON nested 100,000
                # deep): the answer is bad, and only this request's.
                raise MalformedResponse(answer_problem(exc)) from exc
        except (bx.BotoCoreError, bx.ClientError, MalformedResponse) as exc:
            failure = classify(exc, self.endpoint)
            if failure.exit_code is ExitCode.CONFIG:
                # No credentials or an expired session: every other request would fail so.
                raise ChimenumError(failure) from exc
            if not self.reached and isinstance(exc, bx.ConnectionError):
                # Refused, unresolvable or connect timeout, and never reached: the same for all.
                raise ChimenumError(failure) from exc
            if isinstance(exc, bx.ClientError):
                self.reached = True
            retry = failure.retryable or isinstance(exc, bx.ConnectionClosedError)
            return Outcome(failure=failure, retry=retry, retry_after=retry_after(exc))
        self.reached = True
        return Outcome(document)

    def attempt(
        self,
        request: Callable[[], dict[str, Any]],
        check: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Outcome:
        """One try in its turn under the rate limit; tells the limiter how it went.

        Raises :class:`Stopped` when the run was stopped while it waited for its turn.
        """
        limiter = self.limiter
        slot = limiter.reserve()
        wait = slot - limiter.clock()
        if wait > 0:
            self.sleep(wait)
        if self.stopped.is_set():
            raise Stopped
        outcome = self.call(request, check)
        if outcome.failure is None:
            limiter.succeeded()
        elif outcome.failure.exit_code is ExitCode.THROTTLED:
            limiter.throttled(slot)
        return outcome

    def may_retry(self, outcome: Outcome, attempts: int) -> bool:
        """Whether to try again after ``attempts`` tries ended in ``outcome``."""
        limit = self.max_attempts
        failure = outcome.failure
        if failure is not None and failure.exit_code is ExitCode.NETWORK:
            limit = min(limit, MAX_CONNECTION_ATTEMPTS)
        return outcome.retry and attempts < limit

    def delay(self, outcome: Outcome, attempts: int) -> float:
        """How long to wait before the next try: the backoff, or the service's Retry-After."""
        delay = self.backoff.delay(attempts)
        if outcome.retry_after is not None:
            delay = max(delay, min(outcome.retry_after, self.retry_after_cap))
        return delay

    def run(
        self,
        request: Callable[[], dict[str, Any]],
        check: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Outcome:
        """The request, retried as the rules say, until it succeeds or may not be retried."""
        attempts = 0
        while True:
            outcome = self.attempt(request, check)
            attempts += 1
            if not self.may_retry(outcome, attempts):
                return outcome
            self.sleep(self.delay(outcome, attempts))

    def stop(self) -> None:
        """Abandon the run: waits end at once and no further request is sent."""
        self.stopped.set()


def answer_problem(exc: BaseException) -> str:
    """One line for an exception raised while an answer was read, parsed or checked."""
    import http.client

    import urllib3.exceptions

    if isinstance(exc, (urllib3.exceptions.HTTPError, http.client.HTTPException)):
        # botocore reads the body outside its own error handling: the connection ended
        # before Content-Length bytes arrived.
        return f"the answer was cut off ({exc})"
    if isinstance(exc, RecursionError):
        return "the answer is nested too deeply to read"
    if isinstance(exc, (OverflowError, OSError)) or "out of range" in str(exc):
        return f"a value in the answer is out of range ({type(exc).__name__}: {exc})"
    return f"the answer does not fit the API model ({type(exc).__name__}: {exc})"
