"""Network follow-up tables: attendance and the participants' evaluations of the meetings.

:func:`attendance_summary` (per association, per meeting, per type, never attended) and
:func:`attendance_by_type_table` (suppressed for publication); :func:`prepare_evaluations`
(links the evaluation form to the meetings; meeting codes are normalised, ``" m2025-04"`` ->
``"M2025-04"``), :func:`evaluation_summary` (per meeting or year), :func:`evaluation_shares` and
:func:`response_counts` (with the suppression rule of :func:`suppress_shares`) and
:func:`compare_evaluation_years`. Tidy tables only; :mod:`fslt_survey.network` publishes them
and re-exports every public name here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item
from fslt_survey.errors import SurveyDataError
from fslt_survey.network.data import (
    Network,
    normalise_meeting_code,
)
from fslt_survey.privacy import suppress_counts
from fslt_survey.publish.rules import share_publishable
from fslt_survey.stats import adjust_family, tab_likert_summary, tab_single
from fslt_survey.stats.answers import top_box
from fslt_survey.stats.waves import compare_waves

__all__ = [
    "AttendanceSummary",
    "attendance_by_type_table",
    "attendance_summary",
    "compare_evaluation_years",
    "evaluation_items",
    "evaluation_shares",
    "evaluation_summary",
    "prepare_evaluations",
    "response_counts",
    "suppress_shares",
    "top_labels",
]

# --------------------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendanceSummary:
    """Tidy attendance tables (see :func:`attendance_summary`)."""

    associations: pd.DataFrame
    meetings: pd.DataFrame
    by_type: pd.DataFrame
    never: pd.DataFrame
    totals: dict[str, Any] = field(default_factory=dict)


def attendance_summary(attendance: pd.DataFrame, registry: pd.DataFrame) -> AttendanceSummary:
    """Who comes, how often, and who never has.

    Parameters
    ----------
    attendance:
        :func:`load_attendance` (``meeting_id``, ``association_id``, ``participants``; ``date``
        optional, used for first/last).
    registry:
        The member registry; every member association gets a row, also with 0 meetings.
        Attendance by associations that are not in the registry is ignored.

    Returns
    -------
    AttendanceSummary
        ``associations``: association_id, name, assoc_type, meetings, participants, first,
        last, attended (most meetings first). ``meetings``: meeting_id, [date,] associations,
        participants. ``by_type``: assoc_type, members, attended, never, pct_attended.
        ``never``: association_id, name, assoc_type of members who never came. ``totals``:
        meetings, associations_reached, members, pct_reached, participants.
    """
    reg = registry.loc[:, ["association_id", "name", "assoc_type"]].copy()
    att = attendance.loc[attendance["association_id"].isin(reg["association_id"])].copy()
    has_date = "date" in att.columns
    agg: dict[str, Any] = {
        "meetings": ("meeting_id", "nunique"),
        "participants": ("participants", "sum"),
    }
    if has_date:
        agg |= {"first": ("date", "min"), "last": ("date", "max")}
    per = (
        att.groupby("association_id").agg(**agg)
        if len(att)
        else pd.DataFrame(columns=list(agg)).rename_axis("association_id")
    )
    assoc = reg.merge(per, left_on="association_id", right_index=True, how="left")
    for col in ("meetings", "participants"):
        assoc[col] = assoc[col].fillna(0).astype("int64")
    if not has_date:
        assoc["first"] = assoc["last"] = pd.NaT
    assoc["attended"] = assoc["meetings"] > 0
    assoc = assoc.sort_values(
        ["meetings", "association_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    keys = ["meeting_id", "date"] if has_date else ["meeting_id"]
    meetings = (
        att.groupby(keys, sort=True)
        .agg(associations=("association_id", "nunique"), participants=("participants", "sum"))
        .reset_index()
    )
    if has_date:
        meetings = meetings.sort_values(["date", "meeting_id"]).reset_index(drop=True)
    by_type = (
        assoc.groupby("assoc_type", observed=False)
        .agg(members=("association_id", "size"), attended=("attended", "sum"))
        .reset_index()
    )
    by_type["attended"] = by_type["attended"].astype("int64")
    by_type["never"] = by_type["members"] - by_type["attended"]
    by_type["pct_attended"] = (
        100 * by_type["attended"] / by_type["members"].where(by_type["members"] > 0)
    )
    never = assoc.loc[~assoc["attended"], ["association_id", "name", "assoc_type"]]
    never = never.sort_values("association_id").reset_index(drop=True)
    n_members = len(reg)
    reached = int(assoc["attended"].sum())
    totals = {
        "meetings": int(att["meeting_id"].nunique()),
        "associations_reached": reached,
        "members": n_members,
        "participants": int(att["participants"].sum()),
        "pct_reached": 100 * reached / n_members if n_members else float("nan"),
    }
    return AttendanceSummary(assoc, meetings, by_type, never, totals)


def suppress_shares(n: pd.Series, base: pd.Series, k: int | None = None) -> pd.Series:
    """True where a share n/base must be hidden: n or base - n in (0, k), or base < k.

    The same rule as the published Likert tables: a share reveals both the count and its
    complement.
    """
    k = config.SUPPRESSION_K if k is None else k
    n, base = pd.to_numeric(n, errors="coerce"), pd.to_numeric(base, errors="coerce")
    return (
        ((n > 0) & (n < k))
        | ((base - n > 0) & (base - n < k))
        | (base < k)
        | n.isna()
        | base.isna()
    ).astype(bool)


def attendance_by_type_table(summary: AttendanceSummary, *, k: int | None = None) -> pd.DataFrame:
    """Members who attended at least once by association type, suppressed for publication.

    The counts attended / never per type form a cross-tab with an "I alt" row, suppressed with
    :func:`~fslt_survey.privacy.suppress_counts` (primary and secondary, the total row
    protected jointly), so no hidden cell can be recovered from the published totals.

    Returns ``assoc_type`` (types, then "I alt"), ``members``, ``attended`` (NA where hidden),
    ``pct_attended`` (NA where hidden).
    """

    k = config.SUPPRESSION_K if k is None else k
    bt = summary.by_type
    total = pd.DataFrame(
        {
            "assoc_type": ["I alt"],
            "members": [bt["members"].sum()],
            "attended": [bt["attended"].sum()],
            "never": [bt["never"].sum()],
        }
    )
    wide = pd.concat([bt.assign(assoc_type=bt["assoc_type"].astype(str)), total], ignore_index=True)
    long = wide.melt(
        id_vars=["assoc_type", "members"],
        value_vars=["attended", "never"],
        var_name="category",
        value_name="n",
    ).rename(columns={"members": "base"})
    sup = suppress_counts(long, k=k, group_col="assoc_type", total_group="I alt")
    att = sup[sup["category"] == "attended"].set_index("assoc_type")["n"]
    out = wide.loc[:, ["assoc_type", "members"]].copy()
    out["attended"] = pd.array([att[t] for t in out["assoc_type"]], dtype="Int64")
    out["pct_attended"] = (
        100 * out["attended"].astype("Float64") / out["members"].where(out["members"] > 0)
    )
    return out


# --------------------------------------------------------------------------- evaluations


def evaluation_items(instrument: Instrument) -> list[Item]:
    """The Likert items of the evaluation form, in questionnaire order."""
    return [it for it in instrument.items if it.type == "likert"]


def top_labels(item: Item) -> tuple[str, ...]:
    """The positive end of an item, by the one top-2 rule (:func:`~fslt_survey.stats.top_box`)."""
    assert item.scale is not None
    return top_box(item.scale.categories)


def prepare_evaluations(data: pd.DataFrame, network: Network) -> pd.DataFrame:
    """Link clean evaluation data to the meetings (a new frame; ``data`` is not changed).

    ``moede_kode`` holds the normalised code as written; ``moede_id`` becomes a categorical of
    the known meetings in date order (NA for codes that are not in ``netvaerk.yml``); added:
    ``meeting_date``, ``forum_id``, ``theme``, ``year`` (the meeting's year, else the wave).
    """
    out = data.copy()
    info = network.meetings_frame().set_index("meeting_id")
    code = out["moede_id"].map(normalise_meeting_code).astype("string")
    out["moede_kode"] = code
    known = [m for m in info.index if m in set(code.dropna())]
    out["moede_id"] = pd.Categorical(code.where(code.isin(known)), categories=known)
    mapped = code.where(code.isin(known))
    out["meeting_date"] = pd.to_datetime(mapped.map(info["date"]))
    out["forum_id"] = mapped.map(info["forum_id"]).astype("string")
    out["theme"] = mapped.map(info["theme"]).astype("string")
    year = out["meeting_date"].dt.year.astype("Int64")
    if "wave" in out.columns:
        year = year.fillna(out["wave"].astype("Int64"))
    out["year"] = year
    return out


def evaluation_summary(
    evaluations: pd.DataFrame, instrument: Instrument, *, by: str | None = "moede_id"
) -> pd.DataFrame:
    """Per item (and per ``by`` group): answers, positive answers and the median.

    Returns ``[by,] item, label, top, base, n_missing, top_n, top_pct, ci_low, ci_high,
    median`` where ``top`` names the positive answers counted (:func:`top_labels`).
    Not suppressed: see :func:`evaluation_markdown`.
    """

    frames = []
    for item in evaluation_items(instrument):
        top = top_labels(item)
        s = tab_likert_summary(evaluations, item, by=by, top=top)
        frames.append(s.assign(top=" + ".join(top)))
    out = pd.concat(frames, ignore_index=True).rename(
        columns={
            "top2_n": "top_n",
            "top2_pct": "top_pct",
            "top2_ci_low": "ci_low",
            "top2_ci_high": "ci_high",
        }
    )
    cols = ([by] if by else []) + [
        "item",
        "label",
        "top",
        "base",
        "n_missing",
        "top_n",
        "top_pct",
        "ci_low",
        "ci_high",
        "median",
    ]
    return out.loc[:, cols]


def response_counts(evaluations: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """Evaluations per meeting (known codes only), suppressed within each year.

    Returns ``year, moede_id, n, suppressed``: ``n`` is NA where hidden; the year totals (the
    sums) are treated as published, so a hidden count cannot be recovered from them.
    """

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    t = (
        ev.assign(moede_id=ev["moede_id"].astype(str))
        .groupby(["year", "moede_id"])
        .size()
        .reset_index(name="n")
    )
    if t.empty:
        return t.assign(suppressed=pd.Series(dtype=bool))
    sup = suppress_counts(t, k=k, category_col="moede_id", base_col=None, by=["year"])
    return sup.loc[:, ["year", "moede_id", "n", "suppressed"]]


def evaluation_shares(
    evaluations: pd.DataFrame, instrument: Instrument, *, k: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Publishable shares of positive answers per meeting and per year.

    Uses the evaluations linked to a known meeting; the year is the meeting's. Per item and
    year the meetings form a cross-tab (meeting x positive/not positive) whose year row is
    published too, protected with :func:`~fslt_survey.privacy.suppress_counts` (primary and
    secondary suppression, the year row as known totals), so a hidden meeting cannot be
    recovered from its year and the others; the share rule of :func:`suppress_shares` applies
    on top. Returns ``(by_meeting, by_year)``: :func:`evaluation_summary` tables with a bool
    column ``hidden`` (``by_meeting`` also has ``year``).
    """

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    by_meeting = evaluation_summary(ev, instrument, by="moede_id")
    by_year = evaluation_summary(ev, instrument, by="year")
    year_of = ev.assign(m=ev["moede_id"].astype(str)).drop_duplicates("m").set_index("m")["year"]
    by_meeting["year"] = by_meeting["moede_id"].astype(str).map(year_of)
    by_meeting = by_meeting.loc[by_meeting["year"].notna()].reset_index(drop=True)
    by_meeting["hidden"] = suppress_shares(by_meeting["top_n"], by_meeting["base"], k)
    by_year["hidden"] = suppress_shares(by_year["top_n"], by_year["base"], k)
    for (item, year), grp in by_meeting.groupby(["item", "year"], sort=False):
        yrows = by_year.index[(by_year["item"] == item) & (by_year["year"] == year)]
        rows = [(str(r.moede_id), int(r.top_n), int(r.base)) for r in grp.itertuples()]
        rows += [("I alt", int(by_year.at[i, "top_n"]), int(by_year.at[i, "base"])) for i in yrows]
        grid = pd.DataFrame(
            [
                {"group": g, "category": c, "n": n, "base": b}
                for g, top, b in rows
                for c, n in (("positiv", top), ("ikke positiv", b - top))
            ]
        )
        res = suppress_counts(grid, k=k, group_col="group", total_group="I alt", hide_cols=[])
        hidden = set(grid.loc[res["suppressed"].to_numpy(dtype=bool), "group"])
        by_meeting.loc[grp.index, "hidden"] |= grp["moede_id"].astype(str).isin(hidden)
        by_year.loc[yrows, "hidden"] |= "I alt" in hidden
    _hide_revealing_years(by_year, evaluations, instrument, k)
    return by_meeting, by_year


def _hide_revealing_years(
    by_year: pd.DataFrame, evaluations: pd.DataFrame, instrument: Instrument, k: int
) -> None:
    """Hide a year's positive share that would reveal a hidden cell of the round's published
    distribution (the download; the release audit found "I nogen grad" = 4 pinned this way):
    the check every derived share on the member pages passes (``share_publishable``)."""
    if "wave" not in evaluations.columns:
        return
    for item in evaluation_items(instrument):
        for i in by_year.index[by_year["item"] == item.id]:
            rows = evaluations.loc[evaluations["wave"] == by_year.at[i, "year"]]
            if len(rows) and not share_publishable(tab_single(rows, item), top_labels(item), k=k):
                by_year.at[i, "hidden"] = True


def compare_evaluation_years(
    evaluations: pd.DataFrame,
    instrument: Instrument,
    *,
    k: int | None = None,
    conf: float = config.CONFIDENCE,
) -> pd.DataFrame:
    """The share of positive answers per item in the first and the last year, with the test
    of :func:`fslt_survey.stats.waves.compare_waves` (evaluations linked to a known meeting; the
    year is the meeting's). Shares hidden by :func:`evaluation_shares` are NA, and so are the
    change, its interval and p of any item with a hidden share. ``p_adj``: Benjamini-Hochberg
    within the family of the evaluation's items (:func:`fslt_survey.stats.adjust_family`); the
    participants are not a known finite population, so no FPC."""

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    ev = ev.assign(wave=ev["year"].astype("int64"))
    waves = sorted(int(w) for w in ev["wave"].unique())
    if len(waves) < 2:
        raise SurveyDataError(
            "comparing years needs evaluations from two years", found=", ".join(map(str, waves))
        )
    _, by_year = evaluation_shares(ev, instrument, k=k)
    hidden = {(r.item, int(r.year)): bool(r.hidden) for r in by_year.itertuples()}
    frames = []
    for item in evaluation_items(instrument):
        c = compare_waves(ev, item, waves=(waves[0], waves[-1]), top=top_labels(item), conf=conf)
        frames.append(c[c["measure"] == "top2"])
    out = pd.concat(frames, ignore_index=True)
    for sfx in ("from", "to"):
        hide = [
            hidden.get((i, int(w)), True)
            for i, w in zip(out["item"], out[f"wave_{sfx}"], strict=True)
        ]
        out[f"pct_{sfx}"] = out[f"pct_{sfx}"].astype(float).mask(hide)
        out[f"n_{sfx}"] = out[f"n_{sfx}"].astype("Float64").mask(hide)
    gone = out["pct_from"].isna() | out["pct_to"].isna()
    for col in ("diff", "diff_ci_low", "diff_ci_high", "p"):
        if col in out.columns:
            out[col] = out[col].astype(float).mask(gone)
    # one family (the meeting evaluation's items), BH within it: the page's one verdict
    out["p_adj"] = adjust_family(out["p"].to_numpy(dtype=float))["p_adj"].to_numpy()
    return out
