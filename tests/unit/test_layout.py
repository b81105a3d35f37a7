"""The layout a newcomer reads: a module's import path is its file path, and imports run one way.

The import contracts themselves are in pyproject.toml ([tool.importlinter]); `make lint` runs them too.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ROOT_PACKAGES = PYPROJECT["tool"]["importlinter"]["root_packages"]


def modules_on_disk() -> dict[str, Path]:
    found = {}
    for package in ROOT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def test_the_installed_packages_are_the_top_level_folders_with_no_remapping():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert "package-dir" not in setuptools
    assert {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]} == set(ROOT_PACKAGES)
    for package in ROOT_PACKAGES:
        assert (ROOT / package / "__init__.py").is_file(), f"{package}/ is a regular package"


def test_every_module_is_imported_by_its_file_path():
    modules = modules_on_disk()
    assert {"services.indexer.service", "services.extract.engine.rules", "schemas.events", "common.settings",
            "provnews.cli"} <= set(modules)
    for name, path in modules.items():
        spec = importlib.util.find_spec(name)
        assert spec is not None and Path(spec.origin).resolve() == path.resolve(), name


def test_every_service_folder_is_in_the_independence_contract():
    independent = next(c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "independence")
    folders = {f"services.{p.name}" for p in (ROOT / "services").iterdir() if (p / "__init__.py").is_file()}
    assert set(independent["modules"]) == folders


def test_the_import_contracts_hold():
    """No service imports another; provnews -> services -> common -> schemas, never back (import-linter)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_readme_layout_table_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Layout", 1)[1].split("\n### ", 1)[0]
    rows = [line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")]
    listed = {row.rstrip("/") for row in rows}
    for folder in listed:
        assert (ROOT / folder).is_dir(), f"README's layout names {folder}/, which does not exist"
    services = {f"services/{p.name}" for p in (ROOT / "services").iterdir() if (p / "__init__.py").is_file()}
    assert set(ROOT_PACKAGES) - {"services"} | services <= listed, "a package or service is missing from the table"
