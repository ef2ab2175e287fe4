"""The AWS accounts a demo server answers as, each chosen by the access key a request is signed
with (the ``Credential=AKID/...`` of its SigV4 header), as AWS does.

An :class:`Account` holds its own inventory per API and its related resources per region. In
Chime SDK Voice some numbers are answered by every region of the account (account-wide, under
:data:`ANY_REGION`) and some by one region only, so a run over several regions has numbers to
de-duplicate. Amazon Chime's numbers are global: one inventory whatever the region.

The built-in demo has a default account (the numbers of :mod:`chimenum.demo`) and the two named
ones here, ``demo-prod`` and ``demo-staging`` (:func:`named_accounts`), each answering to a
profile of the same name (``Sandbox.profiles``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chimenum.core.ids import decoded
from chimenum.demo import resources as demo
from chimenum.demo.numbers import CALL_ONLY_CAPABILITIES, number, voice_arn

#: The key of a Chime SDK Voice inventory that every region of the account answers.
ANY_REGION = "*"

Records = dict[str, dict[str, Any]]


def by_number(records: Iterable[dict[str, Any]]) -> Records:
    """Records keyed by the E.164 number, whichever form a record's id is in: requests name it
    so once the path is decoded, and so do the tests."""
    return {decoded(r["PhoneNumberId"]): r for r in records}


class Account:
    """One AWS account: its id, its IAM user (whose long-term key selects it), its numbers per
    API (Chime SDK Voice's per region, or :data:`ANY_REGION`) and its resources per region."""

    def __init__(
        self,
        account_id: str,
        records: Iterable[dict[str, Any]] = (),
        *,
        voice_records: Mapping[str, Iterable[dict[str, Any]]] | None = None,
        resources: Mapping[str, Mapping[tuple[str, str], Any]] | None = None,
        user: str = "chimenum",
    ) -> None:
        self.account_id = account_id
        self.user = user
        self.records = by_number(records)
        self.voice_records: dict[str, Records] = {
            region: by_number(numbers) for region, numbers in (voice_records or {}).items()
        }
        self.voice_records.setdefault(ANY_REGION, {})
        self.resources: dict[str, dict[tuple[str, str], Any]] = {
            region: dict(store) for region, store in (resources or {}).items()
        }

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user/{self.user}"

    @property
    def user_id(self) -> str:
        """The IAM user's unique id (``AIDA`` and 17 more), derived from the account."""
        letters = "".join(c for c in self.user.upper() if c.isalnum())
        return f"AIDA{self.account_id}{letters[:5]:X<5}"

    def voice(self, region: str | None) -> Records:
        """The Chime SDK Voice numbers ``region`` answers (``None``: the account-wide ones)."""
        wide = self.voice_records[ANY_REGION]
        regional = self.voice_records.get(region or ANY_REGION)
        if region is None or not regional or regional is wide:
            return wide
        return {**wide, **regional}

    def find_voice(self, region: str | None, e164: str) -> dict[str, Any] | None:
        """One Chime SDK Voice number as ``region`` answers it (``None``: not there)."""
        found = self.voice_records[ANY_REGION].get(e164)
        if found is None and region is not None:
            found = self.voice_records.get(region, {}).get(e164)
        return found


#: The named demo profiles: profile -> (AWS account id, access key id, secret key).
DEMO_PROFILES: dict[str, tuple[str, str, str]] = {
    "demo-prod": ("111111111111", "AKIDCHIMENUMPROD0000", "chimenum-demo-prod-secret"),
    "demo-staging": ("222222222222", "AKIDCHIMENUMSTAGING0", "chimenum-demo-staging-secret"),
}


def _voice_number(
    account: str,
    region: str,
    e164: str,
    status: str,
    order: str,
    name: str,
    association: tuple[str, str] | None = None,
    product: str = "VoiceConnector",
) -> dict[str, Any]:
    kind_value = () if association is None else ((*association, "2024-04-02T10:00:00.000Z"),)
    record = number(
        e164,
        status,
        product,
        capabilities=CALL_ONLY_CAPABILITIES,
        associations=kind_value,
        created="2024-04-01T09:30:00.000Z",
        updated="2024-04-02T10:00:00.000Z",
    )
    record["PhoneNumberArn"] = voice_arn(e164, account, region)
    record["OrderId"] = order
    record["Name"] = name
    return record


def _account(profile: str, prefix: str, stories: bool) -> Account:
    """A named demo account: two connectors (one per region), numbers on them, account-wide
    numbers every region answers, and (``stories``) an unassigned number and a dangling one."""
    account_id = DEMO_PROFILES[profile][0]
    east, west = demo.HOME_REGION, demo.WEST_REGION
    tag = account_id[0]
    vc_east, vc_west = f"{profile[5:9]}east{tag * 14}", f"{profile[5:9]}west{tag * 14}"

    def order(n: int) -> str:
        return f"{tag * 8}-0000-4000-8000-{n:012d}"

    def e164(n: int) -> str:
        return f"+1{prefix}555{n:04d}"

    wide = [
        _voice_number(account_id, east, e164(100), "Assigned", order(1), "Main line",
                      ("VoiceConnectorId", vc_east)),
        _voice_number(account_id, east, e164(101), "Assigned", order(2), "Support line",
                      ("VoiceConnectorId", vc_east)),
    ]  # fmt: skip
    east_only = [
        _voice_number(account_id, east, e164(110), "Assigned", order(3), "East office",
                      ("VoiceConnectorId", vc_east)),
    ]  # fmt: skip
    west_only = [
        _voice_number(account_id, west, e164(120), "Assigned", order(4), "West office",
                      ("VoiceConnectorId", vc_west)),
    ]  # fmt: skip
    if stories:
        east_only.append(_voice_number(account_id, east, e164(111), "Unassigned", order(5),
                                       "Spare line"))  # fmt: skip
        west_only.append(_voice_number(account_id, west, e164(121), "Assigned", order(6),
                                       "Old west line",
                                       ("VoiceConnectorId", f"gone{tag * 18}")))  # fmt: skip
    resources: dict[str, dict[tuple[str, str], Any]] = {}
    for region, connector, numbers in ((east, vc_east, east_only), (west, vc_west, west_only)):
        store = demo.voice_connector(connector, f"{profile} {region}", region)
        store[("VoiceConnector", connector)]["VoiceConnectorArn"] = (
            f"arn:aws:chime:{region}:{account_id}:vc/{connector}"
        )
        # Orders and tags are the account's, like its account-wide numbers: every region has them.
        resources[region] = {
            **store,
            **demo.orders([*wide, *numbers]),
            **demo.tags([*wide, *numbers]),
        }
    chime = [
        number(e164(200), "Assigned", "VoiceConnector", capabilities=CALL_ONLY_CAPABILITIES),
        number(e164(201), "Unassigned" if stories else "Assigned", "BusinessCalling"),
    ]
    return Account(
        account_id,
        chime,
        voice_records={ANY_REGION: wide, east: east_only, west: west_only},
        resources=resources,
        user=profile,
    )


def named_accounts() -> dict[str, Account]:
    """The demo's named accounts, by profile: ``demo-prod`` (healthy) and ``demo-staging`` (with
    an unassigned number and one on a voice connector that no longer exists)."""
    return {
        "demo-prod": _account("demo-prod", "212", stories=False),
        "demo-staging": _account("demo-staging", "312", stories=True),
    }
