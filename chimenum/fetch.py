"""Fetching phone numbers: one, or many concurrently, with retries, in input order.

The core never prints: it yields :class:`Result` objects (a document or a :class:`Failure`) and
the CLI hands them to a renderer. A single id is fetched on the calling thread (no pool, nothing
to start); a batch runs on a thread pool sharing one botocore client, and results are yielded in
input order as soon as each one and everything before it are done, with a bounded window of work
in flight so memory stays flat however long the batch.

Throttling (``ThrottledClientException``, HTTP 429) and 5xx answers are retried here, with
exponential backoff and full jitter, up to ``max_attempts`` tries per id; botocore itself is set
to a single attempt (see :mod:`chimenum.session`).
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chimenum.errors import ChimenumError, ExitCode, Failure, MalformedResponse, classify
from chimenum.records import check_phone_number

DEFAULT_CONCURRENCY = 16
DEFAULT_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Result:
    """The outcome for one id: ``document`` is ``{"PhoneNumber": {...}}`` unless it failed."""

    phone_number_id: str
    document: dict[str, Any] | None = None
    failure: Failure | None = None


@dataclass
class Backoff:
    """Exponential backoff with full jitter: attempt n waits up to ``min(cap, base * 2**n)``."""

    base: float = 0.05
    cap: float = 5.0
    rng: random.Random = random.Random()  # noqa: RUF009 - one shared generator is the point

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * 2**attempt))


class Fetcher:
    def __init__(
        self,
        client: Any,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        output_shape = client.meta.service_model.operation_model("GetPhoneNumber").output_shape
        assert output_shape is not None
        self.output_shape = output_shape

    @property
    def endpoint(self) -> str:
        return str(self.client.meta.endpoint_url)

    def _attempt(self, phone_number_id: str) -> tuple[Result, bool]:
        """One request; returns the result and whether trying again could change it."""
        import botocore.exceptions as bx

        try:
            try:
                parsed = self.client.get_phone_number(PhoneNumberId=phone_number_id)
            except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
                # Raised from inside botocore's parser: the body did not fit the model at all.
                raise MalformedResponse(
                    f"unparseable answer ({type(exc).__name__}: {exc})"
                ) from exc
            document = check_phone_number(self.output_shape, parsed, phone_number_id)
        except (bx.BotoCoreError, bx.ClientError, MalformedResponse) as exc:
            failure = classify(exc, self.endpoint)
            if failure.exit_code is ExitCode.CONFIG:
                # No credentials or an expired session: every other id would fail the same way.
                raise ChimenumError(failure) from exc
            retry = failure.retryable or isinstance(exc, bx.ConnectionClosedError)
            return Result(phone_number_id, failure=failure), retry
        return Result(phone_number_id, document=document), False

    def get(self, phone_number_id: str) -> Result:
        """Fetch one id, retrying throttling and transient failures."""
        attempt = 0
        while True:
            result, retry = self._attempt(phone_number_id)
            attempt += 1
            if not retry or attempt >= self.max_attempts:
                return result
            self.sleep(self.backoff.delay(attempt))

    def many(self, ids: Iterable[str], concurrency: int = DEFAULT_CONCURRENCY) -> Iterator[Result]:
        """Fetch every id, yielding results in input order as soon as they can be."""
        id_list = ids if isinstance(ids, list) else list(ids)
        if len(id_list) == 1 or concurrency <= 1:
            for phone_number_id in id_list:
                yield self.get(phone_number_id)
            return
        window = concurrency * 4
        pending: deque[Future[Result]] = deque()
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="chimenum-fetch")
        try:
            feed = iter(id_list)
            for phone_number_id in feed:
                pending.append(pool.submit(self.get, phone_number_id))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
