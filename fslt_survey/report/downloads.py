"""The Data page's downloads: every published table, suppressed, as CSV and Excel files.

:func:`download_tables` collects the tables (the same suppressed distributions the theme pages
show, with the findings' intervals); :func:`downloads_block` writes them beside the page and
lists them in Danish.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import publish
from fslt_survey.report.data import (
    Report,
    _lower_first,
    _ranking,
    needs_by_group,
    other_survey_tables,
)
from fslt_survey.report.findings_view import (
    changes_for,
    public_changes,
    public_findings,
    with_findings,
)
from fslt_survey.report.recommendations import evaluation
from fslt_survey.tables import ci_heading, escape_markdown

__all__ = ["download_tables", "downloads_block"]


def download_tables(r: Report) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every published table, suppressed, with a Danish description: stem -> (text, table)."""
    tables: dict[str, tuple[str, pd.DataFrame]] = {}
    themes = ["behov", "centret", "kommune", "selvhjaelp", "netvaerk", "erhverv"]
    for theme in themes:
        frames = []
        for it in r.instrument.by_theme(theme):
            if it.waves and r.wave not in it.waves:
                continue
            if it.type in ("single", "likert", "multi"):
                frames.append(_public_distribution(r, it))
        if frames:
            title = r.instrument.themes.get(theme, theme)
            tables[f"{theme}_{r.wave}"] = (
                f"{title}: svarfordelinger {r.wave}",
                pd.concat(frames, ignore_index=True),
            )
    sup, large = _ranking(r)
    tables[f"behov_rangordning_{r.wave}"] = (
        f"Behov rangordnet efter andelen, der svarer {_lower_first(large)}, {r.wave}",
        publish.public_ranking(sup, measure=_measure(r, (large,))),
    )
    hsup, col, counted, _ = needs_by_group(r)
    tables[f"behov_efter_type_{r.wave}"] = (
        f"Behov efter foreningsgruppe, {r.wave}",
        publish.public_ranking(hsup, by=col, measure=_measure(r, counted)),
    )
    if len(r.waves) >= 2:
        core = [
            it
            for it in r.instrument.items
            if it.type in ("single", "likert", "multi")
            and it.theme in themes
            and (not it.waves or (r.waves[0] in it.waves and r.wave in it.waves))
        ]
        tables[f"udvikling_{r.waves[0]}_{r.wave}"] = (
            f"Udviklingen fra {r.waves[0]} til {r.wave} for alle spørgsmål i begge runder",
            public_changes(changes_for(r.findings, core)),
        )
    tables.update(other_survey_tables(r))
    evaluation(r)  # the recommendations' findings join the table (the same on every build)
    tables["fund"] = (
        "Alle fund: hvert offentliggjort tal med id, side, mål, skøn, interval, basis og vurdering",
        public_findings(r.findings),
    )
    return tables


def _public_distribution(r: Report, it: Any) -> pd.DataFrame:
    """The item's suppressed distribution as the findings judged it (computed once, by the
    build), with the findings' shares and intervals: the theme pages' numbers."""
    raw, sup = r.findings.distribution(it, r.wave)  # the store is at the page's k
    shown = with_findings(r.findings, sup.drop(columns="suppressed"), it, r.wave)
    hidden = sup["suppressed"].to_numpy(dtype=bool)
    for col in ("pct", "ci_low", "ci_high"):  # a hidden cell stays hidden
        shown[col] = shown[col].astype("Float64").mask(hidden)
    shown["suppressed"] = hidden
    return publish.public_frequencies(raw, k=r.k, suppressed=shown)


def _measure(r: Report, answers: tuple[str, ...], battery: str = "behov") -> str:
    """The findings' name of the share of ``answers`` ("andel i høj eller nogen grad")."""
    scale = r.items(battery)[0].scale
    cats = scale.categories if scale is not None else list(answers)
    return publish.measure_for(cats, answers, ordered=True).name


def downloads_block(r: Report, folder: str | Path = "downloads") -> str:
    """Write every published table as CSV and XLSX and list them with links."""
    tables = download_tables(r)
    publish.downloads({stem: df for stem, (_, df) in tables.items()}, folder)
    folder = Path(folder).as_posix()
    rows = [
        "| Tabel | CSV | Excel |",
        "|-------|-----|-------|",
    ]
    for stem, (text, _) in tables.items():
        rows.append(
            f"| {escape_markdown(text)} | [{stem}.csv]({folder}/{stem}.csv) "
            f"| [{stem}.xlsx]({folder}/{stem}.xlsx) |"
        )
    note = (
        "CSV-filerne er i UTF-8 med semikolon som skilletegn og decimalkomma, så de åbner "
        "direkte i dansk Excel. Kolonnerne: »antal« og »basis« er antal foreninger, »andel_pct« "
        f"og »ki_nedre_pct«/»ki_oevre_pct« er procent med {ci_heading(r.confidence)}, »skjult« "
        "siger, om tallene i "
        f"rækken er skjult, fordi færre end {r.k} foreninger står bag (eller fordi de ellers "
        "kunne regnes ud). Tomme felter er skjulte eller ikke relevante tal."
    )
    return "\n".join(rows) + "\n\n: Tabeller til download\n\n" + note + "\n"
