"""``chimenum diff``: documents chimenum wrote against the fake, changed through it, compared."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from testing.fakechime import FakeChime

CHANGED = 17
#: A number whose status the tests change, one they remove, and the one they add.
MOVED, GONE, NEW_NUMBER = "+12065550100", "+12065550101", "+12065550177"


def snapshot(chimenum, path: Path, *args: str) -> Path:
    run = chimenum(*args)
    assert run.exit_code in (0, 15), run.stderr
    path.write_text(run.stdout)
    return path


def change_inventory(fake: FakeChime) -> None:
    """Through the fake: one number unassigned, one released, one ordered."""
    fake.records[MOVED]["Status"] = "Unassigned"
    fake.records[MOVED]["CallingName"] = "Renamed"
    added = copy.deepcopy(fake.records.pop(GONE))
    added.update(PhoneNumberId=NEW_NUMBER.replace("+", "%2B"), E164PhoneNumber=NEW_NUMBER)
    fake.records[NEW_NUMBER] = added


def changes_of(stdout: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["Change"], c["E164PhoneNumber"]): c for c in json.loads(stdout)["Changes"]}


@pytest.mark.parametrize("written", [("--json",), ("-o", "ndjson")])
def test_a_listing_changed_through_the_api_is_reported(
    fake: FakeChime, chimenum, tmp_path: Path, written: tuple[str, ...]
) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", *written)
    change_inventory(fake)
    new = snapshot(chimenum, tmp_path / "new", "list", "-o", "ndjson")
    run = chimenum("diff", str(old), str(new), "--json")
    assert run.exit_code == CHANGED, run.stderr
    changes = changes_of(run.stdout)
    fields = changes[("NumberChanged", MOVED)]["Fields"]
    assert fields == [
        {"Field": "Status", "Old": "Assigned", "New": "Unassigned"},
        {"Field": "CallingName", "New": "Renamed"},
    ]
    assert changes[("NumberRemoved", GONE)]["Status"] == "Assigned"
    assert changes[("NumberAdded", NEW_NUMBER)]["ProductType"] == "VoiceConnector"
    assert len(changes) == 3
    summary = json.loads(run.stdout)["Summary"]
    assert summary["NumbersUnchanged"] == len(fake.records) - 2
    assert summary["Changed"] is True


def test_the_same_inventory_in_either_form_is_no_change(
    fake: FakeChime, chimenum, tmp_path: Path
) -> None:
    old = snapshot(chimenum, tmp_path / "old.json", "list", "--json")
    new = snapshot(chimenum, tmp_path / "new.ndjson", "list", "-o", "ndjson")
    run = chimenum("diff", str(old), str(new))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("no changes: 0 numbers added, 0 removed, 0 changed")
    # get --json of several ids is a numbers document too.
    ids = snapshot(chimenum, tmp_path / "get.json", "get", MOVED, GONE, "--json")
    assert chimenum("diff", str(ids), str(ids)).exit_code == 0


@pytest.mark.parametrize("output", ["table", "json", "ndjson", "csv"])
def test_every_format_says_the_same_changes(
    fake: FakeChime, chimenum, tmp_path: Path, output: str
) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--json")
    change_inventory(fake)
    new = snapshot(chimenum, tmp_path / "new", "list", "--json")
    run = chimenum("diff", str(old), str(new), "-o", output)
    assert run.exit_code == CHANGED, run.stderr
    if output == "table":
        lines = run.stdout.splitlines()
        assert lines[0].split() == ["CHANGE", "NUMBER", "WHAT", "OLD", "NEW"]
        assert ["changed", MOVED, "Status", "Assigned", "Unassigned"] in [
            ln.split() for ln in lines
        ]
        assert any(ln.split()[:2] == ["removed", GONE] for ln in lines[2:-1])
        assert lines[-1].startswith("1 numbers added, 1 removed, 1 changed")
    elif output == "ndjson":
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        assert {line.get("Change") for line in lines[:-1]} == {
            "NumberAdded",
            "NumberRemoved",
            "NumberChanged",
        }
        assert lines[-1]["Summary"]["NumbersChanged"] == 1
    elif output == "csv":
        rows = list(csv.DictReader(io.StringIO(run.stdout, newline="")))
        by_field = {(r["Change"], r["Field"]): r for r in rows}
        assert by_field[("NumberChanged", "Status")]["New"] == "Unassigned"
        assert by_field[("NumberChanged", "CallingName")]["New"] == "Renamed"
        assert by_field[("NumberRemoved", "")]["E164PhoneNumber"] == GONE
    else:
        assert len(json.loads(run.stdout)["Changes"]) == 3


def test_live_lists_now_with_the_same_filters(fake: FakeChime, chimenum, tmp_path: Path) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--status", "Assigned", "--json")
    fake.records[MOVED]["Status"] = "Unassigned"
    run = chimenum("diff", str(old), "--live", "--status", "Assigned", "--json")
    assert run.exit_code == CHANGED, run.stderr
    # Filtered out now: no longer Assigned, so no longer listed.
    assert set(changes_of(run.stdout)) == {("NumberRemoved", MOVED)}
    assert json.loads(run.stdout)["Summary"]["New"] == "live"
    assert chimenum("diff", str(tmp_path / "old"), "--live").exit_code == CHANGED
    same = chimenum("diff", str(old), "--live", "--status", "Assigned")
    assert same.exit_code == CHANGED  # MOVED is still gone from the filtered listing


def test_a_live_listing_that_stops_reports_no_removals(
    fake: FakeChime, chimenum, tmp_path: Path
) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--json")
    fake.inject("*", "ForbiddenException", message="not allowed")
    run = chimenum("diff", str(old), "--live", "-o", "ndjson")
    assert run.exit_code == 6
    assert "listing stopped after 0 numbers" in run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert lines == [{"Summary": {**lines[-1]["Summary"], "Complete": False}}]


def test_stdin_is_either_document(fake: FakeChime, chimenum, tmp_path: Path) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--json")
    change_inventory(fake)
    new = chimenum("list", "-o", "ndjson").stdout
    run = chimenum("diff", str(old), "-", "--json", input=new)
    assert run.exit_code == CHANGED, run.stderr
    assert json.loads(run.stdout)["Summary"]["New"] == "stdin"
    back = chimenum("diff", "-", str(old), "-o", "ndjson", input=new)
    assert {"Change": "NumberRemoved", "E164PhoneNumber": NEW_NUMBER} | {
        "Status": "Assigned",
        "ProductType": "VoiceConnector",
    } in [json.loads(line) for line in back.stdout.splitlines()]


def test_audit_documents_report_findings_new_and_resolved(
    fake: FakeChime, chimenum, tmp_path: Path
) -> None:
    old = snapshot(chimenum, tmp_path / "old", "audit", "--json")
    failed = next(n for n, r in fake.records.items() if r["Status"] == "DeleteFailed")
    fake.records[failed]["Status"] = "Assigned"
    fake.records[MOVED]["Status"] = "Unassigned"
    new = snapshot(chimenum, tmp_path / "new", "audit", "-o", "ndjson")
    run = chimenum("diff", str(old), str(new), "--json")
    assert run.exit_code == CHANGED, run.stderr
    changes = json.loads(run.stdout)["Changes"]
    resolved = {
        (c["E164PhoneNumber"], c["Code"]) for c in changes if c["Change"] == "FindingResolved"
    }
    new_ones = {(c["E164PhoneNumber"], c["Code"]) for c in changes if c["Change"] == "FindingNew"}
    assert (failed, "NUMBER_DELETE_FAILED") in resolved
    assert (MOVED, "NUMBER_UNASSIGNED") in new_ones
    assert all(c["Severity"] for c in changes)
    summary = json.loads(run.stdout)["Summary"]
    assert summary["Kind"] == "audit" and summary["FindingsUnchanged"] > 0
    again = chimenum("diff", str(new), str(new))
    assert again.exit_code == 0 and "no changes: 0 new findings" in again.stdout


def test_numbers_of_several_accounts_are_keyed_by_account(tmp_path: Path, chimenum) -> None:
    """The several-account shape: the same E.164 number in two accounts is two numbers."""

    def line(account: str, status: str) -> str:
        number = {"E164PhoneNumber": MOVED, "PhoneNumberId": "%2B12065550100", "Status": status}
        record = {"PhoneNumber": number, "Profile": "p", "AwsAccountId": account, "Region": "r"}
        return json.dumps(record) + "\n"

    old = tmp_path / "old.ndjson"
    old.write_text(line("111111111111", "Assigned") + line("222222222222", "Assigned"))
    new = tmp_path / "new.ndjson"
    new.write_text(line("222222222222", "Unassigned") + line("333333333333", "Assigned"))
    run = chimenum("diff", str(old), str(new), "--json")
    assert run.exit_code == CHANGED, run.stderr
    seen = {(c["Change"], c["AwsAccountId"]) for c in json.loads(run.stdout)["Changes"]}
    assert seen == {
        ("NumberRemoved", "111111111111"),
        ("NumberChanged", "222222222222"),
        ("NumberAdded", "333333333333"),
    }
    table = chimenum("diff", str(old), str(new))
    assert table.stdout.splitlines()[0].split()[:3] == ["CHANGE", "ACCOUNT", "NUMBER"]


def test_an_incomplete_new_document_reports_no_removals(
    fake: FakeChime, chimenum, tmp_path: Path
) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--json")
    doc = json.loads(old.read_text())
    doc["PhoneNumbers"] = doc["PhoneNumbers"][:2]
    new = tmp_path / "new.json"
    new.write_text(json.dumps({**doc, "NextToken": "abc", "Incomplete": True}))
    run = chimenum("diff", str(old), str(new), "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["Summary"]["Complete"] is False
    assert "new.json says it is incomplete" in run.stderr


NOT_JSON = '{\n    "PhoneNumbers": [\n        {"E164PhoneNumber": "+12065550100"},\n        oops\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NOT_JSON, "old.json: line 4: not JSON"),
        ("", "old.json: line 1: empty"),
        ('{"Foo": 1}\n', "old.json: line 1: not a document chimenum wrote"),
        ("[1, 2]\n", "old.json: line 1: not JSON: expected an object"),
        ('{"PhoneNumbers": [1]}', "old.json: line 1: not a chimenum document"),
        (
            '{"PhoneNumber": {"E164PhoneNumber": "+12065550100"}}\n{"Summary": {}}\n',
            "old.json: line 2: audit records in a numbers document",
        ),
    ],
)
def test_an_old_document_that_is_not_one_is_exit_2_naming_the_line(
    chimenum, tmp_path: Path, text: str, message: str
) -> None:
    old = tmp_path / "old.json"
    old.write_text(text)
    run = chimenum("diff", str(old), str(old))
    assert run.exit_code == 2
    assert run.stdout == ""
    [line] = run.stderr.splitlines()
    assert f"error: {old.parent}/{message}" in line, line


def test_a_new_document_of_another_kind_is_exit_2(fake: FakeChime, chimenum, tmp_path) -> None:
    old = snapshot(chimenum, tmp_path / "old", "list", "--json")
    new = snapshot(chimenum, tmp_path / "new", "audit", "--json")
    run = chimenum("diff", str(old), str(new), "-o", "ndjson")
    assert run.exit_code == 2
    assert "new: line " in run.stderr
    assert ": audit records in a numbers document" in run.stderr
    assert "Traceback" not in run.stderr
    bad_bytes = tmp_path / "latin1"
    bad_bytes.write_bytes(b'{"PhoneNumbers": [{"Name": "caf\xe9"}]}')
    run = chimenum("diff", str(old), str(bad_bytes))
    assert run.exit_code == 2 and "not UTF-8" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json", "missing.json"], "cannot read missing.json"),
        (["-", "-"], "at most one of OLD and NEW"),
        (["a.json"], "give NEW or --live"),
        (["a.json", "b.json", "--live"], "give NEW or --live"),
        (["a.json", "b.json", "--status", "Assigned"], "only with --live"),
    ],
)
def test_usage_errors(chimenum, args: list[str], message: str) -> None:
    run = chimenum("diff", *args)
    assert run.exit_code == 2
    assert message in run.stderr


def test_live_needs_a_numbers_document(fake: FakeChime, chimenum, tmp_path: Path) -> None:
    old = snapshot(chimenum, tmp_path / "old", "audit", "-o", "ndjson")
    run = chimenum("diff", str(old), "--live")
    assert run.exit_code == 2
    assert "--live compares a numbers document" in run.stderr


def test_hostile_values_in_a_document_are_inert(chimenum, tmp_path: Path) -> None:
    evil = '=HYPERLINK("x")\x1b]0;pwned\x07\u202e'
    old = tmp_path / "old.ndjson"
    old.write_text(json.dumps({"PhoneNumber": {"E164PhoneNumber": MOVED, "Name": "a"}}) + "\n")
    new = tmp_path / "new.ndjson"
    new.write_text(json.dumps({"PhoneNumber": {"E164PhoneNumber": MOVED, "Name": evil}}) + "\n")
    for output in ("table", "json", "ndjson", "csv"):
        run = chimenum("diff", str(old), str(new), "-o", output)
        assert run.exit_code == CHANGED
        assert "\x1b" not in run.stdout and "\x07" not in run.stdout, output
        assert "\u202e" not in run.stdout, output
        if output == "csv":
            assert "'=HYPERLINK" in run.stdout
