"""The Quarto path's command line: interpreter, root, re-execution by fingerprint, ``--force``.

Quarto cannot be installed here, so a stand-in ``quarto`` on PATH records its arguments, working
folder and environment. What Quarto does with them is documented: ``QUARTO_PYTHON`` selects the
Python of the jupyter engine (quarto.org/docs/advanced/environment-vars.html); a page is frozen
in ``_freeze/<folder>/<stem>/`` and executes again when that entry is gone
(quarto.org/docs/projects/code-execution.html#freeze); ``--cache-refresh`` refreshes the
execution cache.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fslt_survey.render import Host, configure, render_document, render_project
from fslt_survey.render.quarto import quarto_command

FAKE = """#!{python}
import json, os, sys
with open({log!r}, "a", encoding="utf-8") as f:
    f.write(json.dumps({{
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "QUARTO_PYTHON": os.environ.get("QUARTO_PYTHON"),
        "HOST_VAR": os.environ.get("HOST_VAR"),
    }}) + "\\n")
"""


def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """``script`` (a template taking ``python`` and ``log``) as ``quarto`` first on PATH;
    returns its log file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "quarto-calls.jsonl"
    exe = bin_dir / "quarto"
    exe.write_text(script.format(python=sys.executable, log=str(log)), encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.fixture
def quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in ``quarto`` on PATH; yields its log (one JSON line per call)."""
    log = stand_in(tmp_path, monkeypatch, FAKE)
    monkeypatch.delenv("QUARTO_PYTHON", raising=False)
    previous = configure(
        Host(config_key="my-tool", kernel_env=lambda root: {"HOST_VAR": Path(root).name})
    )
    try:
        yield log
    finally:
        configure(previous)


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def write(root: Path) -> Path:
    files = {
        "_quarto.yml": "project:\n  type: website\n  output-dir: _site\nexecute:\n  freeze: auto\n",
        "index.qmd": "---\ntitle: Start\n---\n\nHej.\n",
        "pages/side.qmd": "---\ntitle: Side\nmy-tool:\n  depends: [../data/b.csv]\n---\n\nHej.\n",
        "data/b.csv": "y\n1\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def freeze_all(root: Path) -> None:
    """What Quarto leaves after executing the pages under ``freeze: auto``."""
    for stem in ("index", "pages/side"):
        entry = root / "_freeze" / stem / "execute-results"
        entry.mkdir(parents=True, exist_ok=True)
        (entry / "html.json").write_text("{}", encoding="utf-8")


def executed(result) -> set[str]:
    return {d.source.as_posix() for d in result.documents if d.executed}


def test_interpreter_root_reexecution_and_force(tmp_path: Path, quarto: Path) -> None:
    root = write(tmp_path / "project").resolve()
    first = render_project(root, engine="quarto", progress=False)
    call = calls(quarto)[-1]
    assert call["argv"] == ["render"]
    assert call["cwd"] == str(root)
    assert call["QUARTO_PYTHON"] == sys.executable
    assert call["HOST_VAR"] == "project"
    assert executed(first) == {"index.qmd", "pages/side.qmd"}

    freeze_all(root)
    assert executed(render_project(root, engine="quarto", progress=False)) == set()
    assert (root / "_freeze" / "index").is_dir() and (root / "_freeze" / "pages" / "side").is_dir()

    (root / "data" / "b.csv").write_text("y\n2\n", encoding="utf-8")  # data changed, source not
    again = render_project(root, engine="quarto", progress=False)
    assert executed(again) == {"pages/side.qmd"}
    assert not (root / "_freeze" / "pages" / "side").exists()
    assert (root / "_freeze" / "index").is_dir()

    freeze_all(root)
    forced = render_project(root, engine="quarto", progress=False, force=True)
    assert calls(quarto)[-1]["argv"] == ["render", "--cache-refresh"]
    assert executed(forced) == {"index.qmd", "pages/side.qmd"}
    assert not (root / "_freeze" / "index").exists()


def test_users_interpreter_is_kept_and_documents_honour_force(
    tmp_path: Path, quarto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUARTO_PYTHON", "/opt/other/python3")
    root = write(tmp_path / "project").resolve()
    out = tmp_path / "out"
    render_document(root, "pages/side.qmd", output_dir=out, engine="quarto", force=True)
    call = calls(quarto)[-1]
    assert call["QUARTO_PYTHON"] == "/opt/other/python3"
    assert call["argv"][:2] == ["render", "pages/side.qmd"]
    assert "--cache-refresh" in call["argv"]


def test_command_line_force_flag() -> None:
    assert quarto_command(None, None, None, force=True) == ["render", "--cache-refresh"]
    assert quarto_command(None, None, None) == ["render"]


WRITER = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as f:
    f.write(json.dumps({{"argv": args, "cwd": os.getcwd()}}) + "\\n")
out = args[args.index("--output-dir") + 1]
ext = {{"html": "html", "typst": "pdf", "pdf": "pdf"}}[args[args.index("--to") + 1]]
params = [args[i + 1] for i, a in enumerate(args) if a == "-P"]
stem = os.path.splitext(os.path.basename(args[1]))[0]
with open(os.path.join(out, stem + "." + ext), "w", encoding="utf-8") as f:
    f.write(json.dumps(params))
"""


def test_a_batch_renders_each_entry_with_its_parameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``render_batch`` on the Quarto path (feedback sheets): one ``quarto render`` per entry and
    format, with the entry's parameters, the single-file HTML option for HTML only, and each
    output copied to the entry's name."""
    from fslt_survey.render import render_batch

    log = stand_in(tmp_path, monkeypatch, WRITER)
    root = write(tmp_path / "project").resolve()
    out = tmp_path / "ark"
    batch = [({"forening": "F001"}, "F001-ark"), ({"forening": "F002"}, "F002-ark")]
    result = render_batch(root, "pages/side.qmd", batch, output_dir=out,
                          formats=["html", "typst"], engine="quarto", force=True)
    assert result.engine == "quarto"
    assert sorted(p.name for p in out.iterdir()) == [
        "F001-ark.html", "F001-ark.pdf", "F002-ark.html", "F002-ark.pdf"]
    assert json.loads((out / "F002-ark.pdf").read_text(encoding="utf-8")) == ["forening:F002"]
    argvs = [c["argv"] for c in calls(log)]
    assert len(argvs) == 4 and {c["cwd"] for c in calls(log)} == {str(root)}
    first = argvs[0]
    assert first[:4] == ["render", "pages/side.qmd", "-P", "forening:F001"]
    assert first[first.index("--to") + 1] == "html" and "embed-resources:true" in first
    assert "--cache-refresh" in first
    pdf = argvs[1]
    assert pdf[pdf.index("--to") + 1] == "typst" and "embed-resources:true" not in pdf
    assert [r.outputs for r in result.documents] == [
        [out.resolve() / "F001-ark.html", out.resolve() / "F001-ark.pdf"],
        [out.resolve() / "F002-ark.html", out.resolve() / "F002-ark.pdf"]]
