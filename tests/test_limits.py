"""A hostile world: every id ends as a number or an error entry, deadlines hold, memory is bounded.

Each case runs through the real stack: the CLI, botocore, and the loopback fake misbehaving that
way. Deadlines are short limits injected by the test, and answers that never end are held by the
fake until the test ends, so nothing here races the machine's speed.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from testing.fakechime import FakeChime

ONE, TWO, THREE = "+12065550100", "+12065550101", "+12065550102"


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def batch(chimenum, *extra: str):  # type: ignore[no-untyped-def]
    run = chimenum("get", ONE, TWO, THREE, "--json", *extra)
    doc = json.loads(run.stdout)
    assert all(n["PhoneNumberId"] == "%2B" + n["E164PhoneNumber"][1:] for n in doc["PhoneNumbers"])
    numbers = [n["E164PhoneNumber"] for n in doc["PhoneNumbers"]]
    errors = {e["PhoneNumberId"]: e for e in doc["PhoneNumberErrors"]}
    # No id lost: each is a number or an error entry.
    assert sorted([*numbers, *errors]) == [ONE, TWO, THREE]
    return run, numbers, errors


# -- one bad answer is that id's failure, the batch goes on ----------------------------------


@pytest.mark.parametrize(
    ("kind", "message", "says"),
    [
        ("deep", "", "the answer is nested too deeply to read"),
        ("timestamp", "1e20", "the answer does not fit the API model"),
        ("timestamp", "-1e20", "the answer does not fit the API model"),
        ("timestamp", "Infinity", "the answer does not fit the API model"),
        ("timestamp", "1e400", "the answer does not fit the API model"),
        ("huge", "", "the answer is larger than 1 MiB; refused"),
        ("endless", "", "the answer is larger than 1 MiB; refused"),
        ("html-401", "", "HTTP 401 without an AWS error code"),
        ("html-403", "", "HTTP 403 without an AWS error code"),
    ],
)
def test_a_bad_answer_is_one_ids_failure_exit_12(
    fake: FakeChime, chimenum, kind: str, message: str, says: str
) -> None:
    fake.inject(TWO, kind, message=message)
    run, numbers, errors = batch(chimenum)
    assert run.exit_code == 12
    assert numbers == [ONE, THREE]
    assert errors[TWO]["ErrorCode"] == "InvalidResponse"
    assert says in errors[TWO]["ErrorMessage"]
    line = one_line(run.stderr)
    assert line.startswith(f"chimenum: error: {TWO}: InvalidResponse: ") and says in line
    # Not retried: a bad answer would be as bad again, and a huge one costly.
    assert fake.requested_ids().count(TWO) == 1


def test_a_trickling_answer_ends_at_the_read_timeout(fake: FakeChime, chimenum) -> None:
    """--read-timeout bounds the whole answer: a byte every 0.1 s never completes in 0.5 s."""
    fake.inject(TWO, "trickle", delay=0.1)
    run, numbers, errors = batch(chimenum, "--read-timeout", "0.5")
    assert run.exit_code == 11
    assert numbers == [ONE, THREE]
    assert "timed out waiting for an answer" in errors[TWO]["ErrorMessage"]
    assert "(see --read-timeout)" in one_line(run.stderr)
    assert fake.requested_ids().count(TWO) == 1


@pytest.mark.parametrize("kind", ["deep", "timestamp", "huge"])
def test_a_bad_first_page_is_exit_12_and_no_fake_empty_listing(
    fake: FakeChime, chimenum, kind: str
) -> None:
    fake.inject("*", kind, message={"huge": str(64 << 20)}.get(kind, ""))
    run = chimenum("list", "--json")
    assert run.exit_code == 12
    assert run.stdout == "", "an empty account must not be made up"
    line = one_line(run.stderr)
    assert line.startswith("chimenum: error: listing stopped after 0 numbers (0 pages):")


def test_a_bad_later_page_keeps_what_was_listed_and_says_where_to_resume(
    fake: FakeChime, chimenum
) -> None:
    for n in range(150):
        fake.records[f"+1206556{n:04d}"] = {"PhoneNumberId": f"+1206556{n:04d}"}
    fake.inject("*", "deep", skip=1)
    run = chimenum("list", "--json")
    assert run.exit_code == 12
    doc = json.loads(run.stdout)
    assert len(doc["PhoneNumbers"]) == 99
    assert doc["Incomplete"] is True
    assert f"resume with --starting-token {doc['NextToken']}" in one_line(run.stderr)


# -- Retry-After -----------------------------------------------------------------------------


def test_retry_after_is_honoured(fake: FakeChime) -> None:
    from chimenum.core.fetch import Fetcher
    from chimenum.core.policy import RequestPolicy
    from chimenum.core.session import Settings, make_client

    waits: list[float] = []
    policy = RequestPolicy(fake.url, sleep=waits.append)
    fake.inject(ONE, "retry-after", message="1", times=1)
    result = Fetcher(make_client(Settings()), policy=policy).get(ONE)
    assert result.failure is None
    # The wait the service asked for, not the backoff's (at most 0.1 s): what is left of the
    # second until the retry is due (a hair under it); the rate limiter may add a pause of its own.
    assert 0.1 < max(waits) <= 1.0, waits
    assert [r.phone_number_id for r in fake.requests] == [ONE, ONE]


def test_retry_after_is_capped(fake: FakeChime, monkeypatch: pytest.MonkeyPatch) -> None:
    from chimenum.core.fetch import Fetcher
    from chimenum.core.policy import RequestPolicy
    from chimenum.core.session import Settings, make_client

    client = make_client(Settings())
    waits: list[float] = []
    policy = RequestPolicy(fake.url, sleep=waits.append, retry_after_cap=0.25)
    fake.inject(ONE, "retry-after", message="3600", times=2)
    result = Fetcher(client, policy=policy).get(ONE)
    assert result.failure is None
    # Two retries waited about the cap, not an hour; each wait is what is left until the retry
    # is due, so a hair under it (the rate limiter, cut by the throttles, adds pauses of its own).
    assert len(fake.requests) == 3
    assert max(waits) <= 0.25 and sum(w >= 0.2 for w in waits) >= 2, waits


# -- wait: a hard deadline -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["slow", "trickle"])
def test_wait_timeout_holds_against_a_silent_or_trickling_server(
    fake: FakeChime, chimenum, kind: str
) -> None:
    """The answer is held until the test ends: only a hard deadline lets the wait return."""
    fake.inject("*", kind, delay=600 if kind == "slow" else 0.2)
    run = chimenum(
        "wait", "+12065550105", "--status", "Assigned", "--timeout", "0.3", "--interval", "0.1"
    )
    assert run.exit_code == 13
    assert one_line(run.stderr) == (
        "chimenum: timed out after 0.3s waiting for Assigned: +12065550105 is not yet known"
    )


# -- credentials -----------------------------------------------------------------------------


def test_a_credential_process_that_never_returns_is_exit_10(
    aws_env: Path, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = aws_env / "hang.py"
    script.write_text("import time\ntime.sleep(30)\n")
    (aws_env / "aws-config").write_text(
        f"[profile hung]\ncredential_process = {sys.executable} {script}\n"
    )
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("CHIMENUM_CREDENTIALS_TIMEOUT", "0.5")
    run = chimenum("get", ONE, "--profile", "hung", "--endpoint-url", "http://127.0.0.1:9")
    assert run.exit_code == 10
    assert one_line(run.stderr) == (
        "chimenum: the credential_process of profile 'hung' did not finish within 0.5s"
        " (see CHIMENUM_CREDENTIALS_TIMEOUT)"
    )


# -- reading ids -----------------------------------------------------------------------------


def test_a_long_line_before_an_id_is_refused_with_its_number(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "-", input=f"{ONE}\n{' ' * 5000}{TWO}\n")
    assert run.exit_code == 2
    assert run.stderr.splitlines()[0] == "chimenum: stdin:2: line longer than 4096 bytes"
    assert fake.requests == []


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_input_ends_with_exit_2(chimenum_exe: str, fake: FakeChime, device: str) -> None:
    proc = subprocess.run(
        [chimenum_exe, "get", "--from-file", device], capture_output=True, timeout=60
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert b"nothing fetched" in proc.stderr
    assert fake.requests == []


# -- interrupted output is marked incomplete -------------------------------------------------


def test_an_interrupted_listing_carries_next_token(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chimenum.core.listing import Lister

    for n in range(150):
        fake.records[f"+1206556{n:04d}"] = {"PhoneNumberId": f"+1206556{n:04d}"}
    pages = Lister.pages

    def interrupted_after_one(self: Lister, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for page in pages(self, *args, **kwargs):  # type: ignore[arg-type]
            yield page
            raise KeyboardInterrupt

    monkeypatch.setattr(Lister, "pages", interrupted_after_one)
    run = chimenum("list", "--json")
    assert run.exit_code == 130
    doc = json.loads(run.stdout)
    assert len(doc["PhoneNumbers"]) == 99
    assert doc["Incomplete"] is True and doc["NextToken"]


# -- the completion cache is untrusted -------------------------------------------------------


def test_planted_cache_entries_are_not_offered(aws_env: Path, fake: FakeChime) -> None:
    from chimenum.completion import IdCache, Target, lookup_ids
    from chimenum.completion.ids import cache_dir
    from chimenum.core.session import Settings

    settings = Settings()
    cache = IdCache(cache_dir(Settings.from_environ().cache_home))
    cache.write(Target.of(settings), [])
    path = cache.path(Target.of(settings))
    doc = json.loads(path.read_text())
    doc["ids"] = [
        ["+1206; rm -rf ~", "x"],
        ["$(touch /tmp/pwned)", "x"],
        ["+1206\x1b[31m5550100", "x"],
        [ONE, "Assigned\x1b]0;t\x07; rm"],
    ]
    path.write_text(json.dumps(doc))
    entries = lookup_ids(settings, cache=cache, ttl=3600, refresh_in_background=False)
    assert [(e.phone_number_id, e.description) for e in entries] == [(ONE, "Assigned0t rm")]


def test_the_cache_never_follows_a_planted_symlink(aws_env: Path, fake: FakeChime) -> None:
    from chimenum.completion import Entry, IdCache, Target
    from chimenum.completion.ids import cache_dir
    from chimenum.core.session import Settings

    cache = IdCache(cache_dir(Settings.from_environ().cache_home))
    target = Target.of(Settings())
    cache.directory.mkdir(parents=True, mode=0o755)
    victim = aws_env / "victim"
    victim.write_text("precious")
    cache.path(target).symlink_to(victim)
    (cache.directory / f"ids-{target.key}.json.{os.getpid()}.tmp").symlink_to(victim)
    for n in range(32):  # whatever temporary name it picks
        (cache.directory / f"ids-{target.key}.json.{os.getpid()}.tmp{n}").symlink_to(victim)
    cache.write(target, [Entry(ONE, "")])
    assert victim.read_text() == "precious"
    assert not cache.path(target).is_symlink()
    assert stat.S_IMODE(os.lstat(cache.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(cache.path(target)).st_mode) == 0o600
