"""`chimenum list`: paging, filters, limits, streaming and throttling, through botocore."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from aws_cli import aws, print_iso8601

from testing.fakechime import FakeChime, generate_numbers

STATUSES = ["Assigned", "Unassigned", "AcquireInProgress", "DeleteFailed"]
PRODUCTS = ["VoiceConnector", "SipMediaApplicationDialIn", "BusinessCalling"]
CONNECTORS = ["vc-one", "vc-two", "vc-three"]


def inventory(count: int, *, voice: bool) -> list[dict[str, Any]]:
    """``count`` numbers with statuses, product types and associations spread across them."""
    records = list(generate_numbers(count, voice=voice))
    for index, record in enumerate(records):
        record["Status"] = STATUSES[index % len(STATUSES)]
        record["ProductType"] = PRODUCTS[index % (2 if voice else 3)]
        record["Associations"][0]["Value"] = CONNECTORS[index % len(CONNECTORS)]
    return records


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChime]:
    """A fake holding 1300 chime and 1200 voice numbers."""
    with FakeChime(
        inventory(1300, voice=False), voice_records=inventory(1200, voice=True)
    ) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", server.voice_url)
        monkeypatch.setenv("AWS_REGION", "us-west-2")
        yield server


def served(e164s: Iterable[str]) -> list[str]:
    """The ids as the service answers them, percent-encoded."""
    return ["%2B" + e164[1:] for e164 in e164s]


def ids(records: dict[str, dict[str, Any]], **want: str) -> list[str]:
    """The E.164 numbers of ``records`` that have every wanted value."""
    return [
        r["E164PhoneNumber"]
        for r in records.values()
        if all(
            (r["Associations"][0]["Value"] == v if k == "connector" else r[k] == v)
            for k, v in want.items()
        )
    ]


@pytest.mark.parametrize(("api", "page_size", "count"), [("chime", 99, 1300), ("voice", 100, 1200)])
def test_every_number_across_many_pages(
    big: FakeChime, chimenum, api: str, page_size: int, count: int
) -> None:
    run = chimenum("--api", api, "list", "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert list(doc) == ["PhoneNumbers"]
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == served(big.records_for(api))
    pages = -(-count // page_size)
    assert len(big.requests) == pages
    assert {r.api for r in big.requests} == {api}
    assert [r.query["max-results"] for r in big.requests] == [[str(page_size)]] * pages
    assert "next-token" not in big.requests[0].query
    assert all("next-token" in r.query for r in big.requests[1:])


@pytest.mark.parametrize("api", ["chime", "voice"])
@pytest.mark.parametrize(
    ("options", "want"),
    [
        (["--status", "Assigned"], {"Status": "Assigned"}),
        (["--status", "DeleteFailed"], {"Status": "DeleteFailed"}),
        (
            ["--product-type", "SipMediaApplicationDialIn"],
            {"ProductType": "SipMediaApplicationDialIn"},
        ),
        (
            ["--filter-name", "VoiceConnectorId", "--filter-value", "vc-two"],
            {"connector": "vc-two"},
        ),
        (
            ["--status", "Assigned", "--product-type", "VoiceConnector"],
            {"Status": "Assigned", "ProductType": "VoiceConnector"},
        ),
    ],
)
def test_each_filter_across_pages(
    big: FakeChime, chimenum, api: str, options: list[str], want: dict[str, str]
) -> None:
    run = chimenum("--api", api, "list", *options, "-o", "ndjson")
    assert run.exit_code == 0, run.stderr
    got = [json.loads(line)["PhoneNumber"]["PhoneNumberId"] for line in run.stdout.splitlines()]
    expected = ids(big.records_for(api), **want)
    assert got == served(expected)
    assert len(expected) > 99  # more than one page, so paging kept the filters
    for request in big.requests:
        for flag, value in zip(options[::2], options[1::2], strict=True):
            assert request.query[flag.lstrip("-")] == [value]


def test_ndjson_is_one_phone_number_document_per_line(fake: FakeChime, chimenum) -> None:
    run = chimenum("list", "-o", "ndjson", "--status", "Assigned")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert all(list(doc) == ["PhoneNumber"] for doc in lines)
    assert [d["PhoneNumber"]["PhoneNumberId"] for d in lines] == served(
        [
            "+12065550100",
            "+12065550101",
            "+12065550102",
            "+12065550103",
            "+18005550100",
            "+442079460000",
        ]
    )


@pytest.mark.parametrize(("limit", "sizes"), [("5", ["5"]), ("150", ["99", "51"]), ("99", ["99"])])
def test_limit_asks_only_for_what_it_needs(
    big: FakeChime, chimenum, limit: str, sizes: list[str]
) -> None:
    run = chimenum("list", "--limit", limit, "--json")
    assert run.exit_code == 0
    assert len(json.loads(run.stdout)["PhoneNumbers"]) == int(limit)
    assert [r.query["max-results"][0] for r in big.requests] == sizes


def test_table_lists_every_number_in_one_summary(big: FakeChime, chimenum) -> None:
    run = chimenum("--api", "voice", "list", "--status", "AcquireInProgress")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    for column in ("Phone number", "Status", "Name", "Order id", "ARN"):
        assert column in lines[0]
    rows = [line for line in lines if line.startswith("+")]
    assert [row.split()[0] for row in rows] == ids(big.voice_records, Status="AcquireInProgress")
    assert all("arn:aws:chime:" in row for row in rows)  # one line per number, even piped
    assert "\x1b" not in run.stdout


def test_empty_listing(fake: FakeChime, chimenum) -> None:
    run = chimenum("list", "--filter-name", "UserId", "--filter-value", "nobody")
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr == "chimenum: no phone numbers match\n"
    assert json.loads(
        chimenum(
            "list", "--status", "Unassigned", "--product-type", "VoiceConnector", "--json"
        ).stdout
    ) == {"PhoneNumbers": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--api", "voice", "list", "--filter-name", "AccountId", "--filter-value", "x"],
            "filter name 'AccountId' is not valid for --api voice (it is a chime value)",
        ),
        (
            ["list", "--api", "voice", "--product-type", "BusinessCalling"],
            "product type 'BusinessCalling' is not valid for --api voice",
        ),
        (["list", "--status", "Cancelled"], "status 'Cancelled' is not valid for --api chime"),
        (["list", "--status", "Lost"], "'Lost' is not one of"),
        (["list", "--filter-name", "UserId"], "--filter-name and --filter-value go together"),
        (["list", "--filter-value", "x"], "--filter-name and --filter-value go together"),
        (["list", "--limit", "0"], "--limit"),
        (["list", "--starting-token", " "], "--starting-token is empty"),
    ],
)
def test_invalid_filters_are_refused_before_any_request(
    fake: FakeChime, chimenum, monkeypatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    run = chimenum(*args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert fake.requests == []


def test_voice_only_values_are_accepted_for_voice(fake: FakeChime, chimenum, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    run = chimenum("--api", "voice", "list", "--status", "PortinCancelRequested", "--json")
    assert run.exit_code == 0, run.stderr
    assert [n["PhoneNumberId"] for n in json.loads(run.stdout)["PhoneNumbers"]] == [
        "%2B12065550112"
    ]


def test_throttled_pages_are_retried_and_nothing_is_lost(big: FakeChime, chimenum) -> None:
    # Pages 1 and 2 pass, then the third page is throttled three times before it is answered.
    big.inject("*", "ThrottledClientException", times=3, skip=2)
    run = chimenum("list", "--json")
    assert run.exit_code == 0, run.stderr
    assert [n["PhoneNumberId"] for n in json.loads(run.stdout)["PhoneNumbers"]] == served(
        big.records
    )
    statuses = [r.status for r in big.requests]
    assert statuses == [200, 200, 429, 429, 429] + [200] * 12
    third = [r.query.get("next-token") for r in big.requests[2:6]]
    assert len({tuple(t or ()) for t in third}) == 1  # the same page asked again


def test_a_busy_service_still_yields_every_number(
    chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = inventory(300, voice=False)
    # Busy by construction, not by racing a token bucket: pages are asked one after the other,
    # so a seeded share of 503s and three throttles after the second page land the same way
    # on any machine. Three pages meet both; each more page only waits for the throttled rate.
    with FakeChime(records, fail_ratio=0.3, seed=7) as server:
        server.inject("*", "ThrottledClientException", times=3, skip=2)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        run = chimenum("list", "-o", "ndjson", "--max-attempts", "20")
    assert run.exit_code == 0, run.stderr
    got = [json.loads(line)["PhoneNumber"]["PhoneNumberId"] for line in run.stdout.splitlines()]
    assert got == [r["PhoneNumberId"] for r in records]
    assert {429, 503} <= {r.status for r in server.requests}


def test_retries_exhausted_keep_what_was_printed_and_say_where_it_stopped(
    big: FakeChime, chimenum
) -> None:
    big.inject("*", "ThrottledClientException", skip=2)
    run = chimenum("list", "-o", "ndjson", "--max-attempts", "3")
    assert run.exit_code == 7
    lines = run.stdout.splitlines()
    assert len(lines) == 198
    token = big.requests[2].query["next-token"][0]
    assert run.stderr == (
        "chimenum: error: listing stopped after 198 numbers (2 pages): ThrottledClientException:"
        f" fake ThrottledClientException; resume with --starting-token {token}\n"
    )
    big.inject("*", "ThrottledClientException", skip=2)
    doc_run = chimenum("list", "--json", "--max-attempts", "2")
    assert doc_run.exit_code == 7
    doc = json.loads(doc_run.stdout)
    assert len(doc["PhoneNumbers"]) == 198
    assert doc["NextToken"] == token
    # Resuming from the token lists the rest.
    big.faults.clear()
    rest = chimenum("list", "-o", "ndjson", "--starting-token", token)
    assert rest.exit_code == 0
    resumed = [
        json.loads(line)["PhoneNumber"]["PhoneNumberId"]
        for line in lines + rest.stdout.splitlines()
    ]
    assert resumed == served(big.records)


def test_first_page_failing_prints_no_document(fake: FakeChime, chimenum) -> None:
    fake.inject("*", "ForbiddenException", message="not allowed")
    run = chimenum("list", "--json")
    assert run.exit_code == 6
    assert run.stdout == ""
    assert (
        "listing stopped after 0 numbers (0 pages): ForbiddenException: not allowed" in run.stderr
    )
    assert len(fake.requests) == 1


def test_malformed_page_is_exit_12(fake: FakeChime, chimenum) -> None:
    fake.inject("*", "wrong-shape")
    run = chimenum("list", "--json", "--max-attempts", "1")
    assert run.exit_code == 12
    assert "InvalidResponse" in run.stderr


def test_pages_stream_as_they_arrive(big: FakeChime, chimenum_exe: str) -> None:
    """ndjson lines of the first pages are out while the third page is still being answered."""
    big.inject("*", "slow", times=1, skip=2, delay=600)  # held until released below
    proc = subprocess.Popen(
        [chimenum_exe, "list", "-o", "ndjson"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        first = [proc.stdout.readline() for _ in range(198)]
        assert all(line.startswith('{"PhoneNumber":') for line in first)
        hang_guard = time.monotonic() + 60
        while len(big.requests) < 3 and time.monotonic() < hang_guard:
            time.sleep(0.01)
        assert len(big.requests) == 3
        assert big.requests[2].status == 0  # the third page has not been answered yet
        big.released.set()
        rest = proc.stdout.read()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(first) + len(rest.splitlines()) == 1300


def test_a_wrong_choice_names_the_choices(chimenum) -> None:
    # --help stays a screen long: the values are listed by the error a wrong one gets.
    assert "--limit" in chimenum("list", "--help").stdout
    for option, values in (
        ("--status", ("DeleteFailed", "Assigned")),
        ("--product-type", ("BusinessCalling", "VoiceConnector")),
        ("--filter-name", ("SipRuleId", "AccountId")),
    ):
        run = chimenum("list", option, "x")
        assert run.exit_code == 2
        assert all(value in run.stderr for value in values), run.stderr


def help_examples(command: str) -> list[str]:
    from click.testing import CliRunner

    from chimenum.cli import cli

    out = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).stdout
    block = out.split("Examples:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("chimenum ")]


@pytest.mark.slow
@pytest.mark.parametrize(
    "example", [*help_examples("list"), *help_examples("wait")], ids=lambda e: e[:60]
)
def test_help_examples_run_against_the_demo(example: str, documented) -> None:
    command, env = documented(example)
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


@pytest.mark.tooling
@pytest.mark.parametrize(("api", "service"), [("chime", "chime"), ("voice", "chime-sdk-voice")])
def test_one_page_listing_is_the_aws_cli_document(
    fake: FakeChime, chimenum, aws_env, api: str, service: str
) -> None:
    """On a single page, `aws <service> list-phone-numbers` prints the same document."""
    print_iso8601(aws_env)
    ours = chimenum("--api", api, "--region", "us-east-1", "list", "--json")
    assert ours.exit_code == 0, ours.stderr
    theirs = aws(service, "list-phone-numbers", "--output", "json")
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout
    assert len(json.loads(ours.stdout)["PhoneNumbers"]) > 5


def _stubbed_lister(pages: list[dict[str, Any]]) -> Any:
    import botocore.session
    from botocore.stub import Stubber

    from chimenum.core.listing import Lister
    from chimenum.core.policy import RequestPolicy

    client = botocore.session.get_session().create_client(
        "chime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    stubber = Stubber(client)
    for page in pages:
        stubber.add_response("list_phone_numbers", page)
    stubber.activate()
    return Lister(client, "chime", RequestPolicy("stub", max_attempts=1))


def test_a_repeating_next_token_is_an_invalid_response_not_a_loop() -> None:
    from chimenum.core.errors import ExitCode
    from chimenum.core.listing import ListingStopped

    number = {"PhoneNumberId": "+12065550100", "Status": "Assigned"}
    lister = _stubbed_lister(
        [
            {"PhoneNumbers": [number], "NextToken": "a"},
            {"PhoneNumbers": [number], "NextToken": "b"},
            {"PhoneNumbers": [number], "NextToken": "a"},
        ]
    )
    seen = []
    with pytest.raises(ListingStopped) as stopped:
        for page in lister.pages():
            seen.append(page)
    assert len(seen) == 2
    assert stopped.value.failure.exit_code is ExitCode.BAD_RESPONSE
    assert "NextToken 'a' repeats" in stopped.value.failure.message
    assert stopped.value.next_token == "b"


def test_a_number_without_id_is_an_invalid_response() -> None:
    from chimenum.core.errors import ExitCode
    from chimenum.core.listing import ListingStopped

    lister = _stubbed_lister([{"PhoneNumbers": [{"Status": "Assigned"}]}])
    with pytest.raises(ListingStopped) as stopped:
        list(lister.pages())
    assert stopped.value.failure.exit_code is ExitCode.BAD_RESPONSE
    assert "PhoneNumbers[0] has no PhoneNumberId" in stopped.value.failure.message


@pytest.mark.tooling
@pytest.mark.parametrize(("api", "service"), [("chime", "chime"), ("voice", "chime-sdk-voice")])
@pytest.mark.parametrize(
    "extra",
    [["-o", "text"], ["--query", "PhoneNumbers[?Status=='Assigned'].[PhoneNumberId, Type]"]],
    ids=["text", "query"],
)
def test_text_and_query_are_the_aws_cli_ones(
    fake: FakeChime, chimenum, aws_env, api: str, service: str, extra: list[str]
) -> None:
    print_iso8601(aws_env)
    fmt = ["--output", "text"] if extra[0] == "-o" else ["--output", "json", *extra]
    ours = chimenum(
        "--api",
        api,
        "--region",
        "us-east-1",
        "list",
        *(extra if extra[0] == "-o" else ["--json", *extra]),
    )
    assert ours.exit_code == 0, ours.stderr
    theirs = aws(service, "list-phone-numbers", *fmt)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.strip()


def test_text_streams_page_by_page(big: FakeChime, chimenum) -> None:
    run = chimenum("--api", "voice", "list", "-o", "text")
    assert run.exit_code == 0
    rows = [line.split("\t") for line in run.stdout.splitlines() if line.startswith("PHONENUMBERS")]
    assert len(rows) == 1200
    assert len(big.requests) == 12


def test_query_sees_the_whole_listing(big: FakeChime, chimenum) -> None:
    run = chimenum("list", "--query", "length(PhoneNumbers)", "--json")
    assert (run.exit_code, run.stdout) == (0, "1300\n")
    ndjson = chimenum("list", "-o", "ndjson", "--limit", "3", "--query", "PhoneNumber.Status")
    assert ndjson.stdout.splitlines() == ['"Assigned"', '"Unassigned"', '"AcquireInProgress"']


def test_stopped_text_listing_ends_with_the_token(big: FakeChime, chimenum) -> None:
    big.inject("*", "ThrottledClientException", skip=1)
    run = chimenum("list", "-o", "text", "--max-attempts", "2")
    assert run.exit_code == 7
    lines = run.stdout.splitlines()
    assert sum(line.startswith("PHONENUMBERS") for line in lines) == 99
    assert lines[-1] == big.requests[1].query["next-token"][0]


@pytest.mark.parametrize(("fault", "code"), [("truncated", 12), ("not-json", 12), ("reset", 11)])
def test_broken_page_answers_follow_the_same_policy_as_get(
    fake: FakeChime, chimenum, fault: str, code: int
) -> None:
    fake.inject("*", fault)
    run = chimenum("list", "--json")
    assert run.exit_code == code, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1
    # A reset connection is tried 3 times at most, as for get; a broken body is not retried.
    assert len(fake.requests) == (3 if fault == "reset" else 1)


def test_unreachable_endpoint_ends_a_listing_at_once(chimenum) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    run = chimenum("list", "--endpoint-url", url, "--debug")
    assert run.exit_code == 11
    assert url in run.stderr.splitlines()[-1]
    # One try, not max-attempts tries: counted, not timed.
    assert run.stderr.count("Making request for OperationModel(name=ListPhoneNumbers)") == 1


# -- several statuses: one listing per status, one after the other ---------------------------


def listed(run: Any) -> list[str]:
    return [json.loads(line)["PhoneNumber"]["PhoneNumberId"] for line in run.stdout.splitlines()]


@pytest.mark.parametrize("api", ["chime", "voice"])
def test_several_statuses_are_listed_one_after_the_other(
    big: FakeChime, chimenum, api: str
) -> None:
    # Comma-separated and repeated, in any case: printed and asked for in the API's case.
    run = chimenum(
        "--api", api, "list", "--status", "deletefailed,ASSIGNED", "--status", "Unassigned",
        "-o", "ndjson",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    records = big.records_for(api)
    order = ["DeleteFailed", "Assigned", "Unassigned"]
    expected = [e for status in order for e in ids(records, Status=status)]
    assert listed(run) == served(expected)
    asked = [r.query["status"][0] for r in big.requests]
    assert asked == sorted(asked, key=order.index), "each listing ends before the next starts"
    assert len(set(asked)) == 3 and len(asked) > 3


def test_a_status_given_twice_is_listed_once(big: FakeChime, chimenum) -> None:
    run = chimenum("list", "--status", "Assigned,assigned", "--status", "Assigned", "--json")
    assert run.exit_code == 0, run.stderr
    got = [n["PhoneNumberId"] for n in json.loads(run.stdout)["PhoneNumbers"]]
    assert got == served(ids(big.records, Status="Assigned"))
    assert {r.query["status"][0] for r in big.requests} == {"Assigned"}


def test_a_number_that_moved_between_listings_is_listed_once() -> None:
    from chimenum.core.listing import Filters

    one, two, three = ({"PhoneNumberId": f"+1206555010{i}"} for i in range(3))
    lister = _stubbed_lister(
        [
            {"PhoneNumbers": [one, two]},
            {"PhoneNumbers": [two, three], "NextToken": "t"},
            {"PhoneNumbers": [{"PhoneNumberId": "+12065550109"}]},
        ]
    )
    pages = lister.pages(Filters(statuses=("Assigned", "Unassigned")), limit=3)
    assert [n["PhoneNumberId"] for page in pages for n in page.numbers] == [
        "+12065550100",
        "+12065550101",
        "+12065550102",
    ]


def test_several_statuses_stopped_say_how_to_resume_and_nothing_is_lost(
    big: FakeChime, chimenum
) -> None:
    # DeleteFailed is 325 numbers (4 pages of 99): the 6th request is Assigned's second page.
    big.inject("*", "ThrottledClientException", skip=5)
    statuses = ["--status", "DeleteFailed,Assigned,Unassigned"]
    run = chimenum("list", *statuses, "-o", "ndjson", "--max-attempts", "1")
    assert run.exit_code == 7
    token = big.requests[5].query["next-token"][0]
    assert run.stderr.endswith(
        f"; resume with --status Assigned,Unassigned --starting-token {token}\n"
    ), run.stderr
    big.faults.clear()
    rest = chimenum(
        "list", "--status", "Assigned,Unassigned", "--starting-token", token, "-o", "ndjson"
    )
    assert rest.exit_code == 0, rest.stderr
    order = ["DeleteFailed", "Assigned", "Unassigned"]
    expected = [e for status in order for e in ids(big.records, Status=status)]
    assert listed(run) + listed(rest) == served(expected)


def test_audit_reads_several_statuses(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "audit", "--status", "AcquireFailed", "--status", "deletefailed", "--json",
        "--fail-on", "never",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)["Summary"]
    assert summary["ByStatus"] == {"AcquireFailed": 1, "DeleteFailed": 1}
    assert [r.query["status"][0] for r in fake.requests if r.query.get("status")] == [
        "AcquireFailed",
        "DeleteFailed",
    ]
