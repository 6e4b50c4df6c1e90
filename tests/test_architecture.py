"""The layers of STYLE.md, enforced: the domain and the services know nothing of Qt, SQL,
migrations or PDFs, and nothing heavy is built at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

FORBIDDEN = ("PySide6", "shiboken6", "sqlalchemy", "alembic", "reportlab")
PURE_PACKAGES = ("domain", "services")


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layers_import_no_framework(package: str) -> None:
    offenders = []
    for path in sorted((REPO_ROOT / "detainer_desk" / package).rglob("*.py")):
        for name in _imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert offenders == []


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layers_import_no_adapter(package: str) -> None:
    """Not even lazily: a service that reached for an adapter's function (a signature check
    in place of the one it was handed) would bypass what the composition root chose."""
    offenders = []
    for path in sorted((REPO_ROOT / "detainer_desk" / package).rglob("*.py")):
        for name in _imported_modules(path):
            if name.startswith(("detainer_desk.adapters", "detainer_desk.gui")):
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert offenders == []


def test_domain_imports_only_stdlib_and_itself() -> None:
    offenders = []
    for path in sorted((REPO_ROOT / "detainer_desk" / "domain").rglob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top != "__future__":
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert offenders == []


def test_checking_a_request_loads_no_gui_or_database_library() -> None:
    # A fresh interpreter: importing the CLI and running the engine must not pull in Qt,
    # SQLAlchemy or reportlab (start-up time, and the layering above).
    code = (
        "import sys; from detainer_desk.cli import build_parser; "
        "import detainer_desk.services.checking; "
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
