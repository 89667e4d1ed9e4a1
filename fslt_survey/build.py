"""``fslt-survey build``: the main job, from raw exports to the published site and PDFs.

1. Clean every survey (the member survey, both waves, and the meeting evaluations) into
   ``build/clean/``: in real mode from ``surveys/<survey>/raw/`` with the real registry
   (``--registry`` or ``FSLT_REGISTRY``), in demo mode (``--demo``) from the bundled fictional
   demo exports in ``surveys/demo/``. Real mode never falls back to demo data: a missing raw
   folder or registry stops the build; and a demo build never overwrites real clean data.
2. Render the Quarto project (``_quarto.yml``) into ``_site/`` with Quarto when it is installed,
   else with the built-in engine; documents with a Typst format also become PDFs.
3. Print what was published: which data (demo or real, which files) and every cleaning warning.
"""

from __future__ import annotations

from pathlib import Path

from fslt_survey import config
from fslt_survey.clean import CleanSurvey
from fslt_survey.config import SURVEYS
from fslt_survey.errors import SurveyDataError
from fslt_survey.pipeline import clean_survey
from fslt_survey.render import render_project
from fslt_survey.store import clean_mode, instrument_path, write_clean


def _check_sources(survey: str, demo: bool, out: Path) -> None:
    if demo and clean_mode(survey, out) == "real":
        raise SurveyDataError(
            "the clean data here come from real exports; a demo build would overwrite them",
            file=out / f"{survey}.parquet",
            expected="run the demo in a copy of the project (or move build/clean away first)",
        )
    raw = instrument_path(survey).parent / "raw"
    if not demo and not raw.is_dir():
        raise SurveyDataError(
            "no raw exports for this survey (a real build never uses the demo data)",
            file=raw,
            expected=f"the real exports in {raw}/<wave year>/, or `fslt-survey build --demo` "
            "for the bundled fictional demo data",
        )


def _summary(survey: str, result: CleanSurvey, demo: bool) -> list[str]:
    log = result.log
    files = sorted({str(s.get("file", "")) for s in log.sources})
    lines = [
        f"  {survey}: {log.rows_in} rows read, {log.rows_kept} kept, {log.rows_excluded} "
        f"excluded ({'fictional demo data' if demo else 'real data'}: {', '.join(files)})"
    ]
    n_unknown = len(log.unknown_values) + len(log.out_of_range)
    if n_unknown:
        lines.append(f"    warning: {n_unknown} unknown or invalid value(s) set missing")
    unmatched = [c for src in log.sources for c in src.get("unmatched_columns") or []]
    if unmatched:
        lines.append(f"    warning: export column(s) matched no item: {', '.join(unmatched)}")
    for entry in log.not_in_export:
        what = [*entry["items"], *(f"{i}: {', '.join(k)}" for i, k in entry["options"].items())]
        if what:
            lines.append(f"    warning: not in the {entry['wave']} export: {'; '.join(what)}")
    for f in log.ignored_files:
        lines.append(f"    note: not read: {f['file']} ({f['reason']})")
    return lines


def clean_all(
    out: Path | None = None,
    *,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    demo: bool = False,
    registry: str | Path | None = None,
) -> list[str]:
    """Clean every survey in the given mode; returns summary lines for people."""
    out = Path(out) if out else config.CLEAN_DIR
    lines = []
    for survey in SURVEYS:
        _check_sources(survey, demo, out)
        result = clean_survey(survey, demo=demo, policy=policy, registry=registry)
        write_clean(result, out)
        lines += _summary(survey, result, demo)
    return lines


def build(
    *,
    engine: str = "auto",
    force: bool = False,
    progress: bool = True,
    out: Path | None = None,
    demo: bool = False,
    registry: str | Path | None = None,
    strict: bool = False,
) -> str:
    """Clean all surveys and render the site; returns a summary for people.

    ``demo``: the bundled fictional demo data; otherwise the real exports and registry.
    ``strict``: refuse unknown answer labels instead of setting them missing.
    """
    policy = "fail" if strict else config.UNKNOWN_VALUE_POLICY
    mode = "demo data (fictional)" if demo else "real data"
    lines = [f"Cleaned ({mode}):", *clean_all(policy=policy, demo=demo, registry=registry)]
    result = render_project(
        config.PROJECT_ROOT, engine=engine, force=force, progress=progress, output_dir=out
    )
    site = Path(result.output_dir)
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
