"""On a real terminal (a pty, through pexpect): hostile data cannot act, Ctrl-C exits 130.

On a TTY chimenum renders straight to the console with colour, a different path from the piped
output the other tests read; what reaches the terminal here is exactly what a person would get.
"""

from __future__ import annotations

import re
import time

import pexpect
import pytest

from testing.fakechime import FakeChime

ONE = "+12065550100"
#: What rich writes to a terminal for styles: SGR sequences only.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def spawn(exe: str, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
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
