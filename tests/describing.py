"""What the describe tests share: running `describe --json` and reading its findings."""

from __future__ import annotations

import json
from typing import Any


def described(chimenum: Any, *ids: str, args: tuple[str, ...] = ()) -> tuple[int, Any, str]:
    """``describe IDS --json ARGS``: its exit code, its document (``None``: nothing printed),
    its stderr."""
    run = chimenum("describe", *ids, "--json", *args)
    doc = json.loads(run.stdout) if run.stdout else None
    return run.exit_code, doc, run.stderr


def codes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """``(severity, code)`` of every finding of a described number."""
    return [(f["Severity"], f["Code"]) for f in doc["Findings"]]


def assert_finding(chimenum: Any, number: str, expected: tuple[str, str]) -> None:
    """``number`` is described with the finding ``expected``, and exits 15 exactly when one of
    its findings is an error (describe's default --fail-on)."""
    code, doc, stderr = described(chimenum, number)
    assert expected in codes(doc), doc["Findings"]
    assert code == (15 if any(s == "error" for s, _ in codes(doc)) else 0), stderr
