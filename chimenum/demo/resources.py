"""The demo account's related resources: what its numbers' associations point at.

Records are stored per region, keyed by ``(kind, id)``, each as the service puts it on the wire
under its answer's key (``GetVoiceConnector`` answers ``{"VoiceConnector": record}``; see
:data:`chimenum.demo.listener.RESOURCE_ROUTES`). The account tells three stories, so that
``describe`` and ``audit`` have something real to say:

- a healthy path: ``+12065550101`` and ``+18005550100`` on voice connector
  ``abcdef1ghij2klmno3pqr4`` (origination routes, termination, encryption), and ``+12065550110`` on
  SIP rule ``7ce9e7a3-...`` whose SIP media application has a Lambda endpoint;
- a broken path: ``+12065550103``'s SIP rule ``6bd8d6f2-...`` is disabled and targets a SIP media
  application that does not exist; ``+12065550102``'s voice connector group puts first a
  connector (``bcdefg2hijk3lmnop4qrs5``, found only in us-west-2) whose origination and
  termination are disabled;
- a dangling association: ``+12065550108`` (being deleted) still points at voice connector
  ``zyxwvu9tsrq8ponml7kji6``, which no region has.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

ACCOUNT = "111122223333"
HOME_REGION = "us-east-1"
WEST_REGION = "us-west-2"

VC_MAIN = "abcdef1ghij2klmno3pqr4"
VC_WEST = "bcdefg2hijk3lmnop4qrs5"
#: The connector ``+12065550108`` still points at: deleted, in no region.
VC_GONE = "zyxwvu9tsrq8ponml7kji6"
GROUP = "123a456b-c7d8-90e1-af23-4b567cde8901"
RULE_BROKEN = "6bd8d6f2-3bd4-4ed2-9f3a-2c1a4b7e9d10"
RULE_OK = "7ce9e7a3-4ce5-4fe3-8a4b-3d2b5c8f0e21"
#: The UK number's SIP rule (outside the US a number can only dial in to an application).
RULE_UK = "8df0f8b4-5df6-4af4-9b5c-4e3c6d9a1f32"
SMA_MISSING = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a10"
SMA_OK = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
CHIME_ACCOUNT = "12a3456b-7c89-012d-3456-78901e23fa45"
CHIME_USER = "1ab2345c-67de-8901-f23a-45b678901c2d"

#: Every region Chime SDK Voice has voice connectors in (``ListAvailableVoiceConnectorRegions``).
VOICE_CONNECTOR_REGIONS = (
    "us-east-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "ap-northeast-2",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
)

CREATED = "2024-01-10T09:00:00.000Z"
UPDATED = "2024-05-20T12:00:00.000Z"

Store = dict[tuple[str, str], Any]


def voice_connector(
    connector_id: str,
    name: str,
    region: str = HOME_REGION,
    *,
    encrypted: bool = True,
    origination: bool = True,
    termination: bool = True,
) -> Store:
    """A connector and its origination, termination and termination health."""
    host = f"{connector_id}.voiceconnector.chime.aws"
    return {
        ("VoiceConnector", connector_id): {
            "VoiceConnectorId": connector_id,
            "AwsRegion": region,
            "Name": name,
            "OutboundHostName": host,
            "RequireEncryption": encrypted,
            "CreatedTimestamp": CREATED,
            "UpdatedTimestamp": UPDATED,
            "VoiceConnectorArn": f"arn:aws:chime:{region}:{ACCOUNT}:vc/{connector_id}",
            "NetworkType": "IPV4_ONLY",
        },
        ("Origination", connector_id): {
            "Routes": [
                {"Host": "sip1.anycompany.example", "Port": 5061, "Protocol": "TCP",
                 "Priority": 1, "Weight": 10},
                {"Host": "sip2.anycompany.example", "Port": 5061, "Protocol": "TCP",
                 "Priority": 2, "Weight": 10},
            ],
            "Disabled": not origination,
        },
        ("Termination", connector_id): {
            "CpsLimit": 1,
            "DefaultPhoneNumber": "+12065550101",
            "CallingRegions": ["US", "CA"],
            "CidrAllowedList": ["198.51.100.0/27"],
            "Disabled": not termination,
        },
        ("TerminationHealth", connector_id): {
            "Timestamp": recent_ping(),
            "Source": "198.51.100.10",
        },
        ("TerminationCredentials", connector_id): ["pbx-main"],
    }  # fmt: skip


def wire_time(when: datetime) -> str:
    """A timestamp as the service sends it (ISO 8601, milliseconds, ``Z``)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def recent_ping() -> str:
    """A PBX pings its connector every minute or so: the demo's last ping is half a minute old."""
    return wire_time(datetime.now(timezone.utc) - timedelta(seconds=30))


def sip_rule(
    rule_id: str, name: str, number: str, targets: Iterable[str], *, disabled: bool
) -> Store:
    return {
        ("SipRule", rule_id): {
            "SipRuleId": rule_id,
            "Name": name,
            "Disabled": disabled,
            "TriggerType": "ToPhoneNumber",
            "TriggerValue": number,
            "TargetApplications": [
                {"SipMediaApplicationId": target, "Priority": n, "AwsRegion": HOME_REGION}
                for n, target in enumerate(targets, 1)
            ],
            "CreatedTimestamp": CREATED,
            "UpdatedTimestamp": UPDATED,
        }
    }


def sip_media_application(sma_id: str, name: str, function: str) -> Store:
    return {
        ("SipMediaApplication", sma_id): {
            "SipMediaApplicationId": sma_id,
            "AwsRegion": HOME_REGION,
            "Name": name,
            "Endpoints": [
                {"LambdaArn": f"arn:aws:lambda:{HOME_REGION}:{ACCOUNT}:function:{function}"}
            ],
            "CreatedTimestamp": CREATED,
            "UpdatedTimestamp": UPDATED,
            "SipMediaApplicationArn": f"arn:aws:chime:{HOME_REGION}:{ACCOUNT}:sma/{sma_id}",
        }
    }


#: Orders that did not simply succeed: order id suffix -> (type, status, number status, FOC date).
_ORDER_STORIES: dict[str, tuple[str, str, str, str | None]] = {  # by order id ending
    "e06": ("New", "Failed", "Failed", None),
    "5011": ("Porting", "FOC", "Processing", "2024-06-20"),
    "5012": ("Porting", "CancelRequested", "Processing", None),
    "5013": ("Porting", "Cancelled", "Failed", None),
}


def orders(voice_numbers: Iterable[dict[str, Any]]) -> Store:
    """One order per voice number, as the service keeps them (most simply succeeded)."""
    store: Store = {}
    for number in voice_numbers:
        order_id = number.get("OrderId")
        if not order_id:
            continue
        story = next((v for k, v in _ORDER_STORIES.items() if order_id.endswith(k)), None)
        order_type, status, number_status, foc = story or ("New", "Successful", "Acquired", None)
        record: dict[str, Any] = {
            "PhoneNumberOrderId": order_id,
            "ProductType": number["ProductType"],
            "Status": status,
            "OrderType": order_type,
            "OrderedPhoneNumbers": [
                {"E164PhoneNumber": number["E164PhoneNumber"], "Status": number_status}
            ],
            "CreatedTimestamp": number["CreatedTimestamp"],
            "UpdatedTimestamp": number["CreatedTimestamp"],
        }
        if foc:
            record["FocDate"] = foc
        store[("PhoneNumberOrder", order_id)] = record
    return store


def tags(voice_numbers: Iterable[dict[str, Any]]) -> Store:
    """``ListTagsForResource`` answers, keyed by ARN: the main line is tagged, others are not."""
    store: Store = {}
    for number in voice_numbers:
        arn = number.get("PhoneNumberArn")
        if arn:
            store[("Tags", arn)] = []
    main = [n["PhoneNumberArn"] for n in voice_numbers if n["E164PhoneNumber"] == "+12065550101"]
    for arn in main:
        store[("Tags", arn)] = [
            {"Key": "team", "Value": "support"},
            {"Key": "cost-center", "Value": "1234"},
        ]
    return store


def chime_directory() -> Store:
    """The Amazon Chime account and user that ``+12065550100`` is assigned to."""
    return {
        ("Account", CHIME_ACCOUNT): {
            "AwsAccountId": ACCOUNT,
            "AccountId": CHIME_ACCOUNT,
            "Name": "AnyCompany",
            "AccountType": "Team",
            "CreatedTimestamp": CREATED,
            "DefaultLicense": "Pro",
            "SupportedLicenses": ["Basic", "Pro"],
            "AccountStatus": "Active",
        },
        ("User", CHIME_USER): {
            "UserId": CHIME_USER,
            "AccountId": CHIME_ACCOUNT,
            "PrimaryEmail": "jane.doe@anycompany.example",
            "DisplayName": "Jane Doe",
            "LicenseType": "Pro",
            "UserType": "PrivateUser",
            "UserRegistrationStatus": "Registered",
            "UserInvitationStatus": "Accepted",
            "RegisteredOn": CREATED,
        },
    }


def sample_resources(voice_numbers: list[dict[str, Any]]) -> dict[str, Store]:
    """Every related resource of the demo account, per region."""
    home: Store = {
        **voice_connector(VC_MAIN, "Main office"),
        ("VoiceConnectorGroup", GROUP): {
            "VoiceConnectorGroupId": GROUP,
            "Name": "Failover group",
            "VoiceConnectorItems": [
                {"VoiceConnectorId": VC_WEST, "Priority": 1},
                {"VoiceConnectorId": VC_MAIN, "Priority": 2},
            ],
            "CreatedTimestamp": CREATED,
            "UpdatedTimestamp": UPDATED,
            "VoiceConnectorGroupArn": f"arn:aws:chime:{HOME_REGION}:{ACCOUNT}:vcg/{GROUP}",
            "CallDistributionType": "PriorityWeightedDistribution",
        },
        **sip_rule(RULE_BROKEN, "IVR dial-in", "+12065550103", [SMA_MISSING], disabled=True),
        **sip_rule(RULE_OK, "Old dial-in", "+12065550110", [SMA_OK], disabled=False),
        **sip_rule(RULE_UK, "UK dial-in", "+442079460000", [SMA_OK], disabled=False),
        **sip_media_application(SMA_OK, "Old IVR", "old-ivr"),
        **orders(voice_numbers),
        **tags(voice_numbers),
        **chime_directory(),
    }
    west = voice_connector(
        VC_WEST, "West backup", WEST_REGION, origination=False, termination=False
    )
    return {HOME_REGION: home, WEST_REGION: west}
