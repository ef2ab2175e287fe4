"""The terminal environment: the one owner of stdout, stderr, tty flags, colour and the consoles.

Nothing else in chimenum touches ``sys.stdout``/``sys.stderr``: tests build an ``Environment``
around ``io.StringIO`` streams. The rich consoles are created on first use, so a run that never
renders a table never imports rich.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TextIO

from chimenum.core.settings import Terminal

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

ColorChoice = Literal["auto", "always", "never"]

#: Text at least this long is written piece by piece to the binary buffer (see ``write``).
WRITE_CHUNK = 1 << 16
#: Layout width for output that is not a terminal (and a terminal whose size is unknown).
PIPE_WIDTH = 200
#: Narrower than this, layouts are drawn at this width and the terminal wraps the lines:
#: a value is never dropped because the screen is small.
MIN_WIDTH = 32
#: The glyphs the table draws; a stdout that cannot encode them gets ASCII instead.
GLYPHS = "─✓✗…—→├└│"


class OutputError(Exception):
    """stdout could not be written: closed (``>&-``), full (``/dev/full``) or failing.

    A broken pipe is not this: the reader going away is :class:`BrokenPipeError` (exit 141).
    """


class ClosedStream(io.TextIOBase):
    """Stands in for a stdout that was closed before the run started (``sys.stdout is None``)."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


def _stdout() -> TextIO:
    return sys.stdout if sys.stdout is not None else ClosedStream()  # type: ignore[return-value]


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=_stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    #: NO_COLOR, CLICOLOR_FORCE, COLUMNS, TERM: read by the settings table, acted on here.
    terminal: Terminal = field(default_factory=Terminal.from_environ)
    color: ColorChoice = "auto"
    quiet: bool = False
    #: While a live display (the progress bar) owns stderr, diagnostic lines go through it.
    stderr_lines: Callable[[str], None] | None = None
    #: A diagnostic line could not be written (stderr full, closed): the run ends with 74.
    stderr_lost: bool = False

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
        if self.terminal.no_color:
            return False
        if self.terminal.clicolor_force:
            return True
        return isatty

    @cached_property
    def width(self) -> int:
        """Columns to lay out for: ``$COLUMNS`` if valid, else the terminal's, else
        :data:`PIPE_WIDTH`; never below :data:`MIN_WIDTH`."""
        width = self.terminal.columns
        if width is None and self.stdout_isatty:
            try:
                width = os.get_terminal_size(self.stdout.fileno()).columns or None
            except (OSError, ValueError, AttributeError):
                width = None
        return max(MIN_WIDTH, width or PIPE_WIDTH)

    @cached_property
    def ascii_only(self) -> bool:
        """stdout cannot encode the table's glyphs (``PYTHONIOENCODING=ascii``, a C locale).

        Then renderers draw ASCII equivalents, and anything else that cannot be encoded (a
        calling name in another script) is written as a backslash escape instead of failing.
        """
        encoding = getattr(self.stdout, "encoding", None) or "utf-8"
        try:
            GLYPHS.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(self.stdout, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
            return True
        return False

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

        # rich would read the whole environment itself: it is given what the settings read,
        # and $COLUMNS only when valid, raised to the minimum width (rich takes 0 or 1 as one).
        environ = dict(self.terminal.terminal_type)
        if self.terminal.columns is not None:
            environ["COLUMNS"] = str(max(MIN_WIDTH, self.terminal.columns))
        return Console(
            _environ=environ,
            file=stream,
            force_terminal=live or color,
            no_color=not color,
            color_system="auto" if color else None,
            highlight=False,
            emoji=False,
            markup=False,
            # A pipe gets plain text wide enough that tables are not squeezed.
            width=None if isatty or live else self.width,
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

    def print(
        self,
        renderable: RenderableType,
        *,
        soft_wrap: bool = False,
        fit: int = 0,
        end: str = "\n",
    ) -> None:
        """Render rich content on stdout; piped output carries no trailing padding.

        ``soft_wrap`` text (highlighted JSON, possibly written in parts ending with ``end``)
        has none to strip and is written as rendered.

        ``fit``: piped, widen the page up to that many columns so that wide tables (the
        summary of Chime SDK Voice numbers, with their ARNs) keep one line per cell.
        """
        console = self.console
        if self.stdout_isatty:
            with self._writing():
                console.print(renderable, soft_wrap=soft_wrap, end=end)
            return
        width = console.width
        if fit > width:
            needed = console.measure(renderable, options=console.options.update_width(fit)).maximum
            console.width = max(width, min(fit, needed))
        try:
            with self._writing(), console.capture() as capture:
                console.print(renderable, soft_wrap=soft_wrap, end=end)
        finally:
            console.width = width
        if soft_wrap:
            self.write(capture.get())
        else:
            self.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))

    def write(self, text: str) -> None:
        """Write ``text`` on stdout, all of it or an error.

        A write larger than the text layer's buffer goes straight to the binary buffer, whose
        ``write`` may return a short count when the reader of a pipe goes away mid-write;
        ``TextIOWrapper`` ignores that count, so the rest would vanish without an error. Large
        text is therefore written to the binary buffer here, until every byte is taken or the
        write fails (``BrokenPipeError``, which the CLI turns into exit 141).
        """
        with self._writing():
            buffer = getattr(self.stdout, "buffer", None)
            if len(text) < WRITE_CHUNK or buffer is None:
                self.stdout.write(text)
                return
            self.stdout.flush()
            encoding = self.stdout.encoding or "utf-8"
            data = memoryview(text.encode(encoding, getattr(self.stdout, "errors", "strict")))
            while data:
                chunk = data[:WRITE_CHUNK]
                written = buffer.write(chunk)
                data = data[len(chunk) if written is None else max(written, 1) :]

    def flush(self) -> None:
        with self._writing():
            self.stdout.flush()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """An OS error writing stdout is an :class:`OutputError`, told apart from network
        errors (also ``OSError``) by where it happened; a broken pipe stays what it is."""
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from exc

    def error(self, message: str) -> None:
        """One diagnostic line on stderr; every line chimenum writes there goes through here.

        Messages carry text chimenum does not control (service error messages, a failing
        ``credential_process``'s output), so they are made inert: a newline inside one is shown
        as ``\\x0a`` and cannot forge a second line, an escape sequence cannot act.
        """
        from chimenum.core.safe import inert
        from chimenum.core.secrets import scrub

        # The run's credentials and URL passwords never reach stderr, whoever wrote the text.
        line = f"chimenum: {inert(scrub(message).strip())}"
        if self.stderr_lines is not None:
            self.stderr_lines(line)
            return
        try:
            self.stderr.write(line + "\n")
            self.stderr.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError, AttributeError):
            # stderr is full (/dev/full), closed or gone: nowhere left to say so; the run goes
            # on and the error boundary ends it with 74, not with this line's own failure.
            self.stderr_lost = True

    def warn(self, message: str) -> None:
        if not self.quiet:
            self.error(message)
