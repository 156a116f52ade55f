"""The code base reads top-down: no two modules under src/kinerja import each other, whether at
module level or inside a function (a deferred import is still a circle in the design)."""

from __future__ import annotations

import ast
from pathlib import Path

import kinerja

ROOT = Path(kinerja.__file__).parent


def _modules() -> dict[str, Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """module -> modules of the package it imports (``from a import b`` counts ``a`` and, when
    ``a.b`` is a module, ``a.b``; relative imports resolved)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            graph[name].update(t for t in targets if t in mods and t != name)
    return graph


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # kinerja.cli imports kinerja.commands only inside a function
    assert "kinerja.commands" in graph["kinerja.cli"]
    assert "kinerja.evidence.selectors" in graph["kinerja.evidence.exchange"]


def test_no_two_modules_import_each_other():
    graph = import_graph()
    circles = sorted((a, b) for a in graph for b in graph[a] if a < b and a in graph[b])
    assert circles == []


def test_the_register_reaches_the_evidence_area_only_through_its_signal():
    graph = import_graph()
    assert not {m for m in graph["kinerja.register.services"] if m.startswith("kinerja.evidence")}
    assert "kinerja.evidence.selectors" not in graph["kinerja.evidence.services"]
