"""Conformance: chimenum on AWS's published answers, served verbatim, as the AWS CLI reads them.

The answers are AWS's own: the JSON after ``Output::`` in the AWS CLI's examples for ``aws chime``
(``awscli/examples/chime/*.rst`` in the installed awscli package), repaired only where they have a
syntax slip, and the voice-connector examples kept in ``tests/data/aws-examples/`` (its README
says where they come from). The loopback fake serves them verbatim (``fake.canned``); chimenum and
the AWS CLI (``cli_timestamp_format = iso8601``, v2's default) both read them through botocore,
and chimenum's ``--json`` must be the AWS CLI's document.

Where a run needs a link the examples do not carry (a Business Calling number's user, a voice
number's order), the number is the published one with only that member added, and says so.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from collections.abc import Iterator
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from aws_cli import aws, aws_json, oracle_bytes, print_iso8601, real_aws

from testing.fakechime import FakeChime

pytestmark = pytest.mark.tooling  # the AWS CLI

ID = "+12065550100"
ENCODED_ID = "%2B12065550100"
REGION = "us-east-1"
DATA = Path(__file__).parent / "data" / "aws-examples"


def awscli_examples() -> Path:
    spec = find_spec("awscli")
    assert spec is not None and spec.origin, "awscli is a test dependency"
    return Path(spec.origin).parent / "examples" / "chime"


def published(command: str) -> list[str]:
    """The JSON text of every ``Output::`` block of ``aws chime COMMAND``'s example, as printed."""
    text = (awscli_examples() / f"{command}.rst").read_text(encoding="utf-8")
    blocks = re.findall(r"^Output::\n((?:[ \t]*\n|    .*\n)+)", text, re.MULTILINE)
    assert blocks, f"{command}.rst has no Output:: block"
    return [textwrap.dedent(block).strip() + "\n" for block in blocks]


#: The examples with a syntax slip; any other must parse as published.
SLIPPED = {"list-phone-number-orders", "get-user", "get-account"}
#: Every example read here: the GetPhoneNumber-shaped ones (``{"PhoneNumber": ...}``) first.
PHONE_NUMBER_EXAMPLES = ["get-phone-number", "update-phone-number", "restore-phone-number"]
EXAMPLES = [
    *PHONE_NUMBER_EXAMPLES,
    "list-phone-numbers",
    *sorted(SLIPPED),
    "get-phone-number-order",
]


def repair(text: str) -> str:
    """What a reader makes of the slips: ``}`` and ``{`` with no comma between two list items,
    Python's ``False``/``True``, a comma before a closing bracket. Harmless on valid JSON here
    (tested: it leaves every example that parses as published unchanged)."""
    text = re.sub(r"\}(\s*)\{", r"},\1{", text)
    text = re.sub(r"\bFalse\b", "false", re.sub(r"\bTrue\b", "true", text))
    return re.sub(r",(\s*[\]}])", r"\1", text)


def answer(command: str, index: int = 0) -> str:
    """The published answer of ``aws chime COMMAND`` (its ``index``-th example), repaired."""
    return repair(published(command)[index])


def members(text: str, key: str) -> list[str]:
    """The exact text of each item of the list under ``key``: a listing's items, served as the
    answers of the matching Get operation without a byte of them re-generated."""
    decoder = json.JSONDecoder()
    position = text.index("[", text.index(f'"{key}"')) + 1
    items = []
    while True:
        while text[position] in " \t\n,":
            position += 1
        if text[position] == "]":
            return items
        _, end = decoder.raw_decode(text, position)
        items.append(text[position:end])
        position = end


def wrapped(key: str, item: str) -> str:
    """A listing's item as the answer of the Get operation for it: ``{key: item}``."""
    return f'{{\n    "{key}": {item}\n}}\n'


def voice_allows(product_type: str) -> bool:
    """Whether Chime SDK Voice's model has this product type: only such answers are served as
    that API's (Business Calling belongs to Amazon Chime alone)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("chime-sdk-voice")
    return product_type in model.shape_for("PhoneNumberProductType").enum


# -- the fake, serving the published answers --------------------------------------------------


def connector_examples() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(DATA.glob("*.json"))}


@pytest.fixture
def aws_fake(monkeypatch: pytest.MonkeyPatch, aws_env: Path) -> Iterator[FakeChime]:
    """A fake with no records of its own: only what is canned answers, anything else is
    NotFound. The numbers' voice connector is served where the published numbers point, in the
    home region."""
    print_iso8601(aws_env)
    monkeypatch.setenv("AWS_REGION", REGION)
    with FakeChime() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", server.voice_url)
        data = connector_examples()
        connector = json.loads(data["get-voice-connector.json"])["VoiceConnector"]
        base = f"/voice-connectors/{connector['VoiceConnectorId']}"
        for name, path in (
            ("get-voice-connector.json", base),
            ("put-voice-connector-origination.json", f"{base}/origination"),
            ("get-voice-connector-termination-health.json", f"{base}/termination/health"),
        ):
            server.canned["voice", path, REGION] = data[name]
        yield server


def serve_number(fake: FakeChime, text: str, *, voice: bool = False) -> dict[str, Any]:
    number: dict[str, Any] = json.loads(text)["PhoneNumber"]
    fake.canned["chime", f"/phone-numbers/{number['E164PhoneNumber']}"] = text.encode()
    if voice:
        assert voice_allows(number["ProductType"])
        fake.canned["voice", f"/phone-numbers/{number['E164PhoneNumber']}"] = text.encode()
    return number


#: (example, index) of every published GetPhoneNumber-shaped answer.
NUMBER_ANSWERS = [
    pytest.param(command, index, id=f"{command}-{index + 1}")
    for command in PHONE_NUMBER_EXAMPLES
    for index in range(len(published(command)))
]


def aws_number(phone_number_id: str, service: str = "chime") -> Any:
    return aws_json(service, "get-phone-number", "--phone-number-id", phone_number_id)


# -- the published answers themselves ---------------------------------------------------------


@pytest.mark.parametrize("command", EXAMPLES)
def test_the_repairs_are_needed_exactly_where_the_examples_slip(command: str) -> None:
    """A slip AWS fixes makes this fail, so the repair does not outlive it."""
    for text in published(command):
        if command in SLIPPED:
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
            json.loads(repair(text))
        else:
            json.loads(text)
            assert repair(text) == text


def test_the_installed_aws_cli_has_both_apis() -> None:
    assert version("awscli").startswith("1."), "v1: cli_timestamp_format must be set"
    for service in ("chime", "chime-sdk-voice"):
        done = aws(service)  # a service it knows asks for an operation
        assert done.stderr.endswith("the following arguments are required: operation\n")
    assert "Invalid choice: 'chime-sdk-voic'" in aws("chime-sdk-voic").stderr


def unordered_features(user_agent: str) -> str:
    """A User-Agent with its ``m/`` features sorted: botocore lists them from a set."""
    return re.sub(r"\bm/(\S+)", lambda m: "m/" + ",".join(sorted(m[1].split(","))), user_agent)


def test_the_oracle_prints_what_aws_prints(aws_fake: FakeChime) -> None:
    """The oracle (awscli forked from a server, tests/aws_cli.py) against the ``aws`` executable,
    byte for byte: a published answer, and an error (a number the fake does not have). Both send
    the same User-Agent: the oracle runs the botocore ``aws`` runs (awscli's own copy)."""
    serve_number(aws_fake, answer("get-phone-number"))
    for number in (ID, "+12065550199"):
        args = ("chime", "get-phone-number", "--phone-number-id", number, "--output", "json")
        real = real_aws(*args)
        assert oracle_bytes(*args) == (real.returncode, real.stdout, real.stderr)
        assert real.stdout if number == ID else b"NotFoundException" in real.stderr
    agents = {unordered_features(r.headers["User-Agent"]) for r in aws_fake.requests}
    assert len(agents) == 1, "\n".join(sorted(agents))
    assert "aws-cli/" in agents.pop()


def test_the_published_numbers_point_at_the_published_connector() -> None:
    """What makes describe follow the numbers to the connector examples."""
    data = {name: json.loads(body) for name, body in connector_examples().items()}
    connector = data["get-voice-connector.json"]["VoiceConnector"]
    assert data["list-voice-connectors.json"]["VoiceConnectors"] == [connector]
    for text in (
        answer("get-phone-number"),
        *members(answer("list-phone-numbers"), "PhoneNumbers"),
    ):
        number = json.loads(text)
        associations = number.get("PhoneNumber", number)["Associations"]
        assert associations[0]["Value"] == connector["VoiceConnectorId"]


# -- get, list, wait ---------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "index"), NUMBER_ANSWERS)
def test_get_prints_the_aws_cli_document(
    aws_fake: FakeChime, chimenum, command: str, index: int
) -> None:
    serve_number(aws_fake, answer(command, index))
    theirs = aws_number(ID)
    for asked in (ID, ENCODED_ID):
        run = chimenum("get", asked, "--json")
        assert run.exit_code == 0, run.stderr
        assert json.loads(run.stdout) == theirs
        table = chimenum("get", asked)
        assert (table.exit_code, table.stderr) == (0, ""), table.stderr
        assert ID in table.stdout


def test_get_voice_prints_the_aws_cli_document(aws_fake: FakeChime, chimenum) -> None:
    serve_number(aws_fake, answer("get-phone-number"), voice=True)
    run = chimenum("--api", "voice", "get", ID, "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == aws_number(ID, "chime-sdk-voice")
    assert {r.api for r in aws_fake.requests} == {"voice"}


def test_get_several_ids_prints_the_aws_cli_documents(aws_fake: FakeChime, chimenum) -> None:
    """The listing's second number, served as its GetPhoneNumber answer, beside the first."""
    serve_number(aws_fake, answer("get-phone-number"))
    (_, second) = members(answer("list-phone-numbers"), "PhoneNumbers")
    other = serve_number(aws_fake, wrapped("PhoneNumber", second))["E164PhoneNumber"]
    run = chimenum("get", ID, other.replace("+", "%2B"), "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["PhoneNumbers"] == [aws_number(ID)["PhoneNumber"], aws_number(other)["PhoneNumber"]]
    assert doc["PhoneNumberErrors"] == []


@pytest.mark.parametrize(("api", "service"), [("chime", "chime"), ("voice", "chime-sdk-voice")])
def test_list_prints_the_aws_cli_document(
    aws_fake: FakeChime, chimenum, api: str, service: str
) -> None:
    listing = answer("list-phone-numbers")
    assert all(voice_allows(n["ProductType"]) for n in json.loads(listing)["PhoneNumbers"])
    aws_fake.canned[api, "/phone-numbers"] = listing.encode()
    run = chimenum("--api", api, "list", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == aws_json(service, "list-phone-numbers")
    table = chimenum("--api", api, "list")
    assert (table.exit_code, table.stderr) == (0, ""), table.stderr


@pytest.mark.parametrize(("command", "index"), NUMBER_ANSWERS)
@pytest.mark.parametrize("asked", [ID, ENCODED_ID])
def test_wait_sees_the_published_status(
    aws_fake: FakeChime, chimenum, command: str, index: int, asked: str
) -> None:
    number = serve_number(aws_fake, answer(command, index))
    run = chimenum("wait", asked, "--status", number["Status"], "--interval", "0.01")
    assert (run.exit_code, run.stderr) == (0, ""), run.stderr
    assert aws_fake.count("GetPhoneNumber") == 1


# -- describe ----------------------------------------------------------------------------------

#: How the AWS CLI reads what a describe node holds: (service, command, id option); its answer's
#: key is the node's Kind.
ORACLE: dict[str, tuple[str, str, str]] = {
    "VoiceConnector": ("chime-sdk-voice", "get-voice-connector", "--voice-connector-id"),
    "Origination": ("chime-sdk-voice", "get-voice-connector-origination", "--voice-connector-id"),
    "Termination": ("chime-sdk-voice", "get-voice-connector-termination", "--voice-connector-id"),
    "TerminationHealth": (
        "chime-sdk-voice",
        "get-voice-connector-termination-health",
        "--voice-connector-id",
    ),
    "PhoneNumberOrder": ("chime-sdk-voice", "get-phone-number-order", "--phone-number-order-id"),
    "Account": ("chime", "get-account", "--account-id"),
    "User": ("chime", "get-user", "--user-id"),
}
#: Secret members chimenum must never print (the AWS CLI does).
SECRETS = {"User": ("PersonalPIN",)}


def nodes(resolved: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack = [a["Target"] for a in resolved["Associations"]]
    stack += [n for n in (resolved["Order"], resolved["Tags"]) if n is not None]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current["Related"])


def without_secrets(kind: str, resource: dict[str, Any]) -> dict[str, Any]:
    """Whether secrets are printed at all is its own test's business, not this comparison's."""
    return {k: v for k, v in resource.items() if k not in SECRETS.get(kind, ())}


@functools.cache
def connector_oracle(command: str, connector_id: str) -> Any:
    """The connector's answers are the same files in every test here: read once per session
    (each AWS CLI run costs a second)."""
    return aws_json("chime-sdk-voice", command, "--voice-connector-id", connector_id)


def oracle(node: dict[str, Any], account_id: str | None) -> Any:
    """The AWS CLI's reading of the resource a found node holds."""
    kind = node["Kind"]
    service, command, option = ORACLE[kind]
    if option == "--voice-connector-id" and node["Region"] == REGION:
        return connector_oracle(command, node["Id"])[kind]
    args = [service, command, option, node["Id"]]
    if kind == "User":
        assert account_id
        args += ["--account-id", account_id]
    return aws_json(*args, region=node["Region"] or REGION)[kind]


def describe_conforms(chimenum: Any, *args: str, service: str = "chime") -> set[str]:
    """Run ``describe`` on the published number: exit 0 or 15, ``PhoneNumber`` the AWS CLI's
    get-phone-number, every found resource the AWS CLI's reading of it. The kinds found."""
    run = chimenum(*args, "describe", ENCODED_ID, "--json")
    assert run.exit_code in (0, 15), run.stderr
    doc = json.loads(run.stdout)
    assert doc["PhoneNumber"] == aws_number(ID, service)["PhoneNumber"]
    account_id = next(
        (a["Value"] for a in doc["PhoneNumber"]["Associations"] if a["Name"] == "AccountId"), None
    )
    found = set()
    for node in nodes(doc["Resolved"]):
        if node["Status"] == "Found":
            kind, theirs = node["Kind"], oracle(node, account_id)
            assert without_secrets(kind, node["Resource"]) == without_secrets(kind, theirs), kind
            found.add(node["Kind"])
        else:
            assert node["Status"] == "NotFound", node
    assert (run.exit_code == 15) == any(f["Severity"] == "error" for f in doc["Findings"])
    tree = chimenum(*args, "describe", ID)
    assert tree.exit_code == run.exit_code, tree.stderr
    return found


CONNECTOR_PARTS = {"VoiceConnector", "Origination", "TerminationHealth"}


@pytest.mark.parametrize(("command", "index"), NUMBER_ANSWERS)
def test_describe_chime_reads_what_the_aws_cli_reads(
    aws_fake: FakeChime, chimenum, command: str, index: int
) -> None:
    number = serve_number(aws_fake, answer(command, index))
    found = describe_conforms(chimenum, "--api", "chime")
    assert found == (CONNECTOR_PARTS if number["Associations"] else set())


def test_describe_voice_reads_what_the_aws_cli_reads(aws_fake: FakeChime, chimenum) -> None:
    serve_number(aws_fake, answer("get-phone-number"), voice=True)
    found = describe_conforms(chimenum, "--api", "voice", service="chime-sdk-voice")
    assert found == CONNECTOR_PARTS
    asked = {(r.operation, r.region) for r in aws_fake.requests if r.api == "voice"}
    assert ("GetVoiceConnector", REGION) in asked


def serve_business_calling_user(fake: FakeChime) -> str:
    """The published update-phone-number answer, with the associations a Business Calling number
    has once AssociatePhoneNumberWithUser gave it to the published user; and that user and their
    account, as published."""
    user_text, account_text = answer("get-user"), answer("get-account")
    user = json.loads(user_text)["User"]
    number = json.loads(answer("update-phone-number"))
    number["PhoneNumber"]["Associations"] = [
        {"Value": user["AccountId"], "Name": "AccountId"},
        {"Value": user["UserId"], "Name": "UserId"},
    ]
    serve_number(fake, json.dumps(number, indent=4))
    fake.canned["chime", f"/accounts/{user['AccountId']}"] = account_text.encode()
    fake.canned["chime", f"/accounts/{user['AccountId']}/users/{user['UserId']}"] = (
        user_text.encode()
    )
    return str(user["PersonalPIN"])


def test_describe_reads_the_published_user_and_account(aws_fake: FakeChime, chimenum) -> None:
    serve_business_calling_user(aws_fake)
    assert describe_conforms(chimenum, "--api", "chime") == {"Account", "User"}


@pytest.mark.parametrize("output", ["json", "table", "csv", "ndjson"])
def test_describe_never_prints_the_published_users_pin(
    aws_fake: FakeChime, chimenum, output: str
) -> None:
    pin = serve_business_calling_user(aws_fake)
    run = chimenum("describe", ID, "-o", output)
    assert run.exit_code in (0, 15), run.stderr
    assert "PersonalPIN" not in run.stdout
    assert pin not in run.stdout


def order_answers() -> list[str]:
    """Every published order as a GetPhoneNumberOrder answer, each once, whose product type
    Chime SDK Voice has (describe reads orders there)."""
    answers = [answer("get-phone-number-order")]
    for item in members(answer("list-phone-number-orders"), "PhoneNumberOrders"):
        if all(json.loads(item) != json.loads(a)["PhoneNumberOrder"] for a in answers):
            answers.append(wrapped("PhoneNumberOrder", item))
    product = [json.loads(a)["PhoneNumberOrder"]["ProductType"] for a in answers]
    return [a for a, p in zip(answers, product, strict=True) if voice_allows(p)]


ORDERS = order_answers()


def serve_ordered_number(fake: FakeChime, order_text: str) -> None:
    """The published voice number, with the OrderId member Chime SDK Voice's answer carries set
    to the published order's id; the order served as published (a listing's item as the
    GetPhoneNumberOrder answer)."""
    order_id = json.loads(order_text)["PhoneNumberOrder"]["PhoneNumberOrderId"]
    number = json.loads(answer("get-phone-number"))
    number["PhoneNumber"]["OrderId"] = order_id
    serve_number(fake, json.dumps(number, indent=4), voice=True)
    fake.canned["voice", f"/phone-number-orders/{order_id}"] = order_text.encode()


@pytest.mark.parametrize("order_text", ORDERS, ids=[f"order-{n}" for n in range(len(ORDERS))])
def test_describe_reads_the_published_order(aws_fake: FakeChime, chimenum, order_text: str) -> None:
    serve_ordered_number(aws_fake, order_text)
    found = describe_conforms(chimenum, "--api", "voice", service="chime-sdk-voice")
    assert found == {*CONNECTOR_PARTS, "PhoneNumberOrder"}


@pytest.mark.parametrize(
    "args",
    [("describe", ID), ("audit",), ("audit", "--json"), ("audit", "-o", "csv")],
    ids=["describe", "audit", "audit-json", "audit-csv"],
)
def test_a_member_aws_left_out_is_never_shown_as_none(
    aws_fake: FakeChime, chimenum, args: tuple[str, ...]
) -> None:
    """The published numbers have no Country, the published order no OrderType: Python's None
    is not what a reader should see for them."""
    serve_ordered_number(aws_fake, ORDERS[0])
    aws_fake.canned["voice", "/phone-numbers"] = answer("list-phone-numbers").encode()
    run = chimenum("--api", "voice", *args)
    assert run.exit_code in (0, 15), run.stderr
    assert "None" not in run.stdout


def test_the_published_unassigned_number_with_a_connector_is_described_as_seen(
    aws_fake: FakeChime, chimenum
) -> None:
    """AWS's get-phone-number example is Unassigned and yet lists a voice connector association:
    the finding says what the answer says, not that nothing is associated."""
    serve_number(aws_fake, answer("get-phone-number"))
    run = chimenum("--api", "chime", "describe", ID, "--json")
    findings = {f["Code"]: f["Message"] for f in json.loads(run.stdout)["Findings"]}
    assert findings["NUMBER_UNASSIGNED"] == (
        "the number's status is Unassigned, though its answer lists 1 association"
    )
