"""The runbooks in tests/runbooks/ run under real bash, with real jq, against the fake."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from shells import require, shell_env

from testing.fakechime import FakeChime

pytestmark = pytest.mark.shell  # bash and jq

RUNBOOKS = Path(__file__).resolve().parent / "runbooks"


def runbook(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    require("bash")
    require("jq")
    return subprocess.run(
        ["bash", str(RUNBOOKS / name), *args],
        env=shell_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("phone_id", "code", "stdout"),
    [
        ("+12065550100", 0, "+12065550100: ready for SMS\n"),
        (
            "+12065550101",
            1,
            "+12065550101: NOT ready for SMS (status Assigned, inbound SMS False)\n",
        ),
        (
            "+12065550104",
            1,
            "+12065550104: NOT ready for SMS (status Unassigned, inbound SMS True)\n",
        ),
        ("+12065550199", 3, "+12065550199: could not check (chimenum exit 3)\n"),
        ("2065550100", 2, "2065550100: could not check (chimenum exit 2)\n"),
    ],
)
def test_sms_ready(fake: FakeChime, phone_id: str, code: int, stdout: str) -> None:
    proc = runbook("sms-ready.sh", phone_id)
    assert (proc.returncode, proc.stdout) == (code, stdout), proc.stderr


def test_audit_reports_the_missing(fake: FakeChime, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(
        "# numbers in the prod routing plan\n"
        "+12065550100\n"
        "  +12065550198   # ported out?\n"
        "\n"
        "%2B18005550100\n"
        "+12065550199\n"
    )
    proc = runbook("audit-missing.sh", str(ids))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "2 of 4 numbers are missing:\n  +12065550198\n  +12065550199\n"
    # Every id in one request batch, none fetched twice.
    assert sorted(fake.requested_ids()) == [
        "+12065550100",
        "+12065550198",
        "+12065550199",
        "+18005550100",
    ]


@pytest.mark.parametrize("content", ["+12065550100\n+18005550100\n", "+12065550100\n"])
def test_audit_with_nothing_missing(fake: FakeChime, tmp_path: Path, content: str) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(content)
    proc = runbook("audit-missing.sh", str(ids))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"all {content.count(chr(10))} numbers are in the account\n"


def test_audit_of_an_empty_list_or_a_bad_line(fake: FakeChime, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n")
    proc = runbook("audit-missing.sh", str(empty))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert f"no ids in {empty}" in proc.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("+12065550100\n206555\n")
    proc = runbook("audit-missing.sh", str(bad))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "bad.txt:2: invalid phone-number id" in proc.stderr
    assert "audit incomplete: chimenum exit 2" in proc.stderr
    assert fake.requests == []


def test_audit_stops_on_a_real_failure(fake: FakeChime, tmp_path: Path) -> None:
    fake.inject("*", "ForbiddenException")
    ids = tmp_path / "ids.txt"
    ids.write_text("+12065550100\n+12065550199\n")
    proc = runbook("audit-missing.sh", str(ids))
    assert proc.returncode == 6
    assert proc.stdout == ""
    assert "audit incomplete: chimenum exit 6" in proc.stderr


@pytest.mark.parametrize(
    ("fault", "phone_id", "code", "advice"),
    [
        (None, "+12065550100", 0, "+12065550100: Assigned"),
        (None, "+1 206 555 0104", 0, "+1 206 555 0104: Unassigned"),
        (None, "206-555-0100", 2, "not a phone number id"),
        (None, "+12065550199", 3, "not in this account"),
        ("BadRequestException", "+12065550100", 4, "refused the request"),
        ("UnauthorizedClientException", "+12065550100", 5, "access denied"),
        ("ForbiddenException", "+12065550100", 6, "access denied"),
        ("ThrottledClientException", "+12065550100", 7, "still throttled"),
        ("ServiceUnavailableException", "+12065550100", 8, "service is failing"),
        ("ServiceFailureException", "+12065550100", 9, "service is failing"),
        ("no-credentials", "+12065550100", 10, "fix the AWS credentials"),
        ("unreachable", "+12065550100", 11, "cannot reach the Chime endpoint"),
        ("not-json", "+12065550100", 12, "malformed answer"),
    ],
)
def test_branching_on_every_exit_code(
    fake: FakeChime,
    monkeypatch: pytest.MonkeyPatch,
    fault: str | None,
    phone_id: str,
    code: int,
    advice: str,
) -> None:
    if fault == "no-credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    elif fault == "unreachable":
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", "http://127.0.0.1:9")
    elif fault is not None:
        fake.inject("*", fault)
    proc = runbook("exit-codes.sh", phone_id, MAX_ATTEMPTS="1")
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert advice in proc.stdout
    assert len(proc.stdout.splitlines()) == 1


def test_status_report(fake: FakeChime) -> None:
    proc = runbook(
        "status-report.sh", "+12065550100", "+12065550101", "+12065550106", "+12065550199"
    )
    assert proc.returncode == 1, proc.stderr
    counts = [line.split() for line in proc.stdout.splitlines()[:3]]
    assert counts[0] == ["2", "Assigned"]  # most frequent first
    assert sorted(counts[1:]) == [["1", "AcquireFailed"], ["1", "unknown"]]
    assert proc.stdout.splitlines()[-1] == "in a failed state: +12065550106"


def test_runbooks_work_against_the_demo_account() -> None:
    proc = runbook("sms-ready.sh", "+12065550100", CHIMENUM_DEMO="1")
    assert (proc.returncode, proc.stdout) == (0, "+12065550100: ready for SMS\n"), proc.stderr
    proc = runbook("status-report.sh", "+12065550100", "+18885550100", CHIMENUM_DEMO="1")
    assert proc.returncode == 0, proc.stderr
    assert sorted(line.split() for line in proc.stdout.splitlines()) == [
        ["1", "Assigned"],
        ["1", "Unassigned"],
    ]


def test_every_runbook_is_tested_and_executable() -> None:
    source = Path(__file__).read_text()
    for script in RUNBOOKS.glob("*.sh"):
        assert f'"{script.name}"' in source, f"{script.name} has no test"
        assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
        assert script.read_text().startswith("#!/usr/bin/env bash\n")
