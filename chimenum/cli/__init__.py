"""The click side: the ``chimenum`` group, its commands (one module each) and the console script.

Nothing heavy is imported at module level: botocore and rich load only when a command needs
them, so ``--help``, ``--version`` and shell completion stay instant.
"""

from __future__ import annotations

import sys

import click

from chimenum import __version__
from chimenum.cli.boundary import ChimenumGroup
from chimenum.cli.options import EXIT_CODE_TABLE, aws_options
from chimenum.cli.signals import STOP_CODES, end_now


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        botocore_version = version("botocore")
    except PackageNotFoundError:
        botocore_version = "not installed"
    click.echo(
        f"chimenum {__version__} (botocore {botocore_version}, Python {platform.python_version()})"
    )
    ctx.exit(0)


@click.group(
    name="chimenum",
    cls=ChimenumGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODE_TABLE,
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show chimenum's, botocore's and Python's versions.",
)
@aws_options
def cli() -> None:
    """Inspect the phone numbers of an Amazon Chime / Chime SDK Voice account.

    \b
    Examples:
      chimenum get +12065550100
      chimenum get +12065550100 +12065550101 --json | jq -r '.PhoneNumbers[].Status'
      chimenum --demo get +12065550100
      chimenum list --status Assigned -o ndjson
      chimenum --api voice --region us-west-2 wait +12065550111 --status Unassigned
    """


def _register() -> None:
    from chimenum.cli.audit import audit
    from chimenum.cli.completion import completion
    from chimenum.cli.describe import describe
    from chimenum.cli.diff import diff
    from chimenum.cli.get import get
    from chimenum.cli.list import list_
    from chimenum.cli.wait import wait

    for command in (get, list_, wait, describe, audit, diff, completion):
        cli.add_command(command)


_register()


def main() -> None:
    """The console script."""
    code = cli.main(prog_name="chimenum", standalone_mode=False)
    if code in STOP_CODES:
        end_now(code)
    sys.exit(code)
