"""Ids as the service answers them: ``"PhoneNumberId": "%2B12065550100"`` beside
``"E164PhoneNumber": "+12065550100"``, and the plain form too, through the whole stack.

JSON keeps the id as the service sent it (as ``aws chime`` prints it); what people read (the
detail header, the list table, wait's lines, CSV's ``E164PhoneNumber``) is the E.164 number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_cli import aws, print_iso8601

from chimenum.demo import sample_numbers
from testing.fakechime import FakeChime

ONE = "+12065550100"
ENCODED = "%2B12065550100"
#: How each form of the fake answers the id of ``ONE``.
FORMS = {"encoded": ENCODED, "plain": ONE}


@pytest.fixture(params=list(FORMS))
def form(request: pytest.FixtureRequest, fake: FakeChime) -> Iterator[str]:
    """The fake answering ids in one form, then the other."""
    fake.plain_ids = request.param == "plain"
    yield request.param


def served(form: str, e164: str) -> str:
    return e164 if form == "plain" else "%2B" + e164[1:]


def aws_chime(*args: str) -> subprocess.CompletedProcess[str]:
    return aws("chime", *args, "--output", "json")


# -- get --------------------------------------------------------------------------------------


def test_get_keeps_the_id_as_sent_and_shows_the_number(fake: FakeChime, form: str, chimenum):
    run = chimenum("get", ONE, "--json")
    assert run.exit_code == 0, run.stderr
    number = json.loads(run.stdout)["PhoneNumber"]
    assert (number["PhoneNumberId"], number["E164PhoneNumber"]) == (FORMS[form], ONE)
    table = chimenum("get", ONE)
    assert table.exit_code == 0, table.stderr
    header, _, id_row = table.stdout.splitlines()[:3]
    assert header.split() == [ONE, "Assigned"]
    assert id_row.split() == ["Phone", "number", "id", FORMS[form]]


def test_get_of_several_ids_and_an_encoded_one_given(fake: FakeChime, form: str, chimenum):
    run = chimenum("get", "%2B18005550100", ONE, "%2b12065550108", "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == [
        served(form, "+18005550100"),
        served(form, ONE),
        served(form, "+12065550108"),
    ]
    assert doc["PhoneNumberErrors"] == []
    # botocore encodes the decoded id once: never %252B.
    assert sorted(r.path for r in fake.requests) == [
        "/phone-numbers/%2B12065550100",
        "/phone-numbers/%2B12065550108",
        "/phone-numbers/%2B18005550100",
    ]
    assert sorted(fake.requested_ids()) == ["+12065550100", "+12065550108", "+18005550100"]


@pytest.mark.tooling
def test_get_json_equals_the_aws_cli_on_encoded_ids(fake: FakeChime, chimenum, aws_env: Path):
    print_iso8601(aws_env)
    ours = chimenum("get", ENCODED, "--json")
    theirs = aws_chime("get-phone-number", "--phone-number-id", ONE)
    assert theirs.returncode == 0, theirs.stderr
    assert json.loads(theirs.stdout)["PhoneNumber"]["PhoneNumberId"] == ENCODED
    assert ours.stdout == theirs.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"PhoneNumberId": "%2B12065550101"},
            "asked for +12065550100 but the answer's PhoneNumberId is '%2B12065550101'",
        ),
        (
            {"E164PhoneNumber": "+12065550101"},
            "asked for +12065550100 but the answer's E164PhoneNumber is '+12065550101'",
        ),
        (
            # Encoded twice: decoded once it is still no E.164 number.
            {"PhoneNumberId": "%252B12065550100"},
            "asked for +12065550100 but the answer's PhoneNumberId is '%252B12065550100'",
        ),
    ],
    ids=["other-id", "other-e164", "encoded-twice"],
)
def test_an_answer_for_another_number_is_malformed(
    fake: FakeChime, chimenum, change: dict[str, str], message: str
) -> None:
    fake.records[ONE] = {**fake.records[ONE], **change}
    run = chimenum("get", ONE, "--json")
    assert (run.exit_code, run.stdout) == (12, "")
    assert message in run.stderr, run.stderr


def test_a_plain_answer_without_e164_is_accepted(fake: FakeChime, chimenum) -> None:
    fake.plain_ids = True
    fake.records[ONE] = {k: v for k, v in fake.records[ONE].items() if k != "E164PhoneNumber"}
    run = chimenum("get", ONE, "-o", "csv")
    assert run.exit_code == 0, run.stderr
    (row,) = csv.DictReader(io.StringIO(run.stdout))
    assert (row["PhoneNumberId"], row["E164PhoneNumber"]) == (ONE, ONE)


# -- list -------------------------------------------------------------------------------------


def test_list_in_both_forms(fake: FakeChime, form: str, chimenum) -> None:
    e164s = [n["E164PhoneNumber"] for n in sample_numbers()]
    doc = json.loads(chimenum("list", "--json").stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == [served(form, e) for e in e164s]
    table = chimenum("list", "--columns", "number,id")
    assert table.exit_code == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()[2:]]
    assert rows == [[e, served(form, e)] for e in e164s]
    rows_csv = list(csv.DictReader(io.StringIO(chimenum("list", "-o", "csv").stdout)))
    assert [(r["PhoneNumberId"], r["E164PhoneNumber"]) for r in rows_csv] == [
        (served(form, e), e) for e in e164s
    ]


@pytest.mark.tooling
def test_list_json_equals_the_aws_cli_on_encoded_ids(fake: FakeChime, chimenum, aws_env: Path):
    print_iso8601(aws_env)
    ours = chimenum("list", "--json")
    theirs = aws_chime("list-phone-numbers")
    assert theirs.returncode == 0, theirs.stderr
    assert ours.exit_code == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


# -- wait -------------------------------------------------------------------------------------


def test_wait_in_both_forms(fake: FakeChime, form: str, chimenum) -> None:
    fake.move("+12065550105", "Assigned", after_requests=2)
    run = chimenum("wait", "%2B12065550105", ONE, "--status", "Assigned", "--interval", "0.05")
    assert run.exit_code == 0, run.stderr
    named = {line.split()[1] for line in run.stdout.splitlines()}
    assert named == {"+12065550105", ONE}
    assert set(fake.requested_ids()) == {"+12065550105", ONE}


# -- timestamps in every form botocore reads --------------------------------------------------


@pytest.mark.tooling
@pytest.mark.parametrize(
    "updated",
    [
        "Fri Aug 23 16:45:55 UTC 2019",  # AWS's published termination-health example
        "Fri, 23 Aug 2019 16:45:55 GMT",
        "2019-08-23T18:45:55+02:00",
        "1566578755",
        1566578755.5,
    ],
)
def test_timestamp_forms_botocore_reads(
    fake: FakeChime, chimenum, aws_env: Path, updated: str | float
) -> None:
    print_iso8601(aws_env)
    fake.records[ONE] = {**fake.records[ONE], "UpdatedTimestamp": updated}
    ours = chimenum("get", ONE, "--json")
    assert ours.exit_code == 0, ours.stderr
    theirs = aws_chime("get-phone-number", "--phone-number-id", ONE)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout
    shown = json.loads(ours.stdout)["PhoneNumber"]["UpdatedTimestamp"]
    assert int(dt.datetime.fromisoformat(shown).timestamp()) == 1566578755
    table = chimenum("get", ONE, "--utc")
    assert table.exit_code == 0, table.stderr
    (updated_row,) = [line for line in table.stdout.splitlines() if "Updated" in line]
    assert "2019-08-23 16:45:55 UTC" in updated_row
    listed = chimenum("list", "--columns", "number,updated")
    assert listed.stdout.splitlines()[2].split()[:2] == [ONE, "2019-08-23"]


# -- ids people copy: the ARN Chime SDK Voice prints, a +1 number one digit short ---------------


def printed_arn(chimenum, number: str) -> str:
    run = chimenum("get", number, "--json")
    assert run.exit_code == 0, run.stderr
    arn = json.loads(run.stdout)["PhoneNumber"]["PhoneNumberArn"]
    assert isinstance(arn, str) and arn.startswith("arn:aws:chime:")
    return arn


@pytest.mark.parametrize("segment", ["as printed", "encoded", "with its plus"])
def test_the_arn_voice_prints_is_accepted_by_get(
    fake: FakeChime, voice: None, chimenum, segment: str
) -> None:
    arn = printed_arn(chimenum, "+12065550111")
    head, _, digits = arn.rpartition("/")
    given = {
        "as printed": arn,
        "encoded": f"{head}/%2B{digits}",
        "with its plus": f"{head}/+{digits}",
    }
    fake.requests.clear()
    run = chimenum("get", given[segment], "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["PhoneNumberArn"] == arn
    assert fake.requested_ids() == ["+12065550111"]


def test_arns_are_ids_for_describe_wait_and_from_stdin_or_a_file(
    fake: FakeChime, voice: None, chimenum, tmp_path: Path
) -> None:
    arn = printed_arn(chimenum, "+12065550111")
    other = printed_arn(chimenum, "+12065550112")
    fake.requests.clear()
    described = chimenum("describe", arn, "--json")
    assert described.exit_code in (0, 15), described.stderr
    assert fake.requested_ids()[0] == "+12065550111"
    listed = tmp_path / "ids.txt"
    listed.write_text(f"{arn}\n{other}  # the fax line\n")
    fake.requests.clear()
    from_file = chimenum("get", "--from-file", str(listed), "--json")
    assert from_file.exit_code == 0, from_file.stderr
    assert sorted(fake.requested_ids()) == ["+12065550111", "+12065550112"]
    status = json.loads(from_file.stdout)["PhoneNumbers"][0]["Status"]
    fake.requests.clear()
    waited = chimenum("wait", "-", "--status", status, "--interval", "0.01", input=arn + "\n")
    assert waited.exit_code == 0, waited.stderr
    assert set(fake.requested_ids()) == {"+12065550111"}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("+1206555010", "a North American (+1) number has 10 digits after the 1, this one has 9"),
        ("+1 206 555 01000", "this one has 11"),
        ("+112065550100", "did you mean +12065550100?"),
        ("arn:aws:chime:us-east-1:111122223333:phone-number/1206555010", "this one has 9"),
        ("arn:aws:chime:us-east-1:111122223333:voice-connector/abcdef", "not a phone-number ARN"),
        ("arn:aws:sns:us-east-1:111122223333:phone-number/12065550100", "not a phone-number ARN"),
    ],
)
def test_a_wrong_id_is_refused_locally_with_a_hint(
    fake: FakeChime, chimenum, tmp_path: Path, bad: str, reason: str
) -> None:
    run = chimenum("get", bad, "--json")
    assert (run.exit_code, run.stdout) == (2, "")
    assert reason in run.stderr.splitlines()[-1]
    listed = tmp_path / "ids.txt"
    listed.write_text(f"+12065550100\n{bad}\n")
    from_file = chimenum("describe", "--from-file", str(listed))
    assert from_file.exit_code == 2
    assert reason in from_file.stderr and ":2:" in from_file.stderr
    assert fake.requests == []


def test_the_country_code_hint_and_the_nanp_hint_are_one_sentence(
    fake: FakeChime, chimenum
) -> None:
    """Ten digits without + and a +1 number one digit short both say what a +1 number is."""
    missing = chimenum("get", "2065550100").stderr
    short = chimenum("get", "+1206555010").stderr
    assert "the country code is missing (in North America: +12065550100)" in missing
    assert "(in North America: +1 and 10 digits, e.g. +12065550100)" in short
    assert fake.requests == []
