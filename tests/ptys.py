"""Terminals for the tests (pexpect), without pexpect's pauses.

pexpect sleeps 50 ms before each ``send`` (for programs that drop what is typed before they
turn echo off) and ptyprocess 100 ms in each ``close`` (its own or the garbage collector's), to
give the kernel time to report the exit. The programs driven here read typed input whenever it
comes, and a child still exiting when it is closed is reaped by ``terminate``, whose signals
cannot change an exit status already set: the pauses are only idle time, in every terminal.
"""

from __future__ import annotations

from typing import Any

import pexpect


def spawn(command: str, args: list[str], **options: Any) -> pexpect.spawn:
    child = pexpect.spawn(command, args, **options)
    child.delaybeforesend = None
    child.ptyproc.delayafterclose = 0
    return child
