"""The web package's docstring says what it takes from the library: checked against its imports."""

from __future__ import annotations

import ast
from pathlib import Path

import handmade.web

WEB = Path(handmade.web.__file__).parent


def test_the_package_docstring_names_every_library_module_it_imports() -> None:
    said = ast.get_docstring(ast.parse((WEB / "__init__.py").read_text(encoding="utf-8"))) or ""
    imported: set[str] = set()
    for path in WEB.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.name} has no docstring naming its role"
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            imported.update(n for n in names if n.startswith("handmade.") and not n.startswith("handmade.web"))
    assert imported and all(f"``{name}``" in said for name in imported), sorted(imported)
