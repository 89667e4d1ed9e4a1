"""The engine is separable: it names nothing of the toolkit, and the host's hooks work.

* no module of ``fslt_survey/render/`` imports the toolkit (only ``fslt_survey.render.*``), and
  neither its code nor its templates hard-code the toolkit's key, variables or stylesheet;
* kernels see Quarto's own variables, as Quarto sets them while executing a document
  (quarto-cli ``src/execute/environment.ts``: ``QUARTO_PROJECT_ROOT``, ``QUARTO_DOCUMENT_PATH``
  = the document's folder, ``QUARTO_DOCUMENT_FILE`` = its file name), plus the host's;
* the host's config key (``<key>: depends:``) and extra cache inputs go into each page's
  fingerprint: changing one re-executes exactly the pages it covers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import fslt_survey.render as render_pkg
from fslt_survey.render import Host, RenderResult, configure, render_project
from fslt_survey.render.errors import RenderError

ENGINE = Path(render_pkg.__file__).resolve().parent
VARS = (
    "QUARTO_PROJECT_ROOT",
    "QUARTO_PROJECT_DIR",
    "QUARTO_DOCUMENT_PATH",
    "QUARTO_DOCUMENT_FILE",
    "HOST_VAR",
)
CELL = (
    "```{python}\nimport os\n"
    f"for k in {VARS!r}:\n"
    "    print(f'{k}={os.environ.get(k)}')\n```\n"
)


def test_engine_imports_nothing_of_the_toolkit() -> None:
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                if name.split(".")[0] == "fslt_survey":
                    assert name == "fslt_survey.render" or name.startswith("fslt_survey.render."), (
                        f"{path.name} imports {name}"
                    )


def test_engine_hard_codes_no_toolkit_name() -> None:
    files = [p for p in ENGINE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        text = path.read_text(encoding="utf-8")
        for word in ("fslt-survey", "FSLT_", "fslt.css"):
            assert word not in text, f"{path.relative_to(ENGINE)} names {word}"


def test_engine_error_is_its_own_and_says_where() -> None:
    assert RenderError.__module__ == "fslt_survey.render.errors"
    assert RenderError.__mro__[1] is Exception
    err = RenderError("bad option", file="a.qmd", row=3, expected="true or false", found="ja")
    assert str(err) == "a.qmd, row 3: bad option (expected true or false; found 'ja')"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[list[str]]:
    """A host with its own key, a cache input file plus a value, and a kernel variable."""
    value = ["v1"]
    (tmp_path / "host-input.txt").write_text("1", encoding="utf-8")
    previous = configure(
        Host(
            config_key="my-tool",
            cache_inputs=lambda root: [tmp_path / "host-input.txt", value[0]],
            kernel_env=lambda root: {"HOST_VAR": f"root:{Path(root).name}"},
        )
    )
    try:
        yield value
    finally:
        configure(previous)


def write(root: Path) -> Path:
    files = {
        "_quarto.yml": "project:\n  type: website\n  output-dir: _site\n"
        "my-tool:\n  depends: [data/a.csv]\n",
        "index.qmd": "---\ntitle: Start\n---\n\n" + CELL,
        "pages/side.qmd": "---\ntitle: Side\nmy-tool:\n  depends: [../data/b.csv]\n---\n\n" + CELL,
        "data/a.csv": "x\n1\n",
        "data/b.csv": "y\n1\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def executed(result: RenderResult) -> set[str]:
    return {d.source.as_posix() for d in result.documents if d.executed}


def test_kernel_variables_and_host_fingerprint(tmp_path: Path, host: list[str]) -> None:
    root = write(tmp_path / "project").resolve()
    first = render_project(root, engine="builtin", progress=False)
    assert executed(first) == {"index.qmd", "pages/side.qmd"}
    text = page_text(root / "_site" / "pages" / "side.html")
    assert f"QUARTO_PROJECT_ROOT={root}" in text
    assert f"QUARTO_PROJECT_DIR={root}" in text
    assert f"QUARTO_DOCUMENT_PATH={root / 'pages'}" in text
    assert "QUARTO_DOCUMENT_FILE=side.qmd" in text
    assert "HOST_VAR=root:project" in text
    assert "my-tool" not in (root / "_site" / "pages" / "side.html").read_text(encoding="utf-8")

    assert executed(render_project(root, engine="builtin", progress=False)) == set()
    (root / "data" / "b.csv").write_text("y\n2\n", encoding="utf-8")  # the page's own key
    assert executed(render_project(root, engine="builtin", progress=False)) == {"pages/side.qmd"}
    (root / "data" / "a.csv").write_text("x\n2\n", encoding="utf-8")  # the project's key
    both = {"index.qmd", "pages/side.qmd"}
    assert executed(render_project(root, engine="builtin", progress=False)) == both
    (tmp_path / "host-input.txt").write_text("2", encoding="utf-8")  # a host input file
    assert executed(render_project(root, engine="builtin", progress=False)) == both
    host[0] = "v2"  # a host input value
    assert executed(render_project(root, engine="builtin", progress=False)) == both
    assert executed(render_project(root, engine="builtin", progress=False)) == set()


def test_without_a_host_the_key_is_plain_metadata(tmp_path: Path) -> None:
    previous = configure(Host())
    try:
        root = write(tmp_path / "project").resolve()
        render_project(root, engine="builtin", progress=False)
        (root / "data" / "b.csv").write_text("y\n2\n", encoding="utf-8")
        assert executed(render_project(root, engine="builtin", progress=False)) == set()
        text = page_text(root / "_site" / "pages" / "side.html")
        assert "HOST_VAR=None" in text
    finally:
        configure(previous)
