"""Output formats, --query and colour, through the real stack (CLI -> botocore -> fake)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import ptys
import pytest
from aws_cli import aws, print_iso8601

from testing.fakechime import FakeChime

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
QUERIES = [
    None,
    "PhoneNumber.Status",
    "PhoneNumber.[PhoneNumberId, Status, Capabilities.InboundSMS]",
    "PhoneNumber.Associations",
    "PhoneNumber.{id: PhoneNumberId, names: Associations[].Name, caps: Capabilities}",
    "PhoneNumber.NoSuchKey",
]


# -- text and --query: the AWS CLI's semantics, byte for byte ---------------------------------


@pytest.mark.tooling
@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("query", QUERIES)
def test_text_and_query_print_what_the_aws_cli_prints(
    fake: FakeChime, chimenum, aws_env: Path, output: str, query: str | None
) -> None:
    print_iso8601(aws_env)
    query_args = ["--query", query] if query else []
    ours = chimenum("get", "+12065550100", "-o", output, *query_args)
    theirs = aws(
        "chime",
        "get-phone-number",
        "--phone-number-id",
        "+12065550100",
        "--output",
        output,
        *query_args,
    )
    assert theirs.returncode == 0, theirs.stderr
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def test_query_prints_just_the_status(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "+12065550100", "--query", "PhoneNumber.Status", "-o", "text")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "Assigned\n", "")


def test_text_is_one_record_per_line_for_cut_and_read(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "get",
        "+12065550100",
        "+12065550104",
        "+12065550199",
        "-o",
        "text",
        "--query",
        "PhoneNumbers[].[PhoneNumberId, Status, ProductType]",
        "-q",
    )
    assert run.exit_code == 3
    assert run.stdout == (
        "%2B12065550100\tAssigned\tBusinessCalling\n%2B12065550104\tUnassigned\tBusinessCalling\n"
    )
    whole = chimenum("get", "+12065550100", "+12065550199", "-o", "text", "-q")
    lines = whole.stdout.splitlines()
    # Numbers stream as they arrive; the errors, known only once every id is done, come last.
    assert lines[0].split("\t")[:2] == ["PHONENUMBERS", "AnyCompany"]
    assert [line.split("\t")[0] for line in lines[1:4]] == [
        "ASSOCIATIONS",
        "ASSOCIATIONS",
        "CAPABILITIES",
    ]
    assert lines[4:] == [
        "PHONENUMBERERRORS\tNotFoundException\tThe requested resource was not found.\t+12065550199"
    ]


def test_text_makes_api_strings_inert(fake: FakeChime, chimenum) -> None:
    fake.records["+12065550100"]["CallingName"] = "Evil\tName\nPHONENUMBER\x1b[2J\u202e"
    run = chimenum("get", "+12065550100", "-o", "text")
    assert run.exit_code == 0
    first = run.stdout.splitlines()[0].split("\t")
    assert first[:2] == ["PHONENUMBER", "Evil\\x09Name\\x0aPHONENUMBER\\x1b[2J\\u202e"]
    assert "\x1b" not in run.stdout and "\u202e" not in run.stdout
    assert len(run.stdout.splitlines()) == 4


def test_json_shorthand_is_output_json(fake: FakeChime, chimenum) -> None:
    assert chimenum("get", "+12065550100", "--json").stdout == (
        chimenum("get", "+12065550100", "-o", "json").stdout
    )


def test_query_on_several_ids_sees_the_whole_document(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "get",
        "+12065550100",
        "+12065550199",
        "--json",
        "-q",
        "--query",
        "{ok: PhoneNumbers[].PhoneNumberId, missing: PhoneNumberErrors[].PhoneNumberId}",
    )
    assert run.exit_code == 3
    # A number's id as the service sent it; an error's, the number asked for.
    assert json.loads(run.stdout) == {"ok": ["%2B12065550100"], "missing": ["+12065550199"]}


def test_ndjson_query_applies_per_line(fake: FakeChime, chimenum) -> None:
    run = chimenum(
        "get",
        "+12065550100",
        "+12065550199",
        "+12065550104",
        "-o",
        "ndjson",
        "-q",
        "--query",
        "PhoneNumber.Status || ErrorCode",
    )
    assert run.exit_code == 3
    assert run.stdout.splitlines() == ['"Assigned"', '"NotFoundException"', '"Unassigned"']
    nulls = chimenum("get", "+12065550100", "+12065550199", "-o", "ndjson", "-q", "--query", "Nope")
    assert nulls.stdout.splitlines() == ["null", "null"]


def test_table_query_renders_the_result_generically(fake: FakeChime, chimenum) -> None:
    scalar = chimenum("get", "+12065550100", "--query", "PhoneNumber.Status")
    assert scalar.stdout == "Assigned\n"
    rows = chimenum(
        "get",
        "+12065550100",
        "+12065550104",
        "--query",
        "PhoneNumbers[].{Id: PhoneNumberId, Status: Status, SMS: Capabilities.InboundSMS}",
    )
    lines = rows.stdout.splitlines()
    assert lines[0].split() == ["Id", "Status", "SMS"]
    assert lines[2].split() == ["%2B12065550100", "Assigned", "true"]
    assert lines[3].split() == ["%2B12065550104", "Unassigned", "true"]
    mapping = chimenum("get", "+12065550100", "--query", "PhoneNumber.Capabilities")
    assert mapping.stdout.splitlines()[0].split() == ["InboundCall", "true"]
    assert "\x1b" not in rows.stdout + mapping.stdout
    nothing = chimenum("get", "+12065550100", "--query", "PhoneNumber.NoSuchKey")
    assert (nothing.exit_code, nothing.stdout) == (0, "")


@pytest.mark.parametrize("output", ["table", "json", "ndjson", "text"])
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("PhoneNumber.[", "Incomplete expression at column 13"),
        ("a ||| b", 'invalid token: Parse error at column 4, token "|" (PIPE)'),
        ("`bad", "Unclosed ` delimiter at column 0"),
        ("", "cannot be empty"),
    ],
)
def test_invalid_query_is_a_usage_error_before_any_request(
    fake: FakeChime, chimenum, output: str, expression: str, message: str
) -> None:
    run = chimenum("get", "+12065550100", "-o", output, "--query", expression)
    assert run.exit_code == 2
    assert "Error: Invalid value for '--query': " in run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert fake.requests == []


# -- colour ----------------------------------------------------------------------------------


def on_tty(exe: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run the installed console script on a pseudo-terminal; return what the terminal got."""
    child = ptys.spawn(
        exe,
        list(args),
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        encoding="utf-8",
        timeout=60,
        dimensions=(60, 160),
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 0, output
    return output.replace("\r\n", "\n")


def piped(exe: str, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [exe, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_colour_on_a_terminal_only(fake: FakeChime, chimenum_exe: str) -> None:
    assert ANSI.search(on_tty(chimenum_exe, "get", "+12065550100"))
    assert not ANSI.search(piped(chimenum_exe, "get", "+12065550100"))


def test_json_on_a_terminal_is_pretty_and_highlighted_piped_plain(
    fake: FakeChime, chimenum_exe: str
) -> None:
    shown = on_tty(chimenum_exe, "get", "+12065550100", "--json")
    plain = piped(chimenum_exe, "get", "+12065550100", "--json")
    assert ANSI.search(shown)
    assert not ANSI.search(plain)
    assert ANSI.sub("", shown) == plain  # the same indented JSON, only coloured
    assert plain.startswith('{\n    "PhoneNumber": {\n')


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {"NO_COLOR": "1"}, False),
        (["--color", "never"], {}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        ([], {"CLICOLOR_FORCE": "1"}, True),
        (["--color", "auto"], {"CLICOLOR_FORCE": "0"}, True),
    ],
)
def test_colour_rules_on_a_terminal(
    fake: FakeChime, chimenum_exe: str, args: list[str], env: dict[str, str], coloured: bool
) -> None:
    for output in (["--json"], []):
        shown = on_tty(chimenum_exe, "get", "+12065550100", *output, *args, env=env)
        assert bool(ANSI.search(shown)) is coloured, (output, args, env)


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["--color", "always"], {}, True),
        ([], {"CLICOLOR_FORCE": "1"}, True),
        ([], {"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"CLICOLOR_FORCE": "1"}, False),
    ],
)
def test_colour_rules_piped(
    fake: FakeChime, chimenum_exe: str, args: list[str], env: dict[str, str], coloured: bool
) -> None:
    for output in (["--json"], []):
        shown = piped(chimenum_exe, "get", "+12065550100", *output, *args, env=env)
        assert bool(ANSI.search(shown)) is coloured, (output, args, env)


@pytest.mark.parametrize("output", ["text", "ndjson"])
def test_machine_formats_are_never_coloured(
    fake: FakeChime, chimenum_exe: str, output: str
) -> None:
    shown = on_tty(chimenum_exe, "get", "+12065550100", "-o", output, "--color", "always")
    assert not ANSI.search(shown)


#: One character of each kind chimenum.core.safe calls unsafe: DEL, C1 controls (NEL, CSI),
#: format characters (zero-width space, bidi override, BOM), line and paragraph separators,
#: private use (in the BMP and in plane 15), unassigned code points (in the BMP and plane 14).
UNSAFE = "\x7f\x85\x9b\u200b\u202e\ufeff\u2028\u2029\ue000\U000f0000\u0378\U000e0080"
#: Non-ASCII characters that are safe, and stay as they are.
SAFE = "é中😀"


def json_escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def test_piped_and_coloured_json_escape_the_same_characters(
    fake: FakeChime, chimenum_exe: str
) -> None:
    name = f"a{UNSAFE}b{SAFE}"
    fake.records["+12065550100"]["CallingName"] = name
    plain = piped(chimenum_exe, "get", "+12065550100", "--json")
    shown = on_tty(chimenum_exe, "get", "+12065550100", "--json")
    assert ANSI.search(shown), "coloured on a terminal"
    assert ANSI.sub("", shown) == plain
    for ch in UNSAFE:
        assert ch not in plain
        assert json_escape(ch) in plain, f"U+{ord(ch):04X}"
    for ch in SAFE:
        assert ch in plain
    assert json.loads(plain)["PhoneNumber"]["CallingName"] == name


def test_highlighted_json_escapes_what_a_terminal_would_act_on(
    fake: FakeChime, chimenum_exe: str
) -> None:
    fake.records["+12065550100"]["CallingName"] = "Any\u202eCo\u009b31m\x1b[2J"
    shown = on_tty(chimenum_exe, "get", "+12065550100", "--json")
    assert "\u202e" not in shown and "\u009b" not in shown and "\x1b[2J" not in shown
    doc = json.loads(ANSI.sub("", shown))
    assert doc["PhoneNumber"]["CallingName"] == "Any\u202eCo\u009b31m\x1b[2J"


# -- duplicate ids: the Nth entry is about the Nth id -----------------------------------------

#: Ids as a runbook's file holds them: a number twice (in two spellings), one that fails twice.
GIVEN = ["+12065550100", "+12065550199", "%2B12065550100", "+12065550101", "+12065550199"]
E164_GIVEN = [phone_id.replace("%2B", "+") for phone_id in GIVEN]


def test_ndjson_line_n_is_about_the_nth_id_given_duplicates_included(
    fake: FakeChime, chimenum
) -> None:
    """``paste <(ids) <(chimenum get - -o ndjson)`` lines up: each id is fetched once and
    written once per time it was given."""
    run = chimenum("get", "-", "-o", "ndjson", input="\n".join(GIVEN) + "\n")
    assert run.exit_code == 3, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    about = [
        line.get("PhoneNumber", line).get("E164PhoneNumber", line.get("PhoneNumberId"))
        for line in lines
    ]
    assert about == E164_GIVEN
    assert sorted(fake.requested_ids()) == ["+12065550100", "+12065550101", "+12065550199"]
    # Each failure of an id given twice is reported where it stands: once per place.
    assert run.stderr.count("error: +12065550199: NotFoundException") == 2


def test_csv_row_n_is_about_the_nth_id_given(fake: FakeChime, chimenum) -> None:
    import csv
    import io

    run = chimenum("get", *GIVEN, "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(run.stdout, newline="")))
    assert [row["E164PhoneNumber"] for row in rows] == E164_GIVEN


def test_ten_thousand_copies_of_one_id_give_ten_thousand_lines(fake: FakeChime, chimenum) -> None:
    run = chimenum("get", "-", "-o", "ndjson", input="+12065550100\n" * 10_000)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 10_000 and len(set(lines)) == 1
    assert fake.requested_ids() == ["+12065550100"]


# -- -o yaml and -o name: registry entries of every document kind ------------------------------

#: A command printing each document kind, against the fake's voice numbers.
KIND_COMMANDS = {
    "numbers-one": ["get", "+12065550101"],
    "numbers-many": ["get", "+12065550101", "+12065550102", "+19995550100"],
    "numbers-list": ["list"],
    "descriptions": ["describe", "+12065550101", "+12065550103"],
    "audit": ["audit"],
}


#: --query (get and list) is applied before the YAML is written, as before the JSON.
QUERIED = [
    ("numbers-one", "PhoneNumber.Status"),
    ("numbers-many", "PhoneNumbers[].Status"),
    ("numbers-list", "PhoneNumbers[?Status=='Assigned'].E164PhoneNumber"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "query"), [*((c, None) for c in KIND_COMMANDS), *QUERIED])
def test_yaml_is_the_json_document_of_every_kind(
    fake: FakeChime, chimenum, voice: None, command: str, query: str | None
) -> None:
    import yaml

    args = [*KIND_COMMANDS[command], *(["--query", query] if query else [])]
    as_json = chimenum(*args, "--json")
    as_yaml = chimenum(*args, "-o", "yaml")
    assert as_json.exit_code == as_yaml.exit_code, as_yaml.stderr
    assert as_json.stderr == as_yaml.stderr
    assert yaml.safe_load(as_yaml.stdout) == json.loads(as_json.stdout)
    # Block style, and timestamps are the JSON's strings, not YAML dates.
    assert "{" not in as_yaml.stdout.split(":", 1)[0]
    assert yaml.safe_load(as_yaml.stdout) is not None


def test_yaml_escapes_what_a_terminal_would_act_on_and_keeps_the_value(
    fake: FakeChime, chimenum
) -> None:
    import yaml

    fake.inject("*", "hostile")
    as_yaml = chimenum("get", "+12065550100", "-o", "yaml")
    as_json = chimenum("get", "+12065550100", "--json")
    assert as_yaml.exit_code == 0, as_yaml.stderr
    raw = [ch for ch in as_yaml.stdout if (ch != "\n" and ord(ch) < 0x20) or 0x7F <= ord(ch) < 0xA0]
    assert raw == []
    for unsafe in ("\u202e", "\u2028", "\ue000"):
        assert unsafe not in as_yaml.stdout
    assert "\\u202e" in as_yaml.stdout
    assert yaml.safe_load(as_yaml.stdout) == json.loads(as_json.stdout)


def test_yaml_keeps_unicode_unless_stdout_is_ascii(fake: FakeChime, chimenum, chimenum_exe) -> None:
    import yaml

    fake.records["+12065550100"]["CallingName"] = "Café Zürich"
    run = chimenum("get", "+12065550100", "-o", "yaml")
    assert "CallingName: Café Zürich\n" in run.stdout
    ascii_run = subprocess.run(
        [chimenum_exe, "get", "+12065550100", "-o", "yaml"],
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        capture_output=True,
        check=False,
    )
    assert ascii_run.returncode == 0, ascii_run.stderr
    assert ascii_run.stdout.isascii()
    assert yaml.safe_load(ascii_run.stdout)["PhoneNumber"]["CallingName"] == "Café Zürich"


def test_name_is_one_e164_number_per_line_for_every_kind(
    fake: FakeChime, chimenum, voice: None
) -> None:
    listed = json.loads(chimenum("list", "--json").stdout)["PhoneNumbers"]
    assert chimenum("list", "-o", "name").stdout.splitlines() == [
        n["E164PhoneNumber"] for n in listed
    ]
    # A failed id prints nothing on stdout: its error line and exit code say it.
    many = chimenum("get", "+12065550102", "+19995550100", "+12065550101", "-o", "name")
    assert many.stdout == "+12065550102\n+12065550101\n"
    assert many.exit_code != 0 and "+19995550100" in many.stderr
    described = chimenum("describe", "+12065550103", "+12065550101", "-o", "name")
    assert described.stdout == "+12065550103\n+12065550101\n"
    # audit: each number with a finding, once, in the order found.
    audit = json.loads(chimenum("audit", "--json", "--fail-on", "never").stdout)
    flagged = list(dict.fromkeys(f["PhoneNumberId"] for f in audit["Findings"]))
    names = chimenum("audit", "-o", "name", "--fail-on", "never")
    assert (names.exit_code, names.stdout.splitlines()) == (0, flagged)
    assert flagged


def test_name_refuses_query(fake: FakeChime, chimenum) -> None:
    run = chimenum("list", "-o", "name", "--query", "PhoneNumbers")
    assert run.exit_code == 2
    assert "--query does not apply to -o name" in run.stderr


def test_get_help_names_the_one_shape_for_any_number_of_ids(chimenum) -> None:
    text = " ".join(chimenum("get", "--help").stdout.split())
    assert "For one shape whatever the number of ids" in text
    assert 'use -o ndjson: one {"PhoneNumber": {...}} line per id' in text
