"""Static checks of the analysis notebooks (``analyses/*.ipynb``): stripped and thin.

The notebooks themselves are executed by a separate run, ``pytest --nbval-lax analyses/`` (see
``analyses/README.md``); the checks here need no kernel and take milliseconds:

* every notebook is valid nbformat 4, named ``NN-topic.ipynb``, runs on the ``python3`` kernel and
  is stored stripped: no outputs, no execution counts, no widget state or execution metadata;
* every code cell only calls the library: no ``def``, ``class`` or ``lambda``, imports only from
  ``fslt_survey``, ``pandas``, ``IPython.display`` and ``matplotlib``, no shell escapes or magics
  except ``%matplotlib inline``, no ``exec``/``eval``/``open``, no hard-coded paths (so that the
  notebook runs from any working directory);
* the six analysis notebooks of the member survey start with the internal-use note and clean the
  demo data in memory.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parent.parent
ANALYSES = ROOT / "analyses"
NOTEBOOKS = sorted(ANALYSES.glob("*.ipynb"))

ALLOWED_IMPORTS = ("fslt_survey", "pandas", "IPython.display", "matplotlib")
#: Magics as IPython translates them (``%matplotlib inline`` -> run_line_magic("matplotlib",
#: "inline")); every other magic, shell escape (``!``) or help (``?``) is refused.
ALLOWED_MAGICS = {("run_line_magic", ("matplotlib", "inline"))}
FORBIDDEN_NODES = {
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "async def",
    ast.ClassDef: "class",
    ast.Lambda: "lambda",
}
FORBIDDEN_CALLS = ("exec", "eval", "compile", "open", "__import__")
#: String constants that would tie a notebook to a working directory or a machine.
PATH_LIKE = re.compile(r"^(/|~|\.\.?/)|(^|/)(surveys|analyses|reports|build|tests)/")
#: Metadata that only a run or a widget front end writes.
RUN_METADATA = ("execution", "ExecuteTime", "widgets", "scrolled", "collapsed", "jupyter")

#: The member-survey analyses (issue: data quality, needs, municipality, self-help, network
#: interests, trend); each must carry the internal-use note and clean the demo data in memory.
MEMBER_SURVEY_NOTEBOOKS = (
    "01-datakvalitet",
    "02-behov",
    "03-kommune",
    "04-selvhjaelp",
    "05-netvaerk",
    "06-udvikling-2025-2027",
)
INTERNAL_NOTE = (
    "Intern analyse – tallene er ikke diskretioneret; brug rapporterne til offentliggørelse"
)
CLEAN_CALL = 'project_survey("medlemsundersoegelse")'


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _code_cells(nb: dict[str, Any]) -> list[tuple[int, str]]:
    return [(i, _source(c)) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _magic(node: ast.AST) -> tuple[str, tuple[Any, ...]] | None:
    """``(method, args)`` when ``node`` is IPython's translation of a magic or shell escape."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    ):
        args = tuple(a.value if isinstance(a, ast.Constant) else None for a in node.args)
        return node.func.attr, args
    return None


def _allowed_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in ALLOWED_IMPORTS)


def thin_code_problems(source: str) -> list[str]:
    """Everything in a code cell that is more than calling the library."""
    problems: list[str] = []
    code = TransformerManager().transform_cell(source)  # magics -> get_ipython() calls
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [f"line {exc.lineno}: syntax error: {exc.msg}"]
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        magic = _magic(node)
        if magic is not None:
            if magic not in ALLOWED_MAGICS:
                problems.append(f"{where}: IPython magic or shell escape ({magic[0]} {magic[1]})")
            continue
        for kind, word in FORBIDDEN_NODES.items():
            if isinstance(node, kind):
                problems.append(f"{where}: `{word}` (logic belongs in fslt_survey)")
        if isinstance(node, ast.Import):
            problems += [
                f"{where}: import {a.name!r} (allowed: {', '.join(ALLOWED_IMPORTS)})"
                for a in node.names
                if not _allowed_module(a.name)
            ]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level or not _allowed_module(module):
                problems.append(
                    f"{where}: from {'.' * node.level}{module} import ... "
                    f"(allowed: {', '.join(ALLOWED_IMPORTS)})"
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FORBIDDEN_CALLS
        ):
            problems.append(f"{where}: call of {node.func.id}()")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and PATH_LIKE.search(node.value)
        ):
            problems.append(
                f"{where}: path-like string {node.value!r} (use fslt_survey.config paths)"
            )
    return problems


# --------------------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pandas as pd\nfrom fslt_survey.stats import tab_single\n", []),
        ("%matplotlib inline\nfrom IPython.display import display\n", []),
        ("import matplotlib.pyplot as plt\n", []),
        ("def f():\n    return 1\n", ["`def`"]),
        ("class A:\n    pass\n", ["`class`"]),
        ("x = sorted([1], key=lambda v: v)\n", ["`lambda`"]),
        ("import numpy as np\n", ["import 'numpy'"]),
        ("from scipy import stats\n", ["from scipy import"]),
        ("import pandasx\n", ["import 'pandasx'"]),
        ("from IPython import get_ipython\n", ["from IPython import"]),
        ("!pip install x\n", ["shell escape"]),
        ("%timeit 1\n", ["magic"]),
        ("%%bash\nls\n", ["magic"]),
        ("files = !ls\n", ["shell escape"]),
        ("pd.DataFrame?\n", ["magic"]),
        ("%matplotlib widget\n", ["magic"]),
        ('text = """Andel\n% af svarene?\n"""\n', []),
        ("open('x.csv')\n", ["open()"]),
        ("p = '../surveys/demo'\n", ["path-like"]),
        ("p = '/work/main/build'\n", ["path-like"]),
        ("print('Svar: I høj grad / I nogen grad')\n", []),
    ],
)
def test_thin_code_checker(source: str, expected: list[str]) -> None:
    problems = thin_code_problems(source)
    assert len(problems) == len(expected), problems
    for text, problem in zip(expected, problems, strict=True):
        assert text in problem


# --------------------------------------------------------------------------- every notebook


def test_member_survey_notebooks_exist() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert set(MEMBER_SURVEY_NOTEBOOKS) <= names, sorted(set(MEMBER_SURVEY_NOTEBOOKS) - names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_valid_and_named(path: Path) -> None:
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name), path.name
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    ids = [c.get("id") for c in nb.cells if c.get("id") is not None]
    assert len(ids) == len(set(ids)), "duplicate cell ids"
    kernel = nb.metadata.get("kernelspec", {})
    assert kernel.get("name") == "python3", kernel
    assert kernel.get("language", "python") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stripped(path: Path) -> None:
    nb = _load(path)
    problems = []
    for key in ("widgets", *RUN_METADATA):
        if key in nb.get("metadata", {}):
            problems.append(f"notebook metadata {key!r}")
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"cell {i}: outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {i}: execution_count {cell['execution_count']}")
        elif "outputs" in cell or "execution_count" in cell:
            problems.append(f"cell {i}: {cell['cell_type']} cell with outputs")
        if cell.get("attachments"):
            problems.append(f"cell {i}: attachments")
        for key in RUN_METADATA:
            if key in cell.get("metadata", {}):
                problems.append(f"cell {i}: metadata {key!r}")
    assert not problems, f"{path.name} is not stripped: " + "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_only_calls_the_library(path: Path) -> None:
    problems = [
        f"cell {i}, {p}" for i, src in _code_cells(_load(path)) for p in thin_code_problems(src)
    ]
    assert not problems, f"{path.name} holds more than library calls:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- member-survey set


@pytest.mark.parametrize("stem", MEMBER_SURVEY_NOTEBOOKS)
def test_member_survey_notebook_is_internal_and_cleans_demo(stem: str) -> None:
    path = ANALYSES / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"{path.name} is missing")
    nb = _load(path)
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    assert INTERNAL_NOTE in _source(first), "the first cell must carry the internal-use note"
    code = "\n".join(src for _, src in _code_cells(nb))
    assert CLEAN_CALL in code, "the notebook must clean the project's data in memory"
    assert "load_clean(" not in code, "read the demo data in memory, not from build/"
    markdown = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert len(markdown) >= 4, "explain each result in a Danish markdown cell"
