"""The order of a run's work: execute one document at a time, convert the previous one meanwhile.

A run first prepares every document (parse, options, cache key, cache lookup: no execution),
so it knows which documents will execute before the first one does. Their kernels come from a
:class:`~fslt_survey.render.pool.KernelPool` (the next one forked while the current one runs);
a document's conversion (pandoc, Typst) runs in a second thread while the next document
executes. Executions stay one after another, so the files a document's cells write beside it
are still told apart by comparing the folder before and after (``Builder._execute``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from fslt_survey.render.cache import CachedExecution
from fslt_survey.render.errors import RenderError
from fslt_survey.render.host import current as current_host
from fslt_survey.render.pool import KernelPool, available, preload_modules
from fslt_survey.render.results import DocumentResult

T = TypeVar("T")


@dataclass
class Job:
    """One document of a run, from preparation to its placed outputs."""

    rel: str
    path: Path
    doc: Any
    cfg: Any
    plan: Any
    result: DocumentResult
    t0: float
    params: dict[str, Any] = field(default_factory=dict)
    cwd: Path = Path()
    key: str = ""
    entry: CachedExecution | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def executes(self) -> bool:
        return self.entry is None and bool(self.doc.needs_kernel)


def located(rel: str, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``; a :class:`RenderError` without a file gets ``rel``, and one of a batch
    (a job with an output name) says which output it was."""
    try:
        return fn(*args)
    except RenderError as exc:
        if exc.file is None:
            exc.file = rel
        job = next((a for a in args if isinstance(a, Job)), None)
        name = job.plan.html or job.plan.pdf if job is not None and job.params else None
        if name and name not in exc.message:
            exc.message += f" (writing {name})"
        raise


def make_pool(
    jobs: list[Job], root: Path, env_for: Any, fingerprint: str, memo: Path | None = None
) -> KernelPool | None:
    """A pool for the jobs that execute (None when none does, or forking is unavailable)."""
    running = [j for j in jobs if j.executes]
    if not running or not available():
        return None
    sources = [c.source for j in running for c in j.doc.cells if c.language == "python"]
    modules = preload_modules(sources) + list(current_host().preload)
    pool = KernelPool(root, modules, env_for, fingerprint, memo)
    pool.prestart(running[0].path, running[0].cwd)
    return pool


def run_jobs(
    jobs: list[Job],
    *,
    execute: Callable[[Job, KernelPool | None], None],
    convert: Callable[[Job], DocumentResult],
    pool: KernelPool | None,
    progress: bool,
) -> list[DocumentResult]:
    """Execute the jobs in order, each converted in the background while the next runs."""
    running = [j for j in jobs if j.executes]
    after = {id(j): running[i + 1] for i, j in enumerate(running[:-1])}
    bar = tqdm(jobs, desc="Render", unit="doc", file=sys.stderr, disable=not progress, leave=False)
    futures: list[Future[DocumentResult]] = []
    with ThreadPoolExecutor(1, thread_name_prefix="render-convert") as converter:
        try:
            for job in bar:
                bar.set_postfix_str(job.rel, refresh=False)
                following = after.get(id(job))
                if pool is not None and following is not None:
                    pool.prestart(following.path, following.cwd)
                located(job.rel, execute, job, pool)
                _raise_failed(futures)
                futures.append(converter.submit(located, job.rel, convert, job))
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        finally:
            bar.close()


def _raise_failed(futures: list[Future[DocumentResult]]) -> None:
    """Stop early when a conversion already failed."""
    for f in futures:
        if f.done() and f.exception() is not None:
            f.result()
