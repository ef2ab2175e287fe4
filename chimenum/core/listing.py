"""Listing every phone number: ``ListPhoneNumbers`` page after page, following ``NextToken``.

Neither API has a botocore paginator, so the one paging loop lives here (``list`` and shell
completion both use it; the page size is :data:`~chimenum.core.apis.MAX_PAGE_SIZE`). Each page is
a request like any other, run under the :class:`~chimenum.core.policy.RequestPolicy`, and pages
are yielded as they arrive so the CLI can stream them.

A listing never stops early in silence: when a page still fails after its retries,
:class:`ListingStopped` says how many numbers came before it and the ``NextToken`` to resume from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chimenum.core.apis import MAX_PAGE_SIZE
from chimenum.core.checks import check_page
from chimenum.core.errors import Failure, MalformedResponse, classify
from chimenum.core.policy import RequestPolicy


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
    def __init__(self, client: Any, api: str, policy: RequestPolicy) -> None:
        self.client = client
        self.policy = policy
        self.page_size = MAX_PAGE_SIZE[api]

    def _page(self, params: dict[str, Any]) -> Page:
        """One page under the request policy; raises :class:`_PageFailed`."""
        outcome = self.policy.run(lambda: self.client.list_phone_numbers(**params), check_page)
        if outcome.document is None:
            assert outcome.failure is not None
            raise _PageFailed(outcome.failure)
        doc = outcome.document
        return Page(doc["PhoneNumbers"], doc.get("NextToken") or None)

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
                page = self._page(params)
                if page.next_token is not None and page.next_token in seen_tokens | {token}:
                    # A token seen before would list the same numbers forever.
                    raise _PageFailed(
                        classify(
                            MalformedResponse(f"NextToken {page.next_token!r} repeats"),
                            self.policy.endpoint,
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
