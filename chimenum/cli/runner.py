"""The one command skeleton: results -> renderer -> per-id report -> exit code, and one way to stop.

Every command that makes requests (get, list, wait, describe, audit) hands :func:`run` its
results and what to do with each (render it, and record a failure on the run's :class:`Outcome`).
:func:`run` ends the renderer whatever happens and returns the exit code: the most severe of
those recorded, in the precedence of :data:`chimenum.core.errors.SEVERITY`.

Ctrl-C, SIGTERM, SIGHUP, SIGUSR1 and SIGALRM end every command the same way: requests in
flight are stopped and what was already fetched is taken (the command's ``stop``), the renderer
writes what it has (``finish``), one line on stderr says how far the run got, and the exit code
is 128 + the signal. After a hang-up stdout and stderr may be gone with the terminal: writing
them then fails quietly and the signal's exit code stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chimenum.cli import context, hints, signals
from chimenum.cli.signals import Terminated
from chimenum.core.errors import ExitCode, Failure, most_severe
from chimenum.output.env import Environment, OutputError

if TYPE_CHECKING:
    from chimenum.core.describe import Described, Resolver
    from chimenum.core.fetch import Fetcher, Result
    from chimenum.core.run import Run
    from chimenum.output.formats import Renderer

T = TypeVar("T")

#: Given an id and the exit code it failed with, a hint for its error line ("" for none).
Hint = Callable[[str, ExitCode], str]


def _no_hint(phone_number_id: str, code: ExitCode) -> str:
    return ""


_NONE: Any = object()


def _nothing() -> None:
    return None


def _nothing_to_say() -> str:
    return ""


def other_api_hint(ctx: click.Context, client: Any, *, one: bool) -> Hint:
    """For a run that asked for one id: whether the other API has it, when it is not found."""
    if not one:
        return _no_hint
    return lambda phone_number_id, code: hints.other_api_hint(ctx, client, phone_number_id, code)


def fetcher_of(ctx: click.Context, concurrency: int, max_attempts: int) -> Fetcher:
    """The run's fetcher: its client pooled for ``concurrency`` requests at once."""
    return context.fetcher(ctx, concurrency, max_attempts)


def resolver_of(
    ctx: click.Context,
    env: Environment,
    *,
    tags: bool,
    number_timeout: float,
    run: Run | None = None,
) -> Resolver:
    """What ``describe`` and ``audit`` follow a number's resources with: the run's related
    resources, through the run object's clients and per-endpoint policies, within
    ``number_timeout`` seconds per number; what they leave out of an answer (region names) is
    said once on ``env``'s stderr. ``run``: an estate pair's run (default: the run's own)."""
    from chimenum.core.describe import Resolver
    from chimenum.core.resources import Resources

    return Resolver(
        Resources(run or context.run_of(ctx), notice=env.warn),
        tags=tags,
        number_timeout=number_timeout,
    )


class AsAsked:
    """Results of ids fetched once each, taken once per time each id was asked for.

    ``get +1... +1...`` fetches the number once and prints it twice: line N of ndjson, row N of
    CSV, entry N of ``--json`` is about the Nth id given, as a runbook pasting its ids beside
    the output expects. Results arrive in the order of each id's first appearance, so each one
    lets through every id given up to the next one not fetched yet.
    """

    def __init__(self, given: list[str]) -> None:
        self.given = given
        self.position = 0
        #: Results still due at a later place, and how many places each has still to fill.
        self.kept: dict[str, Result] = {}
        self.due: dict[str, int] = {}
        for phone_number_id in given:
            self.due[phone_number_id] = self.due.get(phone_number_id, 0) + 1

    def __call__(self, result: Result) -> list[Result]:
        """What to take now that ``result`` is in, in input order."""
        self.kept[result.phone_number_id] = result
        out = []
        while self.position < len(self.given) and self.given[self.position] in self.kept:
            phone_number_id = self.given[self.position]
            self.position += 1
            out.append(self.kept[phone_number_id])
            self.due[phone_number_id] -= 1
            if not self.due[phone_number_id]:
                del self.kept[phone_number_id], self.due[phone_number_id]
        return out

    def left(self) -> list[str]:
        """The ids given that were not taken, in input order."""
        return self.given[self.position :]


def flushing(renderer: Renderer) -> Callable[[], None]:
    """What a batch calls when its next result is not ready yet: the renderer writes out what
    it holds, whole (a stop signal meanwhile is raised once the lines are written)."""

    def flush() -> None:
        with signals.held():
            renderer.flush()

    return flush


class Outcome:
    """What a run has come to: the exit codes it met, each failure's line on stderr."""

    def __init__(self, env: Environment, hint: Hint = _no_hint) -> None:
        self.env = env
        self.codes: list[ExitCode] = []
        self.hint = hint

    def add(self, code: ExitCode) -> None:
        self.codes.append(code)

    def failed(self, phone_number_id: str, failure: Failure) -> None:
        """An id could not be had: ``error: ID: CODE: MESSAGE`` on stderr, and its exit code."""
        self.add(failure.exit_code)
        message = self.hinted(failure.message, phone_number_id, failure.exit_code)
        self.env.warn(f"error: {phone_number_id}: {failure.code}: {message}")

    def listing_stopped(self, failure: Failure, done: str, after: str = "") -> None:
        """A listing that ended early (``list``, ``audit``, ``diff --live``): its exit code, and
        ``error: listing stopped after DONE: CODE: MESSAGE`` with what ``after`` adds."""
        self.add(failure.exit_code)
        self.env.error(
            f"error: listing stopped after {done}: {failure.code}: {failure.message}{after}"
        )

    def described(self, described: Described, fail_on: str) -> None:
        """A number described: its lookups that failed, and findings at or above ``fail_on``."""
        from chimenum.core.findings import at_or_above

        self.codes += [failure.exit_code for failure in described.failures]
        if at_or_above(described.document["Findings"], fail_on):
            self.add(ExitCode.FINDINGS)

    def hinted(self, message: str, phone_number_id: str, code: ExitCode) -> str:
        """``message``, with what the hint has to say about ``phone_number_id``."""
        hint = self.hint(phone_number_id, code)
        return f"{message.rstrip('.')} ({hint})" if hint else message

    @property
    def exit_code(self) -> ExitCode:
        return most_severe(self.codes)


def run(
    outcome: Outcome,
    results: Iterable[T],
    take: Callable[[T], None],
    *,
    finish: Callable[[], None],
    stop: Callable[[], None] = _nothing,
    so_far: Callable[[], str] = _nothing_to_say,
    after: Callable[[], None] = _nothing,
) -> int:
    """Take every result, finish the renderer, and return the run's exit code.

    ``stop`` runs on a stop signal (Ctrl-C, SIGTERM, ...), before ``finish``: it stops requests
    in flight and takes what was fetched meanwhile. ``so_far`` says how far an interrupted run
    got (``"3 of 10 ids fetched"``). ``after`` runs once the renderer is finished, only for a
    run that was not stopped: a closing report that must not land inside a live display.
    """
    stopped: BaseException | None = None
    # The result the engine handed over and not yet taken: a signal between the two must not
    # drop it (signals.held makes the taking itself whole).
    handed: Any = _NONE
    try:
        for handed in results:
            with signals.held():
                take(handed)
                handed = _NONE
    except (KeyboardInterrupt, Terminated) as signalled:
        stopped = signalled
        # A second signal from here on is raised at once and ends the run unflushed.
        if handed is not _NONE:
            with signals.held():
                take(handed)
        stop()
    except BaseException:
        finish()
        raise
    if stopped is None:
        finish()
        after()
        return int(outcome.exit_code)
    word, code = signals.ending_of(stopped)
    env = outcome.env
    progress = so_far()
    try:
        finish()
        env.flush()
    except (OSError, OutputError):
        # The reader, or the terminal, is gone: nothing more can reach it.
        signals.silence(env.stdout)
    try:
        env.error(f"{word}: {progress}" if progress else word)
    except OSError:
        signals.silence(env.stderr)
    return int(code)
