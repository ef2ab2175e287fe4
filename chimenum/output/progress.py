"""A progress bar on stderr for batches that take more than about a second.

Shown only when stderr is a terminal and not with ``--quiet`` (the CLI decides); it appears after
``delay`` seconds, so quick batches never flash one, and it vanishes when the batch ends. While
it is up, chimenum's diagnostic lines are printed above it rather than through it. rich is
imported only when the bar actually appears.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chimenum.core.fetch import Result
    from chimenum.output.env import Environment


class BatchProgress:
    """Counts finished ids (from any thread) and draws them once the batch has run a while."""

    def __init__(self, env: Environment, total: int, delay: float) -> None:
        self.env = env
        self.total = total
        self.done = 0
        self.errors = 0
        self._lock = threading.Lock()
        self._closed = False
        self._bar: Any = None
        self._task: Any = None
        # Seconds the batch runs before the bar appears (the run's Settings.progress_delay).
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def start(self) -> BatchProgress:
        self._timer.start()
        return self

    def advance(self, result: Result) -> None:
        with self._lock:
            self.done += 1
            if result.failure is not None:
                self.errors += 1
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done, errors=self.errors)

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Task) -> Text:
                speed = task.speed
                shown = f"{speed:,.0f}" if speed is not None else "–"
                return Text(f"{shown} ids/s", style="progress.data.speed")

        bar = Progress(
            TextColumn("fetching"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TextColumn("{task.fields[errors]} errors"),
            TimeRemainingColumn(),
            console=self.env.progress_console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        with self._lock:
            if self._closed:
                return
            self._task = bar.add_task("", total=self.total, completed=self.done, errors=self.errors)
            self._bar = bar
            bar.start()
            self.env.stderr_lines = self._print_line

    def _print_line(self, line: str) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
                return
        self.env.stderr.write(line + "\n")
        self.env.stderr.flush()

    def close(self) -> None:
        """Stop the timer, take the bar down; diagnostics go straight to stderr again."""
        self._timer.cancel()
        with self._lock:
            self._closed = True
            bar, self._bar = self._bar, None
            self.env.stderr_lines = None
        if bar is not None:
            bar.stop()
