"""Render benchmark: cold build, warm rebuild, one page changed, and nbconvert per document.

The project is copied to a temporary folder (``_quarto.yml``, ``reports/``, ``surveys/`` and
clean data made by :func:`fslt_survey.build.clean_all`), so the real ``_site`` and render cache
are never touched. Pages listed in ``project.render`` that do not exist (yet) are left out.
``tiny`` is a two-page project for the smoke test.

The comparison per document is ``jupyter nbconvert --execute --to html`` of an equivalent
notebook: the page's code cells in order, its markdown as markdown cells, inline ``{python}``
expressions evaluated in a code cell after their paragraph. When nbconvert is not installed
(it is no dependency of the toolkit; ``pip install nbconvert`` for the benchmark), nbclient
executes the notebook instead (no HTML export), and the results say so.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHANGE = "\n\nDenne sætning er tilføjet af benchmarken.\n"

TINY_QUARTO = """\
project:
  type: website
  output-dir: _site
  render:
    - index.qmd
    - tal.qmd
website:
  title: "Benchmark"
  navbar:
    left:
      - href: index.qmd
      - href: tal.qmd
lang: da
execute:
  echo: false
"""
TINY_INDEX = """\
---
title: "Forside"
---

En lille side uden kode.
"""
TINY_NUMBERS = """\
---
title: "Tal"
---

```{python}
total = sum(range(10))
print(total)
```

Summen er `{python} total`.
"""


@dataclass
class DocTiming:
    source: str
    cold_seconds: float
    executed: bool
    compare_seconds: float | None = None
    floor_seconds: float | None = None


@dataclass
class RenderBench:
    project: str
    documents: list[DocTiming] = field(default_factory=list)
    cold_seconds: float = 0.0
    warm_seconds: float = 0.0
    warm_executed: list[str] = field(default_factory=list)
    changed_page: str = ""
    changed_seconds: float = 0.0
    changed_executed: list[str] = field(default_factory=list)
    compare_tool: str = ""
    skipped_pages: list[str] = field(default_factory=list)
    floor_seconds: float = 0.0
    #: the findings computed once before rendering, as ``fslt-survey build`` does
    findings_seconds: float = 0.0
    feedback_sheets: int = 0
    feedback_seconds: float = 0.0
    kernels_cold: int = 0
    kernels_warm: int = 0
    error: str | None = None

    @property
    def floor_ratio(self) -> float | None:
        return self.cold_seconds / self.floor_seconds if self.floor_seconds else None


def prepare_demo(dest: Path, bench: RenderBench | None = None) -> tuple[list[str], list[str]]:
    """Copy the project to ``dest``, clean the demo data into it and compute its findings once,
    as ``fslt-survey build`` does before it renders (the seconds of that step go to
    ``bench.findings_seconds``); returns the documents to render and the listed pages that do
    not exist."""
    from fslt_survey.build import clean_all, precompute_findings

    shutil.copy2(ROOT / "_quarto.yml", dest / "_quarto.yml")
    if (ROOT / "_variables.yml").exists():
        shutil.copy2(ROOT / "_variables.yml", dest / "_variables.yml")
    ignore = shutil.ignore_patterns("_site", ".fslt-cache", "__pycache__", ".*")
    for name in ("reports", "surveys"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    clean_all(dest / "build" / "clean", demo=True)
    t0 = time.perf_counter()
    precompute_findings()  # (FSLT_PROJECT_ROOT is the copy: its clean data and cache)
    if bench is not None:
        bench.findings_seconds = time.perf_counter() - t0
    config = yaml.safe_load((dest / "_quarto.yml").read_text("utf-8")) or {}
    listed = [str(p) for p in (config.get("project") or {}).get("render") or []]
    present = [p for p in listed if (dest / p.lstrip("/")).is_file()]
    missing = [p for p in listed if p not in present]
    if not present:  # no site pages yet: the top-level pages in reports/
        present = sorted(
            p.relative_to(dest).as_posix()
            for p in (dest / "reports").glob("*.qmd")
            if not p.name.startswith("_")
        )
    config.setdefault("project", {})["render"] = present
    (dest / "_quarto.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8"
    )
    return present, missing


def prepare_tiny(dest: Path) -> tuple[list[str], list[str]]:
    (dest / "_quarto.yml").write_text(TINY_QUARTO, "utf-8")
    (dest / "index.qmd").write_text(TINY_INDEX, "utf-8")
    (dest / "tal.qmd").write_text(TINY_NUMBERS, "utf-8")
    return ["index.qmd", "tal.qmd"], []


def notebook_for(path: Path) -> Any:
    """The notebook equivalent to a ``.qmd`` page (see the module docstring)."""
    import nbformat

    from fslt_survey.render.qmd import INLINE_TOKEN, CodeCell, parse_qmd

    doc = parse_qmd(path, path.read_text("utf-8"))
    cells = []
    for chunk in doc.chunks:
        if isinstance(chunk, CodeCell):
            if chunk.language == "python" and chunk.options.get("eval", True) is not False:
                cells.append(nbformat.v4.new_code_cell(chunk.code))
            else:
                cells.append(nbformat.v4.new_markdown_cell(f"```\n{chunk.code}\n```"))
            continue
        text = chunk.text
        for i, (expr, _line) in enumerate(chunk.inline):
            text = text.replace(INLINE_TOKEN.format(i), f"`{expr}`")
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(text))
        if chunk.inline:
            exprs = ", ".join(f"({expr})" for expr, _ in chunk.inline)
            cells.append(nbformat.v4.new_code_cell(f"print({exprs})"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def run_floor(root: Path, docs: list[str]) -> dict[str, Any]:
    """The compute floor (:mod:`benchmarks.floor`), in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.floor", str(root), *docs],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the compute floor failed: {proc.stderr[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_feedback(root: Path) -> tuple[int, float]:
    """Sheets rendered and seconds: every association's feedback sheet, in this process (the
    sheets' data are prepared first, once, and not counted)."""
    from fslt_survey.followup.feedback import load_context, render_feedback

    context = load_context()
    t0 = time.perf_counter()
    paths = render_feedback(
        out=root / "build" / "feedback", engine="builtin", root=root, context=context, jobs=1
    )
    return len(paths), time.perf_counter() - t0


def _runs_code(path: Path) -> bool:
    from fslt_survey.render.qmd import parse_qmd

    return parse_qmd(path, path.read_text("utf-8")).needs_kernel


def compare_tool() -> str:
    if importlib.util.find_spec("nbconvert") is not None:
        return "jupyter nbconvert --execute --to html"
    return "nbclient (execute only; nbconvert not installed)"


def run_notebook(root: Path, source: str) -> float:
    """Seconds to execute (and, with nbconvert, export to HTML) the equivalent notebook."""
    import nbformat

    page = root / source
    nb_path = page.with_name(f"_bench_{page.stem}.ipynb")
    nbformat.write(notebook_for(page), nb_path)
    env = {**os.environ, "FSLT_PROJECT_ROOT": str(root), "MPLBACKEND": "Agg"}
    out_dir = Path(tempfile.mkdtemp(prefix="nbconvert-"))
    try:
        t0 = time.perf_counter()
        if importlib.util.find_spec("nbconvert") is not None:
            cmd = [
                sys.executable,
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                "html",
                "--execute",
                "--ExecutePreprocessor.timeout=1200",
                "--output-dir",
                str(out_dir),
                str(nb_path),
            ]
            proc = subprocess.run(cmd, cwd=page.parent, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"nbconvert failed for {source}: {proc.stderr[-800:]}")
        else:
            from nbclient import NotebookClient

            old = dict(os.environ)
            os.environ.update(env)
            try:
                nb = nbformat.read(nb_path, as_version=4)
                NotebookClient(
                    nb,
                    timeout=1200,
                    kernel_name="python3",
                    resources={"metadata": {"path": str(page.parent)}},
                ).execute()
            finally:
                os.environ.clear()
                os.environ.update(old)
        return time.perf_counter() - t0
    finally:
        nb_path.unlink(missing_ok=True)
        shutil.rmtree(out_dir, ignore_errors=True)


def run(project: str = "demo", *, nbconvert: bool = True, log=print) -> RenderBench:
    """Run the render benchmark on a temporary copy of ``project`` (``demo`` or ``tiny``)."""
    bench = RenderBench(project=project)
    saved = os.environ.get("FSLT_PROJECT_ROOT")
    try:
        with tempfile.TemporaryDirectory(prefix="fslt-render-bench-") as tmp:
            os.environ["FSLT_PROJECT_ROOT"] = tmp  # the kernels read the copy's clean data
            _run(bench, Path(tmp), project, nbconvert, log)
    finally:
        if saved is None:
            os.environ.pop("FSLT_PROJECT_ROOT", None)
        else:
            os.environ["FSLT_PROJECT_ROOT"] = saved
    return bench


def _run(bench: RenderBench, root: Path, project: str, nbconvert: bool, log: Any) -> None:
    from fslt_survey.render import RenderError, render_project

    docs, bench.skipped_pages = (
        prepare_tiny(root) if project == "tiny" else prepare_demo(root, bench)
    )
    if not docs:
        bench.error = "no pages to render"
        return
    try:
        log(f"render: cold build of {len(docs)} page(s)")
        t0 = time.perf_counter()
        cold = render_project(root, engine="builtin", progress=False, force=True)
        bench.cold_seconds = time.perf_counter() - t0
        bench.documents = [
            DocTiming(d.source.as_posix(), d.seconds, d.executed) for d in cold.documents
        ]
        bench.kernels_cold = cold.kernels_started
        log("render: the compute floor (the same cells in one interpreter)")
        floor = run_floor(root, [d.source for d in bench.documents])
        bench.floor_seconds = float(floor["seconds"])
        for d in bench.documents:
            d.floor_seconds = floor["documents"].get(d.source)
        log("render: warm rebuild")
        t0 = time.perf_counter()
        warm = render_project(root, engine="builtin", progress=False)
        bench.warm_seconds = time.perf_counter() - t0
        bench.warm_executed = [p.as_posix() for p in warm.executed]
        bench.kernels_warm = warm.kernels_started
        # the page to change: the cheapest one that runs code (the rebuild is then fastest
        # while still exercising the cache's per-page decision)
        with_code = [d for d in bench.documents if _runs_code(root / d.source)]
        with_code = with_code or bench.documents
        bench.changed_page = min(with_code, key=lambda d: d.cold_seconds).source
        page = root / bench.changed_page
        page.write_text(page.read_text("utf-8") + CHANGE, "utf-8")
        log(f"render: rebuild after changing {bench.changed_page}")
        t0 = time.perf_counter()
        changed = render_project(root, engine="builtin", progress=False)
        bench.changed_seconds = time.perf_counter() - t0
        bench.changed_executed = [p.as_posix() for p in changed.executed]
        if project == "demo":
            log("render: a feedback sheet for every association")
            bench.feedback_sheets, bench.feedback_seconds = run_feedback(root)
    except (RenderError, RuntimeError) as exc:
        bench.error = f"render failed: {exc}"
        return
    if nbconvert:
        bench.compare_tool = compare_tool()
        for d in bench.documents:
            log(f"render: {bench.compare_tool.split(' (')[0]} {d.source}")
            try:
                d.compare_seconds = run_notebook(root, d.source)
            except (RuntimeError, OSError) as exc:
                log(f"  {exc}")
