"""Proposed network groups from the member survey (the theme handouts: :mod:`.handouts`).

The problem
-----------
From the member survey (themes an association wants to discuss, ``forum_temaer``; its needs,
the items a theme guide relates to the theme; whether it will join meetings, ``forum_deltage``;
its consent to be named, ``forum_samtykke``) propose groups of associations that share a theme
or need, with sizes between ``min_size`` and ``max_size`` and each association in at most
``max_groups`` groups.

The method, and why
-------------------
Stage 1 is an **assignment problem solved exactly as a mixed-integer linear programme**
(:func:`scipy.optimize.milp`, HiGHS). Binary ``x[a, t]`` puts association ``a`` in a group on
theme ``t``; integer ``m[t]`` is the number of groups on ``t``::

    maximise   sum w[a, t] x[a, t]  -  0.001 sum m[t]
    subject to min_size * m[t] <= sum_a x[a, t] <= max_size * m[t]     (size bounds)
               sum_t x[a, t] <= max_groups                              (at most N groups)
               x[a, t] = 0 unless a is eligible for t

An association is *eligible* for a theme when it chose the theme or gave the strongest answer
("I høj grad", "Ja") to a related needs item, and did not answer "Nej" to joining meetings. The
weight ``w = 2 * chose theme + need strength (1 / 0.5) + 0.5 * will join ("Ja"; "Måske" 0.25)
+ 0.01 * mean similarity to the other eligible associations`` (the last term only breaks ties).
Why not clustering alone: the hard constraints of the issue (size bounds, at most N groups per
association, groups tied to a theme) are exactly linear constraints, so an exact solver
respects them by construction and finds the best feasible plan, where clustering followed by
"repair" loops can break one bound while fixing another and cannot say whether a better plan
exists. The model is small (associations x themes binaries), solves in milliseconds, and is
deterministic: inputs are sorted by association id and HiGHS is deterministic for a given model.

Stage 2 splits a theme that gets ``m > 1`` groups into groups of similar associations:
**hierarchical clustering** (:func:`scipy.cluster.hierarchy.linkage`, average linkage on the
Jaccard distance of the associations' answer profiles: themes chosen, strong needs, self-help
needs) gives ``m`` seeds (cluster medoids), then a **capacitated assignment**
(:func:`scipy.optimize.linear_sum_assignment`, each seed offering ``max_size`` seats of which
``min_size`` carry a large bonus) puts every member with its nearest seed while keeping every
group within the bounds. Both steps are exact and deterministic.

Privacy
-------
Only associations that consented (``forum_samtykke`` = "Ja, I må gerne nævne foreningen ...")
are named. Others count towards the group size for planning but appear only as "N foreninger
uden samtykke": :class:`GroupProposal` does not hold their ids or names at all, and the
explanation of a named member counts only the *named* members it shares answers with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix
from scipy.spatial.distance import pdist, squareform

from fslt_survey.codebook import Instrument
from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.network import (
    ThemeGuide,
    load_theme_guides,
    member_instrument,
    theme_scale,
)
from fslt_survey.registry import load_registry

__all__ = [
    "GroupMember",
    "GroupProposal",
    "GroupSettings",
    "ProposedGroup",
    "SurveyProfiles",
    "plan_groups",
    "profiles_from_survey",
    "propose_groups",
    "solve_assignment",
]

_BIG = 10.0  # bonus of a mandatory seat in stage 2 (distances are at most 1)


@dataclass(frozen=True)
class GroupSettings:
    """Bounds of a proposal: group size, groups per association, groups per theme."""

    min_size: int = 4
    max_size: int = 8
    max_groups: int = 2
    max_groups_per_theme: int | None = None

    def __post_init__(self) -> None:
        if not 2 <= self.min_size <= self.max_size:
            raise ConfigError("group sizes must satisfy 2 <= min_size <= max_size",
                              found=f"min_size={self.min_size}, max_size={self.max_size}")
        if self.max_groups < 1:
            raise ConfigError("max_groups must be at least 1", found=str(self.max_groups))
        if self.max_groups_per_theme is not None and self.max_groups_per_theme < 1:
            raise ConfigError("max_groups_per_theme must be at least 1 (or None)",
                              found=str(self.max_groups_per_theme))


@dataclass(frozen=True)
class SurveyProfiles:
    """Answer profiles of the associations (rows sorted by id), the solver's input.

    ``interest`` (n x T) chose the theme; ``strength`` (n x T) need for the theme 0/0.5/1;
    ``needs_text[i][t]`` the strong answers behind ``strength == 1``; ``willing`` 1 / 0.5 / 0
    ("Ja" / "Måske" / other) and ``declined`` ("Nej") to joining meetings; ``features``
    (n x F) the answer profile used for similarity and explanations (``feature_labels``);
    ``consent`` to be named; ``names`` from the registry.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    consent: np.ndarray
    themes: tuple[str, ...]
    theme_labels: dict[str, str]
    interest: np.ndarray
    strength: np.ndarray
    willing: np.ndarray
    declined: np.ndarray
    features: np.ndarray
    feature_labels: tuple[str, ...]
    needs_text: tuple[tuple[tuple[str, ...], ...], ...] = ()
    kinds: dict[str, str] = field(default_factory=dict)
    wave: int | None = None

    @property
    def eligible(self) -> np.ndarray:
        return (self.interest | (self.strength >= 1)) & ~self.declined[:, None]


@dataclass(frozen=True)
class GroupMember:
    """A named (consenting) member of a proposed group and why it is there."""

    association_id: str
    name: str
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ProposedGroup:
    id: str
    theme: str
    theme_label: str
    kind: str
    members: tuple[GroupMember, ...]
    n_anonymous: int
    shared: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.members) + self.n_anonymous

    @property
    def anonymous_text(self) -> str:
        """"2 foreninger uden samtykke" (empty when every member consented)."""
        if not self.n_anonymous:
            return ""
        return f"{self.n_anonymous} {'forening' if self.n_anonymous == 1 else 'foreninger'} " \
               "uden samtykke"


@dataclass(frozen=True)
class GroupProposal:
    """The proposed groups; holds no id or name of a non-consenting association."""

    groups: tuple[ProposedGroup, ...]
    settings: GroupSettings
    wave: int | None
    n_eligible: int
    n_placed: int
    without_group: tuple[str, ...]  # theme keys with too few eligible associations

    def for_theme(self, theme: str) -> list[ProposedGroup]:
        return [g for g in self.groups if g.theme == theme]

    def groups_frame(self) -> pd.DataFrame:
        """One row per group: id, theme, kind, size, named, anonymous, members, shared."""
        cols = ["group_id", "theme", "theme_label", "kind", "size", "named", "anonymous",
                "members", "shared"]
        return pd.DataFrame([{
            "group_id": g.id, "theme": g.theme, "theme_label": g.theme_label, "kind": g.kind,
            "size": g.size, "named": len(g.members), "anonymous": g.n_anonymous,
            "members": "; ".join(m.name for m in g.members), "shared": "; ".join(g.shared),
        } for g in self.groups], columns=cols)

    def members_frame(self) -> pd.DataFrame:
        """One row per named member (consenting only) with its explanation; each group's
        non-consenting members as one row "N foreninger uden samtykke" without an id."""
        rows = []
        for g in self.groups:
            for m in g.members:
                rows.append({"group_id": g.id, "theme": g.theme, "association_id":
                             m.association_id, "name": m.name, "reason": m.reason})
            if g.n_anonymous:
                rows.append({"group_id": g.id, "theme": g.theme, "association_id": None,
                             "name": g.anonymous_text, "reason": ""})
        return pd.DataFrame(rows, columns=["group_id", "theme", "association_id", "name",
                                           "reason"])

    def describe(self) -> str:
        """A Danish plain-text overview (for the CLI)."""
        s = self.settings
        lines = [f"Forslag til netværksgrupper ({len(self.groups)} grupper, "
                 f"{s.min_size}-{s.max_size} foreninger pr. gruppe, højst {_groups(s.max_groups)} "
                 f"pr. forening; {self.n_placed} af {self.n_eligible} mulige "
                 "foreninger placeret)"]
        for g in self.groups:
            lines.append(f"\n{g.id}: {g.theme_label} ({g.kind}, {g.size} foreninger)")
            lines += [f"  - {m.name}: {m.reason}" for m in g.members]
            if g.n_anonymous:
                lines.append(f"  - {g.anonymous_text}")
        if self.without_group:
            lines.append("\nFor få interesserede til en gruppe: " + ", ".join(self.without_group))
        return "\n".join(lines)


def _groups(n: int) -> str:
    return f"{n} gruppe" if n == 1 else f"{n} grupper"


# --------------------------------------------------------------------------- profiles


def _eq(s: pd.Series, label: str) -> np.ndarray:
    """Boolean array: the answer is ``label`` (NA is False)."""
    return (s.astype("string") == label).fillna(False).to_numpy(dtype=bool)


def _flag(d: pd.DataFrame, col: str) -> np.ndarray:
    """A multi-select option column as booleans (an absent column: nobody chose it)."""
    if col not in d.columns:
        return np.zeros(len(d), bool)
    return d[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _need_strength(
    d: pd.DataFrame, instrument: Instrument, guides: dict[str, ThemeGuide], themes: tuple[str, ...]
) -> tuple[np.ndarray, list[list[list[str]]]]:
    """Per association and theme: the strongest answer to a related needs item (1 for the
    first category, 0.5 for the second of an ordered scale) and the strong answers in words."""
    strength = np.zeros((len(d), len(themes)))
    needs_text: list[list[list[str]]] = [[[] for _ in themes] for _ in range(len(d))]
    for t, key in enumerate(themes):
        guide = guides.get(key)
        for item_id in guide.related if guide else ():
            item = instrument.item(item_id)
            assert item.scale is not None
            cats = item.scale.categories
            vals = (d[item_id].astype(object).where(d[item_id].notna(), None).tolist()
                    if item_id in d else [])
            for i, v in enumerate(vals):
                if v == cats[0]:
                    strength[i, t] = 1.0
                    needs_text[i][t].append(f"»{v}« om {item.label.lower()}")
                elif item.scale.ordered and len(cats) >= 3 and v == cats[1]:
                    strength[i, t] = max(strength[i, t], 0.5)
    return strength, needs_text


def _features(
    d: pd.DataFrame, instrument: Instrument, interest: np.ndarray, flabels: list[str]
) -> tuple[list[np.ndarray], list[str]]:
    """The answer profile's columns: themes chosen, strong needs, self-help needs."""
    feats = [interest]
    for item in instrument.battery("behov"):
        assert item.scale is not None
        feats.append(_eq(d[item.id], item.scale.categories[0])[:, None])
        flabels.append(f"stort behov: {item.label}")
    if "sh_behov" in instrument:
        sh = instrument.item("sh_behov")
        assert sh.scale is not None
        for lab in sh.scale.substantive:
            feats.append(_flag(d, sh.option_column(lab))[:, None])
            flabels.append(f"selvhjælp: {lab.label}")
    return feats, flabels


def profiles_from_survey(
    data: pd.DataFrame,
    instrument: Instrument,
    registry: pd.DataFrame,
    guides: dict[str, ThemeGuide],
    *,
    wave: int | None = None,
) -> SurveyProfiles:
    """Build the answer profiles from clean member-survey data (one wave, default the latest)."""
    if data.empty or "association_id" not in data.columns:
        raise SurveyDataError("no member-survey responses to propose groups from")
    wave = int(data["wave"].max()) if wave is None else int(wave)
    d = data.loc[(data["wave"] == wave) & data["association_id"].notna()]
    d = d.drop_duplicates("association_id", keep="last").sort_values("association_id")
    scale = theme_scale(instrument)
    themes = tuple(lab.key for lab in scale.substantive)
    labels = {lab.key: lab.label for lab in scale.substantive}
    forum = instrument.item("forum_temaer")
    interest = np.column_stack([_flag(d, forum.option_column(lab)) for lab in scale.substantive])
    strength, needs_text = _need_strength(d, instrument, guides, themes)
    join = d["forum_deltage"].astype("string") if "forum_deltage" in d else pd.Series(
        pd.NA, index=d.index, dtype="string")
    willing = np.where(_eq(join, "Ja"), 1.0, np.where(_eq(join, "Måske"), 0.5, 0.0))
    declined = _eq(join, "Nej")
    feats, flabels = _features(d, instrument, interest, [f"tema: {labels[k]}" for k in themes])
    samtykke = instrument.item("forum_samtykke")
    assert samtykke.scale is not None
    yes = next((lab.label for lab in samtykke.scale.substantive if lab.key == "ja"),
               samtykke.scale.categories[0])
    consent = _eq(d["forum_samtykke"], yes)
    names = d["association_id"].map(registry.set_index("association_id")["name"])
    return SurveyProfiles(
        ids=tuple(d["association_id"].astype(str)), names=tuple(names.fillna("").astype(str)),
        consent=consent, themes=themes, theme_labels=labels, interest=interest,
        strength=strength, willing=willing, declined=declined,
        features=np.column_stack(feats).astype(bool), feature_labels=tuple(flabels),
        needs_text=tuple(tuple(tuple(x) for x in row) for row in needs_text),
        kinds={k: g.kind for k, g in guides.items()}, wave=wave,
    )


# --------------------------------------------------------------------------- solving


def _similarity(features: np.ndarray) -> np.ndarray:
    """1 - Jaccard distance between rows (two empty profiles: similarity 0)."""
    n = len(features)
    if n < 2:
        return np.zeros((n, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = squareform(pdist(features.astype(bool), metric="jaccard"))
    sim = 1.0 - np.nan_to_num(d, nan=1.0)
    empty = ~features.any(axis=1)
    sim[empty, :] = 0.0
    sim[:, empty] = 0.0
    np.fill_diagonal(sim, 0.0)
    return sim


def solve_assignment(profiles: SurveyProfiles, settings: GroupSettings) -> np.ndarray:
    """Stage 1 (see the module docstring): which association joins which theme.

    Returns an ``n x T`` boolean matrix; column sums are 0 or within ``m * [min, max]`` for
    the chosen number of groups, row sums at most ``max_groups``.
    """
    n, nt = profiles.interest.shape
    elig = profiles.eligible
    if n == 0 or not elig.any():
        return np.zeros((n, nt), bool)
    sim = _similarity(profiles.features)
    cohesion = np.zeros((n, nt))
    for t in range(nt):
        idx = np.flatnonzero(elig[:, t])
        if len(idx) > 1:
            cohesion[idx, t] = sim[np.ix_(idx, idx)].sum(axis=1) / (len(idx) - 1)
    w = (2.0 * profiles.interest + profiles.strength + 0.5 * profiles.willing[:, None]
         + 0.01 * cohesion) * elig
    lo, hi = settings.min_size, settings.max_size
    max_m = elig.sum(axis=0) // lo
    if settings.max_groups_per_theme is not None:
        max_m = np.minimum(max_m, settings.max_groups_per_theme)
    nx = n * nt
    c = np.concatenate([-w.ravel(), np.full(nt, 0.001)])
    lb = np.zeros(nx + nt)
    ub = np.concatenate([elig.ravel().astype(float), max_m.astype(float)])
    rows, cols, vals = [], [], []
    for t in range(nt):  # rows 2t, 2t+1: sum_a x - hi m <= 0 ; sum_a x - lo m >= 0
        for a in range(n):
            rows += [2 * t, 2 * t + 1]
            cols += [a * nt + t] * 2
            vals += [1.0, 1.0]
        rows += [2 * t, 2 * t + 1]
        cols += [nx + t] * 2
        vals += [-float(hi), -float(lo)]
    for a in range(n):  # rows 2T + a: sum_t x <= max_groups
        rows += [2 * nt + a] * nt
        cols += [a * nt + t for t in range(nt)]
        vals += [1.0] * nt
    a_mat = coo_matrix((vals, (rows, cols)), shape=(2 * nt + n, nx + nt)).tocsr()
    lower = np.concatenate([np.tile([-np.inf, 0.0], nt), np.full(n, -np.inf)])
    upper = np.concatenate([np.tile([0.0, np.inf], nt), np.full(n, float(settings.max_groups))])
    res = milp(c, integrality=np.ones(nx + nt), bounds=Bounds(lb, ub),
               constraints=LinearConstraint(a_mat, lower, upper),
               options={"time_limit": 60.0, "presolve": True})
    if res.x is None:  # pragma: no cover - x = 0 is always feasible
        raise SurveyDataError(f"group assignment could not be solved: {res.message}")
    return np.round(res.x[:nx]).reshape(n, nt).astype(bool)


def _split(members: np.ndarray, n_groups: int, features: np.ndarray,
           settings: GroupSettings) -> list[np.ndarray]:
    """Stage 2: split a theme's members into ``n_groups`` groups of similar profiles."""
    if n_groups <= 1:
        return [members]
    dist = 1.0 - _similarity(features[members])
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), method="average"),
                      t=n_groups, criterion="maxclust")
    medoids: list[int] = []
    for lab in sorted(set(labels)):
        idx = np.flatnonzero(labels == lab)
        medoids.append(int(idx[np.argmin(dist[np.ix_(idx, idx)].sum(axis=1))]))
    while len(medoids) < n_groups:  # fewer clusters than groups: farthest-first seeds
        rest = [i for i in range(len(members)) if i not in medoids]
        medoids.append(rest[int(np.argmax(dist[np.ix_(rest, medoids)].min(axis=1)))])
    lo, hi = settings.min_size, settings.max_size
    seat_bonus = np.where(np.arange(hi) < lo, -_BIG, 0.0)
    cost = np.concatenate([dist[:, [m]] + seat_bonus[None, :] for m in medoids], axis=1)
    rows, cols = linear_sum_assignment(cost)
    group_of = np.empty(len(members), int)
    group_of[rows] = cols // hi
    groups = [members[group_of == g] for g in range(n_groups)]
    if any(not lo <= len(g) <= hi for g in groups):  # pragma: no cover - guaranteed above
        raise SurveyDataError("internal error: a split group is out of bounds")
    return groups


def plan_groups(profiles: SurveyProfiles, settings: GroupSettings | None = None
                ) -> GroupProposal:
    """Solve both stages and explain every named member (see the module docstring)."""
    settings = settings or GroupSettings()
    x = solve_assignment(profiles, settings)
    groups: list[ProposedGroup] = []
    without: list[str] = []
    elig = profiles.eligible
    for t, key in enumerate(profiles.themes):
        members = np.flatnonzero(x[:, t])
        if not len(members):
            if elig[:, t].any():
                without.append(key)
            continue
        n_groups = int(np.ceil(len(members) / settings.max_size))
        while len(members) < n_groups * settings.min_size:  # pragma: no cover - solver bound
            n_groups -= 1
        parts = _split(members, n_groups, profiles.features, settings)
        parts.sort(key=lambda g: (-len(g), int(g.min())))
        for j, part in enumerate(parts, start=1):
            groups.append(_explain(profiles, key, t, f"{key}-{j}", np.sort(part)))
    return GroupProposal(tuple(groups), settings, profiles.wave, int(elig.any(axis=1).sum()),
                         int(x.any(axis=1).sum()), tuple(without))


def _explain(p: SurveyProfiles, key: str, t: int, gid: str, part: np.ndarray) -> ProposedGroup:
    label = p.theme_labels[key]
    named = [i for i in part if p.consent[i]]
    theme_feature = t  # the first T features are the themes
    members = []
    for i in named:
        reasons = []
        if p.interest[i, t]:
            reasons.append(f"vil gerne drøfte »{label}«")
        if p.needs_text and p.needs_text[i][t]:
            reasons.append("svarede " + ", ".join(p.needs_text[i][t]))
        shared = []
        for f in np.flatnonzero(p.features[i]):
            if f == theme_feature:
                continue
            others = sum(1 for j in named if j != i and p.features[j, f])
            if others:
                shared.append((-others, int(f), f"{p.feature_labels[f]} ({others} "
                               f"{'anden' if others == 1 else 'andre'})"))
        if shared:
            reasons.append("har til fælles med andre navngivne i gruppen: "
                           + ", ".join(s[2] for s in sorted(shared)[:3]))
        members.append(GroupMember(p.ids[i], p.names[i], tuple(reasons)))
    common = []
    if len(named) >= 2:
        counts = p.features[named].sum(axis=0)
        common = [p.feature_labels[f] for f in np.argsort(-counts, kind="stable")
                  if f != theme_feature and counts[f] * 2 >= len(named) and counts[f] >= 2][:4]
    return ProposedGroup(gid, key, label, p.kinds.get(key, "erfa-forum"), tuple(members),
                         int(len(part) - len(named)), tuple(common))


def propose_groups(
    data: pd.DataFrame,
    instrument: Instrument | None = None,
    registry: pd.DataFrame | None = None,
    guides: dict[str, ThemeGuide] | None = None,
    *,
    settings: GroupSettings | None = None,
    wave: int | None = None,
) -> GroupProposal:
    """Proposed groups from clean member-survey data (the one call the reports make)."""
    instrument = instrument or member_instrument()
    registry = load_registry() if registry is None else registry
    guides = guides if guides is not None else load_theme_guides(instrument=instrument)
    profiles = profiles_from_survey(data, instrument, registry, guides, wave=wave)
    return plan_groups(profiles, settings)
