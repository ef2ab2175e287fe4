"""Tables that fit a real terminal, -o wide / --columns / --sort-by / --no-headers, -o csv,
streamed documents, and output that cannot be written (issue 11's output side, issue 10 item 4).

Terminal layouts run the console script in a pseudo-terminal (pexpect) of a given width, with
no ``$COLUMNS``: what the test reads is the byte stream a terminal gets, so a value "whole" there
is one that chimenum never split (the terminal may still wrap a line wider than itself).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import ptys
import pytest

from chimenum.core.findings import SEVERITIES
from chimenum.demo import sample_numbers, sample_voice_numbers
from chimenum.output.document import to_json
from chimenum.output.formats import entries
from chimenum.output.formats.csv import FIELDS
from chimenum.output.formats.layout import cell_len
from testing.fakechime import FakeChime, generate_numbers
from tests.changing import changed_snapshot, diff_args

#: Every (document kind, format) of the format registry.
EVERY_FORMAT = [pytest.param(*entry, id="-".join(entry)) for entry in entries()]
ONE = "+12065550100"
VOICE_ONE = "+12065550101"
SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = [60, 80, 100, 120]
HINT = "chimenum: "


def on_terminal(exe: str, columns: int, *args: str, **env: str) -> tuple[int, list[str]]:
    """Run on a pty ``columns`` wide; the exit status and the lines it wrote (colour removed)."""
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    child = ptys.spawn(
        exe,
        list(args),
        encoding="utf-8",
        codec_errors="strict",
        dimensions=(200, columns),
        env={**environ, "AWS_REGION": "us-east-1", **env},
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    text = SGR.sub("", child.before).replace("\r\n", "\n")
    return child.exitstatus, text.splitlines()


def ids_of(record: dict[str, Any]) -> list[str]:
    found = [record["PhoneNumberId"], *(a["Value"] for a in record.get("Associations", []))]
    return found + [record[k] for k in ("PhoneNumberArn", "OrderId") if k in record]


# -- the summary table on a terminal ---------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("api", ["chime", "voice"])
def test_list_fits_the_terminal_and_keeps_ids_whole(
    fake: FakeChime, chimenum_exe: str, columns: int, api: str
) -> None:
    records = sample_numbers() if api == "chime" else sample_voice_numbers()
    code, lines = on_terminal(chimenum_exe, columns, "--api", api, "list")
    assert code == 0
    hints = [line for line in lines if line.startswith(HINT)]
    table = [line for line in lines if not line.startswith(HINT)]
    assert all(cell_len(line) <= columns for line in table), max(map(cell_len, table))
    # A number's first line starts with it; its associations may take the lines under it.
    firsts = [index for index, line in enumerate(table) if line.startswith("+")]
    assert [table[i].split()[:2] for i in firsts] == [
        [r["E164PhoneNumber"], r["Status"]] for r in records
    ]
    ends = [*firsts[1:], len(table)]
    for record, first, end in zip(records, firsts, ends, strict=True):
        lines_of = table[first:end]
        for value in ids_of(record)[1:]:
            if not any(value in line for line in lines_of):
                assert hints and "PhoneNumberArn" in record, value  # only the ARN may go
    assert len(hints) <= 1 and all(len(hint) < 80 and "-o wide" in hint for hint in hints)


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("pick", [["-o", "wide"], ["--columns", "arn,associations,number,name"]])
def test_wide_and_columns_keep_every_id_whole_at_any_width(
    fake: FakeChime, chimenum_exe: str, columns: int, pick: list[str]
) -> None:
    """A row wider than the terminal is broken between its cells (a list wraps between its
    items), so the terminal never splits an id; at 60 columns only a line that is one id on
    its own (an ARN) may run past the edge."""
    code, lines = on_terminal(chimenum_exe, columns, "--api", "voice", "list", *pick)
    assert code == 0
    assert not any(line.startswith(HINT) for line in lines)
    for header in ("Associations", "ARN"):
        assert any(header in line for line in lines)
    text = lines[lines.index(next(line for line in lines if line.startswith("─"))) + 1 :]
    for record in sample_voice_numbers():
        shown = ids_of(record) if "--columns" not in pick else ids_of(record)[1:-1]
        for value in [record["E164PhoneNumber"], *shown]:
            assert any(value in line for line in text), (value, text)
    for line in lines:
        assert cell_len(line) <= columns or line.split()[-1].startswith("arn:"), line


def test_a_long_prose_value_is_cut_with_an_ellipsis_on_a_terminal(chimenum_exe: str) -> None:
    records = sample_numbers()
    records[0]["CallingName"] = "A very long calling name " * 6
    with FakeChime(records) as server:
        code, lines = on_terminal(
            chimenum_exe, 100, "list", "--columns", "number,calling-name,status",
            AWS_ENDPOINT_URL_CHIME=server.url,
        )  # fmt: skip
    assert code == 0
    # --columns shows values in full, wrapped at their spaces; the default view cuts prose.
    assert all(cell_len(line) <= 100 for line in lines)
    assert " ".join(" ".join(lines).split()).count("A very long calling name") == 6
    with FakeChime(records) as server:
        code, lines = on_terminal(chimenum_exe, 120, "list", AWS_ENDPOINT_URL_CHIME=server.url)
    row = next(line for line in lines if line.startswith(ONE))
    assert "…" in row and cell_len(row) <= 120
    assert row.split()[:2] == [ONE, "Assigned"]


# -- the one-id view -------------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("api", ["chime", "voice"])
def test_detail_view_keeps_every_value_whole(
    fake: FakeChime, chimenum_exe: str, columns: int, api: str
) -> None:
    number = ONE if api == "chime" else VOICE_ONE
    records = sample_numbers() if api == "chime" else sample_voice_numbers()
    record = next(r for r in records if r["E164PhoneNumber"] == number)
    code, lines = on_terminal(chimenum_exe, columns, "--api", api, "get", number)
    assert code == 0
    text = "\n".join(lines)
    for value in ids_of(record):
        assert value in text, value
    for label in ("Phone number id", "Product type", "Calling name", "Created", "Updated"):
        assert label in text
    for line in lines:
        # Wider than the terminal only when the line is one id on its own.
        assert cell_len(line) <= columns or line.strip() in ids_of(record), line


# -- options ---------------------------------------------------------------------------------


def test_columns_pick_and_order(fake: FakeChime, chimenum) -> None:
    run = chimenum("--api", "voice", "--region", "us-east-1", "list", "--columns", "arn,number")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["ARN", "Phone", "number"]
    for record, line in zip(sample_voice_numbers(), lines[2:], strict=True):
        assert line.split() == [record["PhoneNumberArn"], record["E164PhoneNumber"]]


def test_sort_by_and_no_headers(fake: FakeChime, chimenum) -> None:
    run = chimenum("list", "--columns", "status,number", "--sort-by", "status", "--no-headers")
    assert run.exit_code == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines()]
    assert [status for status, _ in rows] == sorted(r["Status"] for r in sample_numbers())
    assert sorted(number for _, number in rows) == sorted(
        r["E164PhoneNumber"] for r in sample_numbers()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "number,bogus"], "unknown column 'bogus'; choose from number, id, status"),
        (["--columns", "number", "--json"], "--columns applies to -o table and -o wide"),
        (["--sort-by", "status", "-o", "csv"], "--sort-by applies to -o table and -o wide"),
        (["--no-headers", "-o", "ndjson"], "--no-headers applies to -o table, wide and csv"),
        (["--status", "Assigned,"], "'' is not one of"),
        (
            ["--product-type", "VoiceConnector", "--product-type", "BusinessCalling"],
            "takes one value",
        ),
    ],
)
def test_option_misuse_is_refused_before_any_request(
    fake: FakeChime, chimenum, args: list[str], message: str
) -> None:
    run = chimenum("list", *args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert fake.requests == []


def test_a_wrong_column_name_lists_the_column_names(chimenum) -> None:
    out = " ".join(chimenum("list", "--help").stdout.split())
    assert "a wrong name lists all" in out and "wide" in out and "csv" in out
    run = chimenum("list", "--columns", "nope")
    assert run.exit_code == 2
    assert "number, id, status, associations, name, calling-name," in run.stderr


# -- CSV -------------------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3", "@cmd", "\tx", "plain"]


@pytest.fixture
def hostile_csv(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    records = sample_numbers()[: len(HOSTILE_NAMES)]
    for record, name in zip(records, HOSTILE_NAMES, strict=True):
        record["CallingName"] = name
    with FakeChime(records) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        yield records


def test_csv_parses_back_with_formulas_neutralised(
    hostile_csv: list[dict[str, Any]], chimenum
) -> None:
    run = chimenum("list", "-o", "csv")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout, newline="")))
    assert list(rows[0]) == list(FIELDS)
    assert [row["PhoneNumberId"] for row in rows] == [r["PhoneNumberId"] for r in hostile_csv]
    names = [row["CallingName"] for row in rows]
    assert names[0] == '\'=HYPERLINK("http://x","y")'
    assert names[1] == "'+SUM(A1)"
    assert names[2] == "'-2+3"
    assert names[3] == "'@cmd"
    assert names[4] == "\\x09x", "a tab is shown as an escape, so it is no formula start"
    assert names[5] == "plain"
    for record, row in zip(hostile_csv, rows, strict=True):
        # E.164 numbers start with + but stay whole text.
        assert row["E164PhoneNumber"] == record["E164PhoneNumber"]
        for kind, value in record["Capabilities"].items():
            assert row[kind] == ("true" if value else "false")
        pairs = [(a["Name"], a["Value"]) for a in json.loads(row["Associations"])]
        assert pairs == [(a["Name"], a["Value"]) for a in record.get("Associations", [])]


def test_csv_batch_keeps_every_id(fake: FakeChime, chimenum_exe: str) -> None:
    run = subprocess.run(
        [chimenum_exe, "get", ONE, "+12065550199", "-o", "csv", "--no-headers", "-q"],
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 3
    assert run.stdout.count(b"\r\n") == 2, "RFC 4180 records end with CR LF"
    rows = list(csv.reader(io.StringIO(run.stdout.decode(), newline="")))
    # PhoneNumberId as the service sent it; for an id that failed, the number asked for.
    assert [row[0] for row in rows] == ["%2B" + ONE[1:], "+12065550199"]
    assert rows[1][-2:] == ["NotFoundException", "The requested resource was not found."]


# -- streaming -------------------------------------------------------------------------------


@pytest.fixture
def many(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChime]:
    with FakeChime(generate_numbers(250)) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        yield server


def test_streamed_json_is_byte_for_byte_the_whole_document(many: FakeChime, chimenum) -> None:
    run = chimenum("list", "--json")
    assert run.exit_code == 0
    doc = json.loads(run.stdout)
    assert len(doc["PhoneNumbers"]) == 250
    assert run.stdout == to_json(doc) + "\n"
    ids = [*[r["PhoneNumberId"] for r in many.records.values()][:150], "+12065550199"]
    batch = chimenum("get", *ids, "--json", "-q")
    doc = json.loads(batch.stdout)
    assert [n["PhoneNumberId"] for n in doc["PhoneNumbers"]] == ids[:-1]
    assert doc["PhoneNumberErrors"][0]["PhoneNumberId"] == "+12065550199"
    assert batch.stdout == to_json(doc) + "\n"


def test_a_stopped_streamed_listing_carries_its_next_token(many: FakeChime, chimenum) -> None:
    many.inject("*", "ServiceFailureException", skip=1)
    run = chimenum("list", "--json", "--max-attempts", "1")
    assert run.exit_code == 9
    doc = json.loads(run.stdout)
    assert len(doc["PhoneNumbers"]) == 99 and doc["NextToken"]
    assert run.stdout == to_json(doc) + "\n"


@pytest.mark.parametrize("output", ["table", "json", "text", "csv"])
def test_every_format_streams_pages_as_they_arrive(
    many: FakeChime, chimenum_exe: str, output: str
) -> None:
    """The first page is out while the second is still being answered."""
    many.inject("*", "slow", times=1, skip=1, delay=30.0)
    proc = subprocess.Popen(
        [chimenum_exe, "list", "-o", output], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        seen = b""
        while ONE_PAGE_END[output] not in seen:
            chunk = proc.stdout.read1(65536)  # type: ignore[attr-defined]
            assert chunk, "stdout ended before the first page was out"
            seen += chunk
        deadline = time.monotonic() + 10
        while len(many.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(many.requests) == 2 and many.requests[1].status == 0
    finally:
        proc.kill()
        proc.wait()


#: The last id of the first page (99 numbers), as each format writes it.
ONE_PAGE_END = {fmt: b"+12065560098" for fmt in ("table", "json", "text", "csv")}


# -- output that cannot be written -----------------------------------------------------------


@pytest.mark.parametrize("columns", ["0", "-5", "1", "abc", ""])
def test_any_columns_value_shows_every_field(
    fake: FakeChime, chimenum_exe: str, columns: str
) -> None:
    proc = subprocess.run(
        [chimenum_exe, "get", ONE],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": columns},
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    for text in ("Phone number id", "Calling name", "AnyCompany", "Associations", "Outbound"):
        assert text in proc.stdout
    for value in ids_of(sample_numbers()[0]):
        assert value in proc.stdout


def test_tiny_columns_on_a_terminal_wraps_rather_than_drops(
    fake: FakeChime, chimenum_exe: str
) -> None:
    code, lines = on_terminal(chimenum_exe, 80, "get", ONE, COLUMNS="1")
    assert code == 0
    text = "\n".join(lines)
    for value in ids_of(sample_numbers()[0]):
        assert value in text


@pytest.mark.parametrize(
    "args", [["get", ONE], ["list", "--json"], ["list", "-o", "ndjson"], ["list"]]
)
@pytest.mark.parametrize("redirect", [">&-", "> /dev/full"])
def test_stdout_closed_or_full_is_exit_74_with_one_line(
    fake: FakeChime, chimenum_exe: str, args: list[str], redirect: str
) -> None:
    proc = subprocess.run(
        f"{chimenum_exe} {' '.join(args)} {redirect}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 74, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chimenum: error: cannot write to stdout: ")


@pytest.mark.parametrize(
    "args", [["get", ONE], ["list"], ["get", ONE, "--json"], ["list", "-o", "ndjson"]]
)
def test_an_ascii_stdout_gets_ascii(fake: FakeChime, chimenum_exe: str, args: list[str]) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([chimenum_exe, *args], capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.isascii() and proc.stdout.strip()
    utf8 = subprocess.run([chimenum_exe, *args], capture_output=True, timeout=60).stdout
    if "--json" in args or "ndjson" in args:
        parse = (
            [json.loads(line) for line in proc.stdout.splitlines()]
            if "ndjson" in args
            else json.loads(proc.stdout)
        )
        again = (
            [json.loads(line) for line in utf8.splitlines()]
            if "ndjson" in args
            else json.loads(utf8)
        )
        assert parse == again
    else:
        assert not utf8.isascii(), "the same command draws glyphs on a UTF-8 stdout"
        if args[0] == "get":
            assert b"yes" in proc.stdout and b"no" in proc.stdout


def test_widths_fixed_by_the_first_page_never_cut_a_later_id(
    chimenum, chimenum_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = list(generate_numbers(150))
    late = records[120]
    late["CallingName"] = "A calling name much longer than the first page had"
    late["Associations"][0]["Value"] = "vc-" + "x" * 60
    with FakeChime(records) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", server.url)
        piped = chimenum("list")
        code, lines = on_terminal(chimenum_exe, 100, "list", "--columns", "number,associations")
        fitted = on_terminal(chimenum_exe, 100, "list")[1]
    row = next(
        line for line in piped.stdout.splitlines() if line.startswith(late["E164PhoneNumber"])
    )
    assert late["CallingName"] in row and late["Associations"][0]["Value"] in row
    assert code == 0
    assert any(late["Associations"][0]["Value"] in line for line in lines)
    # Fitted, the wider id moves whole to a line of its own; the longer prose is cut.
    start = next(i for i, line in enumerate(fitted) if line.startswith(late["E164PhoneNumber"]))
    assert any(late["Associations"][0]["Value"] in line for line in fitted[start : start + 3])
    assert all(cell_len(line) <= 100 for line in fitted)
    assert late["CallingName"] not in "\n".join(fitted)


# -- every format of every document kind ---------------------------------------------------------

#: Per document kind: a demo command that prints it, with the ids it must show whole.
DEMO_COMMANDS = {
    "numbers": ["get", VOICE_ONE, "+12065550103"],
    "descriptions": ["describe", VOICE_ONE, "+12065550103"],
    "audit": ["audit"],
}


@pytest.mark.parametrize(("document", "output"), EVERY_FORMAT)
def test_every_format_of_every_kind_on_an_ascii_stdout(
    chimenum_exe: str, tmp_path: Path, document: str, output: str
) -> None:
    """``PYTHONIOENCODING=ascii``: ASCII glyphs (a tree's guides and arrow included), never a
    UnicodeEncodeError."""
    demo = [chimenum_exe, "--demo", "--api", "voice"]
    command = DEMO_COMMANDS.get(document, [])
    if document == "changes":
        listing = subprocess.run([*demo, "list", "-o", "ndjson"], capture_output=True, timeout=120)
        command = ["diff", str(changed_snapshot(listing.stdout.decode(), tmp_path)), "--live"]
    args = [*demo, *command, "-o", output]
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert proc.returncode in (0, 15, 17), proc.stderr
    assert b"internal error" not in proc.stderr
    assert proc.stdout.isascii() and proc.stdout.strip()
    if "json" in output:
        [json.loads(line) for line in proc.stdout.splitlines()] if output == "ndjson" else (
            json.loads(proc.stdout)
        )


@pytest.mark.slow
@pytest.mark.parametrize(("document", "output"), EVERY_FORMAT)
def test_every_format_of_every_kind_keeps_ids_whole_on_a_narrow_terminal(
    fake: FakeChime,
    chimenum,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str,
    output: str,
) -> None:
    """At the narrowest layout width an id (a number, a connector, a SIP rule, an application)
    is moved whole to a line of its own, never split; the tree and tables still fit what can."""
    from chimenum.demo import resources as demo
    from chimenum.output.env import MIN_WIDTH

    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("COLUMNS", str(MIN_WIDTH))
    if document == "changes":
        command = diff_args(chimenum, tmp_path, "--api", "voice")
    else:
        command = DEMO_COMMANDS[document]
    run = chimenum("--api", "voice", *command, "-o", output)
    assert run.exit_code in (0, 15, 17), run.stderr
    words = set(re.split(r"[\s,\"]+", run.stdout))
    # What every format of the kind shows (the findings, for CSV): a number's, a rule's ids.
    numbers = document in ("numbers", "changes")
    shown = [VOICE_ONE, "+12065550103"] if numbers else [demo.RULE_BROKEN]
    if output == "name":  # numbers only, one a line
        shown = ["+12065550103"]
    for whole in [*shown, "+12065550103"]:
        assert any(whole in word for word in words), whole
    if output == "table" and document != "numbers":
        # Prose wraps: only a line holding one id (after the tree's guides, or a finding's
        # severity) may be wider.
        for line in run.stdout.splitlines():
            words = [w for w in line.lstrip("│├└─ ").split() if w not in SEVERITIES]
            assert cell_len(line) <= MIN_WIDTH or len(words) == 1, line
