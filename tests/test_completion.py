"""Shell completion in real bash, zsh and fish, with the committed scripts, against the fake."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import click
import ptys
import pytest
from shells import (
    COMPLETIONS,
    bash_complete,
    fish_complete,
    shell_env,
    zsh_complete,
    zsh_complete_lines,
)

from chimenum.cli import cli
from chimenum.completion import SHELLS, IdCache, Target, lookup_ids, regions, script
from chimenum.core.session import Settings
from testing.fakechime import FakeChime, generate_numbers

pytestmark = pytest.mark.shell  # real bash, zsh and fish


def complete(shell: str, line: str, tmp_path: Path, **env: str) -> list[str]:
    environ = shell_env(env)
    if shell == "bash":
        return bash_complete(line, environ)
    if shell == "fish":
        return fish_complete(line, environ)
    return zsh_complete(line, environ, tmp_path)


def list_requests(fake: FakeChime) -> list[str]:
    return [r.path for r in fake.requests if r.path == "/phone-numbers"]


# -- the scripts -----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_scripts_are_the_generated_ones(shell: str, chimenum_exe: str) -> None:
    """Fails when the click app changes what the scripts should be; the fix is in the message."""
    printed = subprocess.run(
        [chimenum_exe, "completion", shell], capture_output=True, text=True, check=True
    ).stdout
    committed = (COMPLETIONS / f"chimenum.{shell}").read_text()
    assert printed == script(cli, shell)
    assert committed == printed, (
        f"completions/chimenum.{shell} is stale: "
        f"run `chimenum completion {shell} > completions/chimenum.{shell}`"
    )


def test_completion_of_an_unknown_shell_is_a_usage_error(chimenum) -> None:
    run = chimenum("completion", "tcsh")
    assert run.exit_code == 2
    assert "'tcsh' is not one of bash, zsh, fish" in run.stderr


# -- what completes, in each shell -----------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_subcommands_and_options(shell: str, tmp_path: Path) -> None:
    assert {"get", "completion"} <= set(complete(shell, "chimenum ", tmp_path))
    assert set(complete(shell, "chimenum get --c", tmp_path)) == {
        "--color",
        "--columns",
        "--concurrency",
        "--connect-timeout",
    }
    assert set(complete(shell, "chimenum --r", tmp_path)) == {"--region", "--read-timeout"}


def choice_parameters() -> list[tuple[str, str, list[str]]]:
    """Every choice option of every command, so options added later are covered too; values
    that differ between the APIs are those of chime, the default."""
    found = []
    for name, command in [("", cli), *cli.commands.items()]:
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, click.Choice):
                choices = getattr(param.type, "table", {}).get("chime", param.type.choices)
                found.append((name, param.opts[-1], [str(c) for c in choices]))
    return found


@pytest.mark.parametrize("shell", SHELLS)
def test_choice_values_of_every_choice_option(shell: str, tmp_path: Path) -> None:
    params = choice_parameters()
    assert {opt for _, opt, _ in params} >= {"--output", "--color"}
    lines = [" ".join(w for w in ("chimenum", c, option) if w) + " " for c, option, _ in params]
    if shell == "zsh":  # one zsh for every line: a zsh per line takes seconds each
        completed = zsh_complete_lines(lines, shell_env(), tmp_path)
    else:
        completed = [complete(shell, line, tmp_path) for line in lines]
    for (command, option, choices), got in zip(params, completed, strict=True):
        assert sorted(got) == sorted(choices), (command, option)
    assert set(complete(shell, "chimenum completion ", tmp_path)) == {"bash", "zsh", "fish"}


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_option_equals_value(shell: str, tmp_path: Path) -> None:
    got = complete(shell, "chimenum get --output=nd", tmp_path)
    assert got in (["ndjson"], ["--output=ndjson"])


@pytest.mark.parametrize("shell", SHELLS)
def test_profiles_from_the_aws_config_and_credentials_files(
    shell: str, tmp_path: Path, aws_env: Path
) -> None:
    (aws_env / "aws-config").write_text(
        "[default]\nregion = us-east-1\n"
        "[profile ops-prod]\nregion = eu-west-1\n"
        "[profile ops-dev]\nsso_session = corp\n"
        "[sso-session corp]\nsso_region = us-east-1\n"
    )
    (aws_env / "aws-credentials").write_text("[ci-robot]\naws_access_key_id = AKID\n")
    assert set(complete(shell, "chimenum --profile ", tmp_path)) == {
        "default",
        "ops-prod",
        "ops-dev",
        "ci-robot",
    }
    assert set(complete(shell, "chimenum get --profile ops-", tmp_path)) == {"ops-prod", "ops-dev"}


@pytest.mark.parametrize("shell", SHELLS)
def test_regions_are_botocores_list(shell: str, tmp_path: Path) -> None:
    import botocore.session

    expected = botocore.session.Session().get_available_regions("chime-sdk-voice")
    assert sorted(regions()) == sorted(expected)
    assert "eu-west-1" in expected
    got = complete(shell, "chimenum get --region eu-", tmp_path)
    assert sorted(got) == sorted(r for r in expected if r.startswith("eu-"))


@pytest.mark.parametrize("shell", SHELLS)
def test_ids_come_from_the_account(shell: str, fake: FakeChime, tmp_path: Path) -> None:
    got = complete(shell, "chimenum get +120655501", tmp_path)
    assert set(got) == {f"+120655501{n:02d}" for n in range(11)}
    assert len(list_requests(fake)) == 1
    (request,) = [r for r in fake.requests if r.path == "/phone-numbers"]
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256")
    # The percent-encoded form list output shows completes too; ids on the line are not repeated.
    got = complete(shell, "chimenum get +12065550100 %2B1206555010", tmp_path)
    assert set(got) == {f"%2B1206555010{n}" for n in range(1, 10)}
    assert len(list_requests(fake)) == 1  # served from the cache


def test_every_page_is_listed(fake: FakeChime, tmp_path: Path) -> None:
    fake.records.update({r["PhoneNumberId"]: r for r in generate_numbers(250)})
    got = complete("bash", "chimenum get +", tmp_path)
    assert len(got) == len(fake.records) == 264
    assert len(list_requests(fake)) == 3  # 99 + 99 + 66
    tokens = [r.query.get("next-token") for r in fake.requests if r.path == "/phone-numbers"]
    assert tokens[0] is None and all(tokens[1:])


def test_ids_that_are_not_phone_numbers_are_never_offered(fake: FakeChime, tmp_path: Path) -> None:
    hostile = "+1206; rm -rf ~"
    fake.records[hostile] = {"PhoneNumberId": hostile, "Status": "Assigned\x1b[2J"}
    got = complete("bash", "chimenum get +1206", tmp_path)
    assert hostile not in got
    assert "+12065550100" in got


def test_voice_api_lists_with_its_own_page_size_and_region(fake: FakeChime, tmp_path: Path) -> None:
    """Ready for --api voice: the regional API, MaxResults up to 100, its own cache entry."""
    # The fake answers as Chime SDK Voice on its own port, from its own records.
    fake.voice_records.update({r["PhoneNumberId"]: r for r in generate_numbers(150, voice=True)})
    settings = Settings(api="voice", region="us-west-2", endpoint_url=fake.voice_url, debug=True)
    entries = lookup_ids(settings, cache=IdCache(tmp_path / "voice"), ttl=60, timeout=10)
    assert len(entries) == len(fake.voice_records)
    pages = [r for r in fake.requests if r.path == "/phone-numbers"]
    assert [p.query["max-results"] for p in pages] == [["100"], ["100"]]
    assert {(p.api, p.service, p.region) for p in pages} == {("voice", "chime", "us-west-2")}


def test_demo_account_ids_complete(tmp_path: Path) -> None:
    assert "+442079460000" in complete("fish", "chimenum --demo get +44", tmp_path)


# -- the cache -------------------------------------------------------------------------------


def test_cache_ttl(fake: FakeChime, tmp_path: Path) -> None:
    assert "+12065550100" in complete("bash", "chimenum get +1", tmp_path)
    assert len(list_requests(fake)) == 1
    cached = list((tmp_path / "cache" / "chimenum").glob("ids-*.json"))
    assert len(cached) == 1
    assert oct(cached[0].stat().st_mode & 0o777) == "0o600"

    fake.records["+12065550199"] = {
        **fake.records["+12065550100"],
        "PhoneNumberId": "%2B12065550199",
        "E164PhoneNumber": "+12065550199",
    }
    # Within the TTL: the cached list, no request.
    assert "+12065550199" not in complete("bash", "chimenum get +1", tmp_path)
    assert len(list_requests(fake)) == 1
    # Past the TTL: listed again.
    got = complete("bash", "chimenum get +1", tmp_path, CHIMENUM_COMPLETION_TTL="0")
    assert "+12065550199" in got
    assert len(list_requests(fake)) == 2


def test_cache_is_per_profile_region_and_endpoint(
    fake: FakeChime, tmp_path: Path, aws_env: Path
) -> None:
    (aws_env / "aws-credentials").write_text(
        "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n"
    )
    complete("bash", "chimenum get +1", tmp_path)
    complete("bash", "chimenum --region eu-west-1 get +1", tmp_path)
    complete("bash", "chimenum get --profile other +1", tmp_path)
    complete("bash", "chimenum get --profile other +1", tmp_path)
    assert len(list_requests(fake)) == 3
    assert len(list((tmp_path / "cache" / "chimenum").glob("ids-*.json"))) == 3
    keys = {
        Target.of(Settings()).key,
        Target.of(Settings(region="eu-west-1")).key,
        Target.of(Settings(profile="other")).key,
        Target.of(Settings(api="voice")).key,
        Target.of(Settings(endpoint_url="http://127.0.0.1:1")).key,
    }
    assert len(keys) == 5


def test_slow_list_call_serves_the_stale_cache_and_refreshes_it_in_the_background(
    fake: FakeChime, tmp_path: Path
) -> None:
    complete("bash", "chimenum get +1", tmp_path)
    cache = IdCache(tmp_path / "cache" / "chimenum")
    (path,) = cache.directory.glob("ids-*.json")
    doc = json.loads(path.read_text())
    doc["created"] -= 3600
    path.write_text(json.dumps(doc))
    fake.records["+12065550199"] = {
        **fake.records["+12065550100"],
        "PhoneNumberId": "%2B12065550199",
        "E164PhoneNumber": "+12065550199",
    }
    # The list call is held until the test releases it: the TAB must not wait for it (if it
    # did, complete() would hang on the held answer and the harness's own timeout would fail).
    fake.inject("*", "slow", times=1, delay=600)
    got = complete("bash", "chimenum get +1", tmp_path, CHIMENUM_COMPLETION_TIMEOUT="0.2")
    assert "+12065550100" in got and "+12065550199" not in got  # the stale list
    fake.released.set()

    # The detached refresher lists into the cache; the next TAB has the new number at once.
    hang_guard = time.monotonic() + 120  # the refresher gives up after 30 s
    while json.loads(path.read_text())["created"] < doc["created"] + 3000:
        assert time.monotonic() < hang_guard, "the background refresh never wrote the cache"
        time.sleep(0.05)
    requests = len(list_requests(fake))
    assert "+12065550199" in complete("bash", "chimenum get +1", tmp_path)
    assert len(list_requests(fake)) == requests


def test_slow_list_call_without_a_cache_completes_nothing(fake: FakeChime, tmp_path: Path) -> None:
    fake.inject("*", "slow", times=2, delay=600)
    assert complete("fish", "chimenum get +1", tmp_path, CHIMENUM_COMPLETION_TIMEOUT="0.2") == []
    fake.released.set()


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    "trouble",
    ["ForbiddenException", "ThrottledClientException", "not-json", "reset", "no-credentials"],
)
def test_errors_are_silent(
    shell: str, trouble: str, fake: FakeChime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if trouble == "no-credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    else:
        fake.inject("*", trouble)
    # The harnesses assert that nothing reached stderr and the shell function succeeded.
    assert complete(shell, "chimenum get +1", tmp_path) == []


def test_unreachable_endpoint_and_corrupt_cache_are_silent(tmp_path: Path) -> None:
    directory = tmp_path / "cache" / "chimenum"
    directory.mkdir(parents=True)
    target = Target.of(Settings(endpoint_url="http://127.0.0.1:9"))
    (directory / f"ids-{target.key}.json").write_text("{not json")
    assert complete("bash", "chimenum get --endpoint-url http://127.0.0.1:9 +1", tmp_path) == []
    assert complete("bash", "chimenum get --endpoint-url not-a-url +1", tmp_path) == []


def test_completion_never_writes_to_stderr_even_when_the_app_fails(tmp_path: Path) -> None:
    env = shell_env({"_CHIMENUM_COMPLETE": "bash_complete", "COMP_WORDS": "chimenum get '"})
    env.pop("COMP_CWORD", None)  # missing: click itself raises
    proc = subprocess.run(["chimenum"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.stderr == ""
    assert os.environ.get("_CHIMENUM_COMPLETE") is None


def test_a_real_tab_in_interactive_bash(fake: FakeChime, tmp_path: Path) -> None:
    """readline itself completes each word when the candidate is unique; then the line runs."""
    from shells import require

    require("bash")
    child = ptys.spawn(
        "bash",
        ["--norc", "--noprofile", "-i"],
        env={**shell_env(), "PS1": "READY> ", "TERM": "dumb"},
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    try:
        child.sendline(f"source {COMPLETIONS / 'chimenum.bash'}")
        child.expect_exact("READY> ")
        child.send("chimenum get --outp\t")
        child.expect_exact("--output ")
        child.send("nd\t")
        child.expect_exact("ndjson ")
        child.send("+1800\t")
        child.expect_exact("+18005550100 ")
        child.sendline("--query PhoneNumber.Status")  # and run what was completed
        child.expect_exact('"Assigned"\r\n')
        child.expect_exact("READY> ")
    finally:
        child.close(force=True)


def test_wait_ids_and_list_choices_complete(fake: FakeChime, tmp_path: Path) -> None:
    got = complete("bash", "chimenum wait +1206555010", tmp_path)
    assert {"+12065550100", "+12065550105"} <= set(got)
    voice = complete(
        "bash",
        "chimenum --api voice wait +1206555011",
        tmp_path,
        AWS_REGION="us-west-2",
        CHIMENUM_COMPLETION_TIMEOUT="10",
    )
    assert set(voice) == {"+12065550110", "+12065550111", "+12065550112", "+12065550113"}
    # Each API's own values: the port-in statuses exist only in Chime SDK Voice.
    assert complete("bash", "chimenum list --status P", tmp_path) == []
    assert set(complete("bash", "chimenum --api voice list --status P", tmp_path)) == {
        "PortinInProgress",
        "PortinCancelRequested",
    }
    assert "PortinInProgress" in complete(
        "bash", "chimenum list --status P", tmp_path, CHIMENUM_API="voice"
    )
    assert set(complete("bash", "chimenum list --filter-name V", tmp_path)) == {
        "VoiceConnectorId",
        "VoiceConnectorGroupId",
    }
