"""The order of a run's work: execute documents side by side, convert each as it is done.

A run first prepares every document (parse, options, cache key, cache lookup: no execution),
so it knows which documents will execute before the first one does. Their kernels come from a
:class:`~fslt_survey.render.pool.KernelPool` (forked ahead from one pre-imported process);
up to :func:`execution_workers` documents execute at once (one per core, at most two), and a
document's conversion (pandoc, Typst) runs in another thread as soon as it has executed. Each
document stays isolated in its own kernel process; the files its cells write beside it are
told apart from another document's by the kernel's own record of what it wrote
(``Builder._execute``).
"""

from __future__ import annotations

import os
import sys
import threading
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


def execution_workers() -> int:
    """How many documents execute side by side: one per core, at most two (the conversions of
    finished documents run beside them)."""
    return max(1, min(2, os.cpu_count() or 1))


def run_jobs(
    jobs: list[Job],
    *,
    execute: Callable[[Job, KernelPool | None], None],
    convert: Callable[[Job], DocumentResult],
    pool: KernelPool | None,
    progress: bool,
    workers: int = 1,
) -> list[DocumentResult]:
    """Execute the jobs, ``workers`` at a time, each converted in the background as soon as it
    has executed; the results in the jobs' order. A failure stops new executions and is raised
    once the running ones have finished (the first in the jobs' order)."""
    running = [j for j in jobs if j.executes]
    ahead = {id(j): running[i + workers] for i, j in enumerate(running[:-workers or None])}
    if pool is not None:  # the first kernels on the way (make_pool started the first)
        for following in running[1:workers]:
            pool.prestart(following.path, following.cwd)
    bar = tqdm(total=len(jobs), desc="Render", unit="doc", file=sys.stderr,
               disable=not progress, leave=False)
    futures: dict[int, Future[DocumentResult]] = {}
    failed = threading.Event()
    lock = threading.Lock()

    def one(index: int, job: Job) -> None:
        if failed.is_set():
            return
        following = ahead.get(id(job))
        if pool is not None and following is not None:
            pool.prestart(following.path, following.cwd)
        try:
            located(job.rel, execute, job, pool)
        except BaseException:
            failed.set()
            raise
        with lock:
            futures[index] = converter.submit(located, job.rel, convert, job)
            bar.set_postfix_str(job.rel, refresh=False)
            bar.update()

    started: list[Future[None]] = []
    with ThreadPoolExecutor(1, thread_name_prefix="render-convert") as converter, \
            ThreadPoolExecutor(max(1, workers), thread_name_prefix="render-exec") as executor:
        try:
            started += [executor.submit(one, i, job) for i, job in enumerate(jobs)]
            for f in started:  # in order: the first failure in the jobs' order is raised
                f.result()
                _raise_failed(list(futures.values()))
            return [futures[i].result() for i in range(len(jobs))]
        except BaseException:
            failed.set()
            for f in [*started, *futures.values()]:
                f.cancel()
            raise
        finally:
            bar.close()


def _raise_failed(futures: list[Future[DocumentResult]]) -> None:
    """Stop early when a conversion already failed."""
    for f in futures:
        if f.done() and f.exception() is not None:
            f.result()
