"""The package's architecture, checked: one direction of imports, small modules, one CLI.

See the README's "Architecture" section. These are structural guarantees the renovation made
(no import circles, no imports hidden in functions, modules of at most 500 lines, the render
engine separable, every command in cli.py); a change that breaks one fails here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "fslt_survey"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for f in sorted(PKG.rglob("*.py")):
        parts = f.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = f
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(tree: ast.AST, *, top_level: bool) -> list[tuple[int, str]]:
    """(line, module) of every fslt_survey import, at module level or inside functions."""
    found = []
    nodes = (
        tree.body
        if top_level
        else [
            n
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(fn)
        ]
    )
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            if n.startswith("fslt_survey") and (target := _resolve(n)):
                found.append((node.lineno, target))
    return found


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        for _, target in _imports(ast.parse(path.read_text(encoding="utf-8")), top_level=True):
            if target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while (w := stack.pop()) != v:
                on.discard(w)
                comp.append(w)
            on.discard(v)
            if comp:
                out.append(sorted([v, *comp]))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def test_there_are_no_import_circles() -> None:
    assert _cycles(_graph()) == []


#: The render engine loads its heavy builder lazily (nbclient, pandoc) so that importing it stays
#: quick; those imports stay inside ``fslt_survey.render`` (see the test below).
ENGINE = "fslt_survey.render"


def test_no_fslt_import_is_hidden_in_a_function() -> None:
    hidden = [
        f"{path.relative_to(PKG.parent)}:{line}: {target}"
        for name, path in MODULES.items()
        for line, target in _imports(ast.parse(path.read_text(encoding="utf-8")), top_level=False)
        if not (name.startswith(ENGINE) and target.startswith(ENGINE))
    ]
    assert hidden == []


def test_the_render_engine_imports_nothing_of_the_toolkit() -> None:
    """render/ is separable (issue 13): the toolkit configures it (``_render_host.py``), never
    the other way round; no module of the engine imports ``fslt_survey`` outside ``render``."""
    leaks = [
        f"{path.relative_to(PKG.parent)}:{line}: {target}"
        for name, path in MODULES.items()
        if name.startswith(ENGINE)
        for top in (True, False)
        for line, target in _imports(ast.parse(path.read_text(encoding="utf-8")), top_level=top)
        if not target.startswith(ENGINE)
    ]
    assert leaks == []


def test_every_module_is_at_most_500_lines() -> None:
    long = {
        str(p.relative_to(PKG.parent)): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("fslt_survey.ingest", "fslt_survey.clean"),
        ("fslt_survey.clean", "fslt_survey.store"),
        ("fslt_survey.stats", "fslt_survey.plots"),
        ("fslt_survey.stats", "fslt_survey.publish"),
        ("fslt_survey.privacy", "fslt_survey.publish"),
        ("fslt_survey.plots", "fslt_survey.publish"),
        ("fslt_survey.publish", "fslt_survey.render"),
        ("fslt_survey.codebook", "fslt_survey.ingest"),
    ],
)
def test_imports_run_one_way(lower: str, upper: str) -> None:
    """A lower stage never imports a higher one (the flow in the README)."""
    edges = _graph()
    back = sorted(
        f"{src} -> {dst}"
        for src, dsts in edges.items()
        if src == lower or src.startswith(lower + ".")
        for dst in dsts
        if dst == upper or dst.startswith(upper + ".")
    )
    assert back == []


def test_every_command_is_defined_in_cli_py() -> None:
    offenders = sorted(
        str(p.relative_to(PKG.parent))
        for name, p in MODULES.items()
        if name != "fslt_survey.cli"
        and any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("add_parser", "add_subparsers")
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    )
    assert offenders == []
