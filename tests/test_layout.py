"""The house stays in order: import rules, declared dependencies, module sizes, the wheel.

The rules themselves live in pyproject.toml (``[tool.importlinter]``, ``[tool.deptry]``) so that
``lint-imports`` and ``deptry .`` say the same thing on a developer's machine as here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGE = ROOT / "chimenum"
#: The house's limit: a module longer than this has more than one concern.
MAX_MODULE_LINES = 450


def _run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold() -> None:
    proc = _run(str(BIN / "lint-imports"), "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_import_contracts_catch_a_broken_rule(tmp_path: Path) -> None:
    """The contracts are not vacuous: a copy of the package whose core imports click breaks one."""
    copy = tmp_path / "tree"
    copy.mkdir()
    (copy / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy / "chimenum")], check=True)
    ids = copy / "chimenum" / "core" / "ids.py"
    ids.write_text(ids.read_text() + "\n\ndef _leak() -> None:\n    import click  # noqa\n")
    proc = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode != 0
    assert "chimenum.core.ids -> click" in proc.stdout


def test_declared_dependencies_match_imports() -> None:
    proc = _run(str(BIN / "deptry"), ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every chimenum module ``path`` imports, at module level or inside functions, except
    ``if TYPE_CHECKING:`` imports (they never run)."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                base += f".{node.module}" if node.module else ""
            else:
                base = node.module or ""
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_no_import_cycle_between_modules() -> None:
    """A module never imports, directly or not, a module that imports it (a package's
    ``__init__`` importing its own submodules is not a cycle: that is what a package is)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        name: {
            m for m in _imports(path) if m in modules and m != name and not name.startswith(m + ".")
        }
        for name, path in modules.items()
    }

    def path_back(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [" -> ".join(c) for name in sorted(graph) if (c := path_back(name))]
    assert not cycles, cycles


def _command_modules() -> dict[str, Path]:
    """The cli modules that define a click command: one per command."""
    found = {}
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        tree = ast.parse(path.read_text())
        if any(
            isinstance(node, ast.FunctionDef)
            and any("command" in ast.unparse(d) for d in node.decorator_list)
            for node in tree.body
        ):
            found[_module_name(path)] = path
    return found


def test_the_command_modules_are_found() -> None:
    """The next test is not vacuous: it sees every command."""
    assert {name.rsplit(".", 1)[1] for name in _command_modules()} == {
        "get", "list", "wait", "describe", "audit", "completion",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(_command_modules()))
def test_no_command_imports_another(name: str) -> None:
    """Commands share the skeleton (cli/runner.py), the ids (cli/inputs.py) and the options
    (cli/options.py), never each other: a command is read, and changed, on its own."""
    commands = _command_modules()
    imported = _imports(commands[name]) & (set(commands) - {name})
    assert not imported, f"{name} imports {sorted(imported)}"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_module_is_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_wheel_has_no_test_fake(tmp_path: Path) -> None:
    """The built wheel carries the demo server, never the test fake's faults or hostile data."""
    proc = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(tmp_path),
        str(ROOT),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = tmp_path.glob("chimenum-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = {n: archive.read(n).decode() for n in names if n.endswith(".py")}
    assert "chimenum/demo/server.py" in names
    assert not [n for n in names if n.startswith(("testing/", "tests/", "bench/"))]
    for marker in ("def inject(", "WIRE_FAULTS", "HOSTILE", "TokenBucket", "from testing"):
        assert not [n for n, text in sources.items() if marker in text], marker


def test_the_documented_layout_names_every_module() -> None:
    """docs/development.md's tree is the package's: every module is named there."""
    text = (ROOT / "docs" / "development.md").read_text()
    tree = text[text.index("```\nchimenum/\n") : text.index("```\n", text.index("chimenum/\n"))]
    missing = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py")
        and (
            f"{path.parent.name}/" not in tree
            or not any(path.name in line or path.stem + "." in line for line in tree.splitlines())
        )
    ]
    assert not missing, f"docs/development.md's layout does not name {missing}"
