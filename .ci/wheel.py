"""CI step: build the wheel once, then check what it holds and where it installs the man page.

- It carries the demo server, never the test fake's faults or hostile data, tests or the bench.
- ``man chimenum`` works for a venv or pipx install: man-db looks in ../share/man of each PATH
  directory, so no MANPATH is needed.

A step of ``.ci/run``, not a test: building a wheel takes seconds and writes build/ in the
checkout, which two test workers must not share.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Names only the test fake defines: one of them in the wheel means the fake leaked in.
FAKE_MARKERS = ("def inject(", "WIRE_FAULTS", "HOSTILE", "TokenBucket", "from testing")


def run(*command: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"wheel: {' '.join(command)} failed\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def content_problems(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = {n: archive.read(n).decode() for n in names if n.endswith(".py")}
    problems = [] if "chimenum/demo/server.py" in names else ["no chimenum/demo/server.py"]
    problems += [n for n in names if n.startswith(("testing/", "tests/", "bench/"))]
    problems += [
        f"{name} holds {marker!r}"
        for marker in FAKE_MARKERS
        for name, text in sources.items()
        if marker in text
    ]
    return problems


def man_page_problems(wheel: Path, scratch: Path) -> list[str]:
    # A venv of its own: pip would uninstall the test venv's chimenum to install elsewhere.
    venv = scratch / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    run(
        sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
        "install", "-q", "--no-deps", str(wheel),
    )  # fmt: skip
    installed = venv / "share" / "man" / "man1" / "chimenum.1"
    if installed.read_text() != (ROOT / "man" / "chimenum.1").read_text():
        return [f"{installed} is not man/chimenum.1"]
    env = {k: v for k, v in os.environ.items() if k != "MANPATH"}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"
    found = run("man", "-w", "chimenum", env=env).strip()
    return [] if found == str(installed) else [f"man -w chimenum finds {found!r}"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", scratch, ".")
        (wheel,) = Path(scratch).glob("chimenum-*.whl")
        problems = content_problems(wheel) + man_page_problems(wheel, Path(scratch))
    if problems:
        sys.exit("wheel: " + "\n  ".join(problems))
    sys.stdout.write(f"wheel: {wheel.name}: no test fake, the man page where man finds it\n")


if __name__ == "__main__":
    main()
