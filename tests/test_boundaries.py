"""Import boundaries between the monorepo's packages (DESIGN/STYLE: no distributed
monolith). ``libs/common`` is plumbing and imports no service or the gateway; a service
imports no other service and not the gateway; the gateway reaches services only
through the generated ``crm`` stubs. Checked on the source text (AST), so a forbidden
import inside a function or ``if TYPE_CHECKING:`` is caught as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SERVICES_DIR = REPO / "services"
GATEWAY_SRC = REPO / "gateway" / "src"
COMMON_SRC = REPO / "libs" / "common" / "src"


def service_packages() -> dict[str, Path]:
    """Top-level package name -> its source folder, one per ``services/*/src/<pkg>``."""
    return {
        package.name: package
        for package in sorted(SERVICES_DIR.glob("*/src/*"))
        if package.is_dir() and not package.name.startswith((".", "_"))
    }


def python_files(root: Path) -> Iterator[Path]:
    yield from (path for path in sorted(root.rglob("*.py")) if "__pycache__" not in path.parts)


def imported_top_levels(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every absolute import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def violations(root: Path, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line} imports {package}"
        for path in python_files(root)
        for line, package in imported_top_levels(path)
        if package in forbidden
    ]


def test_there_is_something_to_check() -> None:
    assert "identity" in service_packages()
    assert any(python_files(GATEWAY_SRC / "gateway"))
    assert any(python_files(COMMON_SRC / "crm_common"))


def test_common_imports_no_service_and_no_gateway() -> None:
    forbidden = set(service_packages()) | {"identity", "gateway"}
    assert violations(COMMON_SRC, forbidden) == []


@pytest.mark.parametrize("service", sorted(service_packages()))
def test_service_imports_no_other_service_and_no_gateway(service: str) -> None:
    forbidden = (set(service_packages()) - {service}) | {"gateway"}
    assert violations(service_packages()[service], forbidden) == []


def test_gateway_imports_no_service_package() -> None:
    assert violations(GATEWAY_SRC, set(service_packages())) == []


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import identity.domain\n"
        "from gateway import app\n"
        "from . import sibling\n"
        "def late():\n"
        "    import sales.domain as s\n"
    )
    assert list(imported_top_levels(sample)) == [(1, "identity"), (2, "gateway"), (5, "sales")]
