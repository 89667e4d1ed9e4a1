"""The render benchmark's section of ``results.md`` (targets from the render-engine issue)."""

from __future__ import annotations

from typing import Any

#: Targets: cold render at most 1.3x the compute floor; a warm render at most 1 s with no
#: kernel started; a feedback sheet at most 0.5 s.
FLOOR_TARGET = 1.3
#: The compute floor the render-engine issue measured (idle, 2 cores, before the work on it):
#: the target is half of it.
FLOOR_BASELINE = 13.3
WARM_TARGET = 1.0
SHEET_TARGET = 0.5


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render_markdown(r: Any) -> list[str]:
    out = ["## Rendering", ""]
    if r.error:
        return [*out, f"Not measured: {r.error}.", ""]
    out += [
        f"Project: `{r.project}` ({len(r.documents)} pages), built-in engine, on a temporary "
        "copy with freshly cleaned demo data whose findings were computed once first, as "
        "`fslt-survey build` does before it renders. The *compute floor* is the same pages' "
        "Python cells run one after another in one interpreter, with no kernel, pandoc or "
        "Typst (`benchmarks/floor.py`), measured in the same run.",
    ]
    if r.skipped_pages:
        out.append(f"Pages listed in `_quarto.yml` but missing: {', '.join(r.skipped_pages)}.")
    out += ["", *_builds(r), "", *_documents(r), ""]
    return out


def _builds(r: Any) -> list[str]:
    warm_ok = r.warm_seconds <= WARM_TARGET and not r.warm_executed and r.kernels_warm == 0
    changed_ok = r.changed_executed == [r.changed_page]
    ratio = r.floor_ratio
    rows = [
        "| build | seconds | kernels | pages executed | target |",
        "| --- | ---: | ---: | --- | --- |",
        f"| cold (`force=True`) | {r.cold_seconds:.2f} | {r.kernels_cold} "
        f"| all {len(r.documents)} | |",
        f"| compute floor | {r.floor_seconds:.2f} | 0 | | <= {FLOOR_BASELINE / 2:g} s (half "
        f"of {FLOOR_BASELINE:g} s): {_mark(0 < r.floor_seconds <= FLOOR_BASELINE / 2)} |",
        f"| cold / floor | {_f(ratio)} | | | <= {FLOOR_TARGET:g}: "
        f"{_mark(ratio is not None and ratio <= FLOOR_TARGET)} |",
        f"| warm, nothing changed | {r.warm_seconds:.2f} | {r.kernels_warm} "
        f"| {len(r.warm_executed)} | <= {WARM_TARGET:g} s, no kernel: {_mark(warm_ok)} |",
        f"| one page changed (`{r.changed_page}`) | {r.changed_seconds:.2f} | "
        f"| {', '.join(r.changed_executed) or 'none'} | only that page: {_mark(changed_ok)} |",
    ]
    if r.project == "demo":  # (the tiny project has no survey, so no findings)
        rows.insert(3, f"| findings, computed once before rendering | {r.findings_seconds:.2f} "
                       "| 0 | | |")
    if r.feedback_sheets:
        per = r.feedback_seconds / r.feedback_sheets
        rows.append(
            f"| feedback sheets, all {r.feedback_sheets} associations (one process) "
            f"| {r.feedback_seconds:.2f} | | {_f(per, 3)} s per sheet "
            f"| <= {SHEET_TARGET:g} s per sheet: {_mark(per <= SHEET_TARGET)} |"
        )
    return rows


def _documents(r: Any) -> list[str]:
    compare = any(d.compare_seconds is not None for d in r.documents)
    head = "| document | built-in s | floor s |" + (" comparison s | ratio |" if compare else "")
    rows = [
        "Per document, cold: the built-in engine (execution and conversion) against the "
        "document's share of the compute floor"
        + (f", and against {r.compare_tool} of an equivalent notebook." if compare else "."),
        "",
        head,
        "| --- | ---: | ---: |" + (" ---: | ---: |" if compare else ""),
    ]
    for d in r.documents:
        row = f"| {d.source} | {d.cold_seconds:.2f} | {_f(d.floor_seconds)} |"
        if compare:
            ratio = d.cold_seconds / d.compare_seconds if d.compare_seconds else None
            row += f" {_f(d.compare_seconds)} | {_f(ratio)} |"
        rows.append(row)
    return rows
