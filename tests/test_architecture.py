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


# What each pure layer may import of the project itself (anything else of the project, lazily
# or not, relative or absolute, is a leak: the command line, the window, the runtime that
# wires the adapters, the adapters themselves).
PROJECT_ALLOWED = {
    "domain": ("detainer_desk.domain",),
    "services": ("detainer_desk.domain", "detainer_desk.services", "detainer_desk.presets"),
}


def _project_imports(path: Path) -> list[str]:
    """Every module of the project ``path`` imports, relative imports resolved."""
    package = path.relative_to(REPO_ROOT).with_suffix("").parts  # a/b/c or a/b/__init__
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.split(".")[0] == "detainer_desk")
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                module = node.module or ""
            else:
                base = list(package[: len(package) - node.level])
                module = ".".join(base + ([node.module] if node.module else []))
            if module.split(".")[0] == "detainer_desk":
                found.extend(
                    f"{module}.{a.name}" if module == "detainer_desk" else module
                    for a in node.names
                )
    return found


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layers_import_only_their_own_side_of_the_project(package: str) -> None:
    """The services know the domain and each other; never the command line, the window,
    the runtime or an adapter (the architecture of STYLE.md, checked on the project's own
    packages, relative imports too)."""
    offenders = []
    for path in sorted((REPO_ROOT / "detainer_desk" / package).rglob("*.py")):
        for name in _project_imports(path):
            if not name.startswith(PROJECT_ALLOWED[package]):
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert offenders == []


def test_services_import_only_the_standard_library_of_what_is_not_the_project() -> None:
    """No cryptography, password hashing, database driver, PDF or directory library in the
    services: those are adapters, handed in by the composition root."""
    offenders = []
    for path in sorted((REPO_ROOT / "detainer_desk" / "services").rglob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in ("__future__", "detainer_desk"):
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert offenders == []


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports when it runs (imports made only for the
    type checker left out), lazily inside functions included."""
    modules: dict[str, Path] = {}
    for path in (REPO_ROOT / "detainer_desk").rglob("*.py"):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for statement in node.body
            for inner in ast.walk(statement)
        }
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [
                    f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                    for a in node.names
                ]
            for target in targets:
                found = known(target) if target.startswith("detainer_desk") else None
                if found and found != name and not name.startswith(found + "."):
                    graph[name].add(found)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def test_no_import_cycles() -> None:
    """No two modules of the project need each other, not even through a lazy import
    inside a function: each can be read, tested and changed from the bottom up."""
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


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
