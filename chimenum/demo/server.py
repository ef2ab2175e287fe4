"""The demo account's loopback server: a small, well-behaved Chime phone-number API.

It serves ``GET /phone-numbers/{id}`` and ``GET /phone-numbers`` (paging and filters), and
the related resources ``describe`` resolves (:data:`~.listener.RESOURCE_ROUTES`: voice
connectors and their origination, termination and health, groups, SIP rules, SIP media
applications, orders, tags, Voice Connector regions; Chime accounts and users), each from the
record set of the region the request is signed for, as the service does on the wire:
rest-json bodies, ISO 8601 timestamps, errors as an HTTP status, ``x-amzn-ErrorType`` and a
``{"Code", "Message"}`` body, phone-number ids percent-encoded
(``"PhoneNumberId": "%2B12065550100"``) as the service answers them. Every request must carry
a SigV4 ``Authorization`` header, so signing is exercised as against AWS. This module holds
the state (records, scheduled status changes, pages); :mod:`.listener` the HTTP side.

Every request reaches the account its SigV4 access key selects (:mod:`.accounts`: the default
account's records given to :class:`DemoServer`, and named ones), as on AWS; a key no account has
is refused (``UnrecognizedClientException``) once ``default_keys`` names the default account's.
STS answers on a port of its own (:mod:`.sts`), so a run can ask whose credentials it holds.

Both APIs are served, each from its own record set and its own loopback port, as the real services
live on different hosts (``chime.us-east-1.amazonaws.com`` and ``voice-chime.<region>...``): the
port is the only robust way to tell them apart, since both sign as ``chime``, use the same paths,
and botocore's User-Agent does not name the service. Numbers can move through statuses over time
(:meth:`DemoServer.move`), so ``chimenum wait`` works against answers that really change.

This is all ``--demo`` needs. Fault injection, hostile data, throttling, latency and the request
log belong to the tests' fake (``testing/fakechime``, outside the package), which extends the
classes here and in :mod:`.listener` (the HTTP side: routes, SigV4, errors, the handler).
"""

from __future__ import annotations

import base64
import copy
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

from chimenum.core.apis import MAX_PAGE_SIZE
from chimenum.core.ids import decoded, encoded
from chimenum.demo.accounts import ANY_REGION, Account
from chimenum.demo.listener import DemoHandler, Listener, serve
from chimenum.demo.resources import VOICE_CONNECTOR_REGIONS, wire_time

#: The AWS account the default account's credentials belong to (STS GetCallerIdentity).
DEFAULT_ACCOUNT_ID = "123456789012"


@dataclass
class Transition:
    """A scheduled status change: due at ``due_at`` (monotonic) or after ``after_requests`` GETs."""

    status: str
    due_at: float | None = None
    after_requests: int | None = None


def next_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def token_offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None


class DemoServer:
    """The records of both APIs, their scheduled status changes, and the two HTTP listeners."""

    handler: ClassVar[type[DemoHandler]] = DemoHandler

    def __init__(
        self,
        records: Any = (),
        *,
        voice_records: Any = (),
        resources: dict[str, dict[tuple[str, str], Any]] | None = None,
        accounts: Mapping[str, Account] | None = None,
        default_keys: Iterable[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        voice_port: int = 0,
        sts_port: int = 0,
    ) -> None:
        #: The account of ``records``: its Chime SDK Voice numbers are answered in every region.
        self.default_account = Account(
            DEFAULT_ACCOUNT_ID,
            records,
            voice_records={ANY_REGION: voice_records},
            resources=resources,
        )
        # The default account's inventories and related resources (per region, keyed by
        # (kind, id); see :mod:`chimenum.demo.resources`), as the tests reach them.
        self.records = self.default_account.records
        self.voice_records = self.default_account.voice_records[ANY_REGION]
        self.resources = self.default_account.resources
        #: Access key id -> account: the named accounts, and the temporary keys AssumeRole issued.
        self.accounts: dict[str, Account] = dict(accounts or {})
        #: The keys the default account answers to; ``None``: every key no other account has.
        self.default_keys = None if default_keys is None else frozenset(default_keys)
        #: What GetCallerIdentity answers for a temporary key: (ARN, user id) of its role session.
        self.sessions: dict[str, tuple[str, str]] = {}
        #: The secret key and session token AssumeRole issued with each temporary key.
        self.issued: dict[str, tuple[str, str]] = {}
        #: Answer ids plain (``+12065550100``) rather than percent-encoded as the service does.
        self.plain_ids = False
        self.voice_regions: list[str] = list(VOICE_CONNECTOR_REGIONS)
        #: Scheduled status changes per (api, id), applied in order, and GETs seen per (api, id).
        self.transitions: dict[tuple[str, str], list[Transition]] = {}
        self.gets: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        self._servers: dict[str, Listener] = {}
        for api, api_port in (("chime", port), ("voice", voice_port), ("sts", sts_port)):
            listener = Listener((host, api_port), self.handler)
            listener.service = self
            listener.api = api
            self._servers[api] = listener

    def account_for(self, access_key: str) -> Account | None:
        """The account a request signed with ``access_key`` reaches (``None``: no account has
        that key, which AWS answers ``UnrecognizedClientException``)."""
        with self.lock:
            account = self.accounts.get(access_key)
        if account is None and (self.default_keys is None or access_key in self.default_keys):
            return self.default_account
        return account

    def account_by_id(self, account_id: str) -> Account | None:
        """The account with that AWS account id, default included (AssumeRole's target)."""
        with self.lock:
            every = [self.default_account, *self.accounts.values()]
        return next((a for a in every if a.account_id == account_id), None)

    def url_for(self, api: str) -> str:
        host, port = self._servers[api].server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """Where the server answers as Amazon Chime."""
        return self.url_for("chime")

    @property
    def voice_url(self) -> str:
        """Where the server answers as Chime SDK Voice."""
        return self.url_for("voice")

    @property
    def sts_url(self) -> str:
        """Where the server answers as STS (query protocol, :mod:`chimenum.demo.sts`)."""
        return self.url_for("sts")

    def records_for(
        self, api: str, account: Account | None = None, region: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """``account``'s numbers of ``api`` (default: the default account's), for Chime SDK
        Voice those ``region`` answers (``None``: the account-wide ones)."""
        account = account or self.default_account
        return account.voice(region) if api == "voice" else account.records

    def served(self, record: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``record`` with its id as the service answers it: percent-encoded
        (``%2B12065550100``), or plain with :attr:`plain_ids`. An id that is neither form of a
        ``+`` number stays as it is (tests give such records on purpose)."""
        served = dict(record)
        phone_number_id = served.get("PhoneNumberId")
        if isinstance(phone_number_id, str) and (plain := decoded(phone_number_id))[:1] == "+":
            served["PhoneNumberId"] = plain if self.plain_ids else encoded(plain)
        return served

    def start(self) -> Any:
        serve(self._servers.values())
        return self

    def stop(self) -> None:
        for listener in self._servers.values():
            listener.shutdown()
            listener.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def move(
        self,
        phone_number_id: str,
        status: str,
        *,
        after_seconds: float | None = None,
        after_requests: int | None = None,
        api: str = "chime",
    ) -> None:
        """Schedule a status change for one number of ``api``, counted from now.

        ``after_seconds``: the change is seen from that many seconds on. ``after_requests``: the
        next that-many ``GET /phone-numbers/{id}`` still see the old status, later ones the new.
        Several calls queue changes that happen in the order they were scheduled.
        """
        if (after_seconds is None) == (after_requests is None):
            raise ValueError("give exactly one of after_seconds and after_requests")
        key = (api, phone_number_id)
        with self.lock:
            if phone_number_id not in self.records_for(api):
                raise KeyError(f"{api} has no number {phone_number_id}")
            seen = self.gets.get(key, 0)
            self.transitions.setdefault(key, []).append(
                Transition(
                    status,
                    None if after_seconds is None else time.monotonic() + after_seconds,
                    None if after_requests is None else seen + after_requests,
                )
            )

    def _advance(self, api: str, phone_number_id: str) -> None:
        """Apply the due status changes of one number; the caller holds the lock."""
        key = (api, phone_number_id)
        queue = self.transitions.get(key)
        now = time.monotonic()
        seen = self.gets.get(key, 0)
        while queue:
            step = queue[0]
            if step.due_at is not None and now < step.due_at:
                break
            if step.after_requests is not None and seen < step.after_requests:
                break
            queue.pop(0)
            record = self.records_for(api)[phone_number_id]
            record["Status"] = step.status
            record["UpdatedTimestamp"] = wire_time(datetime.now(timezone.utc))

    def record(
        self,
        api: str,
        phone_number_id: str,
        *,
        count: bool = True,
        account: Account | None = None,
        region: str | None = None,
    ) -> dict[str, Any] | None:
        """The number as the service would answer it now (``None``: not in that API, or not in
        that account and region). Status changes play on the default account's numbers."""
        account = account or self.default_account
        with self.lock:
            if api == "voice":
                found = account.find_voice(region, phone_number_id)
            else:
                found = account.records.get(phone_number_id)
            if found is None:
                return None
            if account is self.default_account and phone_number_id in self.records_for(api):
                self._advance(api, phone_number_id)
                if count:
                    key = (api, phone_number_id)
                    self.gets[key] = self.gets.get(key, 0) + 1
            return self.served(found)

    def resource(
        self, region: str, kind: str, resource_id: str, account: Account | None = None
    ) -> Any:
        """The related resource as the service would answer it in ``region`` (``None``: none)."""
        account = account or self.default_account
        with self.lock:
            record = account.resources.get(region, {}).get((kind, resource_id))
            return copy.deepcopy(record)

    def list_page(
        self,
        query: dict[str, list[str]],
        api: str = "chime",
        account: Account | None = None,
        region: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        largest = MAX_PAGE_SIZE[api]
        try:
            max_results = int(one("max-results") or largest)
        except ValueError:
            max_results = 0
        token = one("next-token")
        start = token_offset(token) if token else 0
        if start is None:
            return 400, {"Code": "BadRequestException", "Message": "Invalid next token."}
        status, product = one("status"), one("product-type")
        filter_name, filter_value = one("filter-name"), one("filter-value")
        if max_results < 1 or max_results > largest:
            return 400, {"Code": "BadRequestException", "Message": "Invalid MaxResults."}
        with self.lock:
            for key in list(self.transitions):
                if key[0] == api:
                    self._advance(*key)
            # Only the page is copied (under the lock, as transitions change records): copying
            # every record for every page made a large listing slow on the server's side.
            matching = [
                r
                for r in self.records_for(api, account, region).values()
                if (status is None or r.get("Status") == status)
                and (product is None or r.get("ProductType") == product)
                and (
                    filter_name is None
                    or any(
                        a.get("Name") == filter_name and a.get("Value") == filter_value
                        for a in r.get("Associations", [])
                    )
                )
            ]
            page = [self.served(r) for r in matching[start : start + max_results]]
        body: dict[str, Any] = {"PhoneNumbers": page}
        if start + max_results < len(matching):
            body["NextToken"] = next_token(start + max_results)
        return 200, body
