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


def test_the_openapi_document_describes_every_route() -> None:
    """Every endpoint the app serves (the page's static files aside) is in ``openapi.json``, with its methods."""
    import json
    import re

    from handmade.web.app import ROUTES

    paths = json.loads((WEB / "openapi.json").read_text(encoding="utf-8"))["paths"]
    missing = []
    for route in ROUTES:
        if route.path.startswith("/static/"):
            continue
        path = re.sub(r"\{manifest_id:path\}", "{manifestId}", route.path)
        methods = {m.lower() for m in route.methods or {"GET"}} - {"head", "options"}
        if path not in paths or not methods <= set(paths[path]):
            missing.append(f"{sorted(methods)} {path}")
    assert not missing, missing
