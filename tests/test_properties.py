"""Property-based tests (hypothesis): no input, record or argv makes chimenum misbehave.

- id parsing raises nothing but ``InvalidId`` for any unicode text;
- every renderer, for any record the API model allows and for records it does not (wrong types,
  missing fields, very long strings), never writes a raw control character;
- the whole CLI, for random argv, never prints a traceback nor ends in an internal error.

Example counts are modest: CI runs this on two shared cores. Nothing leaves the machine: the
AWS endpoints point at the loopback fake.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chimenum.core.fetch import Result
from chimenum.core.ids import InvalidId, normalise, unique
from chimenum.core.settings import Terminal
from chimenum.output.env import Environment
from chimenum.output.formats import REGISTRY, Document, RenderOptions, entries, get_renderer
from testing.fakechime import FakeChime
from tests.changing import diff_args

SGR = re.compile(r"\x1b\[[0-9;]*m")
#: Every (document kind, format) of the format registry.
EVERY_FORMAT = [pytest.param(*entry, id="-".join(entry)) for entry in entries()]

#: Hundreds of examples each, over every renderer: the whole suite runs them, --fast does not.
pytestmark = pytest.mark.slow


def with_fixtures(max_examples: int) -> settings:
    """Settings for a property that uses pytest fixtures (safe to share between examples)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _raw_control_pattern() -> re.Pattern[str]:
    """One character class of every code point in the categories below but the newline."""
    points = [
        n
        for n in range(sys.maxunicode + 1)
        if n != 10 and unicodedata.category(chr(n)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]
    ranges = []
    for n in points:
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


#: A scan in C: renderers' outputs run to megabytes, and a per-character loop over them in
#: Python was a third of the property tests' time.
RAW_CONTROL = _raw_control_pattern()


def raw_controls(text: str) -> list[str]:
    return RAW_CONTROL.findall(text)


# -- ids -----------------------------------------------------------------------------------

ID_ALPHABET = "+%0123456789aAbBfF -.()\t\n\r\x00\x1b\u202e\u200b\uff11\u0661"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=ID_ALPHABET, max_size=30)))
def test_id_parsing_raises_only_invalid_id(raw: str) -> None:
    try:
        phone_id = normalise(raw)
    except InvalidId as exc:
        message = str(exc)
        assert message.startswith("invalid phone-number id")
        assert "\n" not in message
        assert raw_controls(message) == []
    else:
        assert re.fullmatch(r"\+[1-9][0-9]{1,14}", phone_id)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1000, 1, 1)), st.integers(min_value=0, max_value=7))
def test_fast_timestamps_are_the_values_botocore_parses(when: dt.datetime, digits: int) -> None:
    """The fast path gives botocore's own value (microseconds, UTC), so JSON stays the AWS CLI's."""
    from botocore.utils import parse_timestamp as botocore_parse_timestamp

    from chimenum.core.validate import parse_timestamp

    fraction = f".{when.microsecond:06d}0"[: digits + 1] if digits else ""
    wire = when.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    ours, theirs = parse_timestamp(wire), botocore_parse_timestamp(wire)
    assert ours == theirs
    assert ours.isoformat() == theirs.isoformat()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=ID_ALPHABET, max_size=20), max_size=5))
def test_unique_raises_only_invalid_id(raws: list[str]) -> None:
    try:
        ids = unique(raws)
    except InvalidId:
        return
    assert len(ids) == len(set(ids))


# -- renderers -----------------------------------------------------------------------------

UTC = dt.timezone.utc
timestamps = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=-8))])),
    # The edges of the calendar, which no zone conversion survives.
    st.sampled_from(
        [
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        ]
    ),
)
strings = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, max_codepoint=0x20FF), max_size=40),
    st.sampled_from(["[bold red]x[/]", "\x1b]0;t\x07", "\x9b2J", "\u202eevil", "a\\b"]),
    # Very long strings, cheaply: a short random string repeated. Long enough to pass every
    # width the renderers know (a 100-column terminal, 200 when piped, an audit message's 300
    # cells); longer only multiplies the bytes every renderer escapes and scans.
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(40, 400)),
)


def from_shape(shape: Any) -> st.SearchStrategy[Any]:
    """Values botocore could hand chimenum for ``shape``: what the API model allows."""
    kind = shape.type_name
    if kind == "structure":
        members = {name: from_shape(member) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    if kind == "list":
        return st.lists(from_shape(shape.member), max_size=3)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return timestamps
    if kind in ("integer", "long"):
        return st.integers()
    return strings


def phone_number_shape(service: str) -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model("GetPhoneNumber").output_shape.members["PhoneNumber"]


MODEL_KEYS = list(phone_number_shape("chime-sdk-voice").members)

json_junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        strings,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
scalars = st.one_of(st.integers(), st.booleans(), st.none(), strings)
junk_records = st.one_of(
    st.fixed_dictionaries({}, optional=dict.fromkeys(MODEL_KEYS, st.one_of(scalars, json_junk))),
    st.dictionaries(st.text(max_size=10), json_junk, max_size=5),
)
model_records = st.one_of(
    from_shape(phone_number_shape("chime")), from_shape(phone_number_shape("chime-sdk-voice"))
)


NODE_KINDS = (
    "VoiceConnector",
    "Origination",
    "Termination",
    "TerminationHealth",
    "TerminationCredentials",
    "VoiceConnectorGroup",
    "SipRule",
    "SipMediaApplication",
    "PhoneNumberOrder",
    "Tags",
    "Account",
    "User",
)
texts = st.lists(strings, max_size=2)
#: What a found resource of any kind may hold: the members the tree reads, as any values.
resources = st.fixed_dictionaries(
    {},
    optional={
        "Name": strings,
        "Timestamp": timestamps,
        "CreatedTimestamp": timestamps,
        "Source": strings,
        "Routes": st.lists(
            st.fixed_dictionaries({}, optional=dict.fromkeys(["Host", "Protocol"], strings)),
            max_size=2,
        ),
        "Endpoints": st.lists(st.fixed_dictionaries({"LambdaArn": strings}), max_size=2),
        "Disabled": st.booleans(),
        "CallingRegions": texts,
        "CidrAllowedList": texts,
        "CpsLimit": st.integers(),
        **dict.fromkeys(
            ["OutboundHostName", "TriggerType", "TriggerValue", "FocDate", "OrderType"], strings
        ),
        **dict.fromkeys(["Status", "AccountType", "DisplayName", "PrimaryEmail"], strings),
    },
)


def resource_of(kind: str) -> st.SearchStrategy[Any]:
    if kind == "Tags":
        return st.lists(st.fixed_dictionaries({"Key": strings, "Value": strings}), max_size=2)
    if kind == "TerminationCredentials":
        return texts
    return resources


def _node(kind: str, related: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    status = st.sampled_from(["Found", "NotFound", "NotPermitted", "Failed"])
    return status.flatmap(
        lambda found: st.fixed_dictionaries(
            {
                "Kind": st.just(kind),
                "Id": strings,
                "Region": strings,
                "Status": st.just(found),
                "Resource": resource_of(kind) if found == "Found" else st.none(),
                "Error": st.none()
                if found == "Found"
                else st.fixed_dictionaries({"Code": strings, "Message": strings}),
                "SearchedRegions": texts,
                "UnreadRegions": texts,
                "ParentItem": st.one_of(
                    st.none(),
                    st.fixed_dictionaries({"Priority": st.integers(), "AwsRegion": strings}),
                ),
                "Related": st.just(related),
            }
        )
    )


def nodes(depth: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    related = st.lists(nodes(depth - 1), max_size=2) if depth else st.just([])
    return st.tuples(st.sampled_from(NODE_KINDS), related).flatmap(lambda kr: _node(*kr))


findings = st.lists(
    st.fixed_dictionaries(
        {
            "PhoneNumberId": strings,
            "Severity": st.one_of(st.sampled_from(["error", "warning", "info"]), strings),
            "Code": strings,
            "ResourceKind": strings,
            "ResourceId": strings,
            "Message": strings,
        }
    ),
    max_size=3,
)


def descriptions(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Described numbers (``{"PhoneNumber", "Resolved", "Findings"}``) with any values."""
    associations = st.lists(
        st.fixed_dictionaries({"Name": strings, "Value": strings, "Target": nodes()}), max_size=2
    )
    resolved = st.fixed_dictionaries(
        {
            "Associations": associations,
            "Order": st.one_of(st.none(), nodes(0)),
            "Tags": st.one_of(st.none(), nodes(0)),
        }
    )
    return st.fixed_dictionaries(
        {"PhoneNumber": numbers, "Resolved": resolved, "Findings": findings}
    )


def render(document: Document, name: str, docs: list[dict[str, Any]], colour: bool) -> str:
    """``docs`` through the registry's ``(document, name)`` renderer, and an id that failed."""
    from chimenum.core.audit import Tally
    from chimenum.core.describe import Described

    out = io.StringIO()
    env = Environment(
        stdout=out,
        stderr=io.StringIO(),
        terminal=Terminal(columns=100),
        color="always" if colour else "never",
    )
    listing = document in ("audit", "changes")
    kind = "list" if listing else "one" if len(docs) == 1 else "many"
    renderer = get_renderer(name, env, RenderOptions(kind=kind, utc=False), document)
    tally = Tally()
    for index, doc in enumerate(docs):
        renderer.add(Result(f"+1206555{index:04d}", document=doc))
        if document == "audit":
            tally.add(Described(doc, []))
    if document == "audit":
        renderer.totals(tally.summary())
    elif document == "changes":
        renderer.totals({"Kind": "numbers", "NumbersChanged": len(docs), "Changed": True})
    else:
        renderer.add(Result("+12065559999", failure=_hostile_failure()))
    renderer.finish()
    return out.getvalue()


def _hostile_failure() -> Any:
    from chimenum.core.errors import ExitCode, Failure

    return Failure("Evil\x1b[2J", "message \x1b]0;t\x07\u202e\n", ExitCode.BAD_REQUEST)


@pytest.fixture
def local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A zone west of UTC: converting year-1 timestamps to local time is where overflow hides."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()


#: Control characters a format writes itself: the text format separates fields with tabs
#: (a tab inside a value is escaped), CSV ends its records with CR LF (RFC 4180).
FORMAT_SEPARATORS = {"text": {"\t"}, "csv": {"\r"}}


def check_renderers(document: Document, docs: list[dict[str, Any]], colour: bool) -> None:
    for name in REGISTRY[document]:
        text = render(document, name, docs, colour)
        if colour:
            text = SGR.sub("", text)
        found = set(raw_controls(text)) - FORMAT_SEPARATORS.get(name, set())
        assert not found, (document, name, sorted(found))


def as_documents(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"PhoneNumber": record} for record in records]


@pytest.mark.slow
@with_fixtures(60)
@given(st.lists(model_records, min_size=1, max_size=3), st.booleans())
def test_renderers_never_emit_raw_controls_for_model_records(
    local_time: None, records: list[dict[str, Any]], colour: bool
) -> None:
    check_renderers("numbers", as_documents(records), colour)


@pytest.mark.slow
@with_fixtures(100)
@given(st.lists(junk_records, min_size=1, max_size=3), st.booleans())
def test_renderers_survive_records_the_model_does_not_allow(
    local_time: None, records: list[dict[str, Any]], colour: bool
) -> None:
    check_renderers("numbers", as_documents(records), colour)


@with_fixtures(60)
@given(
    st.sampled_from(["descriptions", "audit"]),
    st.lists(descriptions(model_records), min_size=1, max_size=2),
    st.booleans(),
)
def test_description_and_audit_renderers_never_emit_raw_controls(
    local_time: None, document: Document, docs: list[dict[str, Any]], colour: bool
) -> None:
    """Hostile names and ids, year-1 and year-9999 timestamps west of UTC, in every format."""
    check_renderers(document, docs, colour)


def changes(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``diff``'s changes, of every kind, with any values a document could hold."""
    fields = st.lists(
        st.fixed_dictionaries(
            {"Field": strings, "New": st.one_of(strings, numbers)}, optional={"Old": strings}
        ),
        max_size=3,
    )
    return st.one_of(
        st.builds(
            lambda kind, number, account: {
                "Change": kind,
                "E164PhoneNumber": number.get("E164PhoneNumber"),
                "AwsAccountId": account,
                "Status": number.get("Status"),
                "ProductType": number.get("ProductType"),
            },
            st.sampled_from(["NumberAdded", "NumberRemoved"]),
            numbers,
            strings,
        ),
        st.fixed_dictionaries(
            {"Change": st.just("NumberChanged"), "E164PhoneNumber": strings, "Fields": fields}
        ),
        st.fixed_dictionaries(
            {
                "Change": st.sampled_from(["FindingNew", "FindingResolved", "Unknown"]),
                "E164PhoneNumber": strings,
                "Code": strings,
                "ResourceId": strings,
                "Severity": strings,
                "Message": strings,
            }
        ),
    )


@with_fixtures(60)
@given(st.lists(changes(model_records), min_size=1, max_size=3), st.booleans())
def test_change_renderers_never_emit_raw_controls(
    local_time: None, docs: list[dict[str, Any]], colour: bool
) -> None:
    check_renderers("changes", docs, colour)


def test_every_document_kind_is_checked() -> None:
    """The property tests above cover the whole registry, not the phone-number formats only."""
    assert set(REGISTRY) == {"numbers", "descriptions", "audit", "changes"}


YEAR_ONE = "0001-01-01T00:00:00Z"


@pytest.mark.parametrize(("document", "output"), EVERY_FORMAT)
def test_every_format_of_every_kind_shows_year_one_west_of_utc(
    fake: FakeChime,
    chimenum,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    local_time: None,
    document: str,
    output: str,
) -> None:
    """A broken backend's year-1 timestamps (a number's, a related resource's, the last ping)
    in a zone west of UTC: shown as they came, never an internal error."""
    from chimenum.demo import resources as demo

    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for kind, field in (("VoiceConnector", "CreatedTimestamp"), ("TerminationHealth", "Timestamp")):
        key = (kind, demo.VC_MAIN)
        fake.put(demo.HOME_REGION, *key, {**fake.resources[demo.HOME_REGION][key], field: YEAR_ONE})
    if document == "changes":
        # Written before the year-1 timestamps: they are not compared, the statuses are.
        args = diff_args(chimenum, tmp_path, "--api", "voice")
    fake.voice_records["+12065550101"]["CreatedTimestamp"] = YEAR_ONE
    if document != "changes":
        command = {"numbers": "get", "descriptions": "describe", "audit": "audit"}[document]
        args = [command, *([] if document == "audit" else ["+12065550101"])]
    run = chimenum("--api", "voice", *args, "-o", output)
    assert run.exit_code in (0, 15, 17), run.stderr
    assert "internal error" not in run.stderr
    # Findings (audit, and describe's CSV) carry no timestamps: every other output shows them.
    # -o name is the numbers alone.
    if output != "name" and (
        document == "numbers" or (document == "descriptions" and output != "csv")
    ):
        assert "0001-01-01" in run.stdout


# -- the whole CLI -------------------------------------------------------------------------

VOCABULARY = [
    "get",
    "--json",
    "-o",
    "--output",
    "table",
    "json",
    "ndjson",
    "--utc",
    "-q",
    "--region",
    "us-west-2",
    "--profile",
    "nosuch",
    "--demo",
    "--debug",
    "--help",
    "-h",
    "--version",
    "--concurrency",
    "--max-attempts",
    "--connect-timeout",
    "--read-timeout",
    "0",
    "1",
    "0.5",
    "nan",
    "-1",
    "--endpoint-url",
    "ftp://nowhere",
    "+12065550100",
    "+12065550101",
    "+12065550199",
    "%2B12065550100",
    "12065550100",
    "",
    "--",
    "-",
]
DOCUMENTED = {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}


@pytest.fixture
def everywhere_fake(fake: FakeChime, monkeypatch: pytest.MonkeyPatch) -> FakeChime:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CHIME_SDK_VOICE"):
        monkeypatch.setenv(name, fake.url)
    return fake


words = st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12)), max_size=7)


@with_fixtures(80)
@given(st.one_of(words, words.map(lambda argv: ["get", "+12065550100", *argv])))
def test_cli_never_prints_a_traceback(
    everywhere_fake: FakeChime, chimenum, argv: list[str]
) -> None:
    vocabulary = set(VOCABULARY)
    # Only the loopback fake is ever an endpoint: no random text may look like a URL.
    assume(not any("://" in arg for arg in argv if arg not in vocabulary))
    run = chimenum(*argv)
    assert run.exit_code in DOCUMENTED, (argv, run.exit_code, run.stderr)
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream or "--debug" in argv
    assert "internal error:" not in run.stderr
    assert raw_controls(run.stderr) == [], argv


@with_fixtures(100)
@given(st.one_of(model_records, junk_records), st.sampled_from(["", "        "]))
def test_streamed_json_elements_are_to_json_bytes(record: dict[str, Any], indent: str) -> None:
    """The streamed --json writes each number with a fast writer: the same bytes as to_json."""
    from chimenum.output.document import to_json
    from chimenum.output.formats.json import pretty

    try:
        expected = to_json(record).replace("\n", "\n" + indent)
    except (TypeError, ValueError):
        return  # not JSON at all: no renderer gets it past records.py
    assert pretty(record, indent) == expected


# -- CSV formula injection -------------------------------------------------------------------

#: What a spreadsheet skips before a formula, and the signs it reads as one once NFKC-folded.
FORMULA_SPACES = " \u00a0\u3000\u2003"
FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62"
formulas = st.builds(
    lambda spaces, sign, rest: spaces + sign + rest,
    st.text(alphabet=FORMULA_SPACES, max_size=3),
    st.sampled_from(FORMULA_SIGNS),
    st.one_of(st.text(max_size=10), st.sampled_from(["1+1", 'HYPERLINK("http://x","y")', "12"])),
)
CSV_ENTRIES = [pytest.param(kind, id=kind) for kind, name in entries() if name == "csv"]
E164_CELL = re.compile(r"\+[1-9][0-9]{1,14}")


def poisoned(value: Any, data: st.DataObject) -> Any:
    """``value`` with every string in it (keys aside) replaced by a formula."""
    if isinstance(value, str):
        return data.draw(formulas)
    if isinstance(value, list):
        return [poisoned(item, data) for item in value]
    if isinstance(value, dict):
        return {key: poisoned(item, data) for key, item in value.items()}
    return value


@pytest.mark.parametrize("document", CSV_ENTRIES)
@with_fixtures(40)
@given(data=st.data())
def test_csv_never_writes_a_cell_a_spreadsheet_runs(
    document: Document, data: st.DataObject
) -> None:
    """Every CSV of the registry, every text column: a formula after spaces of any kind, or
    with a full-width sign, is written with a leading ``'``; E.164 numbers stay whole."""
    import csv

    numbers = model_records.map(lambda record: {"PhoneNumber": record})
    kind_docs = {"numbers": numbers, "changes": changes(model_records)}.get(
        document, descriptions(model_records)
    )
    docs = [poisoned(doc, data) for doc in data.draw(st.lists(kind_docs, min_size=1, max_size=2))]
    text = render(document, "csv", docs, colour=False)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells
    for cell in cells:
        head = unicodedata.normalize("NFKC", cell).lstrip()[:1]
        assert head not in ("=", "+", "-", "@") or E164_CELL.fullmatch(cell), cell
        assert not cell or unicodedata.category(cell[0]) != "Cc", cell


def test_csv_keeps_e164_numbers_whole() -> None:
    from chimenum.output.formats.csv import cell

    assert cell("+12065550100") == "+12065550100"
    assert cell("\uff0b12065550100") == "'\uff0b12065550100"
    assert cell(" +12065550100") == "' +12065550100"
