"""README's layout table is how a newcomer finds a feature from the folder names (issue #21):
it must name every top-level folder and every module of `publicprotection/`, so a folder or
core module added without a line there fails here."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _source_folders() -> set[str]:
    """The top-level folders of the source: what git tracks, or would (not what it ignores,
    such as the environment, the build output or a browser run's test-results/)."""
    git = shutil.which("git")
    if not git or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {path.split("/", 1)[0] for path in listed if "/" in path} - {""}


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
    folders = {folder for folder in _source_folders() if not folder.startswith(".")}
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
