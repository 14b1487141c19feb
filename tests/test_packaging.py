"""One import name: what a user's ``pip install`` puts into site-packages, and how it runs.

The repository keeps its top-level folders (``storage/``, ``tui/``, ``styles/``); the wheel
ships them as ``paperdeck.storage``, ``paperdeck.tui`` and ``paperdeck.styles`` and nothing
else, so installing paperdeck never shadows another distribution's ``storage`` or ``tui``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("storage", "tui", "styles")
SAMPLE = ROOT / "tests" / "data" / "sample-digest.md"


def _source_packages() -> set[str]:
    """Every folder under the shipped roots that holds Python modules, as a dotted name."""
    names = {"paperdeck"}
    for top in SHIPPED:
        for init in (ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            names.add(".".join(("paperdeck", *parts)))
    return names


def test_pyproject_lists_every_package_folder():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert listed == _source_packages()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (built,) = out.glob("paperdeck-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_only_paperdeck_and_its_dist_info(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    dist_info = [top for top in tops if top.endswith(".dist-info")]
    assert tops == {"paperdeck", *dist_info} and len(dist_info) == 1
    shipped = {name for name in names if name.startswith("paperdeck/")}
    for top in SHIPPED:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in (".py", ".tcss") and "__pycache__" not in path.parts:
                assert f"paperdeck/{path.relative_to(ROOT).as_posix()}" in shipped
    assert "paperdeck/__main__.py" in shipped


@pytest.mark.slow
def test_a_plain_install_imports_lists_and_prints_its_version(wheel, tmp_path):
    """Installed non-editable into a fresh venv (dependencies borrowed from this one)."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The test environment's packages, without its .pth files (so not its editable paperdeck).
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PAPERDECK_DATA_DIR": str(tmp_path / "data"),
           "PAPERDECK_CONFIG": str(tmp_path / "empty.toml")}
    (tmp_path / "empty.toml").write_text("")
    env.pop("PYTHONPATH", None)

    def run(*args: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)

    version = run(env_dir / "bin" / "paperdeck", "--version")
    assert version.returncode == 0 and version.stdout.startswith("paperdeck 0.")
    imported = run(python, "-m", "paperdeck", "import", SAMPLE)
    assert imported.returncode == 0, imported.stderr
    listed = run(env_dir / "bin" / "paperdeck", "list", "--format", "tsv", "--limit", "3")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 4
    where = run(python, "-c", "import paperdeck.storage.cache as m; print(m.__file__)")
    assert where.stdout.startswith(site)
    for old_root in SHIPPED:
        assert run(python, "-c", f"import {old_root}").returncode != 0
