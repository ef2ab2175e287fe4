"""An id asked of every pair of the estate (``get``, ``describe``).

Each id is one ``GetPhoneNumber`` per pair, through the pair's own run, every request a job of
the estate's one pool. The pair that found it gives the record its fields; other regions of
the same AWS account that found it are its ``Regions``. A pair that says not found is no error
when another found it; an id no pair found is not found only when every pair was asked and
every one said so: a pair that failed, or could not be identified, is named instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chimenum.core.errors import ExitCode, Failure, most_severe
from chimenum.core.estate import Estate, Pair, description, failure_of, record_of
from chimenum.core.policy import Stopped
from chimenum.core.pool import Again

if TYPE_CHECKING:
    from datetime import datetime

    from chimenum.core.describe import Described, Resolver


@dataclass
class Looked:
    """One id asked of every pair: the number as the first account that has it answered
    (``pair``, ``record``: with ``Regions`` every region of that account that had it), the
    pairs that failed, those that said not found, and other accounts that have it too."""

    phone_number_id: str
    pair: Pair | None = None
    record: dict[str, Any] | None = None
    failures: list[tuple[Pair, Failure]] = field(default_factory=list)
    not_found: list[Pair] = field(default_factory=list)
    elsewhere: list[Pair] = field(default_factory=list)

    def failure(self, unasked: list[tuple[Pair, Failure]]) -> Failure | None:
        """Why no pair had the number, if none did: not found only when every pair was asked
        and every one said so; else the pairs that failed, or could not be asked, by name."""
        if self.record is not None:
            return None
        failed = self.failures + unasked
        if not failed:
            return Failure(
                "NotFoundException",
                f"not found by any of the {len(self.not_found)} pairs asked",
                ExitCode.NOT_FOUND,
            )
        worst = most_severe([f.exit_code for _, f in failed])
        said = [f"{pair.name}: {f.code}: {f.message}" for pair, f in self.failures] + [
            f"{pair.name} could not be asked ({f.code})" for pair, f in unasked
        ]
        if self.not_found:
            said.append(f"not found by the other {len(self.not_found)}")
        # most_severe returns one of the codes it was given, but a default keeps a ranking
        # that ever missed one from ending the run in a traceback with its results lost.
        code = next((f.code for _, f in failed if f.exit_code == worst), failed[0][1].code)
        return Failure(code, "; ".join(said), worst)


def looked_up(
    estate: Estate, pairs: list[Pair], ids: list[str], *, regions: bool, workers: int
) -> Iterator[Looked]:
    """Each id asked of every pair (``GetPhoneNumber`` through the pair's own run), in the
    order of ``ids``, ``workers`` requests at once across all pairs."""
    from chimenum.core.fetch import Fetcher, Result

    def fetcher(pair: Pair) -> Fetcher:
        def make() -> Fetcher:
            run = estate.run(pair)
            client = run.client()
            return Fetcher(client, run.policy(client))

        found: Fetcher = estate.made(pair, "fetcher", make)
        return found

    def start(item: tuple[str, Pair]) -> Callable[[], tuple[Pair, Result]]:
        phone_number_id, pair = item
        made: list[Callable[[], Result]] = []

        def job() -> tuple[Pair, Result]:
            try:
                if not made:
                    made.append(fetcher(pair).job(phone_number_id))
                return pair, made[0]()
            except (Again, Stopped):
                raise
            except Exception as exc:
                return pair, Result(phone_number_id, failure=failure_of(exc))

        return job

    if not pairs:
        yield from (Looked(phone_number_id) for phone_number_id in ids)
        return
    items = ((phone_number_id, pair) for phone_number_id in ids for pair in pairs)
    answers = estate.pool(start, min(workers, len(ids) * len(pairs))).map(items)
    for phone_number_id in ids:
        looked = Looked(phone_number_id)
        for _ in pairs:
            pair, result = next(answers)
            failure = result.failure
            if result.document is not None:
                _found(looked, pair, result.document["PhoneNumber"], regions=regions)
            elif failure is not None and failure.exit_code is ExitCode.NOT_FOUND:
                looked.not_found.append(pair)
            elif failure is not None:
                looked.failures.append((pair, failure))
        yield looked


def _found(looked: Looked, pair: Pair, number: dict[str, Any], *, regions: bool) -> None:
    if looked.pair is None:
        looked.pair, looked.record = pair, record_of(pair, number, regions=regions)
    elif pair.account == looked.pair.account:
        if regions and looked.record is not None:
            looked.record["Regions"].append(pair.region)
    elif all(p.account != pair.account for p in looked.elsewhere):
        looked.elsewhere.append(pair)


def described_ids(
    estate: Estate,
    looked: Iterator[Looked],
    resolver_for: Callable[[Pair], Resolver],
    now: datetime,
    workers: int,
) -> Iterator[tuple[Looked, Described | None]]:
    """``describe``: each id found described by the pair that found it, in order; an id no
    pair found has no description."""
    from chimenum.core.findings import DESCRIBE

    def start(item: Looked) -> Callable[[], tuple[Looked, Described | None]]:
        if item.pair is None or item.record is None:
            return lambda: (item, None)
        job = description(item.pair, item.record, resolver_for, now, DESCRIBE)
        return lambda: (item, job())

    yield from estate.pool(start, workers).map(looked)
