"""``--query``: JMESPath over the JSON document, with the AWS CLI's semantics.

The expression is applied to the document the ``json`` format would print (timestamps already
ISO 8601 strings, as the AWS CLI v2 sees them), and its result is what every format then shows:
``json`` prints it as JSON (``null`` when nothing matched, as the AWS CLI does), ``text`` formats
it the AWS CLI's way, ``ndjson`` applies the expression to each line's object and prints one result
per line (so line N is still about input id N), and ``table`` renders the result generically (see
:func:`chimenum.output.formats.table.generic`). jmespath ships with botocore; it is imported on
first use. An expression that parses but does not fit the data fetched (``sum()`` of strings)
ends the run with exit 16 (``QueryError``) once the data is in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chimenum.output.document import jsonable

_REASON_LIMIT = 300


class QueryError(ValueError):
    """An expression the JMESPath parser refuses; ``str()`` is its message on one line."""


@lru_cache(maxsize=8)
def compile_query(expression: str) -> Any:
    # jmespath ships without type hints (and types-jmespath is not worth a dependency).
    import jmespath  # type: ignore[import-untyped]
    from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]

    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise QueryError(_one_line(exc)) from None


def _one_line(exc: Exception) -> str:
    """The parser's own message, without the multi-line caret diagram."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    first = first.removesuffix(", for expression:").rstrip(":").strip()
    position = getattr(exc, "lex_position", None)
    if position is not None and "column" not in first:
        first += f" at column {position}"
    return first


def apply(expression: str | None, document: Any) -> Any:
    """The query's result on ``document``'s JSON value; the JSON value itself without a query."""
    value = jsonable(document)
    if expression is None:
        return value
    compiled = compile_query(expression)
    from jmespath.exceptions import JMESPathError

    try:
        return compiled.search(value)
    except JMESPathError as exc:
        # The expression parsed (a usage error would have said so before any request); it
        # does not fit the data fetched: not a usage error, not chimenum's bug.
        from chimenum.core.errors import QUERY_ERROR, ChimenumError, ExitCode, Failure

        reason = _one_line(exc)
        if len(reason) > _REASON_LIMIT:  # JMESPath quotes the value, which can be a whole number
            reason = reason[:_REASON_LIMIT] + "..."
        raise ChimenumError(
            Failure(
                QUERY_ERROR,
                f"--query {expression!r} failed on the data fetched: {reason}",
                ExitCode.QUERY_FAILED,
            )
        ) from None
