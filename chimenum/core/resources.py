"""The related resources of a run (voice connectors, SIP rules, accounts...), each fetched once.

A thousand numbers on three voice connectors make three ``GetVoiceConnector`` calls, not a
thousand: every lookup goes through one per-run cache keyed by ``(kind, id, region)``. The first
caller of a key fetches it; callers asking for the same key meanwhile wait for that fetch rather
than send their own (:class:`~chimenum.core.once.Once`). Every request goes through the run's
one request policy (retries with backoff, the endpoint's adaptive rate limit, the run's stop) as a
:class:`~chimenum.core.fetch.Tries`: a lookup to try again later raises
:class:`~chimenum.core.pool.Again` out of the job that asked for it, which the pool runs again
once the backoff ends (the lookups it already made come from the cache), so no worker sleeps.

A lookup ends in one of four states: found; not found (``NotFoundException``); not permitted
(``AccessDenied``/``Forbidden``: the caller may not read it, which says nothing about its health);
or failed (still throttled, 5xx, a bad answer: unknown). :meth:`Resources.find` looks for a
regional resource missing from the region asked in every other Voice Connector region
(``ListAvailableVoiceConnectorRegions``); it is missing only when every region searched answered
``NotFoundException``: a region that refused or failed makes the outcome not permitted or failed,
naming that region, since the resource may well be there. The cache keeps at most
``max_entries`` lookups (the oldest are dropped first), and a failure keeps at most
:data:`~chimenum.core.errors.MESSAGE_LIMIT` characters of its message, so memory stays flat for
any inventory and any answer.

An answer is about what was asked (:func:`~chimenum.core.checks.check_about`), and the region
names ``ListAvailableVoiceConnectorRegions`` answers are names, not paths or URLs: each must
match :data:`REGION_NAME`, and at most :data:`MAX_REGIONS` are searched. The rest are skipped,
said once per run through ``notice`` (one line on stderr).

Secrets never leave this module: members listed in :data:`SECRET_MEMBERS` are dropped from every
answer as it is checked, by name, so that no output format can print them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chimenum.core.apis import Api
from chimenum.core.checks import check_about
from chimenum.core.errors import ChimenumError, ExitCode, Failure, MalformedResponse
from chimenum.core.fetch import Tries
from chimenum.core.once import Once
from chimenum.core.policy import RequestPolicy

if TYPE_CHECKING:
    from chimenum.core.run import Run

FOUND = "Found"
NOT_FOUND = "NotFound"
NOT_PERMITTED = "NotPermitted"
FAILED = "Failed"

#: kind -> (API, operation, the answer's key, the request's id parameter). ``User`` ids are
#: ``ACCOUNT/USER``: GetUser needs both.
OPERATIONS: dict[str, tuple[Api, str, str, str]] = {
    "VoiceConnector": ("voice", "GetVoiceConnector", "VoiceConnector", "VoiceConnectorId"),
    "Origination": (
        "voice",
        "GetVoiceConnectorOrigination",
        "Origination",
        "VoiceConnectorId",
    ),
    "Termination": (
        "voice",
        "GetVoiceConnectorTermination",
        "Termination",
        "VoiceConnectorId",
    ),
    "TerminationHealth": (
        "voice",
        "GetVoiceConnectorTerminationHealth",
        "TerminationHealth",
        "VoiceConnectorId",
    ),
    "VoiceConnectorGroup": (
        "voice",
        "GetVoiceConnectorGroup",
        "VoiceConnectorGroup",
        "VoiceConnectorGroupId",
    ),
    "SipRule": ("voice", "GetSipRule", "SipRule", "SipRuleId"),
    "SipMediaApplication": (
        "voice",
        "GetSipMediaApplication",
        "SipMediaApplication",
        "SipMediaApplicationId",
    ),
    "PhoneNumberOrder": ("voice", "GetPhoneNumberOrder", "PhoneNumberOrder", "PhoneNumberOrderId"),
    "TerminationCredentials": (
        "voice",
        "ListVoiceConnectorTerminationCredentials",
        "Usernames",
        "VoiceConnectorId",
    ),
    "Tags": ("voice", "ListTagsForResource", "Tags", "ResourceARN"),
    "Regions": ("voice", "ListAvailableVoiceConnectorRegions", "VoiceConnectorRegions", ""),
    "Account": ("chime", "GetAccount", "Account", "AccountId"),
    "User": ("chime", "GetUser", "User", "UserId"),
}

#: Kinds that live in one region and may be found in another (orders and tags do not move).
FINDABLE_ELSEWHERE = frozenset(
    {
        "VoiceConnector",
        "Origination",
        "Termination",
        "TerminationHealth",
        "VoiceConnectorGroup",
        "SipRule",
        "SipMediaApplication",
    }
)

#: Kinds whose answer may leave its list out when it is empty (the member is not required).
EMPTY_WHEN_ABSENT = frozenset({"TerminationCredentials"})

#: ``(shape, member)`` of the answers read here that hold a secret: dropped as the answer is
#: checked. An explicit list, not a name pattern (``NextToken`` is paging state) nor the model's
#: ``sensitive`` flag (which also marks phone numbers, calling names and e-mail addresses).
SECRET_MEMBERS = frozenset({("User", "PersonalPIN")})

#: ``(shape, member)`` the models mark sensitive that chimenum shows on purpose: what a number,
#: its owner and its routes are is the point of the tool. tests/test_secrets.py fails on a
#: sensitive member in neither list.
SHOWN_ON_PURPOSE = frozenset(
    {
        ("PhoneNumber", "PhoneNumberId"),
        ("PhoneNumber", "E164PhoneNumber"),
        ("PhoneNumber", "CallingName"),
        ("PhoneNumber", "Name"),
        ("OrderedPhoneNumber", "E164PhoneNumber"),
        ("Termination", "DefaultPhoneNumber"),
        ("User", "DisplayName"),
        ("User", "PrimaryEmail"),
        ("User", "PrimaryProvisionedNumber"),
        ("AlexaForBusinessMetadata", "AlexaForBusinessRoomArn"),
        ("SipMediaApplicationEndpoint", "LambdaArn"),
        ("Tag", "Key"),
        ("Tag", "Value"),
        # ListVoiceConnectorTerminationCredentials' SIP user names (never their passwords).
        ("SensitiveStringList", "member"),
    }
)

DEFAULT_MAX_ENTRIES = 4096

#: What a region name from the service must look like (``us-east-1``, ``us-gov-west-1``,
#: ``ap-southeast-2``): every AWS partition's names have this form. A name that does not is
#: never made into a client (botocore refuses it, and it could be a path or a host name).
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}", re.ASCII)

#: The most Voice Connector regions a resource is searched in. AWS lists 10; a longer list is
#: cut here, since every region searched is a client and a request per missing resource.
MAX_REGIONS = 64


def usable_regions(names: list[Any]) -> tuple[list[str], str]:
    """The names of ``names`` a resource may be searched in (valid, distinct, at most
    :data:`MAX_REGIONS`), and what was left out as one line (``""``: nothing)."""
    kept: list[str] = []
    invalid = 0
    for name in names:
        if not REGION_NAME.fullmatch(name):
            invalid += 1
        elif name not in kept:
            kept.append(name)
    skipped = max(0, len(kept) - MAX_REGIONS)
    said = []
    if invalid:
        said.append(f"{invalid} invalid region {'name' if invalid == 1 else 'names'} skipped")
    if skipped:
        said.append(f"only the first {MAX_REGIONS} of {len(kept)} regions searched")
    if not said:
        return kept, ""
    return kept[:MAX_REGIONS], "ListAvailableVoiceConnectorRegions: " + "; ".join(said)


def _say_nothing(line: str) -> None:
    return None


@dataclass(frozen=True)
class Lookup:
    """What one resource turned out to be, and where."""

    kind: str
    id: str
    #: Where it was found; for a resource not found, the region first asked (``None``: global).
    region: str | None
    status: str
    #: The answer's object (``GetVoiceConnector``'s ``VoiceConnector``...), when found.
    value: Any = None
    failure: Failure | None = None
    #: Every region asked, in order, when it was looked for in more than one.
    searched: tuple[str, ...] = ()
    #: Regions of ``searched`` that refused (403) or failed: it may be there.
    unread: tuple[str, ...] = ()


class Resources:
    """The run's related resources: fetched on demand, once per ``(kind, id, region)``.

    ``run`` gives the clients (one per API and region) and each endpoint's request policy: the
    run's retry budget, backoff and stop, and that endpoint's own rate limit. ``notice`` says
    what was left out of an answer (region names), once per run.
    """

    def __init__(
        self,
        run: Run,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        notice: Callable[[str], None] = _say_nothing,
    ) -> None:
        self.run = run
        self.max_entries = max_entries
        self._lookups: Once[tuple[str, str, str | None], Lookup] = Once(max_entries)
        #: (API, region) -> why every lookup there fails (unreachable, credentials refused).
        self._broken: dict[tuple[Api, str | None], Failure] = {}
        self._notice = notice
        self._noticed: set[str] = set()
        self._notice_lock = threading.Lock()

    def notice(self, line: str) -> None:
        """Say ``line`` unless it was said already (a lookup dropped from the cache is made
        again, and says the same)."""
        with self._notice_lock:
            if line in self._noticed:
                return
            self._noticed.add(line)
        self._notice(line)

    def _client(self, api: Api, region: str | None) -> tuple[Any, RequestPolicy]:
        """The client for ``api`` in ``region`` (``None``: the configured one), and its policy."""
        client = self.run.client(api, region)
        return client, self.run.policy(client)

    @property
    def home_region(self) -> str:
        """The region Chime SDK Voice resources are looked for first: the configured one."""
        return str(self._client("voice", None)[0].meta.region_name)

    def _key(self, kind: str, resource_id: str, region: str | None) -> tuple[str, str, str | None]:
        api = OPERATIONS[kind][0]
        if api == "chime":
            region = None
        elif region is None:
            region = self.home_region
        return kind, resource_id, region

    def fetch(self, kind: str, resource_id: str, region: str | None = None) -> Lookup:
        """One resource in one region (``None``: the home region); cached for the run."""
        key = self._key(kind, resource_id, region)
        return self._lookups.get(key, lambda tries: self._request(*key, tries))

    def known(self, kind: str, resource_id: str, region: str | None = None) -> Lookup | None:
        """What :meth:`fetch` (or :meth:`find`, for one found where first asked) would answer
        from the cache alone; ``None`` when that takes a request."""
        first = self._lookups.known(self._key(kind, resource_id, region))
        if first is None or (first.status == NOT_FOUND and kind in FINDABLE_ELSEWHERE):
            return None
        return first

    def _request(self, kind: str, resource_id: str, region: str | None, tries: int) -> Lookup:
        """One try (after ``tries`` others) of one lookup; :class:`Again` to try it later."""
        api, operation, key, parameter = OPERATIONS[kind]
        client, policy = self._client(api, region if api == "voice" else None)
        params: dict[str, str] = {}
        if kind == "User":
            params["AccountId"], _, params["UserId"] = resource_id.partition("/")
        elif parameter:
            params[parameter] = resource_id
        method = getattr(client, _method_name(operation))

        output_shape = client.meta.service_model.operation_model(operation).output_shape

        def check(parsed: dict[str, Any]) -> dict[str, Any]:
            # The types were checked by the one walker as the answer was parsed.
            doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
            if doc.get(key) is None:
                if kind not in EMPTY_WHEN_ABSENT:
                    raise MalformedResponse(f"response has no {key}")
                doc[key] = []
            check_about(doc[key], params)
            if kind == "Regions":
                doc[key], left_out = usable_regions(doc[key])
                if left_out:
                    self.notice(left_out)
            return dict(without_secrets(doc, output_shape))

        key_of_endpoint = (api, region)
        broken = self._broken.get(key_of_endpoint)
        if broken is not None:
            return Lookup(kind, resource_id, region, FAILED, failure=broken)
        try:
            outcome = Tries(policy, lambda: method(**params), check, tries=tries)()
        except ChimenumError as exc:
            # An endpoint never reached, or credentials it refused (expired): the lookups that
            # need it fail by name, the rest of the run goes on. Remembered, so the endpoint
            # is not asked again for every resource.
            named = _named(exc.failure, api, client, region)
            self._broken.setdefault(key_of_endpoint, named)
            return Lookup(kind, resource_id, region, FAILED, failure=named)
        doc, failure = outcome.document, outcome.failure
        if doc is not None:
            return Lookup(kind, resource_id, region, FOUND, value=doc[key])
        assert failure is not None
        status = {ExitCode.NOT_FOUND: NOT_FOUND, ExitCode.FORBIDDEN: NOT_PERMITTED}.get(
            failure.exit_code, FAILED
        )
        return Lookup(kind, resource_id, region, status, failure=failure)

    def find(self, kind: str, resource_id: str, region: str | None = None) -> Lookup:
        """The resource in ``region`` (default: home), else in any other Voice Connector region.

        It is not found only when every region answered not found (``searched`` lists every
        region asked). A region that refused or failed makes the outcome ``NotPermitted`` or
        ``Failed`` (failed first), in that region, with ``unread`` naming every such region; so
        does a list of regions that cannot be read (``searched`` is then the one region asked).
        """
        first = self.fetch(kind, resource_id, region)
        if first.status != NOT_FOUND or kind not in FINDABLE_ELSEWHERE:
            return first
        searched = [str(first.region)]
        regions = self.fetch("Regions", "")
        if regions.status != FOUND:
            return Lookup(
                kind,
                resource_id,
                first.region,
                regions.status,
                failure=regions.failure,
                searched=tuple(searched),
            )
        unread: list[Lookup] = []
        for other in regions.value:
            if other in searched:
                continue
            searched.append(other)
            lookup = self.fetch(kind, resource_id, other)
            if lookup.status == FOUND:
                return lookup
            if lookup.status != NOT_FOUND:
                unread.append(lookup)
        if unread:
            chosen = next((u for u in unread if u.status == FAILED), unread[0])
            return Lookup(
                kind,
                resource_id,
                chosen.region,
                chosen.status,
                failure=chosen.failure,
                searched=tuple(searched),
                unread=tuple(str(u.region) for u in unread),
            )
        return Lookup(
            kind,
            resource_id,
            first.region,
            NOT_FOUND,
            failure=first.failure,
            searched=tuple(searched),
        )


#: What each API is called in a failure's message.
API_NAMES: dict[Api, str] = {"voice": "Chime SDK Voice", "chime": "Amazon Chime"}


def _named(failure: Failure, api: Api, client: Any, region: str | None) -> Failure:
    """``failure`` of a whole endpoint, its message naming the API, endpoint URL and region."""
    where = f"{API_NAMES[api]} at {client.meta.endpoint_url} ({region or client.meta.region_name})"
    what = (
        "refused the credentials"
        if failure.exit_code is ExitCode.CONFIG
        else "could not be reached"
    )
    return Failure(failure.code, f"{where} {what}: {failure.message}", failure.exit_code)


def without_secrets(value: Any, shape: Any) -> Any:
    """``value`` (parsed with botocore ``shape``) without the members of :data:`SECRET_MEMBERS`."""
    if shape is None or not _holds_secret(shape):
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            name: without_secrets(item, shape.members.get(name))
            for name, item in value.items()
            if (shape.name, name) not in SECRET_MEMBERS
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [without_secrets(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: without_secrets(v, shape.value) for k, v in value.items()}
    return value


_SECRET_HOLDERS: dict[str, bool] = {}


def _holds_secret(shape: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a secret member can be reached from ``shape`` (remembered per shape name)."""
    known = _SECRET_HOLDERS.get(shape.name)
    if known is not None:
        return known
    if shape.name in seen:
        return False
    inner = seen | {shape.name}
    if shape.type_name == "structure":
        found = any(
            (shape.name, name) in SECRET_MEMBERS or _holds_secret(member, inner)
            for name, member in shape.members.items()
        )
    elif shape.type_name == "list":
        found = _holds_secret(shape.member, inner)
    elif shape.type_name == "map":
        found = _holds_secret(shape.value, inner)
    else:
        found = False
    _SECRET_HOLDERS[shape.name] = found
    return found


def _method_name(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)
