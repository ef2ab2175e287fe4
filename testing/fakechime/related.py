"""Numbers that share a few related resources, for the benchmark of ``describe`` and ``audit``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The related resources the benchmark's numbers share: 3 voice connectors, 2 SIP rules.
RELATED_CONNECTORS = ("benchvc0connector00001", "benchvc1connector00002", "benchvc2connector00003")
RELATED_RULES = ("00000000-0000-4000-8000-00000000e010", "00000000-0000-4000-8000-00000000e011")


def share_related(
    numbers: Iterable[dict[str, Any]], orders: int = 4
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], Any]]:
    """``numbers`` spread over :data:`RELATED_CONNECTORS` and :data:`RELATED_RULES` (3 in 5 on a
    connector, 2 in 5 on a rule) and over ``orders`` shared orders, with those resources, all
    healthy, as records of the home region (us-east-1)."""
    from chimenum.demo import resources as demo

    store: dict[tuple[str, str], Any] = {}
    for n, connector in enumerate(RELATED_CONNECTORS):
        store.update(demo.voice_connector(connector, f"bench connector {n}"))
    for n, rule in enumerate(RELATED_RULES):
        sma = f"00000000-0000-4000-8000-000000005a{n:02d}"
        store.update(demo.sip_rule(rule, f"bench rule {n}", "", [sma], disabled=False))
        store[("SipRule", rule)]["TriggerType"] = "RequestUriHostname"
        store[("SipRule", rule)]["TriggerValue"] = "sip.anycompany.example"
        store.update(demo.sip_media_application(sma, f"bench app {n}", f"bench-{n}"))
    shared = []
    for index, number in enumerate(numbers):
        slot = index % 5
        name, value = (
            ("VoiceConnectorId", RELATED_CONNECTORS[slot])
            if slot < 3
            else ("SipRuleId", RELATED_RULES[slot - 3])
        )
        number = {**number, "Associations": [{**number["Associations"][0], "Name": name,
                                               "Value": value}]}  # fmt: skip
        if slot >= 3:
            number["ProductType"] = "SipMediaApplicationDialIn"
        if "OrderId" in number:
            order_id = f"00000000-0000-4000-8000-00000000{index % orders:04x}"
            number["OrderId"] = order_id
            store[("PhoneNumberOrder", order_id)] = {
                "PhoneNumberOrderId": order_id,
                "ProductType": "VoiceConnector",
                "Status": "Successful",
                "OrderType": "New",
                "OrderedPhoneNumbers": [],
                "CreatedTimestamp": "2024-02-28T17:45:12.345Z",
            }
        shared.append(number)
    return shared, store


# -- hostile related answers (issue 18): what a related lookup must survive ----------------

#: Where a related answer holds a list, for the lists the describe walk reads: (kind, member);
#: ``None``: the answer is the list itself (``ListTagsForResource``'s ``Tags``).
LISTS = (
    ("Origination", "Routes"),
    ("Termination", "CallingRegions"),
    ("Termination", "CidrAllowedList"),
    ("VoiceConnectorGroup", "VoiceConnectorItems"),
    ("SipRule", "TargetApplications"),
    ("SipMediaApplication", "Endpoints"),
    ("Tags", None),
)


def with_null_item(fake: Any, region: str, kind: str, resource_id: str, member: str | None) -> None:
    """Make ``kind``/``resource_id``'s answer in ``region`` carry a ``null`` first item in its
    list ``member``: JSON the model forbids, which botocore passes through as ``None``."""
    record = fake.resource(region, kind, resource_id)
    if member is None:
        record = [None, *record]
    else:
        record[member] = [None, *record[member]]
    fake.put(region, kind, resource_id, record)


def about_another(fake: Any, region: str, kind: str, resource_id: str, member: str) -> str:
    """Make ``kind``/``resource_id``'s answer in ``region`` be about another resource (its id
    ``member`` names one not asked for); returns that other id."""
    record = fake.resource(region, kind, resource_id)
    other = "x" + record[member][1:]
    record[member] = other
    fake.put(region, kind, resource_id, record)
    return str(other)


def wide_rule(fake: Any, rule_id: str, targets: int) -> list[str]:
    """Make SIP rule ``rule_id`` (home region) answer ``targets`` target applications, each a
    SIP media application of its own that exists there (the API allows 25): its ids, by
    priority."""
    from chimenum.demo import resources as demo

    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(targets)]
    rule = demo.sip_rule(rule_id, "wide rule", "", ids, disabled=False)[("SipRule", rule_id)]
    rule["TriggerType"], rule["TriggerValue"] = "RequestUriHostname", "sip.anycompany.example"
    fake.put(demo.HOME_REGION, "SipRule", rule_id, rule)
    for n, sma_id in enumerate(ids):
        (((kind, _), record),) = demo.sip_media_application(sma_id, f"app {n}", f"app-{n}").items()
        fake.put(demo.HOME_REGION, kind, sma_id, record)
    return ids


def wide_group(fake: Any, group_id: str, connectors: int) -> list[str]:
    """Make voice connector group ``group_id`` (home region) hold ``connectors`` voice
    connectors, each its own and healthy there: their ids, by priority."""
    from chimenum.demo import resources as demo

    ids = [f"wide{n:018d}" for n in range(connectors)]
    group = dict(fake.resource(demo.HOME_REGION, "VoiceConnectorGroup", group_id))
    group["VoiceConnectorItems"] = [
        # The model's priorities are 1..99: the last ones share 99 (in their order).
        {"VoiceConnectorId": connector, "Priority": min(n, 99)}
        for n, connector in enumerate(ids, 1)
    ]
    fake.put(demo.HOME_REGION, "VoiceConnectorGroup", group_id, group)
    for n, connector in enumerate(ids):
        for (kind, key), record in demo.voice_connector(connector, f"wide {n}").items():
            fake.put(demo.HOME_REGION, kind, key, record)
    return ids
