"""What a user reads: --help and usage errors are clean text that says how to fix the input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner
from conftest import Run

from chimenum.cli import cli
from testing.fakechime import FakeChime

#: Bytes a terminal acts on; tab and newline are layout, but click never needs a tab either.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def commands(command: click.Command = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += commands(sub, (*path, name))
    return found


@pytest.mark.parametrize("columns", ["60", "80", "200"])
@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "chimenum")
def test_help_has_no_control_bytes_and_fits_the_terminal(
    path: tuple[str, ...], columns: str
) -> None:
    run = CliRunner().invoke(
        cli, [*path, "--help"], prog_name="chimenum", terminal_width=int(columns)
    )
    assert run.exit_code == 0
    assert not CONTROL.search(run.stdout), CONTROL.findall(run.stdout)
    assert "\\x0" not in run.stdout
    # Prose is wrapped by click to the terminal; only the unwrapped blocks (examples, the exit
    # table, install lines) may run longer.
    unwrapped = re.compile(r"\s+(chimenum |\d+  |(bash|zsh|fish): )")
    prose = [line for line in run.stdout.splitlines() if not unwrapped.match(line)]
    if columns != "200":
        assert max(len(line) for line in prose) <= int(columns), path


def test_bare_chimenum_shows_help_without_escapes(chimenum: Callable[..., Run]) -> None:
    run = chimenum()
    shown = run.stdout + run.stderr
    assert "Usage: chimenum" in shown and "Exit codes:" in shown
    assert not CONTROL.search(shown) and "\\x08" not in shown


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["wait", "+12065550100"], "Choose from: AcquireInProgress, AcquireFailed, Unassigned,"),
        (["completion"], "Choose from: bash, zsh, fish"),
    ],
)
def test_missing_choice_lists_the_choices_on_one_line(
    args: list[str], choices: str, chimenum: Callable[..., Run]
) -> None:
    run = chimenum(*args)
    assert run.exit_code == 2
    assert choices in run.stderr
    assert "\\x09" not in run.stderr and "\t" not in run.stderr


def test_missing_status_offers_only_the_statuses_of_the_api_in_effect(
    chimenum: Callable[..., Run],
) -> None:
    chime = chimenum("wait", "+12065550100").stderr
    assert "Assigned" in chime and "PortinInProgress" not in chime
    voice = chimenum("--api", "voice", "wait", "+12065550100").stderr
    assert "PortinInProgress" in voice


def test_a_bad_chimenum_api_variable_is_named_as_the_variable(
    chimenum: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIMENUM_API", "Voice")
    run = chimenum("get", "+12065550100")
    assert run.exit_code == 2
    assert "$CHIMENUM_API" in run.stderr and "'Voice'" in run.stderr
    assert "'--api'" not in run.stderr
    # An option given on the command line is still named as the option.
    assert "'--api'" in chimenum("--api", "Voice", "get", "+12065550100").stderr


@pytest.mark.parametrize(
    ("given", "wanted"),
    [
        (["--demo", "--json", "get", "+12065550100"], "chimenum get --json"),
        (["--demo", "--json", "list"], "chimenum list --json"),
        (["-o", "ndjson", "get", "+12065550100"], "chimenum get -o"),
    ],
)
def test_a_subcommand_option_before_the_subcommand_says_where_it_goes(
    given: list[str], wanted: str, chimenum: Callable[..., Run]
) -> None:
    run = chimenum(*given)
    assert run.exit_code == 2
    assert wanted in run.stderr
    assert "--version" not in run.stderr


@pytest.mark.parametrize(
    ("timeout", "shown"), [("0m0.2s", "0.2s"), ("0h0m0.3s", "0.3s"), ("0.25", "0.25s")]
)
def test_wait_timeout_accepts_durations(
    timeout: str, shown: str, chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    """The timeout given is the one the wait reports when it runs out."""
    run = chimenum(
        "wait", "+12065550105", "--status", "Assigned", "--timeout", timeout, "--interval", "0.05"
    )
    assert run.exit_code == 13, run.stderr
    assert f"timed out after {shown} waiting for Assigned" in run.stderr


@pytest.mark.parametrize(
    ("option", "value", "seconds"),
    [("--timeout", "169h", "608400.0"), ("--timeout", "10080m1s", "604801.0"),
     ("--interval", "1h1s", "3601.0"), ("--interval", "61m", "3660.0")],
)  # fmt: skip
def test_durations_are_converted_before_the_range_check(
    option: str, value: str, seconds: str, chimenum: Callable[..., Run]
) -> None:
    run = chimenum("wait", "+12065550105", "--status", "Assigned", option, value)
    assert run.exit_code == 2
    assert f"{seconds} is not in the range" in run.stderr


def test_a_long_duration_is_accepted(chimenum: Callable[..., Run], fake: FakeChime) -> None:
    run = chimenum("wait", "+12065550100", "--status", "Assigned", "--timeout", "1h30m")
    assert run.exit_code == 0, run.stderr


def test_wait_timeout_says_what_it_accepts(chimenum: Callable[..., Run]) -> None:
    run = chimenum("wait", "+12065550100", "--status", "Assigned", "--timeout", "5 minutes")
    assert run.exit_code == 2
    assert "give seconds (300) or 90s, 5m, 1h30m" in run.stderr
    assert "float range" not in run.stderr


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("0012065550100", "(did you mean +12065550100?)"),
        ("12065550100", "(did you mean +12065550100?)"),
        ("442079460000", "(did you mean +442079460000?)"),
        ("2065550100", "the country code is missing (in North America: +12065550100)"),
        ("1065550100", "the country code is missing"),
        ("02079460000", "the country code is missing"),
    ],
)
def test_digits_without_plus_suggest_only_a_valid_id(
    given: str, hint: str, chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    run = chimenum("get", given)
    assert run.exit_code == 2
    assert hint in run.stderr
    assert not fake.requests
    suggested = re.findall(r"\+\d+", run.stderr)
    for number in suggested:
        # Whatever is suggested is accepted as it is.
        assert chimenum("get", number, "--json").exit_code in (0, 3)


def test_a_refused_starting_token_is_called_invalid_and_not_offered_again(
    chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    run = chimenum("list", "--starting-token", "abc", "--json")
    assert run.exit_code == 4
    assert run.stdout == ""
    assert run.stderr.startswith("chimenum: error: --starting-token 'abc' is not valid:")
    assert "resume with" not in run.stderr


# -- one screen: the exit codes and the AWS options are described once, in chimenum --help ------

#: "About 40 lines": each command's --help at the width it is laid out for (max_content_width),
#: and a little more at 80 columns, where click wraps option help into a narrow column.
SCREEN = {100: 42, 80: 50}
SUBCOMMANDS = [path for path in commands() if path]


def help_of(path: tuple[str, ...], columns: int = 100) -> str:
    run = CliRunner().invoke(cli, [*path, "--help"], prog_name="chimenum", terminal_width=columns)
    assert run.exit_code == 0, run.output
    return run.stdout


@pytest.mark.parametrize("columns", sorted(SCREEN))
@pytest.mark.parametrize("path", SUBCOMMANDS, ids=" ".join)
def test_each_command_help_fits_one_screen(path: tuple[str, ...], columns: int) -> None:
    shown = help_of(path, columns)
    assert len(shown.splitlines()) <= SCREEN[columns], shown


@pytest.mark.parametrize("path", [p for p in SUBCOMMANDS if p != ("completion",)], ids=" ".join)
def test_each_command_points_to_the_one_exit_code_table(path: tuple[str, ...]) -> None:
    from chimenum.cli.options import GLOBAL_OPTIONS

    shown = help_of(path)
    assert "Exit codes:\n" not in shown and "interrupted (Ctrl-C)" not in shown
    pointer = " ".join(shown.split("Global options (", 1)[1].split())
    assert "Exit codes: chimenum --help, man chimenum, docs/exit-codes.md." in pointer
    # The AWS options are named, not described: their help is chimenum --help's.
    assert pointer.startswith(" ".join(GLOBAL_OPTIONS) + ")")
    assert "--region REGION" not in shown and "AWS region" not in shown


def test_chimenum_help_holds_the_exit_codes_and_the_aws_options() -> None:
    from chimenum.core.errors import EXIT_CODE_MEANINGS

    shown = help_of(())
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert f"{int(code):>3}  {meaning}" in shown
    assert "--region REGION" in shown and "AWS region" in shown


def test_the_man_page_and_docs_hold_every_exit_code() -> None:
    from pathlib import Path

    from chimenum.core.errors import EXIT_CODE_MEANINGS

    root = Path(__file__).resolve().parent.parent
    man = root.joinpath("man", "chimenum.1").read_text()
    status = man.split(".SH EXIT STATUS\n", 1)[1].split("\n.SH ", 1)[0]
    docs = root.joinpath("docs", "exit-codes.md").read_text()
    for code in EXIT_CODE_MEANINGS:
        assert f".TP\n\\fB{int(code)}\\fR\n" in status
        assert f"\n| {int(code)} | " in docs


def test_an_aws_option_left_out_of_a_command_help_is_still_taken_there(
    chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    run = chimenum("get", "+12065550101", "--api", "voice", "--region", "us-west-2", "--json")
    assert run.exit_code == 0, run.stderr
    assert [(r.api, r.region) for r in fake.requests] == [("voice", "us-west-2")]


def test_audit_help_says_its_table_is_a_summary_and_a_list_of_findings() -> None:
    shown = " ".join(help_of(("audit",)).split())
    assert "table: the summary, then one line per finding" in shown
    assert "tree" not in shown


# -- status values: any case in, the API's case out --------------------------------------------


def test_list_status_in_any_case_is_sent_and_shown_as_the_api_spells_it(
    chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    run = chimenum("list", "--status", "assigned", "--product-type", "voiceconnector", "--json")
    assert run.exit_code == 0, run.stderr
    assert [r.query["status"] for r in fake.requests] == [["Assigned"]] * len(fake.requests)
    assert all(r.query["product-type"] == ["VoiceConnector"] for r in fake.requests)
    shown = {(n["Status"], n["ProductType"]) for n in json.loads(run.stdout)["PhoneNumbers"]}
    assert shown == {("Assigned", "VoiceConnector")}


def test_audit_status_in_any_case(chimenum: Callable[..., Run], fake: FakeChime) -> None:
    run = chimenum("audit", "--status", "UNASSIGNED", "--json", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    listed = [r for r in fake.requests if r.operation == "ListPhoneNumbers"]
    assert listed and all(r.query["status"] == ["Unassigned"] for r in listed)
    assert set(json.loads(run.stdout)["Summary"]["ByStatus"]) == {"Unassigned"}


def test_wait_status_in_any_case_prints_the_api_case(
    chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    reached = chimenum("wait", "+12065550100", "--status", "aSSIGNED", "--interval", "0.05")
    assert reached.exit_code == 0, reached.stderr
    assert "Assigned reached" in reached.stdout and "aSSIGNED" not in reached.stdout
    timed_out = chimenum(
        "wait", "+12065550105", "--status", "assigned", "--timeout", "0.1", "--interval", "0.05"
    )
    assert timed_out.exit_code == 13
    assert "waiting for Assigned" in timed_out.stderr


def test_a_status_of_the_other_api_is_refused_in_its_api_spelling(
    chimenum: Callable[..., Run], fake: FakeChime
) -> None:
    run = chimenum("list", "--status", "cancelled")
    assert run.exit_code == 2
    assert "'Cancelled'" in run.stderr and "voice" in run.stderr
    assert not fake.requests


def test_an_unknown_status_lists_the_api_spellings(chimenum: Callable[..., Run]) -> None:
    run = chimenum("list", "--status", "asigned")
    assert run.exit_code == 2
    assert "'asigned' is not one of AcquireInProgress, AcquireFailed, Unassigned," in run.stderr
