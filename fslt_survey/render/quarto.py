"""Render with the real Quarto CLI when it is installed.

The sources are the same Quarto project the built-in engine reads; this module builds the
``quarto render`` command line, runs it in the project root and collects what it wrote.

Quarto runs with the project's interpreter (``QUARTO_PYTHON`` = this interpreter unless the
user set it) and the host's kernel variables. Quarto's ``freeze: auto`` re-executes a page only
when its *source* changes; so the caller passes each page's input fingerprint (the built-in
cache's key: source, options, params, declared data files, host inputs) and pages whose
fingerprint changed since the last Quarto render lose their ``_freeze`` entry and execute
again. ``force`` drops the entries of every rendered page and adds ``--cache-refresh``.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError
from fslt_survey.render.host import current as current_host
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
    force: bool = False,
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
    if force:
        cmd.append("--cache-refresh")
    return cmd + list(extra or [])


#: Where the fingerprints of the last Quarto render are kept (in the project's cache folder).
FINGERPRINTS = "quarto-fingerprints.json"


def quarto_env(root: Path) -> dict[str, str]:
    """The environment for ``quarto``: this interpreter as ``QUARTO_PYTHON``, the host's variables.

    Quarto itself sets ``QUARTO_PROJECT_ROOT`` and ``QUARTO_DOCUMENT_PATH`` for the kernels.
    """
    env = dict(os.environ)
    env.setdefault("QUARTO_PYTHON", sys.executable)
    host = current_host()
    if host.kernel_env is not None:
        env.update({str(k): str(v) for k, v in host.kernel_env(root).items()})
    return env


def _load_fingerprints(cache_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((cache_dir / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def unfreeze_changed(
    root: Path, cache_dir: Path, fingerprints: dict[str, str], *, force: bool
) -> list[str]:
    """Remove the ``_freeze`` entries of pages whose fingerprint changed (all with ``force``).

    Returns the pages that will execute again. Quarto keeps a page's frozen results in
    ``_freeze/<folder>/<stem>/``; without them a project render executes the page.
    """
    old = _load_fingerprints(cache_dir)
    stale = [rel for rel, fp in fingerprints.items() if force or old.get(rel) != fp]
    for rel in stale:
        shutil.rmtree(root / "_freeze" / Path(rel).with_suffix(""), ignore_errors=True)
    return stale


def save_fingerprints(root: Path, cache_dir: Path, fingerprints: dict[str, str]) -> None:
    """Record the fingerprints of a successful Quarto render (merged with earlier ones)."""
    merged = {**_load_fingerprints(cache_dir), **fingerprints}
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".fingerprints-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(merged, f, sort_keys=True, indent=0)
    os.replace(tmp, cache_dir / FINGERPRINTS)


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
        env=quarto_env(root),
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
    fingerprints: dict[str, str] | None = None,
    force: bool = False,
) -> RenderResult:
    """``quarto render`` for the whole project (``docs=None``) or some documents.

    ``fingerprints`` (page -> input fingerprint) decide which frozen pages execute again
    (:func:`unfreeze_changed`); ``force`` executes every page again.
    """
    t0 = time.perf_counter()
    prints = dict(fingerprints or {})
    stale = set(unfreeze_changed(project.root, project.cache_dir, prints, force=force))
    cmd = quarto_command(docs, params, output_dir, force=force)
    run_quarto(cmd, project.root, progress=progress)
    save_fingerprints(project.root, project.cache_dir, prints)
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
                # Quarto's own freeze decisions are not observable; ours are
                executed=rel in stale if prints else True,
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
    force: bool = False,
    metadata: dict[str, Any] | None = None,
) -> RenderResult:
    """Render one document with Quarto into a flat folder (``<name>.html`` / ``.pdf``);
    ``metadata`` is passed as ``-M key:value`` (it wins over the front matter).

    HTML is rendered with ``embed-resources`` so that the single file works on its own. Quarto
    always executes a document rendered on its own (freeze applies to project renders only);
    ``force`` also refreshes Quarto's execution cache.
    """
    t0 = time.perf_counter()
    info = page_info(project, rel)
    stem = name or Path(info.output).stem
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats or [None]:
        with tempfile.TemporaryDirectory(prefix="fslt-quarto-") as tmp:
            extra = ["-M", "embed-resources:true"] if fmt in (None, "html") else []
            for key, value in (metadata or {}).items():
                extra += ["-M", f"{key}:{value}"]
            run_quarto(
                quarto_command([rel], params, Path(tmp), to=fmt, extra=extra, force=force),
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
