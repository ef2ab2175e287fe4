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
from chimenum.output.formats.layout import Cell, Painter, grid_lines
from chimenum.output.formats.values import Values

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
    """The live table, redrawn at each refresh so the waiting times keep counting: laid out by
    the one grid engine (:func:`~chimenum.output.formats.layout.grid_lines`), its glyphs and
    status styles the tables', so rich only moves the cursor."""

    def __init__(self, waiter: Waiter, painter: Painter, values: Values) -> None:
        self.waiter = waiter
        self.painter = painter
        self.values = values

    def lines(self) -> list[str]:
        waiter = self.waiter
        glyph = self.painter.glyph
        values = self.values
        now = waiter.elapsed()
        marks: dict[str, Cell] = {
            "waiting": [(glyph("more"), "dim")],
            "reached": [(f"{glyph('yes')} reached", "green")],
            "failed": [(f"{glyph('no')} failed", "bold red")],
            "error": [(f"{glyph('no')} error", "bold red")],
        }
        rows = []
        for watch in waiter.watches:
            waited = watch.done_after if watch.done_after is not None else now
            rows.append(
                [
                    [(inert(watch.phone_number_id), "")],
                    values.status(watch.status) if watch.status else [("?", "dim")],
                    [(_seconds(waited), "")],
                    marks[watch.state],
                ]
            )
        title = (
            f"Waiting for {' or '.join(sorted(waiter.wanted))}"
            f" (timeout {waiter.timeout:g}s, every {waiter.interval:g}s)"
        )
        grid = grid_lines(
            rows, self.painter, header=["Phone number", "Status", "Waited", ""], right=(2,)
        )
        return [self.painter.paint([(title, "bold")]), *grid]

    def __rich__(self) -> RenderableType:
        from rich.text import Text

        return Text.from_ansi("\n".join(self.lines()), no_wrap=True)


class LiveDisplay(WaitDisplay):
    """A rich ``Live`` table on the terminal."""

    def __init__(self, env: Environment, waiter: Waiter) -> None:
        super().__init__(env, waiter)
        self.live: Any = None

    def start(self) -> None:
        from rich.live import Live

        painter = Painter(self.env)
        self.live = Live(
            _Board(self.waiter, painter, Values(utc=True, now=self.env.now(), none="?")),
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
