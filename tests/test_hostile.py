"""Hostile data from the API cannot act on the terminal, in any output format or on stderr.

The fake's ``hostile`` fault answers a number whose every string (calling name, association
names and values, status, type, name...) carries SGR and OSC escape sequences, the one-byte C1
CSI, carriage return, backspace, NUL, bidi overrides, a line separator, a lone surrogate and rich
markup; ``hostile-error`` answers an error whose code and message carry them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from chimenum.output.formats import entries
from testing.fakechime import HOSTILE, HOSTILE_CODE, FakeChime, hostile_record
from tests.changing import diff_args

#: Every (document kind, format) of the format registry.
EVERY_FORMAT = [pytest.param(*entry, id="-".join(entry)) for entry in entries()]
ONE = "+12065550100"
TWO = "+12065550101"

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
#: What rich itself writes when colour is forced: SGR sequences only.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def raw_controls(text: str) -> list[str]:
    """Every character a terminal could act on, except the newline."""
    return [
        ch
        for ch in text
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def assert_inert(text: str, *, colour: bool = False) -> None:
    if colour:
        text = SGR.sub("", text)
    assert raw_controls(text) == [], sorted(set(raw_controls(text)))


@pytest.mark.parametrize("ids", [[ONE], [ONE, TWO]], ids=["detail", "summary"])
def test_table_shows_escapes_visibly_and_markup_literally(
    fake: FakeChime, chimenum, ids: list[str]
) -> None:
    fake.inject("*", "hostile")
    run = chimenum("get", *ids)
    assert run.exit_code == 0, run.stderr
    assert_inert(run.stdout)
    out = run.stdout
    assert r"\x1b[31mred\x1b[0m" in out
    assert "[bold red]markup[/]" in out
    assert "Status:" in out
    if len(ids) == 1:  # the detail view shows every field in full (the summary truncates)
        for visible in (r"\x9b2J", r"\x0d\x08\x00", r"\u202eevil", r"\ud800", r"\u2028"):
            assert visible in out, visible
        for field in ("CallingName:", "Associations.Name:", "Associations.Value:", "Type:"):
            assert field in out, field
        assert r"back\\slash" in out, "a literal backslash is doubled: escapes cannot be forged"
    assert run.stderr == ""


def test_table_with_forced_colour_emits_only_its_own_sgr(
    fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    fake.inject("*", "hostile")
    run = chimenum("get", ONE)
    assert run.exit_code == 0, run.stderr
    assert SGR.search(run.stdout), "colour was forced"
    assert_inert(run.stdout, colour=True)
    assert "\x1b]" not in run.stdout, "no OSC sequence (title, hyperlink) from data"
    assert "[bold red]markup[/]" in run.stdout
    assert "markup[/]" in run.stdout


@pytest.mark.parametrize("output", ["json", "ndjson"])
def test_json_escapes_them_and_keeps_the_exact_value(
    fake: FakeChime, chimenum, output: str
) -> None:
    fake.inject("*", "hostile")
    run = chimenum("get", ONE, "-o", output)
    assert run.exit_code == 0, run.stderr
    assert_inert(run.stdout)
    assert "\\u001b[31mred" in run.stdout
    assert "\\u009b2J" in run.stdout, "C1 controls are escaped, though JSON allows them raw"
    assert "\\u202eevil" in run.stdout
    number = json.loads(run.stdout)["PhoneNumber"]
    # A lone surrogate is not a character: JSON output carries U+FFFD instead (as jq would).
    expected = json.loads(json.dumps(hostile_record(ONE)).replace("\\ud800", "\\ufffd"))
    for key in ("CallingName", "Status", "Type", "E164PhoneNumber", "CallingNameStatus"):
        assert number[key] == expected[key], key
    assert number["Associations"][0]["Value"] == expected["Associations"][0]["Value"]
    assert HOSTILE.replace("\ud800", "\ufffd") in number["CallingName"]


@pytest.mark.shell
def test_jq_reads_the_escaped_json(fake: FakeChime, chimenum) -> None:
    import shutil

    jq = shutil.which("jq")
    assert jq, "jq is a test tool (.ci/run installs it)"
    fake.inject("*", "hostile")
    out = chimenum("get", ONE, "--json").stdout
    proc = subprocess.run(
        [jq, "-r", ".PhoneNumber.Associations[0].Name"],
        input=out.encode(),
        capture_output=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    name = hostile_record(ONE)["Associations"][0]["Name"]
    assert proc.stdout.decode().rstrip("\n") == name.replace("\ud800", "\ufffd")


@pytest.mark.parametrize("output", ["table", "json", "ndjson"])
def test_service_error_messages_reach_stderr_inert(fake: FakeChime, chimenum, output: str) -> None:
    fake.inject("*", "hostile-error")
    run = chimenum("get", ONE, TWO, "-o", output)
    assert run.exit_code == 4  # an unknown error code on a 400: BadRequest
    assert_inert(run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 2, "a newline in a message cannot forge another line"
    for line, phone_id in zip(lines, (ONE, TWO), strict=True):
        assert line.startswith(f"chimenum: error: {phone_id}: Evil\\x1b[31m[bold red]Code[/]")
        assert r"Message:\x1b[31mred\x1b[0m [bold red]markup[/]" in line
        assert r"\u2028" in line
    assert_inert(run.stdout)
    if output == "json":
        errors = json.loads(run.stdout)["PhoneNumberErrors"]
        assert errors[0]["ErrorCode"] == HOSTILE_CODE
        assert errors[0]["ErrorMessage"] == f"Message:{HOSTILE}".replace("\ud800", "\ufffd")


def test_hostile_data_through_the_installed_script(fake: FakeChime, chimenum_exe: str) -> None:
    """As a user runs it: bytes on a pipe, no raw control byte (C0, DEL, C1 as UTF-8)."""
    fake.inject("*", "hostile")
    proc = subprocess.run([chimenum_exe, "get", ONE, TWO], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    raw = proc.stdout
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", raw)
    assert proc.stderr == b""


def test_usage_errors_show_control_characters_from_argv_visibly(chimenum) -> None:
    run = chimenum("get", "+12065550100", "--\x1b]0;pwned\x07")
    assert run.exit_code == 2
    assert_inert(run.stderr)
    assert r"\x1b]0;pwned\x07" in run.stderr


# -- every format of every document kind -------------------------------------------------------

#: A name whoever can name a resource chooses: a spreadsheet formula, then escape sequences.
EVIL_NAME = '=HYPERLINK("http://evil.example","y") ' + HOSTILE
#: A dangling association's value: the id of a finding's resource, a CSV cell's first character.
EVIL_ID = '=HYPERLINK("http://evil.example","id")\x1b[31m'
#: Per document kind: a command whose output carries the names and ids above.
COMMANDS = {
    "numbers": ["get", TWO, "+12065550102"],
    "descriptions": ["describe", TWO, "+12065550102"],
    "audit": ["audit"],
}
#: Control characters a format writes itself: the text format's field separator (a tab inside
#: a value is escaped), the CR LF that ends a CSV record (RFC 4180).
FORMAT_SEPARATORS = {"text": {"\t"}, "csv": {"\r"}}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hostile_names(fake: FakeChime) -> None:
    """The West backup connector named :data:`EVIL_NAME` (its disabled termination is a finding
    whose message names it); +12065550101 named so too, with a dangling association."""
    from chimenum.demo import resources as demo

    key = ("VoiceConnector", demo.VC_WEST)
    fake.put(demo.WEST_REGION, *key, {**fake.resources[demo.WEST_REGION][key], "Name": EVIL_NAME})
    number = fake.voice_records[TWO]
    number["Name"] = EVIL_NAME
    number["Associations"] = [
        *number["Associations"],
        {"Name": "SipRuleId", "Value": EVIL_ID, "AssociatedTimestamp": "2024-01-10T09:00:00Z"},
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("document", "output"), EVERY_FORMAT)
def test_every_format_of_every_kind_keeps_hostile_names_inert(
    fake: FakeChime,
    chimenum,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str,
    output: str,
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    # changes: a snapshot from before the names turned hostile, against the account now.
    args = diff_args(chimenum, tmp_path, "--api", "voice") if document == "changes" else []
    hostile_names(fake)
    run = chimenum("--api", "voice", *(args or COMMANDS[document]), "-o", output)
    assert run.exit_code in (0, 15, 17), run.stderr
    assert "internal error" not in run.stderr
    found = set(raw_controls(run.stdout)) - FORMAT_SEPARATORS.get(output, set())
    assert not found, sorted(found)
    if output == "name":  # the numbers alone: none of their names
        assert all(E164.fullmatch(line) for line in run.stdout.splitlines()), run.stdout
        return
    # YAML writes ESC as its own short escape, \e.
    escaped = {"json": "\\u001b", "ndjson": "\\u001b", "yaml": r"\e"}.get(output, r"\x1b")
    assert escaped in run.stdout, "the hostile name reached the output, made inert"
    if output == "csv":
        for row in csv.reader(io.StringIO(run.stdout, newline="")):
            for cell in row:
                assert not cell.startswith(FORMULA_START) or E164.fullmatch(cell), cell
