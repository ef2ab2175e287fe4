"""The house stays in order: no import cycle, small modules, a documented layout.

Plain Python over the package's tracked sources. The tools (``lint-imports`` with the contracts
in pyproject.toml, ``deptry``, the wheel check) are steps of ``.ci/run``, not tests.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chimenum"
#: The house's limit: a module longer than this has more than one concern.
MAX_MODULE_LINES = 450


def package_sources() -> list[Path]:
    """The package's committed or staged modules: a stray scratch file in a checkout is not the
    house's (outside a git checkout, every module)."""
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], cwd=PACKAGE, capture_output=True, text=True
    )
    if proc.returncode != 0:
        return sorted(PACKAGE.rglob("*.py"))
    return sorted(p for name in proc.stdout.split("\0") if name and (p := PACKAGE / name).exists())


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    return imports_in(path.read_text(), _module_name(path), package=path.name == "__init__.py")


def imports_in(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every module ``source`` (the module ``module``; ``package``: its ``__init__``) imports,
    at module level or inside functions, relative imports resolved, except
    ``if TYPE_CHECKING:`` imports (they never run)."""
    tree = ast.parse(source)
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    parts = module.split(".")
    if not package:
        parts = parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(parts[: len(parts) - node.level + 1])
                base += f".{node.module}" if node.module else ""
            else:
                base = node.module or ""
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_no_import_cycle_between_modules() -> None:
    """A module never imports, directly or not, a module that imports it (a package's
    ``__init__`` importing its own submodules is not a cycle: that is what a package is)."""
    modules = {_module_name(p): p for p in package_sources()}
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
        "get", "list", "wait", "describe", "audit", "diff", "completion",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(_command_modules()))
def test_no_command_imports_another(name: str) -> None:
    """Commands share the skeleton (cli/runner.py), the ids (cli/inputs.py) and the options
    (cli/options.py), never each other: a command is read, and changed, on its own."""
    commands = _command_modules()
    imported = _imports(commands[name]) & (set(commands) - {name})
    assert not imported, f"{name} imports {sorted(imported)}"


@pytest.mark.parametrize("path", package_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_the_documented_layout_names_every_module() -> None:
    """docs/development.md's tree is the package's: every module is named there."""
    text = (ROOT / "docs" / "development.md").read_text()
    tree = text[text.index("```\nchimenum/\n") : text.index("```\n", text.index("chimenum/\n"))]
    missing = [
        str(path.relative_to(PACKAGE))
        for path in package_sources()
        if path.name not in ("__init__.py", "__main__.py")
        and (
            f"{path.parent.name}/" not in tree
            or not any(path.name in line or path.stem + "." in line for line in tree.splitlines())
        )
    ]
    assert not missing, f"docs/development.md's layout does not name {missing}"


def _development() -> str:
    return (ROOT / "docs" / "development.md").read_text()


def test_the_documented_modules_exist() -> None:
    """The other way round: every module the tree names is one of the package's, and every
    path the prose names (``core/run.py``, ``tests/test_layout.py``) is there."""
    text = _development()
    tree = text[text.index("```\nchimenum/\n") : text.index("```\n", text.index("chimenum/\n"))]
    # The tree also names the fake (testing/), the tools and the bench: the repository's files.
    tracked = subprocess.run(
        ["git", "ls-files", "--", "*.py"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    names = {path.name for path in package_sources()} | {Path(p).name for p in tracked}
    unknown = sorted({name for name in re.findall(r"\b[a-z_]+\.py\b", tree) if name not in names})
    assert not unknown, f"docs/development.md names modules that do not exist: {unknown}"
    rooms = ("core", "cli", "output", "completion", "demo")
    paths = re.findall(rf"(?<![\w/])((?:{'|'.join(rooms)})/[\w/]+\.py)", text)
    paths += re.findall(r"(?<![\w/])(tests/[\w/]+\.py)", text)
    assert paths, "the prose names modules"
    missing = sorted({p for p in paths if not (PACKAGE / p).exists() and not (ROOT / p).exists()})
    assert not missing, f"docs/development.md names paths that do not exist: {missing}"


def test_the_documented_names_exist() -> None:
    """``cli/runner.run``, ``core/errors.SEVERITY``, ``cli/options.output_option``: each name
    the description gives a module is defined there."""
    rooms = "core|cli|output|completion|demo"
    named = re.findall(rf"`((?:{rooms})/[\w/]+)\.(\w+)", _development())
    assert len(named) >= 5, named
    missing = []
    for module, name in named:
        if module.endswith(("/__init__", "/py")) or name == "py":
            continue
        loaded = importlib.import_module("chimenum." + module.replace("/", "."))
        if not hasattr(loaded, name):
            missing.append(f"{module}.{name}")
    assert not missing, f"docs/development.md names what its module does not define: {missing}"
