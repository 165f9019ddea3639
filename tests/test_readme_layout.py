"""README's layout table is how a newcomer finds a feature from the folder names (issue #21):
it must name every top-level folder and every module of `publicprotection/`, so a folder or
core module added without a line there fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Made by the tools, not part of the source: the environment, the build, the local stack.
NOT_SOURCE = {".venv", "node_modules", "var", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _layout_table() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("| folder | what it holds |")
    rows = []
    for line in readme[start:].splitlines():
        if not line.startswith("|"):
            break
        rows.append(line)
    return "\n".join(rows)


def _named_paths(table: str) -> set[str]:
    return {name.rstrip("/") for name in re.findall(r"`([^`\s]+)`", table)}


def test_every_top_level_folder_is_in_the_layout_table():
    named = _named_paths(_layout_table())
    folders = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and path.name not in NOT_SOURCE
    }
    missing = sorted(folder for folder in folders if folder not in named)
    assert missing == [], f"README's layout table does not name: {missing}"


def test_every_module_of_the_core_package_is_in_the_layout_table():
    table = _layout_table()
    package = ROOT / "publicprotection"
    modules = {
        path.stem if path.is_file() else path.name
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    missing = sorted(module for module in modules if module not in table)
    assert missing == [], f"README's layout table does not mention publicprotection/: {missing}"
