"""Publishing: the only way tables, figures and quotes reach the site and the PDFs.

Every function here applies small-cell suppression (k from :data:`config.SUPPRESSION_K`) before
anything is shown, escapes survey text for Markdown/HTML, and neutralises downloads against
formula injection. Reports call these functions (through :mod:`fslt_survey.report`) and print
their Markdown in ``output: asis`` cells, which Quarto and the built-in engine render alike.

The rules that decide which numbers may be shown (one suppressed distribution per item, derived
numbers only when they add nothing to it) are in :mod:`fslt_survey.publish.rules` and
re-exported here. This module shows the numbers: Markdown tables with the suppression note,
figures with their alt texts, redacted quotes and the downloads (CSV and XLSX).

Examples
--------
In a report cell::

    #| output: asis
    tab = stats.tab_single(data, "kommune_kontakt")
    print(publish.frequency_table(tab, caption="Fast kontaktperson i kommunen"))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.config import CONFIDENCE
from fslt_survey.danish import signed
from fslt_survey.plots import PHONE
from fslt_survey.privacy import (
    redact_text,
)
from fslt_survey.publish.downloads import (
    downloads,
    public_frequencies,
    public_ranking,
    public_trend,
)
from fslt_survey.publish.measures import HIDDEN as MEASURE_HIDDEN
from fslt_survey.publish.rules import (
    _k,
    share_publishable,
    small_count,
    suppress,
    suppress_ranking,
)
from fslt_survey.tables import (
    ci_heading,
    escape_markdown,
    format_ci,
    format_number,
    format_p,
    format_pct,
    markdown_image,
    responsive_image,
    to_markdown_table,
)

__all__ = [
    "HIDDEN",
    "SUPPRESSION_NOTE",
    "downloads",
    "figure",
    "frequency_table",
    "likert_table",
    "name_candidates",
    "public_frequencies",
    "public_ranking",
    "public_trend",
    "quotes",
    "ranking_table",
    "suppression_note",
    "trend_table",
]

#: Shown in a table cell that is hidden by disclosure control (the release's symbol,
#: :data:`fslt_survey.publish.measures.HIDDEN`).
HIDDEN = MEASURE_HIDDEN
#: The note with the survey's unit as a placeholder (see :func:`suppression_note`).
SUPPRESSION_NOTE_UNIT = (
    f"{MEASURE_HIDDEN} = skjult, fordi færre end {{k}} {{unit}} står bag tallet (eller fordi "
    "tallet ellers kunne regnes ud fra de andre)."
)
SUPPRESSION_NOTE = SUPPRESSION_NOTE_UNIT.replace("{unit}", "foreninger")


def suppression_note(k: int | None = None, unit: str = "foreninger") -> str:
    """The Danish sentence explaining the dash, for under a table or figure; ``unit`` is what
    the survey counts, in the plural (:data:`fslt_survey.project.UNITS`)."""
    return SUPPRESSION_NOTE_UNIT.format(k=_k(k), unit=unit)


# --------------------------------------------------------------------------- tables


def frequency_table(
    tab: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    by: str | None = None,
    label: str | None = None,
    show_missing: bool = True,
    multi_select: bool = False,
    suppressed: pd.DataFrame | None = None,
    conf: float = CONFIDENCE,
    unit: str = "foreninger",
) -> str:
    """A suppressed Danish Markdown table of one item's frequencies (``tab_single``/``tab_multi``).

    Columns: Svar, Antal, Andel, 95 %-konfidensinterval (and the group column with ``by``).
    Typed-missing reasons nobody gave are left out; the others follow as "(uden for basen)".
    """
    k = _k(k)
    s = (
        suppressed
        if suppressed is not None
        else suppress(tab, k=k, by=by, multi_select=multi_select)
    )
    if "missing" in s.columns:
        s = _merge_small_missing(s, by)
        miss = s["missing"].astype(bool)
        empty_reason = miss & (s["n"].fillna(-1) == 0) & ~s["suppressed"]
        s = s.loc[~empty_reason & (~miss if not show_missing else True)]
    flag = s["missing"].astype(bool) if "missing" in s.columns else pd.Series(False, s.index)
    rows = pd.DataFrame(
        {
            **({by: s[by].astype(str)} if by else {}),
            "Svar": s["category"].astype(str)
            + flag.map(lambda m: " (uden for basen)" if m else ""),
            "Antal": format_number(s["n"], na=HIDDEN),
            "Andel": format_pct(s["pct"], na=HIDDEN),
            ci_heading(conf): format_ci(s["ci_low"], s["ci_high"], na=HIDDEN),
        }
    )
    # a typed-missing reason's share is of everyone asked: show the count only
    rows.loc[flag.to_numpy(), ["Andel", ci_heading(conf)]] = ""
    table = to_markdown_table(
        rows, caption=caption, label=label, align={"Antal": "right", "Andel": "right"}
    )
    base = _base_text(s, multi_select=multi_select, unit=unit)
    return f"{table}\n{base} {suppression_note(k, unit)}\n"


def _merge_small_missing(s: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Typed-missing reasons that are all hidden become one row "Ved ikke m.m."."""
    keys = ["item"] + ([by] if by else [])
    parts = []
    for _, grp in s.groupby(keys, sort=False, observed=True):
        m = grp.loc[grp["missing"].astype(bool)]
        if len(m) > 1 and m["suppressed"].all():
            row = m.iloc[[0]].copy()
            row["category"] = "Ved ikke m.m."
            parts.append(grp.loc[~grp["missing"].astype(bool)])
            parts.append(row)
        else:
            parts.append(grp)
    return pd.concat(parts) if parts else s


def _base_text(s: pd.DataFrame, *, multi_select: bool = False, unit: str = "foreninger") -> str:
    if "base" not in s.columns or s.empty:
        return ""
    subst = s.loc[~s["missing"].astype(bool)] if "missing" in s.columns else s
    bases = pd.to_numeric(subst["base"], errors="coerce").dropna().unique()
    if len(bases) == 1:
        more = (
            " Flere svar var mulige, så andelene summer til mere end 100 %." if multi_select else ""
        )
        return f"Basis: {format_number(bases[0])} {unit}, der har svaret.{more}"
    return ""


def likert_table(
    summary: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    label: str | None = None,
    distribution: pd.DataFrame | None = None,
    top_labels: Sequence[str] | None = None,
    conf: float = CONFIDENCE,
) -> str:
    """Top-2 shares of a battery (``tab_likert_summary``), suppressed, as a Danish table.

    Pass the battery's ``tab_likert`` as ``distribution`` (and the top labels when they are not
    the first two) so a top-2 share is only shown when it reveals no hidden cell of the
    distribution published beside it.
    """
    k = _k(k)
    sup = suppress(distribution, k=k) if distribution is not None else None
    rows = []
    for r in summary.itertuples(index=False):
        top2 = r.top2_n
        hidden = (
            pd.isna(top2) or small_count(top2, k) or small_count(r.base - top2, k) or r.base < k
        )
        if not hidden and distribution is not None:
            d = distribution.loc[distribution["item"] == r.item]
            subst = d.loc[~d["missing"].astype(bool)]
            labels = list(top_labels) if top_labels else list(subst["category"].astype(str))[:2]
            hidden = not share_publishable(d, labels, k=k, suppressed=sup.loc[d.index])
        miss_ok = r.n_missing == 0 or r.n_missing >= k
        rows.append(
            {
                "Spørgsmål": str(r.label),
                "Basis": format_number(r.base) if r.base >= k else HIDDEN,
                "Andel (de to øverste svar)": HIDDEN if hidden else format_pct(r.top2_pct),
                ci_heading(conf): HIDDEN if hidden else format_ci(r.top2_ci_low, r.top2_ci_high),
                "Median": str(r.median) if r.base >= k and not pd.isna(r.median) else HIDDEN,
                "Ved ikke m.m.": format_number(r.n_missing) if miss_ok else HIDDEN,
            }
        )
    table = to_markdown_table(
        pd.DataFrame(rows),
        caption=caption,
        label=label,
        align={"Basis": "right", "Andel (de to øverste svar)": "right", "Ved ikke m.m.": "right"},
    )
    return f"{table}\n{suppression_note(k)}\n"


def ranking_table(
    ranking: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    by: str | None = None,
    label: str | None = None,
    suppressed: pd.DataFrame | None = None,
    distributions: pd.DataFrame | None = None,
    conf: float = CONFIDENCE,
) -> str:
    """The needs ranking (``rank_needs``) with counts suppressed, as a Danish table."""
    k = _k(k)
    s = (
        suppressed
        if suppressed is not None
        else suppress_ranking(ranking, k=k, by=by, distributions=distributions)
    )
    rows = pd.DataFrame(
        {
            **({"Gruppe": s[by].astype(str)} if by else {}),
            "Nr.": s["rank"].map(lambda r: HIDDEN if pd.isna(r) else f"{int(r)}."),
            "Behov": s["label"].astype(str),
            "Antal med stort behov": format_number(s["n"], na=HIDDEN),
            "Basis": format_number(s["base"], na=HIDDEN),
            "Andel med stort behov": format_pct(s["pct"], na=HIDDEN),
            ci_heading(conf): format_ci(s["ci_low"], s["ci_high"], na=HIDDEN),
        }
    )
    table = to_markdown_table(
        rows,
        caption=caption,
        label=label,
        align={"Nr.": "right", "Antal med stort behov": "right", "Basis": "right"},
    )
    return f"{table}\n{suppression_note(k)}\n"


def trend_table(
    trend: pd.DataFrame,
    *,
    caption: str | None = None,
    k: int | None = None,
    conf: float = CONFIDENCE,
) -> str:
    """A suppressed wave comparison (:func:`suppress_trend`) as a Danish table."""

    k = _k(k)
    if trend.empty:
        return "*Ingen sammenligning at vise.*\n"
    wa, wb = trend["wave_from"].iloc[0], trend["wave_to"].iloc[0]

    def diff_text(r: Any) -> str:
        if pd.isna(r.diff):
            return HIDDEN
        return signed(r.diff, 0)

    pcol = "p_adj" if "p_adj" in trend.columns else "p"
    rows = pd.DataFrame(
        {
            "Spørgsmål": trend["label"].astype(str),
            "Svar": trend["category"].astype(str),
            f"Andel {wa}": format_pct(trend["pct_from"], na=HIDDEN),
            f"Basis {wa}": format_number(trend["base_from"], na=HIDDEN),
            f"Andel {wb}": format_pct(trend["pct_to"], na=HIDDEN),
            f"Basis {wb}": format_number(trend["base_to"], na=HIDDEN),
            "Ændring (procentpoint)": [diff_text(r) for r in trend.itertuples(index=False)],
            ci_heading(conf): [
                HIDDEN
                if pd.isna(r.diff_ci_low)
                else f"({format_number(r.diff_ci_low)} til {format_number(r.diff_ci_high)})"
                for r in trend.itertuples(index=False)
            ],
            "p (justeret)": format_p(trend[pcol], prefix=False, na=HIDDEN),
        }
    )
    table = to_markdown_table(rows, caption=caption)
    note = (
        f"Ændringen er i procentpoint med Newcombes {ci_heading(conf)}; p-værdierne er "
        "justeret for mange sammenligninger (Benjamini-Hochberg)."
    )
    return f"{table}\n{note} {suppression_note(k)}\n"


# --------------------------------------------------------------------------- figures & quotes


def figure(
    chart: Any,
    name: str,
    *,
    caption: str,
    folder: str | Path = "figurer",
    label: str | None = None,
) -> str:
    """Save a chart as SVG (PNG only when asked, via ``Chart.save(formats=...)``) beside the
    document and return its Markdown image.

    The image carries the chart's Danish alt text as ``fig-alt`` (Quarto's attribute; the
    built-in engine maps it to ``alt``), via :func:`fslt_survey.render.markdown_image`.
    The chart must have been drawn from suppressed numbers. A chart that draws no number
    (:attr:`~fslt_survey.plots.Chart.empty`, e.g. every value hidden) is not saved: a sentence
    saying so stands in its place.
    """
    if getattr(chart, "empty", False):  # every value hidden or missing: say so, no blank chart
        return (
            f"*{escape_markdown(caption)}: figuren vises ikke, fordi der ikke er nogen tal, "
            "der kan offentliggøres.*\n"
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / (re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "figur")
    chart.save(stem)
    caption = escape_markdown(caption)
    narrow = chart.drawn_for(PHONE) if hasattr(chart, "drawn_for") else chart
    if narrow is chart:  # a chart built by hand cannot be redrawn: one drawing for all
        return markdown_image(f"{stem.as_posix()}.svg", alt=chart.alt, caption=caption, label=label)
    phone = stem.with_name(f"{stem.name}-mobil")
    narrow.save(phone)
    return responsive_image(
        f"{stem.as_posix()}.svg",
        f"{phone.as_posix()}.svg",
        alt=chart.alt,
        narrow_alt=narrow.alt,
        caption=caption,
        label=label,
    )


#: Words that start with a capital letter but are no person's name (places, institutions).
_NOT_NAMES = frozenset(
    {
        "lyngby", "lyngby-taarbæk", "taarbæk", "kongens", "virum", "sorgenfri", "lundtofte",
        "hjortekær", "brede", "kommune", "kommunen", "kommunens", "frivilligcenter",
        "frivilligcentret", "frivilligcentrets", "selvhjælp", "fslt", "rustenborgvej", "danmark",
        "gdpr", "it", "cpr", "cpr-nummer", "jobcenter", "sundhedscenter", "facebook", "mitid",
    }
)  # fmt: skip
_CAP_RUN = re.compile(r"(?<![\w\[])([A-ZÆØÅ][a-zæøåéü]+(?:[ -][A-ZÆØÅ][a-zæøåéü]+)+)")


def name_candidates(text: str) -> list[str]:
    """Runs of two or more capitalised words inside a sentence: possible personal names.

    Over-redaction is the safe side: "Lise Holm" is found, and so is an association's name;
    runs made only of place and institution words (``_NOT_NAMES``) are kept.
    """
    found = []
    for m in _CAP_RUN.finditer(text):
        before = text[: m.start()].rstrip()
        if not before or before[-1] in ".!?:;\n\"'»(–-":
            # sentence start: drop the first word, the rest may still be a name
            words = re.split(r"[ -]", m.group(1))[1:]
            if len(words) < 2:
                continue
            run = " ".join(words)
        else:
            run = m.group(1)
        words = [w.casefold() for w in re.split(r"[ -]", run)]
        if all(w in _NOT_NAMES for w in words):
            continue
        found.append(run)
    return found


def quotes(
    texts: Iterable[object],
    *,
    limit: int | None = 6,
    names: Sequence[str] = (),
    min_length: int = 15,
    attribution: Iterable[object] | None = None,
) -> str:
    """Redacted, escaped free-text answers as Markdown block quotes.

    Texts are redacted again (defence in depth: the clean data is already redacted), including
    the given ``names`` and runs of capitalised words that may be personal names
    (:func:`name_candidates`); folded to one line, shortened to 300 characters, deduplicated and
    chosen deterministically: the answers given most often first, then the longer ones.
    ``attribution`` (e.g. the wave of each text) is appended in brackets.
    """
    seen: dict[str, int] = {}
    first: dict[str, str] = {}
    extra = list(attribution) if attribution is not None else None
    items = list(texts)
    for pos, t in enumerate(items):
        if not isinstance(t, str) or not t.strip():
            continue
        text = " ".join(t.split())
        red = redact_text(text, [*names, *name_candidates(text)])
        letters = re.sub(r"\[[^\]]*\]|[^A-Za-zÆØÅæøå]", "", red)
        if len(letters) < min_length * 0.6 or len(red) < min_length:
            continue
        if len(red) > 300:
            red = red[:297].rsplit(" ", 1)[0] + " …"
        key = red.casefold()
        seen[key] = seen.get(key, 0) + 1
        if key not in first:
            tag = f" ({extra[pos]})" if extra is not None and pd.notna(extra[pos]) else ""
            first[key] = red + tag
    order = sorted(seen, key=lambda key: (-seen[key], -len(key), key))
    chosen = [first[key] for key in (order if limit is None else order[:limit])]
    if not chosen:
        return "*Ingen citater at vise.*\n"
    return "\n".join(f"> {escape_markdown(q)}\n" for q in chosen)
