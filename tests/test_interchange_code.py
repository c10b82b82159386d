"""The import/export pipeline stays readable: no function in interchange/ is over 60
lines (ruff's C901 keeps each one's complexity at 15 or less, pyproject.toml)."""

import ast
from pathlib import Path

import interchange

MAX_LINES = 60


def test_no_function_in_interchange_is_over_60_lines() -> None:
    package = Path(interchange.__file__).parent
    long = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(package)}: {node.name} ({lines} lines)")
    assert long == []
