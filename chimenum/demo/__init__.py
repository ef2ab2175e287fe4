"""The embedded demo account: sample numbers served by the loopback fake on 127.0.0.1.

``--demo`` (or ``CHIMENUM_DEMO=1``) starts :class:`chimenum.demo.server.DemoServer` inside the
chimenum
process and points the client at it with static demo credentials, so every request still goes
through botocore's serialising, signing and parsing. It needs no AWS account and no network.

The account holds ``+12065550100`` (the number in AWS's own documentation) and numbers covering
every status, type, product type, calling-name status and association kind of the Chime API.
Numbers it does not hold answer ``NotFoundException``, as the service does.

With ``--api voice`` the same process answers as Chime SDK Voice from a second record set: the
account's VoiceConnector and SIP-media-application numbers (Business Calling numbers do not exist
in that API) with the fields only it has (``PhoneNumberArn``, ``OrderId``, ``Name``), plus numbers
in the statuses only it has (``PortinInProgress``, ``PortinCancelRequested``, ``Cancelled``).

The resources the numbers' associations point at (voice connectors, groups, SIP rules, SIP media
applications, orders, tags, the Chime account and user) are in :mod:`chimenum.demo.resources`,
with a healthy path, a broken one and a dangling association for ``describe`` and ``audit``.

Besides this default account, the demo answers the profiles ``demo-prod`` and ``demo-staging``,
each an AWS account of its own (:mod:`chimenum.demo.accounts`), and serves STS
(:mod:`chimenum.demo.sts`), so a run over several accounts and regions can be tried.

Some numbers move on while the demo runs, counted from the first request, so ``chimenum wait`` can
be tried: see :data:`DEMO_TIMELINE`.
"""

from __future__ import annotations

import threading
from typing import Any

from chimenum.core.apis import SERVICE_NAMES
from chimenum.core.session import Sandbox
from chimenum.core.settings import Settings
from chimenum.demo.accounts import DEMO_PROFILES, named_accounts
from chimenum.demo.numbers import (
    ALL_CAPABILITIES,
    CALL_ONLY_CAPABILITIES,
    number,
    voice_arn,
)
from chimenum.demo.resources import (
    CHIME_ACCOUNT,
    CHIME_USER,
    GROUP,
    RULE_BROKEN,
    RULE_OK,
    RULE_UK,
    VC_GONE,
    VC_MAIN,
    VOICE_CONNECTOR_REGIONS,
    sample_resources,
)
from chimenum.demo.server import DemoServer


def sample_numbers() -> list[dict[str, Any]]:
    """The demo account's numbers, as the service puts them on the wire."""
    return [
        number(
            "+12065550100",
            "Assigned",
            "BusinessCalling",
            associations=(
                ("AccountId", CHIME_ACCOUNT, "2024-01-15T10:25:00.000Z"),
                ("UserId", CHIME_USER, "2024-01-15T10:26:41.500Z"),
            ),
            capabilities={**ALL_CAPABILITIES, "InboundMMS": False, "OutboundMMS": False},
            calling_name="AnyCompany",
            calling_name_status="UpdateSucceeded",
        ),
        number(
            "+12065550101",
            "Assigned",
            "VoiceConnector",
            capabilities=CALL_ONLY_CAPABILITIES,
            associations=(("VoiceConnectorId", VC_MAIN, "2024-02-01T12:00:00.000Z"),),
        ),
        number(
            "+12065550102",
            "Assigned",
            "VoiceConnector",
            capabilities=CALL_ONLY_CAPABILITIES,
            associations=(("VoiceConnectorGroupId", GROUP, "2024-02-03T16:30:00.000Z"),),
        ),
        number(
            "+12065550103",
            "Assigned",
            "SipMediaApplicationDialIn",
            capabilities=CALL_ONLY_CAPABILITIES,
            associations=(("SipRuleId", RULE_BROKEN, "2024-03-10T09:15:00.000Z"),),
        ),
        number("+12065550104", "Unassigned", "BusinessCalling"),
        number(
            "+12065550105",
            "AcquireInProgress",
            "BusinessCalling",
            created="2024-06-02T07:59:58.000Z",
        ),
        number(
            "+12065550106", "AcquireFailed", "VoiceConnector", capabilities=CALL_ONLY_CAPABILITIES
        ),
        number("+12065550107", "ReleaseInProgress", "BusinessCalling"),
        number(
            "+12065550108",
            "DeleteInProgress",
            "VoiceConnector",
            capabilities=CALL_ONLY_CAPABILITIES,
            # Still pointing at a connector deleted before it: a dangling association.
            associations=(("VoiceConnectorId", VC_GONE, "2024-02-05T10:00:00.000Z"),),
            deleted="2024-06-09T08:00:00.000Z",
        ),
        number("+12065550109", "ReleaseFailed", "BusinessCalling"),
        number(
            "+12065550110",
            "DeleteFailed",
            "SipMediaApplicationDialIn",
            capabilities=CALL_ONLY_CAPABILITIES,
            associations=(("SipRuleId", RULE_OK, "2024-03-12T09:00:00.000Z"),),
            deleted="2024-06-09T08:00:00.000Z",
        ),
        number(
            "+18005550100",
            "Assigned",
            "VoiceConnector",
            type_="TollFree",
            capabilities=CALL_ONLY_CAPABILITIES,
            # The model's CallingName: 2 to 15 letters, digits and spaces.
            calling_name="AnyCo Support",
            calling_name_status="UpdateInProgress",
            associations=(("VoiceConnectorId", VC_MAIN, "2024-04-20T14:00:00.000Z"),),
        ),
        number(
            "+18885550100",
            "Unassigned",
            "SipMediaApplicationDialIn",
            type_="TollFree",
            capabilities=CALL_ONLY_CAPABILITIES,
            calling_name="AnyCo IVR",
            calling_name_status="UpdateFailed",
        ),
        # Outside the US a number can only be a SIP media application's dial-in number.
        number(
            "+442079460000",
            "Assigned",
            "SipMediaApplicationDialIn",
            country="GB",
            associations=(("SipRuleId", RULE_UK, "2024-05-02T11:00:00.000Z"),),
            capabilities={
                **ALL_CAPABILITIES,
                "InboundSMS": False,
                "OutboundSMS": False,
                "InboundMMS": False,
                "OutboundMMS": False,
            },
        ),
    ]


#: Voice-only fields of the demo's Chime SDK Voice numbers: (order id, name).
_VOICE_EXTRAS: dict[str, tuple[str, str]] = {
    "+12065550101": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e01", "Main line"),
    "+12065550102": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e02", "Failover group"),
    "+12065550103": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e03", "IVR dial-in"),
    "+12065550106": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e06", "Second line"),
    "+12065550108": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e08", "Old line"),
    "+12065550110": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e10", "Old dial-in"),
    "+12065550111": ("7a2c3d4e-5f60-4718-9a0b-1c2d3e4f5011", "Ported main line"),
    "+12065550112": ("7a2c3d4e-5f60-4718-9a0b-1c2d3e4f5012", "Ported fax line"),
    "+12065550113": ("7a2c3d4e-5f60-4718-9a0b-1c2d3e4f5013", "Cancelled order"),
    "+18005550100": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e80", "Support"),
    "+18885550100": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e88", "IVR toll-free"),
    "+442079460000": ("5f1b2e0c-3d4a-4b6c-8e9f-0a1b2c3d4e44", "UK dial-in"),
}


def _voice(record: dict[str, Any]) -> dict[str, Any]:
    e164 = record["E164PhoneNumber"]
    order_id, name = _VOICE_EXTRAS[e164]
    voice = dict(record)
    voice["PhoneNumberArn"] = voice_arn(e164)
    voice["OrderId"] = order_id
    voice["Name"] = name
    return voice


def sample_voice_numbers() -> list[dict[str, Any]]:
    """The demo account's numbers as Chime SDK Voice puts them on the wire."""
    voice_products = ("VoiceConnector", "SipMediaApplicationDialIn")
    shared = [n for n in sample_numbers() if n["ProductType"] in voice_products]
    ported = [
        number(
            "+12065550111",
            "PortinInProgress",
            "VoiceConnector",
            capabilities=CALL_ONLY_CAPABILITIES,
            created="2024-06-01T12:00:00.000Z",
        ),
        number(
            "+12065550112",
            "PortinCancelRequested",
            "VoiceConnector",
            capabilities=CALL_ONLY_CAPABILITIES,
            created="2024-06-01T12:00:00.000Z",
        ),
        number(
            "+12065550113",
            "Cancelled",
            "SipMediaApplicationDialIn",
            capabilities=CALL_ONLY_CAPABILITIES,
            created="2024-06-01T12:00:00.000Z",
        ),
    ]
    return [_voice(n) for n in [*shared, *ported]]


#: Status changes the demo plays, in seconds from its start: (api, id, seconds, new status).
#: A number the service has finished provisioning, ordered or ported in, lands in the inventory
#: Unassigned: it is Assigned only once someone associates it with a user, connector or rule.
DEMO_TIMELINE: tuple[tuple[str, str, float, str], ...] = (
    ("chime", "+12065550105", 3.0, "Unassigned"),
    ("chime", "+12065550107", 5.0, "Unassigned"),
    ("voice", "+12065550111", 4.0, "Unassigned"),
    ("voice", "+12065550112", 2.0, "Cancelled"),
)

_lock = threading.Lock()
_server: DemoServer | None = None


#: Static credentials for the demo account; they only ever reach 127.0.0.1.
DEMO_CREDENTIALS = ("AKIDCHIMENUMDEMO0000", "chimenum-demo-secret-key")


def demo_server() -> DemoServer:
    """The demo's server, not started and with no status change scheduled yet: the default
    account (:data:`DEMO_CREDENTIALS`' key) and the named ones (:data:`DEMO_PROFILES`' keys);
    any other key is refused, as AWS refuses a key it does not know."""
    voice_numbers = sample_voice_numbers()
    named = named_accounts()
    return DemoServer(
        sample_numbers(),
        voice_records=voice_numbers,
        resources=sample_resources(voice_numbers),
        accounts={DEMO_PROFILES[profile][1]: account for profile, account in named.items()},
        default_keys=(DEMO_CREDENTIALS[0],),
    )


def endpoint_url(api: str = "chime") -> str:
    """Start the demo service in this process (once) and return its loopback URL for ``api``."""
    global _server
    with _lock:
        if _server is None:
            _server = demo_server().start()
            for timeline_api, phone_number_id, seconds, status in DEMO_TIMELINE:
                _server.move(phone_number_id, status, after_seconds=seconds, api=timeline_api)
        return _server.url_for(api)


def sandbox() -> Sandbox:
    """The demo account as plain data for the run object: its URLs (the service started, once;
    ``"sts"`` where it serves STS), its credentials, the regions its Chime SDK Voice API is in
    (a region typo is refused as it would be against AWS) and the named profiles ``demo-prod``
    and ``demo-staging``, each its own account with its own credentials."""
    return Sandbox(
        {api: endpoint_url(api) for api in (*SERVICE_NAMES, "sts")},
        *DEMO_CREDENTIALS,
        regions=VOICE_CONNECTOR_REGIONS,
        profiles={profile: (key, secret) for profile, (_, key, secret) in DEMO_PROFILES.items()},
    )


def sandbox_for(settings: Settings) -> Sandbox | None:
    """The demo account when ``settings`` ask for it (``--demo``, ``$CHIMENUM_DEMO``)."""
    return sandbox() if settings.demo else None
