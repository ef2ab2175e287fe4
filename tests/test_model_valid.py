"""Every answer the demo and the test fake serve fits botocore's model of the operation serving it.

The walker GETs each answer from a started server over HTTP, as chimenum would receive it (every
number of both APIs alone and in pages, every related resource of every region, the statuses the
demo's timeline moves numbers to, the generated inventories, the fake's faults that answer
normally) and holds the decoded JSON to the operation's output shape (the ``chime`` model for the
Amazon Chime API, ``chime-sdk-voice`` for Chime SDK Voice): exact JSON types, enums, required
members, members the shape does not have, string patterns and lengths, number ranges, and
timestamps botocore's own parser reads. List lengths are not checked: the model's list limits
are request-side (an untagged resource answers an empty tag list). It stops at the first
violation, naming the answer and the path in it.

The models' patterns are Java regular expressions; they are compiled with ``re.ASCII`` (Java's
``\\d``, ``\\s`` and ``\\w`` are ASCII) and must match the WHOLE value (``re.fullmatch``, Java's
``String.matches``). Smithy calls patterns unanchored, so some readers search instead; a value
that matches whole also matches anywhere, so data valid here is valid under either reading.

chimenum itself judges no pattern, length or list size (AWS's own example order id fails the
GUID pattern): the last test serves such data through the real stack.
"""

from __future__ import annotations

import copy
import http.client
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from botocore.model import OperationModel, Shape
from botocore.session import get_session
from botocore.utils import parse_timestamp

from chimenum.demo import DEMO_TIMELINE, demo_server
from chimenum.demo import resources as demo
from chimenum.demo.accounts import ANY_REGION, Account
from chimenum.demo.listener import RESOURCE_ROUTES
from chimenum.demo.server import DemoServer
from testing.fakechime import WIRE_FAULTS, FakeChime, generate_numbers
from testing.fakechime.accounts import generated_accounts
from testing.fakechime.faults import MODEL_BREAKING
from testing.fakechime.related import share_related, with_null_item

MODELS = {"chime": "chime", "voice": "chime-sdk-voice"}
#: The demo server checks only the form of a SigV4 header; its access key picks the account and
#: the scope's region the records.
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential={key}/20240101/{region}/{service}/aws4_request, "
    "SignedHeaders=host, Signature=" + "0" * 64
)
STS_NAMESPACE = "{https://sts.amazonaws.com/doc/2011-06-15/}"
#: No proxy from the environment between the walker and the loopback server.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: AWS's own example order id (``aws chime get-phone-number-order``): not a GUID by the model.
AWS_EXAMPLE_ORDER_ID = "abc12345-de67-89f0-123g-h45i678j9012"


class ModelViolation(AssertionError):
    pass


@cache
def operation(api: str, name: str) -> OperationModel:
    return get_session().get_service_model(MODELS[api]).operation_model(name)


@cache
def java_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _scalar(value: Any, shape: Shape, path: str) -> None:
    kind, meta = shape.type_name, shape.metadata
    if kind == "string":
        if shape.enum and value not in shape.enum:
            raise ModelViolation(f"{path} {value!r} is not one of {shape.enum}")
        if "pattern" in meta and not java_pattern(meta["pattern"]).fullmatch(value):
            raise ModelViolation(f"{path} {value!r} does not match pattern {meta['pattern']!r}")
        if len(value) < meta.get("min", 0) or len(value) > meta.get("max", len(value)):
            raise ModelViolation(
                f"{path} {value!r} is {len(value)} characters, outside "
                f"{meta.get('min', 0)}..{meta.get('max', '')}"
            )
    elif kind in ("integer", "long", "double", "float"):
        if value < meta.get("min", value) or value > meta.get("max", value):
            raise ModelViolation(
                f"{path} {value!r} is outside {meta.get('min')}..{meta.get('max')}"
            )
    elif kind == "timestamp":
        try:
            parse_timestamp(value)
        except (ValueError, TypeError, OverflowError):
            raise ModelViolation(f"{path} {value!r} is not a timestamp botocore reads") from None


#: The JSON type each shape type is sent as. A timestamp of these models is ISO 8601 text
#: (their ``timestampFormat``); integers are not booleans, although Python's bool is an int.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "long": (int,), "double": (int, float), "float": (int, float),
    "timestamp": (str,),
}  # fmt: skip


def check(value: Any, shape: Shape, path: str) -> None:
    """Raise :class:`ModelViolation` for the first part of ``value`` that ``shape`` forbids."""
    if type(value) not in JSON_TYPES[shape.type_name]:
        raise ModelViolation(f"{path} {value!r} is {type(value).__name__}, not {shape.type_name}")
    if shape.type_name == "structure":
        unknown = sorted(set(value) - set(shape.members))
        if unknown:
            raise ModelViolation(f"{path}.{unknown[0]} is not a member of {shape.name}")
        missing = [name for name in shape.required_members if name not in value]
        if missing:
            raise ModelViolation(f"{path}.{missing[0]} is required but missing")
        for name, member in value.items():
            check(member, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            check(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "map":
        for key, item in value.items():
            check(key, shape.key, f"{path} key")
            check(item, shape.value, f"{path}[{key!r}]")
    else:
        _scalar(value, shape, path)


def check_answer(body: Any, api: str, op: str, label: str) -> None:
    """The first violation of ``op``'s output shape, as ``GetPhoneNumber +1...: Path ...``."""
    try:
        check(body, operation(api, op).output_shape, "")
    except ModelViolation as violation:
        raise ModelViolation(f"{op} {label}: {str(violation).lstrip('.')}") from None


def check_request_id(value: str, api: str, op: str) -> None:
    """The id a request names is one the service takes back: the last of its path and query
    members (GetUser's user, after its account), checked against the operation's input shape."""
    members = operation(api, op).input_shape.members
    name = [name for name, m in members.items() if m.serialization.get("location")][-1]
    try:
        check(value, members[name], name)
    except ModelViolation as violation:
        raise ModelViolation(f"{op} request: {violation}") from None


def default_key(server: DemoServer) -> str:
    """An access key that selects ``server``'s default account."""
    return min(server.default_keys or ["AKIDCHIMENUMTEST0000"])


def fetch(
    server: DemoServer,
    api: str,
    path: str,
    region: str = demo.HOME_REGION,
    key: str | None = None,
) -> Any:
    """The decoded body of a 200 answer; ``None`` for an error, or no answer at all."""
    authorization = AUTHORIZATION.format(
        key=key or default_key(server), region=region, service="chime"
    )
    request = urllib.request.Request(
        server.url_for(api) + path, headers={"Authorization": authorization}
    )
    try:
        # A long timeout only ends a hung test: no assertion rests on how quick the server is.
        with OPENER.open(request, timeout=60) as answer:
            return json.loads(answer.read())
    except (urllib.error.HTTPError, http.client.HTTPException, ConnectionError):
        return None


def number_answers(
    server: DemoServer, api: str, key: str, account: Account, region: str
) -> Iterator[tuple[str, str, Any]]:
    """``(operation, label, body)`` of every number alone, then of every page of the list."""
    # Asked for as chimenum asks, by the E.164 number: the id may be plain or percent-encoded.
    numbers = server.records_for(api, account, region).values()
    for number in [n["E164PhoneNumber"] for n in numbers]:
        check_request_id(number, api, "GetPhoneNumber")
        path = f"/phone-numbers/{quote(number)}"
        yield "GetPhoneNumber", number, fetch(server, api, path, region, key)
    token, page = "", 1
    while token is not None:
        body = fetch(server, api, f"/phone-numbers?max-results=5{token}", region, key)
        yield "ListPhoneNumbers", f"page {page}", body
        next_token = (body or {}).get("NextToken")
        token, page = (f"&next-token={quote(next_token)}" if next_token else None), page + 1


def resource_path(pattern: str, kind: str, resource_id: str, record: Any) -> str:
    if kind == "Tags":
        return f"/tags?arn={quote(resource_id, safe='')}"
    params = {"id": resource_id, "account": record.get("AccountId", "") if kind == "User" else ""}
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: quote(params[m[1]], safe=""), pattern)


def resource_answers(
    server: DemoServer, key: str, account: Account
) -> Iterator[tuple[str, str, str, Any]]:
    """``(api, operation, label, body)`` of every related resource of every region."""
    routes = {kind: (api, pattern.pattern, op) for api, pattern, op, kind, _ in RESOURCE_ROUTES}
    for region, store in account.resources.items():
        for kind, resource_id in list(store):
            assert kind in routes, f"no route of RESOURCE_ROUTES serves {kind!r}"
            api, pattern, op = routes[kind]
            check_request_id(resource_id, api, op)
            path = resource_path(pattern, kind, resource_id, store[(kind, resource_id)])
            yield api, op, f"{resource_id} in {region}", fetch(server, api, path, region, key)
    api, pattern, op = routes["Regions"]
    yield api, op, "", fetch(server, api, pattern, key=key)


def accounts_of(server: DemoServer) -> list[tuple[str, Account]]:
    """Every account of ``server`` with a key that selects it, the default account first."""
    with server.lock:
        named = list(server.accounts.items())
    return [(default_key(server), server.default_account), *named]


def regions_of(account: Account, api: str) -> list[str]:
    """The regions whose answers differ: Chime SDK Voice's regional inventories (or the home
    region's, which holds the account-wide numbers); Amazon Chime's one inventory."""
    regional = sorted(r for r in account.voice_records if r != ANY_REGION)
    return (regional or [demo.HOME_REGION]) if api == "voice" else [demo.HOME_REGION]


def walk(server: DemoServer) -> int:
    """Check every answer ``server`` can give; how many were checked (none may be missing)."""
    checked = 0
    for key, account in accounts_of(server):
        for api in MODELS:
            for region in regions_of(account, api):
                for op, label, body in number_answers(server, api, key, account, region):
                    if account is not server.default_account:
                        label = f"{label} ({account.account_id}, {region})"
                    assert body is not None, f"{op} {label} ({api}) was not answered"
                    check_answer(body, api, op, label)
                    checked += 1
        for api, op, label, body in resource_answers(server, key, account):
            assert body is not None, f"{op} {label} was not answered"
            check_answer(body, api, op, label)
            checked += 1
    return checked + walk_sts(server)


def sts_call(server: DemoServer, key: str, **form: str) -> tuple[int, ElementTree.Element]:
    """One STS request as botocore sends it (a signed form POST): its status and XML root."""
    request = urllib.request.Request(
        server.url_for("sts") + "/",
        data=urlencode({**form, "Version": "2011-06-15"}).encode(),
        headers={
            "Authorization": AUTHORIZATION.format(key=key, region="us-east-1", service="sts"),
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        },
    )
    try:
        with OPENER.open(request, timeout=60) as answer:
            return answer.status, ElementTree.fromstring(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, ElementTree.fromstring(error.read())


def from_xml(element: ElementTree.Element, shape: Shape, path: str) -> Any:
    """An XML answer's element as the JSON types :func:`check` holds to ``shape``: members by
    tag (a tag the shape lacks is a violation), lists of ``member``, scalars from their text."""
    text = element.text or ""
    if shape.type_name == "structure":
        decoded = {}
        for child in element:
            name = child.tag.removeprefix(STS_NAMESPACE)
            if name not in shape.members:
                raise ModelViolation(f"{path}.{name} is not a member of {shape.name}")
            decoded[name] = from_xml(child, shape.members[name], f"{path}.{name}")
        return decoded
    if shape.type_name == "list":
        return [from_xml(item, shape.member, f"{path}[{n}]") for n, item in enumerate(element)]
    if shape.type_name in ("integer", "long"):
        if not re.fullmatch(r"-?\d+", text):
            raise ModelViolation(f"{path} {text!r} is not an integer")
        return int(text)
    if shape.type_name == "boolean":
        if text not in ("true", "false"):
            raise ModelViolation(f"{path} {text!r} is not a boolean")
        return text == "true"
    return text


def check_sts_answer(root: ElementTree.Element, op: str, label: str) -> Any:
    """An STS answer's result, held to ``op``'s output shape; the query protocol's envelope
    (``{op}Response``, ``{op}Result``, a request id) checked on the way."""
    assert root.tag == f"{STS_NAMESPACE}{op}Response", f"{op} {label}: {root.tag}"
    result = root.find(f"{STS_NAMESPACE}{op}Result")
    assert result is not None, f"{op} {label}: no {op}Result"
    assert root.findtext(f"{STS_NAMESPACE}ResponseMetadata/{STS_NAMESPACE}RequestId")
    shape = get_session().get_service_model("sts").operation_model(op).output_shape
    try:
        body = from_xml(result, shape, "")
        check(body, shape, "")
    except ModelViolation as violation:
        raise ModelViolation(f"{op} {label}: {str(violation).lstrip('.')}") from None
    return body


def walk_sts(server: DemoServer) -> int:
    """Every STS answer: each account's GetCallerIdentity, AssumeRole into each account and the
    identity of the credentials it issued; the errors are the query protocol's."""
    checked = 0
    accounts = accounts_of(server)
    caller = accounts[0][0]
    for key, account in accounts:
        status, root = sts_call(server, key, Action="GetCallerIdentity")
        assert status == 200, f"GetCallerIdentity {key}: {status}"
        assert check_sts_answer(root, "GetCallerIdentity", key)["Account"] == account.account_id
        role_arn = f"arn:aws:iam::{account.account_id}:role/chimenum-audit"
        status, root = sts_call(
            server, caller, Action="AssumeRole", RoleArn=role_arn, RoleSessionName="chimenum"
        )
        assert status == 200, f"AssumeRole {role_arn}: {status}"
        issued = check_sts_answer(root, "AssumeRole", role_arn)["Credentials"]["AccessKeyId"]
        status, root = sts_call(server, issued, Action="GetCallerIdentity")
        assert check_sts_answer(root, "GetCallerIdentity", issued)["Account"] == account.account_id
        checked += 3
    role_arn = "arn:aws:iam::999999999999:role/chimenum-audit"
    status, root = sts_call(
        server, caller, Action="AssumeRole", RoleArn=role_arn, RoleSessionName="chimenum"
    )
    assert (status, root.tag) == (403, f"{STS_NAMESPACE}ErrorResponse")
    assert root.findtext(f"{STS_NAMESPACE}Error/{STS_NAMESPACE}Code") == "AccessDenied"
    assert root.findtext(f"{STS_NAMESPACE}Error/{STS_NAMESPACE}Type") == "Sender"
    return checked


@pytest.fixture
def started_demo() -> Iterator[DemoServer]:
    with demo_server() as server:
        yield server


def test_every_answer_of_the_demo_is_model_valid(started_demo: DemoServer) -> None:
    assert walk(started_demo) > 50


def test_every_status_the_demo_timeline_moves_to_is_model_valid(started_demo: DemoServer) -> None:
    for api, phone_id, _, status in DEMO_TIMELINE:
        started_demo.move(phone_id, status, after_requests=0, api=api)
    walk(started_demo)
    for api, phone_id, _, status in DEMO_TIMELINE:
        assert started_demo.records_for(api)[phone_id]["Status"] == status


def test_every_answer_of_the_fake_is_model_valid(fake: FakeChime) -> None:
    assert walk(fake) > 50


def test_generated_inventories_are_model_valid() -> None:
    chime = [*generate_numbers(7), *share_related(generate_numbers(11, 12065570000))[0]]
    voice, store = share_related(generate_numbers(11, voice=True))
    plain_voice = list(generate_numbers(7, 12065570000, voice=True))
    with FakeChime(
        chime, voice_records=[*voice, *plain_voice], resources={"us-east-1": store}
    ) as f:
        assert walk(f) > 40
        check_service_rules(f)


def test_every_answer_of_generated_accounts_is_model_valid() -> None:
    """The benchmark's estate: accounts of regional numbers, each account's STS answers."""
    with FakeChime(accounts=generated_accounts(2, ("us-east-1", "us-west-2"), 6)) as f:
        assert walk(f) > 40
        check_service_rules(f)


def _sts(op: str, result: str) -> ElementTree.Element:
    namespace = STS_NAMESPACE.strip("{}")
    return ElementTree.fromstring(
        f'<{op}Response xmlns="{namespace}"><{op}Result>{result}</{op}Result>'
        f"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{op}Response>"
    )


_CREDENTIALS = (
    "<AccessKeyId>ASIA0000000000000000</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
    "<Expiration>2024-01-01T00:00:00Z</Expiration>"
)
STS_BREAKS = [
    ("GetCallerIdentity", "<Acount>111111111111</Acount>",
     "GetCallerIdentity x: Acount is not a member of GetCallerIdentityResponse"),
    ("GetCallerIdentity", "<Arn>arn:aws:iam::1</Arn>",
     "GetCallerIdentity x: Arn 'arn:aws:iam::1' is 14 characters, outside 20..2048"),
    ("AssumeRole", f"<Credentials>{_CREDENTIALS}</Credentials>",
     "AssumeRole x: Credentials.SessionToken is required but missing"),
    ("AssumeRole", "<PackedPolicySize>many</PackedPolicySize>",
     "AssumeRole x: PackedPolicySize 'many' is not an integer"),
    ("AssumeRole", "<AssumedRoleUser><AssumedRoleId>a b</AssumedRoleId><Arn>" + "a" * 20
     + "</Arn></AssumedRoleUser>",
     "AssumeRole x: AssumedRoleUser.AssumedRoleId 'a b' does not match pattern"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "result", "reported"), STS_BREAKS)
def test_the_sts_walker_reports_the_first_violation_with_its_path(
    op: str, result: str, reported: str
) -> None:
    with pytest.raises(ModelViolation) as raised:
        check_sts_answer(_sts(op, result), op, "x")
    assert str(raised.value).startswith(reported)


def test_faults_that_answer_normally_are_model_valid(fake: FakeChime) -> None:
    """Every fault but those marked MODEL_BREAKING answers an error, nothing, or a valid answer."""
    assert set(MODEL_BREAKING) < set(WIRE_FAULTS)
    answered = set()
    for kind in sorted(set(WIRE_FAULTS) - MODEL_BREAKING):
        for target, path, op in (
            ("+12065550101", "/phone-numbers/%2B12065550101", "GetPhoneNumber"),
            ("phone-numbers", "/phone-numbers", "ListPhoneNumbers"),
        ):
            fake.inject(target, kind, times=1, delay=0)
            body = fetch(fake, "chime", path)
            if body is not None:
                check_answer(body, "chime", op, f"under fault {kind!r}")
                answered.add(kind)
    assert {"empty-object", "slow", "trickle"} <= answered


def check_service_rules(server: DemoServer) -> None:
    """What the model cannot say: ids the service issues as UUIDs are UUIDs; toll-free numbers
    are never Business Calling; outside the US a number only dials in to an application. Every
    account's, in every region."""
    uuid_kinds = {"AccountId", "UserId", "VoiceConnectorGroupId", "SipRuleId"}
    issued: list[str] = []
    accounts = [account for _, account in accounts_of(server)]
    numbers = [
        number
        for account in accounts
        for inventory in (account.records, *account.voice_records.values())
        for number in inventory.values()
    ]
    for number in numbers:
        issued += [a["Value"] for a in number["Associations"] if a["Name"] in uuid_kinds]
        issued += [number["OrderId"]] if "OrderId" in number else []
        if number["Type"] == "TollFree":
            assert number["ProductType"] != "BusinessCalling", number["PhoneNumberId"]
        if number["Country"] != "US":
            assert number["ProductType"] == "SipMediaApplicationDialIn", number["PhoneNumberId"]
    uuid_records = ("SipRule", "SipMediaApplication", "VoiceConnectorGroup", "PhoneNumberOrder")
    for store in [store for account in accounts for store in account.resources.values()]:
        issued += [rid for kind, rid in store if kind in (*uuid_records, "Account", "User")]
        for (kind, _), record in store.items():
            if kind == "SipRule":
                issued += [t["SipMediaApplicationId"] for t in record["TargetApplications"]]
    assert issued
    for value in issued:
        assert str(uuid.UUID(value)) == value, f"{value} is not a UUID as the service writes one"


def test_the_demo_keeps_the_services_rules(started_demo: DemoServer) -> None:
    check_service_rules(started_demo)
    for api, phone_id, _, status in DEMO_TIMELINE:
        before = started_demo.records_for(api)[phone_id]["Status"]
        if before in ("AcquireInProgress", "PortinInProgress"):
            assert status == "Unassigned", f"{phone_id} is provisioned: it lands Unassigned"


def _with(records: dict[str, Any], phone_id: str, **fields: Any) -> None:
    records[phone_id] = {**copy.deepcopy(records[phone_id]), **fields}


BREAKS: list[tuple[Callable[[FakeChime], None], str]] = [
    (lambda f: _with(f.records, "+18005550100", CallingName="AnyCompany Support"),
     "GetPhoneNumber +18005550100: PhoneNumber.CallingName 'AnyCompany Support' does not match "
     "pattern '^$|^[a-zA-Z0-9 ]{2,15}$'"),
    (lambda f: _with(f.voice_records, "+12065550101", OrderId=AWS_EXAMPLE_ORDER_ID),
     f"GetPhoneNumber +12065550101: PhoneNumber.OrderId '{AWS_EXAMPLE_ORDER_ID}' does not match "
     "pattern '[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}'"),
    (lambda f: _with(f.records, "+12065550100", Status="Active"),
     "GetPhoneNumber +12065550100: PhoneNumber.Status 'Active' is not one of"),
    (lambda f: _with(f.records, "+12065550100", Capabilities={"InboundCall": "yes"}),
     "GetPhoneNumber +12065550100: PhoneNumber.Capabilities.InboundCall 'yes' is str, not boolean"),
    (lambda f: _with(f.records, "+12065550100", Colour="red"),
     "GetPhoneNumber +12065550100: PhoneNumber.Colour is not a member of PhoneNumber"),
    (lambda f: _with(f.voice_records, "+12065550101", Name="x" * 257),
     "GetPhoneNumber +12065550101: PhoneNumber.Name 'xxxxx"),
    (lambda f: _with(f.records, "+12065550100", CreatedTimestamp="yesterday"),
     "GetPhoneNumber +12065550100: PhoneNumber.CreatedTimestamp 'yesterday' is not a timestamp"),
    (lambda f: f.put("us-east-1", "Tags", "arn:aws:chime:us-east-1:111122223333:vc/x", [{}]),
     "ListTagsForResource arn:aws:chime:us-east-1:111122223333:vc/x in us-east-1: "
     "Tags[0].Key is required but missing"),
    (lambda f: f.put("us-west-2", "Tags", "arn:aws:chime:phone-number/%2B1", []),
     "ListTagsForResource request: ResourceARN 'arn:aws:chime:phone-number/%2B1' does not match"),
    (lambda f: f.resources["us-east-1"][("Origination", demo.VC_MAIN)]["Routes"][0].update(
        Port=70000),
     f"GetVoiceConnectorOrigination {demo.VC_MAIN} in us-east-1: Origination.Routes[0].Port "
     "70000 is outside 0..65535"),
    # The hostile related answers of tests/test_answers.py break the model on purpose too.
    (lambda f: with_null_item(f, "us-east-1", "Origination", demo.VC_MAIN, "Routes"),
     f"GetVoiceConnectorOrigination {demo.VC_MAIN} in us-east-1: Origination.Routes[0] None is "
     "NoneType, not structure"),
    (lambda f: setattr(f, "voice_regions", ["us-east-1", "../../x"]),
     "ListAvailableVoiceConnectorRegions : VoiceConnectorRegions[1] '../../x' is not one of"),
]  # fmt: skip


@pytest.mark.parametrize(("breaks", "reported"), BREAKS)
def test_the_walker_reports_the_first_violation_with_its_path(
    fake: FakeChime, breaks: Callable[[FakeChime], None], reported: str
) -> None:
    breaks(fake)
    with pytest.raises(ModelViolation) as raised:
        walk(fake)
    assert str(raised.value).startswith(reported)


def test_chimenum_shows_what_the_model_forbids_as_sent(
    fake: FakeChime, chimenum: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Model-breaking on purpose: an order id and a calling name the model's patterns reject.

    AWS's own examples break the patterns, so chimenum must show such values, not refuse them.
    """
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    fields = {"OrderId": AWS_EXAMPLE_ORDER_ID, "CallingName": "AnyCompany Support"}
    _with(fake.voice_records, "+12065550101", **fields)
    with pytest.raises(ModelViolation):
        walk(fake)
    got = chimenum("--api", "voice", "get", "+12065550101", "--json")
    assert got.exit_code == 0, got.stderr
    assert fields.items() <= json.loads(got.stdout)["PhoneNumber"].items()
    described = chimenum("--api", "voice", "describe", "+12065550101", "--json")
    assert described.exit_code in (0, 15), described.stderr
    assert AWS_EXAMPLE_ORDER_ID in described.stdout
    assert "AnyCompany Support" in described.stdout
