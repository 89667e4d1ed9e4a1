"""Response frames of the demo generator: associations, fieldwork and one row per response.

:func:`association_profiles` gives every association of the registry its stable latent traits
(drawn from the seed and the association id); :func:`generate_member_responses` and
:func:`generate_meeting_responses` (the meetings of :data:`DEMO_MEETINGS`) draw the responses of
a wave with the answer model of :mod:`fslt_survey.demo.model`, with fieldwork times and
response metadata. With ``n`` larger than the registry, associations are drawn with replacement
(each row keeps its association's traits); everything is vectorised. The building blocks of the
benchmarks and tests, re-exported by :mod:`fslt_survey.demo`.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item
from fslt_survey.demo.model import _Gen
from fslt_survey.demo.params import BANDS, FIELDWORK, SX_ID_BASE, TYPE_LABELS, TYPES
from fslt_survey.demo.text import MEETING_COMMENTS

__all__ = [
    "DEMO_MEETINGS",
    "association_profiles",
    "generate_meeting_responses",
    "generate_member_responses",
]

# --------------------------------------------------------------------------- associations


def association_profiles(registry: pd.DataFrame, seed: int = config.DEMO_SEED) -> pd.DataFrame:
    """Stable latent traits per association, seeded by ``seed`` and the association id.

    A subset of the registry gets the same traits as in the full registry. Columns:
    ``association_id, name, type, band`` (0-3), ``locality``, ``need``, ``coop``, ``engage``
    (standard normal), ``u_*`` (stable uniforms behind yes/no facts), ``dontknow`` (hardly knows
    the municipality), ``members``, ``volunteer_share``.
    """
    type_key = {lab: key for lab, key in zip(TYPE_LABELS, TYPES, strict=True)}
    rows = []
    for rec in registry.astype({c: str for c in ("assoc_type", "size_band")}).itertuples():
        rng = np.random.default_rng([seed, zlib.crc32(str(rec.association_id).encode())])
        z = rng.standard_normal(3)
        u = rng.random(8)
        band = BANDS.index(rec.size_band) if rec.size_band in BANDS else 1
        lo, hi = ((5, 25), (25, 100), (100, 500), (500, 2500))[band]
        members = int(np.exp(np.log(lo) + u[6] * (np.log(hi) - np.log(lo))))
        share = ((0.4, 1.0), (0.15, 0.6), (0.05, 0.3), (0.02, 0.12))[band]
        rows.append(
            {
                "association_id": rec.association_id,
                "name": rec.name,
                "type": type_key.get(rec.assoc_type, "social"),
                "type_idx": TYPES.index(type_key.get(rec.assoc_type, "social")),
                "band": band,
                "locality": str(getattr(rec, "locality", "")),
                "need": z[0],
                "coop": z[1],
                "engage": z[2],
                "u_selfhelp": u[0],
                "u_p18": u[1],
                "u_contact": u[2],
                "u_cocreate": u[3],
                "u_business": u[4],
                "dontknow": u[5] < 0.12,
                "members": members,
                "volunteer_share": share[0] + u[7] * (share[1] - share[0]),
            }
        )
    return pd.DataFrame(rows)


#: Associations whose participation the demo fixes, because a planted case needs them.
_FORCED_GROUP = {
    "F033": "both",
    "F065": "both",
    "F012": "both",
    "F050": "2025",
    "F002": "both",
    "F010": "both",
    "F025": "both",
    "F047": "both",
    "F063": "2025",
    "F086": "both",
    "F021": "both",
    "F084": "2027",
    "F041": "2027",
    "F031": "2025",
}


def _response_groups(prof: pd.DataFrame, seed: int) -> np.ndarray:
    """Which waves each association answers: "both", "2025", "2027" or "none".

    For the 90 associations: 50 both, 20 only 2025, 15 only 2027, 5 neither. Less engaged and
    very small associations answer less often.
    """
    n = len(prof)
    sizes = {g: round(n * k / 90) for g, k in (("both", 50), ("2025", 20), ("2027", 15))}
    groups = np.full(n, "none", dtype=object)
    forced = prof["association_id"].map(_FORCED_GROUP).to_numpy(dtype=object)
    for g in sizes:
        sizes[g] -= int((forced == g).sum())
    groups[pd.notna(forced)] = forced[pd.notna(forced)]
    free = np.flatnonzero(pd.isna(forced))
    rng = np.random.default_rng([seed, 1])
    weight = np.exp(0.5 * prof["engage"].to_numpy()) * np.where(prof["band"] == 0, 0.7, 1.0)
    keys = np.log(weight[free]) + rng.gumbel(size=len(free))
    responders = free[np.argsort(-keys, kind="stable")][: max(0, sum(sizes.values()))]
    responders = rng.permutation(responders)
    start = 0
    for g, k in sizes.items():
        groups[responders[start : start + max(k, 0)]] = g
        start += max(k, 0)
    return groups


# --------------------------------------------------------------------------- response frames


def _fieldwork_times(rng: np.random.Generator, n: int, wave: int) -> tuple[pd.Series, pd.Series]:
    """Start and completion times: launch peak, reminder peak after two weeks, evenings."""
    start = pd.Timestamp(FIELDWORK.get(wave, f"{wave}-03-02"))
    comp = rng.choice(3, size=n, p=(0.45, 0.35, 0.20))
    day = np.where(
        comp == 0,
        rng.integers(0, 4, n),
        np.where(comp == 1, rng.integers(14, 19, n), rng.integers(0, 26, n)),
    )
    hour = rng.choice(
        np.arange(8, 23), size=n, p=np.array([3, 5, 6, 6, 5, 5, 5, 5, 5, 6, 9, 11, 12, 10, 7]) / 100
    )
    secs = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
    started = start + pd.to_timedelta(secs, unit="s")
    dur = np.round((6 + rng.gamma(3.0, 4.0, n)) * 60)
    return pd.Series(started), pd.Series(started + pd.to_timedelta(dur, unit="s"))


def _member_frame(
    instrument: Instrument,
    prof: pd.DataFrame,
    rows: np.ndarray,
    wave: int,
    rng: np.random.Generator,
    ids: np.ndarray,
) -> pd.DataFrame:
    items = instrument.for_wave(wave)
    gen = _Gen(instrument, prof, rows, wave, rng)
    gen.run(items)
    n = gen.n
    started, completed = _fieldwork_times(rng, n, wave)
    meta = {
        "response_id": np.asarray(ids, dtype=np.int64),
        "association_id": gen.p["association_id"],
        "assoc_type": pd.Categorical.from_codes(gen.ti, categories=TYPE_LABELS),
        "size_band": pd.Categorical.from_codes(gen.band, categories=BANDS),
        "started": started.to_numpy(),
        "completed": completed.to_numpy(),
        "modified": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "status": np.full(n, "complete", dtype=object),
        "email": np.full(n, None, dtype=object),
        "respondent": np.full(n, None, dtype=object),
    }
    return pd.DataFrame({**meta, **gen.frame(items)})


def generate_member_responses(
    instrument: Instrument,
    registry: pd.DataFrame,
    wave: int,
    *,
    n: int | None = None,
    seed: int = config.DEMO_SEED,
    associations: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulated responses to the member survey, one row per response.

    Parameters
    ----------
    instrument:
        The member instrument (items unknown to the model get plain random answers).
    registry:
        The member registry (:func:`fslt_survey.registry.load_registry`).
    wave:
        Survey year; only the items asked in that wave are generated.
    n:
        ``None``: the demo's respondents of the wave (about 70 in 2025, 65 in 2027, 50 in both),
        ``response_id`` = SurveyXact respondentid. A number: that many responses from associations
        drawn at random, with replacement when ``n`` exceeds the registry, ``response_id`` 1..n.
    seed:
        Same seed, same answers; association traits depend only on seed and association id.
    associations:
        Explicit association ids, one response each (overrides ``n``).

    Returns
    -------
    DataFrame with the metadata columns :data:`META_COLUMNS` and the item columns: single and
    likert items as categoricals of the scale's label texts (empty = not answered or not asked),
    multi-select options ``<item>__<key>`` as nullable booleans (NA = not asked), numeric items
    as floats, text and association items as strings or None.

    Examples
    --------
    >>> from fslt_survey.codebook import load_instrument
    >>> from fslt_survey.registry import load_registry
    >>> inst = load_instrument(config.SURVEYS_DIR / "medlemsundersoegelse" / "instrument.yml")
    >>> df = generate_member_responses(inst, load_registry(), 2025, n=5, seed=1)
    >>> len(df), str(df["behov_rekruttering"].dtype)
    (5, 'category')
    """
    prof = association_profiles(registry, seed)
    if associations is not None:
        pos = {a: i for i, a in enumerate(prof["association_id"])}
        rows = np.asarray([pos[a] for a in associations], dtype=np.int64)
        ids = np.arange(1, len(rows) + 1)
    elif n is None:
        groups = _response_groups(prof, seed)
        rows = np.flatnonzero(np.isin(groups, ("both", "2025" if wave <= 2025 else "2027")))
        ids = SX_ID_BASE.get(wave, wave * 1000) + rows + 1
    else:
        pick = np.random.default_rng([seed, wave, n, 2])
        rows = pick.choice(len(prof), size=n, replace=n > len(prof))
        ids = np.arange(1, n + 1)
    return _member_frame(instrument, prof, rows, wave, np.random.default_rng([seed, wave, 3]), ids)


#: Network meetings of the demo: code, date, theme (``forumtemaer`` key), participants.
DEMO_MEETINGS: dict[int, tuple[tuple[str, str, str, int], ...]] = {
    2025: (
        ("M2025-02", "2025-02-12", "frivillige", 12),
        ("M2025-04", "2025-04-23", "kommune", 14),
        ("M2025-09", "2025-09-17", "selvhjaelp", 8),
        ("M2025-11", "2025-11-12", "digitalt", 10),
    ),
    2026: (
        ("M2026-03", "2026-03-18", "fundraising", 15),
        ("M2026-05", "2026-05-20", "kommunikation", 9),
    ),
}


def generate_meeting_responses(
    instrument: Instrument,
    registry: pd.DataFrame,
    wave: int,
    *,
    seed: int = config.DEMO_SEED,
    meetings: Sequence[tuple[str, str, str, int]] | None = None,
) -> pd.DataFrame:
    """Simulated evaluations of network meetings (one row per participant, Forms Id order).

    ``meetings`` defaults to :data:`DEMO_MEETINGS` of the wave. Ratings share a meeting-level
    quality (some meetings went better); about two in three participants name their
    association. Columns as in :func:`generate_member_responses`.
    """
    meetings = DEMO_MEETINGS.get(wave, ()) if meetings is None else meetings
    prof = association_profiles(registry, seed)
    rng = np.random.default_rng([seed, wave, 5])
    parts, codes, themes, quality, dates = [], [], [], [], []
    for code, date, theme, k in meetings:
        parts.append(rng.choice(len(prof), size=k, replace=k > len(prof)))
        codes += [code] * k
        themes += [theme] * k
        quality += [rng.normal(0.15 * (wave - 2025), 0.4)] * k
        dates += [pd.Timestamp(date)] * k
    rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    gen = _Gen(instrument, prof, rows, wave, rng)
    n = gen.n
    s = np.asarray(quality) + 0.5 + gen.normal(0.6)
    _meeting_answers(gen, instrument.for_wave(wave), s, codes, themes)
    meta = _meeting_meta(gen, rng, dates)
    df = pd.DataFrame({**meta, **gen.frame(instrument.for_wave(wave))})
    df = df.sort_values("completed", kind="stable").reset_index(drop=True)
    df["response_id"] = np.arange(1, n + 1)
    return df


# how much better (or worse) than the meeting's quality each rating tends to be
_MEETING_SHIFT = {
    "ny_viden": 0.1, "nye_kontakter": -0.3, "tilfreds_moede": 0.3, "deltage_igen": 0.6
}


def _meeting_answers(
    gen: _Gen, items: Sequence[Item], s: np.ndarray, codes: list[str], themes: list[str]
) -> None:
    """Each participant's answers: ratings around the meeting's quality ``s``; themes they
    would like next time (less often the theme of their own meeting)."""
    n = gen.n
    for item in items:
        if item.id == "moede_id":
            gen.values[item.id] = np.asarray(codes, dtype=object)
        elif item.type == "association":
            names = gen.p["name"]
            gen.values[item.id] = np.where(gen.unif() < 0.65, names, None)
        elif item.type == "likert" and item.scale is not None:
            x = s + _MEETING_SHIFT.get(item.id, 0.0) + gen.normal(0.6)
            nsub = len(item.scale.substantive)
            cuts = {3: (0.3, -0.6), 4: (0.9, 0.0, -0.9), 5: (1.3, 0.3, -0.5, -1.3)}[nsub]
            gen.codes[item.id] = gen.missing(item, gen.ordinal(item, x, cuts), "Ved ikke", 0.03)
        elif item.type == "multi" and item.scale is not None:
            cols = [
                gen.unif() < np.where(np.asarray(themes) == lab.key, 0.12, 0.27)
                for lab in item.scale.substantive
            ]
            sel = np.column_stack(cols) if cols else np.zeros((n, 0), bool)
            gen.multi[item.id] = (sel, sel.any(axis=1))
        elif item.type == "text":
            keys = np.full(n, "all", dtype=object)
            gen.values[item.id] = gen.pick_texts(keys, {"all": MEETING_COMMENTS}, gen.unif() < 0.35)
        else:
            gen.run([item])


def _meeting_meta(gen: _Gen, rng: np.random.Generator, dates: list) -> dict[str, Any]:
    """Forms' metadata columns: most answer at the end of the meeting, some days later."""
    n = gen.n
    late = gen.unif() < 0.15
    offset = np.where(
        late,
        rng.integers(1, 4, n) * 86400 + rng.integers(17, 21, n) * 3600,
        15 * 3600 + 45 * 60 + rng.integers(0, 25 * 60, n),
    )
    started = pd.Series(pd.DatetimeIndex(dates) + pd.to_timedelta(offset, unit="s"))
    completed = started + pd.to_timedelta(rng.integers(60, 300, n), unit="s")
    return {
        "response_id": np.zeros(n, dtype=np.int64),
        "association_id": gen.p["association_id"],
        "assoc_type": np.full(n, None, dtype=object),
        "size_band": np.full(n, None, dtype=object),
        "started": started.to_numpy(),
        "completed": completed.to_numpy(),
        "modified": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "status": np.full(n, "complete", dtype=object),
        "email": np.full(n, "anonymous", dtype=object),
        "respondent": np.full(n, None, object),
    }
