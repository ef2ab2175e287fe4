"""CI runs the project's own checks, each as a step of .ci/run rather than inside pytest."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_matches_ci() -> None:
    """.ci/run runs exactly the README's test command."""
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("\n## Quick start\n", 1)[1]
    blocks = [b.split("\n", 1)[1] for b in quick_start.split("```sh\n")[1:3]]
    commands = [next(x for x in b.splitlines() if not x.startswith("#")) for b in blocks]
    assert "chimenum get +12065550100 --demo" in commands[0]
    assert commands[1] in CI


def test_ci_runs_every_check_unloosened() -> None:
    """Moving the checks out of pytest loosened none of them: each is a step, as strict."""
    for check in (
        'step "ruff check" .venv-dev/bin/ruff check .\n',
        'step "ruff format" .venv-dev/bin/ruff format --check .\n',
        'step "mypy --strict" .venv-dev/bin/mypy --strict chimenum\n',
        'step "import contracts" .venv-dev/bin/lint-imports --no-cache\n',
        'step "import contracts catch a broken rule" contracts_catch_a_broken_rule\n',
        'step "declared dependencies" .venv-dev/bin/deptry .\n',
        'step "wheel" .venv-dev/bin/python .ci/wheel.py\n',
    ):
        assert check in CI, check
