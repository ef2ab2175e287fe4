"""``-o name``: one E.164 number per line, as kubectl's ``-o name`` prints one name per line.

For ``get`` and ``list`` the numbers fetched or listed, for ``describe`` the numbers described,
for ``audit`` each number with at least one finding, once: in every case in the order of the
other formats, written as they come. An id that failed prints nothing here (its error line goes
to stderr, as in every format), so each line is a number that can be passed on as an id:
``chimenum audit -o name | chimenum describe -``. A number the answer left without its E.164
member is written as its ``PhoneNumberId``. Text is made inert like every format for people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chimenum.core.safe import inert
from chimenum.output.formats import Renderer

if TYPE_CHECKING:
    from chimenum.core.fetch import Result


def e164(number: dict[str, Any], fallback: str) -> str:
    value = number.get("E164PhoneNumber") or number.get("PhoneNumberId") or fallback
    return inert(value)


class NameRenderer(Renderer):
    """Numbers and descriptions: a result's document holds its number under ``PhoneNumber``."""

    def add(self, result: Result) -> None:
        if result.document is not None and self.wanted(result.document):
            self.env.write(e164(result.document["PhoneNumber"], result.phone_number_id) + "\n")

    def wanted(self, document: dict[str, Any]) -> bool:
        return True

    def page_done(self) -> None:
        self.env.flush()


class AuditNames(NameRenderer):
    def wanted(self, document: dict[str, Any]) -> bool:
        return bool(document.get("Findings"))
