"""The project's own checks run as part of the suite: lint, format and strict typing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--strict", "chimenum"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_check_passes(command: list[str]) -> None:
    proc = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_quick_start_matches_ci() -> None:
    """.ci/run runs exactly the README's test command."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    quick_start = readme.split("\n## Quick start\n", 1)[1]
    blocks = [b.split("\n", 1)[1] for b in quick_start.split("```sh\n")[1:3]]
    commands = [next(x for x in b.splitlines() if not x.startswith("#")) for b in blocks]
    assert "chimenum get +12065550100 --demo" in commands[0]
    assert commands[1] in ci
