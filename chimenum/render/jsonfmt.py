"""``-o json`` / ``--json``: the document the AWS CLI prints, nothing else on stdout.

One id: ``{"PhoneNumber": {...}}``, as ``aws chime get-phone-number`` prints it. Several ids:
``{"PhoneNumbers": [...], "PhoneNumberErrors": [...]}`` in input order, ``PhoneNumberErrors``
always present. A failed single id prints nothing on stdout: the error goes to stderr and the
exit code says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.records import to_json
from chimenum.render import Renderer

if TYPE_CHECKING:
    from chimenum.fetch import Result


def error_object(result: Result) -> dict[str, str]:
    assert result.failure is not None
    return {
        "PhoneNumberId": result.phone_number_id,
        "ErrorCode": result.failure.code,
        "ErrorMessage": result.failure.message,
    }


class JsonRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []

    def add(self, result: Result) -> None:
        if result.document is not None:
            self.numbers.append(result.document["PhoneNumber"])
        else:
            self.errors.append(error_object(result))

    def document(self) -> dict[str, Any] | None:
        if self.options.kind == "one":
            return {"PhoneNumber": self.numbers[0]} if self.numbers else None
        return {"PhoneNumbers": self.numbers, "PhoneNumberErrors": self.errors}

    def finish(self) -> None:
        doc = self.document()
        if doc is not None:
            self.env.write(to_json(doc) + "\n")
