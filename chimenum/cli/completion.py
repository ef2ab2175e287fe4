"""``chimenum completion SHELL``: print the shell completion script."""

from __future__ import annotations

import click

from chimenum.cli.params import OneOf


@click.command()
@click.argument("shell", type=OneOf(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for SHELL.

    Completes subcommands, options, choice values, --profile from the AWS config files, --region
    from botocore's region list and phone-number ids from the account (cached for two minutes
    under $XDG_CACHE_HOME/chimenum; a TAB never waits more than about a second).

    \b
    Install (or use the committed copies in completions/):
      bash:  chimenum completion bash > ~/.local/share/bash-completion/completions/chimenum
      zsh:   chimenum completion zsh > "${fpath[1]}/_chimenum"
      fish:  chimenum completion fish > ~/.config/fish/completions/chimenum.fish
    """
    from chimenum.completion import script

    click.echo(script(ctx.find_root().command, shell), nl=False)
