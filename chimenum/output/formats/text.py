"""``-o text``: the AWS CLI's text output, so ``cut``, ``awk`` and ``while read`` work.

The same algorithm as ``awscli/text.py`` (Apache-2.0): a scalar is printed bare on its own line; a
dict prints its scalar values tab-separated on one line, in key order, prefixed by the upper-cased
key it was found under (``PHONENUMBER``, ``ASSOCIATIONS``, ...), then its nested values; a list of
dicts prints one line per dict with the union of their scalar keys as columns; a list of scalars
prints tab-separated on one line, or one ``IDENTIFIER<TAB>value`` line each under a key. Booleans
are ``True``/``False`` and null is ``None``, as the AWS CLI prints them.

One difference on purpose: every value goes through
:func:`~chimenum.core.safe.inert`, so a tab, newline or escape sequence inside an API string
is shown as ``\\t``/``\\n``/``\\x1b`` and can neither split a field or a record nor act on the
terminal.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chimenum.core.safe import inert, inert_all
from chimenum.output.formats.json import JsonRenderer
from chimenum.output.query import apply

#: What :func:`_format` descends into rather than prints.
_NESTED = (dict, list)


@lru_cache(maxsize=256)
def _label(identifier: str) -> str:
    """``PHONENUMBER`` for ``PhoneNumber``: the same few keys label every row."""
    return inert(identifier.upper())


def format_text(item: Any, out: list[str], identifier: str | None = None) -> None:
    _format(item, out, identifier, None, None)


def _format(
    item: Any,
    out: list[str],
    identifier: str | None,
    keys: list[str] | None,
    known: frozenset[str] | None,
) -> None:
    if isinstance(item, dict):
        _format_dict(item, out, identifier, keys, known)
    elif isinstance(item, list):
        _format_list(item, out, identifier)
    else:
        out.append(inert(item))


def _format_list(items: list[Any], out: list[str], identifier: str | None) -> None:
    if not items:
        return
    if any(isinstance(el, dict) for el in items):
        keys = sorted(
            {
                k
                for el in items
                if isinstance(el, dict)
                for k, v in el.items()
                if not isinstance(v, _NESTED)
            }
        )
        # Every dict of a page is formatted against the same columns: the set once, not per row.
        known = frozenset(keys)
        for element in items:
            _format(element, out, identifier, keys, known)
    elif any(isinstance(el, list) for el in items):
        scalars = [el for el in items if not isinstance(el, _NESTED)]
        if scalars:
            _format_scalars(scalars, out, identifier)
        for element in items:
            if isinstance(element, _NESTED):
                _format(element, out, identifier, None, None)
    else:
        _format_scalars(items, out, identifier)


def _format_scalars(items: list[Any], out: list[str], identifier: str | None) -> None:
    if identifier is not None:
        prefix = _label(identifier) + "\t"
        out.extend([prefix + text for text in inert_all(items)])
    else:
        out.append("\t".join(inert_all(items)))


def _format_dict(
    item: dict[str, Any],
    out: list[str],
    identifier: str | None,
    keys: list[str] | None,
    known: frozenset[str] | None,
) -> None:
    nested: list[tuple[str, Any]] = []
    if keys is None or known is None:
        values = []
        for key, value in sorted(item.items()):
            if isinstance(value, _NESTED):
                nested.append((key, value))
            else:
                values.append(value)
        scalars = inert_all(values)
    else:
        get = item.get
        scalars = inert_all([get(key, "") for key in keys])
        nested = [(key, item[key]) for key in sorted(item.keys() - known)]
    if scalars:
        if identifier is not None:
            scalars.insert(0, _label(identifier))
        out.append("\t".join(scalars))
    for key, value in nested:
        _format(value, out, key, None, None)


def to_text(value: Any) -> str:
    lines: list[str] = []
    format_text(value, lines)
    if not lines:
        return ""
    lines.append("")
    return "\n".join(lines)


class TextRenderer(JsonRenderer):
    """The JSON document (or the ``--query`` result), formatted as the AWS CLI's text output.

    Without ``--query``, listings and batches stream: each page (each 100 numbers of a batch)
    is written as soon as it is in, formatted on its own as ``aws ... list-phone-numbers
    --output text`` formats each page it receives. If the listing stopped early, a last
    ``NextToken`` line (the bare token) says where; a batch's ``PHONENUMBERERRORS`` lines come
    last, once every id is done.
    """

    def page_done(self) -> None:
        if self.streams() and self.numbers:
            self.env.write(to_text(apply(None, {"PhoneNumbers": self.numbers})))
            self.env.flush()
            self.numbers = []

    def finish(self) -> None:
        if self.streams():
            self.page_done()
            if self.stopped and self.next_token is not None:
                self.env.write(to_text({"NextToken": self.next_token}))
            if self.errors:
                self.env.write(to_text(apply(None, {"PhoneNumberErrors": self.errors})))
            return
        doc = self.document()
        if doc is not None:
            self.env.write(to_text(apply(self.options.query, doc)))
