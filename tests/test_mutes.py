"""`--mutelist` and `--baseline`: accepted findings muted with a reason, an earlier audit
compared with; through the CLI and the fake, the day injected (CHIMENUM_TODAY)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from chimenum.core.errors import ExitCode
from testing.fakechime import FakeChime

#: Every error finding of the demo's inventory, muted until 2030; NUMBER_UNASSIGNED (an error
#: for describe) for the toll-free number only; one rule that matches nothing.
MUTES = """\
# accepted while the IVR is rebuilt
- Code: SIP_RULE_DISABLED
  Reason: IVR paused during the migration
  Owner: voice-team@example.com
  Expires: 2030-01-01
- Code: SIP_MEDIA_APPLICATION_MISSING
  Number: "+1206555010*"
  Reason: the IVR's application is being rebuilt
  Expires: 2030-01-01
- Code: DANGLING_ASSOCIATION
  ResourceId: zyxwvu9tsrq8ponml7kji6
  Reason: connector deleted, number on its way out
  Expires: 2030-01-01
- Number: "+1206555010[6-9]"
  Reason: failed lifecycle operations, ticket 4711
  Expires: 2030-01-01
- Number: "+12065550110"
  Region: us-east-1
  Reason: failed deletion, ticket 4712
  Expires: 2030-01-01
- Code: NUMBER_UNASSIGNED
  Number: "+1888*"
  Reason: spare toll-free number
  Expires: 2030-01-01
- Code: PORTIN_EXCEPTION
  Reason: no port-in in flight
"""
STALE_LINE = MUTES.splitlines().index("- Code: PORTIN_EXCEPTION") + 1


@pytest.fixture
def mutelist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHIMENUM_TODAY", "2025-01-01")
    path = tmp_path / "mutes.yaml"
    path.write_text(MUTES)
    return str(path)


def _audit(chimenum, *args: str):  # type: ignore[no-untyped-def]
    return chimenum("--api", "voice", "--region", "us-east-1", "audit", *args)


def test_muted_findings_never_fail_and_say_why(fake: FakeChime, chimenum, mutelist) -> None:
    assert _audit(chimenum, "--json").exit_code == ExitCode.FINDINGS
    run = _audit(chimenum, "--json", "--mutelist", mutelist)
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    muted = {f["Code"]: f for f in doc["Findings"] if f.get("Muted")}
    assert muted["SIP_RULE_DISABLED"]["MuteReason"] == "IVR paused during the migration"
    assert muted["SIP_RULE_DISABLED"]["MuteOwner"] == "voice-team@example.com"
    assert all(f["Severity"] != "error" for f in doc["Findings"] if not f.get("Muted"))
    # Still counted in the summary: muted, not hidden.
    assert doc["Summary"]["FindingsBySeverity"]["error"] == sum(
        f["Severity"] == "error" for f in doc["Findings"]
    )
    assert doc["Summary"]["Mutes"]["Muted"] == len(muted) + sum(
        f.get("Muted", False) for f in doc["Findings"] if f["Code"] not in muted
    )
    # A warning still fails --fail-on warning; the muted errors do not.
    assert _audit(chimenum, "--mutelist", mutelist, "--fail-on", "warning").exit_code == 15


@pytest.mark.slow
@pytest.mark.parametrize("output", ["table", "json", "ndjson", "csv", "text"])
def test_every_audit_format_marks_a_muted_finding(
    fake: FakeChime, chimenum, mutelist, output: str
) -> None:
    run = _audit(chimenum, "-o", output, "--mutelist", mutelist)
    assert run.exit_code == 0, run.stderr
    if output == "table":
        words = " ".join(run.stdout.split())  # a message wraps at the table's width
        assert "SIP_RULE_DISABLED muted (IVR paused during the migration): SIP rule" in words
    elif output == "csv":
        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        row = next(r for r in rows if r["Code"] == "SIP_RULE_DISABLED")
        assert (row["Muted"], row["MuteReason"]) == ("true", "IVR paused during the migration")
        other = next(r for r in rows if r["Code"] == "ORIGINATION_DISABLED")
        assert (other["Muted"], other["MuteReason"]) == ("false", "")
    elif output == "ndjson":
        lines = [json.loads(x) for x in run.stdout.splitlines()]
        found = next(x for x in lines if x.get("Code") == "SIP_RULE_DISABLED")
        assert found["Muted"] is True and found["MuteReason"].startswith("IVR paused")
        assert lines[-1]["Summary"]["Mutes"]["MatchedNothing"][0]["Code"] == "PORTIN_EXCEPTION"
    else:
        assert "IVR paused during the migration" in run.stdout
        assert "PORTIN_EXCEPTION" in run.stdout  # the rule that matched nothing


def test_a_rule_that_matched_nothing_is_listed(fake: FakeChime, chimenum, mutelist) -> None:
    doc = json.loads(_audit(chimenum, "--json", "--mutelist", mutelist).stdout)
    assert doc["Summary"]["Mutes"]["MatchedNothing"] == [
        {"Line": STALE_LINE, "Code": "PORTIN_EXCEPTION", "Reason": "no port-in in flight"}
    ]
    table = _audit(chimenum, "--mutelist", mutelist).stdout
    assert "Mute rules that matched nothing (1):" in table
    assert f"line {STALE_LINE}: Code PORTIN_EXCEPTION: no port-in in flight" in table


def test_an_expired_rule_mutes_nothing_and_is_a_warning(
    fake: FakeChime, chimenum, mutelist, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIMENUM_TODAY", "2030-01-01")  # the day it expires: still in force
    assert _audit(chimenum, "--mutelist", mutelist).exit_code == 0
    monkeypatch.setenv("CHIMENUM_TODAY", "2030-01-02")
    run = _audit(chimenum, "--json", "--mutelist", mutelist, "--fail-on", "never")
    doc = json.loads(run.stdout)
    expired = [f for f in doc["Findings"] if f["Code"] == "MUTE_EXPIRED"]
    assert len(expired) == 6
    assert all(f["Severity"] == "warning" and f["PhoneNumberId"] is None for f in expired)
    assert expired[0]["ResourceId"] == f"{mutelist}:2"
    assert not any(f.get("Muted") for f in doc["Findings"])
    assert doc["Summary"]["Mutes"]["Expired"] == 6
    assert doc["Summary"]["FindingsByCode"]["MUTE_EXPIRED"] == 6
    assert _audit(chimenum, "--mutelist", mutelist).exit_code == ExitCode.FINDINGS


def test_describe_marks_muted_findings(fake: FakeChime, chimenum, mutelist) -> None:
    args = ("--api", "voice", "--region", "us-east-1", "describe", "+12065550103")
    assert chimenum(*args).exit_code == ExitCode.FINDINGS
    run = chimenum(*args, "--mutelist", mutelist, "--json")
    assert run.exit_code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert {f["Code"] for f in doc["Findings"] if f.get("Muted")} == {
        "SIP_RULE_DISABLED",
        "SIP_MEDIA_APPLICATION_MISSING",
    }


def test_describe_reports_an_expired_rule_on_stderr(
    fake: FakeChime, chimenum, mutelist, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIMENUM_TODAY", "2031-01-01")
    args = ("--api", "voice", "--region", "us-east-1", "describe", "+12065550101")
    run = chimenum(*args, "--mutelist", mutelist, "--fail-on", "warning")
    assert run.exit_code == ExitCode.FINDINGS
    assert run.stderr.count("warning: MUTE_EXPIRED: the mute rule at line") == 6


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("bad.yaml", "- Code: ORDER_FAILED\n  Reason: [unclosed\n", "line 3: not YAML"),
        ("tabs.yaml", "- Code: ORDER_FAILED\n\tReason: x\n", "line 2: not YAML"),
        (
            "bad.json",
            '[\n  {"Code": "ORDER_FAILED",\n   "Reason": "x",}\n]\n',
            "line 3: not JSON",
        ),
        (
            "noreason.json",
            '{"Mutes": [\n  {"Code": "ORDER_FAILED", "Reason": "x"},\n'
            '  {"Code": "ORDER_FAILED"}\n]}',
            "line 3: Reason is required",
        ),
        ("noexpiry.yaml", "\n- Code: SIP_RULE_DISABLED\n  Reason: x\n", "line 2: Expires is req"),
        ("nocode.yaml", "- Number: '+1*'\n  Reason: all\n", "line 1: Expires is required"),
        ("unknown.yaml", "- Code: NOT_A_CODE\n  Reason: x\n", "'NOT_A_CODE' is not a finding"),
        ("key.yaml", "- Code: ORDER_FAILED\n  Reasn: x\n", "line 1: unknown key 'Reasn'"),
        ("int.yaml", "- Number: +12065550100\n  Reason: x\n  Expires: 2030-01-01\n", "quote"),
        ("date.yaml", "- Code: ORDER_FAILED\n  Reason: x\n  Expires: soon\n", "not a date"),
        ("scalar.yaml", "just text\n", "a list of rules"),
    ],
)
def test_a_malformed_mutelist_is_exit_2_naming_the_line(
    fake: FakeChime, chimenum, tmp_path: Path, name: str, text: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    for command in ("audit", "describe +12065550100"):
        run = chimenum(*command.split(), "--mutelist", str(path))
        assert run.exit_code == ExitCode.USAGE
        assert f"{path}: " in run.stderr and said in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
    assert fake.count("ListPhoneNumbers") == fake.count("GetPhoneNumber") == 0


def test_a_baseline_counts_new_unchanged_and_resolved(
    fake: FakeChime, chimenum, tmp_path: Path
) -> None:
    first = _audit(chimenum, "--json")
    doc = json.loads(first.stdout)
    errors = [f for f in doc["Findings"] if f["Severity"] == "error"]
    total = len(doc["Findings"])
    same = tmp_path / "same.json"
    same.write_text(first.stdout)
    run = _audit(chimenum, "--json", "--baseline", str(same))
    assert run.exit_code == 0, run.stderr  # every error was there before
    assert json.loads(run.stdout)["Summary"]["Baseline"] == {
        "New": 0,
        "Unchanged": total,
        "Resolved": 0,
    }
    # One error the earlier run did not have, one finding it had and this run has not.
    doc["Findings"].remove(errors[0])
    doc["Findings"].append({**errors[1], "PhoneNumberId": "+12065550199"})
    older = tmp_path / "older.json"
    older.write_text(json.dumps(doc))
    run = _audit(chimenum, "--json", "--baseline", str(older))
    assert run.exit_code == ExitCode.FINDINGS
    later = json.loads(run.stdout)
    assert later["Summary"]["Baseline"] == {"New": 1, "Unchanged": total - 1, "Resolved": 1}
    assert [f["Code"] for f in later["Findings"] if f["New"]] == [errors[0]["Code"]]
    table = _audit(chimenum, "--baseline", str(older), "--fail-on", "never").stdout
    assert f"new 1, unchanged {total - 1}, resolved 1" in table


def test_baseline_and_mutes_together(fake: FakeChime, chimenum, mutelist, tmp_path: Path) -> None:
    doc = json.loads(_audit(chimenum, "--json").stdout)
    doc["Findings"] = [f for f in doc["Findings"] if f["Severity"] != "error"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(doc))
    # Every error is new, and every one is muted: nothing fails.
    run = _audit(chimenum, "--baseline", str(older), "--mutelist", mutelist)
    assert run.exit_code == 0, run.stderr


@pytest.mark.parametrize(
    "text", ['{"Summary": 1}', "[]", '{"Numbers": []}', "not json", '{"Summary": {}}']
)
def test_a_baseline_that_is_not_an_audit_document_is_exit_2(
    fake: FakeChime, chimenum, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "old.json"
    path.write_text(text)
    run = _audit(chimenum, "--baseline", str(path))
    assert run.exit_code == ExitCode.USAGE
    assert "--baseline" in run.stderr and str(path) in run.stderr
    assert fake.count("ListPhoneNumbers") == 0
