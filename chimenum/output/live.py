"""What ``chimenum wait`` shows while it polls.

On a terminal: a live table (rich ``Live``), a row per id with its status, how long it has been
waited for and whether it is done, redrawn in place several times a second; the final table stays
on screen. Piped: one line per status change, written as it happens, easy to follow with ``tail``
or to parse (fields separated by single spaces)::

    0.0s +12065550105 AcquireInProgress
    3.1s +12065550105 Assigned reached

The fields: seconds since the wait started, the id, its status, and ``reached``/``failed``/``error``
once the id is done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert

if TYPE_CHECKING:
    from rich.console import RenderableType

    from chimenum.core.waiting import Change, Waiter
    from chimenum.output.env import Environment


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f}s"
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}m{seconds:02d}s"


class WaitDisplay:
    def __init__(self, env: Environment, waiter: Waiter) -> None:
        self.env = env
        self.waiter = waiter

    def start(self) -> None:
        pass

    def change(self, change: Change) -> None:
        pass

    def finish(self) -> None:
        pass


class LineDisplay(WaitDisplay):
    """One line per change, flushed at once so a pipe sees it while the wait goes on."""

    def change(self, change: Change) -> None:
        status = inert(change.status) if change.status else "-"
        done = f" {change.state}" if change.state != "waiting" else ""
        self.env.write(f"{change.elapsed:.1f}s {inert(change.phone_number_id)} {status}{done}\n")
        self.env.flush()


class _Board:
    """The live table, rebuilt at each refresh so the waiting times keep counting."""

    def __init__(self, waiter: Waiter) -> None:
        self.waiter = waiter

    def __rich__(self) -> RenderableType:
        from rich import box
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from chimenum.output.formats.values import STATUS_STYLES

        def status_text(value: str) -> Text:
            return Text(inert(value), style=STATUS_STYLES.get(value, "magenta"))

        waiter = self.waiter
        now = waiter.elapsed()
        title = Text(
            f"Waiting for {' or '.join(sorted(waiter.wanted))}"
            f" (timeout {waiter.timeout:g}s, every {waiter.interval:g}s)",
            style="bold",
        )
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("Phone number", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Waited", justify="right", no_wrap=True)
        table.add_column("", no_wrap=True)
        marks = {
            "waiting": Text("…", style="dim"),
            "reached": Text("✓ reached", style="green"),
            "failed": Text("✗ failed", style="bold red"),
            "error": Text("✗ error", style="bold red"),
        }
        for watch in waiter.watches:
            waited = watch.done_after if watch.done_after is not None else now
            table.add_row(
                Text(inert(watch.phone_number_id)),
                status_text(watch.status) if watch.status else Text("?", style="dim"),
                Text(_seconds(waited)),
                marks[watch.state],
            )
        return Group(title, table)


class LiveDisplay(WaitDisplay):
    """A rich ``Live`` table on the terminal."""

    def __init__(self, env: Environment, waiter: Waiter) -> None:
        super().__init__(env, waiter)
        self.live: Any = None

    def start(self) -> None:
        from rich.live import Live

        self.live = Live(
            _Board(self.waiter),
            console=self.env.live_console,
            refresh_per_second=4,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.live.start()

    def change(self, change: Change) -> None:
        if self.live is not None:
            self.live.refresh()

    def finish(self) -> None:
        if self.live is not None:
            self.live.refresh()
            self.live.stop()
            self.live = None


def make_display(env: Environment, waiter: Waiter) -> WaitDisplay:
    return LiveDisplay(env, waiter) if env.stdout_isatty else LineDisplay(env, waiter)
