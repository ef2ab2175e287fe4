"""On a real terminal (a pty, through pexpect): hostile data cannot act, Ctrl-C exits 130.

On a TTY chimenum renders straight to the console with colour, a different path from the piped
output the other tests read; what reaches the terminal here is exactly what a person would get.
"""

from __future__ import annotations

import os
import re
import time

import pexpect
import ptys
import pytest

from testing.fakechime import FakeChime

ONE = "+12065550100"
#: What rich writes to a terminal for styles: SGR sequences only.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def spawn(exe: str, *args: str) -> pexpect.spawn:
    return ptys.spawn(
        exe, list(args), encoding="utf-8", codec_errors="strict", dimensions=(50, 160), timeout=30
    )


def test_hostile_data_on_a_terminal_shows_escapes_and_only_our_colours(
    fake: FakeChime, chimenum_exe: str
) -> None:
    fake.inject("*", "hostile")
    child = spawn(chimenum_exe, "get", ONE, "+12065550101")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    out = child.before
    assert SGR.search(out), "a terminal gets colour"
    plain = SGR.sub("", out).replace("\r\n", "\n")
    assert "\x1b" not in plain, "no escape sequence but rich's own SGR"
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", plain)
    assert r"\x1b[31mred" in plain
    assert "[bold red]markup[/]" in plain


def test_ctrl_c_on_a_terminal_exits_130(fake: FakeChime, chimenum_exe: str) -> None:
    fake.inject("*", "slow", delay=600)  # held until the test ends
    child = spawn(chimenum_exe, "get", ONE)
    # Once the request has arrived the run is inside its command, wherever exactly: Ctrl-C
    # must end it the same way from any of those places.
    deadline = time.monotonic() + 30
    while ONE not in fake.requested_ids():
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.02)
    child.sendintr()  # the terminal's Ctrl-C: SIGINT to the foreground process group
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    assert child.before.strip().endswith("chimenum: interrupted")


@pytest.mark.parametrize("output", ["json", "ndjson"])
def test_json_on_a_terminal_carries_escapes_not_controls(
    fake: FakeChime, chimenum_exe: str, output: str
) -> None:
    fake.inject("*", "hostile")
    child = spawn(chimenum_exe, "get", ONE, "-o", output)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = SGR.sub("", child.before).replace("\r\n", "\n")  # JSON is highlighted on a TTY
    assert "\x1b" not in text
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", text)
    assert "\\u001b[31mred" in text


# -- the summary table's columns at the widths people use ----------------------------------

#: The default columns' headers, most important first (summary.DEFAULT_COLUMNS).
PRIORITY = [
    "Phone number", "Status", "Associations", "Name", "Calling name", "Type", "Country",
    "Product type", "Capabilities in / out", "Updated", "Order id", "ARN",
]  # fmt: skip
#: What docs/output-formats.md says the demo's Amazon Chime list shows at each width.
CHIME_COLUMNS = {80: 3, 100: 3, 120: 5, 200: 7}


def headers_of(line: str) -> list[str]:
    """The full headers of a header line (a prose header may be cut to ``Calling n…``)."""
    cells = [cell.rstrip("…") for cell in re.split(r" {2,}", line.strip())]
    return [next(h for h in PRIORITY if h.startswith(cell)) for cell in cells]


@pytest.mark.parametrize("columns", [80, 100, 120, 200])
@pytest.mark.parametrize("api", ["chime", "voice"])
def test_list_columns_go_by_priority_and_no_id_is_split(
    fake: FakeChime, chimenum_exe: str, columns: int, api: str
) -> None:
    from chimenum.demo import sample_numbers, sample_voice_numbers
    from chimenum.output.formats.layout import cell_len

    records = sample_numbers() if api == "chime" else sample_voice_numbers()
    child = ptys.spawn(
        chimenum_exe, ["--api", api, "list"], encoding="utf-8", dimensions=(200, columns),
        env={**os.environ, "AWS_REGION": "us-east-1", "COLUMNS": ""}, timeout=60,
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = SGR.sub("", child.before).replace("\r\n", "\n").splitlines()
    hints = [line for line in lines if line.startswith("chimenum: ")]
    table = [line for line in lines if not line.startswith("chimenum: ")]
    # Every line fits: the terminal itself never wraps (and so never splits) anything.
    assert all(cell_len(line) <= columns for line in table), max(map(cell_len, table))
    applicable = [h for h in PRIORITY if api == "voice" or h not in ("Name", "Order id", "ARN")]
    shown = headers_of(table[0])
    assert shown == applicable[: len(shown)], "the most important columns, in that order"
    assert shown[:3] == ["Phone number", "Status", "Associations"]
    if api == "chime":
        assert len(shown) == CHIME_COLUMNS[columns]
    hidden = applicable[len(shown) :]
    assert len(hints) == (1 if hidden else 0)
    assert all(len(hint) < 80 and "-o wide" in hint for hint in hints)
    # Each number's lines (its first, then its associations' under it) hold its ids whole.
    firsts = [index for index, line in enumerate(table) if line.startswith("+")]
    assert [table[i].split()[0] for i in firsts] == [r["E164PhoneNumber"] for r in records]
    for record, first, end in zip(records, firsts, [*firsts[1:], len(table)], strict=True):
        ids = [a["Value"] for a in record.get("Associations", [])]
        ids += [record[k] for k in ("PhoneNumberArn", "OrderId") if k in record]
        for value in ids:
            if value == record.get("PhoneNumberArn") and "ARN" not in shown:
                continue
            if value == record.get("OrderId") and "Order id" not in shown:
                continue
            assert any(value in line for line in table[first:end]), (value, table[first:end])
