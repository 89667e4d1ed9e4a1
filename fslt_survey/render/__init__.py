"""Render the Quarto project's reports: with Quarto when installed, else the built-in engine.

The sources stay Quarto-native (``_quarto.yml``, ``reports/*.qmd``). The built-in engine
renders the same sources with pip-installable parts only: nbclient + ipykernel execute the
cells, pandoc (``pypandoc-binary``) writes HTML and Typst, and the ``typst`` package makes the
PDF.

Examples
--------
>>> from fslt_survey.render import render_project        # doctest: +SKIP
>>> result = render_project(Path("."), progress=False)    # doctest: +SKIP
>>> [d.source for d in result.documents if d.executed]    # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from fslt_survey.render.errors import RenderError
from fslt_survey.render.host import Host, configure
from fslt_survey.render.project import SOURCE_SUFFIXES, Project, load_project
from fslt_survey.render.quarto import quarto_path, render_document_quarto, render_project_quarto
from fslt_survey.render.results import CellExecutionError, DocumentResult, RenderResult

__all__ = [
    "ENGINES",
    "CellExecutionError",
    "DocumentResult",
    "Host",
    "RenderError",
    "RenderResult",
    "choose_engine",
    "configure",
    "load_project",
    "render_batch",
    "render_document",
    "render_project",
]

#: Accepted values of ``engine``.
ENGINES = ("auto", "quarto", "builtin")


def choose_engine(engine: str = "auto") -> str:
    """Resolve ``"auto"`` to ``"quarto"`` (when the CLI is on PATH) or ``"builtin"``."""
    if engine not in ENGINES:
        raise RenderError("unknown render engine", expected=" or ".join(ENGINES), found=str(engine))
    if engine == "auto":
        return "quarto" if quarto_path() else "builtin"
    if engine == "quarto" and quarto_path() is None:
        raise RenderError(
            "Quarto is not installed on this machine; use --engine builtin (or auto)",
            expected="the 'quarto' command on PATH",
        )
    return engine


def _document_rel(project: Project, doc: str | Path) -> str:
    path = Path(doc)
    full = path if path.is_absolute() else project.root / path
    full = full.resolve()
    if project.root not in full.parents:
        raise RenderError("document is outside the project", file=str(doc), found=str(full))
    if not full.is_file():
        raise RenderError("document does not exist", file=str(doc))
    if full.suffix not in SOURCE_SUFFIXES:
        raise RenderError(
            "not a Quarto document", file=str(doc), expected=".qmd or .md", found=full.suffix
        )
    return PurePosixPath(full.relative_to(project.root).as_posix()).as_posix()


def render_project(
    root: Path,
    *,
    engine: str = "auto",
    params: dict[str, str] | None = None,
    only: list[str] | None = None,
    output_dir: Path | None = None,
    progress: bool = True,
    force: bool = False,
) -> RenderResult:
    """Render the project's documents into its output folder (``_site`` by default).

    Parameters
    ----------
    root:
        The project folder (holding ``_quarto.yml``).
    engine:
        ``"auto"`` (Quarto if installed, else built-in), ``"quarto"`` or ``"builtin"``.
    params:
        Quarto ``-P key:value`` parameters; values are read as YAML scalars.
    only:
        Render just these documents (paths relative to ``root``); other pages already in the
        output folder are kept. ``None`` renders the whole project (``project.render``) and
        rebuilds the output folder (unchanged pages come from the cache).
    output_dir:
        Write here instead of the project's ``output-dir``.
    progress:
        Show a progress bar on stderr.
    force:
        Execute every document again, ignoring the cache (with Quarto: drop the pages'
        ``_freeze`` entries and pass ``--cache-refresh``).

    Returns
    -------
    RenderResult
        Engine used, output folder and one :class:`DocumentResult` per document.

    Raises
    ------
    RenderError
        On any failure (a :class:`CellExecutionError` when a cell raises). The output folder is
        then left exactly as it was.
    """
    project = load_project(Path(root))
    used = choose_engine(engine)
    docs = [_document_rel(project, d) for d in only] if only is not None else None
    out = Path(output_dir).resolve() if output_dir is not None else None
    from fslt_survey.render.engine import Builder, Target  # the engine's imports are heavy

    target = Target(output_dir=out or project.output_dir, site=True, full=docs is None)
    builder = Builder(project, target, params=params, force=force, progress=progress)
    rendered = docs if docs is not None else project.documents()
    if used == "quarto":
        prints = {rel: builder.fingerprint(rel) for rel in rendered}
        return render_project_quarto(
            project,
            docs=docs,
            params=params,
            output_dir=out,
            progress=progress,
            fingerprints=prints,
            force=force,
        )
    return builder.run(rendered)


def render_document(
    root: Path,
    doc: str | Path,
    *,
    params: dict[str, Any] | None = None,
    output_dir: Path,
    formats: list[str] | None = None,
    output_name: str | None = None,
    engine: str = "auto",
    progress: bool = False,
    force: bool = False,
    metadata: dict[str, Any] | None = None,
) -> RenderResult:
    """Render one document on its own (no site navigation) into ``output_dir``.

    For handouts per theme and feedback sheets per association, which must not go into the
    site: ``output_dir/<output_name or stem>.html`` (+ ``.pdf`` when the document has a
    ``typst``/``pdf`` format) and ``site_libs/engine.css``. Other files in ``output_dir`` are
    left alone; this document's files are replaced only when rendering succeeded.

    Parameters
    ----------
    root:
        The project folder.
    doc:
        The document, relative to ``root`` (or absolute).
    params:
        ``-P`` parameters, e.g. ``{"tema": "Frivillighed"}``.
    output_dir:
        Destination folder (created if needed).
    formats:
        Restrict to some of the document's formats, e.g. ``["pdf"]``.
    output_name:
        File stem to write instead of the document's (e.g. ``"feedback-forening-12"``).
    engine, progress, force:
        As for :func:`render_project`.
    metadata:
        Document metadata that wins over the front matter, e.g. ``{"title": "..."}`` (Quarto's
        ``-M title:...``): in the page, the PDF's metadata and the cache key.
    """
    project = load_project(Path(root))
    used = choose_engine(engine)
    rel = _document_rel(project, doc)
    out = Path(output_dir).resolve()
    if used == "quarto":
        return render_document_quarto(
            project,
            rel,
            params=params,
            output_dir=out,
            formats=formats,
            name=output_name,
            progress=progress,
            force=force,
            metadata=metadata,
        )
    from fslt_survey.render.engine import Builder, Target

    target = Target(output_dir=out, site=False, full=False, formats=formats, name=output_name)
    builder = Builder(
        project, target, params=params, force=force, progress=progress, metadata=metadata
    )
    return builder.run([rel])


def render_batch(
    root: Path,
    doc: str | Path,
    batch: list[tuple[dict[str, Any], str]],
    *,
    output_dir: Path,
    formats: list[str] | None = None,
    engine: str = "auto",
    progress: bool = False,
    force: bool = False,
) -> RenderResult:
    """Render one document once per ``(params, output_name)`` of ``batch`` into ``output_dir``.

    The same as :func:`render_document` for each entry, in one run: with the built-in engine
    the kernels are forked ahead and each output is converted while the next one executes
    (feedback sheets per association). With Quarto, one ``quarto render`` per entry.
    """
    project = load_project(Path(root))
    used = choose_engine(engine)
    rel = _document_rel(project, doc)
    out = Path(output_dir).resolve()
    if used == "quarto":
        result = RenderResult(engine="quarto", output_dir=out)
        for params, name in batch:
            one = render_document_quarto(
                project, rel, params=params, output_dir=out, formats=formats, name=name,
                progress=progress, force=force,
            )  # fmt: skip
            result.documents += one.documents
        return result
    from fslt_survey.render.engine import Builder, Target

    target = Target(output_dir=out, site=False, full=False, formats=formats)
    builder = Builder(project, target, force=force, progress=progress)
    return builder.run_specs([(rel, dict(params), name) for params, name in batch])
