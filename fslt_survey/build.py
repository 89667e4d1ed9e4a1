"""``fslt-survey build``: the main job, from raw exports to the published site and PDFs.

1. Clean every survey (the member survey, both waves, and the meeting evaluations) into
   ``build/clean/``: from ``surveys/<survey>/raw/`` when real data is there, else from the bundled
   fictional demo exports in ``surveys/demo/``.
2. Render the Quarto project (``_quarto.yml``) into ``_site/`` with Quarto when it is installed,
   else with the built-in engine; documents with a Typst format also become PDFs.
3. Print where the results are.
"""

from __future__ import annotations

from pathlib import Path

from fslt_survey import config
from fslt_survey.config import SURVEYS
from fslt_survey.pipeline import clean_survey
from fslt_survey.render import render_project
from fslt_survey.store import instrument_path, write_clean


def clean_all(out: Path | None = None, *, policy: str = config.UNKNOWN_VALUE_POLICY) -> list[str]:
    """Clean every bundled survey; returns one summary line per survey."""
    out = out or config.CLEAN_DIR
    lines = []
    for survey in SURVEYS:
        real = instrument_path(survey).parent / "raw"
        demo = not real.is_dir()
        result = clean_survey(survey, demo=demo, policy=policy)
        write_clean(result, out)
        log = result.log
        lines.append(
            f"  {survey}: {log.rows_in} rows read, {log.rows_kept} kept, {log.rows_excluded} "
            f"excluded ({'demo data' if demo else 'raw data in ' + str(real)})"
        )
    return lines


def build(
    *, engine: str = "auto", force: bool = False, progress: bool = True, out: Path | None = None
) -> str:
    """Clean all surveys and render the site; returns a summary for people."""

    lines = ["Cleaned:", *clean_all()]
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
