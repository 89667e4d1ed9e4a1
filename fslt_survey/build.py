"""``fslt-survey build``: the main job, from raw exports to the published site and PDFs.

1. Clean every survey the project declares (:mod:`fslt_survey.project`) into ``build/clean/``:
   in real mode from each survey's raw folder with the real registry (a missing one is an
   error, exit 3), in demo mode (``--demo`` or ``demo: true``) from the bundled fictional demo
   exports in ``surveys/demo/``. Never one for the other.
2. Render the Quarto project (``_quarto.yml``) into ``_site/`` with Quarto when it is installed,
   else with the built-in engine; documents with a Typst format also become PDFs.
3. Audit the whole release as an intruder reads it
   (:mod:`fslt_survey.publish.release_audit`); a release that discloses a hidden count is
   moved aside to ``_site.afvist/`` and the build fails (exit 3).
4. Print what was published: which data (demo or real, which files), the cleaning warnings,
   and where the results are.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from fslt_survey import config
from fslt_survey.clean import CleanSurvey
from fslt_survey.network import check_network, network_dir
from fslt_survey.pipeline import clean_to_disk
from fslt_survey.project import Project, demo_mode, load_project, registry_for
from fslt_survey.publish import Findings, findings_cache
from fslt_survey.publish.release_audit import DisclosureError, check_release
from fslt_survey.render import render_project


def _warnings(result: CleanSurvey) -> list[str]:
    """The cleaning log's warnings, one line each (the full list is in the text log)."""
    log = result.log
    out = []
    if log.unknown_values:
        out.append(f"{len(log.unknown_values)} unknown answer value(s) set missing")
    if log.out_of_range:
        out.append(f"{len(log.out_of_range)} out-of-range value(s) set missing")
    # filled by the cleaner when it reports instrument/export mismatches
    for attr, what in (
        ("unmatched_columns", "export column(s) not in the instrument"),
        ("not_in_export", "instrument item(s)/option(s) not in the export"),
    ):
        found = getattr(log, attr, None)
        if found:
            out.append(f"{len(found)} {what}: " + ", ".join(map(_name, found[:8])))
    return out


def _name(entry: object) -> str:
    if isinstance(entry, dict):
        return str(entry.get("item") or entry.get("column") or entry.get("id") or entry)
    return str(entry)


def clean_all(
    out: Path | None = None,
    *,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    demo: bool | None = None,
    registry: str | Path | None = None,
    project: Project | None = None,
) -> list[str]:
    """Clean every survey the project declares; returns the summary lines."""
    project = project or load_project()
    demo = demo_mode(project) if demo is None else demo
    lines = []
    for spec in project.surveys:
        result, files = clean_to_disk(
            spec.name, demo=demo, registry=registry, policy=policy, out=out
        )
        log = result.log
        sources = sorted({str(s["file"]) for s in log.sources})
        lines.append(
            f"  {spec.name}: {log.rows_in} rows read, {log.rows_kept} kept, "
            f"{log.rows_excluded} excluded ({'DEMO data' if demo else 'real data'}: "
            f"{', '.join(sources)})"
        )
        lines += [f"    warning: {w} (see {files.log_text})" for w in _warnings(result)]
    return lines


def tracked_inputs(project: Project, registry: Path | None) -> list[str]:
    """Raw exports or the real registry that git tracks (they must never be committed)."""
    candidates = [project.raw_dir(s) for s in project.surveys]
    if registry is not None:
        candidates.append(registry)
    try:
        done = subprocess.run(
            ["git", "-C", str(project.root), "ls-files", "--", *map(str, candidates)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:  # not a git repository, or git failed: nothing to warn about
        return []
    return [line for line in done.stdout.splitlines() if line.strip()]


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(
    *,
    engine: str = "auto",
    force: bool = False,
    progress: bool = True,
    out: Path | None = None,
    demo: bool | None = None,
    strict: bool = False,
    registry: str | Path | None = None,
) -> str:
    """Clean all surveys and render the site; returns a summary for people."""
    project = load_project()
    demo = demo_mode(project) if demo is None else demo
    reg = Path(registry).resolve() if registry is not None else None
    lines = [
        f"Project: {project.root} (found by {project.found_by})",
        f"Data: {'DEMO - the bundled fictional demo data' if demo else 'REAL exports'}",
    ]
    tracked = (
        [] if demo else tracked_inputs(project, reg or config.registry_file() or project.registry)
    )
    lines += [
        f"WARNING: git tracks {t} - raw exports and the registry must never be committed "
        "(git rm --cached it)"
        for t in tracked
    ]
    policy = "fail" if strict else "warn"
    lines += ["Cleaned:", *clean_all(policy=policy, demo=demo, registry=reg, project=project)]
    # the report kernels (and Quarto's) choose their data by these; both are in the cache key
    used = registry_for(project, demo=demo, override=reg).resolve()
    mode = {"FSLT_DEMO": "1" if demo else "0", "FSLT_REGISTRY": str(used)}
    with _environment(mode):
        lines += precompute_findings()
        if (network_dir() / "netvaerk.yml").is_file():
            # before rendering, so that a problem is listed in full here, not as a page error
            lines += ["Network data:", *(f"  {line}" for line in check_network())]
        result = render_project(
            project.root, engine=engine, force=force, progress=progress, output_dir=out
        )
    site = Path(result.output_dir)
    lines += audited(site, project)
    executed = sum(1 for d in result.documents if d.executed)
    lines.append(
        f"Rendered {len(result.documents)} page(s) with the {result.engine} engine "
        f"({executed} executed, {len(result.documents) - executed} unchanged)."
    )
    index = site / "index.html"
    if not index.exists():
        index = site / "reports" / "index.html"
    lines.append(f"Site: {index}")
    for doc in result.documents:
        for path in doc.outputs:
            if Path(path).suffix == ".pdf":
                lines.append(f"PDF:  {path}")
    return "\n".join(lines)


def audited(site: Path, project: Project) -> list[str]:
    """Audit the whole release in ``site`` (:func:`~fslt_survey.publish.release_audit.
    check_release`). A disclosing release is not left where it would be published: it is
    moved to ``<site>.afvist/`` for inspection and the build fails (exit 3)."""
    try:
        return check_release(site, project)
    except DisclosureError as exc:
        refused = site.with_name(site.name + ".afvist")
        shutil.rmtree(refused, ignore_errors=True)
        site.rename(refused)
        exc.message += f"; the site was moved to {refused} (not publishable)"
        exc.args = (exc.message,)
        raise


def precompute_findings(survey: str = config.MEMBER_SURVEY) -> list[str]:
    """Compute the survey's declared findings once, for every page that renders them
    (:mod:`fslt_survey.publish.findings_cache`); nothing to do when the clean data, the
    settings and the code are those of the last build."""
    clean = config.clean_dir()
    if not (clean / f"{survey}.parquet").is_file():
        return []
    store = Findings.load(clean, survey)
    if store._memo:  # restored: the same inputs as last time
        return [f"Findings: {len(store._memo)} unchanged ({survey})"]
    n = len(store.table())
    findings_cache.persist(store, clean)
    return [f"Findings: {n} computed once for all pages ({survey})"]
