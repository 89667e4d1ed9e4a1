"""The built-in engine: parse, execute (or reuse), convert, and publish atomically."""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fslt_survey.render import pandoc, unsupported
from fslt_survey.render.cache import CachedExecution, RenderCache, execution_key
from fslt_survey.render.errors import RenderError
from fslt_survey.render.execute import execute_document
from fslt_survey.render.host import current as current_host
from fslt_survey.render.host import inputs_fingerprint
from fslt_survey.render.housekeeping import (
    SCRATCH_PREFIX,
    OwnedFolders,
    old_prefix,
    remove_stale,
    snapshot,
    staging_prefix,
)
from fslt_survey.render.i18n import strings
from fslt_survey.render.include import expand_includes
from fslt_survey.render.kernel import kernel_env
from fslt_survey.render.navigation import search_enabled, sidebar_targets, write_search
from fslt_survey.render.pages import PagePlan, build_inputs, write_page
from fslt_survey.render.pool import KernelPool
from fslt_survey.render.project import (
    FORMAT_KINDS,
    Project,
    as_list,
    document_config,
    expand_globs,
    load_yaml,
)
from fslt_survey.render.qmd import apply_shortcodes, parse_qmd
from fslt_survey.render.results import DocumentResult, RenderResult, grouped_warnings
from fslt_survey.render.schedule import Job, execution_workers, located, make_pool, run_jobs
from fslt_survey.render.site import (
    CSS_PATH,
    TABSETS_PATH,
    copy_file,
    copy_globs,
    navbar_targets,
    page_info,
    redirect_page,
    relative_href,
)

log = logging.getLogger("fslt_survey.render")

#: Version of the built-in engine's output format (part of every cache key).
ENGINE_VERSION = "fslt-builtin-1"


def engine_version() -> str:
    """Engine, pandoc, Typst and template versions in one string (part of cache keys)."""
    return "/".join(
        [
            ENGINE_VERSION,
            pandoc.pandoc_version(),
            pandoc.typst_version(),
            pandoc.templates_hash()[:16],
        ]
    )


@dataclass
class Target:
    """Where the outputs of a render go and how they are published."""

    output_dir: Path
    site: bool = True  # navbar/footer, mirrored paths, atomic swap of the whole folder
    full: bool = True  # rebuild the folder from scratch (else start from the previous one)
    formats: list[str] | None = None  # restrict formats (render_document)
    name: str | None = None  # output file stem (render_document)


class Builder:
    """Render documents of one project with the built-in engine."""

    def __init__(
        self,
        project: Project,
        target: Target,
        *,
        params: dict[str, Any] | None = None,
        force: bool = False,
        progress: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.project = project
        self.target = target
        self.params = dict(params or {})
        #: document metadata that wins over the front matter (``quarto render -M key:value``)
        self.metadata = dict(metadata or {})
        self.force = force
        self.progress = progress
        self.cache = RenderCache(project.cache_dir)
        # the run's own folders (staging, scratch), locked while in use (render.housekeeping)
        self.owned = OwnedFolders()
        self.side_by_side = False  # set per run: documents executing at once (_render_all)
        self.scratch = self.cache.root / f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:8]}"
        self.package_hash = inputs_fingerprint(project.root)
        self.engine_version = engine_version()
        variables_file = project.root / "_variables.yml"
        self.variables: dict[str, Any] = {}
        if variables_file.exists():
            self.variables = load_yaml(variables_file.read_text("utf-8"), variables_file) or {}
        all_docs = project.documents()
        self.pages = {rel: page_info(project, rel) for rel in all_docs}
        self.project.execute_dir  # noqa: B018 - an unknown execute-dir stops here

    # -- planning -----------------------------------------------------------------------------

    def _plan(self, rel: str, cfg: Any, name: str | None) -> PagePlan:
        if self.target.formats is not None:
            wanted = {FORMAT_KINDS.get(f, f) for f in self.target.formats}
            cfg.formats = {k: v for k, v in cfg.formats.items() if FORMAT_KINDS[k] in wanted}
            if not cfg.formats:
                raise RenderError(
                    "none of the requested formats can be written for this document",
                    file=rel,
                    expected="html, typst or pdf",
                    found=", ".join(self.target.formats),
                )
        if name and not self.target.site:
            # figures go to <name>_files/, so handouts of one source can share a folder
            cfg.meta["output-file"] = name
        if self.target.site:
            base = posixpath.splitext(rel)[0]
            base = posixpath.join(posixpath.dirname(base), cfg.stem)
        else:
            base = name or cfg.stem
        kinds = cfg.kinds
        return PagePlan(
            rel=rel,
            cfg=cfg,
            html=base + ".html" if "html" in kinds else None,
            pdf=base + ".pdf" if "typst" in kinds else None,
            site=self.target.site,
        )

    def _depends(self, rel: str, meta: dict[str, Any]) -> list[tuple[str, str]]:
        root = self.project.root
        files = expand_globs(self.project.depends, root)
        doc_dir = (root / rel).parent
        key = current_host().config_key
        doc_patterns = as_list((meta.get(key) or {}).get("depends")) if key else []
        for pattern in doc_patterns:
            negate = pattern.startswith("!")
            bare = pattern.lstrip("!")
            base = root if bare.startswith("/") else doc_dir
            found = expand_globs([bare.lstrip("/")], base)
            files = [f for f in files if f not in found] if negate else files + found
        out = []
        for f in sorted(set(files)):
            name = os.path.relpath(f, root)
            out.append((Path(name).as_posix(), self.cache.hasher.hash(f)))
        return out

    # -- one document -------------------------------------------------------------------------

    def _execute(self, job: Job, pool: KernelPool | None) -> CachedExecution:
        rel, doc, cfg, key = job.rel, job.doc, job.cfg, job.key
        root = self.project.root
        doc_dir = self.exec_dir(root / rel)
        exclude = {self.target.output_dir.resolve(), self.project.output_dir, self.cache.root}
        before = snapshot(doc_dir, exclude)
        self.scratch.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=self.scratch, prefix="exec-"))
        meta = cfg.meta
        shortcode_warnings: list[str] = []

        def shortcodes(text: str) -> str:
            return apply_shortcodes(text, meta, self.variables, shortcode_warnings, rel)

        try:
            result = execute_document(
                doc,
                cfg,
                params=job.params,
                work_dir=work,
                project_root=root,
                shortcodes=shortcodes,
                pool=pool,
                cwd=doc_dir,
            )
            after = snapshot(doc_dir, exclude)
            side = {
                name: doc_dir / name
                for name, stat in after.items()
                if before.get(name) != stat and (doc_dir / name).is_file()
            }
            if self.side_by_side and result.written is not None:  # others write here too
                side = {n: p for n, p in side.items() if os.path.realpath(p) in result.written}
            return self.cache.store_execution(
                rel,
                key,
                markdown=result.markdown,
                work_dir=work,
                files=result.files,
                side=side,
                warnings=result.warnings + shortcode_warnings,
                params=job.params,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _prepare(
        self, rel: str, params: dict[str, Any] | None = None, name: str | None = None
    ) -> Job:
        """Parse and check ``rel``, compute its key and look it up in the cache (no execution).

        ``params`` and ``name`` (the output's stem) default to the builder's."""
        params = self.params if params is None else dict(params)
        name = self.target.name if name is None else name
        t0 = time.perf_counter()
        path = self.project.root / rel
        if not path.is_file():
            raise RenderError("document does not exist", file=rel)
        text = expand_includes(path.read_text(encoding="utf-8"), path, self.project.root)
        doc = parse_qmd(path, text)
        doc.front_matter.update(self.metadata)  # in the key too: cfg.meta holds it
        cfg = document_config(self.project, rel, doc.front_matter)
        unsupported.check_options(rel, cfg.meta, cfg.formats)
        unsupported.check_markdown(rel, text)
        plan = self._plan(rel, cfg, name)
        job = Job(rel, path, doc, cfg, plan, DocumentResult(source=Path(rel)), t0, params=params)
        job.cwd = self.exec_dir(path)
        job.result.warnings += unsupported.warnings(rel, cfg)
        job.key = self._document_key(rel, text, cfg, params)
        freeze = cfg.execute.get("freeze", "auto")
        if not self.force and freeze is not False:
            job.entry = self.cache.load_execution(rel, job.key)
            if job.entry is None and freeze is True:
                job.entry = self.cache.latest_execution(rel, params)
        return job

    def _execute_job(self, job: Job, pool: KernelPool | None) -> None:
        """Execute the job's document unless the cache had it."""
        job.t0 = time.perf_counter()  # a document's seconds: its execution and conversion
        job.result.executed = job.entry is None
        if job.entry is None:
            job.entry = self._execute(job, pool)
        else:
            self._restore_side_files(job.entry, self.exec_dir(job.path))
        job.result.warnings += job.entry.warnings

    def _convert(self, job: Job, staging: Path) -> DocumentResult:
        """Write the job's HTML/PDF (or take them from the cache) and place them in staging."""
        entry, plan, result = job.entry, job.plan, job.result
        assert entry is not None
        root = self.project.root
        files_prefix = "/" + Path(os.path.relpath(entry.files_root, root)).as_posix() + "/"
        inputs = build_inputs(
            self.project,
            plan,
            entry.markdown,
            pages=self.pages,
            files_prefix=files_prefix,
            source_mtime=job.path.stat().st_mtime,
        )
        output = self.cache.load_output(entry, inputs.key, job.path.parent)
        if output is None:
            page = write_page(self.project, plan, inputs, scratch=self.scratch)
            output = self.cache.store_output(
                entry,
                inputs.key,
                files=page.files,
                resources=page.resources,
                base=job.path.parent,
                warnings=page.warnings,
            )
        result.warnings += [w for w in output.warnings if w not in result.warnings]
        result.outputs = self._place(plan, entry, output, staging)
        result.seconds = time.perf_counter() - job.t0
        return result

    def fingerprint(self, rel: str) -> str:
        """The input fingerprint of document ``rel`` (its execution cache key), not executing it.

        The Quarto path uses it to re-execute exactly the pages whose inputs changed.
        """
        path = self.project.root / rel
        text = expand_includes(path.read_text(encoding="utf-8"), path, self.project.root)
        cfg = document_config(self.project, rel, parse_qmd(path, text).front_matter)
        return self._document_key(rel, text, cfg, self.params)

    def _document_key(self, rel: str, text: str, cfg: Any, params: dict[str, Any]) -> str:
        options = {"meta": cfg.meta, "formats": cfg.formats, "execute": cfg.execute}
        return execution_key(
            source=text,
            rel=rel,
            options=options,
            params=params,
            depends=self._depends(rel, cfg.meta),
            package_hash=self.package_hash,
            engine_version=self.engine_version,
        )

    def exec_dir(self, path: Path) -> Path:
        """Where ``path``'s cells run: its folder, or the project root with Quarto's
        ``project: execute-dir: project``."""
        return self.project.root if self.project.execute_dir == "project" else path.parent

    @staticmethod
    def _restore_side_files(entry: CachedExecution, doc_dir: Path) -> None:
        """Put back files the cells wrote next to the document if they have gone missing."""
        for name in entry.side:
            dest = doc_dir / name
            if not dest.exists():
                copy_file(entry.side_root / name, dest)

    def _place(
        self, plan: PagePlan, entry: CachedExecution, output: Any, staging: Path
    ) -> list[Path]:
        """Copy a page's files into the staging folder; return their final paths."""
        final: list[Path] = []
        page_dir = posixpath.dirname(plan.page)
        doc_dir = (self.project.root / plan.rel).parent
        html_text: str | None = None
        for kind, name in output.files.items():
            rel_out = {"html": plan.html, "pdf": plan.pdf}.get(kind)
            if rel_out is None and kind == "typ" and plan.pdf:
                rel_out = posixpath.splitext(plan.pdf)[0] + ".typ"
            if rel_out is None:
                continue
            if kind == "html":
                html_text = (output.path / name).read_text(encoding="utf-8")
                continue
            copy_file(output.path / name, staging / rel_out)
            final.append(self.target.output_dir / rel_out)
        if plan.html:
            for f in entry.files:
                copy_file(entry.files_root / f, staging / page_dir / f)
            for ref in output.resources:
                dest_rel = posixpath.normpath(posixpath.join(page_dir, ref))
                if dest_rel.startswith("../") and html_text is not None:
                    # outside the output folder (flat handouts): keep it beside the page
                    new_ref = "_resources/" + posixpath.normpath(ref).replace("../", "")
                    html_text = html_text.replace(f'="{ref}"', f'="{new_ref}"')
                    dest_rel = posixpath.join(page_dir, new_ref)
                copy_file(doc_dir / ref, staging / dest_rel)
            if html_text is not None:
                dest = staging / plan.html
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(html_text, encoding="utf-8")
                final.insert(0, self.target.output_dir / plan.html)
            doc_resources = as_list(plan.cfg.meta.get("resources"))
            if doc_resources and self.target.site:
                copy_globs(doc_resources, doc_dir, self.project.root, staging)
            if self.target.site:
                final += self._aliases(plan, staging)
        return final

    def _aliases(self, plan: PagePlan, staging: Path) -> list[Path]:
        assert plan.html is not None
        written = []
        lang = str(plan.cfg.meta.get("lang") or "en")
        title = str(plan.cfg.meta.get("title") or Path(plan.rel).stem)
        for alias in as_list(plan.cfg.meta.get("aliases")):
            alias_rel = posixpath.normpath(posixpath.join(posixpath.dirname(plan.html), alias))
            if alias_rel.startswith("../") or alias_rel == plan.html:
                continue
            if not alias_rel.endswith((".html", ".htm")):
                alias_rel = posixpath.join(alias_rel, "index.html")
            href = relative_href(alias_rel, plan.html)
            dest = staging / alias_rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(redirect_page(href, title, lang, strings(lang)["redirect"]), "utf-8")
            written.append(self.target.output_dir / alias_rel)
        return written

    # -- the whole run ------------------------------------------------------------------------

    def _site_extras(self, staging: Path) -> list[str]:
        copy_file(pandoc.CSS_FILE, staging / CSS_PATH)
        copy_file(pandoc.TABSETS_SCRIPT, staging / TABSETS_PATH)
        warnings: list[str] = []
        if not self.target.site:
            return warnings
        if search_enabled(self.project):
            write_search(staging, self.cache.root / "search-entries.json")
        copy_globs(self.project.resources, self.project.root, self.project.root, staging)
        navbar = self.project.website.get("navbar") or {}
        if isinstance(navbar, dict) and navbar.get("logo"):
            logo = self.project.root / str(navbar["logo"]).lstrip("/")
            if logo.is_file():
                copy_file(logo, staging / str(navbar["logo"]).lstrip("/"))
        for target in navbar_targets(self.project, self.pages):
            if not (staging / target).exists():
                warnings.append(f"navbar links to {target}, which was not rendered")
        for target in sidebar_targets(self.project, self.pages):
            if not (staging / target).exists():
                warnings.append(f"sidebar links to {target}, which was not rendered")
        return warnings

    def run(self, docs: list[str]) -> RenderResult:
        """Render ``docs`` (root-relative) and publish them atomically (see :meth:`run_specs`)."""
        return self.run_specs([(rel, None, None) for rel in docs])

    def run_specs(self, specs: list[tuple[str, dict[str, Any] | None, str | None]]) -> RenderResult:
        """Render ``(document, params, output name)`` triples (``None``: the builder's) and
        publish them atomically; one document with many parameter sets is one batch, its
        executions and conversions overlapping.

        First removes the staging and scratch folders that killed renders left behind
        (:func:`fslt_survey.render.housekeeping.remove_stale`: older than this run, named by
        this engine's patterns, and not locked by a render still running).
        """
        t0 = time.perf_counter()
        started = time.time()
        out = self.target.output_dir.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out, self.cache.root, started)
        result = RenderResult(engine="builtin", output_dir=out)
        staging: Path | None = None
        try:
            staging = self.owned.make(out.parent, staging_prefix(out))
            self.scratch = self.owned.make(self.cache.root, SCRATCH_PREFIX)
            if self.target.site and not self.target.full and out.is_dir():
                shutil.copytree(out, staging, symlinks=True, dirs_exist_ok=True)
            result.documents, result.kernels_started = self._render_all(specs, staging)
            result.warnings += self._site_extras(staging)
            self._publish(staging, out)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            self.cache.hasher.save()
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.owned.release_all()
        for w in grouped_warnings(result):
            log.warning(w)
        result.seconds = time.perf_counter() - t0
        return result

    def _render_all(
        self, specs: list[tuple[str, dict[str, Any] | None, str | None]], staging: Path
    ) -> tuple[list[DocumentResult], int]:
        """Prepare every document, then execute and convert them (:mod:`.schedule`)."""
        jobs = [located(spec[0], self._prepare, *spec) for spec in specs]
        root = self.project.root
        memo = self.cache.root / "kernel-modules.json"
        pool = make_pool(jobs, root, lambda doc: kernel_env(root, doc), self.package_hash, memo)
        workers = execution_workers() if pool is not None else 1  # the kernel's own file record
        self.side_by_side = workers > 1 and sum(j.executes for j in jobs) > 1  # tells docs apart
        try:
            documents = run_jobs(
                jobs,
                execute=self._execute_job,
                convert=lambda job: self._convert(job, staging),
                pool=pool,
                progress=self.progress,
                workers=workers,
            )
        finally:
            if pool is not None:  # a parameterised document keeps a spare kernel for its batch
                pool.close(spare=any(job.params for job in jobs) and not self.target.site)
        started = pool.started if pool is not None else sum(1 for d in documents if d.executed)
        return documents, started

    def _publish(self, staging: Path, out: Path) -> None:
        if self.target.site:
            old = out.parent / f"{old_prefix(out)}{uuid.uuid4().hex[:8]}"
            if out.exists():
                os.rename(out, old)
            try:
                os.rename(staging, out)
            except OSError:
                if old.exists():
                    os.rename(old, out)
                raise
            self.owned.release(staging)  # the lock moved with the folder: the site is free
            shutil.rmtree(old, ignore_errors=True)
            return
        # a single document into an existing folder: replace its figure folder, then move its
        # files in one by one (other documents' files in the folder stay as they are)
        for files_dir in staging.glob("*_files"):
            if (out / files_dir.name).is_dir():
                shutil.rmtree(out / files_dir.name)
        for src in sorted(p for p in staging.rglob("*") if p.is_file()):
            dest = out / src.relative_to(staging)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
        shutil.rmtree(staging, ignore_errors=True)
        self.owned.release(staging)
