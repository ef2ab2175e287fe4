"""The README's quick start, run as written on a fresh copy of the clone.

Both commands run in order in one bash, as a newcomer pastes them; then the lines the README says
to type next (``chimenum --version``, ``man -w chimenum``) run in the same shell. The second
command runs the whole suite: here PYTEST_ADDOPTS narrows that run to one small file, or this test
would run itself again; the command line stays the README's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()

#: pip installs the dev extra from the package mirror: minutes on a busy machine, never hours.
INSTALL_TIMEOUT = 1800


def quick_start() -> tuple[str, str, list[str]]:
    """The two quick-start commands, and the lines the README says to type after them."""
    section = README.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 3, blocks
    first, second, then = (
        [line for line in block.splitlines() if line and not line.startswith("#")]
        for block in blocks
    )
    assert len(first) == 1 and len(second) == 1, (first, second)
    return first[0], second[0], then


def fresh_clone(into: Path) -> Path:
    """What a clone holds (the tracked files), as the working tree has them now."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    clone = into / "chimenum"
    for name in filter(None, tracked.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not cloned
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def newcomer_environment() -> dict[str, str]:
    """This environment without the test's own venv: the README's `python3` is the system's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "VIRTUAL_ENV", "PYTHON"))
        and key not in ("MANPATH", "PS1", "CHIMENUM_DEMO", "CHIMENUM_API")
    }
    env["PATH"] = os.pathsep.join(
        entry
        for entry in os.environ["PATH"].split(os.pathsep)
        if entry and not (Path(entry).parent / "pyvenv.cfg").exists()
    )
    # One small file of the suite proves the dev install runs it (see the module's docstring).
    env["PYTEST_ADDOPTS"] = "-n 0 -q -p no:cacheprovider tests/test_ids.py"
    return env


def test_quick_start_is_three_blocks_of_plain_commands() -> None:
    first, second, then = quick_start()
    assert "chimenum get +12065550100 --demo" in first
    assert first.startswith("python3 -m venv .venv ") and ". .venv/bin/activate" in first
    # The development venv is another one: its editable install would remove .venv's man page.
    assert second.startswith("python3 -m venv .venv-dev ") and " .venv " not in f"{second} "
    assert then == [
        "chimenum --version",
        "man -w chimenum    # where `man chimenum` reads its page: .venv/share/man/man1/chimenum.1",
    ]


@pytest.mark.slow
@pytest.mark.tooling
def test_quick_start_as_written_leaves_a_command_and_its_man_page(tmp_path: Path) -> None:
    if shutil.which("man") is None:
        pytest.fail("man is not installed (.ci/run installs man-db)")
    first, second, then = quick_start()
    clone = fresh_clone(tmp_path)
    # `a && b` does not stop `set -e`: each command says itself how it ended.
    script = "\n".join(
        [
            f"{first} || exit 101",
            f"{second} || exit 102",
            "set -e",
            *(f"echo {shlex.quote('## ' + line)}\n{line}" for line in then),
        ]
    )
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=clone,
        env=newcomer_environment(),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # Quick start 1 printed the demo number; quick start 2's tests passed.
    assert "+12065550100" in proc.stdout and "Assigned" in proc.stdout
    assert re.search(r"^\d+ passed", proc.stdout, re.M), proc.stdout[-2000:]
    after = proc.stdout.split("## chimenum --version\n", 1)[1]
    version, man = after.split("\n## man -w chimenum")
    assert re.fullmatch(r"chimenum \S+ \(botocore \S+, Python \S+\)", version.strip()), version
    page = clone / ".venv" / "share" / "man" / "man1" / "chimenum.1"
    assert man.strip().splitlines()[-1] == str(page)
    assert page.read_text() == (ROOT / "man" / "chimenum.1").read_text()
    # The development install is editable: it runs the clone's code, not a copy.
    dev = subprocess.run(
        [
            str(clone / ".venv-dev" / "bin" / "python"),
            "-c",
            "import chimenum; print(chimenum.__file__)",
        ],
        cwd="/",  # not next to the clone: its folder would import as a namespace package
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert dev.stdout.strip() == str(clone / "chimenum" / "__init__.py")
