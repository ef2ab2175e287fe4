"""Waiting for numbers to reach a status: poll ``GetPhoneNumber`` until each id is in a wanted one.

Rules (the ``wait`` command documents them):

- every ``interval`` seconds, every id still waiting is fetched (with the
  :class:`~chimenum.core.fetch.Fetcher`'s concurrency and retries, so throttling is retried, not
  fatal);
- an id is done the first time it is seen in a wanted status; it is not polled again;
- an id seen in a terminal failed state (:data:`chimenum.core.apis.TERMINAL_FAILED`) that is not
  wanted is done, exit 14, since waiting longer cannot change it;
- an id whose fetch still fails after its retries (``NotFoundException``, no permission, ...)
  is done, with that failure's exit code;
- either ends the wait at once, unless ``keep_going``: then the others are still waited for,
  and the wait ends when every id is done or at the timeout;
- at ``timeout`` seconds (the wait's :class:`~chimenum.core.pool.Deadline`) a last poll is made;
  ids still waiting after it mean exit 13;
- the exit code is the most severe of those met, in :data:`~chimenum.core.errors.SEVERITY`'s
  order (an id that could not be fetched before one in a failed state, before a timeout);
- that deadline is hard: requests still in flight ``last_poll`` seconds (1 s by default) after
  it are abandoned, whatever the service does (silent, trickling, throttling), and the wait
  ends with exit 13 then.

The core never prints: :meth:`Waiter.run` yields a :class:`Change` whenever an id's status or
state changes, and the caller's display shows them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from chimenum.core.apis import TERMINAL_FAILED
from chimenum.core.errors import ExitCode, Failure, most_severe
from chimenum.core.fetch import DEFAULT_CONCURRENCY, Fetcher, Result
from chimenum.core.ids import decoded
from chimenum.core.pool import Deadline, DeadlinePassed

#: An id the wait ended before it was answered (the round stopped early, or the deadline came).
_NOT_FETCHED = Failure(
    "NotFetched", "the wait ended before this number was fetched", ExitCode.WAIT_TIMEOUT
)

#: Seconds past the timeout the last poll may take before its requests are abandoned.
LAST_POLL = 1.0

State = Literal["waiting", "reached", "failed", "error"]


@dataclass
class Watch:
    """One id being waited for; the live display reads these as they change."""

    phone_number_id: str
    status: str | None = None
    state: State = "waiting"
    #: Seconds from the start of the wait to when the id was done (``None`` while waiting).
    done_after: float | None = None
    failure: Failure | None = None
    #: The number as last fetched, ``{"PhoneNumber": {...}}`` (``None``: never fetched).
    document: dict[str, Any] | None = None


@dataclass(frozen=True)
class Change:
    phone_number_id: str
    previous: str | None
    status: str | None
    state: State
    elapsed: float


@dataclass(frozen=True)
class Problem:
    """Why the wait did not succeed: its exit code, the id it is about, one line for stderr."""

    exit_code: ExitCode
    phone_number_id: str
    message: str


@dataclass
class Outcome:
    #: In the order met; one per id that failed, and one for a timeout.
    problems: list[Problem] = field(default_factory=list)
    rounds: int = 0

    @property
    def exit_code(self) -> ExitCode:
        return most_severe(problem.exit_code for problem in self.problems)


@dataclass
class Waiter:
    fetcher: Fetcher
    ids: Iterable[str]
    wanted: frozenset[str]
    timeout: float = 300.0
    interval: float = 5.0
    concurrency: int = DEFAULT_CONCURRENCY
    #: An id that fails does not end the wait: the others are still waited for.
    keep_going: bool = False
    last_poll: float = LAST_POLL
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    watches: list[Watch] = field(init=False)
    outcome: Outcome = field(init=False, default_factory=Outcome)
    started: float = field(init=False, default=0.0)
    #: When the last poll starts: ``timeout`` seconds after the start.
    deadline: Deadline = field(init=False)
    #: When the last poll's requests still in flight are abandoned.
    abandon: Deadline = field(init=False)

    def __post_init__(self) -> None:
        # Keyed, polled and named in messages by the E.164 number, whichever form it came in.
        self.watches = [Watch(decoded(phone_number_id)) for phone_number_id in self.ids]
        self.started = self.clock()
        self.deadline = Deadline(self.started + self.timeout, self.clock)
        self.abandon = Deadline(self.deadline.at + self.last_poll, self.clock)

    def elapsed(self) -> float:
        return self.clock() - self.started

    def _end(self, exit_code: ExitCode, watch: Watch, message: str) -> None:
        self.outcome.problems.append(Problem(exit_code, watch.phone_number_id, message))

    def _wanted_text(self) -> str:
        return " or ".join(sorted(self.wanted))

    def _poll(self) -> Iterator[Change]:
        """One round over the ids still waiting; without ``keep_going``, stops the round at the
        first id that failed."""
        waiting = {w.phone_number_id: w for w in self.watches if w.state == "waiting"}
        for result in self.fetcher.many(list(waiting), self.concurrency, deadline=self.abandon):
            watch = waiting[result.phone_number_id]
            now = self.elapsed()
            if result.failure is not None:
                watch.state, watch.failure, watch.done_after = "error", result.failure, now
                yield Change(watch.phone_number_id, watch.status, watch.status, "error", now)
                self._end(
                    result.failure.exit_code,
                    watch,
                    f"error: {watch.phone_number_id}: {result.failure.code}:"
                    f" {result.failure.message}",
                )
                if self.keep_going:
                    continue
                return
            assert result.document is not None
            watch.document = result.document
            status = result.document["PhoneNumber"].get("Status")
            previous = watch.status
            watch.status = status if isinstance(status, str) else None
            if watch.status in self.wanted:
                watch.state, watch.done_after = "reached", now
            elif watch.status in TERMINAL_FAILED:
                watch.state, watch.done_after = "failed", now
                self._end(
                    ExitCode.WAIT_FAILED,
                    watch,
                    f"{watch.phone_number_id} is {watch.status}, a failed state that cannot"
                    f" become {self._wanted_text()}",
                )
            if watch.status != previous or watch.state != "waiting":
                yield Change(watch.phone_number_id, previous, watch.status, watch.state, now)
            if watch.state == "failed" and not self.keep_going:
                return

    def _timed_out(self) -> None:
        late = [w for w in self.watches if w.state == "waiting"]
        shown = ", ".join(f"{w.phone_number_id} is {w.status or 'not yet known'}" for w in late[:5])
        more = f" and {len(late) - 5} more" if len(late) > 5 else ""
        self._end(
            ExitCode.WAIT_TIMEOUT,
            late[0],
            f"timed out after {self.timeout:g}s waiting for {self._wanted_text()}: {shown}{more}",
        )

    def still_waiting(self) -> list[str]:
        return [w.phone_number_id for w in self.watches if w.state == "waiting"]

    def final(self, *, done_only: bool = False) -> Iterator[Result]:
        """Each id's final state, in input order: the number as last fetched, or why there is
        none; with ``done_only`` (a wait stopped by a signal), only the ids done."""
        for watch in self.watches:
            if done_only and watch.state == "waiting":
                continue
            if watch.failure is not None:
                yield Result(watch.phone_number_id, failure=watch.failure)
            elif watch.document is not None:
                yield Result(watch.phone_number_id, watch.document)
            else:
                yield Result(watch.phone_number_id, failure=_NOT_FETCHED)

    def run(self) -> Iterator[Change]:
        """Poll until every id is done, one fails for good, or the timeout passes."""
        while True:
            round_started = self.clock()
            self.outcome.rounds += 1
            try:
                yield from self._poll()
            except DeadlinePassed:
                self._timed_out()
                return
            if self.outcome.problems and not self.keep_going:
                return
            if all(w.state != "waiting" for w in self.watches):
                return
            if self.deadline.passed():
                self._timed_out()
                return
            next_round = min(round_started + self.interval, self.deadline.at)
            self.sleep(max(0.0, next_round - self.clock()))
