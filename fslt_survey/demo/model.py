"""The answer model of the demo generator: the answers to every item.

``_Gen`` draws every item's answers for a frame of respondents from their association's latent
traits, with free text from the phrase pools of :mod:`fslt_survey.demo.text`; the parameters
(needs by association type and size, cooperation with the municipality, the change between the
waves, fieldwork) are in :mod:`fslt_survey.demo.params`. :mod:`fslt_survey.demo.responses`
builds the response frames with it; :mod:`fslt_survey.demo` re-exports the public names.

The model (what the analyses will find)
    70 of the 90 associations answer in 2025, 65 in 2027, 50 in both. Each association has
    stable latent traits (general need, cooperation with the municipality, engagement with the
    centre; drawn from the seed and the association id), so needs correlate within the battery
    and the cooperation battery is consistent (Cronbach's alpha about 0.8; "Ved ikke" in about
    15 % of its answers, concentrated in associations that hardly know the municipality). Needs
    differ by type: self-help groups need rooms, training and supervision; elderly associations
    IT/GDPR and board members; culture premises and communication; social associations
    volunteers and fundraising; children's associations child-protection certificates; small
    associations accounting and §18. 2027 shows more knowledge and use of the centre's offers,
    clearer roles and slightly better cooperation with the municipality, more fixed municipal
    contacts and a few more self-help groups; recruitment needs stay high. Skip logic leaves
    ``relevant`` items empty. Free text comes from Danish phrase pools keyed by the largest need.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument, Item
from fslt_survey.demo.params import (
    BUSINESS,
    COOP_CHANGE,
    COOP_DONTKNOW,
    COOP_MEAN,
    NEED_BASE,
    NEED_CHANGE,
    NEED_SIZE,
    NEED_TYPE,
    NEEDS,
    NOT_RELEVANT,
    OFFER_KNOWN,
    P18,
    SELFHELP,
    SH_INTEREST,
    TYPE_LABELS,
    TYPES,
    change,
    column,
    sigmoid,
)
from fslt_survey.demo.text import (
    CHALLENGES,
    COMMENTS,
    COMMENTS_LATER,
    RECOMMENDATIONS,
    RECOMMENDATIONS_GENERAL,
)

__all__ = [
    "NEEDS",
]

# --------------------------------------------------------------------------- generation


class _Gen:
    """Vectorised answers for one batch of respondents (rows of the association profiles)."""

    def __init__(
        self,
        instrument: Instrument,
        prof: pd.DataFrame,
        rows: np.ndarray,
        wave: int,
        rng: np.random.Generator,
    ) -> None:
        self.inst, self.wave, self.rng, self.t = instrument, wave, rng, change(wave)
        rows = np.asarray(rows, dtype=np.int64)
        self.p = {c: column(prof[c])[rows] for c in prof.columns}  # one entry per respondent
        self.n = len(rows)
        self.ti = self.p["type_idx"]  # index into TYPES
        self.band = self.p["band"]
        self.codes: dict[str, np.ndarray] = {}  # choice items: index into scale.labels, -1 empty
        self.multi: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # (selected n x k, asked n)
        self.values: dict[str, np.ndarray] = {}  # numeric, text and association items
        need = self.p["need"]
        self.need = {
            k: NEED_BASE[k]
            + self.by_type({t: d.get(k, 0.0) for t, d in NEED_TYPE.items()})
            + np.asarray([s.get(k, 0.0) for s in NEED_SIZE])[self.band]
            + self.t * NEED_CHANGE.get(k, 0.0)
            + 0.7 * need
            + self.normal(0.8)
            for k in NEEDS
        }
        self.coop = self.p["coop"] + 0.15 * self.t
        self.engage = self.p["engage"] + 0.6 * self.t
        self.n_used = np.zeros(self.n)

    # -- helpers
    def normal(self, sd: float = 1.0) -> np.ndarray:
        return self.rng.normal(0.0, sd, self.n)

    def unif(self) -> np.ndarray:
        return self.rng.random(self.n)

    def by_type(self, table: dict[str, float]) -> np.ndarray:
        return np.asarray([float(table.get(t, 0.0)) for t in TYPES])[self.ti]

    def is_type(self, *types: str) -> np.ndarray:
        return np.isin(self.ti, [TYPES.index(t) for t in types])

    @staticmethod
    def idx(item: Item, text: str) -> int:
        assert item.scale is not None
        lab = item.scale.match(text)
        return -1 if lab is None else item.scale.labels.index(lab)

    def ordinal(self, item: Item, score: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
        """Substantive label by thresholds: the first label for scores above ``cuts[0]``."""
        assert item.scale is not None
        subs = np.asarray([item.scale.labels.index(lab) for lab in item.scale.substantive])
        k = (score[:, None] <= np.asarray(cuts, dtype=float)[None, :]).sum(axis=1)
        return subs[np.minimum(k, len(subs) - 1)]

    def missing(
        self, item: Item, codes: np.ndarray, text: str, p: float | np.ndarray
    ) -> np.ndarray:
        i = self.idx(item, text)
        return codes if i < 0 else np.where(self.unif() < p, i, codes)

    def choice(self, item: Item, probs: Sequence[float]) -> np.ndarray:
        assert item.scale is not None
        subs = np.asarray([item.scale.labels.index(lab) for lab in item.scale.substantive])
        cum = np.cumsum(np.asarray(probs, dtype=float)[: len(subs)])
        k = np.searchsorted(cum / cum[-1], self.unif(), side="right")
        return subs[np.minimum(k, len(subs) - 1)]

    def yes(self, item: Item, mask: np.ndarray, dontknow: float = 0.0) -> np.ndarray:
        codes = np.where(mask, self.idx(item, "Ja"), self.idx(item, "Nej"))
        return self.missing(item, codes, "Ved ikke", dontknow)

    def pick_texts(
        self, keys: np.ndarray, pools: dict[str, tuple[str, ...]], answered: np.ndarray
    ) -> np.ndarray:
        """A random text from ``pools[key]`` per answering row (None elsewhere)."""
        out = np.full(self.n, None, dtype=object)
        codes, uniques = pd.factorize(keys)
        for j, k in enumerate(uniques):
            sel = np.flatnonzero(answered & (codes == j))
            pool = np.asarray(pools[k], dtype=object)
            out[sel] = pool[self.rng.integers(len(pool), size=len(sel))]
        return out

    def top_need(self) -> np.ndarray:
        scores = np.column_stack([self.need[k] for k in NEEDS])
        keys = np.asarray(NEEDS, dtype=object)[scores.argmax(axis=1)]
        sh = self.is_type("selvhjaelp") & (self.unif() < 0.5)
        return np.where(sh, "selvhjaelp", keys).astype(object)

    # -- items
    def run(self, items: Sequence[Item]) -> None:
        for item in items:
            handler = getattr(self, f"_{item.id}", None)
            if item.id.startswith("behov_") and item.id[6:] in self.need:
                self._need(item)
            elif item.id.startswith("samarbejde_") and item.id[11:] in COOP_MEAN:
                self._coop(item)
            elif handler is not None:
                handler(item)
            else:
                self._generic(item)
            if item.relevant is not None:
                self._skip(item)

    def _skip(self, item: Item) -> None:
        rel = item.relevant
        assert rel is not None
        cond_item = self.inst.item(rel.item)
        cond = self.codes.get(rel.item)
        if cond is None or cond_item.scale is None:
            return
        ok = np.isin(cond, [self.idx(cond_item, v) for v in rel.values])
        if item.id in self.codes:
            self.codes[item.id] = np.where(ok, self.codes[item.id], -1)
        elif item.id in self.multi:
            sel, asked = self.multi[item.id]
            self.multi[item.id] = (sel & ok[:, None], asked & ok)
        elif item.id in self.values:
            v = self.values[item.id]
            self.values[item.id] = np.where(ok, v, np.nan if v.dtype.kind == "f" else None)

    def _generic(self, item: Item) -> None:
        if item.type in ("single", "likert"):
            assert item.scale is not None
            self.codes[item.id] = self.choice(item, np.ones(len(item.scale.substantive)))
        elif item.type == "multi":
            assert item.scale is not None
            k = len(item.scale.substantive)
            self.multi[item.id] = (self.rng.random((self.n, k)) < 0.3, np.ones(self.n, bool))
        elif item.type == "numeric":
            lo, hi = item.minimum or 0.0, item.maximum if item.maximum is not None else 100.0
            self.values[item.id] = np.round(lo + self.unif() * (min(hi, lo + 100) - lo))
        elif item.type == "association":
            self.values[item.id] = self.p["name"]
        else:
            self.values[item.id] = np.full(self.n, None, dtype=object)

    def _need(self, item: Item) -> None:
        key = item.id[6:]
        codes = self.ordinal(item, self.need[key], (1.0, 0.2, -0.6))
        p_nr = NOT_RELEVANT.get(key, 0.01)
        if key == "boerneattester":
            p_nr = np.where(
                self.is_type("boern"), 0.05, np.where(self.is_type("kultur"), 0.35, p_nr)
            )
        codes = self.missing(item, codes, "Ikke relevant", p_nr)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.04)

    def _coop(self, item: Item) -> None:
        key = item.id[11:]
        score = COOP_MEAN[key] + self.t * COOP_CHANGE[key] + 0.3 + self.coop + self.normal(0.85)
        codes = self.ordinal(item, score, (1.2, 0.35, -0.35, -1.1))
        p = (
            0.04
            + COOP_DONTKNOW.get(key, 0.0)
            + 0.45 * self.p["dontknow"]
            + self.is_type("kultur", "boern") * 0.06
            - 0.02 * self.t
        )
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", p)

    def _forening(self, item: Item) -> None:
        self.values[item.id] = self.p["name"]

    def _rolle(self, item: Item) -> None:
        codes = self.choice(item, (0.5, 0.1, 0.14, 0.13, 0.06, 0.07))
        staff = (codes == self.idx(item, "Ansat")) & (self.band == 0)
        self.codes[item.id] = np.where(staff, self.idx(item, "Formand"), codes)

    def _foreningstype(self, item: Item) -> None:
        assert item.scale is not None
        keyed = {lab.key: i for i, lab in enumerate(item.scale.labels)}
        lut = np.asarray(
            [keyed.get(t, self.idx(item, lab)) for t, lab in zip(TYPES, TYPE_LABELS, strict=True)]
        )
        codes = lut[self.ti]
        codes = np.where(codes < 0, self.choice(item, np.ones(len(item.scale.substantive))), codes)
        self.codes[item.id] = np.where(self.unif() < 0.06, self.choice(item, np.ones(6)), codes)

    def _lokalitet(self, item: Item) -> None:
        locs, inv = np.unique(self.p["locality"].astype(str), return_inverse=True)
        codes = np.asarray([self.idx(item, loc) for loc in locs], dtype=np.int64)[inv]
        codes = np.where(codes < 0, self.idx(item, "Hele kommunen"), codes)
        assert item.scale is not None
        other = self.choice(item, np.ones(len(item.scale.substantive)))
        self.codes[item.id] = np.where(self.unif() < 0.05, other, codes)

    def _medlemmer(self, item: Item) -> None:
        m = np.maximum(3, np.round(self.p["members"] * np.exp(self.normal(0.1))))
        self.values[item.id] = np.where(self.unif() < 0.02, np.nan, m)

    def _frivillige(self, item: Item) -> None:
        members = self.p["members"].astype(float)
        m = self.values.get("medlemmer", members)
        m = np.where(np.isnan(m), members, m)
        v = np.round(m * self.p["volunteer_share"] * np.exp(self.normal(0.15)))
        v = np.clip(v, 1, m)
        self.values[item.id] = np.where(self.unif() < 0.03, np.nan, v)

    def _kendskab_tilbud(self, item: Item) -> None:
        assert item.scale is not None
        cols = []
        for lab in item.scale.substantive:
            base = OFFER_KNOWN.get(lab.key, 0.0) + 0.6 * self.t
            if lab.key == "netvaerk":
                base = base + 1.0 * self.t
            if lab.key == "selvhjaelp":
                base = base + self.by_type({"selvhjaelp": 1.6, "sundhed": 0.6})
            cols.append(self.unif() < sigmoid(base + 0.8 * self.engage))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _brug_tilbud(self, item: Item) -> None:
        assert item.scale is not None
        known = self.multi.get("kendskab_tilbud", (np.ones((self.n, 8), bool), None))[0]
        sh = self.by_type({"selvhjaelp": 1.0, "sundhed": 0.5})
        extra = {
            "nyhedsbrev": 1.4,
            "kurser": 0.3,
            "netvaerk": 0.2 + 0.6 * self.t,
            "lokaler": self.by_type({"selvhjaelp": 1.2, "kultur": 1.0}),
            "fundraising": 0.3 * self.need["fundraising"],
            "selvhjaelp": 2.0 * sh - 1.5,
        }
        cols = []
        for j, lab in enumerate(item.scale.substantive):
            x = -1.5 + 0.5 * self.engage + 0.4 * self.t + extra.get(lab.key or "", 0.0)
            k = known[:, j] if j < known.shape[1] else np.ones(self.n, bool)
            cols.append(k & (self.unif() < sigmoid(x)))
        sel = np.column_stack(cols)
        self.n_used = sel.sum(axis=1)
        self.multi[item.id] = (sel, np.ones(self.n, dtype=bool))

    def _kontakt_centret(self, item: Item) -> None:
        s = -0.2 + 0.7 * self.engage + 0.25 * self.n_used + self.normal(0.8)
        codes = self.ordinal(item, s, (1.6, 0.7, -0.3, -1.2))
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.02)

    def _tilfreds_centret(self, item: Item) -> None:
        s = 0.4 + 0.5 * self.engage + 0.1 * self.n_used + self.normal(0.8)
        codes = self.ordinal(item, s, (1.3, 0.3, -0.5, -1.3))
        p = 0.04 + 0.15 * (self.n_used == 0)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", p)

    def _centret_lettere(self, item: Item) -> None:
        s = -0.1 + 0.5 * self.engage + 0.15 * self.n_used + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.04)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.1)

    def _kommune_kontakt(self, item: Item) -> None:
        p = sigmoid(-0.4 + 0.7 * self.p["coop"] + 0.4 * (self.band >= 2) + 0.8 * self.t)
        self.codes[item.id] = self.yes(item, self.p["u_contact"] < p, 0.04)

    def _kommune_tilfreds(self, item: Item) -> None:
        s = 0.3 + 0.8 * self.coop + self.normal(0.7)
        codes = self.ordinal(item, s, (1.3, 0.3, -0.5, -1.3))
        p = 0.05 + 0.2 * self.p["dontknow"]
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", p)

    def _paragraf18_soegt(self, item: Item) -> None:
        p = self.by_type(P18) - 0.1 * (self.band == 0) + 0.03 * self.t
        self.codes[item.id] = self.yes(item, self.p["u_p18"] < p, 0.02)

    def _paragraf18_proces(self, item: Item) -> None:
        s = -0.2 + 0.5 * self.coop + 0.5 * self.t + self.normal(0.9)
        codes = self.ordinal(item, s, (1.2, 0.35, -0.35, -1.1))
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.05)

    def _samskabelse_erfaring(self, item: Item) -> None:
        p = sigmoid(-1.2 + 0.4 * self.coop + 0.3 * (self.band >= 2) + 0.5 * self.t)
        self.codes[item.id] = self.yes(item, self.p["u_cocreate"] < p, 0.06)

    def _samskabelse_interesse(self, item: Item) -> None:
        s = 0.1 + 0.3 * self.coop + 0.3 * self.p["need"] + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.03)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.08)

    def _sh_driver(self, item: Item) -> None:
        p = np.minimum(self.by_type(SELFHELP) * (1 + 0.25 * self.t), 0.97)
        self.codes[item.id] = self.yes(item, self.p["u_selfhelp"] < p, 0.01)

    def _sh_antal(self, item: Item) -> None:
        lam = self.by_type({"selvhjaelp": 1.3, "sundhed": 0.7}) + 0.3 + 0.3 * self.t
        self.values[item.id] = 1.0 + self.rng.poisson(np.maximum(lam - 0.3, 0.3))

    def _sh_behov(self, item: Item) -> None:
        assert item.scale is not None
        base = {
            "uddannelse": -0.2,
            "supervision": 0.0,
            "lokaler": -0.2,
            "deltagere": -0.4,
            "oekonomi": -1.1,
            "sparring": -0.6,
        }
        cols = []
        for lab in item.scale.substantive:
            x = base.get(lab.key, -0.5) + 0.3 * self.need["uddannelse"] * (lab.key == "uddannelse")
            if lab.key == "supervision":
                x = x + self.by_type({"selvhjaelp": 0.8})
            if lab.key == "lokaler":
                x = x + 0.5 * self.need["lokaler"]
            cols.append(self.unif() < sigmoid(x))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _janejmaaske(self, item: Item, s: np.ndarray, dontknow: float) -> None:
        codes = self.ordinal(item, s + self.normal(1.0), (0.6, -0.4))
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", dontknow)

    def _sh_interesse(self, item: Item) -> None:
        self._janejmaaske(item, -0.5 + self.by_type(SH_INTEREST) + 0.3 * self.engage, 0.05)

    def _netvaerksgrupper(self, item: Item) -> None:
        self._janejmaaske(item, -0.2 + self.by_type(SH_INTEREST), 0.1)

    def _forum_temaer(self, item: Item) -> None:
        assert item.scale is not None
        src = {
            "frivillige": "rekruttering",
            "bestyrelse": "bestyrelse",
            "digitalt": "gdpr",
            "fundraising": "fundraising",
            "kommune": "paragraf18",
            "kommunikation": "kommunikation",
        }
        runs = self.codes.get("sh_driver")
        cols = []
        for lab in item.scale.substantive:
            if lab.key in src:
                x = -1.2 + 0.9 * self.need[src[lab.key]]
            elif lab.key == "selvhjaelp":
                x = -1.6 + (
                    2.4 * (runs == self.idx(self.inst.item("sh_driver"), "Ja"))
                    if runs is not None
                    else 0.0
                )
            else:
                x = np.full(self.n, -1.4)
            cols.append(self.unif() < sigmoid(x))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _forum_deltage(self, item: Item) -> None:
        self._janejmaaske(item, 0.3 + 0.6 * self.engage, 0.04)

    def _forum_dele(self, item: Item) -> None:
        s = 0.5 + 0.4 * self.engage + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.02)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.03)

    def _forum_samtykke(self, item: Item) -> None:
        codes = self.choice(item, (0.78, 0.22))
        self.codes[item.id] = self.missing(item, codes, "Ønsker ikke at svare", 0.07)

    def _erhverv_samarbejde(self, item: Item) -> None:
        p = self.by_type(BUSINESS) + 0.08 * self.band
        self.codes[item.id] = self.yes(item, self.p["u_business"] < p, 0.03)

    def _erhverv_interesse(self, item: Item) -> None:
        has = self.codes.get("erhverv_samarbejde")
        yes = (
            (has == self.idx(self.inst.item("erhverv_samarbejde"), "Ja"))
            if has is not None
            else np.zeros(self.n, bool)
        )
        s = -0.1 + 0.4 * yes + 0.3 * self.need["fundraising"] + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.03)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.06)

    def _kompetencer(self, item: Item) -> None:
        assert item.scale is not None
        src = {
            "ledelse": "fastholdelse",
            "oekonomi": "regnskab",
            "fundraising": "fundraising",
            "kommunikation": "kommunikation",
            "digitalt": "gdpr",
            "jura": "forsikring",
        }
        cols = []
        for lab in item.scale.substantive:
            x = (
                (-1.1 + 0.8 * self.need[src[lab.key]])
                if lab.key in src
                else np.full(self.n, -0.9 if lab.key == "projekt" else -1.8)
            )
            cols.append(self.unif() < sigmoid(x))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _stoerste_udfordring(self, item: Item) -> None:
        self.values[item.id] = self.pick_texts(self.top_need(), CHALLENGES, self.unif() < 0.78)

    def _anbefaling_kommunen(self, item: Item) -> None:
        keys = self.top_need()
        keys = np.where(np.isin(keys, list(RECOMMENDATIONS)) & (self.unif() < 0.6), keys, "general")
        pools = {**RECOMMENDATIONS, "general": RECOMMENDATIONS_GENERAL}
        self.values[item.id] = self.pick_texts(keys, pools, self.unif() < 0.62)

    def _kommentar(self, item: Item) -> None:
        later = self.unif() < 0.5 * self.t
        keys = np.where(later, "later", "all").astype(object)
        pools = {"all": COMMENTS, "later": COMMENTS_LATER}
        self.values[item.id] = self.pick_texts(keys, pools, self.unif() < 0.3)

    # -- output
    def frame(self, items: Sequence[Item]) -> dict[str, object]:
        cols: dict[str, object] = {}
        for item in items:
            if item.id in self.codes:
                assert item.scale is not None
                cols[item.id] = pd.Categorical.from_codes(
                    self.codes[item.id], categories=[lab.label for lab in item.scale.labels]
                )
            elif item.id in self.multi:
                assert item.scale is not None
                sel, asked = self.multi[item.id]
                for j, lab in enumerate(item.scale.substantive):
                    cols[item.option_column(lab)] = pd.arrays.BooleanArray(
                        sel[:, j] & asked, ~asked
                    )
            elif item.id in self.values:
                cols[item.id] = self.values[item.id]
        return cols
