"""Lines for a terminal, drawn by hand: widths in cells, colour as SGR, ids never split.

The table views (:mod:`.table`, :mod:`.detail`) lay out plain lines themselves rather than
through rich: a layout engine may fold any cell, and folding an E.164 number, a UUID or an ARN
gives a value nobody can copy. Here a value is a run of :data:`Span`\\ s of one kind: an *id*
(or any token that means nothing in pieces: a status, a date) is moved whole to where it fits,
or written whole past the edge for the terminal to wrap; only *prose* (a calling name) is cut
with an ellipsis or wrapped at its spaces. Writing lines directly also lets a table stream:
column widths are fixed once, then each row is one formatted string.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from chimenum.output.env import Environment

#: ``(text, style)``; text is already inert, style is words of :data:`_SGR` (or empty).
Span = tuple[str, str]
Kind = Literal["id", "prose", "list"]
#: Between the items of a list value (associations): where a cell of the value may wrap.
LIST_SEPARATOR: Span = (", ", "")

_SGR = {
    "bold": "1",
    "dim": "2",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "magenta": "35",
    "cyan": "36",
}

UNICODE_GLYPHS = {
    "rule": "─",
    "yes": "✓",
    "no": "✗",
    "more": "…",
    "none": "—",
    "arrow": "→",
    # A tree's guides: a child, the last child, a line going on past a child, no line.
    "child": "├── ",
    "last": "└── ",
    "stem": "│   ",
    "gap": "    ",
}
#: For a stdout that cannot encode the glyphs above (``PYTHONIOENCODING=ascii``).
ASCII_GLYPHS = {
    "rule": "-",
    "yes": "yes",
    "no": "no",
    "more": "...",
    "none": "-",
    "arrow": "->",
    "child": "|-- ",
    "last": "`-- ",
    "stem": "|   ",
    "gap": "    ",
}


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes (East Asian wide characters take two)."""
    if text.isascii():
        return len(text)
    return _wide_len(text)


# A table measures every cell of every row, and the same few non-ASCII values (the glyphs, a
# calling name) come back row after row.
@lru_cache(maxsize=4096)
def _wide_len(text: str) -> int:
    return sum(map(_char_len, text))


@lru_cache(maxsize=4096)
def _char_len(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def spans_len(spans: Sequence[Span]) -> int:
    size = 0
    for text, _ in spans:
        size += len(text) if text.isascii() else _wide_len(text)
    return size


def plain(spans: Sequence[Span]) -> str:
    return "".join(text for text, _ in spans)


def chop(text: str, width: int) -> tuple[str, str]:
    """``text`` split after at most ``width`` cells (at least one character)."""
    if text.isascii():
        cut = max(width, 1)
        return text[:cut], text[cut:]
    used = 0
    for index, ch in enumerate(text):
        used += cell_len(ch)
        if used > width and index:
            return text[:index], text[index:]
    return text, ""


class Painter:
    """Spans to a string for this run's stdout: colour only when the environment says so,
    ASCII glyphs when stdout cannot encode the others."""

    def __init__(self, env: Environment) -> None:
        self.color = env.stdout_color
        self.glyphs = ASCII_GLYPHS if env.ascii_only else UNICODE_GLYPHS
        self._codes: dict[str, str] = {}

    def glyph(self, name: str) -> str:
        return self.glyphs[name]

    def paint(self, spans: Iterable[Span]) -> str:
        if not self.color:
            return "".join([text for text, _ in spans])
        out = []
        for text, style in spans:
            if style and text:
                code = self._codes.get(style)
                if code is None:
                    code = self._codes[style] = ";".join(_SGR[word] for word in style.split())
                out.append(f"\x1b[{code}m{text}\x1b[0m")
            else:
                out.append(text)
        return "".join(out)

    def truncate(self, spans: Sequence[Span], width: int) -> list[Span]:
        """Prose cut to ``width`` cells, the last one an ellipsis when anything was cut."""
        if spans_len(spans) <= width:
            return list(spans)
        more = self.glyph("more")
        room = max(width - cell_len(more), 0)
        out: list[Span] = []
        for text, style in spans:
            if room <= 0:
                break
            head, _ = chop(text, room) if cell_len(text) > room else (text, "")
            out.append((head, style))
            room -= cell_len(head)
        out.append((more, "dim"))
        return out


#: A forced line break inside a value's tokens (:func:`wrap`).
BREAK: list[Span] = []


def tokens(spans: Sequence[Span], kind: Kind) -> list[list[Span]]:
    """The pieces a value may be wrapped between: an id is one piece, prose one per word, a
    list one per item."""
    if kind == "id":
        return [list(spans)]
    if kind == "list":
        return list_pieces(spans, spans_len(spans))
    out: list[list[Span]] = []
    for text, style in spans:
        out.extend([(word, style)] for word in text.split(" ") if word)
    return out


def wrap(pieces: Sequence[list[Span]], width: int, *, prose: bool = False) -> list[list[Span]]:
    """Pieces filled into lines of ``width`` cells, one space apart.

    A piece wider than a line starts a line of its own and is written whole (the terminal
    wraps it; nothing here ever splits it), unless ``prose``: then it is cut to fit.
    """
    lines: list[list[Span]] = [[]]
    used = 0
    for piece in pieces:
        if piece is BREAK:
            lines.append([])
            used = 0
            continue
        size = spans_len(piece)
        if used and used + 1 + size > width:
            lines.append([])
            used = 0
        if prose and size > width:
            for text, style in piece:
                while cell_len(text) > width - used:
                    head, text = chop(text, width - used)
                    lines[-1].append((head, style))
                    lines.append([])
                    used = 0
                lines[-1].append((text, style))
                used += cell_len(text)
            continue
        if used:
            lines[-1].append((" ", ""))
            used += 1
        lines[-1].extend(piece)
        used += size
    return lines


def block(spans: Sequence[Span], width: int) -> list[list[Span]]:
    """One line of spans as it is when it fits in ``width`` cells, else wrapped at its spaces:
    every word (an id, a number, a status) stays whole."""
    if spans_len(spans) <= width:
        return [list(spans)]
    return wrap(tokens(spans, "prose"), width)


@dataclass
class Branch:
    """A node of a tree: its own line, and the nodes under it."""

    spans: list[Span]
    children: list[Branch] = field(default_factory=list)

    def add(self, spans: list[Span]) -> Branch:
        child = Branch(spans)
        self.children.append(child)
        return child


def tree_lines(root: Branch, painter: Painter, width: int) -> list[str]:
    """A tree drawn with the painter's guides; a line too long for ``width`` wraps at its
    spaces under its own start, its words whole."""
    out: list[str] = []
    glyph = painter.glyph

    def draw(node: Branch, first: str, rest: str) -> None:
        under = rest + glyph("stem" if node.children else "gap")
        room = width - max(cell_len(first), cell_len(under))
        for index, line in enumerate(block(node.spans, room)):
            out.append((painter.paint([(first if index == 0 else under, ""), *line])).rstrip())
        for index, child in enumerate(node.children):
            last = index == len(node.children) - 1
            draw(
                child,
                rest + glyph("last" if last else "child"),
                rest + glyph("gap" if last else "stem"),
            )

    draw(root, "", "")
    return out


def fit_columns(sizes: Sequence[Sequence[int]], width: int, *, gap: int, always: int) -> list[int]:
    """The widths of the columns to show, a prefix of ``sizes`` (most important column first;
    each column's widths it can take, widest first) that fits in ``width`` cells.

    The first ``always`` columns are always shown, at the widest of their widths (taken
    together, level by level) that fits, else at their narrowest. Every later column is shown
    at its narrowest only if it and every column before it fit. Room left over widens the
    shown columns back toward their full width, the most important first. A pure function of
    the width and the values' widths: the same terminal always gets the same columns.
    """
    levels = max((len(options) for options in sizes[:always]), default=1)

    def at(level: int) -> list[int]:
        return [options[min(level, len(options) - 1)] for options in sizes[:always]]

    def total(widths: Sequence[int]) -> int:
        return sum(widths) + gap * (len(widths) - 1)

    chosen = next((at(n) for n in range(levels) if total(at(n)) <= width), at(levels - 1))
    for options in sizes[always:]:
        if total([*chosen, options[-1]]) > width:
            break
        chosen.append(options[-1])
    for index, options in enumerate(sizes[: len(chosen)]):
        room = width - total(chosen)
        if room <= 0:
            break
        chosen[index] = min(options[0], chosen[index] + room)
    return chosen


def list_pieces(spans: Sequence[Span], width: int) -> list[list[Span]]:
    """A list value's pieces for a column ``width`` cells wide: an item per piece (items are
    separated by a ``", "`` span, the comma kept on the item before it); an item wider than
    the column in words, each word whole."""
    items: list[list[Span]] = [[]]
    for span in spans:
        if span == LIST_SEPARATOR:
            text, style = items[-1][-1] if items[-1] else ("", "")
            items[-1][-1:] = [(text + ",", style)]
            items.append([])
        else:
            items[-1].append(span)
    out: list[list[Span]] = []
    for item in items:
        out.extend([item] if spans_len(item) <= width else tokens(item, "prose"))
    return out


def list_sizes(spans: Sequence[Span]) -> tuple[int, int, int]:
    """A list value's widths, widest first: on one line, an item per line, a word per line."""
    items = list_pieces(spans, spans_len(spans))
    words = list_pieces(spans, 0)
    return (
        spans_len(spans),
        max(map(spans_len, items), default=0),
        max(map(spans_len, words), default=0),
    )


def bands(widths: Sequence[int], width: int, *, gap: int, indent: int) -> list[tuple[int, int]]:
    """A row too wide for ``width`` cells, broken between its cells: ``(first, end)`` column
    ranges, one per band of lines; every band after the first is indented ``indent`` cells."""
    out: list[tuple[int, int]] = []
    first, used = 0, 0
    for index, size in enumerate(widths):
        if index > first and used + gap + size > width:
            out.append((first, index))
            first, used = index, indent + size
        else:
            used += size + (gap if index > first else 0)
    out.append((first, len(widths)))
    return out


#: A cell of a grid: its spans, and whether it is aligned to the right (a number, a duration).
Cell = list[Span]


def grid_lines(
    rows: Sequence[Sequence[Cell]],
    painter: Painter,
    *,
    header: Sequence[str] | None = None,
    gap: int = 3,
    right: Sequence[int] = (),
) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell (:func:`cell_len`),
    ``gap`` cells apart; a bold header and a rule under it when given. Values are written
    whole: a line too long for the terminal is wrapped by the terminal, never a cell split.
    For a small grid drawn at once (a ``--query`` result, ``wait``'s live table); the
    summary table (:mod:`.summary`) streams with widths fixed from its first page."""
    body = [list(row) for row in rows]
    if header is not None:
        body.insert(0, [[(name, "bold")] for name in header])
    count = max((len(row) for row in body), default=0)
    widths = [
        max((spans_len(row[i]) for row in body if i < len(row)), default=0) for i in range(count)
    ]
    out = []
    for row in body:
        spans: list[Span] = []
        for index, cell in enumerate(row):
            pad = " " * (widths[index] - spans_len(cell))
            if index in right:
                spans.append((pad, ""))
            spans.extend(cell)
            if index < len(row) - 1:
                spans.append((("" if index in right else pad) + " " * gap, ""))
        out.append(painter.paint(spans))
    if header is not None:
        rule = painter.glyph("rule") * (sum(widths) + gap * (count - 1))
        out.insert(1, painter.paint([(rule, "")]))
    return out
