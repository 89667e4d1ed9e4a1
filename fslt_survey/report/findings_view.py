"""Tables and sentences rendered from findings (:mod:`fslt_survey.publish.findings`).

The theme pages show the findings by id: every share, interval, change and verdict printed
here is the finding's own (:meth:`~fslt_survey.publish.Finding.text`), wrapped in a span that
carries its id (``data-finding``) so a test can compare every output with the findings table.
Survey texts are escaped; the markers are the only Markdown written unescaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fslt_survey.codebook import Item
from fslt_survey.config import CONFIDENCE, TOTAL_LABEL
from fslt_survey.danish import MINUS
from fslt_survey.publish import Finding, Findings, suppression_note
from fslt_survey.publish.estimate import hits
from fslt_survey.publish.measures import HIDDEN
from fslt_survey.stats import svydesign
from fslt_survey.tables import ci_heading, escape_markdown, format_number, to_markdown_table

__all__ = [
    "change_frame",
    "change_table",
    "changes_for",
    "findings_markdown",
    "heading",
    "likert_findings_table",
    "public_changes",
    "public_findings",
    "ranking_with_findings",
    "with_findings",
]


def heading(f: Finding) -> str:
    """The measure's name as a column heading ("Andel i høj eller nogen grad")."""
    name = f.measure.name
    return name[:1].upper() + name[1:]


def _base(f: Finding) -> str:
    return format_number(f.base) if f.shown else HIDDEN


def changes_for(store: Findings, its: Sequence[Item], category: str | None = None) -> list[Finding]:
    """The changes a trend block shows: the top two answers of an ordered scale (or
    ``category``), the first answer of an unordered item, each option of a multi-select."""
    out = []
    for it in its:
        if it.scale is None:
            continue
        if it.type == "multi":
            out += [store.change(it, [lab.label]) for lab in it.scale.substantive]
        else:
            out.append(store.change(it, None if category is None else [category]))
    return out


def change_table(
    r_unit: str, changes: Sequence[Finding], *, k: int, caption: str, conf: float = CONFIDENCE
) -> str:
    """The changes as a Danish table: both years with their bases, the change with its
    interval and the one adjusted verdict, the symbols explained once under the table."""
    if not changes:
        return "*Ingen sammenligning at vise.*\n"
    wa, wb = changes[0].waves
    rows = []
    for c in changes:
        assert c.before is not None and c.after is not None
        rows.append(
            {
                "Spørgsmål": escape_markdown(c.label),
                "Måling": escape_markdown(c.measure.name),
                f"{wa} (basis)": f"{c.before.marker(c.before.value())} ({_base(c.before)})",
                f"{wb} (basis)": f"{c.after.marker(c.after.value())} ({_base(c.after)})",
                "Ændring (procentpoint)": c.marker(c.value() + ("*" if c.significant else "")),
                ci_heading(conf): c.marker(c.interval()) if c.shown else HIDDEN,
                "Vurdering": c.verdict or HIDDEN,
            }
        )
    table = to_markdown_table(pd.DataFrame(rows), caption=caption, escape=False)
    note = (
        "Ændringen er i procentpoint. Den er beregnet, så de foreninger, der har svaret begge "
        "år, sammenlignes med sig selv (metoden for delvist overlappende stikprøver), og "
        "intervallet tager højde for, at næsten alle medlemsforeninger har svaret "
        "(endelig population). * = sikker ændring efter Benjamini-Hochberg-korrektion for "
        "alle ændringer, der hører til samme strategimål; samme vurdering står overalt i "
        "rapporten."
    )
    return f"{table}\n{note} {suppression_note(k, r_unit)}\n"


def change_frame(changes: Sequence[Finding]) -> pd.DataFrame:
    """The changes in the shape :func:`fslt_survey.plots.plot_dumbbell` draws (hidden values
    are NaN, the verdict is the finding's ``significant``)."""
    rows = []
    for c in changes:
        a, b = c.before, c.after
        assert a is not None and b is not None
        rows.append(
            {
                "item": c.item,
                "label": c.label if not c.measure.multi else c.measure.labels[0],
                "measure": "category",
                "category": ", ".join(c.measure.labels),
                "wave_from": c.waves[0],
                "wave_to": c.waves[1],
                "pct_from": a.estimate if a.shown else np.nan,
                "pct_to": b.estimate if b.shown else np.nan,
                "base_from": a.base if a.shown else np.nan,
                "base_to": b.base if b.shown else np.nan,
                "diff": c.estimate if c.shown else np.nan,
                "significant": bool(c.shown and c.significant),
            }
        )
    return pd.DataFrame(rows)


def likert_findings_table(
    store: Findings,
    its: Sequence[Item],
    summary: pd.DataFrame,
    *,
    k: int,
    caption: str,
    unit: str,
    top: Sequence[str] | None = None,
) -> str:
    """A battery's headline shares (the measure named in the heading), each from its finding,
    with the median and the typed-missing count from ``summary`` (``tab_likert_summary``)."""
    rows = []
    head = "Andel"
    for it in its:
        f = store.share(it, list(top) if top else None)
        head = heading(f)
        s = summary.loc[summary["item"] == it.id]
        base_ok = f.base >= k
        median = s["median"].iloc[0] if len(s) else None
        n_miss = int(s["n_missing"].iloc[0]) if len(s) else 0
        rows.append(
            {
                "Spørgsmål": escape_markdown(it.label),
                "Basis": format_number(f.base) if base_ok else HIDDEN,
                head: f.marker(f.value()),
                ci_heading(store.conf): f.marker(f.interval()) if f.shown else HIDDEN,
                "Median": escape_markdown(str(median))
                if base_ok and median is not None and not pd.isna(median)
                else HIDDEN,
                "Ved ikke m.m.": format_number(n_miss) if n_miss == 0 or n_miss >= k else HIDDEN,
            }
        )
    table = to_markdown_table(
        pd.DataFrame(rows),
        caption=caption,
        escape=False,
        align={"Basis": "right", head: "right", "Ved ikke m.m.": "right"},
    )
    return f"{table}\n{suppression_note(k, unit)}\n"


def with_findings(
    store: Findings, tab: pd.DataFrame, item: Item, wave: int, *, column: str = "category"
) -> pd.DataFrame:
    """``tab`` (a frequency or ranking table of ``item`` in ``wave``) with each substantive
    row's share and interval replaced by its finding's, and rows whose finding is hidden
    marked hidden (``suppressed``) - one number wherever the share is shown."""
    out = tab.copy()
    missing = out["missing"].to_numpy(dtype=bool) if "missing" in out.columns else None
    found = {
        pos: store.share(item, [str(cat)], wave)
        for pos, cat in enumerate(out[column])
        if missing is None or not missing[pos]
    }
    _put(out, found)
    return out


def _put(out: pd.DataFrame, found: Mapping[int, Finding]) -> None:
    """Each finding's share and interval into its row (by position), all at once. A hidden
    finding empties its row's share and interval; in a published table (one with
    ``suppressed``) it hides the count too, while a raw table keeps its counts for the
    suppression that follows."""
    cols = [out.columns.get_loc(c) for c in ("pct", "ci_low", "ci_high")]
    shown = [pos for pos, f in found.items() if f.shown]
    hidden = [pos for pos, f in found.items() if not f.shown]
    if shown:
        values = [[found[p].estimate, found[p].ci_low, found[p].ci_high] for p in shown]
        out.iloc[shown, cols] = np.asarray(values, dtype=float)
    if hidden:
        out.iloc[hidden, cols] = np.nan
        if "suppressed" in out.columns:
            out.iloc[hidden, out.columns.get_loc("n")] = pd.NA
            out.iloc[hidden, out.columns.get_loc("suppressed")] = True


def ranking_with_findings(
    store: Findings,
    ranking: pd.DataFrame,
    large: str | Sequence[str],
    registry: pd.DataFrame | None = None,
    *,
    by: str = "assoc_type",
    source: str = "assoc_type",
    members: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A suppressed needs ranking (one row per item, optionally per group in column ``by``)
    whose overall rows take their share and interval from the finding "andel <large>" of the
    item (``large``: the answer, or answers, counted).

    Group rows (with ``registry``) get the design interval within their stratum: the group's
    respondents out of its ``N_h`` registry members, FPC ``1 - n_h / N_h``, Wilson on the
    design's effective n - the same method as the findings, one stratum at a time. A group is
    the categories ``members[group]`` of the registry variable ``source`` (default: the
    category of the group's own name)."""
    labels = [large] if isinstance(large, str) else list(large)
    out = ranking.copy()
    hidden = (
        out["suppressed"].to_numpy(dtype=bool)
        if "suppressed" in out.columns
        else np.zeros(len(out), dtype=bool)
    )
    groups = out[by].astype(str) if by in out.columns else pd.Series(TOTAL_LABEL, out.index)
    found: dict[int, Finding] = {}
    intervals: dict[int, tuple[float, float]] = {}
    strata: dict[str, tuple[pd.DataFrame, int]] = {}
    for pos, (group, item) in enumerate(zip(groups, out["item"].astype(str), strict=True)):
        if hidden[pos]:
            continue
        if group == TOTAL_LABEL:
            found[pos] = store.share(item, labels)
        elif registry is not None:
            if group not in strata:
                cats = list((members or {}).get(group, [group]))
                strata[group] = _stratum(store, (source, cats), registry)
            ci = _group_interval(store, item, labels, *strata[group])
            if ci is not None:
                intervals[pos] = ci
    _put(out, found)
    if intervals:
        cols = [out.columns.get_loc(c) for c in ("ci_low", "ci_high")]
        out.iloc[list(intervals), cols] = np.asarray(list(intervals.values()), dtype=float)
    return out


def _stratum(
    store: Findings, group: tuple[str, list[str]], registry: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """The latest wave's respondents of a group and its number of registry members."""
    source, cats = group
    wave = store.waves[-1]
    d = store.data.loc[(store.data["wave"] == wave) & store.data[source].astype(str).isin(cats)]
    return d, int(registry[source].astype(str).isin(cats).sum())


def _group_interval(
    store: Findings, item: str, labels: list[str], d: pd.DataFrame, big_n: int
) -> tuple[float, float] | None:
    """The design interval (percent) of the share answering ``labels`` within a stratum."""
    if d.empty or big_n < len(d):
        return None
    y, _ = hits(d, store.instrument.item(item), store.measure(item, labels))
    est = svydesign(d, population=float(big_n)).share(y, store.conf)
    if est.ci_low != est.ci_low:
        return None
    return (100 * est.ci_low, 100 * est.ci_high)


def public_findings(store: Findings) -> pd.DataFrame:
    """The published findings table (:data:`fslt_survey.publish.FINDING_COLUMNS`): every
    figure with its id, page, measure, estimate, interval, base and verdict; hidden figures
    with their status and reason but no numbers. Sorted by id: the same bytes from the same
    raw data."""
    return store.table()


def public_changes(changes: Sequence[Finding]) -> pd.DataFrame:
    """The changes as a download: one row per change finding."""
    rows = []
    for c in changes:
        a, b = c.before, c.after
        assert a is not None and b is not None
        rows.append(
            {
                "id": c.id,
                "spoergsmaal": c.label,
                "maaling": c.measure.name,
                f"andel_pct_{a.waves[0]}": round(a.estimate, 4) if a.shown else None,
                f"basis_{a.waves[0]}": a.base if a.shown else None,
                f"andel_pct_{b.waves[0]}": round(b.estimate, 4) if b.shown else None,
                f"basis_{b.waves[0]}": b.base if b.shown else None,
                "aendring_procentpoint": round(c.estimate, 4) if c.shown else None,
                "ki_nedre": round(c.ci_low, 4) if c.shown else None,
                "ki_oevre": round(c.ci_high, 4) if c.shown else None,
                "p_justeret": round(c.p_adj, 4) if c.shown and c.p_adj == c.p_adj else None,
                "vurdering": c.verdict,
                "skjult": not c.shown,
            }
        )
    return pd.DataFrame(rows)


def _span(low: str, high: str) -> str:
    """ "4–19", or "−10 til 8" when a bound is negative (a dash next to a minus misreads)."""
    sep = " til " if low.startswith(MINUS) or high.startswith(MINUS) else "–"
    return f"{low}{sep}{high}"


def findings_markdown(store: Findings, *, unit: str, k: int) -> str:
    """The findings table on the Data page: every figure of the release (the ids are in the
    download, not on the page)."""
    t = store.table()
    pct = t["id"].map(lambda i: not i.startswith("indeks-"))

    def num(v: object, is_pct: bool) -> str:
        if v is None or pd.isna(v):
            return ""
        return format_number(v, 0 if is_pct else 1)

    shown = pd.DataFrame(
        {
            "Side": t["side"].map(lambda page: store.instrument.themes.get(page, page)),
            "Måling": t["maaling"].map(escape_markdown),
            "År": t["aar"],
            "Skøn": [
                num(v, p) if s == "vist" else (HIDDEN if s == "skjult" else "·")
                for v, p, s in zip(t["estimat"], pct, t["status"], strict=True)
            ],
            "Interval": [
                _span(num(lo, p), num(hi, p)) if lo is not None and not pd.isna(lo) else ""
                for lo, hi, p in zip(t["ci_nedre"], t["ci_oevre"], pct, strict=True)
            ],
            "Basis": t["basis"].map(lambda b: "" if b is None or pd.isna(b) else str(int(b))),
            "Vurdering": t["vurdering"],
        }
    )
    table = to_markdown_table(shown, caption="Alle fund i rapporten", escape=False)
    note = (
        "Hvert tal på siderne og i PDF'erne er et *fund*. Andele og deres ændringer er i procent "
        "og procentpoint, indeks i point. Den samme tabel kan hentes som »fund.csv« ovenfor, med "
        "hvert funds faste id og begrundelsen for hvert skjult tal."
    )
    return f"{table}\n{note} {suppression_note(k, unit)}\n"
