"""The README's examples run, and say what they print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
AGE = re.compile(r"\(\d+ \w+ ago\)|\(just now\)")


def console_examples() -> list[tuple[str, str]]:
    """``$ command`` blocks of the README with the output they show."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        first, _, output = block.partition("\n")
        assert first.startswith("$ "), first
        examples.append((first[2:], output))
    return examples


@pytest.mark.parametrize(("command", "shown"), console_examples())
def test_console_example_output_is_what_the_demo_prints(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert AGE.sub("(AGE)", proc.stdout) == AGE.sub("(AGE)", shown)


def jq_examples() -> list[str]:
    return [line for line in re.findall(r"^chimenum .*\| jq .*$", README, re.M)]


@pytest.mark.parametrize("command", jq_examples())
def test_jq_examples_run_against_the_demo(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert "null" not in proc.stdout


def test_readme_exit_table_matches_the_code() -> None:
    from chimenum.core.errors import ExitCode

    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README, re.M))
    assert sorted(int(code) for code in rows) == sorted(int(code) for code in ExitCode)
