"""Render with the real Quarto CLI when it is installed.

The sources are the same Quarto project the built-in engine reads; this module only builds the
``quarto render`` command line, runs it in the project root and collects what it wrote.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError
from fslt_survey.render.project import Project
from fslt_survey.render.results import DocumentResult, RenderResult
from fslt_survey.render.site import page_info


def quarto_path() -> str | None:
    """The ``quarto`` executable on PATH, or ``None``."""
    return shutil.which("quarto")


def quarto_command(
    docs: list[str] | None,
    params: dict[str, Any] | None,
    output_dir: Path | None,
    *,
    to: str | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The ``quarto render`` argument list (without the executable).

    Examples
    --------
    >>> quarto_command(["reports/tema.qmd"], {"tema": "Frivillighed"}, None)
    ['render', 'reports/tema.qmd', '-P', 'tema:Frivillighed']
    """
    cmd = ["render", *(docs or [])]
    for key, value in (params or {}).items():
        cmd += ["-P", f"{key}:{value}"]
    if to:
        cmd += ["--to", to]
    if output_dir is not None:
        cmd += ["--output-dir", str(output_dir)]
    return cmd + list(extra or [])


def run_quarto(args: list[str], root: Path, *, progress: bool) -> None:
    """Run Quarto in ``root``; on failure raise :class:`RenderError` with its output's tail."""
    exe = quarto_path()
    if exe is None:
        raise RenderError(
            "Quarto is not installed; use --engine builtin (or auto)",
            expected="the 'quarto' command on PATH",
        )
    tail: collections.deque[str] = collections.deque(maxlen=25)
    with subprocess.Popen(
        [exe, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line.rstrip("\n"))
            if progress:
                sys.stderr.write(line)
        code = proc.wait()
    if code != 0:
        raise RenderError(
            f"quarto {' '.join(args[:2])} failed (exit code {code})",
            file=root / "_quarto.yml",
            found="\n".join(tail) or None,
        )


def _outputs(out: Path, html_rel: str) -> list[Path]:
    found = []
    html = out / html_rel
    if html.exists():
        found.append(html)
    pdf = html.with_suffix(".pdf")
    if pdf.exists():
        found.append(pdf)
    return found


def render_project_quarto(
    project: Project,
    *,
    docs: list[str] | None,
    params: dict[str, Any] | None,
    output_dir: Path | None,
    progress: bool,
) -> RenderResult:
    """``quarto render`` for the whole project (``docs=None``) or some documents."""
    t0 = time.perf_counter()
    run_quarto(quarto_command(docs, params, output_dir), project.root, progress=progress)
    out = (output_dir or project.output_dir).resolve()
    seconds = time.perf_counter() - t0
    rendered = docs if docs is not None else project.documents()
    result = RenderResult(engine="quarto", output_dir=out, seconds=seconds)
    for rel in rendered:
        info = page_info(project, rel)
        result.documents.append(
            DocumentResult(
                source=Path(rel),
                outputs=_outputs(out, info.output),
                executed=True,  # Quarto's freeze is not observable from outside
                seconds=seconds / max(len(rendered), 1),
            )
        )
    return result


def render_document_quarto(
    project: Project,
    rel: str,
    *,
    params: dict[str, Any] | None,
    output_dir: Path,
    formats: list[str] | None,
    name: str | None,
    progress: bool,
) -> RenderResult:
    """Render one document with Quarto into a flat folder (``<name>.html`` / ``.pdf``).

    HTML is rendered with ``embed-resources`` so that the single file works on its own.
    """
    t0 = time.perf_counter()
    info = page_info(project, rel)
    stem = name or Path(info.output).stem
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats or [None]:
        with tempfile.TemporaryDirectory(prefix="fslt-quarto-") as tmp:
            extra = ["-M", "embed-resources:true"] if fmt in (None, "html") else []
            run_quarto(
                quarto_command([rel], params, Path(tmp), to=fmt, extra=extra),
                project.root,
                progress=progress,
            )
            produced = sorted(Path(tmp).rglob(Path(info.output).stem + ".*"))
            for src in produced:
                if src.suffix in (".html", ".pdf") and src.is_file():
                    dest = output_dir / f"{stem}{src.suffix}"
                    shutil.copy2(src, dest)
                    if dest not in written:
                        written.append(dest)
    seconds = time.perf_counter() - t0
    doc = DocumentResult(source=Path(rel), outputs=written, executed=True, seconds=seconds)
    return RenderResult(
        engine="quarto", output_dir=output_dir.resolve(), documents=[doc], seconds=seconds
    )
