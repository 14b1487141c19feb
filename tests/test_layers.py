"""The architecture line, enforced: storage/ never loads a UI library, and the code lints clean
(ruff's rules include the ban on the old ``storage``/``tui`` import roots)."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import paperdeck.storage

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"  # a test dependency, beside this interpreter


def _storage_modules() -> list[str]:
    found = pkgutil.walk_packages(paperdeck.storage.__path__, prefix="paperdeck.storage.")
    return sorted(["paperdeck.storage", *(module.name for module in found)])


def test_every_storage_module_is_found():
    names = _storage_modules()
    assert "paperdeck.storage.cache.database" in names
    assert len(names) == len(list((ROOT / "storage").rglob("*.py")))


def test_importing_storage_loads_neither_textual_nor_rich():
    code = (
        "import importlib, sys\n"
        f"for name in {_storage_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_the_code_lints_clean():
    result = subprocess.run([RUFF, "check", "--no-cache", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stray_old_import_root_is_refused(tmp_path):
    """The lint rule itself: ``import storage`` would load a second copy of every module."""
    stray = tmp_path / "stray.py"
    stray.write_text("from storage.cache.database import Cache\n\nprint(Cache)\n")
    result = subprocess.run([RUFF, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                             "--output-format", "concise", str(stray)],
                            capture_output=True, text=True)
    assert "TID251" in result.stdout


_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|PRAGMA|BEGIN|COMMIT)\b")


_SCRATCH = ("storage/parsers/query.py", "check_query")
"""The one exception: the settings' check of a full-text query asks SQLite's own parser,
on a scratch in-memory table that holds nothing (settings may not import the cache)."""


def test_all_sql_lives_behind_the_cache_layer():
    """Outside storage/cache/ nothing touches a connection or holds a statement: the rest
    of storage/ (and tui/) asks the cache layer."""
    found = []
    for path in _product_files():
        if path.is_relative_to(ROOT / "storage" / "cache"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.relative_to(ROOT).as_posix() == _SCRATCH[0]:
            scratch = [n for n in tree.body if getattr(n, "name", None) == _SCRATCH[1]]
            assert len(scratch) == 1
            tree.body.remove(scratch[0])
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in _CONNECTION:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.Constant) and _SQL.match(str(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:40]!r}")
    assert found == []


_CONNECTION = {"conn", "execute", "executemany", "executescript", "total_changes"}


def _product_files() -> list[Path]:
    return sorted([*(ROOT / "storage").rglob("*.py"), *(ROOT / "tui").rglob("*.py")])


def test_storage_holds_nothing_that_only_tests_use():
    """Every function, class and method of storage/ is named somewhere in the product
    besides its own definition: code that only tests call is not the product's."""
    defined: list[tuple[str, str]] = []
    used: set[str] = set()
    for path in _product_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.add(node.name.rpartition(".")[2])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)  # getattr(obj, "name")
        if path.is_relative_to(ROOT / "storage"):
            where = str(path.relative_to(ROOT))
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    defined += [(where, f.name) for f in node.body if _is_function(f)]
                if isinstance(node, ast.ClassDef) or _is_function(node):
                    defined.append((where, node.name))
    unused = [f"{where}: {name}" for where, name in defined
              if name not in used and not name.startswith("__")]
    assert unused == []


def _is_function(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
