"""Every row of the exit-code table, through the CLI, botocore and the loopback fake."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest

from chimenum.core.errors import ExitCode
from testing.fakechime import FakeChime

API_EXCEPTIONS = [
    ("NotFoundException", ExitCode.NOT_FOUND),
    ("BadRequestException", ExitCode.BAD_REQUEST),
    ("UnauthorizedClientException", ExitCode.UNAUTHORIZED),
    ("ForbiddenException", ExitCode.FORBIDDEN),
    ("AccessDeniedException", ExitCode.FORBIDDEN),
    ("ThrottledClientException", ExitCode.THROTTLED),
    ("ServiceUnavailableException", ExitCode.SERVICE_UNAVAILABLE),
    ("ServiceFailureException", ExitCode.SERVICE_FAILURE),
]


@pytest.mark.parametrize(("exception", "code"), API_EXCEPTIONS)
def test_each_documented_exception_has_its_exit_code(
    fake: FakeChime, chimenum, exception: str, code: ExitCode
) -> None:
    fake.inject("+12065550100", exception, message=f"planted {exception}")
    run = chimenum("get", "+12065550100", "--json", "--max-attempts", "2")
    assert run.exit_code == code
    assert run.stdout == ""
    # A NotFound ends with what the other API said of the number (tests/test_other_api.py).
    hint = " (not under Chime SDK Voice either)" if code is ExitCode.NOT_FOUND else ""
    assert run.stderr == f"chimenum: error: +12065550100: {exception}: planted {exception}{hint}\n"


def test_retried_exceptions_are_tried_max_attempts_times(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550100", "ThrottledClientException")
    assert chimenum("get", "+12065550100", "--max-attempts", "3").exit_code == 7
    assert fake.requested_ids() == ["+12065550100"] * 3


def test_non_retryable_exceptions_are_tried_once(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550100", "ForbiddenException")
    assert chimenum("get", "+12065550100", "--max-attempts", "5").exit_code == 6
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "exception",
    ["ThrottledClientException", "ServiceUnavailableException", "ServiceFailureException"],
)
def test_transient_failures_recover_within_the_retry_budget(
    fake: FakeChime, chimenum, exception: str
) -> None:
    fake.inject("+12065550100", exception, times=2)
    run = chimenum("get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["PhoneNumber"]["PhoneNumberId"] == "%2B12065550100"
    assert len(fake.requests) == 3


def test_most_severe_failure_wins_and_fetched_numbers_still_print(
    fake: FakeChime, chimenum
) -> None:
    fake.inject("+12065550101", "ForbiddenException")
    fake.inject("+12065550102", "BadRequestException")
    run = chimenum("get", "+12065550199", "+12065550102", "+12065550100", "+12065550101", "--json")
    assert run.exit_code == ExitCode.FORBIDDEN
    doc = json.loads(run.stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == ["%2B12065550100"]
    assert [e["ErrorCode"] for e in doc["PhoneNumberErrors"]] == [
        "NotFoundException",
        "BadRequestException",
        "ForbiddenException",
    ]
    assert len(run.stderr.splitlines()) == 3


def test_severity_order_is_the_documented_one() -> None:
    from chimenum.core.errors import most_severe

    documented = [2, 10, 11, 5, 6, 12, 9, 8, 7, 4, 3, 15]
    for i, code in enumerate(documented):
        assert most_severe(ExitCode(c) for c in documented[i:]) == code
    assert most_severe([]) == ExitCode.OK


@pytest.mark.parametrize("code", [code for code in ExitCode if code is not ExitCode.OK])
def test_no_failure_is_ever_most_severe_as_ok(code: ExitCode) -> None:
    from chimenum.core.errors import most_severe

    assert most_severe([code]) == code
    assert most_severe([ExitCode.OK, code, ExitCode.OK]) == code


def test_no_credentials_is_a_configuration_error(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    run = chimenum("get", "+12065550100", "+12065550101", "--json")
    assert run.exit_code == ExitCode.CONFIG
    assert run.stderr.count("\n") == 1
    assert "no AWS credentials found" in run.stderr
    assert fake.requests == []


def test_unknown_profile_is_a_configuration_error(fake: FakeChime, chimenum) -> None:
    run = chimenum("--profile", "nope", "get", "+12065550100")
    assert run.exit_code == ExitCode.CONFIG
    assert "The config profile (nope) could not be found" in run.stderr
    assert "Traceback" not in run.stderr
    assert fake.requests == []


def test_profile_from_config_files_is_used(
    fake: FakeChime, chimenum, aws_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    (aws_env / "aws-credentials").write_text(
        "[ops]\naws_access_key_id = AKIDFROMPROFILE00000\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "ops")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert chimenum("get", "+12065550100", "--json").exit_code == 0
    assert "Credential=AKIDFROMPROFILE00000/" in fake.requests[0].headers["Authorization"]


def test_unreachable_endpoint_is_a_network_error(chimenum) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    run = chimenum("get", "+12065550100", "--endpoint-url", url)
    assert run.exit_code == ExitCode.NETWORK
    assert url in run.stderr
    assert len(run.stderr.splitlines()) == 1


def test_non_json_answer_is_an_invalid_response(fake: FakeChime, chimenum) -> None:
    fake.inject("+12065550100", "not-json")
    run = chimenum("get", "+12065550100", "--json")
    assert run.exit_code == ExitCode.BAD_RESPONSE
    assert run.stdout == ""
    assert "InvalidResponse" in run.stderr


def test_unexpected_error_is_one_line_with_a_debug_hint(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chimenum.output.formats.json import JsonRenderer

    def broken(self: JsonRenderer) -> None:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(JsonRenderer, "finish", broken)
    run = chimenum("get", "+12065550100", "--json")
    assert run.exit_code == ExitCode.INTERNAL
    assert run.stderr == (
        "chimenum: internal error: RuntimeError: renderer exploded "
        "(rerun with --debug for details)\n"
    )
    debug = chimenum("get", "+12065550100", "--json", "--debug")
    assert debug.exit_code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr


def test_interrupt_exits_130(fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch) -> None:
    from chimenum.core.fetch import Fetcher

    def interrupted(self: Fetcher, phone_number_id: str) -> Callable[[], None]:
        def job() -> None:
            raise KeyboardInterrupt

        return job

    # Ctrl-C while the one id's request is in flight, on the calling thread.
    monkeypatch.setattr(Fetcher, "job", interrupted)
    run = chimenum("get", "+12065550100")
    assert run.exit_code == ExitCode.INTERRUPTED
    assert run.stderr == "chimenum: interrupted\n"


def test_debug_logs_botocore_on_stderr(fake: FakeChime, chimenum) -> None:
    run = chimenum("--debug", "get", "+12065550100", "--json")
    assert run.exit_code == 0
    assert "botocore" in run.stderr
    assert "/phone-numbers/%2B12065550100" in run.stderr
    json.loads(run.stdout)


# --- User and environment errors: one line, a documented code, never 1 (issue 18, point 9) --


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


def test_reading_ids_from_a_closed_stdin_is_a_usage_error(chimenum_exe: str) -> None:
    import subprocess

    proc = subprocess.run(
        ["sh", "-c", f'"{chimenum_exe}" get - <&-'], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == ExitCode.USAGE
    assert "Error: '-' reads ids from stdin, but stdin is closed" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("output", ["json", "ndjson", "text", "table", "csv"])
def test_a_query_that_does_not_fit_the_data_has_its_own_code(
    fake: FakeChime, chimenum, output: str
) -> None:
    run = chimenum("list", "-o", output, "--query", "sum(PhoneNumbers[].E164PhoneNumber)")
    assert run.exit_code == ExitCode.QUERY_FAILED == 16
    assert one_line(run.stderr).startswith(
        "chimenum: --query 'sum(PhoneNumbers[].E164PhoneNumber)' failed on the data fetched:"
        " In function sum(), invalid type for value:"
    )
    assert fake.count("ListPhoneNumbers") >= 1  # after the fetch, unlike a parse error (2)


def test_a_query_error_quoting_a_whole_document_is_cut(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "--json", "--query", "sum(PhoneNumber)")
    assert run.exit_code == 16
    assert len(one_line(run.stderr)) < 500 and run.stderr.rstrip().endswith("...")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "not a valid URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:99999", "not a valid URL (Port out of range 0-65535)"),
        ("file:///x", "not an http(s) URL"),
        ("http://", "it names no host"),
        ("http://127.0.0.1:8/a b", "it contains a space or a control character"),
    ],
)
def test_an_endpoint_url_option_that_is_no_url_is_a_usage_error(
    fake: FakeChime, chimenum, url: str, problem: str
) -> None:
    run = chimenum("get", "+12065550100", "--endpoint-url", url)
    assert run.exit_code == ExitCode.USAGE
    assert f"Error: Invalid value for '--endpoint-url': {url!r}: {problem}" in run.stderr
    assert fake.requests == []


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_CHIME_SDK_VOICE", "AWS_ENDPOINT_URL"])
def test_an_endpoint_variable_that_is_no_url_is_a_configuration_error_naming_it(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE")
    monkeypatch.setenv(variable, "file:///x")
    run = chimenum("describe", "+12065550100")
    assert run.exit_code == ExitCode.CONFIG
    assert one_line(run.stderr) == (f"chimenum: ${variable}: 'file:///x': not an http(s) URL")
    assert fake.requests == []


def test_a_missing_ca_bundle_is_a_configuration_error_naming_the_file(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    missing = tmp_path / "missing.pem"
    monkeypatch.setenv("AWS_CA_BUNDLE", str(missing))
    run = chimenum("get", "+12065550100")
    assert run.exit_code == ExitCode.CONFIG
    assert one_line(run.stderr) == (
        f"chimenum: the CA bundle {str(missing)!r} (AWS_CA_BUNDLE or the profile's ca_bundle)"
        " is not a file that exists"
    )
    assert fake.requests == []


@pytest.mark.parametrize(
    "variable",
    [
        "CHIMENUM_CREDENTIALS_TIMEOUT",
        "CHIMENUM_PROGRESS_DELAY",
        "CHIMENUM_COMPLETION_TTL",
        "CHIMENUM_COMPLETION_TIMEOUT",
    ],
)
@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "-1", "86401", "soon"])
def test_a_numeric_setting_out_of_range_is_a_configuration_error_naming_it(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    run = chimenum("get", "+12065550100")
    assert run.exit_code == ExitCode.CONFIG
    assert one_line(run.stderr).startswith(
        f"chimenum: ${variable}: {value!r} is not a number of seconds ("
    )
    assert fake.requests == []


def test_a_credentials_timeout_of_zero_is_refused(chimenum, monkeypatch) -> None:
    monkeypatch.setenv("CHIMENUM_CREDENTIALS_TIMEOUT", "0")
    run = chimenum("get", "+12065550100")
    assert run.exit_code == ExitCode.CONFIG
    assert "(more than 0, at most 86400)" in one_line(run.stderr)


@pytest.mark.parametrize("args", [(), ("--json",)])
def test_a_failure_whose_line_cannot_be_written_exits_74(
    fake: FakeChime, chimenum_exe: str, args: tuple[str, ...]
) -> None:
    import os
    import subprocess
    from pathlib import Path

    env = {**os.environ, "AWS_MAX_ATTEMPTS": "1"}
    with Path("/dev/full").open("w") as full:
        proc = subprocess.run(
            [chimenum_exe, "get", "+12065559999", "--api", "chime", *args],
            stdout=subprocess.PIPE,
            stderr=full,
            text=True,
            timeout=60,
            env=env,
        )
    assert proc.returncode == ExitCode.OUTPUT_FAILED
    assert fake.requested_ids()[0] == "+12065559999"  # the NotFound happened; its line was lost
