"""Publishing: the only way tables, figures and quotes reach the site and the PDFs.

Every function here applies small-cell suppression (k from :data:`config.SUPPRESSION_K`) before
anything is shown, escapes survey text for Markdown/HTML, and neutralises downloads against
formula injection. Reports call these functions and print their Markdown in ``output: asis``
cells, which Quarto and the built-in engine render the same way.

Examples
--------
In a report cell::

    #| output: asis
    tab = stats.tab_single(data, "kommune_kontakt")
    print(publish.frequency_table(tab, caption="Fast kontaktperson i kommunen"))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.privacy import (
    redact_text,
    suppress_counts,
    write_csv_safe,
    write_xlsx_safe,
)
from fslt_survey.tables import (
    EN_DASH,
    escape_markdown,
    format_ci,
    format_number,
    format_pct,
    to_markdown_table,
)

#: Shown in a table cell that is hidden by disclosure control.
HIDDEN = EN_DASH
SUPPRESSION_NOTE = (
    "– = skjult, fordi færre end {k} foreninger står bag tallet (eller fordi tallet ellers "
    "kunne regnes ud fra de andre)."
)


def _k(k: int | None) -> int:
    return config.SUPPRESSION_K if k is None else k


def suppress(
    tab: pd.DataFrame, *, k: int | None = None, by: str | None = None, multi_select: bool = False
) -> pd.DataFrame:
    """Suppress a tidy frequency table from :mod:`fslt_survey.stats` (all items in it).

    Typed-missing rows (``missing`` column True) are suppressed as a table of their own, since
    they do not add up to the substantive base.
    """
    if tab.empty:
        return tab.assign(suppressed=pd.Series(dtype=bool))
    parts = []
    has_missing = "missing" in tab.columns
    keys = ["item"] + ([by] if by else [])
    subs = (
        [tab.loc[~tab["missing"].astype(bool)], tab.loc[tab["missing"].astype(bool)]]
        if has_missing
        else [tab]
    )
    for sub in subs:
        if sub.empty:
            continue
        group_col = by if by else None
        parts.append(
            suppress_counts(
                sub,
                k=_k(k),
                group_col=group_col,
                by=[c for c in keys if c != by],
                multi_select=multi_select,
                column_totals=False,
            )
        )
    out = pd.concat(parts).sort_index()
    return out


def frequency_table(
    tab: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    by: str | None = None,
    label: str | None = None,
    show_missing: bool = True,
    multi_select: bool = False,
) -> str:
    """A suppressed Danish Markdown table of one item's frequencies (``tab_single``/``tab_multi``).

    Columns: Svar, Antal, Andel, 95 %-konfidensinterval (and the group column when ``by``).
    """
    s = suppress(tab, k=k, by=by, multi_select=multi_select)
    if not show_missing and "missing" in s.columns:
        s = s.loc[~s["missing"].astype(bool)]
    rows = pd.DataFrame(
        {
            **({by: s[by].astype(str)} if by else {}),
            "Svar": s["category"].astype(str)
            + s.get("missing", pd.Series(False, index=s.index)).map(
                lambda m: " (uden for basen)" if m else ""
            ),
            "Antal": format_number(s["n"], na=HIDDEN),
            "Andel": format_pct(s["pct"], na=HIDDEN),
            "95 %-konfidensinterval": format_ci(s["ci_low"], s["ci_high"], na=HIDDEN),
        }
    )
    table = to_markdown_table(
        rows, caption=caption, label=label, align={"Antal": "right", "Andel": "right"}
    )
    base = _base_text(s)
    return f"{table}\n\n{base} {SUPPRESSION_NOTE.format(k=_k(k))}\n"


def _base_text(s: pd.DataFrame) -> str:
    if "base" not in s.columns or s.empty:
        return ""
    subst = s.loc[~s["missing"].astype(bool)] if "missing" in s.columns else s
    bases = pd.to_numeric(subst["base"], errors="coerce").dropna().unique()
    if len(bases) == 1:
        return f"Basis: {format_number(bases[0])} foreninger, der har svaret."
    return ""


def likert_table(
    summary: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    label: str | None = None,
) -> str:
    """Top-2 shares of a battery (``tab_likert_summary``), suppressed, as a Danish table."""
    k = _k(k)
    rows = []
    for r in summary.itertuples(index=False):
        top2 = r.top2_n
        hidden = pd.isna(top2) or 0 < top2 < k or 0 < (r.base - top2) < k or r.base < k
        rows.append(
            {
                "Spørgsmål": str(r.label),
                "Basis": format_number(r.base) if r.base >= k else HIDDEN,
                "Andel (de to øverste svar)": HIDDEN if hidden else format_pct(r.top2_pct),
                "95 %-konfidensinterval": HIDDEN
                if hidden
                else format_ci(r.top2_ci_low, r.top2_ci_high),
                "Median": str(r.median) if r.base >= k and not pd.isna(r.median) else HIDDEN,
                "Ved ikke m.m.": format_number(r.n_missing)
                if r.n_missing == 0 or r.n_missing >= k
                else HIDDEN,
            }
        )
    table = to_markdown_table(
        pd.DataFrame(rows),
        caption=caption,
        label=label,
        align={"Basis": "right", "Andel (de to øverste svar)": "right"},
    )
    return f"{table}\n\n{SUPPRESSION_NOTE.format(k=k)}\n"


def ranking_table(
    ranking: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    by: str | None = None,
    label: str | None = None,
) -> str:
    """The needs ranking (``rank_needs``) with counts suppressed, as a Danish table."""
    s = suppress_ranking(ranking, k=k, by=by)
    rows = pd.DataFrame(
        {
            **({"Gruppe": s[by].astype(str)} if by else {}),
            "Behov": s["label"].astype(str),
            "Antal med stort behov": format_number(s["n"], na=HIDDEN),
            "Basis": format_number(s["base"], na=HIDDEN),
            "Andel med stort behov": format_pct(s["pct"], na=HIDDEN),
            "95 %-konfidensinterval": format_ci(s["ci_low"], s["ci_high"], na=HIDDEN),
        }
    )
    table = to_markdown_table(rows, caption=caption, label=label)
    return f"{table}\n\n{SUPPRESSION_NOTE.format(k=_k(k))}\n"


def suppress_ranking(
    ranking: pd.DataFrame, *, k: int | None = None, by: str | None = None
) -> pd.DataFrame:
    """Suppress a needs ranking: each row is a share (n of base) of its own item.

    A row is hidden when n or base - n is below k (either would single out a few
    associations), or the base itself is below k.
    """
    k = _k(k)
    out = ranking.copy()
    n = pd.to_numeric(out["n"], errors="coerce")
    base = pd.to_numeric(out["base"], errors="coerce")
    hide = ((n > 0) & (n < k)) | ((base - n > 0) & (base - n < k)) | (base < k)
    for col in ("n", "pct", "ci_low", "ci_high"):
        if col in out.columns:
            out[col] = out[col].astype("Float64").mask(hide)
    out.loc[base < k, "base"] = pd.NA
    out["suppressed"] = hide.to_numpy()
    return out


def figure(chart, name: str, *, caption: str, folder: str | Path = "figurer") -> str:
    """Save a chart (SVG + PNG) beside the document and return its Markdown image.

    The image carries the chart's alt text as ``fig-alt`` (Quarto's attribute; the built-in
    engine maps it to ``alt``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    chart.save(stem)
    alt = chart.alt.replace('"', "'").replace("\n", " ")
    cap = escape_markdown(caption)
    return f'![{cap}]({stem.as_posix()}.svg){{fig-alt="{alt}"}}\n'


def quotes(
    texts: Iterable[object], *, limit: int = 6, names: Sequence[str] = (), min_length: int = 15
) -> str:
    """Redacted, escaped free-text answers as Markdown block quotes.

    Texts are redacted again (defence in depth: the clean data is already redacted), shortened to
    300 characters, deduplicated and chosen deterministically (longest informative first).
    """
    seen: set[str] = set()
    chosen: list[str] = []
    candidates = [str(t).strip() for t in texts if isinstance(t, str) and t.strip()]
    for text in sorted(candidates, key=lambda t: (-min(len(t), 300), t)):
        red = redact_text(text, names)
        if len(red) < min_length or red.casefold() in seen:
            continue
        seen.add(red.casefold())
        if len(red) > 300:
            red = red[:297].rsplit(" ", 1)[0] + " …"
        chosen.append(red)
        if len(chosen) >= limit:
            break
    if not chosen:
        return "*Ingen citater at vise.*\n"
    return "\n".join(f"> {escape_markdown(q)}\n" for q in chosen)


def downloads(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write already suppressed tables as CSV (Danish Excel: ``;`` and decimal comma) and XLSX.

    Names are file stems; cells are neutralised against formula injection.
    """
    folder = Path(folder)
    written: list[Path] = []
    for stem, df in tables.items():
        if not re.fullmatch(r"[a-z0-9_-]+", stem):
            raise ValueError(f"download name {stem!r} must be lower-case a-z, 0-9, _ or -")
        written.append(write_csv_safe(df, folder / f"{stem}.csv"))
        written.append(write_xlsx_safe(df, folder / f"{stem}.xlsx", sheet_name=stem[:31]))
    return written


def public_frequencies(
    tab: pd.DataFrame, *, k: int | None = None, by: str | None = None, multi_select: bool = False
) -> pd.DataFrame:
    """A suppressed frequency table with Danish column names, ready for download."""
    s = suppress(tab, k=k, by=by, multi_select=multi_select)
    out = pd.DataFrame(
        {
            "spoergsmaal": s["item"].astype(str),
            "tekst": s["label"].astype(str),
            **({"gruppe": s[by].astype(str)} if by else {}),
            "svar": s["category"].astype(str),
            "uden_for_basen": s["missing"].astype(bool) if "missing" in s.columns else False,
            "antal": s["n"].astype("Int64"),
            "basis": s["base"].astype("Int64"),
            "andel_pct": s["pct"].round(1),
            "ki_nedre_pct": s["ci_low"].round(1),
            "ki_oevre_pct": s["ci_high"].round(1),
            "skjult": s["suppressed"].astype(bool),
        }
    )
    return out.reset_index(drop=True)
