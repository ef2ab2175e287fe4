"""What the tests of every document kind share for ``changes``: a ``diff`` to run."""

from __future__ import annotations

import json
from pathlib import Path


def changed_snapshot(listing: str, folder: Path) -> Path:
    """``listing`` (``list -o ndjson``'s output) written to ``folder`` with every number's status
    shown as another, so that ``diff`` of it against the account now reports every number."""
    lines = [json.loads(line) for line in listing.splitlines()]
    for line in lines:
        line["PhoneNumber"]["Status"] = "Earlier"
    path = folder / "old.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def diff_args(chimenum: object, folder: Path, *global_args: str) -> list[str]:
    """``diff OLD --live``, OLD the account's listing now with every number's status changed."""
    listing = chimenum(*global_args, "list", "-o", "ndjson").stdout  # type: ignore[operator]
    return ["diff", str(changed_snapshot(listing, folder)), "--live"]
