"""Canned answers: bytes the fake serves as they are, before anything it would make up itself.

The conformance tests serve AWS's published example answers byte for byte, so that what chimenum
and the AWS CLI read is what AWS wrote, not the fake's idea of it. An answer is keyed by the
listener's API and the request's path, percent-decoded (``/phone-numbers/+12065550100`` answers
``GET /phone-numbers/%2B12065550100``), optionally by the region the request is signed for; the
query string is not part of the key (a canned listing is one page whatever is asked).
"""

from __future__ import annotations

import threading
from urllib.parse import unquote


def _path(path: str) -> str:
    return unquote(path).rstrip("/")


class Canned:
    """``canned[(api, path)] = body`` answers in every region, ``canned[(api, path, region)]``
    only in that one (and first there)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str, str | None], bytes] = {}

    def __setitem__(self, key: tuple[str, str] | tuple[str, str, str], body: bytes) -> None:
        api, path, *region = key
        with self._lock:
            self._answers[(api, _path(path), region[0] if region else None)] = body

    def answer(self, api: str, path: str, region: str | None) -> bytes | None:
        """The body to answer ``GET path`` with on ``api``'s listener (``None``: none canned)."""
        with self._lock:
            for key in ((api, _path(path), region), (api, _path(path), None)):
                if key in self._answers:
                    return self._answers[key]
        return None
