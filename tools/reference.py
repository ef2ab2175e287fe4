"""The command reference, generated from the click app: docs/commands.md and man/chimenum.1.

Both are written from the same walk over the commands (usage, help text, options as ``--help``
shows them) and the same exit-code table, so they cannot disagree with ``--help``. This is a
development tool, outside the package: ``--help`` never imports it.

    python tools/reference.py           # rewrite man/chimenum.1
    python tools/reference.py --check   # exit 1 if it is stale

docs/commands.md, docs/exit-codes.md and README.md embed the Markdown through cog blocks that call
:func:`commands_markdown` and :func:`exit_table_markdown` (``cog -r README.md docs/*.md``).
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from chimenum.core.settings import ENVIRONMENT, Variable

ROOT = Path(__file__).resolve().parent.parent
MAN_PAGE = ROOT / "man" / "chimenum.1"

#: The man page's DESCRIPTION, before the group's own help.
DESCRIPTION = (
    "chimenum shows the phone numbers of an Amazon Chime account, or of Chime SDK Voice with"
    " --api voice: get shows numbers by id (a detail view on a terminal, the AWS CLI's own JSON"
    " with --json), list lists the whole inventory page after page, and wait waits until numbers"
    " reach a status. Batches of thousands of ids run concurrently at the rate the API allows."
    " Every failure ends with one line on stderr and its own exit code (EXIT STATUS), so scripts"
    " can branch on it. --demo answers from a built-in demo account, without AWS or network."
)

FILES: tuple[tuple[str, str], ...] = (
    (
        "$XDG_CACHE_HOME/chimenum/",
        "The phone-number ids shell completion offers, one file per profile, region, API and"
        " endpoint, readable only by you (default ~/.cache/chimenum/).",
    ),
    ("~/.aws/config, ~/.aws/credentials", "The AWS configuration and credentials files."),
)

#: The man page's EXAMPLES: each runs as it is against the demo account (CHIMENUM_DEMO=1), which
#: tests/test_docs.py checks.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Show one number in detail:", "chimenum --demo get +12065550100"),
    (
        "Several numbers, as JSON, through jq:",
        "chimenum --demo get +12065550100 +12065550104 --json"
        " | jq -r '.PhoneNumbers[] | [.PhoneNumberId, .Status] | @tsv'",
    ),
    (
        "One field for a shell script, with the AWS CLI's --query:",
        "chimenum --demo get +12065550100 -o text --query PhoneNumber.Status",
    ),
    (
        "Every number that is not assigned:",
        "chimenum --demo list --json"
        " | jq -r '.PhoneNumbers[] | select(.Status != \"Assigned\") | .PhoneNumberId'",
    ),
    (
        "Wait until an ordered number is provisioned: it lands Unassigned (exit 13 after the"
        " timeout):",
        "chimenum --demo wait +12065550105 --status Unassigned --interval 1 --timeout 1m",
    ),
    (
        "The same against Chime SDK Voice:",
        "chimenum --demo --api voice --region us-west-2 list --product-type VoiceConnector",
    ),
)


@dataclass
class Block:
    """A paragraph of help text; ``raw`` ones (click's ``\\b``) keep their lines as written."""

    text: str
    raw: bool


@dataclass
class Command:
    path: str
    usage: str
    short: str
    blocks: list[Block]
    options: list[tuple[str, str]]


def help_blocks(text: str) -> list[Block]:
    """The help's paragraphs, those after click's ``\\f`` included: ``--help`` stops there to
    fit a screen, the man page and docs/commands.md go on."""
    blocks = []
    for paragraph in re.split(r"\n{2,}", inspect.cleandoc(text).replace("\f", "\n\n")):
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "\b":
            blocks.append(Block("\n".join(lines[1:]), raw=True))
        elif lines:
            blocks.append(Block(" ".join(line.strip() for line in lines), raw=False))
    return blocks


def shared_option_names(app: click.Group) -> set[str]:
    """The group's options, which every command that talks to AWS repeats."""
    return {
        param.name
        for param in app.params
        if isinstance(param, click.Option) and param.name and param.name != "version"
    }


def with_values(param: click.Option, record: tuple[str, str]) -> tuple[str, str]:
    """A value of one API's table (``--status``...): --help, kept to a screen, leaves the list
    to the error a wrong value gets; the reference lists the values of both APIs."""
    from chimenum.cli.params import PerApi, per_api

    if not isinstance(param.type, PerApi):
        return record
    values = per_api(param.type.table)
    opts, text = record
    return (opts, text) if values in text else (opts, f"{text} Values: {values}.")


def _context(command: click.Command, parent: click.Context | None, name: str) -> click.Context:
    return click.Context(command, parent, name, **command.context_settings)


def commands(app: click.Group) -> Iterator[Command]:
    """The group, then each command in the order ``--help`` lists them."""
    shared = shared_option_names(app)
    root = _context(app, None, "chimenum")
    for name, command, ctx in [
        ("chimenum", app, root),
        *(
            (f"chimenum {name}", app.commands[name], _context(app.commands[name], root, name))
            for name in app.list_commands(root)
        ),
    ]:
        options = []
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option) or param is command.get_help_option(ctx):
                continue
            if command is not app and param.name in shared:
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                options.append(with_values(param, record))
        yield Command(
            path=name,
            usage=" ".join([name, *command.collect_usage_pieces(ctx)]),
            short=command.get_short_help_str(limit=200),
            blocks=help_blocks(command.help or ""),
            options=options,
        )


def the_app() -> click.Group:
    from chimenum.cli import cli

    return cli


# -- Markdown ------------------------------------------------------------------------------------


def _raw_markdown(block: Block) -> str:
    first, _, rest = block.text.partition("\n")
    if first.rstrip().endswith(":") and rest:
        return f"{first.strip()}\n\n```\n{inspect.cleandoc(rest)}\n```"
    return f"```\n{inspect.cleandoc(block.text)}\n```"


def commands_markdown() -> str:
    app = the_app()
    out: list[str] = []
    for command in commands(app):
        out.append(f"## {command.path}\n")
        out.append(f"```\n{command.usage}\n```\n")
        for block in command.blocks:
            out.append((_raw_markdown(block) if block.raw else block.text) + "\n")
        if command.options:
            title = (
                "Options (all but `--version` are accepted after the command too)"
                if command.path == "chimenum"
                else "Options"
            )
            out.append(f"{title}:\n")
            for opts, text in command.options:
                out.append(f"- `{opts}`: {text}")
            out.append("")
        if command.path != "chimenum":
            out.append("Exit codes: see [exit-codes.md](exit-codes.md).\n")
    return "\n".join(out).rstrip() + "\n"


def environment_text(row: Variable) -> str:
    """A variable's meaning, with its default when it has one."""
    return f"{row.doc} (default {row.default})" if row.default else row.doc


def environment_markdown() -> str:
    """docs/configuration.md's table of variables, from the one table in core/settings.py."""
    out = ["| variable | default | meaning |", "|---|---|---|"]
    for row in ENVIRONMENT:
        names = ", ".join(f"`{name}`" for name in row.names)
        default = row.default
        doc = f"{row.doc} (read by botocore)" if row.reader == "botocore" else row.doc
        cell = doc.replace("|", "\\|")
        out.append(f"| {names} | {default} | {cell} |")
    return "\n".join(out) + "\n"


def exit_table_markdown() -> str:
    from chimenum.core.errors import EXIT_CODE_MEANINGS

    rows = ["| code | meaning |", "|---|---|"]
    for code, meaning in EXIT_CODE_MEANINGS.items():
        cell = meaning.replace("|", "\\|")
        rows.append(f"| {int(code)} | {cell} |")
    return "\n".join(rows) + "\n"


def severity_order() -> str:
    """The per-id failures, most severe first: the exit code of a batch with several."""
    from chimenum.cli.options import SEVERITY_ORDER

    return SEVERITY_ORDER


# -- roff ----------------------------------------------------------------------------------------


def roff(text: str) -> str:
    """Text for a roff text line: backslashes and hyphens escaped, quotes kept ASCII so that
    examples copied from the page still run."""
    text = text.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq").replace("`", "\\(ga")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.split("\n"))


def _roff_block(block: Block) -> list[str]:
    if not block.raw:
        return [".PP", roff(block.text)]
    first, _, rest = block.text.partition("\n")
    lines = [".PP"]
    if first.rstrip().endswith(":") and rest:
        lines.append(roff(first.strip()))
        body = inspect.cleandoc(rest)
    else:
        body = inspect.cleandoc(block.text)
    return [*lines, ".RS 4", ".nf", roff(body), ".fi", ".RE"]


def manpage() -> str:
    from chimenum import __version__
    from chimenum.core.errors import EXIT_CODE_MEANINGS

    app = the_app()
    every = list(commands(app))
    root, subcommands = every[0], every[1:]
    out = [
        '.\\" Generated by tools/reference.py from the click app; do not edit.',
        f'.TH CHIMENUM 1 "" "chimenum {__version__}" "User Commands"',
        ".SH NAME",
        "chimenum \\- " + roff(root.short[0].lower() + root.short[1:].rstrip(".")),
        ".nh",
        ".ad l",
        ".SH SYNOPSIS",
    ]
    for command in every:
        name, _, args = command.usage.partition(" [OPTIONS]")
        out += [".HP", f"\\fB{roff(name)}\\fR [\\fIOPTIONS\\fR]{roff(args)}"]
    out += [".SH DESCRIPTION", roff(DESCRIPTION)]
    for block in root.blocks[1:]:
        out += _roff_block(block)
    out += [".SH COMMANDS"]
    for command in subcommands:
        out += [f'.SS "{roff(command.usage)}"']
        for block in command.blocks:
            out += _roff_block(block)
        for opts, text in command.options:
            out += [".TP", f"\\fB{roff(opts)}\\fR", roff(text)]
    out += [
        ".SH OPTIONS",
        ".PP",
        "These are accepted before or after the command, by every command that makes"
        " requests; \\fB\\-h\\fR, \\fB\\-\\-help\\fR shows the help of any command.",
    ]
    for opts, text in root.options:
        out += [".TP", f"\\fB{roff(opts)}\\fR", roff(text)]
    out += [".SH EXIT STATUS"]
    for code, meaning in EXIT_CODE_MEANINGS.items():
        out += [".TP", f"\\fB{int(code)}\\fR", roff(meaning)]
    out += [
        ".PP",
        roff(
            "With several ids, the exit code is that of the most severe failure, in the order"
            f" {severity_order()}."
        ),
        ".SH ENVIRONMENT",
    ]
    for row in ENVIRONMENT:
        out += [".TP", f"\\fB{roff(row.label)}\\fR", roff(environment_text(row))]
    out += [".SH FILES"]
    for name, text in FILES:
        out += [".TP", f"\\fI{roff(name)}\\fR", roff(text)]
    out += [".SH EXAMPLES"]
    for text, example in EXAMPLES:
        out += [".PP", roff(text), ".RS 4", ".nf", roff(example), ".fi", ".RE"]
    out += [
        ".SH SEE ALSO",
        roff("aws(1), jq(1); the README and docs/ of the chimenum source."),
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = manpage()
    if "--check" in argv:
        if not MAN_PAGE.exists() or MAN_PAGE.read_text() != text:
            sys.stderr.write(f"{MAN_PAGE} is stale: run python tools/reference.py\n")
            return 1
        return 0
    MAN_PAGE.parent.mkdir(exist_ok=True)
    MAN_PAGE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
