"""Question blocks of the theme pages: one Markdown section per item, battery or index.

Each block takes a :class:`~fslt_survey.report.data.Report` and returns Markdown: the suppressed
table (:mod:`fslt_survey.publish`) and, where it helps, the chart drawn from it with its Danish
alt text (:mod:`fslt_survey.plots`). :func:`likert_block`, :func:`single_block`,
:func:`multi_block`, :func:`numeric_block`, :func:`index_block` (a scale index with Cronbach's
alpha), :func:`needs_block` and :func:`needs_by_group_block` (the needs battery, overall and by
association type), :func:`trend_block` (two waves) and :func:`quotes_block` (redacted free
text). Re-exported by :mod:`fslt_survey.report`, which the pages import.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fslt_survey import publish, stats
from fslt_survey.codebook import Item
from fslt_survey.danish import join_and, join_or
from fslt_survey.plots import (
    plot_dumbbell,
    plot_frequencies,
    plot_likert,
    plot_multi,
    plot_needs_heatmap,
    plot_ranked_needs,
)
from fslt_survey.report.data import (
    Report,
    _lower_first,
    _q,
    _question,
    _ranking,
    needs_by_group,
)
from fslt_survey.report.findings_view import (
    change_frame,
    change_table,
    changes_for,
    heading,
    likert_findings_table,
    with_findings,
)
from fslt_survey.tables import (
    escape_markdown,
    format_number,
)

__all__ = [
    "index_block",
    "likert_block",
    "multi_block",
    "needs_block",
    "needs_by_group_block",
    "numeric_block",
    "quotes_block",
    "single_block",
    "trend_block",
]

# --------------------------------------------------------------------------- blocks


def _likert_display(raw: pd.DataFrame, sup: pd.DataFrame, k: int) -> pd.DataFrame:
    """Substantive suppressed rows plus one merged typed-missing row per item."""
    subst = sup.loc[~sup["missing"].astype(bool)].copy()
    parts = [subst]
    miss_raw = raw.loc[raw["missing"].astype(bool)]
    if not miss_raw.empty:
        rows = []
        for item, m in miss_raw.groupby("item", sort=False, observed=True):
            total = int(m["n"].sum())
            asked = int(m["base"].iloc[0]) if len(m) else 0
            show = total == 0 or total >= k
            rows.append(
                {
                    "item": item,
                    "label": m["label"].iloc[0],
                    "category": "Ved ikke",
                    "missing": True,
                    "n": total if show else pd.NA,
                    "base": asked,
                    "pct": 100 * total / asked if show and asked else np.nan,
                }
            )
        if rows:
            parts.append(pd.DataFrame(rows))
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].astype("Int64")
    return out


def likert_block(
    r: Report,
    items: str | Sequence[str | Item],
    *,
    name: str,
    title: str,
    caption: str | None = None,
    top: Sequence[str] | None = None,
    table: bool = True,
) -> str:
    """Diverging bars of a Likert battery (latest wave) and a table of top-2 shares with CIs."""
    its = r.items(items)
    skipped = [i for i in its if r.not_asked(i)]
    its = [i for i in its if i not in skipped]
    if not its:
        return "*Spørgsmålene blev ikke stillet i denne runde.*\n"
    raw = stats.tab_likert(r.latest, its)
    sup = publish.suppress(raw, k=r.k)
    shown = _likert_display(raw, sup, r.k)
    chart = plot_likert(shown, title=title, source=r.source)
    out = [r.figure(chart, name, caption or title)]
    out += [r.not_asked_note(i) for i in skipped]
    if table:
        summary = stats.tab_likert_summary(r.latest, its, top=top)
        head = heading(r.findings.share(its[0], list(top) if top else None))
        out.append(
            likert_findings_table(
                r.findings,
                its,
                summary,
                k=r.k,
                caption=f"{caption or title}: {head[:1].lower()}{head[1:]}",
                unit=r.unit,
                top=top,
            )
        )
    return "\n".join(out)


def single_block(
    r: Report,
    item: str | Item,
    *,
    name: str | None = None,
    title: str | None = None,
    chart: bool = True,
) -> str:
    """Bars and a frequency table of a single-choice (or one Likert) item, latest wave."""
    return _choice_block(r, item, multi=False, name=name, title=title, chart=chart)


def multi_block(
    r: Report,
    item: str | Item,
    *,
    name: str | None = None,
    title: str | None = None,
    chart: bool = True,
) -> str:
    """Bars and a table of a multi-select item (share of associations per option)."""
    return _choice_block(r, item, multi=True, name=name, title=title, chart=chart)


def _choice_block(
    r: Report, item: str | Item, *, multi: bool, name: str | None, title: str | None, chart: bool
) -> str:
    """The shared body of :func:`single_block` and :func:`multi_block`."""
    it = item if isinstance(item, Item) else r.instrument.item(item)
    if r.not_asked(it):
        return r.not_asked_note(it)
    gone = r.options_not_asked(it) if multi else []  # published as not asked, not as 0 %
    if gone:
        raw = (stats.tab_multi if multi else stats.tab_single)(r.latest, it)
        raw = raw.loc[~raw["category"].astype(str).isin(gone)]
        sup = publish.suppress(raw, k=r.k, multi_select=multi)
    else:  # the distribution the item's findings were judged on (at the page's k), once
        raw, sup = r.findings.distribution(it, r.wave)
    sup = with_findings(r.findings, sup, it, r.wave)
    title = title or it.label
    out = [f"Spørgsmål: {_question(it)}{' (flere svar mulige)' if multi else ''}\n"]
    if gone:
        out.append(
            "*Ikke spurgt i " + str(r.wave) + ": " + ", ".join(_q(g) for g in gone) + " (svar"
            "muligheden var ikke med i spørgeskemaet; vises derfor ikke som 0 %).*\n"
        )
    if chart:
        shown = sup.loc[~sup["missing"].astype(bool)]
        ch = (plot_multi if multi else plot_frequencies)(shown, title=title, source=r.source)
        out.append(r.figure(ch, name or it.id, title))
    out.append(
        publish.frequency_table(
            raw,
            k=r.k,
            suppressed=sup,
            caption=f"{title}: antal og andel",
            multi_select=multi,
            unit=r.unit,
            conf=r.confidence,
        )
    )
    return "\n".join(out)


def numeric_block(r: Report, item: str | Item, *, unit: str | None = None) -> str:
    """A sentence on a number item: how many answered, the total and the median."""
    it = item if isinstance(item, Item) else r.instrument.item(item)
    values = pd.to_numeric(r.latest[it.id], errors="coerce").dropna().astype(float)
    unit = unit or it.unit or ""
    if len(values) < r.k:
        return (
            f"*For få foreninger har svaret på {_q(it.label)} til, at tallet kan vises "
            f"(færre end {r.k}).*\n"
        )
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return (
        f"De {format_number(len(values))} foreninger, der har svaret på {_question(it)}, angiver "
        f"i alt {format_number(values.sum())} {unit}. Medianen er {format_number(med)} pr. "
        f"forening; den midterste halvdel af foreningerne ligger mellem {format_number(q1)} og "
        f"{format_number(q3)}.\n"
    )


def index_block(r: Report, battery: str, *, name: str) -> str:
    """The battery's mean 0-100 index (its finding: design mean, t interval) and Cronbach's
    alpha, latest wave."""
    its = r.items(battery)
    f = r.findings.index(battery)
    if not f.shown:
        return f"*{escape_markdown(name[0].upper() + name[1:])} vises ikke: {f.reason}.*\n"
    alpha = stats.cronbach_alpha(r.latest, its)
    a = alpha["alpha"].iloc[0]
    n_alpha = int(alpha["n"].iloc[0])
    alpha_text = (
        f" Cronbachs alfa er {format_number(a, 2)} (beregnet på de "
        f"{format_number(n_alpha)} foreninger, der har svaret på alle udsagn); over 0,7 "
        "regnes som tilfredsstillende, så udsagnene måler i det store hele det samme."
        if pd.notna(a) and n_alpha >= r.k
        else ""
    )
    level = round(100 * r.confidence)
    return (
        f"{escape_markdown(name[0].upper() + name[1:])} samler de {len(its)} udsagn i ét tal "
        "fra 0 til 100, hvor 100 betyder, at foreningen har givet det mest positive svar "
        f"({_q(_lower_first(its[0].scale.categories[0]))}) på alle udsagn. "
        f"Gennemsnittet er **{f.marker(f.value())}** ({level} %-konfidensinterval "
        f"{f.marker(f.interval().strip('()'))}) blandt de "
        f"{format_number(f.base)} foreninger, der har svaret på mindst halvdelen af "
        f"udsagnene.{alpha_text}\n"
    )


def needs_block(r: Report, battery: str = "behov") -> str:
    """The needs ranking: share answering "I høj grad" with CIs, as a chart and a table."""
    sup, large = _ranking(r, battery)
    title = "Foreningernes største behov for støtte"
    chart = plot_ranked_needs(sup, title=title, source=r.source, large=large)
    return "\n".join(
        [
            r.figure(
                chart, "rangordning" if battery == "behov" else f"{battery}-rangordning", title
            ),
            publish.ranking_table(
                sup,
                k=r.k,
                suppressed=sup,
                conf=r.confidence,
                caption=f"Behov rangordnet efter andelen, der svarer {_lower_first(large)}",
            ),
        ]
    )


def needs_by_group_block(
    r: Report, battery: str = "behov", *, by: str = "assoc_type", by_title: str = "foreningstype"
) -> str:
    """Heat map of the needs by published group (declared broader groups, small ones merged:
    :func:`~fslt_survey.report.data.group_members`), protected as cross-tabs."""
    hsup, col, large, members = needs_by_group(r, battery, by)
    answers = join_or([_q(_lower_first(x)) for x in large])
    title = f"Behov efter {by_title}"
    chart = plot_needs_heatmap(
        hsup, title=title, source=r.source, by=col, large=large, min_base=r.min_group
    )
    groups = hsup.loc[hsup[col].astype(str) != stats.TOTAL_LABEL]
    hidden = int(groups["suppressed"].sum())
    merged = [
        f"{_q(g)} ({join_and([_q(m) for m in ms])})" for g, ms in members.items() if len(ms) > 1
    ]
    text = f"Hver celle er andelen af foreningerne i gruppen, der svarer {answers}. "
    if merged:
        text += (
            f"Hver {by_title} har få foreninger, så typerne er lagt sammen i bredere grupper: "
            f"{join_and(merged)}. "
        )
    if hidden:
        text += (
            f"{format_number(hidden)} af {format_number(len(groups))} celler er skjult: enten "
            f"står færre end {r.k} foreninger bag tallet, eller tallet ville gøre det muligt at "
            "regne et skjult tal ud fra totalen. "
        )
    text += "Tallene kan hentes under [Data](data.html).\n"
    return "\n".join(
        [
            r.figure(
                chart, f"efter-{by}" if battery == "behov" else f"{battery}-efter-{by}", title
            ),
            text,
        ]
    )


def trend_block(
    r: Report,
    items: str | Sequence[str | Item],
    *,
    name: str,
    title: str,
    category: str | None = None,
) -> str:
    """Change from the first to the latest wave: dumbbell chart and table, from the findings.

    Ordered items compare the top-2 share unless ``category`` names one answer (e.g.
    ``"I høj grad"``); unordered items the first answer; multi-select items each option. The
    change, its interval and the one adjusted verdict are the findings' own
    (:mod:`fslt_survey.publish.findings`: partially overlapping samples with FPC, BH within the
    strategy goal's family).
    """
    if len(r.waves) < 2:
        return "*Der er kun data fra én runde, så udviklingen kan ikke vises endnu.*\n"
    its = [i for i in r.items(items) if not i.waves or r.waves[0] in i.waves]
    if not its:
        return "*Spørgsmålene blev ikke stillet i begge runder.*\n"
    changes = changes_for(r.findings, its, category)
    chart = plot_dumbbell(
        change_frame(changes), title=title, source=_source_waves(r), adjustment="fdr_bh"
    )
    return "\n".join(
        [
            r.figure(chart, name, title),
            change_table(
                r.unit,
                changes,
                k=r.k,
                caption=f"{title} ({r.waves[0]}–{r.wave})",
                conf=r.confidence,
            ),
        ]
    )


def _source_waves(r: Report) -> str:
    return (
        "Kilde: Frivilligcenter og Selvhjælp Lyngby-Taarbæk, medlemsundersøgelserne "
        f"{r.waves[0]} og {r.wave}"
    )


def quotes_block(r: Report, item: str | Item, *, limit: int | None = 6) -> str:
    """The approved quotes of an item (:mod:`fslt_survey.publish.curated`) as block quotes."""
    it = item if isinstance(item, Item) else r.instrument.item(item)
    intro = (
        f"Udvalgte svar på spørgsmålet {_question(it)}. Frivilligcentret har udvalgt citaterne "
        "blandt foreningernes svar og gengiver dem uden oplysninger, der kan identificere "
        "personer eller foreninger.\n"
    )
    return intro + "\n" + publish.quotes_markdown(r.quotes, item=it.id, limit=limit)
