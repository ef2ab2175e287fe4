"""The fake's accounts, through botocore's clients (real SigV4 signing and parsing): each access
key reaches its own account's inventory, Chime SDK Voice answers per region, STS answers
GetCallerIdentity and AssumeRole, a broken account fails alone and an unknown key is refused.

What chimenum does with several accounts is tested at the CLI (the estate's tests); these hold
the fake and the demo, which those tests stand on, to what AWS does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.session import get_session

from chimenum.demo import resources as demo
from chimenum.demo import sample_voice_numbers, sandbox
from chimenum.demo.accounts import ANY_REGION, DEMO_PROFILES
from testing.fakechime import Account, FakeChime, generate_numbers
from testing.fakechime.accounts import bench_key, generated_accounts

EAST, WEST = demo.HOME_REGION, demo.WEST_REGION
PROD_KEY, STAGING_KEY, DEFAULT_KEY = (
    "AKIDPRODTEST00000000",
    "AKIDSTAGINGTEST00000",
    "AKIDDEFAULT000000000",
)
URLS = {"chime": "chime", "chime-sdk-voice": "voice", "sts": "sts"}


def numbers(count: int, first: int) -> list[dict[str, Any]]:
    return list(generate_numbers(count, first, voice=True))


def prod() -> Account:
    """Two account-wide numbers, one only us-east-1 answers, one only us-west-2 answers, and a
    voice connector in us-west-2 only."""
    west_store = demo.voice_connector("prodwest00000000000001", "west", WEST)
    return Account(
        "111111111111",
        numbers(1, 12125550000),
        voice_records={
            ANY_REGION: numbers(2, 12125550100),
            EAST: numbers(1, 12125550200),
            WEST: numbers(1, 12125550300),
        },
        resources={WEST: west_store},
        user="prod-auditor",
    )


@pytest.fixture
def estate() -> Iterator[FakeChime]:
    """The fake with the demo's default account (one key only) and two more."""
    staging = Account("222222222222", numbers(2, 13125550000), voice_records={EAST: []})
    accounts = {PROD_KEY: prod(), STAGING_KEY: staging}
    voice = sample_voice_numbers()
    with FakeChime(
        voice_records=voice,
        resources=demo.sample_resources(voice),
        accounts=accounts,
        default_keys=(DEFAULT_KEY,),
    ) as server:
        yield server


def client(server: FakeChime, service: str, key: str, region: str = EAST, **config: Any) -> Any:
    return get_session().create_client(
        service,
        region_name=region,
        endpoint_url=server.url_for(URLS[service]),
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


def listed(server: FakeChime, service: str, key: str, region: str = EAST) -> list[str]:
    """Every number ``key`` lists in ``region``, every page (the models have no paginator)."""
    lister, found, token = client(server, service, key, region), [], {}
    while token is not None:
        page = lister.list_phone_numbers(**token)
        found += [n["E164PhoneNumber"] for n in page["PhoneNumbers"]]
        token = {"NextToken": page["NextToken"]} if "NextToken" in page else None
    return sorted(found)


def error_of(call: Any, **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    answer = raised.value.response
    return answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]


def test_each_key_gets_its_own_accounts_inventory(estate: FakeChime) -> None:
    assert listed(estate, "chime", PROD_KEY) == ["+12125550000"]
    assert listed(estate, "chime", STAGING_KEY) == ["+13125550000", "+13125550001"]
    assert listed(estate, "chime", DEFAULT_KEY) == []
    default_voice = sorted(n["E164PhoneNumber"] for n in sample_voice_numbers())
    assert listed(estate, "chime-sdk-voice", DEFAULT_KEY) == default_voice
    assert listed(estate, "chime-sdk-voice", STAGING_KEY) == []
    staging = client(estate, "chime-sdk-voice", STAGING_KEY)
    assert error_of(staging.get_phone_number, PhoneNumberId="+12065550101") == (
        "NotFoundException",
        404,
    )


def test_voice_answers_account_wide_numbers_in_every_region_and_regional_ones_in_theirs(
    estate: FakeChime,
) -> None:
    wide = ["+12125550100", "+12125550101"]
    assert listed(estate, "chime-sdk-voice", PROD_KEY, EAST) == [*wide, "+12125550200"]
    assert listed(estate, "chime-sdk-voice", PROD_KEY, WEST) == [*wide, "+12125550300"]
    assert listed(estate, "chime-sdk-voice", PROD_KEY, "eu-west-1") == wide
    east, west = (client(estate, "chime-sdk-voice", PROD_KEY, r) for r in (EAST, WEST))
    assert west.get_phone_number(PhoneNumberId="+12125550300")["PhoneNumber"]["Status"]
    assert error_of(east.get_phone_number, PhoneNumberId="+12125550300")[0] == "NotFoundException"
    for region_client in (east, west):
        answer = region_client.get_phone_number(PhoneNumberId="+12125550100")
        assert answer["PhoneNumber"]["E164PhoneNumber"] == "+12125550100"
    # Related resources are the account's, per region: another account's connector is not.
    connector = west.get_voice_connector(VoiceConnectorId="prodwest00000000000001")
    assert connector["VoiceConnector"]["AwsRegion"] == WEST
    assert error_of(east.get_voice_connector, VoiceConnectorId="prodwest00000000000001")[0] == (
        "NotFoundException"
    )
    default = client(estate, "chime-sdk-voice", DEFAULT_KEY, WEST)
    assert error_of(default.get_voice_connector, VoiceConnectorId="prodwest00000000000001")[0] == (
        "NotFoundException"
    )
    assert default.get_voice_connector(VoiceConnectorId=demo.VC_WEST)["VoiceConnector"]


def test_sts_get_caller_identity_names_the_keys_account(estate: FakeChime) -> None:
    identity = client(estate, "sts", PROD_KEY).get_caller_identity()
    assert identity["Account"] == "111111111111"
    assert identity["Arn"] == "arn:aws:iam::111111111111:user/prod-auditor"
    assert identity["UserId"].startswith("AIDA")
    assert client(estate, "sts", DEFAULT_KEY).get_caller_identity()["Account"] == "123456789012"
    assert [(r.api, r.method, r.operation, r.status) for r in estate.requests] == [
        ("sts", "POST", "GetCallerIdentity", 200),
        ("sts", "POST", "GetCallerIdentity", 200),
    ]
    assert estate.requests[0].region == EAST and estate.requests[0].service == "sts"


def test_sts_assume_role_issues_credentials_of_the_target_account(estate: FakeChime) -> None:
    sts = client(estate, "sts", DEFAULT_KEY)
    role = "arn:aws:iam::111111111111:role/chimenum-audit"
    answer = sts.assume_role(RoleArn=role, RoleSessionName="chimenum-1")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == (
        "arn:aws:sts::111111111111:assumed-role/chimenum-audit/chimenum-1"
    )
    assumed = get_session().create_client(
        "chime",
        region_name=EAST,
        endpoint_url=estate.url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    listing = assumed.list_phone_numbers()["PhoneNumbers"]
    assert [n["E164PhoneNumber"] for n in listing] == ["+12125550000"]
    identity = client(estate, "sts", credentials["AccessKeyId"]).get_caller_identity()
    assert identity["Arn"] == answer["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == answer["AssumedRoleUser"]["AssumedRoleId"]
    assert [r.operation for r in estate.requests if r.api == "sts"] == [
        "AssumeRole",
        "GetCallerIdentity",
    ]
    assert estate.requests[0].query["RoleSessionName"] == ["chimenum-1"]


def test_sts_assume_role_into_an_account_the_fake_lacks_is_access_denied(
    estate: FakeChime,
) -> None:
    sts = client(estate, "sts", PROD_KEY)
    role = "arn:aws:iam::999999999999:role/chimenum-audit"
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=role, RoleSessionName="chimenum")
    answer = raised.value.response
    assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )
    assert answer["Error"]["Type"] == "Sender"
    assert role in answer["Error"]["Message"]
    assert error_of(
        sts.assume_role, RoleArn="arn:aws:iam::1:role/x" + "y" * 20, RoleSessionName="ab"
    ) == (
        "ValidationError",
        400,
    )


@pytest.mark.parametrize(
    ("kind", "sts_code"),
    [("ExpiredTokenException", "ExpiredToken"), ("ForbiddenException", "AccessDenied")],
)
def test_a_broken_account_fails_every_request_and_the_others_do_not(
    estate: FakeChime, kind: str, sts_code: str
) -> None:
    estate.break_account(PROD_KEY, kind)
    for service in ("chime", "chime-sdk-voice"):
        broken = client(estate, service, PROD_KEY)
        assert error_of(broken.list_phone_numbers) == (kind, 403)
        assert error_of(broken.get_phone_number, PhoneNumberId="+12125550100") == (kind, 403)
    assert error_of(client(estate, "sts", PROD_KEY).get_caller_identity) == (sts_code, 403)
    assert listed(estate, "chime", STAGING_KEY) == ["+13125550000", "+13125550001"]
    assert client(estate, "sts", STAGING_KEY).get_caller_identity()["Account"] == "222222222222"


def test_a_hanging_account_hangs_alone(estate: FakeChime) -> None:
    """The fake holds the broken account's answers until it stops (30 s here, far past the
    client's read timeout), so the timeout is certain whatever the machine's speed."""
    estate.break_account(PROD_KEY, "slow")
    hanging = client(estate, "chime", PROD_KEY, read_timeout=0.2)
    with pytest.raises(ReadTimeoutError):
        hanging.list_phone_numbers()
    with pytest.raises(ReadTimeoutError):
        client(estate, "sts", PROD_KEY, read_timeout=0.2).get_caller_identity()
    assert listed(estate, "chime", STAGING_KEY) == ["+13125550000", "+13125550001"]


def test_an_unknown_key_is_refused_as_aws_refuses_it(estate: FakeChime) -> None:
    for service in ("chime", "chime-sdk-voice"):
        unknown = client(estate, service, "AKIDNOSUCHKEY0000000")
        assert error_of(unknown.list_phone_numbers) == ("UnrecognizedClientException", 403)
    sts = client(estate, "sts", "AKIDNOSUCHKEY0000000")
    assert error_of(sts.get_caller_identity) == ("InvalidClientTokenId", 403)
    assert error_of(
        sts.assume_role, RoleArn="arn:aws:iam::111111111111:role/x", RoleSessionName="ab"
    ) == ("InvalidClientTokenId", 403)


def test_without_default_keys_the_default_account_answers_any_other_key(fake: FakeChime) -> None:
    """The ``fake`` fixture: every test's own credentials reach the default account."""
    assert listed(fake, "chime", "AKIDANYTHING00000000")
    fake.accounts[PROD_KEY] = prod()
    assert listed(fake, "chime", PROD_KEY) == ["+12125550000"]
    assert client(fake, "sts", "AKIDANYTHING00000000").get_caller_identity()["Account"] == (
        "123456789012"
    )


def test_the_demo_answers_its_named_profiles_each_as_its_own_account() -> None:
    demo_sandbox = sandbox()
    assert set(demo_sandbox.profiles) == {"demo-prod", "demo-staging"}
    seen = {}
    for profile, (key, secret) in demo_sandbox.profiles.items():
        session = get_session()
        sts = session.create_client(
            "sts", region_name=EAST, endpoint_url=demo_sandbox.urls["sts"],
            aws_access_key_id=key, aws_secret_access_key=secret,
        )  # fmt: skip
        assert sts.get_caller_identity()["Account"] == DEMO_PROFILES[profile][0]
        voice = {
            region: session.create_client(
                "chime-sdk-voice", region_name=region, endpoint_url=demo_sandbox.urls["voice"],
                aws_access_key_id=key, aws_secret_access_key=secret,
            ).list_phone_numbers()["PhoneNumbers"]
            for region in (EAST, WEST)
        }  # fmt: skip
        east = {n["E164PhoneNumber"] for n in voice[EAST]}
        west = {n["E164PhoneNumber"] for n in voice[WEST]}
        assert east & west and east - west and west - east, "account-wide and regional numbers"
        seen[profile] = [n["Status"] for n in [*voice[EAST], *voice[WEST]]]
    assert "Unassigned" in seen["demo-staging"] and "Unassigned" not in seen["demo-prod"]
    demo_key = demo_sandbox.access_key
    default = get_session().create_client(
        "sts", region_name=EAST, endpoint_url=demo_sandbox.urls["sts"],
        aws_access_key_id=demo_key, aws_secret_access_key=demo_sandbox.secret_key,
    )  # fmt: skip
    assert default.get_caller_identity()["Account"] == "123456789012"
    role = "arn:aws:iam::222222222222:role/chimenum-audit"
    assumed = default.assume_role(RoleArn=role, RoleSessionName="chimenum")
    assert assumed["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::222222222222:")


def test_generated_accounts_have_their_own_numbers_in_each_region() -> None:
    accounts = generated_accounts(2, (EAST, WEST), 3)
    with FakeChime(accounts=accounts) as server:
        seen = [
            listed(server, "chime-sdk-voice", bench_key(n), region)
            for n in (1, 2)
            for region in (EAST, WEST)
        ]
    assert all(len(numbers) == 3 for numbers in seen)
    assert len({number for numbers in seen for number in numbers}) == 12
