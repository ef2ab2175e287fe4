"""The error boundary: every way a run can end becomes one stderr line and a documented exit code.

This is the only ``try``/``except`` around a command (as httpie's ``raw_main`` is): the commands
themselves are "the program without error handling".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from chimenum.cli.context import RUN_ENVIRONMENT
from chimenum.cli.signals import (
    ReaderGone,
    Terminated,
    ending_of,
    reader_gone_on_broken_pipe,
    silence,
    stop_on_signals,
)
from chimenum.core.errors import ExitCode, classify
from chimenum.core.settings import completion_request
from chimenum.output.env import Environment, OutputError

#: Endings that say more than a lost stderr line would.
_STOPPED = (ExitCode.BROKEN_PIPE, ExitCode.INTERRUPTED, ExitCode.TERMINATED)


class InterruptedCommand(Exception):
    """Ctrl-C inside a command; click would otherwise print its own blank line for it."""


class ChimenumGroup(click.Group):
    """Turns every way a run can end into one stderr line and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        complete_var = complete_var or "_CHIMENUM_COMPLETE"
        request = completion_request(complete_var)
        if request is not None:
            # A TAB in the user's shell: whatever happens, print candidates or nothing.
            code = self.complete_quietly(prog_name or "chimenum", complete_var, request, **extra)
            if standalone_mode:
                sys.exit(code)
            return code
        env = Environment()
        RUN_ENVIRONMENT.set(env)
        with stop_on_signals() as signals:
            try:
                code = self._run(argv, env, prog_name, complete_var, **extra)
                # A closed pipe or a full disk must surface here, not in the interpreter's
                # final flush.
                env.flush()
            except (BrokenPipeError, ReaderGone):
                silence(env.stdout)
                silence(env.stderr)
                code = ExitCode.BROKEN_PIPE
            except OutputError as exc:
                code = output_failed(env, exc)
            except (KeyboardInterrupt, Terminated) as stop:
                # Arrived once the command had ended, while its output was flushed.
                word, code = ending_of(stop)
                env.error(word)
            if env.stderr_lost and code not in _STOPPED:
                # A line meant for stderr was lost: exit 0 or a NotFound's 3 would hide that.
                silence(env.stderr)
                code = ExitCode.OUTPUT_FAILED
            ending = signals.ending()
            if ending is not None and code != ending[1]:
                # The signal's exception never reached the command's own handling (raised in
                # a finaliser, where Python only prints it, or once the command was done):
                # what the run did after it does not change how it ends.
                env.error(ending[0])
                code = ending[1]
        if standalone_mode:
            sys.exit(int(code))
        return int(code)

    def _run(
        self,
        argv: list[str],
        env: Environment,
        prog_name: str | None,
        complete_var: str | None,
        **extra: Any,
    ) -> int:
        try:
            rv = super().main(
                argv, prog_name or "chimenum", complete_var, standalone_mode=False, **extra
            )
            return rv if isinstance(rv, int) else 0
        except (BrokenPipeError, ReaderGone):
            raise
        except OutputError as exc:
            return output_failed(env, exc)
        except click.exceptions.Abort:
            env.error("interrupted")
            return ExitCode.INTERRUPTED
        except click.ClickException as exc:
            show_usage_error(env, exc)
            return exc.exit_code
        except (InterruptedCommand, KeyboardInterrupt, Terminated) as stop:
            word, code = ending_of(stop)
            env.error(word)
            return code
        except Exception as exc:
            failure = classify(exc)
            if "--debug" in argv:
                import traceback

                from chimenum.core.secrets import scrub

                env.stderr.write(scrub("".join(traceback.format_exception(exc))))
            env.error(failure.message)
            return failure.exit_code
        finally:
            # Only a --debug run imported it; --help must not pay for logging.
            debuglog = sys.modules.get("chimenum.core.debuglog")
            if debuglog is not None:
                debuglog.uninstall()
            secrets = sys.modules.get("chimenum.core.secrets")
            if secrets is not None:
                secrets.forget()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hint = self._misplaced(ctx, exc.option_name, args)
            if hint is None:
                raise
            raise click.NoSuchOption(exc.option_name, hint, ctx=ctx) from None

    def _misplaced(self, ctx: click.Context, name: str, args: list[str]) -> str | None:
        """A message for a subcommand's option given before the subcommand, else ``None``.

        click would suggest the group's closest option (``--json`` -> ``--version``).
        """
        owners = [
            command_name
            for command_name, command in self.commands.items()
            if any(name in param.opts for param in command.params)
        ]
        if not owners:
            return None
        given = next((arg for arg in args if arg in owners), owners[0])
        return (
            f"No such option {name!r} before the subcommand: it is an option of"
            f" {' and '.join(owners)}, so it goes after it ({ctx.info_name} {given} {name} ...)."
        )

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with reader_gone_on_broken_pipe():  # --help and --version write while parsing
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with reader_gone_on_broken_pipe():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            raise InterruptedCommand from None

    def complete_quietly(
        self, prog_name: str, complete_var: str, request: str, **extra: Any
    ) -> int:
        """Answer the shell's completion request; errors and stderr output are swallowed."""
        import contextlib
        import io
        import warnings

        from click.shell_completion import shell_complete

        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from chimenum.completion import register

                register()
                return shell_complete(self, extra, prog_name, complete_var, request)
            except Exception:
                return 1


def output_failed(env: Environment, exc: OutputError) -> ExitCode:
    """stdout is closed, full or failing: say so once on stderr; what is still buffered for
    stdout goes to /dev/null, so the interpreter's last flush cannot fail with a traceback."""
    silence(env.stdout)
    env.error(f"error: {exc}")
    return ExitCode.OUTPUT_FAILED


def show_usage_error(env: Environment, exc: click.ClickException) -> None:
    """click's own error display, with any control characters from argv made visible and a
    URL's password masked (``--endpoint-url http://user:PASS@host``)."""
    import io

    from chimenum.core.safe import visible
    from chimenum.core.secrets import scrub

    buffer = io.StringIO()
    exc.show(buffer)
    env.stderr.write(visible(scrub(buffer.getvalue())))
    env.stderr.flush()
