"""The terminal environment: the one owner of stdout, stderr, tty flags, colour and the consoles.

Nothing else in chimenum touches ``sys.stdout``/``sys.stderr``: tests build an ``Environment``
around ``io.StringIO`` streams. The rich consoles are created on first use, so a run that never
renders a table never imports rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

ColorChoice = Literal["auto", "always", "never"]

#: Text at least this long is written piece by piece to the binary buffer (see ``write``).
WRITE_CHUNK = 1 << 16


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    color: ColorChoice = "auto"
    quiet: bool = False
    #: While a live display (the progress bar) owns stderr, diagnostic lines go through it.
    stderr_lines: Callable[[str], None] | None = None

    @cached_property
    def stdout_isatty(self) -> bool:
        return _isatty(self.stdout)

    @cached_property
    def stderr_isatty(self) -> bool:
        return _isatty(self.stderr)

    def colorize(self, isatty: bool) -> bool:
        """Colour rules, strongest first: --color, NO_COLOR, CLICOLOR_FORCE, then the tty."""
        if self.color != "auto":
            return self.color == "always"
        if self.environ.get("NO_COLOR"):
            return False
        if self.environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
            return True
        return isatty

    @property
    def stdout_color(self) -> bool:
        return self.colorize(self.stdout_isatty)

    @property
    def stderr_color(self) -> bool:
        return self.colorize(self.stderr_isatty)

    def _console(self, stream: TextIO, color: bool, isatty: bool, *, live: bool = False) -> Console:
        """A console for ``stream``; ``live`` ones redraw in place, so they get cursor control
        even when colour is off (NO_COLOR)."""
        from rich.console import Console

        return Console(
            file=stream,
            force_terminal=live or color,
            no_color=not color,
            color_system="auto" if color else None,
            highlight=False,
            emoji=False,
            markup=False,
            # A pipe gets plain text wide enough that tables are not squeezed.
            width=None if isatty or live else int(self.environ.get("COLUMNS") or 200),
            force_interactive=live or (isatty and color),
            legacy_windows=False,
        )

    @cached_property
    def console(self) -> Console:
        return self._console(self.stdout, self.stdout_color, self.stdout_isatty)

    @cached_property
    def err_console(self) -> Console:
        return self._console(self.stderr, self.stderr_color, self.stderr_isatty)

    @cached_property
    def progress_console(self) -> Console:
        """The progress bar's console, on a stderr terminal."""
        return self._console(self.stderr, self.stderr_color, self.stderr_isatty, live=True)

    @cached_property
    def live_console(self) -> Console:
        """A live display's console, on a stdout terminal (``wait``'s table)."""
        return self._console(self.stdout, self.stdout_color, self.stdout_isatty, live=True)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def print(self, renderable: RenderableType, *, soft_wrap: bool = False, fit: int = 0) -> None:
        """Render rich content on stdout; piped output carries no trailing padding.

        ``fit``: piped, widen the page up to that many columns so that wide tables (the
        summary of Chime SDK Voice numbers, with their ARNs) keep one line per cell.
        """
        console = self.console
        if self.stdout_isatty:
            console.print(renderable, soft_wrap=soft_wrap)
            return
        width = console.width
        if fit > width:
            needed = console.measure(renderable, options=console.options.update_width(fit)).maximum
            console.width = max(width, min(fit, needed))
        try:
            with console.capture() as capture:
                console.print(renderable, soft_wrap=soft_wrap)
        finally:
            console.width = width
        self.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))

    def write(self, text: str) -> None:
        """Write ``text`` on stdout, all of it or an error.

        A write larger than the text layer's buffer goes straight to the binary buffer, whose
        ``write`` may return a short count when the reader of a pipe goes away mid-write;
        ``TextIOWrapper`` ignores that count, so the rest would vanish without an error. Large
        text is therefore written to the binary buffer here, until every byte is taken or the
        write fails (``BrokenPipeError``, which the CLI turns into exit 141).
        """
        buffer = getattr(self.stdout, "buffer", None)
        if len(text) < WRITE_CHUNK or buffer is None:
            self.stdout.write(text)
            return
        self.stdout.flush()
        data = memoryview(text.encode(self.stdout.encoding or "utf-8", "strict"))
        while data:
            chunk = data[:WRITE_CHUNK]
            written = buffer.write(chunk)
            data = data[len(chunk) if written is None else max(written, 1) :]

    def error(self, message: str) -> None:
        """One diagnostic line on stderr; every line chimenum writes there goes through here.

        Messages carry text chimenum does not control (service error messages, a failing
        ``credential_process``'s output), so they are made inert: a newline inside one is shown
        as ``\\x0a`` and cannot forge a second line, an escape sequence cannot act.
        """
        from chimenum.core.safe import inert

        debuglog = sys.modules.get("chimenum.core.debuglog")
        if debuglog is not None:  # a --debug run: its secrets stay hidden here too
            message = debuglog.redact(message)
        line = f"chimenum: {inert(message.strip())}"
        if self.stderr_lines is not None:
            self.stderr_lines(line)
            return
        self.stderr.write(line + "\n")
        self.stderr.flush()

    def warn(self, message: str) -> None:
        if not self.quiet:
            self.error(message)
