"""Section builders for the published reports (``reports/*.qmd``).

The pages are thin: every Python cell calls one function here and prints the Markdown it
returns (``#| output: asis``), so Quarto and the built-in engine render the same thing. Every
number shown passes :mod:`fslt_survey.publish` (small-cell suppression), every chart is drawn
from the suppressed table and saved beside the page (``figurer/<page>-<name>.svg``) with its
Danish alt text, and every survey text is escaped.

Examples
--------
A page cell::

    #| output: asis
    from fslt_survey import report
    r = report.load("behov")
    print(report.needs_block(r))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config, publish, stats
from fslt_survey.codebook import Instrument, Item, load_instrument
from fslt_survey.pipeline import instrument_path, load_clean, load_log
from fslt_survey.plots import (
    plot_dumbbell,
    plot_frequencies,
    plot_likert,
    plot_multi,
    plot_needs_heatmap,
    plot_ranked_needs,
)
from fslt_survey.privacy import suppress_counts, suppress_crosstab
from fslt_survey.registry import load_registry
from fslt_survey.tables import (
    escape_markdown,
    format_ci,
    format_number,
    format_pct,
    to_markdown_table,
)

__all__ = [
    "PAGES",
    "Report",
    "cleaning_block",
    "demo_note",
    "download_tables",
    "downloads_block",
    "evaluation",
    "index_block",
    "key_figures",
    "likert_block",
    "load",
    "multi_block",
    "needs_block",
    "needs_by_group_block",
    "numeric_block",
    "pages_block",
    "protection_block",
    "quotes_block",
    "recommendations_block",
    "response_block",
    "rules_not_fired_block",
    "single_block",
    "summary_block",
    "top_needs_block",
    "trend_block",
]

SURVEY = "medlemsundersoegelse"

#: The theme pages: file stem -> (navbar title, one-line description for the front page).
PAGES: dict[str, tuple[str, str]] = {
    "behov": (
        "Organisatoriske og praktiske behov",
        "hvad foreningerne har mest brug for støtte til, og hvordan det varierer mellem typer",
    ),
    "kommune": (
        "Samarbejdet med kommunen",
        "kontaktpersoner, arbejdsdeling, §18-midler og samskabelse",
    ),
    "selvhjaelp": (
        "Selvhjælp og netværksgrupper",
        "foreninger, der driver selvhjælpsgrupper, og hvad de har brug for",
    ),
    "netvaerk": (
        "Netværk og erfaringsudveksling",
        "hvilke temaer foreningerne vil drøfte med hinanden, og hvem der vil deltage",
    ),
    "erhverv": (
        "Erhvervssamarbejde, kompetencer og Frivilligcentret",
        "samarbejde med lokale virksomheder, kompetencebehov og kendskab til centrets tilbud",
    ),
    "anbefalinger": (
        "Anbefalinger til kommunen",
        "anbefalinger til kommunens medarbejdere og politikere, hver med sit talgrundlag",
    ),
    "metode": (
        "Metode og datakvalitet",
        "svarprocent, datarensning og hvordan små tal skjules",
    ),
    "data": ("Data til download", "de offentliggjorte tabeller som CSV og Excel"),
}

_DUPLICATE_RULE = (
    "den mest komplette besvarelse blev beholdt, ved lighed den senest indsendte og derefter "
    "den sidste i filen"
)
_FORMATS = {
    "surveyxact": "SurveyXact",
    "msforms": "Microsoft Forms",
    "gforms": "Google Forms",
    "spss": "SPSS",
    "csv": "CSV",
    "xlsx": "Excel",
}


# --------------------------------------------------------------------------- data


@dataclass
class Report:
    """Everything a page needs, loaded once per page (:func:`load`).

    Attributes
    ----------
    page
        The page's name (figure files are ``figurer/<page>-<name>.svg``).
    instrument, data, registry, log
        The questionnaire, the clean data of all waves, the member registry and the cleaning
        log (as written by ``fslt-survey build``).
    wave, waves
        The latest wave and all waves in the data.
    k
        Suppression threshold.
    """

    page: str
    instrument: Instrument
    data: pd.DataFrame
    registry: pd.DataFrame
    log: dict[str, Any]
    wave: int
    waves: list[int]
    k: int = config.SUPPRESSION_K
    figures: Path = field(default_factory=lambda: Path("figurer"))
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_demo(self) -> bool:
        """Built from the bundled fictional demo exports (``surveys/demo/``)."""
        files = [str(s.get("file", "")) for s in self.log.get("sources", [])]
        return bool(files) and all(f.startswith("surveys/demo/") for f in files)

    @cached_property
    def latest(self) -> pd.DataFrame:
        """Clean data of the latest wave."""
        return self.data.loc[self.data["wave"] == self.wave]

    @property
    def source(self) -> str:
        return (
            f"Kilde: Frivilligcenter og Selvhjælp Lyngby-Taarbæk, medlemsundersøgelsen {self.wave}"
        )

    @property
    def names(self) -> list[str]:
        """Association names from the registry: redacted from every quote."""
        return [str(n) for n in self.registry["name"] if str(n).strip()]

    def items(self, spec: str | Sequence[str | Item]) -> list[Item]:
        """A battery name, one item id or a list of ids/items -> items asked in the latest wave."""
        if isinstance(spec, str):
            found = [i for i in self.instrument.items if i.battery == spec]
            found = found or [self.instrument.item(spec)]
        else:
            found = [i if isinstance(i, Item) else self.instrument.item(i) for i in spec]
        return [i for i in found if not i.waves or self.wave in i.waves]

    def figure(self, chart: Any, name: str, caption: str) -> str:
        return publish.figure(chart, f"{self.page}-{name}", caption=caption, folder=self.figures)


def load(
    page: str = "side",
    *,
    survey: str = SURVEY,
    clean_dir: str | Path | None = None,
    k: int | None = None,
) -> Report:
    """Load the clean member survey, its log, the instrument and the registry for one page."""
    clean = Path(clean_dir) if clean_dir is not None else config.CLEAN_DIR
    data = load_clean(survey, clean)
    waves = sorted(int(w) for w in data["wave"].dropna().unique())
    return Report(
        page=page,
        instrument=load_instrument(instrument_path(survey)),
        data=data,
        registry=load_registry(config.REGISTRY_FILE),
        log=load_log(survey, clean),
        wave=waves[-1],
        waves=waves,
        k=config.SUPPRESSION_K if k is None else k,
    )


def _q(text: str) -> str:
    return f"»{escape_markdown(' '.join(str(text).split()))}«"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _question(item: Item) -> str:
    return _q(item.text)


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
    if not its:
        return "*Spørgsmålene blev ikke stillet i denne runde.*\n"
    raw = stats.tab_likert(r.latest, its)
    sup = publish.suppress(raw, k=r.k)
    shown = _likert_display(raw, sup, r.k)
    chart = plot_likert(shown, title=title, source=r.source)
    out = [r.figure(chart, name, caption or title)]
    if table:
        summary = stats.tab_likert_summary(r.latest, its, top=top)
        labels = list(top) if top else None
        out.append(
            publish.likert_table(
                summary,
                k=r.k,
                distribution=raw,
                top_labels=labels,
                caption=f"{caption or title}: andel, der svarer de to øverste svar",
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
    it = item if isinstance(item, Item) else r.instrument.item(item)
    raw = stats.tab_single(r.latest, it)
    sup = publish.suppress(raw, k=r.k)
    title = title or it.label
    out = [f"Spørgsmål: {_question(it)}\n"]
    if chart:
        shown = sup.loc[~sup["missing"].astype(bool)]
        ch = plot_frequencies(shown, title=title, source=r.source)
        out.append(r.figure(ch, name or it.id, title))
    out.append(
        publish.frequency_table(raw, k=r.k, suppressed=sup, caption=f"{title}: antal og andel")
    )
    return "\n".join(out)


def multi_block(
    r: Report,
    item: str | Item,
    *,
    name: str | None = None,
    title: str | None = None,
    chart: bool = True,
) -> str:
    """Bars and a table of a multi-select item (share of associations per option)."""
    it = item if isinstance(item, Item) else r.instrument.item(item)
    raw = stats.tab_multi(r.latest, it)
    sup = publish.suppress(raw, k=r.k, multi_select=True)
    title = title or it.label
    out = [f"Spørgsmål: {_question(it)} (flere svar mulige)\n"]
    if chart:
        shown = sup.loc[~sup["missing"].astype(bool)]
        ch = plot_multi(shown, title=title, source=r.source)
        out.append(r.figure(ch, name or it.id, title))
    out.append(
        publish.frequency_table(
            raw, k=r.k, suppressed=sup, caption=f"{title}: antal og andel", multi_select=True
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
    """The battery's mean 0-100 index (t interval) and Cronbach's alpha, latest wave."""
    from scipy import stats as sps

    its = r.items(battery)
    idx = stats.scale_index(r.latest, its, name="indeks")
    scores = pd.to_numeric(idx["indeks"], errors="coerce").dropna().astype(float)
    if len(scores) < max(r.k, 2):
        return f"*For få svar til at beregne {escape_markdown(name)} (færre end {r.k}).*\n"
    mean = scores.mean()
    se = scores.std(ddof=1) / np.sqrt(len(scores))
    q = sps.t.ppf(0.5 + config.CONFIDENCE / 2, len(scores) - 1)
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
    return (
        f"{escape_markdown(name[0].upper() + name[1:])} samler de {len(its)} udsagn i ét tal "
        "fra 0 til 100, hvor 100 betyder, at foreningen har givet det mest positive svar "
        f"({_q(_lower_first(its[0].scale.categories[0]))}) på alle udsagn. "
        f"Gennemsnittet er **{format_number(mean, 1)}** (95 %-konfidensinterval "
        f"{format_number(mean - q * se, 1)}–{format_number(mean + q * se, 1)}) blandt de "
        f"{format_number(len(scores))} foreninger, der har svaret på mindst halvdelen af "
        f"udsagnene.{alpha_text}\n"
    )


def _large_label(r: Report, battery: str) -> str:
    its = r.items(battery)
    return its[0].scale.categories[0] if its and its[0].scale else "I høj grad"


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
                caption=f"Behov rangordnet efter andelen, der svarer {_lower_first(large)}",
            ),
        ]
    )


def needs_by_group_block(
    r: Report, battery: str = "behov", *, by: str = "assoc_type", by_title: str = "foreningstype"
) -> str:
    """Heat map of the needs by group (e.g. association type), protected as cross-tabs."""
    its = r.items(battery)
    large = _large_label(r, battery)
    dist = stats.tab_likert(r.latest, its)
    heat = stats.rank_needs(r.latest, its, by=by, large=(large,))
    hsup = publish.suppress_ranking(heat, k=r.k, by=by, distributions=dist, large=(large,))
    title = f"Behov efter {by_title}"
    chart = plot_needs_heatmap(hsup, title=title, source=r.source, by=by, large=large)
    groups = hsup.loc[hsup[by].astype(str) != stats.TOTAL_LABEL]
    hidden = int(groups["suppressed"].sum())
    return "\n".join(
        [
            r.figure(
                chart, f"efter-{by}" if battery == "behov" else f"{battery}-efter-{by}", title
            ),
            f"Hver celle er andelen af foreningerne i gruppen, der svarer "
            f"{_q(_lower_first(large))}. Grupperne har få foreninger hver, så "
            f"{format_number(hidden)} af {format_number(len(groups))} celler er skjult: enten "
            f"står færre end {r.k} foreninger bag tallet, eller tallet ville gøre det muligt at "
            "regne et skjult tal ud fra totalen. Tallene kan hentes under [Data](data.html).\n",
        ]
    )


def _trend_rows(r: Report, its: list[Item], category: str | None) -> pd.DataFrame:
    frames = []
    for it in its:
        cw = stats.compare_waves(r.data, it, waves=(r.waves[0], r.wave))
        cw = cw.loc[cw["measure"] != "distribution"]
        if category is not None:
            pick = cw.loc[cw["category"].astype(str) == category]
        elif (cw["measure"] == "top2").any():
            pick = cw.loc[cw["measure"] == "top2"]
        elif it.type == "multi":
            pick = cw
        else:
            pick = cw.iloc[:1]
        frames.append(pick)
    rows = pd.concat(frames, ignore_index=True)
    rows["p_adj"] = stats.adjust_pvalues(rows["p"].to_numpy(dtype=float), "fdr_bh")
    return rows


def trend_block(
    r: Report,
    items: str | Sequence[str | Item],
    *,
    name: str,
    title: str,
    category: str | None = None,
) -> str:
    """Change from the first to the latest wave: dumbbell chart and table (BH-adjusted p).

    Ordered items compare the top-2 share unless ``category`` names one answer (e.g.
    ``"I høj grad"``); yes/no items compare the first answer; multi-select items each option.
    Only associations that answered in each wave count; the waves are compared as independent
    samples.
    """
    if len(r.waves) < 2:
        return "*Der er kun data fra én runde, så udviklingen kan ikke vises endnu.*\n"
    its = [i for i in r.items(items) if not i.waves or r.waves[0] in i.waves]
    if not its:
        return "*Spørgsmålene blev ikke stillet i begge runder.*\n"
    rows = _trend_rows(r, its, category)
    sup = publish.suppress_trend(rows, data=r.data, k=r.k)
    chart = plot_dumbbell(sup, title=title, source=_source_waves(r), category=None)
    return "\n".join(
        [
            r.figure(chart, name, title),
            publish.trend_table(sup, k=r.k, caption=f"{title} ({r.waves[0]}–{r.wave})"),
        ]
    )


def _source_waves(r: Report) -> str:
    return (
        "Kilde: Frivilligcenter og Selvhjælp Lyngby-Taarbæk, medlemsundersøgelserne "
        f"{r.waves[0]} og {r.wave}"
    )


def quotes_block(r: Report, item: str | Item, *, limit: int | None = 6) -> str:
    """Redacted, escaped free-text answers (both waves) as block quotes."""
    it = item if isinstance(item, Item) else r.instrument.item(item)
    texts = r.data[it.id].dropna().tolist() if it.id in r.data.columns else []
    waves = " og ".join(str(w) for w in r.waves)
    intro = (
        f"Udvalgte svar på spørgsmålet {_question(it)} ({waves}). De svar, flest foreninger "
        "har givet, står først. Oplysninger, der kan identificere personer "
        "eller foreninger (navne, e-mail, telefon- og CPR-numre og links), er erstattet med "
        "fx \\[navn\\] og \\[e-mail\\].\n"
    )
    return intro + "\n" + publish.quotes(texts, limit=limit, names=r.names)


# --------------------------------------------------------------------------- front page


def _share_of(
    r: Report, item: str, labels: Sequence[str]
) -> tuple[float, float, float, int] | None:
    """(pct, ci_low, ci_high, base) of a publishable share in the latest wave, else None."""
    it = r.instrument.item(item)
    multi = it.type == "multi"
    tab = stats.tab_multi(r.latest, it) if multi else stats.tab_single(r.latest, it)
    if not publish.share_publishable(tab, labels, k=r.k, multi_select=multi):
        return None
    subst = tab.loc[~tab["missing"].astype(bool)]
    base = int(subst["base"].iloc[0])
    n = int(subst.loc[subst["category"].astype(str).isin(labels), "n"].sum())
    lo, hi = stats.wilson_ci(n, base, config.CONFIDENCE)
    return 100 * n / base, 100 * lo, 100 * hi, base


def _pct_ci(share: tuple[float, float, float, int]) -> str:
    return f"{format_pct(share[0])} {format_ci(share[1], share[2])}"


def response_rate(r: Report, wave: int | None = None) -> tuple[int, int]:
    """(associations that answered in ``wave``, associations in the registry)."""
    wave = r.wave if wave is None else wave
    answered = r.data.loc[r.data["wave"] == wave, "association_id"].dropna().nunique()
    return int(answered), len(r.registry)


def _ranking(r: Report, battery: str = "behov") -> tuple[pd.DataFrame, str]:
    its = r.items(battery)
    large = _large_label(r, battery)
    dist = stats.tab_likert(r.latest, its)
    ranking = stats.rank_needs(r.latest, its, large=(large,))
    return publish.suppress_ranking(ranking, k=r.k, distributions=dist, large=(large,)), large


def demo_note(r: Report) -> str:
    """A Danish note when the pages are built from the bundled fictional demo data."""
    if not r.is_demo:
        return ""
    return (
        "*Siderne er bygget på fiktive demodata: foreningerne og svarene er opdigtede og viser "
        "kun, hvordan kortlægningen ser ud.*\n"
    )


def key_figures(r: Report) -> str:
    """The front page's opening: response rate and 3-4 key messages computed from the data."""
    n, total = response_rate(r)
    sup, large = _ranking(r)
    top = sup.loc[~sup["suppressed"]].head(3)
    out = [
        f"{format_number(n)} af de {format_number(total)} medlemsforeninger svarede på "
        f"medlemsundersøgelsen i {r.wave} (svarprocent {format_pct(100 * n / total)}). "
        "Undersøgelsen kortlægger, hvad foreningerne har brug for, hvordan de oplever "
        "samarbejdet med kommunen, og hvad de ønsker af Frivilligcentret.\n",
        demo_note(r),
        '::: {.callout-note title="Hovedbudskaber"}\n',
    ]
    out += [f"{i}. {m}" for i, m in enumerate(_key_messages(r, top, large), start=1)]
    out.append("\n:::\n")
    return "\n".join(out)


def top_needs_block(r: Report, n: int = 6) -> str:
    """The largest needs: a chart of the top ``n`` and the top three with their intervals."""
    sup, large = _ranking(r)
    shown = sup.loc[~sup["suppressed"]]
    title = f"De {_NUMBERS.get(n, str(n))} største behov for støtte"
    chart = plot_ranked_needs(shown.head(n), title=title, source=r.source, large=large)
    rows = [
        f"- **{escape_markdown(row.label)}**: {format_pct(row.pct)} "
        f"{format_ci(row.ci_low, row.ci_high)} af {format_number(row.base)} foreninger svarer "
        f"{_q(_lower_first(large))}."
        for row in shown.head(3).itertuples(index=False)
    ]
    return "\n".join(
        [
            r.figure(chart, "top-behov", title),
            "\n".join(rows) + "\n",
            "Parentesen er 95 %-konfidensintervallet: det interval, som andelen blandt alle "
            "medlemsforeningerne med stor sandsynlighed ligger i. Alle behov står på siden "
            "[Organisatoriske og praktiske behov](behov.html).\n",
        ]
    )


_NUMBERS = {3: "tre", 4: "fire", 5: "fem", 6: "seks", 8: "otte", 10: "ti"}


def pages_block() -> str:
    """Links to the theme pages with one line each."""
    return (
        "\n".join(
            f"- [{escape_markdown(title)}]({page}.html): {escape_markdown(desc)}."
            for page, (title, desc) in PAGES.items()
        )
        + "\n"
    )


def _key_messages(r: Report, top: pd.DataFrame, large: str) -> list[str]:
    msgs = []
    if len(top):
        first = top.iloc[0]
        others = ", ".join(_q(str(lab)) for lab in top["label"].iloc[1:])
        msgs.append(
            f"**{escape_markdown(first['label'])}** er det største behov: "
            f"{format_pct(first['pct'])} {format_ci(first['ci_low'], first['ci_high'])} af "
            f"foreningerne har {_lower_first(large)} brug for støtte til det"
            + (f", derefter følger {others}." if others else ".")
        )
    contact = _share_of(r, "kommune_kontakt", ["Ja"])
    roles = _share_of(r, "samarbejde_roller", ["Helt enig", "Overvejende enig"])
    if contact and roles:
        msgs.append(
            f"Samarbejdet med kommunen kan blive klarere: {_pct_ci(contact)} har en fast "
            f"kontaktperson i kommunen, og {_pct_ci(roles)} er enige i, at arbejdsdelingen "
            "mellem kommunen og foreningen er klar."
        )
    drives = _share_of(r, "sh_driver", ["Ja"])
    benefit = _share_of(r, "netvaerksgrupper", ["Ja", "Måske"])
    if drives and benefit:
        msgs.append(
            f"Selvhjælp fylder: {_pct_ci(drives)} af foreningerne driver selvhjælps- eller "
            f"netværksgrupper, og {_pct_ci(benefit)} mener, at deres målgruppe kunne have gavn "
            "af netværksgrupper uden gruppeleder."
        )
    join = _share_of(r, "forum_deltage", ["Ja"])
    if join:
        tab = stats.tab_multi(r.latest, r.instrument.item("forum_temaer"))
        sup = publish.suppress(tab, k=r.k, multi_select=True)
        opts = sup.loc[~sup["missing"].astype(bool) & ~sup["suppressed"]]
        best = opts.sort_values("pct", ascending=False).head(1)
        extra = "".join(
            f"; det mest efterspurgte tema er {_q(_lower_first(str(t.category)))} "
            f"({format_pct(t.pct)})"
            for t in best.itertuples(index=False)
        )
        msgs.append(
            f"{_pct_ci(join)} af foreningerne vil deltage i netværksmøder med andre "
            f"foreninger{extra}."
        )
    return msgs


# --------------------------------------------------------------------------- method page


def response_block(r: Report) -> str:
    """Response rate per wave against the registry, and by association type (suppressed)."""
    total = len(r.registry)
    rows = []
    for w in r.waves:
        n, _ = response_rate(r, w)
        rows.append(
            {
                "Runde": str(w),
                "Foreninger i registret": format_number(total),
                "Foreninger, der svarede": format_number(n),
                "Svarprocent": format_pct(100 * n / total),
            }
        )
    out = [
        to_markdown_table(pd.DataFrame(rows), caption="Svarprocent pr. runde"),
        "Enheden er foreningen: hver forening svarer én gang pr. runde. Svarprocenten er "
        "beregnet i forhold til medlemsregistret, som det ser ud i dag.\n",
    ]
    answered = set(r.latest["association_id"].dropna())
    reg = r.registry.assign(svar=r.registry["association_id"].isin(answered))
    wide = pd.crosstab(reg["assoc_type"], reg["svar"]).reindex(columns=[True, False], fill_value=0)
    wide.columns = ["Svarede", "Svarede ikke"]
    wide.index = wide.index.astype(str)
    prot = suppress_crosstab(wide, k=r.k, margins=True, margins_name="I alt")
    table = pd.DataFrame(
        {
            "Foreningstype": prot.index.astype(str),
            "Antal, der svarede": format_number(prot["Svarede"], na=publish.HIDDEN).to_numpy(),
            "Antal, der ikke svarede": format_number(
                prot["Svarede ikke"], na=publish.HIDDEN
            ).to_numpy(),
            "Antal i registret": format_number(prot["I alt"], na=publish.HIDDEN).to_numpy(),
        }
    )
    out.append(to_markdown_table(table, caption=f"Svar efter foreningstype, {r.wave}"))
    out.append(publish.suppression_note(r.k) + "\n")
    return "\n".join(out)


def _exclusions(r: Report) -> tuple[dict[str, str], dict[str, int]]:
    """Exclusion reasons (code -> Danish text) and their counts over all waves."""
    reasons: dict[str, str] = {}
    counts: dict[str, int] = {}
    for ex in r.log.get("exclusions", []):
        reasons.setdefault(ex["reason"], ex.get("reason_text") or ex["reason"])
        counts[ex["reason"]] = counts.get(ex["reason"], 0) + 1
    return reasons, counts


def cleaning_block(r: Report) -> str:
    """The cleaning log in counts: rows read, kept and excluded by reason; unknown values."""
    log = r.log
    formats = sorted({_FORMATS.get(s.get("format"), str(s.get("format"))) for s in log["sources"]})
    out = [
        f"Rådata kom fra {format_number(len(log['sources']))} eksportfiler "
        f"({', '.join(formats)}). Rensningen genkender spørgsmålene ud fra spørgeskemaet, "
        "omkoder svarene, sætter »Ved ikke« og lignende til side som typede manglende svar, "
        "kobler hver besvarelse til medlemsregistret og fjerner personoplysninger fra "
        "fritekstsvarene. Ved dubletter fra samme forening i samme runde gælder: "
        f"{_DUPLICATE_RULE}. Alle frasorterede rækker er logget med årsag.\n"
    ]
    reasons, counts = _exclusions(r)
    rows_in, kept = int(log["rows_in"]), int(log["rows_kept"])
    excluded = rows_in - kept
    # the reasons split the excluded rows, whose total is published: one protected line
    tidy = pd.DataFrame(
        {"category": list(reasons), "n": [counts[c] for c in reasons], "base": excluded}
    )
    hidden = (
        suppress_counts(tidy, k=r.k, hide_cols=[])["suppressed"].to_numpy(dtype=bool)
        if len(tidy)
        else np.zeros(0, dtype=bool)
    )
    lines = [
        ("Rækker i rådata", rows_in),
        ("Beholdt (én besvarelse pr. forening og runde)", kept),
        ("Frasorteret i alt", excluded),
    ]
    lines += [
        (f"Frasorteret: {reasons[c]}", publish.HIDDEN if h else counts[c])
        for c, h in zip(reasons, hidden, strict=True)
    ]
    if publish._small(excluded, r.k):
        lines = [(t, publish.HIDDEN if i >= 2 else v) for i, (t, v) in enumerate(lines)]
    table = pd.DataFrame(
        {
            "Besvarelser": [t for t, _ in lines],
            "Antal": [v if isinstance(v, str) else format_number(v) for _, v in lines],
        }
    )
    out.append(
        to_markdown_table(
            table,
            caption=f"Rækker i rådata, begge runder ({r.waves[0]} og {r.wave})",
            align={"Antal": "right"},
        )
    )
    out.append(publish.suppression_note(r.k) + "\n")
    unknown = len(log.get("unknown_values", []))
    if unknown == 0:
        amount = "ingen svar"
    elif unknown < r.k:
        amount = f"færre end {r.k} svar"
    else:
        amount = f"{format_number(unknown)} svar"
    out.append(
        f"Rensningen fandt {amount} med en værdi, der ikke findes blandt spørgeskemaets "
        "svarmuligheder. De er sat til »Ugyldigt svar« og tæller ikke med i procenterne.\n"
    )
    return "\n".join(out)


def protection_block(r: Report) -> str:
    """How the published numbers protect the associations (k from the configuration)."""
    return (
        f"- Intet tal, der bygger på færre end {r.k} foreninger, vises (primær diskretion). "
        "Det gælder både antal og procenter, for en procent og basen afslører antallet.\n"
        "- Når et tal er skjult, skjules mindst ét tal mere i samme række eller kolonne, så det "
        "skjulte tal ikke kan regnes ud fra totalerne (sekundær diskretion). Afledte tal, fx "
        "andelen af de to øverste svar, vises kun, hvis de ikke afslører et skjult tal.\n"
        "- Figurerne tegnes ud fra de samme tabeller: et skjult tal vises som »–«.\n"
        "- Fritekstsvar vises kun som citater, hvor navne, e-mailadresser, telefon- og "
        "CPR-numre og links er erstattet. Tekst fra besvarelserne vises altid som tekst, aldrig "
        "som kode.\n"
        "- Hverken enkeltbesvarelser, navne på foreninger eller personer eller rådata "
        "offentliggøres. Tabellerne til download er de samme skjulte tabeller, og celler, som et "
        "regneark kunne læse som en formel, er gjort ufarlige.\n"
    )


# --------------------------------------------------------------------------- recommendations


def _rules_path(rules_file: str | Path | None) -> Path:
    from fslt_survey import recommend

    return Path(rules_file) if rules_file is not None else recommend.RULES_FILE


def evaluation(r: Report, rules_file: str | Path | None = None) -> pd.DataFrame:
    """The evaluated rules (cached on the report; see :func:`recommend.evaluate_rules`)."""
    from fslt_survey import recommend

    path = _rules_path(rules_file)
    key = str(path.resolve())
    if key not in r.cache:
        rules = recommend.load_rules(path, instrument=r.instrument)
        r.cache[key] = (rules, recommend.evaluate_rules(r.data, r.instrument, rules, k=r.k))
    return r.cache[key][1]


def _value_text(row: Any) -> str:
    if pd.isna(row.value):
        return publish.HIDDEN
    if row.unit == "%":
        return f"{format_pct(row.value)} {format_ci(row.ci_low, row.ci_high)}"
    lo, hi = format_number(row.ci_low, 1), format_number(row.ci_high, 1)
    if row.unit == "procentpoint":
        sign = "+" if row.value > 0 else ""
        return f"{sign}{format_number(row.value, 1)} procentpoint ({lo} til {hi})"
    return f"{format_number(row.value, 1)} point ({lo}–{hi})"


def _recommendation(row: Any) -> str:
    lines = [
        f'::: {{.callout-note title="{_attr(row.title)}"}}\n',
        f"**{escape_markdown(row.recommendation)}**\n",
        f"- *Grundlag:* {escape_markdown(row.finding)}.",
        f"- *Resultat:* {escape_markdown(row.evidence)}",
        f"- *Tærskel:* {escape_markdown(row.threshold_text)}; den er nået.",
    ]
    if isinstance(row.rationale, str) and row.rationale:
        lines.append(f"- *Hvorfor reglen:* {escape_markdown(row.rationale)}")
    lines.append(f"- *Regel:* `{row.id}`\n")
    lines.append(":::\n")
    return "\n".join(lines)


def _attr(text: str) -> str:
    """Text for a quoted Markdown attribute (a callout title)."""
    return escape_markdown(" ".join(str(text).split())).replace('"', "'")


def recommendations_block(
    r: Report, goal: int | None = None, *, rules_file: str | Path | None = None
) -> str:
    """The fired recommendations (of one strategic goal), each in a box with its evidence."""
    ev = evaluation(r, rules_file)
    fired = ev.loc[ev["fired"].astype(bool)]
    if goal is not None:
        fired = fired.loc[fired["goal"] == goal]
    if fired.empty:
        return "*Ingen af reglerne under dette mål gav anledning til en anbefaling.*\n"
    return "\n".join(_recommendation(row) for row in fired.itertuples(index=False))


def rules_not_fired_block(r: Report, *, rules_file: str | Path | None = None) -> str:
    """The enabled rules that gave no recommendation, and the rules switched off."""
    from fslt_survey import recommend

    ev = evaluation(r, rules_file)
    rest = ev.loc[~ev["fired"].astype(bool)]
    out = []
    if rest.empty:
        out.append("Alle regler gav anledning til en anbefaling.\n")
    else:
        reason = {
            "not_fired": "Tærsklen er ikke nået",
            "suppressed": f"For få svar (under {r.k} foreninger) til at vurdere",
            "no_data": "Ingen svar",
        }
        table = pd.DataFrame(
            {
                "Regel": rest["title"].astype(str),
                "Resultat": [_value_text(row) for row in rest.itertuples(index=False)],
                "Tærskel": rest["threshold_text"].astype(str),
                "Vurdering": rest["status"].map(reason),
            }
        )
        out.append(to_markdown_table(table, caption="Regler uden anbefaling"))
    path = _rules_path(rules_file)
    rules = (
        r.cache[str(path.resolve())][0]
        if str(path.resolve()) in r.cache
        else (recommend.load_rules(path, instrument=r.instrument))
    )
    off = [rule for rule in rules if not rule.enabled]
    if off:
        out.append(
            "Slået fra i regelfilen: "
            + "; ".join(
                escape_markdown(rule.title or rule.id)
                + (f" ({escape_markdown(rule.rationale)})" if rule.rationale else "")
                for rule in off
            )
            + ".\n"
        )
    return "\n".join(out)


def summary_block(r: Report, *, rules_file: str | Path | None = None) -> str:
    """Executive summary of the recommendations report (with a fact box in the PDF)."""
    ev = evaluation(r, rules_file)
    n, total = response_rate(r)
    fired = ev.loc[ev["fired"].astype(bool)]
    facts = [
        (f"{format_number(n)} af {format_number(total)}", "foreninger svarede i " + str(r.wave)),
        (format_number(len(fired)), "anbefalinger til kommunen"),
        (format_number(len(ev)), "regler vurderet"),
    ]
    out = [_typst_facts(facts), demo_note(r)]
    out.append(
        f"Frivilligcenter og Selvhjælp Lyngby-Taarbæk (FSLT) spurgte i {r.wave} alle "
        f"{format_number(total)} medlemsforeninger om deres behov og om samarbejdet med "
        f"kommunen; {format_number(n)} foreninger svarede ({format_pct(100 * n / total)}). "
        "Anbefalingerne følger af faste, offentlige regler: hver regel siger, hvilket "
        "resultat den bygger på, og hvornår resultatet er stort nok til en anbefaling. Ved "
        "hver anbefaling står tallet med sit 95 %-konfidensinterval og antallet af foreninger, "
        "det bygger på.\n"
    )
    out.append(
        f"**{format_number(len(fired))} af {format_number(len(ev))} regler gav anledning til en "
        "anbefaling:**\n"
    )
    for goal, name in config.GOALS.items():
        recs = fired.loc[fired["goal"] == goal]
        if recs.empty:
            continue
        titles = "; ".join(escape_markdown(t) for t in recs["title"])
        out.append(f"- *Mål {goal}, {escape_markdown(_lower_first(name))}:* {titles}.")
    out.append("")
    return "\n".join(out)


def _typst_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_facts(facts: Sequence[tuple[str, str]]) -> str:
    """A row of key-figure boxes, for the PDF only (raw Typst; HTML ignores it)."""
    cells = ", ".join(f"fslt-fact({_typst_str(v)}, {_typst_str(t)})" for v, t in facts)
    accent = 'rgb("#1f3a5f")'
    return (
        "```{=typst}\n"
        f'#let fslt-fact(value, label) = block(width: 100%, fill: rgb("#eef4fb"), '
        f"radius: 3pt, inset: (x: 10pt, y: 9pt), stroke: (top: 2.5pt + {accent}))[\n"
        f'  #par(leading: 0.4em)[#text(size: 1.5em, weight: "bold", fill: {accent})[#value]]\n'
        "  #text(size: 0.9em, fill: luma(60))[#label]\n"
        "]\n"
        f"#grid(columns: (1fr,) * {len(facts)}, gutter: 10pt, {cells})\n"
        "#v(0.6em)\n"
        "```\n"
    )


# --------------------------------------------------------------------------- downloads


def download_tables(r: Report) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every published table, suppressed, with a Danish description: stem -> (text, table)."""
    tables: dict[str, tuple[str, pd.DataFrame]] = {}
    themes = ["behov", "centret", "kommune", "selvhjaelp", "netvaerk", "erhverv"]
    for theme in themes:
        frames = []
        for it in r.instrument.by_theme(theme):
            if it.waves and r.wave not in it.waves:
                continue
            if it.type in ("single", "likert"):
                raw = stats.tab_single(r.latest, it)
                frames.append(publish.public_frequencies(raw, k=r.k))
            elif it.type == "multi":
                raw = stats.tab_multi(r.latest, it)
                frames.append(publish.public_frequencies(raw, k=r.k, multi_select=True))
        if frames:
            title = r.instrument.themes.get(theme, theme)
            tables[f"{theme}_{r.wave}"] = (
                f"{title}: svarfordelinger {r.wave}",
                pd.concat(frames, ignore_index=True),
            )
    its = r.items("behov")
    sup, large = _ranking(r)
    dist = stats.tab_likert(r.latest, its)
    tables[f"behov_rangordning_{r.wave}"] = (
        f"Behov rangordnet efter andelen, der svarer {_lower_first(large)}, {r.wave}",
        publish.public_ranking(sup),
    )
    heat = stats.rank_needs(r.latest, its, by="assoc_type", large=(large,))
    hsup = publish.suppress_ranking(
        heat, k=r.k, by="assoc_type", distributions=dist, large=(large,)
    )
    tables[f"behov_efter_type_{r.wave}"] = (
        f"Behov efter foreningstype, {r.wave}",
        publish.public_ranking(hsup, by="assoc_type"),
    )
    if len(r.waves) >= 2:
        core = [
            it
            for it in r.instrument.items
            if it.type in ("single", "likert", "multi")
            and it.theme in themes
            and (not it.waves or (r.waves[0] in it.waves and r.wave in it.waves))
        ]
        rows = _trend_rows(r, core, None)
        tsup = publish.suppress_trend(rows, data=r.data, k=r.k)
        tables[f"udvikling_{r.waves[0]}_{r.wave}"] = (
            f"Udviklingen fra {r.waves[0]} til {r.wave} for alle spørgsmål i begge runder",
            publish.public_trend(tsup),
        )
    return tables


def downloads_block(r: Report, folder: str | Path = "downloads") -> str:
    """Write every published table as CSV and XLSX and list them with links."""
    tables = download_tables(r)
    publish.downloads({stem: df for stem, (_, df) in tables.items()}, folder)
    folder = Path(folder).as_posix()
    rows = [
        "| Tabel | CSV | Excel |",
        "|:------|:----|:------|",
    ]
    for stem, (text, _) in tables.items():
        rows.append(
            f"| {escape_markdown(text)} | [{stem}.csv]({folder}/{stem}.csv) "
            f"| [{stem}.xlsx]({folder}/{stem}.xlsx) |"
        )
    note = (
        "CSV-filerne er i UTF-8 med semikolon som skilletegn og decimalkomma, så de åbner "
        "direkte i dansk Excel. Kolonnerne: `antal` og `basis` er antal foreninger, `andel_pct` "
        "og `ki_*_pct` er procent med 95 %-konfidensinterval, `skjult` siger, om tallene i "
        f"rækken er skjult, fordi færre end {r.k} foreninger står bag (eller fordi de ellers "
        "kunne regnes ud). Tomme felter er skjulte eller ikke relevante tal."
    )
    return "\n".join(rows) + "\n\n: Tabeller til download\n\n" + note + "\n"
