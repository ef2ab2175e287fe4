"""The demo's record builders: a number as Chime and Chime SDK Voice put it on the wire.

Shared by the default demo account (:mod:`chimenum.demo`) and the named ones
(:mod:`chimenum.demo.accounts`).
"""

from __future__ import annotations

from typing import Any

from chimenum.core.ids import encoded

#: What voice-connector numbers usually have: calls both ways, no messaging.
CALL_ONLY_CAPABILITIES: dict[str, bool] = {
    "InboundCall": True,
    "OutboundCall": True,
    "InboundSMS": False,
    "OutboundSMS": False,
    "InboundMMS": False,
    "OutboundMMS": False,
}


def voice_arn(e164: str, account: str = "111122223333", region: str = "us-east-1") -> str:
    """The ``PhoneNumberArn`` Chime SDK Voice gives a number: ``...:phone-number/12065550100``.

    AWS publishes no example of this ARN (neither the API reference, the botocore model nor the
    AWS CLI's examples show one), so its form is a decision: the number's digits without the
    ``+``. The form the demo used before, the id percent-encoded (``phone-number/%2B1206...``),
    cannot be passed back: ``ListTagsForResource`` requires its ``ResourceARN`` to match
    ``^arn[\\/\\:\\-\\_\\.a-zA-Z0-9]+$``, which allows neither ``%`` nor ``+``, and an ARN the
    service hands out must be one its own tagging API accepts.
    """
    return f"arn:aws:chime:{region}:{account}:phone-number/{e164.lstrip('+')}"


ALL_CAPABILITIES = dict.fromkeys(
    ("InboundCall", "OutboundCall", "InboundSMS", "OutboundSMS", "InboundMMS", "OutboundMMS"),
    True,
)


def number(
    e164: str,
    status: str,
    product: str,
    *,
    type_: str = "Local",
    country: str = "US",
    associations: tuple[tuple[str, str, str], ...] = (),
    capabilities: dict[str, bool] | None = None,
    calling_name: str | None = None,
    calling_name_status: str = "Unassigned",
    created: str = "2024-01-15T10:20:30.123Z",
    updated: str = "2024-06-02T08:00:00.000Z",
    deleted: str | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "PhoneNumberId": encoded(e164),
        "E164PhoneNumber": e164,
        "Country": country,
        "Type": type_,
        "ProductType": product,
        "Status": status,
        "Capabilities": capabilities if capabilities is not None else dict(ALL_CAPABILITIES),
        "Associations": [
            {"Value": value, "Name": name, "AssociatedTimestamp": when}
            for name, value, when in associations
        ],
        "CallingNameStatus": calling_name_status,
        "CreatedTimestamp": created,
        "UpdatedTimestamp": updated,
    }
    if calling_name is not None:
        record["CallingName"] = calling_name
    if deleted is not None:
        record["DeletionTimestamp"] = deleted
    return record
