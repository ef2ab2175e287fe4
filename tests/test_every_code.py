"""Every finding code of the code table is produced and asserted by some test.

The codes come from the table (:data:`chimenum.core.findings.CODES`) and the tests from every
``tests/test_*.py``: neither list is typed by hand. A code counts as tested only where a test
asserts on it: as a string inside an ``assert``, or among the cases fed to
``pytest.mark.parametrize`` (inline, or through a module-level name). A code in a comment, a
docstring or a constant nothing checks does not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from chimenum.core.findings import CODES

TESTS = Path(__file__).resolve().parent


def _is_parametrize(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "parametrize"
    )


def asserted_strings(source: str) -> set[str]:
    """The string constants ``source`` asserts on, or feeds to ``parametrize`` as cases."""
    tree = ast.parse(source)
    checked: list[ast.AST] = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    fed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_parametrize(node):
            cases = node.args[1:] + [k.value for k in node.keywords if k.arg == "argvalues"]
            checked += cases
            fed |= {n.id for case in cases for n in ast.walk(case) if isinstance(n, ast.Name)}
    checked += [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id in fed for t in node.targets)
    ]
    return {
        n.value
        for root in checked
        for n in ast.walk(root)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def untested(codes: Iterable[str], sources: Iterable[str]) -> list[str]:
    asserted = set().union(*(asserted_strings(source) for source in sources))
    return [code for code in codes if code not in asserted]


def test_every_code_is_tested() -> None:
    sources = [path.read_text() for path in sorted(TESTS.glob("test_*.py"))]
    assert untested(CODES, sources) == []


def test_a_code_no_test_asserts_is_found() -> None:
    """The check above can fail, for any code of the table: each one, taken out of the tests'
    assertions (left only in a comment, a docstring and an unchecked constant), is reported."""
    for code in CODES:
        others = [c for c in CODES if c != code]
        fed, asserted = others[: len(others) // 2], others[len(others) // 2 :]
        sources = [
            "import pytest\n"
            f"CASES = [{', '.join(map(repr, fed))}]\n"
            f"LEFT_ALONE = [{code!r}]\n\n\n"
            '@pytest.mark.parametrize("expected", CASES)\n'
            "def test_cases(expected):\n"
            f'    """{code}"""\n'
            "    assert expected\n",
            f"def test_asserted(doc):  # {code}\n"
            f"    note = {code!r}\n"
            f"    assert codes(doc) == [{', '.join(map(repr, asserted))}]\n",
        ]
        assert untested(CODES, sources) == [code]
