"""The README, docs/ and the man page say what the code does: generated parts are fresh, the man
page renders and installs where `man` finds it, and no raw control byte hides in any of them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from chimenum.cli import cli
from chimenum.core.errors import ExitCode
from chimenum.output.formats import FORMATS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAN_PAGE = ROOT / "man" / "chimenum.1"
#: Bytes a terminal acts on; a tab only as the text output's separator in a console example.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


@pytest.mark.tooling
def test_generated_parts_are_fresh() -> None:
    """docs/commands.md, the exit-code tables and the runbooks are cog blocks."""
    pages = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in DOCS.glob("*.md"))]
    proc = run(sys.executable, "-m", "cogapp", "--check", *pages)
    assert proc.returncode == 0, (
        "stale: run `.venv-dev/bin/cog -r README.md docs/*.md`\n" + proc.stdout + proc.stderr
    )


@pytest.mark.tooling
def test_man_page_is_fresh() -> None:
    proc = run(sys.executable, "tools/reference.py", "--check")
    assert proc.returncode == 0, proc.stderr


def man(*args: str) -> str:
    if not shutil.which("man"):
        pytest.fail("man is not installed (apt-get install man-db groff-base)")
    proc = run("man", *args, MANWIDTH="200", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr  # groff warnings: bad roff
    return proc.stdout


@pytest.mark.tooling
def test_man_page_renders_with_every_section_command_and_exit_code() -> None:
    page = man("-l", str(MAN_PAGE))
    headings = re.findall(r"^([A-Z][A-Z ]+)$", page, re.M)
    assert headings == [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "OPTIONS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ]
    for name in cli.commands:
        assert re.search(rf"^       chimenum {name} \[OPTIONS\]", page, re.M), name
    exit_status = page.split("\nEXIT STATUS\n")[1].split("\nENVIRONMENT\n")[0]
    assert re.findall(r"^       (\d+) ", exit_status, re.M) == [str(int(c)) for c in ExitCode]
    for variable in ("CHIMENUM_API", "AWS_PROFILE", "NO_COLOR", "CHIMENUM_COMPLETION_TTL"):
        assert variable in page.split("\nENVIRONMENT\n")[1]
    assert not CONTROL.search(page)
    # Hyphens stay ASCII so that options and examples copied from the page still work.
    assert "\u2010" not in page and "\u2019" not in page


def man_examples() -> list[str]:
    page = man("-l", str(MAN_PAGE))
    examples = page.split("\nEXAMPLES\n")[1].split("\nSEE ALSO\n")[0]
    return [line.strip() for line in examples.splitlines() if line.strip().startswith("chimenum ")]


@pytest.mark.tooling
def test_man_page_examples_run_against_the_demo(documented) -> None:
    examples = man_examples()
    assert len(examples) >= 5
    for example in examples:
        command, env = documented(example)
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert proc.returncode == 0, (example, proc.stderr)
        assert proc.stdout.strip(), example


def walk(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    found = [(" ".join(path) or "chimenum", command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += walk(sub, (*path, name))
    return found


@pytest.mark.parametrize(("name", "command"), walk(cli), ids=lambda x: str(x))
def test_every_command_and_option_has_help(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"
    assert command.get_short_help_str(), name
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help and param.help.strip(), f"{name} {param.opts[-1]} has no help text"


def test_every_command_and_option_is_in_the_reference() -> None:
    text = (DOCS / "commands.md").read_text()
    for name, command in walk(cli):
        heading = "## chimenum" if name == "chimenum" else f"## chimenum {name}"
        assert f"\n{heading}\n" in text, heading
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert f"`{', '.join(param.opts)}" in text, (name, param.opts)


def test_output_formats_page_names_every_format() -> None:
    text = (DOCS / "output-formats.md").read_text()
    for name in FORMATS:
        assert f"| `{name}`" in text, name


def test_no_raw_control_bytes_in_the_readme_docs_or_man_page() -> None:
    for path in [README, MAN_PAGE, *DOCS.glob("*.md")]:
        text = path.read_text()
        assert not CONTROL.search(text), (path.name, CONTROL.findall(text))
        # A tab is only ever the text format's separator, inside an example's output.
        for number, line in enumerate(text.splitlines(), 1):
            assert "\t" not in line or line.startswith("+"), (path.name, number)


def test_readme_links_into_docs_resolve() -> None:
    for path in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).exists(), (path.name, target)
