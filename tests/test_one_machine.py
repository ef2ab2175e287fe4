"""One machine per concern, and grep finds no second one (issue 17).

Each rule names what it looks for in the package's tracked sources (their syntax trees, so a
word in a comment or a docstring is not a use) and the one module allowed to do it, plus the
few others that may, each with its reason. Every rule is shown able to fail: it is run on a
synthetic source that breaks it, placed where it is not allowed, and on the same source where
it is.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.test_layout import PACKAGE, _command_modules, imports_in, package_sources


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def uses(tree: ast.AST) -> set[str]:
    """What a module names: imported modules and names (``module.name``), dotted attribute
    chains and bare names."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, (ast.Attribute, ast.Name)):
            name = _dotted(node)
            if name:
                found.add(name)
    return found


def _names(tree: ast.AST, tokens: tuple[str, ...]) -> list[str]:
    """Uses of ``tokens``: a use equal to one, ending in ``.token`` or inside ``token.``."""
    return sorted(
        use
        for use in uses(tree)
        for token in tokens
        if use == token or use.endswith("." + token) or use.startswith(token + ".")
    )


def _attributes(tree: ast.AST, names: tuple[str, ...]) -> list[str]:
    return sorted(
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in names
    )


def _defined(tree: ast.AST, match: Callable[[str], bool]) -> list[str]:
    return sorted(
        f"def {node.name}"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and match(node.name)
    )


def threads(tree: ast.AST) -> list[str]:
    return _names(
        tree,
        (
            "concurrent.futures",
            "ThreadPoolExecutor",
            "ProcessPoolExecutor",
            "threading.Thread",
            "threading.Timer",
            "ThreadingHTTPServer",
            "ThreadingMixIn",
            "multiprocessing",
            "asyncio",
            "_thread",
        ),
    )


def widths(tree: ast.AST) -> list[str]:
    return (
        # (unicodedata.category is the character policy's, core/safe.py: what is unsafe)
        _names(tree, ("east_asian_width", "unicodedata.combining", "wcwidth", "rich.cells"))
        + _defined(tree, lambda name: name.endswith(("cell_len", "wcwidth", "char_width")))
        # rich's own measure of a Text or a Segment
        + [a for a in _attributes(tree, ("cell_len", "cell_length")) if not a.startswith("layout.")]
    )


def timestamps(tree: ast.AST) -> list[str]:
    found = _attributes(tree, ("strftime", "isoformat", "ctime", "asctime"))
    found += _names(tree, ("time.strftime",))
    # f"{when:%Y-%m-%d}" formats a datetime too
    found += sorted(
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FormattedValue)
        and node.format_spec is not None
        and "%" in ast.unparse(node.format_spec)
    )
    return found


def environment(tree: ast.AST) -> list[str]:
    found = _names(tree, ("os.environ", "os.environb", "os.getenv", "os.putenv"))
    found += sorted(
        f"{node.arg}="
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg in ("envvar", "auto_envvar_prefix")
    )
    return found


def escapers(tree: ast.AST) -> list[str]:
    """Calls of the character policy's escapers, or a second escaper defined."""
    return _names(tree, ("inert", "inert_all", "json_escaped")) + _defined(
        tree, lambda name: name.lstrip("_").startswith(("inert", "escape", "unescape"))
    )


@dataclass(frozen=True)
class Rule:
    name: str
    find: Callable[[ast.AST], list[str]]
    #: The one module that may (relative to chimenum/).
    owner: str
    #: Others that may, each with its reason; a path ending in ``/`` allows a whole room.
    allowed: dict[str, str] = field(default_factory=dict)

    def allows(self, path: str) -> bool:
        return path == self.owner or any(
            path == other or (other.endswith("/") and path.startswith(other))
            for other in self.allowed
        )

    def violations(self, path: str, source: str) -> list[str]:
        return [] if self.allows(path) else self.find(ast.parse(source))


RULES = (
    Rule(
        "a concurrency engine",
        threads,
        "core/pool.py",
        {
            "demo/listener.py": "the demo's loopback HTTP server: http.server's threads serve"
            " its requests; it is a service, not chimenum's work",
            "output/progress.py": "the progress bar's delayed start: one timer, not work",
            "cli/signals.py": "a stop signal sent again to the main thread, from a bare thread"
            " once a finaliser swallowed its exception: one call, not work",
        },
    ),
    Rule("a cell-width function", widths, "output/formats/layout.py"),
    Rule(
        "a timestamp formatter",
        timestamps,
        "output/times.py",
        {"demo/resources.py": "the demo service's wire format (what AWS sends), not output"},
    ),
    Rule("a reader of the environment", environment, "core/settings.py"),
    Rule(
        "an escaper",
        escapers,
        "core/safe.py",
        {
            "output/env.py": "Environment.error: the one place diagnostics are made inert",
            "output/": "what goes to stdout (tables, text, CSV, JSON): data, not diagnostics",
        },
    ),
)

SOURCES = {str(path.relative_to(PACKAGE)): path for path in package_sources()}


@pytest.mark.slow
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_there_is_no_second(rule: Rule) -> None:
    found = {
        path: hits
        for path, file in SOURCES.items()
        if (hits := rule.violations(path, file.read_text()))
    }
    assert not found, f"{rule.name} outside {rule.owner}: {found}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_allowed_modules_exist(rule: Rule) -> None:
    """An allowance for a module that is gone would allow whatever next takes its name."""
    for path in (rule.owner, *rule.allowed):
        assert path in SOURCES or (path.endswith("/") and (PACKAGE / path).is_dir()), path


#: For each rule, sources that break it (each must be caught on its own).
BREAKS = {
    "a concurrency engine": [
        "from concurrent.futures import ThreadPoolExecutor\n",
        "import concurrent.futures as cf\n",
        "import threading\nthreading.Thread(target=print).start()\n",
        "from threading import Timer\n",
        "import asyncio\n",
    ],
    "a cell-width function": [
        "import unicodedata\nunicodedata.east_asian_width('a')\n",
        "from rich.cells import cell_len\n",
        "from wcwidth import wcswidth\n",
        "def cell_len(text):\n    return len(text)\n",
        "def width(text):\n    return text.cell_len\n",
    ],
    "a timestamp formatter": [
        "def f(when):\n    return when.strftime('%Y')\n",
        "def f(when):\n    return when.isoformat()\n",
        "def f(when):\n    return f'{when:%Y-%m-%d}'\n",
        "import time\ntime.strftime('%Y')\n",
    ],
    "a reader of the environment": [
        "import os\nos.environ.get('X')\n",
        "import os\nos.getenv('X')\n",
        "from os import environ\n",
        "import click\nclick.option('--x', envvar='X')\n",
    ],
    "an escaper": [
        "from chimenum.core.safe import inert\ninert('x')\n",
        "from chimenum.core import safe\nsafe.inert_all(['x'])\n",
        "def _escape(text):\n    return text.replace('\\x1b', '')\n",
    ],
}


@pytest.mark.parametrize(
    ("rule", "source"),
    [(rule, source) for rule in RULES for source in BREAKS[rule.name]],
    ids=lambda value: value.name if isinstance(value, Rule) else value.split("\n")[0][:40],
)
def test_each_rule_can_fail(rule: Rule, source: str) -> None:
    assert rule.violations("cli/newcommand.py", source), "not caught"
    assert not rule.violations(rule.owner, source), "its owner may"


def test_a_clean_source_breaks_no_rule() -> None:
    source = (
        "import datetime\nimport threading\nlock = threading.Lock()\n"
        "when = datetime.datetime.fromisoformat('2024-01-01')\n"
    )
    assert not [rule.name for rule in RULES if rule.violations("cli/newcommand.py", source)]


# -- commands never import each other ---------------------------------------------------------


def command_imports(module: str, source: str, commands: set[str]) -> set[str]:
    """The other command modules ``source`` (the command ``module``) imports."""
    return imports_in(source, module) & (commands - {module})


def test_no_command_imports_another() -> None:
    commands = _command_modules()
    found = {
        name: imported
        for name, path in commands.items()
        if (imported := command_imports(name, path.read_text(), set(commands)))
    }
    assert not found


@pytest.mark.parametrize(
    "source",
    [
        "from chimenum.cli.list import listing_options\n",
        "from chimenum.cli import list as listing\n",
        "from . import list\n",
        "from .list import listing_options\n",
        "def f():\n    import chimenum.cli.list\n",
    ],
)
def test_a_command_importing_another_is_caught(source: str) -> None:
    commands = {"chimenum.cli.get", "chimenum.cli.list"}
    assert command_imports("chimenum.cli.get", source, commands) == {"chimenum.cli.list"}
    shared = "from chimenum.cli.options import output_option\nfrom . import runner\n"
    assert not command_imports("chimenum.cli.get", shared, commands)
