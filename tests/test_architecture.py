"""The house rule: training never imports serving, serving never imports training; core imports neither."""

import ast
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parent.parent / "backend"
FORBIDDEN = {
    "training": ("backend.serving",),
    "serving": ("backend.training",),
    "core": ("backend.serving", "backend.training"),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, at any depth (function-level imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("wing", sorted(FORBIDDEN))
def test_wings_keep_to_their_side(wing):
    offences = [
        f"{path.relative_to(BACKEND.parent)} imports {name}"
        for path in sorted((BACKEND / wing).rglob("*.py"))
        for name in sorted(imported_modules(path))
        if name.startswith(FORBIDDEN[wing])
    ]
    assert offences == []


def test_the_rule_catches_an_offence(tmp_path):
    offender = tmp_path / "bad.py"
    offender.write_text("def f():\n    from backend.serving.api import bp\n")
    assert "backend.serving.api" in imported_modules(offender)


def test_no_file_patches_sys_path():
    root = BACKEND.parent
    patched = [
        str(p.relative_to(root))
        for folder in ("backend", "bench", "tests")
        for p in (root / folder).rglob("*.py")
        if "sys.path" in p.read_text() and p != Path(__file__).resolve()
    ]
    assert patched == []
