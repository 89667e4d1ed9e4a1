"""Network forums and self-help network groups: the follow-up page, its tables and the CLI.

The strategy 2025-2027 asks the centre to create forums for experience exchange between member
associations and to facilitate self-help *netværksgrupper*. The data about them are loaded and
validated by :mod:`fslt_survey.network.data` (the theme guides by
:mod:`fslt_survey.network.themes`), the follow-up tables (attendance, meeting evaluations) are
computed by :mod:`fslt_survey.network.stats`, and :mod:`fslt_survey.network.groups` proposes
new groups from the member survey and builds the handouts.

This module publishes the follow-up. The ``*_markdown`` functions publish the tables with
small-cell suppression (k = :data:`fslt_survey.config.SUPPRESSION_K`) and never name an
association; :class:`MeetingFollowUp` is everything the site page ``reports/moeder.qmd`` shows.
The commands ``handouts`` and ``network`` of :mod:`fslt_survey.cli` call
:func:`render_handouts` and :func:`check_network`.
Every public name of :mod:`~fslt_survey.network.data`, :mod:`~fslt_survey.network.themes` and
:mod:`~fslt_survey.network.stats` is re-exported here, so ``from fslt_survey.network import ...``
works as before (and so does :mod:`fslt_survey.followup`, which looks up ``load_network_data``
and its helpers on this module).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config, publish
from fslt_survey.codebook import Instrument, load_instrument
from fslt_survey.danish import long_date
from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.network.data import (
    EVALUATION_SURVEY,
    HANDOUT_DOC,
    KIND_LABELS,
    MEMBER_SURVEY,
    Network,
    handout_dir,
    load_attendance,
    load_network,
    member_instrument,
    network_dir,
    theme_scale,
)
from fslt_survey.network.stats import (
    AttendanceSummary,
    attendance_by_type_table,
    attendance_summary,
    compare_evaluation_years,
    evaluation_shares,
    prepare_evaluations,
    response_counts,
    suppress_shares,
)
from fslt_survey.network.themes import (
    load_theme_guides,
)
from fslt_survey.plots import plot_dumbbell
from fslt_survey.privacy import suppress_counts
from fslt_survey.project import demo_mode, publication
from fslt_survey.publish.measures import HIDDEN as MEASURE_HIDDEN
from fslt_survey.registry import load_registry
from fslt_survey.render import render_document
from fslt_survey.stats import tab_multi
from fslt_survey.store import load_clean, outside_site
from fslt_survey.tables import format_number, format_pct, to_markdown_table

__all__ = [
    "HIDDEN",
    "MeetingFollowUp",
    "attendance_by_type_markdown",
    "check_network",
    "evaluation_markdown",
    "meetings_markdown",
    "render_handouts",
]

HIDDEN = MEASURE_HIDDEN

# --------------------------------------------------------------------------- Markdown tables


def _fmt_int(v: Any) -> str:
    return HIDDEN if pd.isna(v) else str(format_number(v))


def _fmt_pct(v: Any) -> str:
    return HIDDEN if pd.isna(v) else str(format_pct(v))


def _note(k: int) -> str:
    return (
        f"{HIDDEN} = skjult, fordi færre end {k} står bag tallet (eller fordi tallet ellers "
        "kunne regnes ud fra de andre)."
    )


def attendance_by_type_markdown(
    summary: AttendanceSummary, *, k: int | None = None, caption: str | None = None
) -> str:
    """:func:`attendance_by_type_table` as a Danish Markdown table with the suppression note."""

    k = config.SUPPRESSION_K if k is None else k
    t = attendance_by_type_table(summary, k=k)
    rows = pd.DataFrame(
        {
            "Foreningstype": t["assoc_type"],
            "Medlemsforeninger": [_fmt_int(v) for v in t["members"]],
            "Har deltaget mindst én gang": [_fmt_int(v) for v in t["attended"]],
            "Andel": [_fmt_pct(v) for v in t["pct_attended"]],
        }
    )
    table = to_markdown_table(rows, caption=caption, align="lrrr")
    return f"{table}\n{_note(k)}\n"


def meetings_markdown(
    network: Network,
    summary: AttendanceSummary,
    evaluations: pd.DataFrame | None = None,
    *,
    k: int | None = None,
    caption: str | None = None,
) -> str:
    """Held meetings: date, forum, theme, associations, participants and evaluations.

    Each count column is suppressed as a table of its own (primary ``0 < n < k`` and
    secondary, with the column total as known), so totals can be published next to it.
    """

    k = config.SUPPRESSION_K if k is None else k
    info = network.meetings_frame().set_index("meeting_id")
    mt = summary.meetings.loc[:, ["meeting_id", "associations", "participants"]].copy()
    shown = {}
    for col in ("associations", "participants"):
        sup = suppress_counts(mt.assign(n=mt[col]), k=k, category_col="meeting_id", base_col=None)
        shown[col] = [_fmt_int(v) for v in sup["n"]]
    if evaluations is not None and "moede_id" in evaluations.columns:
        counts = response_counts(evaluations, k=k).set_index("moede_id")["n"]
        shown["evaluations"] = [_fmt_int(counts.get(m, 0)) for m in mt["meeting_id"]]
    mt = mt.merge(info, left_on="meeting_id", right_index=True, how="left")
    rows = pd.DataFrame(
        {
            "Møde": mt["meeting_id"],
            "Dato": mt["date"].map(long_date),  # "12. februar 2025", never wrapping
            "Forum": mt["forum"],
            "Tema": mt["theme_label"],
            "Foreninger": shown["associations"],
            "Deltagere": shown["participants"],
            **({"Evalueringer": shown["evaluations"]} if "evaluations" in shown else {}),
        }
    )
    return f"{to_markdown_table(rows, caption=caption)}\n{_note(k)}\n"


def evaluation_markdown(
    summary: pd.DataFrame,
    *,
    by: str,
    k: int | None = None,
    caption: str | None = None,
    group_name: str = "Møde",
    responses: pd.Series | None = None,
) -> str:
    """A wide Danish table: one row per ``by`` group, one column per item (share positive).

    ``summary`` from :func:`evaluation_shares` (its ``hidden`` column decides); without that
    column the share rule of :func:`suppress_shares` is applied. ``responses``: the number of
    evaluations per group, NA where hidden (see :func:`response_counts`).
    """

    k = config.SUPPRESSION_K if k is None else k
    s = summary.copy()
    s["_hide"] = (
        s["hidden"].astype(bool)
        if "hidden" in s.columns
        else suppress_shares(s["top_n"], s["base"], k)
    )
    rows = []
    for g in dict.fromkeys(s[by]):
        sub = s[s[by] == g].set_index("label")
        row = {group_name: str(g)}
        if responses is not None:
            n = responses.get(g, 0)
            row["Besvarelser"] = HIDDEN if pd.isna(n) or 0 < n < k else _fmt_int(n)
        for lab, r in sub.iterrows():
            row[f"{lab} ({r['top']})"] = HIDDEN if r["_hide"] else _fmt_pct(r["top_pct"])
        rows.append(row)
    table = to_markdown_table(pd.DataFrame(rows), caption=caption)
    return f"{table}\n{_note(k)}\n"


# --------------------------------------------------------------------------- the site page


@dataclass
class MeetingFollowUp:
    """Everything the site page ``reports/moeder.qmd`` shows, loaded once.

    Loads the network data, the attendance and the clean evaluations (``build/clean``, written
    by ``fslt-survey build``). The page loads it once (:func:`load_meetings_page`) and prints one
    ``*_block`` function per section; each applies the suppression rule and names no
    association.
    """

    network: Network
    attendance: pd.DataFrame
    summary: AttendanceSummary
    evaluations: pd.DataFrame
    instrument: Instrument
    today: dt.date | None = None
    k: int = config.SUPPRESSION_K
    source: str = "Kilde: Evaluering af netværksmøder og Frivilligcentrets fremmødelister"
    conf: float = config.CONFIDENCE
    quotes: tuple[publish.Quote, ...] = ()  # the approved quotes of the evaluations
    shares: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, repr=False)


def load_meetings_page(
    *, evaluations: pd.DataFrame | None = None, today: dt.date | None = None
) -> MeetingFollowUp:
    """Everything ``reports/moeder.qmd`` shows, loaded once: the network data, attendance, the
    clean evaluations (``evaluations`` instead, for tests), the declared k and confidence level
    and the approved quotes; ``today`` dates "upcoming" (default: after the last meeting)."""
    registry = load_registry()
    net = load_network()
    att = load_attendance(network=net, registry=registry)
    ev = load_clean(EVALUATION_SURVEY) if evaluations is None else evaluations
    inst = load_instrument(config.SURVEYS_DIR / EVALUATION_SURVEY / "instrument.yml")
    settings = publication(EVALUATION_SURVEY)  # the declared k and confidence level
    quotes = publish.load_quotes(
        publish.quotes_file(EVALUATION_SURVEY, demo=demo_mode()),
        items=[it.id for it in inst],
        names=tuple(registry["name"].astype(str)),
    )
    return MeetingFollowUp(
        net,
        att,
        attendance_summary(att, registry),
        prepare_evaluations(ev, net),
        inst,
        today,
        k=settings.k,
        conf=settings.confidence,
        quotes=tuple(quotes),
    )


# --------------------------------------------------------------------------- the page's sections


def meeting_overview_block(m: MeetingFollowUp) -> str:
    t = m.summary.totals
    n_ev = int(m.evaluations["moede_id"].notna().sum())
    years = sorted(m.attendance["year"].unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else ""
    total = attendance_by_type_table(m.summary, k=m.k).iloc[-1]  # the "I alt" row
    reached, share = total["attended"], total["pct_attended"]
    lines = [
        f"- **{t['meetings']}** netværksmøder med registreret fremmøde ({span})",
        f"- **{_fmt_int(t['participants'] if t['participants'] >= m.k else np.nan)}** "
        "deltagere i alt fra medlemsforeningerne",
        f"- **{_fmt_int(reached)}** af {t['members']} medlemsforeninger "
        f"(**{_fmt_pct(share)}**) har deltaget i mindst ét møde",
        f"- **{_fmt_int(n_ev if n_ev >= m.k else np.nan)}** evalueringer fra deltagerne, "
        "knyttet til et møde",
    ]
    unknown = int(m.evaluations["moede_id"].isna().sum())
    text = "\n".join(lines) + "\n"
    if unknown:
        text += (
            "\nDesuden har "
            + (f"{unknown} evalueringer" if unknown >= m.k else "nogle få evalueringer")
            + " en mødekode, der ikke findes i listen over møder; de indgår ikke.\n"
        )
    return text


def meeting_list_block(m: MeetingFollowUp) -> str:
    """The page's key figures: meetings, participants, associations reached, evaluations."""
    return meetings_markdown(
        m.network,
        m.summary,
        m.evaluations,
        k=m.k,
        caption="Afholdte møder: fremmøde og evalueringer",
    )


def meeting_by_type_block(m: MeetingFollowUp) -> str:
    """The meetings held: attendance and evaluations per meeting."""
    return attendance_by_type_markdown(
        m.summary,
        k=m.k,
        caption="Medlemsforeninger, der har deltaget i mindst ét møde, efter foreningstype",
    )


def _shares(m: MeetingFollowUp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The evaluations' shares per meeting and per year, computed once per page (two blocks
    print them)."""
    if m.shares is None:
        m.shares = evaluation_shares(m.evaluations, m.instrument, k=m.k)
    return m.shares


def evaluation_by_year_block(m: MeetingFollowUp) -> str:
    """The share of positive answers per year (the participants' evaluations)."""
    _, by_year = _shares(m)
    counts = m.evaluations.loc[m.evaluations["moede_id"].notna(), "year"].value_counts()
    return evaluation_markdown(
        by_year,
        by="year",
        k=m.k,
        group_name="År",
        responses=counts,
        caption="Andel positive svar pr. år (deltagernes evalueringer)",
    )


def evaluation_by_meeting_block(m: MeetingFollowUp) -> str:
    """The share of positive answers per meeting."""
    by_meeting, _ = _shares(m)
    counts = response_counts(m.evaluations, k=m.k).set_index("moede_id")["n"]
    return evaluation_markdown(
        by_meeting,
        by="moede_id",
        k=m.k,
        responses=counts,
        caption="Andel positive svar pr. møde",
    )


def evaluation_trend_block(m: MeetingFollowUp, folder: str = "figurer") -> str:
    """The share of positive answers per meeting."""
    if m.evaluations["year"].dropna().nunique() < 2:
        return "*Der er endnu kun evalueringer fra ét år.*\n"
    cmp = compare_evaluation_years(m.evaluations, m.instrument, k=m.k, conf=m.conf)
    chart = plot_dumbbell(
        cmp,
        title="Deltagernes vurdering af netværksmøderne",
        source=m.source,
        unit="deltagere",
    )
    return publish.figure(
        chart,
        "moeder-udvikling",
        folder=folder,
        caption="Andel positive svar i det første og det seneste år",
    )


def wished_themes_block(m: MeetingFollowUp) -> str:
    """The first and latest year's positive answers as a chart (a sentence with one year)."""
    item = m.instrument.item("naeste_temaer")
    text = publish.frequency_table(
        tab_multi(m.evaluations, item, sort=True, conf=m.conf),
        k=m.k,
        conf=m.conf,
        multi_select=True,
        show_missing=False,
        caption="Temaer, deltagerne ønsker til kommende møder",
    )
    return text.replace(" foreninger", " deltagere")  # the respondents are participants


def meeting_comments_block(m: MeetingFollowUp, limit: int = 5) -> str:
    """The themes participants wish for coming meetings."""
    """The approved quotes of the comments (:mod:`fslt_survey.publish.curated`)."""
    return publish.quotes_markdown(m.quotes, item="moede_kommentar", limit=limit)


def upcoming_meetings_block(m: MeetingFollowUp) -> str:
    frame = m.network.meetings_frame()
    if m.today is not None:
        after = pd.Timestamp(m.today)
    else:  # after the last meeting with registered attendance: the page stays reproducible
        after = m.attendance["date"].max() + pd.Timedelta(days=1)
    up = frame.loc[frame["date"] >= after]
    if up.empty:
        return "Der er ikke planlagt flere møder endnu.\n"
    rows = pd.DataFrame(
        {
            "Dato": up["date"].map(long_date),
            "Forum": up["forum"],
            "Type": up["kind"].map(KIND_LABELS),
            "Tema": up["theme_label"],
            "Sted": up["place"],
            "Mødekode": up["meeting_id"],
        }
    )
    return to_markdown_table(rows, caption="Planlagte møder")


# --------------------------------------------------------------------------- checks and handouts


def check_network() -> list[str]:
    """Load and validate the network data (forums, meetings, attendance, themes); one line per
    file with what it holds. Raises the first file's ConfigError."""
    inst = member_instrument()
    registry = load_registry()
    net = load_network(themes=theme_scale(inst))
    att = load_attendance(network=net, registry=registry)
    guides = load_theme_guides(instrument=inst)
    t = attendance_summary(att, registry).totals
    return [
        f"{net.path}: OK - {len(net.forums)} forums, {len(net.meetings)} meetings",
        f"{network_dir() / 'fremmoede.csv'}: OK - {len(att)} rows, {t['meetings']} meetings "
        f"with attendance, {t['associations_reached']} of {t['members']} member "
        "associations reached",
        f"{network_dir() / 'temaer.yml'}: OK - {len(guides)} themes",
    ]


def handout_title(label: str) -> str:
    """A handout's title: its theme ("Temaark: Frivillige og rekruttering")."""
    return f"Temaark: {label}"


def render_handouts(
    themes: list[str] | None = None,
    *,
    out: str | Path | None = None,
    engine: str = "auto",
    force: bool = False,
) -> dict[str, list[Path]]:
    """Render one handout (HTML + PDF) per theme into ``build/handouts`` (never the site).

    Returns the files written per theme key. Refuses unknown themes, a broken theme file and a
    missing clean member survey before rendering anything.
    """
    clean = config.CLEAN_DIR / f"{MEMBER_SURVEY}.parquet"
    if not clean.exists():
        raise SurveyDataError(
            "the handouts read the clean member survey; run `fslt-survey "
            "build` (or `fslt-survey clean`) first",
            file=clean,
        )
    keys = [lab.key for lab in theme_scale().substantive]
    themes = themes or keys
    unknown = [t for t in themes if t not in keys]
    if unknown:
        raise ConfigError("unknown theme", expected=", ".join(keys), found=", ".join(unknown))
    load_theme_guides()  # refuse a broken theme file before rendering anything
    folder = outside_site(out, "handouts") if out else handout_dir()
    written: dict[str, list[Path]] = {}
    labels = {lab.key: lab.label for lab in theme_scale().substantive}
    for theme in themes:
        params = {"tema": theme, "dato": dt.date.today().isoformat()}  # "next meeting" is dated
        res = render_document(
            config.PROJECT_ROOT,
            HANDOUT_DOC,
            params=params,
            output_dir=folder,
            output_name=theme,
            engine=engine,
            force=force,
            metadata={"title": handout_title(labels[theme])},  # in the PDF's metadata too
        )
        written[theme] = [
            p for d in res.documents for p in d.outputs if p.suffix in (".html", ".pdf")
        ]
    return written
