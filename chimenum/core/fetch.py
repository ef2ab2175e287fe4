"""Fetching phone numbers: one, or many concurrently, in input order.

The core never prints: it yields :class:`Result` objects (a document or a :class:`Failure`) and
the CLI hands them to a renderer. Every id is one job of the run's
:class:`~chimenum.core.pool.Pool`: a single id (or ``--concurrency 1``) runs on the calling
thread, a batch on daemon workers sharing one botocore client; results are yielded in input
order as soon as each one and everything before it are done, within a bounded window.

How each request is tried, retried, paced and given up on is the
:class:`~chimenum.core.policy.RequestPolicy`'s business; this module only makes the jobs. An id
waiting out its backoff waits in the pool's queue (:class:`~chimenum.core.pool.Again`), not in a
worker, so the workers keep fetching other ids meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chimenum.core.checks import check_phone_number
from chimenum.core.errors import Failure
from chimenum.core.ids import decoded
from chimenum.core.policy import Outcome, RequestPolicy, Stopped
from chimenum.core.pool import Again, Deadline, Pool
from chimenum.core.settings import DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_MAX_ATTEMPTS", "Fetcher", "Result"]

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


class Tries:
    """One request as a pool job: each call is one try under the policy; a try the policy would
    repeat raises :class:`Again` for when its backoff ends, and the worker moves on."""

    __slots__ = ("check", "clock", "policy", "request", "tries")

    def __init__(
        self,
        policy: RequestPolicy,
        request: Callable[[], Any],
        check: Callable[[Any], Any],
        *,
        tries: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.request = request
        self.check = check
        self.clock = clock
        #: Tries made before (a lookup kept by :class:`~chimenum.core.once.Once` counts them).
        self.tries = tries

    def __call__(self) -> Outcome:
        outcome = self.policy.attempt(self.request, self.check)
        self.tries += 1
        if self.policy.may_retry(outcome, self.tries):
            raise Again(self.clock() + self.policy.delay(outcome, self.tries))
        return outcome


class Fetcher:
    """Phone numbers by id, every request under one :class:`RequestPolicy`."""

    def __init__(self, client: Any, policy: RequestPolicy) -> None:
        self.client = client
        #: The policy of ``client``'s endpoint, from the run (:meth:`chimenum.core.run.Run.policy`).
        self.policy = policy
        self._pool: Pool[str, Result] | None = None

    @property
    def endpoint(self) -> str:
        return self.policy.endpoint

    def stop(self) -> None:
        """Abandon the run: waits end at once and no further request is sent."""
        self.policy.stop()

    def done_but_not_yielded(self) -> list[Result]:
        """After an interrupted :meth:`many`: the results already fetched that it had not yet
        yielded, in input order, up to the first id not done: never one after a gap."""
        return [] if self._pool is None else self._pool.ready()

    def job(self, phone_number_id: str) -> Callable[[], Result]:
        """The pool job fetching one id (:class:`Again` while it backs off)."""
        e164 = decoded(phone_number_id)
        tries = Tries(
            self.policy,
            lambda: self.client.get_phone_number(PhoneNumberId=e164),
            lambda parsed: check_phone_number(parsed, e164),
        )

        def fetch() -> Result:
            outcome = tries()
            return Result(phone_number_id, outcome.document, outcome.failure)

        return fetch

    def get(self, phone_number_id: str) -> Result:
        """Fetch one id, retrying throttling and transient failures."""
        # Run to its end, not next(): a pool left open stops the run when collected.
        (result,) = self.many([phone_number_id])
        return result

    def many(
        self,
        ids: Iterable[str],
        concurrency: int = DEFAULT_CONCURRENCY,
        on_done: Callable[[Result], None] | None = None,
        *,
        deadline: Deadline | None = None,
        on_idle: Callable[[], object] | None = None,
    ) -> Iterator[Result]:
        """Fetch every id, yielding results in input order as soon as they can be.

        ``on_done`` is called as each id completes, in completion order (for a progress
        display); ``on_idle`` whenever the next result is not done yet, before waiting for it
        (the renderer writes out what it buffered). Closing the iterator early (or an exception
        in the consumer, such as KeyboardInterrupt) stops the run. With ``deadline``,
        :class:`~chimenum.core.pool.DeadlinePassed` is raised once it passes, whatever the
        requests in flight are doing: they are abandoned on their daemon threads.
        """
        return self.run(
            ids, self.job, concurrency, on_done=on_done, deadline=deadline, on_idle=on_idle
        )

    def run(
        self,
        items: Iterable[Any],
        start: Callable[[Any], Callable[[], Any]],
        concurrency: int,
        *,
        on_done: Callable[[Any], None] | None = None,
        deadline: Deadline | None = None,
        on_idle: Callable[[], object] | None = None,
    ) -> Iterator[Any]:
        """``start(item)``'s jobs on the run's pool, under this fetcher's stop."""
        pool = policy_pool(
            self.policy, start, concurrency, on_done=on_done, deadline=deadline, on_idle=on_idle
        )
        self._pool = pool
        return pool.map(items)


def policy_pool(
    policy: RequestPolicy,
    start: Callable[[Any], Callable[[], Any]],
    concurrency: int,
    *,
    on_done: Callable[[Any], None] | None = None,
    deadline: Deadline | None = None,
    on_idle: Callable[[], object] | None = None,
) -> Pool[Any, Any]:
    """A pool of ``concurrency`` workers stopped with ``policy``'s run: a job whose request was
    waiting when the run stopped ends its worker quietly."""
    return Pool(
        start,
        workers=concurrency,
        deadline=deadline,
        stopped=policy.stopped,
        on_done=on_done,
        on_idle=on_idle,
        quiet_errors=(Stopped,),
        sleep=policy.sleep,
    )
