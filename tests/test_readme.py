"""The README's examples (and docs/' console examples) run, and say what they print."""

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
    """``$ command`` blocks of the README and docs/ with the output they show."""
    examples = []
    pages = [README, *(page.read_text() for page in sorted((ROOT / "docs").glob("*.md")))]
    for block in re.findall(r"```console\n(.*?)```", "\n".join(pages), re.S):
        first, _, output = block.partition("\n")
        assert first.startswith("$ "), first
        examples.append((first[2:], output))
    return examples


@pytest.mark.slow
@pytest.mark.parametrize(("command", "shown"), console_examples())
def test_console_example_output_is_what_the_demo_prints(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    monkeypatch.setenv("PATH", demo_path())
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert AGE.sub("(AGE)", proc.stdout) == AGE.sub("(AGE)", shown)


def demo_path() -> str:
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


def test_readme_is_read_in_five_minutes() -> None:
    assert len(README.splitlines()) <= 300


def everyday_commands() -> list[str]:
    """Every ``chimenum`` line of the README's shell examples after the quick start."""
    everyday = README.split("\n## Everyday use\n", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", everyday, re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("chimenum ")]


@pytest.mark.slow
@pytest.mark.parametrize("command", everyday_commands())
def test_everyday_examples_run_against_the_demo(command: str, tmp_path: Path, documented) -> None:
    command, env = documented(command)
    (tmp_path / "numbers.txt").write_text("+12065550100\n# a comment\n+12065550101\n")
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The ndjson example shows a missing number on purpose: exit 3, and a line for it.
    assert proc.returncode == (3 if "+12065550199" in command else 0), proc.stderr
    assert proc.stdout.strip() or "> numbers.ndjson" in command


@pytest.mark.shell
@pytest.mark.parametrize(
    ("phone_id", "said"),
    [("+12065550100", "+12065550100: Assigned\n"), ("+12065550199", "not in this account\n")],
)
def test_runbook_snippet_branches_on_the_exit_code(
    phone_id: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (snippet,) = re.findall(r"```bash\n(.*?)```", README, re.S)
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    monkeypatch.setenv("PATH", demo_path())
    proc = subprocess.run(
        ["bash", "-c", f"id={phone_id}\n{snippet}"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith(said)


@pytest.mark.slow
def test_demo_table_is_what_the_demo_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = re.findall(r"^\| `(\+\d+)` \| (\w+) \| (\w+) \|", README, re.M)
    assert len(rows) >= 10
    monkeypatch.setenv("CHIMENUM_DEMO", "1")
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "chimenum"), "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    import json

    held = {
        n["E164PhoneNumber"]: (n["Status"], n["ProductType"])
        for n in json.loads(listed)["PhoneNumbers"]
    }
    assert {phone_id: (status, product) for phone_id, status, product in rows} == held


def test_readme_exit_table_matches_the_code() -> None:
    from chimenum.core.errors import ExitCode

    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README, re.M))
    assert sorted(int(code) for code in rows) == sorted(int(code) for code in ExitCode)


def test_the_development_venv_is_named_alike_in_readme_ci_and_development_md() -> None:
    """The README's second quick-start command is the one .ci/run runs and development.md gives,
    and every tool .ci/run calls comes from the venv that command makes: not the user's .venv,
    whose man page an editable install would remove."""
    section = README.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    second = re.findall(r"```sh\n(?:#.*\n)*(.*)\n```", section)[1]
    venv = re.fullmatch(r"python3 -m venv (\S+) && .*", second)
    assert venv and venv[1] != ".venv", second
    ci = (ROOT / ".ci" / "run").read_text()
    development = (ROOT / "docs" / "development.md").read_text()
    assert re.search(rf"^{re.escape(second)} 2>&1 \| tee ", ci, re.M)
    assert f"```sh\n{second}\n```" in development
    tools = re.findall(r"(\S*?)/bin/(?:ruff|mypy|lint-imports|deptry|python)\b", ci)
    assert len(tools) >= 7 and {tool.removeprefix('"$root/') for tool in tools} == {venv[1]}
