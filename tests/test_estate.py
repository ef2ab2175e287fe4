"""Several profiles and regions in one run: the CLI over every (profile, region) pair, against the
fake's accounts (chosen by the access key a request is signed with) and its STS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chimenum.core.errors import ExitCode
from chimenum.demo import sample_numbers, sample_voice_numbers
from chimenum.output.formats import Document, entries
from testing.fakechime import FakeChime

PROD_KEY, STAGING_KEY = "AKIDESTATEPROD000001", "AKIDESTATESTAGING001"


@pytest.fixture
def profiles(aws_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An AWS config with two profiles, each with its own keys; none from the environment."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (aws_env / "aws-credentials").write_text(
        f"[prod]\naws_access_key_id = {PROD_KEY}\naws_secret_access_key = prod-secret\n"
        f"[staging]\naws_access_key_id = {STAGING_KEY}\naws_secret_access_key = st-secret\n"
        "[default]\naws_access_key_id = AKIDCHIMENUMTEST0000\n"
        "aws_secret_access_key = chimenum-test-secret\n"
    )
    (aws_env / "aws-config").write_text("[default]\nregion = us-east-1\n")
    return aws_env


@pytest.fixture
def estate(fake: FakeChime, profiles: Path) -> FakeChime:
    """prod (111111111111): two Chime numbers; Chime SDK Voice: one number every region
    answers, one only us-east-1 has, one only us-west-2 has. staging (222222222222): one Chime
    number, one voice number account-wide."""
    from chimenum.demo.accounts import ANY_REGION, Account

    chime, voice = sample_numbers(), sample_voice_numbers()
    fake.accounts[PROD_KEY] = Account(
        "111111111111",
        chime[:2],
        voice_records={ANY_REGION: voice[:1], "us-east-1": voice[1:2], "us-west-2": voice[2:3]},
    )
    fake.accounts[STAGING_KEY] = Account(
        "222222222222", chime[2:3], voice_records={ANY_REGION: voice[3:4]}
    )
    return fake


def numbers_of(out: str) -> list[dict[str, Any]]:
    return list(json.loads(out)["PhoneNumbers"])


Cli = Callable[..., Any]


def test_two_profiles_each_record_says_where_it_came_from(chimenum: Cli, estate: FakeChime) -> None:
    run = chimenum("--profile", "prod", "--profile", "staging", "list", "--json")
    assert run.exit_code == 0, run.stderr
    got = [(n["Profile"], n["AwsAccountId"], n["Region"]) for n in numbers_of(run.stdout)]
    assert got == [("prod", "111111111111", "us-east-1")] * 2 + [
        ("staging", "222222222222", "us-east-1")
    ]
    # Each profile identified once.
    assert estate.count("GetCallerIdentity") == 2


def test_regions_of_one_account_are_one_record(chimenum: Cli, estate: FakeChime) -> None:
    run = chimenum(
        "--api", "voice", "--profile", "prod", "--region", "us-east-1", "--region", "us-west-2",
        "list", "-o", "ndjson",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    records = [json.loads(line)["PhoneNumber"] for line in run.stdout.splitlines()]
    by_number = {r["E164PhoneNumber"]: r["Regions"] for r in records}
    voice = sample_voice_numbers()
    assert len(records) == len(by_number) == 3
    assert by_number[voice[0]["E164PhoneNumber"]] == ["us-east-1", "us-west-2"]
    assert by_number[voice[1]["E164PhoneNumber"]] == ["us-east-1"]
    assert by_number[voice[2]["E164PhoneNumber"]] == ["us-west-2"]
    assert {r["Region"] for r in records} == {"us-east-1", "us-west-2"}


def test_a_broken_account_is_one_line_and_the_others_finish(
    chimenum: Cli, estate: FakeChime
) -> None:
    estate.break_account(STAGING_KEY, "ExpiredTokenException")
    run = chimenum("--profile", "prod", "--profile", "staging", "list", "--json")
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "error: profile staging in us-east-1: ExpiredToken" in lines[0]
    assert {n["Profile"] for n in numbers_of(run.stdout)} == {"prod"}
    assert json.loads(run.stdout)["Incomplete"] is True
    assert run.exit_code == 10


def test_unknown_profile_is_its_pair_only(chimenum: Cli, estate: FakeChime) -> None:
    run = chimenum("--profile", "prod", "--profile", "nope", "list", "-o", "ndjson")
    assert "error: profile nope in " in run.stderr
    assert run.stdout.count("\n") == 2
    assert run.exit_code == 10


def test_audit_over_two_accounts_counts_per_account_and_region(
    chimenum: Cli, estate: FakeChime
) -> None:
    run = chimenum(
        "--profile", "prod", "--profile", "staging", "audit", "--json", "--fail-on", "never"
    )
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["Summary"]["Numbers"] == 3
    assert doc["Summary"]["ByAwsAccountId"] == {"111111111111": 2, "222222222222": 1}
    assert doc["Summary"]["ByRegion"] == {"us-east-1": 3}
    assert {f["AwsAccountId"] for f in doc["Findings"]} <= {"111111111111", "222222222222"}
    assert all(f["Profile"] in ("prod", "staging") for f in doc["Findings"])


def test_mutelist_matches_an_account(chimenum: Cli, estate: FakeChime, tmp_path: Path) -> None:
    rules = tmp_path / "mutes.yaml"
    rules.write_text(
        "- AwsAccountId: '222222222222'\n  Reason: staging is not ours\n  Expires: 2999-01-01\n"
    )
    run = chimenum(
        "--profile", "prod", "--profile", "staging", "audit", "--json",
        "--fail-on", "never", "--mutelist", str(rules),
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    findings = json.loads(run.stdout)["Findings"]
    staging = [f for f in findings if f["AwsAccountId"] == "222222222222"]
    assert staging and all(f.get("Muted") for f in staging)
    assert not any(f.get("Muted") for f in findings if f["AwsAccountId"] == "111111111111")


def test_diff_reads_the_several_account_document(
    chimenum: Cli, estate: FakeChime, tmp_path: Path
) -> None:
    both = ("--profile", "prod", "--profile", "staging")
    old = tmp_path / "old.json"
    old.write_text(chimenum(*both, "list", "--json").stdout)
    new = tmp_path / "new.json"
    new.write_text(chimenum("--profile", "prod", "list", "--json").stdout)
    run = chimenum("diff", str(old), str(new), "--json")
    assert run.exit_code != 0
    # The one-pair document has no AwsAccountId: every number of it is "new" beside the
    # several-account one's, which are all removed.
    assert "222222222222" in run.stdout


def test_assume_role_into_each_account(chimenum: Cli, estate: FakeChime, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("# the estate\n111111111111\n222222222222  # staging\n")
    run = chimenum(
        "--assume-role-arn", "arn:aws:iam::{account}:role/Auditor",
        "--accounts", str(accounts), "list", "--json",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    got = {(n["Profile"], n["AwsAccountId"]) for n in numbers_of(run.stdout)}
    assert got == {(None, "111111111111"), (None, "222222222222")}
    assert estate.count("AssumeRole") == 2


def test_assume_role_refused_names_the_account(
    chimenum: Cli, estate: FakeChime, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("111111111111\n999999999999\n")
    run = chimenum(
        "--assume-role-arn", "arn:aws:iam::{account}:role/Auditor",
        "--accounts", str(accounts), "list", "-o", "ndjson",
    )  # fmt: skip
    assert "error: account 999999999999 in " in run.stderr
    assert "AccessDenied" in run.stderr
    assert run.stdout.count("\n") == 2
    assert run.exit_code == 6


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--region", "us-east-1", "--region", "us-west-2", "list"), "--api chime"),
        (("--all-regions", "list"), "--api voice"),
        (("--api", "voice", "--all-regions", "--region", "us-east-1", "list"), "one or the other"),
        (("--assume-role-arn", "arn:aws:iam::{account}:role/A", "list"), "go together"),
        (("list", "--profile", "a", "--profile", "b", "--starting-token", "x"), "one profile"),
    ],
)
def test_usage_errors(chimenum: Cli, fake: FakeChime, aws_env: Path, args: Any, said: str) -> None:
    run = chimenum(*args)
    assert run.exit_code == 2
    assert said in run.stderr
    assert fake.requests == []


def test_accounts_file_names_the_bad_line(chimenum: Cli, aws_env: Path, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("111111111111\n12345\n")
    run = chimenum(
        "--assume-role-arn", "arn:aws:iam::{account}:role/A", "--accounts", str(accounts), "list"
    )
    assert run.exit_code == 2
    assert "line 2" in run.stderr and "12345" in run.stderr


def test_one_profile_given_twice_is_one_pair(chimenum: Cli, fake: FakeChime, aws_env: Path) -> None:
    once = chimenum("list", "--json")
    twice = chimenum("--region", "us-east-1", "--region", "us-east-1", "list", "--json")
    assert twice.exit_code == once.exit_code == 0
    assert twice.stdout == once.stdout
    assert "Profile" not in once.stdout


def test_the_table_says_account_region_and_profile(chimenum: Cli, estate: FakeChime) -> None:
    run = chimenum("--profile", "prod", "--profile", "staging", "list")
    assert run.exit_code == 0, run.stderr
    header = run.stdout.splitlines()[0].split()
    assert header[:7] == ["Phone", "number", "Status", "Associations", "AWS", "account", "Region"]
    assert "Profile" in header
    assert run.stdout.count("222222222222") == 1


def test_csv_rows_carry_the_pair(chimenum: Cli, estate: FakeChime) -> None:
    import csv
    import io

    run = chimenum("--profile", "prod", "--profile", "staging", "list", "-o", "csv")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["Profile"], r["AwsAccountId"], r["Region"]) for r in rows][-1] == (
        "staging",
        "222222222222",
        "us-east-1",
    )


BOTH = ("--profile", "prod", "--profile", "staging")
VOICE_REGIONS = ("--api", "voice", "--profile", "prod", "--region", "us-east-1",
                 "--region", "us-west-2")  # fmt: skip


def test_get_finds_an_id_in_whichever_pair_has_it(chimenum: Cli, estate: FakeChime) -> None:
    staging_only = sample_numbers()[2]["E164PhoneNumber"]
    run = chimenum(*BOTH, "get", staging_only, "--json")
    # prod said not found: no error, since staging had it.
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    number = json.loads(run.stdout)["PhoneNumber"]
    assert (number["Profile"], number["AwsAccountId"]) == ("staging", "222222222222")
    assert estate.count("GetPhoneNumber") == 2


def test_get_not_found_only_when_every_pair_says_so(chimenum: Cli, estate: FakeChime) -> None:
    prod_only = sample_numbers()[0]["E164PhoneNumber"]
    run = chimenum(*BOTH, "get", prod_only, "+12065559999", "--json")
    assert run.exit_code == 3
    doc = json.loads(run.stdout)
    assert [n["E164PhoneNumber"] for n in doc["PhoneNumbers"]] == [prod_only]
    (error,) = doc["PhoneNumberErrors"]
    assert error["ErrorCode"] == "NotFoundException"
    assert "not found by any of the 2 pairs asked" in error["ErrorMessage"]
    assert [(p["Profile"], p["Numbers"], p["ExitCode"]) for p in doc["Pairs"]] == [
        ("prod", 1, 0),
        ("staging", 0, 0),
    ]


def test_get_a_pair_that_could_not_be_asked_is_not_not_found(
    chimenum: Cli, estate: FakeChime
) -> None:
    estate.break_account(STAGING_KEY, "ExpiredTokenException")
    run = chimenum(*BOTH, "get", sample_numbers()[2]["E164PhoneNumber"], "-o", "ndjson")
    assert run.exit_code == 10
    assert "NotFound" not in run.stderr
    assert "profile staging in us-east-1 could not be asked (ExpiredToken" in run.stderr


def test_get_a_region_that_failed_is_named(chimenum: Cli, estate: FakeChime) -> None:
    voice = sample_voice_numbers()
    everywhere, west_only = voice[0]["E164PhoneNumber"], voice[2]["E164PhoneNumber"]
    for number in (everywhere, west_only):
        estate.inject(number, "ForbiddenException", region="us-west-2")
    run = chimenum(*VOICE_REGIONS, "get", everywhere, west_only, "--json")
    doc = json.loads(run.stdout)
    # Found in us-east-1, but us-west-2 refused: the record stands, the refusal is named.
    (found,) = doc["PhoneNumbers"]
    assert (found["E164PhoneNumber"], found["Regions"]) == (everywhere, ["us-east-1"])
    (error,) = doc["PhoneNumberErrors"]
    assert error["ErrorCode"] == "ForbiddenException"
    assert "profile prod in us-west-2: ForbiddenException" in error["ErrorMessage"]
    assert "not found by the other 1" in error["ErrorMessage"]
    assert f"error: {everywhere}: profile prod in us-west-2: ForbiddenException" in run.stderr
    assert run.exit_code == 6
    west = doc["Pairs"][1]
    assert (west["Region"], west["ExitCode"], west["Numbers"]) == ("us-west-2", 6, 0)
    assert west["Error"].startswith("ForbiddenException: ")


def test_get_regions_of_one_account_are_one_record(chimenum: Cli, estate: FakeChime) -> None:
    everywhere = sample_voice_numbers()[0]["E164PhoneNumber"]
    run = chimenum(*VOICE_REGIONS, "get", everywhere, everywhere, "-o", "ndjson")
    assert run.exit_code == 0, run.stderr
    lines = [json.loads(line)["PhoneNumber"] for line in run.stdout.splitlines()]
    assert [n["Regions"] for n in lines] == [["us-east-1", "us-west-2"]] * 2


def test_describe_over_two_accounts(chimenum: Cli, estate: FakeChime) -> None:
    staging_only = sample_numbers()[2]["E164PhoneNumber"]
    run = chimenum(*BOTH, "describe", staging_only, "+12065559999", "--json", "--fail-on", "never")
    assert run.exit_code == 3, run.stderr
    doc = json.loads(run.stdout)
    (described,) = doc["Descriptions"]
    assert described["PhoneNumber"]["AwsAccountId"] == "222222222222"
    assert all(f["AwsAccountId"] == "222222222222" for f in described["Findings"])
    assert doc["PhoneNumberErrors"][0]["PhoneNumberId"] == "+12065559999"
    assert [p["Numbers"] for p in doc["Pairs"]] == [0, 1]
    tree = chimenum(*BOTH, "describe", staging_only, "--fail-on", "never")
    assert tree.exit_code == 0, tree.stderr
    assert "222222222222 us-east-1" in tree.stdout.splitlines()[0]


def test_list_json_ends_with_each_pairs_summary(chimenum: Cli, estate: FakeChime) -> None:
    estate.break_account(STAGING_KEY, "ExpiredTokenException")
    run = chimenum(*BOTH, "list", "--json")
    doc = json.loads(run.stdout)
    assert doc["Pairs"][0] == {
        "Profile": "prod",
        "AwsAccountId": "111111111111",
        "Region": "us-east-1",
        "Numbers": 2,
        "ExitCode": 0,
        "Error": None,
    }
    staging = doc["Pairs"][1]
    assert (staging["Profile"], staging["ExitCode"]) == ("staging", 10)
    assert staging["Error"].startswith("ExpiredToken")
    # docs/scripting.md's example: the pairs that failed, and why.
    query = "Pairs[?ExitCode!=`0`].[Profile,Region,ExitCode]"
    failed = chimenum(*BOTH, "list", "--query", query, "-o", "json")
    assert json.loads(failed.stdout) == [["staging", "us-east-1", 10]]


def test_the_audit_table_says_where_each_finding_is(chimenum: Cli, estate: FakeChime) -> None:
    run = chimenum(*BOTH, "audit", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith(("error", "warning"))]
    assert lines and all(" us-east-1 " in line for line in lines)
    assert any("222222222222" in line for line in lines)


#: What each document kind's records carry in a several-pair run (docs/estate.md); a diff's
#: changes are keyed by account and number.
WHERE = {
    "numbers": ("Profile", "AwsAccountId", "Region"),
    "descriptions": ("Profile", "AwsAccountId", "Region"),
    "audit": ("Profile", "AwsAccountId", "Region"),
    "changes": ("AwsAccountId",),
}
ACCOUNTS = ("111111111111", "222222222222")


def _records(value: Any) -> Iterator[dict[str, Any]]:
    """Every number, finding or change in a parsed document (not the ``Pairs`` summary)."""
    if isinstance(value, dict):
        if "E164PhoneNumber" in value or "Severity" in value:
            yield value
        for key, inner in value.items():
            if key not in ("Pairs", "Resolved", "Summary"):
                yield from _records(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _records(inner)


def _parsed(fmt: str, out: str) -> Any:
    import yaml

    if fmt == "ndjson":
        return [json.loads(line) for line in out.splitlines()]
    return yaml.safe_load(out) if fmt == "yaml" else json.loads(out)


def _two_pair_run(chimenum: Cli, tmp_path: Path, document: str, fmt: str) -> Any:
    output = ("--json",) if fmt == "json" else ("-o", fmt)
    ids = [n["E164PhoneNumber"] for n in sample_numbers()[1:3]]  # one of prod's, staging's
    if document == "numbers":
        return chimenum(*BOTH, "list", *output)
    if document == "descriptions":
        return chimenum(*BOTH, "describe", *ids, *output, "--fail-on", "never")
    if document == "audit":
        return chimenum(*BOTH, "audit", *output, "--fail-on", "never")
    old = json.loads(chimenum(*BOTH, "list", "--json").stdout)
    new = json.loads(json.dumps(old))
    for number in new["PhoneNumbers"]:
        number["Status"] = "Releasing"  # a change in each account
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return chimenum("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), *output)


@pytest.mark.slow
@pytest.mark.parametrize(("document", "fmt"), entries())
def test_every_format_says_where_each_record_came_from(
    chimenum: Cli, estate: FakeChime, tmp_path: Path, document: Document, fmt: str
) -> None:
    run = _two_pair_run(chimenum, tmp_path, document, fmt)
    changed = ExitCode.CHANGED if document == "changes" else ExitCode.OK
    assert run.exit_code == changed, run.stderr
    assert not run.stderr
    if fmt == "name":  # numbers only, by definition
        known = {n["E164PhoneNumber"] for n in sample_numbers()[:3]}
        assert set(run.stdout.split()) <= known and run.stdout
        return
    for account in ACCOUNTS:
        assert account in run.stdout, (document, fmt)
    fields = WHERE[document]
    if fmt == "csv":
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        assert rows
        assert all(row[field] for row in rows for field in fields)
    elif fmt in ("json", "ndjson", "yaml"):
        records = list(_records(_parsed(fmt, run.stdout)))
        assert records
        assert all(record.get(field) for record in records for field in fields)
    elif document == "numbers" and fmt in ("table", "wide"):
        header = run.stdout.splitlines()[0]
        assert all(column in header for column in ("AWS account", "Region", "Profile"))


def test_audit_csv_over_two_regions_says_every_region(chimenum: Cli, estate: FakeChime) -> None:
    import csv
    import io

    run = chimenum(*VOICE_REGIONS, "audit", "-o", "csv", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    everywhere = sample_voice_numbers()[0]["E164PhoneNumber"]
    mine = [r for r in rows if r["PhoneNumberId"] in (everywhere, everywhere.replace("+", "%2B"))]
    assert mine and all(json.loads(r["Regions"]) == ["us-east-1", "us-west-2"] for r in mine)
    assert all(r["AwsAccountId"] == "111111111111" and r["Profile"] == "prod" for r in rows)


def test_diff_live_over_several_pairs(chimenum: Cli, estate: FakeChime, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(chimenum(*BOTH, "list", "--json").stdout)
    same = chimenum("diff", str(old), "--live", *BOTH, "--json")
    assert same.exit_code == 0, same.stderr + same.stdout
    assert json.loads(same.stdout)["Summary"]["NumbersUnchanged"] == 3
    # Staging's number changes; prod's are as they were.
    staging = sample_numbers()[2]["E164PhoneNumber"]
    doc = json.loads(old.read_text())
    for number in doc["PhoneNumbers"]:
        if number["E164PhoneNumber"] == staging:
            number["Status"] = "Releasing"
    old.write_text(json.dumps(doc))
    run = chimenum("diff", str(old), "--live", *BOTH, "--json")
    assert run.exit_code == ExitCode.CHANGED, run.stderr
    (change,) = json.loads(run.stdout)["Changes"]
    assert (change["AwsAccountId"], change["E164PhoneNumber"]) == ("222222222222", staging)
    assert change["Fields"][0]["Old"] == "Releasing"


def test_diff_live_a_failed_pair_removes_nothing(
    chimenum: Cli, estate: FakeChime, tmp_path: Path
) -> None:
    old = tmp_path / "old.json"
    old.write_text(chimenum(*BOTH, "list", "--json").stdout)
    estate.break_account(STAGING_KEY, "ExpiredTokenException")
    run = chimenum("diff", str(old), "--live", *BOTH, "--json")
    assert "error: profile staging in us-east-1: ExpiredToken" in run.stderr
    assert json.loads(run.stdout)["Summary"]["NumbersRemoved"] == 0
    assert run.exit_code == 10


def test_a_region_that_fails_fails_only_its_own_pair(chimenum: Cli, aws_env: Path) -> None:
    # The demo, as the README runs it: no endpoint configured, so the region is checked.
    run = chimenum(
        "--demo", "--api", "voice", "--profile", "demo-prod", "--region", "ap-south-2",
        "--region", "us-west-2", "list", "--json",
    )  # fmt: skip
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "profile demo-prod in ap-south-2: InvalidRegion" in lines[0]
    doc = json.loads(run.stdout)
    assert {n["Region"] for n in doc["PhoneNumbers"]} == {"us-west-2"}
    assert len(doc["PhoneNumbers"]) == 3
    bad, west = doc["Pairs"]
    assert (bad["Region"], bad["Error"].split(":")[0]) == ("ap-south-2", "InvalidRegion")
    assert (run.exit_code, bad["ExitCode"], west["ExitCode"]) == (2, 2, 0)
    assert (west["Region"], west["AwsAccountId"], west["Error"]) == (
        "us-west-2",
        "111111111111",
        None,
    )


def test_a_region_refused_is_not_blamed_on_the_next(chimenum: Cli, estate: FakeChime) -> None:
    estate.inject("sts:GetCallerIdentity", "ForbiddenException", region="us-east-1")
    run = chimenum(*VOICE_REGIONS, "list", "--json")
    doc = json.loads(run.stdout)
    east, west = doc["Pairs"]
    assert (east["Region"], east["ExitCode"]) == ("us-east-1", 6)
    assert "AccessDenied" in east["Error"]
    assert (west["Region"], west["Error"], west["Numbers"]) == ("us-west-2", None, 2)
    assert "in us-west-2" not in run.stderr


def test_an_assumed_account_is_in_the_region_of_the_profile_it_is_assumed_from(
    chimenum: Cli, estate: FakeChime, profiles: Path, tmp_path: Path
) -> None:
    (profiles / "aws-config").write_text(
        "[default]\nregion = us-east-1\n[profile prod]\nregion = us-west-2\n"
    )
    accounts = tmp_path / "accounts"
    accounts.write_text("222222222222\n")
    run = chimenum(
        "--api", "voice", "--profile", "prod", "--assume-role-arn",
        "arn:aws:iam::{account}:role/Auditor", "--accounts", str(accounts), "list", "--json",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [p["Region"] for p in doc["Pairs"]] == ["us-west-2"]
    assert {n["Region"] for n in doc["PhoneNumbers"]} == {"us-west-2"}


def test_two_profiles_of_one_account_count_its_region_once(
    chimenum: Cli, estate: FakeChime, profiles: Path
) -> None:
    with (profiles / "aws-credentials").open("a") as credentials:
        credentials.write(f"[prod2]\naws_access_key_id = {PROD_KEY}\naws_secret_access_key = x\n")
    args = ("--api", "voice", "--profile", "prod", "--profile", "prod2")
    run = chimenum(*args, "--region", "us-east-1", "--region", "us-west-2", "list", "--json")
    assert run.exit_code == 0, run.stderr
    assert all(len(set(n["Regions"])) == len(n["Regions"]) for n in numbers_of(run.stdout))
    audit = chimenum(*args, "--region", "us-east-1", "audit", "--json", "--fail-on", "never")
    assert audit.exit_code == 0, audit.stderr
    summary = json.loads(audit.stdout)["Summary"]
    assert summary["ByRegion"] == {"us-east-1": summary["Numbers"]}


def test_debug_over_assume_role_prints_no_issued_credential(
    chimenum: Cli, estate: FakeChime, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("111111111111\n222222222222\n")
    run = chimenum(
        "--debug", "--assume-role-arn", "arn:aws:iam::{account}:role/Auditor",
        "--accounts", str(accounts), "list", "-o", "csv",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr[-2000:]
    issued = [value for pair in estate.issued.values() for value in pair]
    assert len(issued) == 4
    # botocore logged both answers' bodies: the elements are there, their values are not.
    assert run.stderr.count("<SecretAccessKey><redacted></SecretAccessKey>") == 2
    assert run.stderr.count("<SessionToken><redacted></SessionToken>") == 2
    for secret in (*issued, "chimenum-test-secret"):
        assert secret not in run.stderr


def test_debug_over_get_caller_identity_prints_no_credential(
    chimenum: Cli, estate: FakeChime, profiles: Path
) -> None:
    token = "prod-session-token-" + "x" * 40
    credentials = profiles / "aws-credentials"
    credentials.write_text(
        credentials.read_text().replace(
            "aws_secret_access_key = prod-secret\n",
            f"aws_secret_access_key = prod-secret\naws_session_token = {token}\n",
        )
    )
    run = chimenum("--debug", "--profile", "prod", "--profile", "staging", "list", "-o", "csv")
    assert run.exit_code == 0, run.stderr[-2000:]
    assert "GetCallerIdentity" in run.stderr
    for secret in ("prod-secret", "st-secret", token):
        assert secret not in run.stderr


def test_get_an_id_only_a_usage_error_met_is_reported_and_the_found_one_printed(
    chimenum: Cli,
) -> None:
    run = chimenum(
        "--demo", "--api", "voice", "--profile", "demo-prod", "--region", "us-east-1",
        "--region", "ap-south-2", "get", "+19995550000", "+12125550100", "--json",
    )  # fmt: skip
    assert run.exit_code == ExitCode.USAGE, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    doc = json.loads(run.stdout)
    assert [n["E164PhoneNumber"] for n in doc["PhoneNumbers"]] == ["+12125550100"]
    assert [(e["PhoneNumberId"], e["ErrorCode"]) for e in doc["PhoneNumberErrors"]] == [
        ("+19995550000", "InvalidRegion")
    ]


def test_wait_over_several_pairs_is_refused_not_answered_from_the_first(chimenum: Cli) -> None:
    # demo-staging holds the number: asking demo-prod alone would call it not found.
    run = chimenum(
        "--demo", "--api", "voice", "--profile", "demo-prod", "--profile", "demo-staging",
        "--region", "us-east-1", "wait", "+13125550111", "--status", "Unassigned",
    )  # fmt: skip
    assert run.exit_code == 2
    assert "wait reads one profile in one region" in run.stderr
    assert "NotFound" not in run.stderr and run.stdout == ""
