"""Listing every phone number: ``ListPhoneNumbers`` page after page, following ``NextToken``.

Neither API has a botocore paginator, so the loop lives here. Each page is a request like any
other: throttling and 5xx answers are retried with the :class:`~chimenum.core.fetch.Fetcher`'s
policy
(its ``max_attempts``, backoff and sleep), and pages are yielded as they arrive so the CLI can
stream them. A listing never stops early in silence: when a page still fails after its retries,
:class:`ListingStopped` says how many numbers came before it and the ``NextToken`` to resume from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chimenum.core.apis import MAX_PAGE_SIZE
from chimenum.core.errors import ExitCode, Failure, MalformedResponse, classify
from chimenum.core.fetch import Fetcher
from chimenum.core.records import check_shape


@dataclass(frozen=True)
class Filters:
    """The ``ListPhoneNumbers`` filters; ``None`` leaves one out of the request."""

    status: str | None = None
    product_type: str | None = None
    filter_name: str | None = None
    filter_value: str | None = None

    def params(self) -> dict[str, str]:
        names = {
            "Status": self.status,
            "ProductType": self.product_type,
            "FilterName": self.filter_name,
            "FilterValue": self.filter_value,
        }
        return {key: value for key, value in names.items() if value is not None}


@dataclass(frozen=True)
class Page:
    numbers: list[dict[str, Any]]
    #: The token of the page after this one; ``None`` on the last page.
    next_token: str | None


class ListingStopped(Exception):
    """A page failed after every retry; the numbers yielded before it are all there was.

    ``next_token`` is where the failed page starts (``None``: at the beginning): pass it as
    ``--starting-token`` to resume.
    """

    def __init__(
        self, failure: Failure, next_token: str | None, numbers_so_far: int, pages_so_far: int
    ) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.next_token = next_token
        self.numbers_so_far = numbers_so_far
        self.pages_so_far = pages_so_far


class Lister:
    def __init__(self, fetcher: Fetcher, api: str) -> None:
        self.fetcher = fetcher
        self.page_size = MAX_PAGE_SIZE[api]
        model = fetcher.client.meta.service_model.operation_model("ListPhoneNumbers")
        assert model.output_shape is not None
        self.output_shape = model.output_shape

    def _check(self, parsed: dict[str, Any]) -> dict[str, Any]:
        """The page's document without ``ResponseMetadata``; raises MalformedResponse."""
        doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
        check_shape(self.output_shape, doc, "response")
        numbers = doc.get("PhoneNumbers")
        if numbers is None:
            raise MalformedResponse("response has no PhoneNumbers list")
        for index, number in enumerate(numbers):
            if not number.get("PhoneNumberId"):
                raise MalformedResponse(f"response.PhoneNumbers[{index}] has no PhoneNumberId")
        return doc

    def _attempts(self, params: dict[str, Any]) -> Page:
        """One page, retried with the fetcher's policy; raises :class:`_PageFailed`."""
        fetcher = self.fetcher
        limiter = fetcher.limiter
        attempt = 0
        while True:
            # Pages share the fetcher's adaptive rate limit, as ids of a batch do.
            slot = limiter.reserve()
            wait = slot - limiter.clock()
            if wait > 0:
                fetcher.sleep(wait)
            doc, failure, retry = fetcher.call(
                lambda: fetcher.client.list_phone_numbers(**params),
                self._check,
            )
            if doc is not None:
                limiter.succeeded()
                return Page(doc["PhoneNumbers"], doc.get("NextToken") or None)
            assert failure is not None
            if failure.exit_code is ExitCode.THROTTLED:
                limiter.throttled(slot)
            attempt += 1
            if not fetcher.may_retry(failure, retry, attempt):
                raise _PageFailed(failure)
            fetcher.sleep(fetcher.backoff.delay(attempt))

    def pages(
        self,
        filters: Filters = Filters(),
        *,
        limit: int | None = None,
        starting_token: str | None = None,
    ) -> Iterator[Page]:
        """Every page in order, at most ``limit`` numbers in all; raises :class:`ListingStopped`."""
        token = starting_token
        seen_tokens: set[str] = set()
        count = pages = 0
        while True:
            size = self.page_size if limit is None else min(self.page_size, limit - count)
            params: dict[str, Any] = {**filters.params(), "MaxResults": size}
            if token:
                params["NextToken"] = token
            try:
                page = self._attempts(params)
                if page.next_token is not None and page.next_token in seen_tokens | {token}:
                    # A token seen before would list the same numbers forever.
                    raise _PageFailed(
                        classify(
                            MalformedResponse(f"NextToken {page.next_token!r} repeats"),
                            self.fetcher.endpoint,
                        )
                    )
            except _PageFailed as exc:
                raise ListingStopped(exc.failure, token, count, pages) from None
            if token:
                seen_tokens.add(token)
            numbers = page.numbers
            if limit is not None:
                numbers = numbers[: limit - count]
            count += len(numbers)
            pages += 1
            yield Page(numbers, page.next_token)
            token = page.next_token
            if token is None or (limit is not None and count >= limit):
                return


class _PageFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure
