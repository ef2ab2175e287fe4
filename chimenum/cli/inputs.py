"""The ids a command works on, read one way for every command that reads numbers (get, describe,
wait): ``ID`` arguments, ``-`` for stdin and ``-f/--from-file FILE``.

Ids are normalised and deduplicated in input order (``Ids.ids``, what is fetched); ``Ids.given``
keeps every one in input order, duplicates included, for output that promises one entry per id
asked for. An invalid argument is a usage error; an
invalid line of a file or of stdin is reported with its line number, and nothing is fetched
(exit 2): a list with a typo in it is not half run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

import click

from chimenum.cli.options import complete_ids
from chimenum.output.env import Environment

F = TypeVar("F", bound=Callable[..., Any])

#: Invalid input lines reported one by one before the rest are summed up.
MAX_REPORTED_LINES = 20
#: Invalid lines after which the input is not read further: it is not a list of ids.
MAX_INVALID_LINES = 1000


def id_arguments(f: F) -> F:
    """``ID...`` and ``-f/--from-file``: the ids a command works on (``-`` reads stdin)."""
    f = click.option(
        "-f",
        "--from-file",
        "from_files",
        type=click.File("rb"),
        multiple=True,
        metavar="FILE",
        help="Read ids from FILE, one per line (- for stdin); repeatable.",
    )(f)
    return click.argument("ids", nargs=-1, metavar="[ID|-]...", shell_complete=complete_ids)(f)


@dataclass(frozen=True)
class Ids:
    """What a command was asked to work on."""

    ids: list[str]
    #: Exactly one id, given as an argument: one document, not a batch, and a "not found"
    #: earns a look at the other API.
    one: bool
    #: Every id as given, normalised, duplicates included (the same string objects as ``ids``).
    given: list[str]


def one_id(args: tuple[str, ...], files: tuple[Any, ...]) -> bool:
    """Whether exactly one id was given, as an argument (not ``-``, not a file)."""
    return len(args) == 1 and not files and args[0] != "-"


class _Lines:
    """Ids read from files and stdin, with the invalid lines kept for one report."""

    def __init__(self, seen: dict[str, str]) -> None:
        self.seen = seen
        self.given: list[str] = []
        self.bad: list[str] = []

    def add(self, phone_number_id: str) -> None:
        # One string object per distinct id: a list of 10,000 copies costs references only.
        self.given.append(self.seen.setdefault(phone_number_id, phone_number_id))

    def take(self, name: str, stream: BinaryIO) -> None:
        from chimenum.core.ids import InputTooLarge, InvalidId, id_lines, normalise

        try:
            for number, text in id_lines(stream):
                try:
                    self.add(normalise(text))
                except InvalidId as exc:
                    self.bad.append(f"{name}:{number}: {exc.as_given}")
                    if len(self.bad) >= MAX_INVALID_LINES:
                        raise InputTooLarge(
                            number, "too many invalid lines; stopped reading"
                        ) from None
        except InputTooLarge as exc:
            self.bad.append(f"{name}:{exc.line}: {exc}")

    def report(self, env: Environment) -> None:
        for line in self.bad[:MAX_REPORTED_LINES]:
            env.error(line)
        if len(self.bad) > MAX_REPORTED_LINES:
            env.error(f"... and {len(self.bad) - MAX_REPORTED_LINES} more invalid lines")
        count = len(self.bad)
        env.error(f"{count} invalid input line{'s' if count != 1 else ''}; nothing fetched")


def read_ids(
    ctx: click.Context, env: Environment, args: tuple[str, ...], files: tuple[Any, ...]
) -> Ids | None:
    """Every id asked for; ``None`` when an input line was invalid (each one reported)."""
    from chimenum.core.ids import InvalidId, normalise

    if not args and not files:
        raise click.UsageError("no phone-number id given", ctx)
    seen: dict[str, str] = {}
    lines = _Lines(seen)
    for arg in args:
        if arg == "-":
            if sys.stdin is None:  # started with stdin closed (<&-)
                raise click.UsageError("'-' reads ids from stdin, but stdin is closed", ctx)
            if sys.stdin.isatty():
                env.warn("reading ids from the terminal, one per line; end with Ctrl-D")
            lines.take("stdin", sys.stdin.buffer)
            continue
        try:
            lines.add(normalise(arg))
        except InvalidId as exc:
            raise click.UsageError(str(exc), ctx) from None
    for stream in files:
        name = getattr(stream, "name", "-")
        lines.take("stdin" if name in ("-", "<stdin>") else str(name), stream)
    if lines.bad:
        lines.report(env)
        return None
    if not seen:
        env.warn("no ids in the input")
    return Ids(list(seen), one=one_id(args, files), given=lines.given)
