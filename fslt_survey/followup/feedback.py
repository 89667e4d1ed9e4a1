"""Feedback sheets: each association's own answers next to all members'.

One PDF per association (``fslt-survey feedback``), rendered from
``reports/feedback/feedback.qmd`` with the parameter ``forening`` into ``build/feedback/``,
never into the site; at most three pages. A sheet shows

* the association's own answers in every wave it answered (a missing answer told in its own
  terms: "I svarede ikke på dette", never "Ugyldigt svar"),
* per item a small bar chart of all member associations' answers in the wave the site
  publishes, the association's own answer framed, and for the needs the share of its published
  group (the site's heat map) - only figures the site prints, suppressed by the same function
  (:func:`~fslt_survey.followup.feedback_context.prepare_feedback`),
* its position on the strategy's survey indicators (:mod:`fslt_survey.followup`),
* its own free text only, redacted again with the names of every *other* association.

It never shows another association's name or answers: only aggregates of at least k.

Speed: the data are prepared once (:func:`prepare_feedback`, ~3 s; then ~0.05 s per sheet);
the sheet of every association is written as markdown into a private temporary folder whose
path the document's single cell finds in :data:`PREP_ENV`, so rendering a sheet costs one small
kernel run and one pandoc + Typst pass. With ``jobs=1`` the sheets are one batch of the render
engine (:func:`fslt_survey.render.render_batch`: each sheet's kernel forked ahead from one
pre-imported process, each PDF written while the next sheet runs; see ``benchmarks/results.md``
for the time per sheet); ``jobs`` > 1 renders sheets in that many worker processes (default:
one per core, at most 4). Without :data:`PREP_ENV` (rendering the document
by hand) the cell computes the sheet from the clean data itself.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fslt_survey import config
from fslt_survey.codebook import load_instrument
from fslt_survey.errors import RenderError, SurveyDataError
from fslt_survey.followup import (
    indicators_file,
    load_indicators,
)
from fslt_survey.project import publication
from fslt_survey.registry import load_registry
from fslt_survey.render import RenderError as EngineRenderError
from fslt_survey.render import render_batch, render_document
from fslt_survey.store import clean_registry, instrument_path, load_clean, outside_site

if TYPE_CHECKING:  # pragma: no cover

    pass

from fslt_survey.followup.feedback_context import (
    FEEDBACK_DOC,
    PREP_ENV,
    SURVEY,
    FeedbackContext,
    answered_associations,
    feedback_dir,
    prepare_feedback,
)
from fslt_survey.followup.feedback_sheet import sheet_markdown

__all__ = [
    "FEEDBACK_DOC",
    "PREP_ENV",
    "FeedbackContext",
    "answered_associations",
    "feedback_dir",
    "feedback_sheet",
    "prepare_feedback",
    "render_feedback",
    "sheet_markdown",
]

# --------------------------------------------------------------------------- the document


def load_context(*, clean_dir: str | Path | None = None) -> FeedbackContext:
    """Prepare the feedback context from the clean data written by ``fslt-survey build``,
    with the survey's declared threshold k (the same policy as the site)."""

    instrument = load_instrument(instrument_path(SURVEY))
    ifile = indicators_file()
    indicators = load_indicators(ifile, instrument) if ifile.is_file() else None
    settings = publication(SURVEY)  # the site's policy and groups
    return prepare_feedback(
        load_clean(SURVEY, clean_dir),
        instrument,
        load_registry(clean_registry(clean_dir)),
        indicators=indicators,
        k=settings.k,
        groups=settings.groups_of("assoc_type"),
        min_group=settings.min_group,
    )


def feedback_sheet(association_id: Any) -> str:
    """What ``feedback.qmd`` prints: the prepared sheet, or one computed now.

    Without an association (the document rendered without ``-P forening:<id>``) it returns a
    short notice and no data.
    """
    if association_id is None or str(association_id).strip() == "":
        return (
            "Vælg en forening med parameteren `forening` (fx `fslt-survey feedback "
            "--forening F001`). Arket viser intet uden en forening.\n"
        )
    aid = str(association_id).strip()
    prep = os.environ.get(PREP_ENV)
    if prep:
        path = Path(prep) / f"{aid}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return sheet_markdown(load_context(), aid)


def render_feedback(
    associations: list[str] | None = None,
    *,
    out: str | Path | None = None,
    engine: str = "auto",
    force: bool = False,
    root: str | Path | None = None,
    clean_dir: str | Path | None = None,
    context: FeedbackContext | None = None,
    jobs: int = 1,
    echo: Any = None,
) -> list[Path]:
    """Render one PDF per association (default: every association that answered).

    The sheets are prepared once in this process; ``jobs`` > 1 renders them in that many
    worker processes (each sheet starts its own small kernel, so this helps even on two
    cores). Returns the PDF paths (``<out>/<association_id>.pdf``). ``out`` defaults to
    :func:`feedback_dir`; a folder inside the site is refused.
    """
    root = Path(root) if root is not None else config.PROJECT_ROOT
    out = outside_site(out, "feedback sheets") if out is not None else feedback_dir()
    site = (root / "_site").resolve()
    if out.resolve() == site or site in out.resolve().parents:
        raise SurveyDataError(
            "feedback sheets are never written into the site",
            file=out,
            expected="a folder outside _site, e.g. build/feedback",
        )
    ctx = context if context is not None else load_context(clean_dir=clean_dir)
    known = answered_associations(ctx.data)
    ids = list(dict.fromkeys(associations or known))
    missing = [a for a in ids if a not in known]
    if missing:
        raise SurveyDataError(
            "no answers from these associations (or not in the registry)",
            column="association_id",
            found=", ".join(missing),
            expected="ids of associations that answered, e.g. " + ", ".join(known[:3]),
        )
    jobs = max(1, min(int(jobs or 1), len(ids)))
    tasks = [(str(root), aid, str(out), engine, force) for aid in ids]
    paths: list[Path] = []
    old = os.environ.get(PREP_ENV)
    with tempfile.TemporaryDirectory(prefix="fslt-feedback-") as prep:
        for aid in ids:  # all sheets first: a data problem stops before any rendering
            (Path(prep) / f"{aid}.md").write_text(sheet_markdown(ctx, aid), encoding="utf-8")
        os.environ[PREP_ENV] = prep  # read by the document's cell (also in worker processes)
        try:
            if jobs == 1:  # one batch: kernels forked ahead, conversion beside execution
                results: Any = _render_batch(tasks)
                pool = None
            else:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
                results = pool.map(_render_sheet, tasks)
            try:
                for aid, (ok, value) in zip(ids, results, strict=True):
                    if not ok:
                        raise RenderError(f"feedback sheet {aid}: {value}", file=FEEDBACK_DOC)
                    paths.append(Path(value))
                    if echo is not None:
                        echo(f"{aid}: {value}")
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
        finally:
            if old is None:
                os.environ.pop(PREP_ENV, None)
            else:
                os.environ[PREP_ENV] = old
    return paths


def _render_batch(tasks: list[tuple[str, str, str, str, bool]]) -> list[tuple[bool, str]]:
    """Render every sheet in this process, as one batch of the render engine."""
    root, _, out, engine, force = tasks[0]
    batch = [({"forening": aid}, aid) for _, aid, *_ in tasks]
    try:
        res = render_batch(
            Path(root), FEEDBACK_DOC, batch, output_dir=Path(out), formats=["pdf"],
            engine=engine, force=force,
        )  # fmt: skip
    except EngineRenderError as exc:  # the message names the sheet
        raise RenderError(f"feedback sheets: {exc}", file=FEEDBACK_DOC) from exc
    pdfs = [next((p for p in d.outputs if p.suffix == ".pdf"), None) for d in res.documents]
    return [(True, str(p)) if p is not None else (False, "no PDF was written") for p in pdfs]


def _render_sheet(task: tuple[str, str, str, str, bool]) -> tuple[bool, str]:
    """Render one sheet (in this process or a worker): (True, pdf path) or (False, error)."""

    root, aid, out, engine, force = task
    try:
        res = render_document(
            Path(root),
            FEEDBACK_DOC,
            params={"forening": aid},
            output_dir=Path(out),
            formats=["pdf"],
            output_name=aid,
            engine=engine,
            force=force,
        )
    except (SurveyDataError, EngineRenderError) as exc:  # travel back as text (need not pickle)
        return False, str(exc)
    pdf = next((p for d in res.documents for p in d.outputs if p.suffix == ".pdf"), None)
    return (True, str(pdf)) if pdf is not None else (False, "no PDF was written")


def default_jobs() -> int:
    """Worker processes for ``fslt-survey feedback``: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))
