"""The CLI's install is lean: Airflow and the test tools are extras, and no module
of the planner imports them when it loads."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from planning.config import PROJECT_DIR

PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
# the import names of what the extras install
EXTRA_MODULES = {"airflow", "pytest", "hypothesis", "xdist", "ruff", "sqlfluff"}


def _distribution(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower()


def test_the_cli_dependencies_hold_neither_airflow_nor_test_tools():
    base = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "apache-airflow" not in base
    assert not base & {_distribution(r) for r in extras["test"]}
    assert {_distribution(r) for r in extras["airflow"]} == {"apache-airflow"}


def test_make_plan_installs_the_cli_only_and_make_test_the_extras():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^plan: \$\(INSTALLED\)$", makefile, re.MULTILINE)
    assert re.search(r"^test: \$\(INSTALLED_DEV\)$", makefile, re.MULTILINE)
    assert "pip install --quiet -e .\n" in makefile
    assert 'pip install --quiet -e ".[airflow,test]"' in makefile


def test_the_license_is_an_spdx_expression_setuptools_does_not_warn_about():
    assert isinstance(PYPROJECT["project"]["license"], str)


def _module_level_imports(path: Path) -> set[str]:
    """Top-level package names imported when the module loads (not inside functions)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_planner_module_imports_an_extra_when_it_loads():
    offenders = {
        str(path.relative_to(PROJECT_DIR)): sorted(_module_level_imports(path) & EXTRA_MODULES)
        for path in (PROJECT_DIR / "planning").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
