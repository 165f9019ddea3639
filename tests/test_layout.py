"""How the test code is laid out (CONVENTIONS.md): factories in `factories` modules, shared
helpers in helper modules and conftest fixtures, and no module importing a test module (a
test module's helpers would otherwise be shared by accident, and its tests collected twice)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "var", ".git"}


def _python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP & set(path.relative_to(ROOT).parts):
            yield path


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            yield module
            if not module or node.level:  # from . import test_x
                yield from (f"{module}.{alias.name}" for alias in node.names)


def test_no_module_imports_a_test_module():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _python_files()
        for name in _imported_modules(ast.parse(path.read_text(), filename=str(path)))
        if name.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert offenders == []
