"""Listing every phone number: ``ListPhoneNumbers`` page after page, following ``NextToken``.

Neither API has a botocore paginator, so the one paging loop lives here (``list`` and shell
completion both use it; the page size is :data:`~chimenum.core.apis.MAX_PAGE_SIZE`). Each page is
a request like any other, run under the :class:`~chimenum.core.policy.RequestPolicy`, and pages
are yielded as they arrive so the CLI can stream them.

A listing never stops early in silence: when a page still fails after its retries,
:class:`ListingStopped` says how many numbers came before it and the ``NextToken`` to resume from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chimenum.core.apis import MAX_PAGE_SIZE
from chimenum.core.checks import check_page
from chimenum.core.errors import Failure, MalformedResponse, classify
from chimenum.core.policy import RequestPolicy


@dataclass(frozen=True)
class Filters:
    """The ``ListPhoneNumbers`` filters; ``None`` leaves one out of the request.

    The API filters on one status: several ``statuses`` make one listing per status, one after
    the other, in the order given (:meth:`Lister.pages`).
    """

    statuses: tuple[str, ...] = ()
    product_type: str | None = None
    filter_name: str | None = None
    filter_value: str | None = None

    def listings(self) -> list[dict[str, str]]:
        """The filters of each listing's requests: one listing per status, or one in all."""
        names = {
            "ProductType": self.product_type,
            "FilterName": self.filter_name,
            "FilterValue": self.filter_value,
        }
        common = {key: value for key, value in names.items() if value is not None}
        return [{"Status": status, **common} for status in self.statuses] or [common]

    def narrow(self) -> bool:
        """Whether any filter is set (an empty listing then means "none match")."""
        return bool(self.listings()[0])


@dataclass(frozen=True)
class Page:
    numbers: list[dict[str, Any]]
    #: The token of the page after this one; ``None`` on the last page.
    next_token: str | None


class ListingStopped(Exception):
    """A page failed after every retry; the numbers yielded before it are all there was.

    ``next_token`` is where the failed page starts (``None``: at the beginning): pass it as
    ``--starting-token`` to resume. With several statuses, ``statuses_left`` are the listing
    that stopped and those after it: resuming lists them, the token applying to the first.
    """

    def __init__(
        self,
        failure: Failure,
        next_token: str | None,
        numbers_so_far: int,
        pages_so_far: int,
        statuses_left: tuple[str, ...] = (),
    ) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.next_token = next_token
        self.numbers_so_far = numbers_so_far
        self.pages_so_far = pages_so_far
        self.statuses_left = statuses_left


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
        """Every page in order, at most ``limit`` numbers in all; raises :class:`ListingStopped`.

        With several statuses, each status's listing follows the one before, in the API's
        order; ``starting_token`` resumes the first. A number already listed under an earlier
        status (it changed status in between) is left out of a later one: none twice.
        """
        listings = filters.listings()
        seen: set[str] | None = set() if len(listings) > 1 else None
        count = pages = 0
        token = starting_token

        def room() -> int | None:
            return None if limit is None else limit - count

        for index, params in enumerate(listings):
            if index:
                token = None
            try:
                for page in self._listing(params, token, room):
                    numbers = page.numbers
                    if seen is not None:
                        numbers = [n for n in numbers if _key(n) not in seen]
                        seen.update(map(_key, numbers))
                    if limit is not None:
                        numbers = numbers[: limit - count]
                    count += len(numbers)
                    pages += 1
                    token = page.next_token
                    yield Page(numbers, page.next_token)
                    if limit is not None and count >= limit:
                        return
            except _PageFailed as exc:
                statuses_left = filters.statuses[index:]
                raise ListingStopped(exc.failure, token, count, pages, statuses_left) from None

    def _listing(
        self, filters: dict[str, str], token: str | None, room: Callable[[], int | None]
    ) -> Iterator[Page]:
        """One listing's pages from ``token`` on, each asking for at most ``room()`` numbers
        (the rest of the limit); raises :class:`_PageFailed`."""
        seen_tokens: set[str] = set()
        while True:
            wanted = room()
            size = self.page_size if wanted is None else min(self.page_size, wanted)
            params: dict[str, Any] = {**filters, "MaxResults": size}
            if token:
                params["NextToken"] = token
            page = self._page(params)
            if page.next_token is not None and page.next_token in seen_tokens | {token}:
                # A token seen before would list the same numbers forever.
                raise _PageFailed(
                    classify(
                        MalformedResponse(f"NextToken {page.next_token!r} repeats"),
                        self.policy.endpoint,
                    )
                )
            if token:
                seen_tokens.add(token)
            yield page
            token = page.next_token
            if token is None:
                return


def _key(number: dict[str, Any]) -> str:
    return str(number.get("PhoneNumberId") or number.get("E164PhoneNumber"))


class _PageFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure
