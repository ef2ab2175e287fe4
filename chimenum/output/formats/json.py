"""``-o json`` / ``--json``: the document the AWS CLI prints, nothing else on stdout.

One id: ``{"PhoneNumber": {...}}``, as ``aws chime get-phone-number`` prints it. Several ids:
``{"PhoneNumbers": [...], "PhoneNumberErrors": [...]}`` in input order, ``PhoneNumberErrors``
always present. A listing: ``{"PhoneNumbers": [...]}``; if it stopped early (a page still failed
after its retries) the numbers received are kept and ``"NextToken"`` says where the rest starts,
the AWS CLI's own sign of an unfinished listing, with ``"Incomplete": true``; if the first page
failed, nothing is printed. A batch stopped by Ctrl-C or SIGTERM prints the ids done before the
first unfinished one and ``"Incomplete": true``: the ids after it are neither numbers nor errors.
A failed single id prints nothing on stdout: the error goes to stderr and the exit code says
which. With ``--query`` the result of the expression is printed instead (``null`` when nothing
matched, as the AWS CLI prints it).

When colour is on (a terminal, or ``--color always``), the same JSON text is highlighted with
rich's JSON highlighter. Piped or coloured, it is byte for byte what the AWS CLI prints, except
that the characters :mod:`chimenum.core.safe` calls unsafe (C1 controls, bidi overrides, line
separators, private-use and unassigned code points) are written as ``\\uXXXX`` escapes
(:func:`~chimenum.output.document.to_json`): the same JSON value, escaped the same way in both, so
a JSON file later shown on a terminal cannot act on it either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.output.document import to_json
from chimenum.output.formats import Renderer
from chimenum.output.query import apply

if TYPE_CHECKING:
    from chimenum.core.fetch import Result


def error_object(result: Result) -> dict[str, str]:
    assert result.failure is not None
    return {
        "PhoneNumberId": result.phone_number_id,
        "ErrorCode": result.failure.code,
        "ErrorMessage": result.failure.message,
    }


def document(
    kind: str,
    numbers: list[dict[str, Any]],
    errors: list[dict[str, str]],
    *,
    stopped: bool = False,
    next_token: str | None = None,
) -> dict[str, Any] | None:
    """The JSON document of a run (what ``--query`` sees); ``None`` when one id failed.

    For a listing, ``stopped`` says it ended early and ``next_token`` where the rest starts
    (``None``: its first page failed, so there is no document at all).
    """
    if kind == "one":
        return {"PhoneNumber": numbers[0]} if numbers else None
    if kind == "list":
        if not stopped:
            return {"PhoneNumbers": numbers}
        if next_token is None:
            return None
        return {"PhoneNumbers": numbers, "NextToken": next_token, "Incomplete": True}
    if stopped:
        return {"PhoneNumbers": numbers, "PhoneNumberErrors": errors, "Incomplete": True}
    return {"PhoneNumbers": numbers, "PhoneNumberErrors": errors}


class JsonRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.next_token: str | None = None
        self.stopped = False

    def add(self, result: Result) -> None:
        if result.document is not None:
            self.numbers.append(result.document["PhoneNumber"])
        else:
            self.errors.append(error_object(result))

    def document(self) -> dict[str, Any] | None:
        return document(
            self.options.kind,
            self.numbers,
            self.errors,
            stopped=self.stopped,
            next_token=self.next_token,
        )

    def incomplete(self, next_token: str | None) -> None:
        self.stopped = True
        self.next_token = next_token

    def finish(self) -> None:
        doc = self.document()
        if doc is None:
            return
        text = to_json(apply(self.options.query, doc) if self.options.query else doc)
        if self.env.stdout_color:
            from rich.highlighter import JSONHighlighter
            from rich.text import Text

            self.env.print(JSONHighlighter()(Text(text)), soft_wrap=True)
        else:
            self.env.write(text + "\n")
