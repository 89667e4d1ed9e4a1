"""Section builders for the published reports (``reports/*.qmd``).

The pages are thin: every Python cell calls one function here and prints the Markdown it
returns (``#| output: asis``), so Quarto and the built-in engine render the same thing. Every
number shown passes :mod:`fslt_survey.publish` (small-cell suppression), every chart is drawn
from the suppressed table and saved beside the page (``figurer/<page>-<name>.svg``) with its
Danish alt text, and every survey text is escaped.

This module holds the sections of the front page (:func:`key_figures`, :func:`top_needs_block`,
:func:`pages_block`), of the method page (:func:`response_block`, :func:`cleaning_block`,
:func:`protection_block`); the downloads page's are in :mod:`fslt_survey.report.downloads`.
The page data and shared helpers (:class:`Report`, :func:`load`) are in
:mod:`fslt_survey.report.data`, the question blocks of the theme pages in
:mod:`fslt_survey.report.blocks` and the recommendations in
:mod:`fslt_survey.report.recommendations`; their public names are re-exported here, so a page
imports only this module.

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
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey import config, publish, stats
from fslt_survey._yaml import read_front_matter, read_yaml
from fslt_survey.danish import join_and
from fslt_survey.plots import plot_ranked_needs
from fslt_survey.privacy import suppress_counts
from fslt_survey.project import publication
from fslt_survey.publish import Finding, parts_sentence
from fslt_survey.report.data import (
    Report,
    _lower_first,
    _q,
    _ranking,
    demo_note,
    response_rate,
)
from fslt_survey.tables import (
    escape_markdown,
    format_number,
    format_pct,
    to_markdown_table,
)

__all__ = [
    "cleaning_block",
    "key_figures",
    "nonresponse_block",
    "pages_block",
    "protection_block",
    "response_block",
    "site_pages",
    "top_needs_block",
]

#: The theme pages: file stem -> (navbar title, one-line description for the front page).
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

# --------------------------------------------------------------------------- front page


def _share_of(r: Report, item: str, labels: Sequence[str]) -> Finding | None:
    """The finding "share answering ``labels``" of ``item`` in the latest wave, when shown."""
    f = r.findings.share(item, labels)
    return f if f.shown else None


def _pct_ci(f: Finding) -> str:
    return f.marker()


def _parts(r: Report, item: str, labels: Sequence[str]) -> str:
    """ "35 % svarer ja og 35 % måske" from the answers' own findings (empty if one is hidden)."""
    parts = [r.findings.share(item, [lab]) for lab in labels]
    if not all(p.shown for p in parts):
        return ""
    return parts_sentence([(lab, p.estimate) for lab, p in zip(labels, parts, strict=True)])


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
    rows = []
    for row in shown.head(3).itertuples(index=False):
        f = r.findings.share(str(row.item), [large])
        rows.append(
            f"- **{escape_markdown(row.label)}**: {f.marker()} af {format_number(f.base)} "
            f"foreninger svarer {_q(_lower_first(large))} ({f.measure.name})."
        )
    return "\n".join(
        [
            r.figure(chart, "top-behov", title),
            "\n".join(rows) + "\n",
            f"Parentesen er {format_pct(100 * r.confidence)}-konfidensintervallet: det "
            "interval, som andelen blandt alle "
            "medlemsforeningerne med stor sandsynlighed ligger i. Alle behov står på siden "
            "[Organisatoriske og praktiske behov](behov.html).\n",
        ]
    )


_NUMBERS = {3: "tre", 4: "fire", 5: "fem", 6: "seks", 8: "otte", 10: "ti"}


def site_pages(root: str | Path | None = None) -> list[tuple[str, str, str]]:
    """The pages the front page lists: ``(page, title, description)`` for every document in
    ``_quarto.yml``'s ``project: render:`` list whose front matter has a ``description``, in
    that order. Titles and descriptions are read from the pages themselves (defined once)."""
    root = Path(root) if root is not None else config.PROJECT_ROOT
    project = read_yaml(root / "_quarto.yml", "Quarto project file")
    pages = []
    for rel in (project.get("project") or {}).get("render") or []:
        meta = read_front_matter(root / rel)
        if meta.get("description"):
            pages.append((Path(rel).stem, str(meta.get("title", "")), str(meta["description"])))
    return pages


def pages_block(root: str | Path | None = None) -> str:
    """Links to the theme pages with one line each (see :func:`site_pages`)."""
    return (
        "\n".join(
            f"- [{escape_markdown(title)}]({page}.html): {escape_markdown(desc.rstrip('.'))}."
            for page, title, desc in site_pages(root)
        )
        + "\n"
    )


def _key_messages(r: Report, top: pd.DataFrame, large: str) -> list[str]:
    """The front page's messages, each written from findings with its measure's own words."""
    msgs = []
    if len(top):
        first = r.findings.share(str(top.iloc[0]["item"]), [large])
        others = join_and(_q(str(lab)) for lab in top["label"].iloc[1:])  # "a, b og c"
        msgs.append(
            f"**{escape_markdown(top.iloc[0]['label'])}** er det største behov: "
            f"{first.marker()} af foreningerne har {_lower_first(large)} brug for støtte til "
            f"det ({first.measure.name})" + (f", derefter følger {others}." if others else ".")
        )
    contact = _share_of(r, "kommune_kontakt", ["Ja"])
    roles = _share_of(r, "samarbejde_roller", ["Helt enig", "Overvejende enig"])
    if contact and roles:
        msgs.append(
            f"Samarbejdet med kommunen kan blive klarere: {_pct_ci(contact)} har en fast "
            f"kontaktperson i kommunen, og {_pct_ci(roles)} er helt eller overvejende enige i, "
            "at arbejdsdelingen mellem kommunen og foreningen er klar."
        )
    drives = _share_of(r, "sh_driver", ["Ja"])
    benefit = _share_of(r, "netvaerksgrupper", ["Ja", "Måske"])
    parts = _parts(r, "netvaerksgrupper", ["Ja", "Måske"])
    if drives and benefit and parts:
        msgs.append(
            f"Selvhjælp fylder: {_pct_ci(drives)} af foreningerne driver selvhjælps- eller "
            "netværksgrupper. Spurgt, om deres målgruppe kunne have gavn af netværksgrupper "
            f"uden gruppeleder, {parts} ({benefit.measure.name} {_pct_ci(benefit)})."
        )
    join = _share_of(r, "forum_deltage", ["Ja"])
    if join:
        opts = [
            r.findings.share("forum_temaer", [lab.label])
            for lab in r.instrument.item("forum_temaer").scale.substantive  # type: ignore[union-attr]
        ]
        shown = sorted((f for f in opts if f.shown), key=lambda f: -f.estimate)[:1]
        extra = "".join(
            f"; det mest efterspurgte tema er {_q(_lower_first(f.measure.labels[0]))} "
            f"({f.marker(f.value())})"
            for f in shown
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
    wide.loc[config.TOTAL_LABEL] = wide.sum()
    table = pd.DataFrame(
        {
            "Foreningstype": wide.index.astype(str),
            "Antal, der svarede": format_number(wide[True]).to_numpy(),
            "Antal, der ikke svarede": format_number(wide[False]).to_numpy(),
            "Antal i registret": format_number(wide.sum(axis=1)).to_numpy(),
        }
    )
    out.append(to_markdown_table(table, caption=f"Svar efter foreningstype, {r.wave}"))
    out.append(RESPONSE_NOTE)
    return "\n".join(out)


#: Why the response tables show small numbers (the policy of issue 18).
RESPONSE_NOTE = (
    "Hvor mange foreninger der har svaret, vises også for små grupper: at svare eller ikke at "
    "svare er ikke følsomt, og tallene siger intet om, hvad den enkelte forening har svaret.\n"
)

_NONRESPONSE_BY = {
    "assoc_type": "Foreningstype",
    "size_band": "Størrelse",
    "locality": "Lokalområde",
}


def nonresponse_block(r: Report) -> str:
    """Respondents of the latest wave against the registry by type, size band and locality.

    Shown in full, as in :func:`response_block`: taking part is not sensitive.
    """
    check = stats.nonresponse_check(
        r.latest["association_id"].dropna(), r.registry, by=tuple(_NONRESPONSE_BY)
    )
    out = []
    for col, heading in _NONRESPONSE_BY.items():
        part = check[check["variable"] == col].set_index("category")
        table = pd.DataFrame(
            {
                heading: part.index.astype(str),
                "Andel af registret": format_pct(part["registry_pct"]).to_numpy(),
                "Andel af de svarende": format_pct(part["respondent_pct"]).to_numpy(),
                "Svarprocent": format_pct(part["response_rate"]).to_numpy(),
            }
        )
        out.append(
            to_markdown_table(
                table, caption=f"Svarende og registret efter {heading.lower()}, {r.wave}"
            )
        )
    out.append(RESPONSE_NOTE)
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
        "omkoder svarene, holder »Ved ikke« og lignende svar uden for procenterne, "
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
    if publish.small_count(excluded, r.k):
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
    """How the published numbers protect the associations: the survey's declared policy
    (:func:`fslt_survey.project.publication`) in plain Danish, then the rules that follow."""
    person = publication(config.EVALUATION_SURVEY)
    return (
        f"- Undersøgelsen tæller {r.unit}. {r.policy_reason} Derfor vises intet tal, der "
        f"bygger på færre end {r.k} {r.unit} (primær diskretion), hverken som antal eller "
        "procent, for en procent og basen afslører antallet. En gruppe med færre end "
        f"{r.min_group} svar vises ikke for sig selv: i figuren over behov efter foreningstype "
        "er typerne lagt sammen i bredere grupper, og en gruppe, der stadig er for lille, "
        "lægges sammen med andre under »Øvrige«. "
        "Mødeevalueringerne udfyldes af de enkelte deltagere; dér er grænsen "
        f"{person.k} deltagere.\n"
        "- Når et tal er skjult, skjules mindst ét tal mere i samme række eller kolonne, så det "
        "skjulte tal ikke kan regnes ud fra totalerne (sekundær diskretion). Afledte tal, fx "
        "andelen af de to øverste svar, vises kun, hvis de ikke afslører et skjult tal.\n"
        "- Figurerne tegnes ud fra de samme tabeller: et skjult tal vises som »–«.\n"
        "- Før siderne udgives, kontrolleres alle tallene samlet: et program prøver at regne "
        "hvert skjult tal ud ved at kombinere alle offentliggjorte tabeller og andele, og "
        "siderne udgives kun, hvis det ikke kan lade sig gøre.\n"
        "- Fritekstsvar vises kun som citater, hvor navne, e-mailadresser, telefon- og "
        "CPR-numre og links er erstattet. Tekst fra besvarelserne vises altid som tekst, aldrig "
        "som kode.\n"
        "- Det er ikke følsomt ikke at svare: hvor mange der ikke har svaret, kan vises. For et "
        "spørgsmål med flere svarmuligheder er det samme tal som »Ikke besvaret«.\n"
        "- Hverken enkeltbesvarelser, navne på foreninger eller personer eller rådata "
        "offentliggøres. Tabellerne til download er de samme skjulte tabeller, og celler, som et "
        "regneark kunne læse som en formel, er gjort ufarlige.\n"
    )
