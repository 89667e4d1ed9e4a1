"""Smoke test of the benchmarks: the smallest size and a tiny render project complete and
write a well-formed results table. No timing is asserted (CI machines vary too much)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _table(md: str, header_start: str) -> list[list[str]]:
    """The rows (cells) of the Markdown table whose header starts with ``header_start``."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert set(lines[start + 1].replace("|", "").replace(" ", "")) <= set("-:")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(header), line
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _number(cell: str) -> float:
    return float(cell.replace(",", "").strip("*"))


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out, figures = tmp / "results.md", tmp / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "FSLT_PROJECT_ROOT"}
    cmd = [
        sys.executable, "-m", "benchmarks.run", "--sizes", "1k", "--formats", "surveyxact",
        "--repeat", "1", "--render", "--render-project", "tiny", "--no-nbconvert",
        "--out", str(out), "--json", str(figures), "--data-dir", str(tmp / "data"),
        "--baseline", str(ROOT / "benchmarks" / "baseline.json"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text("utf-8"), json.loads(figures.read_text("utf-8")), proc.stdout


def test_results_table_is_well_formed(smoke_run):
    md, _, _ = smoke_run
    for heading in ("# Benchmark results", "## Machine", "## Cleaning throughput", "## Rendering"):
        assert f"\n{heading}\n" in f"\n{md}"
    assert "| pandas |" in md and "| Python |" in md and "logical CPUs" in md
    rows = _table(md, "| format | rows |")
    assert [(r["format"], r["rows"]) for r in rows] == [("surveyxact", "1,000")]
    row = rows[0]
    for column in ("pandas s", "fslt s", "ratio", "frame MB", "fslt peak MB", "memory ratio"):
        assert _number(row[column]) >= 0, column
    assert _number(row["rows kept"]) > 0


def test_render_table_and_figures(smoke_run):
    md, figures, stdout = smoke_run
    builds = _table(md, "| build | seconds |")
    assert [b["build"].split(" (")[0].split(",")[0] for b in builds] == [
        "cold",
        "compute floor",
        "cold / floor",
        "warm",
        "one page changed",
    ]
    render = figures["render"]
    assert render["error"] is None
    assert render["floor_seconds"] > 0 and render["kernels_cold"] == 1  # tal.qmd runs code
    assert render["kernels_warm"] == 0
    assert render["warm_executed"] == []  # nothing changed: nothing executed
    assert render["changed_executed"] == [render["changed_page"]]
    assert figures["clean"][0]["rows"] == 1000
    assert "results written to" in stdout


def test_equivalent_notebook_has_the_pages_cells(tmp_path):
    from benchmarks import render_bench

    render_bench.prepare_tiny(tmp_path)
    nb = render_bench.notebook_for(tmp_path / "tal.qmd")
    kinds = [c.cell_type for c in nb.cells]
    assert kinds.count("code") == 2  # the cell and the inline expression
    assert "sum(range(10))" in nb.cells[0].source
