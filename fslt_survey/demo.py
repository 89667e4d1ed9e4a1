"""Deterministic generator of realistic, fictional raw exports (the demo data in ``surveys/demo``).

``python -m fslt_survey.demo`` (or :func:`write_demo`) writes, byte-identically for a seed:

========================================================  ======================================
file below ``surveys/demo/``                              what
========================================================  ======================================
``medlemsundersoegelse/2025/dataset.csv``,                baseline in SurveyXact: cp1252, ``;``,
``structure.csv``, ``labels.csv``                         CRLF; 67 rows
``medlemsundersoegelse/2025/microsoft_forms_2025.xlsx``   9 late answers via a Microsoft Forms
                                                          copy (Danish UI metadata)
``medlemsundersoegelse/2027/dataset.csv``, ...            follow-up in SurveyXact: UTF-16 LE
                                                          with BOM, tab, CRLF; 67 rows
``moedeevaluering/2025/microsoft_forms_2025.xlsx``        4 network meetings, 44 evaluations
``moedeevaluering/2026/microsoft_forms_2026.xlsx``        2 network meetings, 24 evaluations
``README.md``                                             the files and every planted case
========================================================  ======================================

The associations are those of the fictional registry ``surveys/members.csv``; the answers are
simulated. Xlsx files have fixed document properties and zip timestamps.

SurveyXact ``dataset.csv`` columns
    ``respondentid`` (mailing-list id: 2025 = 4812300 + the association's registry position,
    extra contacts from 4812391, the centre's test respondent 4812399; 2027 likewise from
    7391200), ``starttime`` and ``closetime`` (``dd-mm-yyyy HH:MM:SS``; ``closetime`` empty
    unless completed), ``statoverall`` (SurveyXact's overall status, labelled in ``labels.csv``:
    1 Ny, 2 Distribueret, 3 Nogle svar, 4 Gennemført, 5 Frafaldet; the demo uses 2, 3 and 4),
    the background variable ``forening`` (the association's name as on FSLT's mailing list),
    then one column per item named by its ``sx`` variable: codes for single/likert items,
    ``<sx>_<code>`` 0/1 per multi-select option (empty where the question was not shown), raw
    numbers, raw text. ``structure.csv`` types: Closed/Single, Closed/Multiple, Open/Numeric,
    Open/String, Background/String (``statoverall`` and ``forening`` have rows too).

Microsoft Forms files
    Answers are text cells (numbers as typed), multi-select ``A;B;``, ``Mail`` ``anonymous``
    except the centre's own test; one late answer (F086) was edited two days later
    (``Tidspunkt for seneste ændring``). Meeting codes and associations are typed by hand.

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

Planted problems: each one with file, row, id, column, value and expected outcome in
:data:`DEMO_CASES` (rows as a user sees the file, header = row 1); totals in :data:`DEMO_SUMMARY`.

===============  ==========================================  ====================================
case             where                                       expected cleaning outcome
===============  ==========================================  ====================================
duplicate        F033 twice in SX 2025 (partial, then        the earlier, less complete response
                 complete); F065 partial in SX 2025, then    is excluded (3 rows); the later,
                 complete in Forms; F021 twice in SX 2027    complete one is kept
partial          F012, F050 (SX 2025), F084 (SX 2027)        kept; later sections unanswered
blank            F041 (SX 2025), F031 (SX 2027)              excluded as blank (2 rows)
test             SX 2025 "Test"; Forms 2025 "test test"      excluded as test (2 rows)
not_member       Forms 2025 "Lyngby-Taarbæk Bridgeklub"      excluded as not a member (1 row)
name_variant     Forms 2025: case, spaces, hyphen, "."       linked after normalisation (6)
label_variant    Forms 2025: "I NOGEN GRAD", "i høj grad ",  recoded to the scale label (5)
                 "En  eller to gange om året", ...
label_alias      Forms 2025: "Ved ikke/ikke relevant"        typed missing "Ved ikke" (1)
unknown_label    Forms 2025: "Meget høj grad"                missing "Ugyldigt svar", logged (1)
out_of_range     Forms 2025: 999999 members                  missing "Ugyldigt svar", logged (1)
decimal_comma    Forms 2025: "12,0" volunteers               12 (1)
thousands_space  Forms 2025: "1 200" members                 1200 (1)
pii_*, url       SX 2025 texts: e-mail, +45 12 34 56 78,     redacted in the clean text (7);
                 12345678, tlf. 45 87 12 34, 010190-1234,    a personal name (Lise Holm) stays
                 a URL; SX 2027: an e-mail                   unless a name list is given
formula          SX 2025: the only cell ``=HYPERLINK(...)``  kept as text, never a formula
script           Forms 2025: ``<script>alert(1)</script>``   kept as text, escaped when shown
multiline        SX 2025: a quoted answer with line breaks   one cell
meeting_code     evaluations: "m2025-04", " M2025-09",       the meeting's code (3)
                 "m2026-03 "
===============  ==========================================  ====================================

Building blocks for benchmarks and tests: :func:`generate_member_responses`,
:func:`generate_meeting_responses` and the writers of :mod:`fslt_survey.demo_writers`
(re-exported here). With ``n`` larger than the registry, associations are drawn with
replacement (each row keeps its association's traits). Everything is vectorised: a million
responses generate in about 5 s and write as a SurveyXact trio in about 8 s.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item, load_instrument
from fslt_survey.demo_writers import (
    META_COLUMNS,
    write_googleforms_csv,
    write_msforms_xlsx,
    write_spss,
    write_surveyxact_trio,
)

__all__ = [
    "DEMO_CASES", "DEMO_MEETINGS", "DEMO_SUMMARY", "META_COLUMNS", "DemoBuild", "DemoCase",
    "association_profiles", "build_demo", "demo_summary", "generate_meeting_responses",
    "generate_member_responses", "write_demo", "write_googleforms_csv", "write_msforms_xlsx",
    "write_spss", "write_surveyxact_trio",
]

# --------------------------------------------------------------------------- Danish free text

#: Largest challenge, by the association's largest need (the suffix of its ``behov_*`` item).
CHALLENGES: dict[str, tuple[str, ...]] = {
    "rekruttering": (
        "Vi mangler yngre frivillige, og de nuværende er ved at blive trætte.",
        "Det er svært at rekruttere nye frivillige, især nogen der vil tage en fast vagt.",
        "Vi har for få frivillige til at holde åbent alle ugens dage.",
        "Nye frivillige vil gerne hjælpe en gang imellem, men ikke binde sig.",
    ),
    "fastholdelse": (
        "Vi mister frivillige efter kort tid, når opgaverne vokser.",
        "Det er svært at holde på de frivillige – mange flytter eller får nyt job.",
    ),
    "bestyrelse": (
        "Ingen vil stille op til bestyrelsen; formanden har siddet i 14 år og vil gerne stoppe.",
        "Generationsskifte i bestyrelsen – de fleste af os er over 75.",
        "Vi kan ikke finde en ny kasserer.",
    ),
    "fundraising": (
        "Økonomien er stram, og fondsansøgninger tager meget tid.",
        "Vi søger fonde hele tiden, men får oftest afslag.",
        "Vores faste tilskud er faldet, og vi har svært ved at finde nye midler.",
    ),
    "paragraf18": (
        "§18-ansøgningen og afrapporteringen er tung for en lille forening.",
        "Vi ved ikke, om vi kan søge §18-midler til vores aktiviteter.",
    ),
    "regnskab": (
        "Regnskab og revision er svært for os, der er frivillige.",
        "Vores kasserer stopper, og ingen andre kan finde ud af regnskabet.",
    ),
    "gdpr": (
        "GDPR og de digitale systemer er en udfordring for mange af vores medlemmer.",
        "Vi er usikre på, hvordan vi må opbevare oplysninger om medlemmerne.",
        "Hjemmesiden er forældet, og ingen af os kan opdatere den.",
    ),
    "kommunikation": (
        "Vi er for lidt synlige – mange i kommunen kender os slet ikke.",
        "Det er svært at nå ud til nye medlemmer via sociale medier.",
    ),
    "lokaler": (
        "Vi mangler et fast lokale og flytter rundt mellem biblioteket og private hjem.",
        "Lokalerne er for dyre, og vi kan ikke opbevare vores materialer.",
        "Vi har brug for et roligt lokale om aftenen, hvor vi kan tale fortroligt.",
    ),
    "forsikring": ("Vi er i tvivl om, hvordan vores frivillige er forsikret ved ture og kørsel.",),
    "boerneattester": ("Det tager lang tid at indhente børneattester på nye frivillige.",),
    "uddannelse": (
        "Vores frivillige efterspørger kurser, men vi har ikke råd.",
        "Nye frivillige skal klædes bedre på, før de går i gang.",
    ),
    "selvhjaelp": (
        "Gruppelederne står med svære samtaler og har brug for supervision.",
        "Vi har svært ved at finde deltagere, selv om behovet er der.",
        "Det er svært at finde nye gruppeledere, når de gamle stopper.",
    ),
}
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "paragraf18": ("Gør §18-ansøgningen enklere, og giv svar tidligere på året.",
                   "Giv flerårige §18-bevillinger, så vi kan planlægge."),
    "lokaler": ("Stil gratis lokaler til rådighed om aftenen og i weekenden.",
                "Forenkl reglerne for lån af kommunale lokaler."),
    "rekruttering": ("Hjælp med at gøre frivilligt arbejde synligt, fx på kommunens hjemmeside.",),
    "fundraising": ("Giv flerårige bevillinger, så vi kan planlægge.",),
    "selvhjaelp": ("Henvis borgere til selvhjælpsgrupperne fra jobcenter og sundhedscenter.",),
}
RECOMMENDATIONS_GENERAL = (
    "Giv os én fast kontaktperson i kommunen.",
    "Inddrag foreningerne, før beslutningerne er truffet – ikke bagefter.",
    "Anerkend det frivillige arbejde, fx med en årlig frivilligpris.",
    "Lav en samlet oversigt over, hvem man kontakter om hvad.",
    "Brug os som samarbejdspartner, ikke som gratis arbejdskraft.",
    "Gør §18-ansøgningen enklere.",
)
COMMENTS = (
    "Tak for god hjælp med fondsansøgningen sidste år!",
    "Vi kendte ikke til alle jeres tilbud – send gerne en oversigt.",
    "Nyhedsbrevet er for langt.",
    "Kurser i regnskab for små foreninger ville være godt.",
    "I gør et stort arbejde – fortsæt!",
    "Gerne mere hjælp til hjemmeside og GDPR.",
    "Huset på Rustenborgvej er dejligt, men svært at booke.",
)
COMMENTS_LATER = (
    "Netværksmøderne har været en stor hjælp for os.",
    "Det er blevet lettere at finde ud af, hvem vi skal kontakte i kommunen.",
)
MEETING_COMMENTS = (
    "Mere tid til at tale sammen i mindre grupper.",
    "Gerne møder om aftenen, så de der arbejder kan deltage.",
    "Godt oplæg, men for lidt tid til spørgsmål.",
    "Send gerne materialet ud bagefter.",
    "Flere konkrete eksempler fra andre foreninger.",
    "Invitér kommunen med næste gang.",
    "Kaffe og kage var dejligt :-)",
)

# --------------------------------------------------------------------------- model parameters

NEEDS = ("rekruttering", "fastholdelse", "bestyrelse", "fundraising", "paragraf18", "regnskab",
         "gdpr", "kommunikation", "lokaler", "forsikring", "boerneattester", "uddannelse")
_NEED_BASE = dict(zip(NEEDS, (0.9, 0.3, 0.4, 0.4, 0.0, -0.3, 0.0, 0.3, -0.3, -0.6, -1.0, 0.0),
                      strict=True))
_NEED_TYPE = {
    "selvhjaelp": {"lokaler": 1.4, "uddannelse": 0.9, "rekruttering": 0.2, "boerneattester": -0.8},
    "aeldre": {"gdpr": 1.3, "bestyrelse": 1.0, "rekruttering": 0.3, "boerneattester": -1.2},
    "kultur": {"lokaler": 1.0, "kommunikation": 1.0, "rekruttering": -0.2, "paragraf18": -0.5},
    "social": {"rekruttering": 0.8, "fundraising": 0.9, "fastholdelse": 0.5, "paragraf18": 0.4},
    "sundhed": {"rekruttering": 0.4, "kommunikation": 0.5, "bestyrelse": 0.4, "gdpr": 0.3},
    "boern": {"boerneattester": 1.8, "rekruttering": 0.6, "fastholdelse": 0.4, "forsikring": 0.4},
}
_NEED_SIZE = ({"regnskab": 1.0, "paragraf18": 0.5, "fundraising": 0.2, "bestyrelse": 0.3},
              {"regnskab": 0.3}, {}, {"regnskab": -0.6, "gdpr": 0.2})
_NEED_CHANGE = {"gdpr": -0.15, "paragraf18": -0.2, "uddannelse": -0.1}  # per 2 years
_NOT_RELEVANT = {"boerneattester": 0.55, "lokaler": 0.08, "forsikring": 0.03}
_COOP_MEAN = {"roller": -0.4, "lytter": 0.1, "kontakt": -0.2, "anerkendelse": 0.5,
              "inddragelse": -0.6}
_COOP_CHANGE = {"roller": 0.5, "lytter": 0.1, "kontakt": 0.3, "anerkendelse": 0.1,
                "inddragelse": 0.15}
_COOP_DONTKNOW = {"roller": 0.03, "inddragelse": 0.06, "kontakt": 0.02}
_TYPES = ("social", "sundhed", "selvhjaelp", "kultur", "boern", "aeldre")
_TYPE_LABELS = ("Social og humanitær forening", "Sundheds- og patientforening",
                "Selvhjælpsgruppe eller netværk", "Kultur og fritid", "Børn, unge og familier",
                "Ældre og seniorer")
_BANDS = ("Under 25", "25-99", "100-499", "500 eller flere")
_SELFHELP = dict(zip(_TYPES, (0.14, 0.42, 0.9, 0.03, 0.1, 0.08), strict=True))
_P18 = dict(zip(_TYPES, (0.65, 0.55, 0.55, 0.25, 0.4, 0.45), strict=True))
_BUSINESS = dict(zip(_TYPES, (0.22, 0.25, 0.08, 0.4, 0.35, 0.15), strict=True))
_SH_INTEREST = dict(zip(_TYPES, (0.4, 0.6, 0.5, -0.6, 0.2, 0.1), strict=True))
_OFFER_KNOWN = {"raadgivning": 0.3, "kurser": 0.6, "lokaler": 0.9, "fundraising": -0.4,
                "formidling": 0.1, "netvaerk": -0.1, "nyhedsbrev": 1.0, "selvhjaelp": -0.8}
_FIELDWORK = {2025: "2025-03-03", 2027: "2027-03-01"}
_SX_ID_BASE = {2025: 4_812_300, 2027: 7_391_200}


def _column(s: pd.Series) -> np.ndarray:
    """A profile column as a numpy array (strings as objects)."""
    return s.to_numpy(dtype=object) if s.dtype.kind not in "biufM" else s.to_numpy()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _change(wave: int) -> float:
    """Share of the 2025 -> 2027 change reached in a wave (0 in 2025, 1 from 2027)."""
    return float(np.clip((wave - 2025) / 2, 0.0, 1.0))


# --------------------------------------------------------------------------- associations


def association_profiles(registry: pd.DataFrame, seed: int = config.DEMO_SEED) -> pd.DataFrame:
    """Stable latent traits per association, seeded by ``seed`` and the association id.

    A subset of the registry gets the same traits as in the full registry. Columns:
    ``association_id, name, type, band`` (0-3), ``locality``, ``need``, ``coop``, ``engage``
    (standard normal), ``u_*`` (stable uniforms behind yes/no facts), ``dontknow`` (hardly knows
    the municipality), ``members``, ``volunteer_share``.
    """
    type_key = {lab: key for lab, key in zip(_TYPE_LABELS, _TYPES, strict=True)}
    rows = []
    for rec in registry.astype({c: str for c in ("assoc_type", "size_band")}).itertuples():
        rng = np.random.default_rng([seed, zlib.crc32(str(rec.association_id).encode())])
        z = rng.standard_normal(3)
        u = rng.random(8)
        band = _BANDS.index(rec.size_band) if rec.size_band in _BANDS else 1
        lo, hi = ((5, 25), (25, 100), (100, 500), (500, 2500))[band]
        members = int(np.exp(np.log(lo) + u[6] * (np.log(hi) - np.log(lo))))
        share = ((0.4, 1.0), (0.15, 0.6), (0.05, 0.3), (0.02, 0.12))[band]
        rows.append({
            "association_id": rec.association_id, "name": rec.name,
            "type": type_key.get(rec.assoc_type, "social"),
            "type_idx": _TYPES.index(type_key.get(rec.assoc_type, "social")), "band": band,
            "locality": str(getattr(rec, "locality", "")), "need": z[0], "coop": z[1],
            "engage": z[2], "u_selfhelp": u[0], "u_p18": u[1], "u_contact": u[2],
            "u_cocreate": u[3], "u_business": u[4], "dontknow": u[5] < 0.12,
            "members": members, "volunteer_share": share[0] + u[7] * (share[1] - share[0]),
        })
    return pd.DataFrame(rows)


#: Associations whose participation the demo fixes, because a planted case needs them.
_FORCED_GROUP = {
    "F033": "both", "F065": "both", "F012": "both", "F050": "2025", "F002": "both",
    "F010": "both", "F025": "both", "F047": "both", "F063": "2025", "F086": "both",
    "F021": "both", "F084": "2027", "F041": "2027", "F031": "2025",
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
        groups[responders[start:start + max(k, 0)]] = g
        start += max(k, 0)
    return groups


# --------------------------------------------------------------------------- generation


class _Gen:
    """Vectorised answers for one batch of respondents (rows of the association profiles)."""

    def __init__(self, instrument: Instrument, prof: pd.DataFrame, rows: np.ndarray, wave: int,
                 rng: np.random.Generator) -> None:
        self.inst, self.wave, self.rng, self.t = instrument, wave, rng, _change(wave)
        rows = np.asarray(rows, dtype=np.int64)
        self.p = {c: _column(prof[c])[rows] for c in prof.columns}  # one entry per respondent
        self.n = len(rows)
        self.ti = self.p["type_idx"]  # index into _TYPES
        self.band = self.p["band"]
        self.codes: dict[str, np.ndarray] = {}  # choice items: index into scale.labels, -1 empty
        self.multi: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # (selected n x k, asked n)
        self.values: dict[str, np.ndarray] = {}  # numeric, text and association items
        need = self.p["need"]
        self.need = {k: _NEED_BASE[k] + self.by_type({t: d.get(k, 0.0) for t, d in
                                                       _NEED_TYPE.items()})
                     + np.asarray([s.get(k, 0.0) for s in _NEED_SIZE])[self.band]
                     + self.t * _NEED_CHANGE.get(k, 0.0) + 0.7 * need + self.normal(0.8)
                     for k in NEEDS}
        self.coop = self.p["coop"] + 0.15 * self.t
        self.engage = self.p["engage"] + 0.6 * self.t
        self.n_used = np.zeros(self.n)

    # -- helpers
    def normal(self, sd: float = 1.0) -> np.ndarray:
        return self.rng.normal(0.0, sd, self.n)

    def unif(self) -> np.ndarray:
        return self.rng.random(self.n)

    def by_type(self, table: dict[str, float]) -> np.ndarray:
        return np.asarray([float(table.get(t, 0.0)) for t in _TYPES])[self.ti]

    def is_type(self, *types: str) -> np.ndarray:
        return np.isin(self.ti, [_TYPES.index(t) for t in types])

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

    def missing(self, item: Item, codes: np.ndarray, text: str,
                p: float | np.ndarray) -> np.ndarray:
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

    def pick_texts(self, keys: np.ndarray, pools: dict[str, tuple[str, ...]],
                   answered: np.ndarray) -> np.ndarray:
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
            elif item.id.startswith("samarbejde_") and item.id[11:] in _COOP_MEAN:
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
        p_nr = _NOT_RELEVANT.get(key, 0.01)
        if key == "boerneattester":
            p_nr = np.where(self.is_type("boern"), 0.05,
                            np.where(self.is_type("kultur"), 0.35, p_nr))
        codes = self.missing(item, codes, "Ikke relevant", p_nr)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.04)

    def _coop(self, item: Item) -> None:
        key = item.id[11:]
        score = (_COOP_MEAN[key] + self.t * _COOP_CHANGE[key] + 0.3 + self.coop
                 + self.normal(0.85))
        codes = self.ordinal(item, score, (1.2, 0.35, -0.35, -1.1))
        p = (0.04 + _COOP_DONTKNOW.get(key, 0.0) + 0.45 * self.p["dontknow"]
             + self.is_type("kultur", "boern") * 0.06 - 0.02 * self.t)
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
        lut = np.asarray([keyed.get(t, self.idx(item, lab))
                          for t, lab in zip(_TYPES, _TYPE_LABELS, strict=True)])
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
            base = _OFFER_KNOWN.get(lab.key, 0.0) + 0.6 * self.t
            if lab.key == "netvaerk":
                base = base + 1.0 * self.t
            if lab.key == "selvhjaelp":
                base = base + self.by_type({"selvhjaelp": 1.6, "sundhed": 0.6})
            cols.append(self.unif() < _sigmoid(base + 0.8 * self.engage))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _brug_tilbud(self, item: Item) -> None:
        assert item.scale is not None
        known = self.multi.get("kendskab_tilbud", (np.ones((self.n, 8), bool), None))[0]
        sh = self.by_type({"selvhjaelp": 1.0, "sundhed": 0.5})
        extra = {"nyhedsbrev": 1.4, "kurser": 0.3, "netvaerk": 0.2 + 0.6 * self.t,
                 "lokaler": self.by_type({"selvhjaelp": 1.2, "kultur": 1.0}),
                 "fundraising": 0.3 * self.need["fundraising"], "selvhjaelp": 2.0 * sh - 1.5}
        cols = []
        for j, lab in enumerate(item.scale.substantive):
            x = -1.5 + 0.5 * self.engage + 0.4 * self.t + extra.get(lab.key or "", 0.0)
            k = known[:, j] if j < known.shape[1] else np.ones(self.n, bool)
            cols.append(k & (self.unif() < _sigmoid(x)))
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
        p = _sigmoid(-0.4 + 0.7 * self.p["coop"] + 0.4 * (self.band >= 2)
                     + 0.8 * self.t)
        self.codes[item.id] = self.yes(item, self.p["u_contact"] < p, 0.04)

    def _kommune_tilfreds(self, item: Item) -> None:
        s = 0.3 + 0.8 * self.coop + self.normal(0.7)
        codes = self.ordinal(item, s, (1.3, 0.3, -0.5, -1.3))
        p = 0.05 + 0.2 * self.p["dontknow"]
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", p)

    def _paragraf18_soegt(self, item: Item) -> None:
        p = self.by_type(_P18) - 0.1 * (self.band == 0) + 0.03 * self.t
        self.codes[item.id] = self.yes(item, self.p["u_p18"] < p, 0.02)

    def _paragraf18_proces(self, item: Item) -> None:
        s = -0.2 + 0.5 * self.coop + 0.5 * self.t + self.normal(0.9)
        codes = self.ordinal(item, s, (1.2, 0.35, -0.35, -1.1))
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.05)

    def _samskabelse_erfaring(self, item: Item) -> None:
        p = _sigmoid(-1.2 + 0.4 * self.coop + 0.3 * (self.band >= 2) + 0.5 * self.t)
        self.codes[item.id] = self.yes(item, self.p["u_cocreate"] < p, 0.06)

    def _samskabelse_interesse(self, item: Item) -> None:
        s = 0.1 + 0.3 * self.coop + 0.3 * self.p["need"] + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.03)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.08)

    def _sh_driver(self, item: Item) -> None:
        p = np.minimum(self.by_type(_SELFHELP) * (1 + 0.25 * self.t), 0.97)
        self.codes[item.id] = self.yes(item, self.p["u_selfhelp"] < p, 0.01)

    def _sh_antal(self, item: Item) -> None:
        lam = self.by_type({"selvhjaelp": 1.3, "sundhed": 0.7}) + 0.3 + 0.3 * self.t
        self.values[item.id] = 1.0 + self.rng.poisson(np.maximum(lam - 0.3, 0.3))

    def _sh_behov(self, item: Item) -> None:
        assert item.scale is not None
        base = {"uddannelse": -0.2, "supervision": 0.0, "lokaler": -0.2, "deltagere": -0.4,
                "oekonomi": -1.1, "sparring": -0.6}
        cols = []
        for lab in item.scale.substantive:
            x = base.get(lab.key, -0.5) + 0.3 * self.need["uddannelse"] * (lab.key == "uddannelse")
            if lab.key == "supervision":
                x = x + self.by_type({"selvhjaelp": 0.8})
            if lab.key == "lokaler":
                x = x + 0.5 * self.need["lokaler"]
            cols.append(self.unif() < _sigmoid(x))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _janejmaaske(self, item: Item, s: np.ndarray, dontknow: float) -> None:
        codes = self.ordinal(item, s + self.normal(1.0), (0.6, -0.4))
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", dontknow)

    def _sh_interesse(self, item: Item) -> None:
        self._janejmaaske(item, -0.5 + self.by_type(_SH_INTEREST) + 0.3 * self.engage, 0.05)

    def _netvaerksgrupper(self, item: Item) -> None:
        self._janejmaaske(item, -0.2 + self.by_type(_SH_INTEREST), 0.1)

    def _forum_temaer(self, item: Item) -> None:
        assert item.scale is not None
        src = {"frivillige": "rekruttering", "bestyrelse": "bestyrelse", "digitalt": "gdpr",
               "fundraising": "fundraising", "kommune": "paragraf18",
               "kommunikation": "kommunikation"}
        runs = self.codes.get("sh_driver")
        cols = []
        for lab in item.scale.substantive:
            if lab.key in src:
                x = -1.2 + 0.9 * self.need[src[lab.key]]
            elif lab.key == "selvhjaelp":
                x = -1.6 + (2.4 * (runs == self.idx(self.inst.item("sh_driver"), "Ja"))
                            if runs is not None else 0.0)
            else:
                x = np.full(self.n, -1.4)
            cols.append(self.unif() < _sigmoid(x))
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
        p = self.by_type(_BUSINESS) + 0.08 * self.band
        self.codes[item.id] = self.yes(item, self.p["u_business"] < p, 0.03)

    def _erhverv_interesse(self, item: Item) -> None:
        has = self.codes.get("erhverv_samarbejde")
        yes = (has == self.idx(self.inst.item("erhverv_samarbejde"), "Ja")) if has is not None \
            else np.zeros(self.n, bool)
        s = -0.1 + 0.4 * yes + 0.3 * self.need["fundraising"] + self.normal(0.9)
        codes = self.missing(item, self.ordinal(item, s, (1.0, 0.2, -0.6)), "Ikke relevant", 0.03)
        self.codes[item.id] = self.missing(item, codes, "Ved ikke", 0.06)

    def _kompetencer(self, item: Item) -> None:
        assert item.scale is not None
        src = {"ledelse": "fastholdelse", "oekonomi": "regnskab", "fundraising": "fundraising",
               "kommunikation": "kommunikation", "digitalt": "gdpr", "jura": "forsikring"}
        cols = []
        for lab in item.scale.substantive:
            x = (-1.1 + 0.8 * self.need[src[lab.key]]) if lab.key in src else \
                np.full(self.n, -0.9 if lab.key == "projekt" else -1.8)
            cols.append(self.unif() < _sigmoid(x))
        self.multi[item.id] = (np.column_stack(cols), np.ones(self.n, dtype=bool))

    def _stoerste_udfordring(self, item: Item) -> None:
        self.values[item.id] = self.pick_texts(self.top_need(), CHALLENGES, self.unif() < 0.78)

    def _anbefaling_kommunen(self, item: Item) -> None:
        keys = self.top_need()
        keys = np.where(np.isin(keys, list(RECOMMENDATIONS)) & (self.unif() < 0.6), keys,
                        "general")
        pools = {**RECOMMENDATIONS, "general": RECOMMENDATIONS_GENERAL}
        self.values[item.id] = self.pick_texts(keys, pools, self.unif() < 0.62)

    def _kommentar(self, item: Item) -> None:
        later = (self.unif() < 0.5 * self.t)
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
                    self.codes[item.id], categories=[lab.label for lab in item.scale.labels])
            elif item.id in self.multi:
                assert item.scale is not None
                sel, asked = self.multi[item.id]
                for j, lab in enumerate(item.scale.substantive):
                    cols[item.option_column(lab)] = pd.arrays.BooleanArray(
                        sel[:, j] & asked, ~asked)
            elif item.id in self.values:
                cols[item.id] = self.values[item.id]
        return cols


def _fieldwork_times(rng: np.random.Generator, n: int, wave: int) -> tuple[pd.Series, pd.Series]:
    """Start and completion times: launch peak, reminder peak after two weeks, evenings."""
    start = pd.Timestamp(_FIELDWORK.get(wave, f"{wave}-03-02"))
    comp = rng.choice(3, size=n, p=(0.45, 0.35, 0.20))
    day = np.where(comp == 0, rng.integers(0, 4, n),
                   np.where(comp == 1, rng.integers(14, 19, n), rng.integers(0, 26, n)))
    hour = rng.choice(np.arange(8, 23), size=n,
                      p=np.array([3, 5, 6, 6, 5, 5, 5, 5, 5, 6, 9, 11, 12, 10, 7]) / 100)
    secs = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
    started = start + pd.to_timedelta(secs, unit="s")
    dur = np.round((6 + rng.gamma(3.0, 4.0, n)) * 60)
    return pd.Series(started), pd.Series(started + pd.to_timedelta(dur, unit="s"))


def _member_frame(instrument: Instrument, prof: pd.DataFrame, rows: np.ndarray, wave: int,
                  rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    items = instrument.for_wave(wave)
    gen = _Gen(instrument, prof, rows, wave, rng)
    gen.run(items)
    n = gen.n
    started, completed = _fieldwork_times(rng, n, wave)
    meta = {
        "response_id": np.asarray(ids, dtype=np.int64),
        "association_id": gen.p["association_id"],
        "assoc_type": pd.Categorical.from_codes(gen.ti, categories=_TYPE_LABELS),
        "size_band": pd.Categorical.from_codes(gen.band, categories=_BANDS),
        "started": started.to_numpy(), "completed": completed.to_numpy(),
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
        ids = _SX_ID_BASE.get(wave, wave * 1000) + rows + 1
    else:
        pick = np.random.default_rng([seed, wave, n, 2])
        rows = pick.choice(len(prof), size=n, replace=n > len(prof))
        ids = np.arange(1, n + 1)
    return _member_frame(instrument, prof, rows, wave, np.random.default_rng([seed, wave, 3]), ids)


#: Network meetings of the demo: code, date, theme (``forumtemaer`` key), participants.
DEMO_MEETINGS: dict[int, tuple[tuple[str, str, str, int], ...]] = {
    2025: (("M2025-02", "2025-02-12", "frivillige", 12), ("M2025-04", "2025-04-23", "kommune", 14),
           ("M2025-09", "2025-09-17", "selvhjaelp", 8), ("M2025-11", "2025-11-12", "digitalt", 10)),
    2026: (("M2026-03", "2026-03-18", "fundraising", 15),
           ("M2026-05", "2026-05-20", "kommunikation", 9)),
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
    for item in instrument.for_wave(wave):
        if item.id == "moede_id":
            gen.values[item.id] = np.asarray(codes, dtype=object)
        elif item.type == "association":
            names = gen.p["name"]
            gen.values[item.id] = np.where(gen.unif() < 0.65, names, None)
        elif item.type == "likert" and item.scale is not None:
            shift = {"ny_viden": 0.1, "nye_kontakter": -0.3, "tilfreds_moede": 0.3,
                     "deltage_igen": 0.6}.get(item.id, 0.0)
            x = s + shift + gen.normal(0.6)
            nsub = len(item.scale.substantive)
            cuts = {3: (0.3, -0.6), 4: (0.9, 0.0, -0.9), 5: (1.3, 0.3, -0.5, -1.3)}[nsub]
            gen.codes[item.id] = gen.missing(item, gen.ordinal(item, x, cuts), "Ved ikke", 0.03)
        elif item.type == "multi" and item.scale is not None:
            cols = [gen.unif() < np.where(np.asarray(themes) == lab.key, 0.12, 0.27)
                    for lab in item.scale.substantive]
            sel = np.column_stack(cols) if cols else np.zeros((n, 0), bool)
            gen.multi[item.id] = (sel, sel.any(axis=1))
        elif item.type == "text":
            keys = np.full(n, "all", dtype=object)
            gen.values[item.id] = gen.pick_texts(keys, {"all": MEETING_COMMENTS}, gen.unif() < 0.35)
        else:
            gen.run([item])
    late = gen.unif() < 0.15
    offset = np.where(late, rng.integers(1, 4, n) * 86400 + rng.integers(17, 21, n) * 3600,
                      15 * 3600 + 45 * 60 + rng.integers(0, 25 * 60, n))
    started = pd.Series(pd.DatetimeIndex(dates) + pd.to_timedelta(offset, unit="s"))
    completed = started + pd.to_timedelta(rng.integers(60, 300, n), unit="s")
    meta = {
        "response_id": np.zeros(n, dtype=np.int64),
        "association_id": gen.p["association_id"],
        "assoc_type": np.full(n, None, dtype=object), "size_band": np.full(n, None, dtype=object),
        "started": started.to_numpy(), "completed": completed.to_numpy(),
        "modified": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "status": np.full(n, "complete", dtype=object),
        "email": np.full(n, "anonymous", dtype=object), "respondent": np.full(n, None, object),
    }
    df = pd.DataFrame({**meta, **gen.frame(instrument.for_wave(wave))})
    df = df.sort_values("completed", kind="stable").reset_index(drop=True)
    df["response_id"] = np.arange(1, n + 1)
    return df


# --------------------------------------------------------------------------- the demo files

#: The centre's own (fictional) e-mail, used by its test response.
CENTRE_EMAIL = "info@fslt.example"
MEMBER = "medlemsundersoegelse"
EVALUATION = "moedeevaluering"
SX25 = f"{MEMBER}/2025/dataset.csv"
MSF25 = f"{MEMBER}/2025/microsoft_forms_2025.xlsx"
SX27 = f"{MEMBER}/2027/dataset.csv"
EV25 = f"{EVALUATION}/2025/microsoft_forms_2025.xlsx"
EV26 = f"{EVALUATION}/2026/microsoft_forms_2026.xlsx"
_LATE = ("F002", "F010", "F025", "F047", "F063", "F086")
_NAME_VARIANTS = {"F002": "lyngby skakklub", "F010": "Lyngby Taarbæk Lokalhistorisk Forening",
                  "F025": "  Lyngby Hjerteforening ", "F047": "LYNGBY MOTION FOR SENIORER",
                  "F063": "Lyngby Hjemløsevenner.", "F086": "Ældrevenner  Lyngby"}
_TEXT_PLANTS = (
    ("pii_email", "stoerste_udfordring", "Vi mangler en ny kasserer. Kontakt gerne vores formand "
     "Lise Holm på lise.holm@example.org, hvis I kender nogen."),
    ("pii_phone", "anbefaling_kommunen", "Ring til mig på +45 12 34 56 78 – så kan jeg forklare, "
     "hvorfor §18-ansøgningen skal gøres enklere."),
    ("pii_phone", "kommentar", "Vores nye kasserer kan kontaktes på 12345678."),
    ("pii_phone", "stoerste_udfordring",
     "Kommunens sagsbehandler (tlf. 45 87 12 34) svarer sjældent, når vi ringer."),
    ("pii_cpr", "kommentar",
     "Banken vil have kassererens CPR-nummer (010190-1234) hvert år – det er bøvlet."),
    ("url", "anbefaling_kommunen",
     "Læs vores forslag til kommunen på https://www.example.org/forening/forslag"),
    ("formula", "kommentar",
     '=HYPERLINK("https://www.example.org/aarsberetning";"Se vores årsberetning")'),
    ("multiline", "stoerste_udfordring", "Tre ting:\n1) lokaler\n2) frivillige\n3) økonomi"),
)
_TEXT_OUTCOME = {"pii_email": "redacted", "pii_phone": "redacted", "pii_cpr": "redacted",
                 "url": "redacted", "formula": "text", "multiline": "text", "script": "text"}


@dataclass(frozen=True)
class DemoCase:
    """One planted problem in the demo exports.

    ``row`` is the row as a user sees the file (header = row 1); ``id`` the respondentid
    (SurveyXact) or Forms Id of that row; ``column`` the file's column header; ``outcome`` a
    short machine-readable expectation (``excluded:<reason>``, ``kept``, ``kept:partial``,
    ``link:<id>``, ``value:<clean value>``, ``missing:<reason>``, ``redacted``, ``text``).
    """

    case: str
    file: str
    row: int
    id: int
    association_id: str | None
    column: str | None
    value: str | None
    outcome: str


@dataclass
class DemoBuild:
    """The demo's response frames (by file, after planting) and the planted cases."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    cases: list[DemoCase] = field(default_factory=list)


def _blank_items(df: pd.DataFrame, i: int, instrument: Instrument,
                 keep_sections: Sequence[str] = ()) -> None:
    for item in instrument.items:
        if item.section in keep_sections or item.type == "association":
            continue
        cols = ([item.option_column(lab) for lab in item.scale.substantive]
                if item.type == "multi" and item.scale is not None else [item.id])
        for c in cols:
            if c in df.columns:
                df.at[i, c] = None


def _make_partial(df: pd.DataFrame, aid: str, instrument: Instrument,
                  keep: Sequence[str], started: pd.Timestamp) -> None:
    i = int(np.flatnonzero(df["association_id"].to_numpy() == aid)[0])
    _blank_items(df, i, instrument, keep)
    df.at[i, "status"] = "partial"
    df.at[i, "started"] = started
    df.at[i, "completed"] = pd.NaT


def _sx_column(item: Item) -> str:
    return item.sx or item.id


@dataclass
class _Planter:
    """What the planting steps share: instruments, association traits, one random stream."""

    member: Instrument
    evaluation: Instrument
    registry: pd.DataFrame
    seed: int
    prof: pd.DataFrame
    rng: np.random.Generator
    build: DemoBuild = field(default_factory=DemoBuild)
    #: (case, file, response id, association, column, value, outcome); rows are found at the end
    planted: list[tuple[str, str, int, str | None, str | None, str | None, str]] = field(
        default_factory=list)

    def pos(self, aid: str) -> int:
        return int(np.flatnonzero(self.prof["association_id"].to_numpy() == aid)[0])

    def sx_id(self, wave: int, aid: str) -> int:
        return _SX_ID_BASE[wave] + self.pos(aid) + 1

    def extra(self, aid: str, wave: int, rid: int, start: str, minutes: int = 17) -> pd.DataFrame:
        """One more response of an association (a fresh draw from its traits)."""
        df = _member_frame(self.member, self.prof, np.asarray([self.pos(aid)]), wave, self.rng,
                           np.asarray([rid]))
        df.at[0, "started"] = pd.Timestamp(start)
        df.at[0, "completed"] = pd.Timestamp(start) + pd.Timedelta(minutes=minutes)
        return df

    def blank(self, aid: str, wave: int) -> pd.DataFrame:
        """The association opened nothing: only the mailing list's background variable."""
        df = self.extra(aid, wave, self.sx_id(wave, aid), f"{wave}-03-05")
        _blank_items(df, 0, self.member)
        df.loc[0, ["status", "started", "completed"]] = ["blank", pd.NaT, pd.NaT]
        return df

    def structural(self, file: str, wave: int, cases: Sequence[tuple[str, str, str]]) -> None:
        """Cases without a column: (case, association, outcome); rows by mailing-list id."""
        for case, aid, outcome in cases:
            rid = _SX_ID_BASE[wave] + 91 if outcome == "kept" else self.sx_id(wave, aid)
            self.planted.append((case, file, rid, aid, None, None, outcome))


def _plant_sx2025(pl: _Planter, full: pd.DataFrame) -> None:
    m = pl.member
    sx = full[~full["association_id"].isin(_LATE)].reset_index(drop=True)
    _make_partial(sx, "F033", m, ("profil", "behov"), pd.Timestamp("2025-03-04 19:12:40"))
    _make_partial(sx, "F065", m, ("profil", "behov", "centret", "kommune"),
                  pd.Timestamp("2025-03-18 21:02:11"))
    _make_partial(sx, "F012", m, ("profil", "behov"), pd.Timestamp("2025-03-06 10:41:05"))
    _make_partial(sx, "F050", m, ("profil", "behov", "centret"),
                  pd.Timestamp("2025-03-19 16:20:55"))
    base = _SX_ID_BASE[2025]
    second = pl.extra("F033", 2025, base + 91, "2025-03-18 20:05:31", 21)  # a second contact
    second.at[0, "rolle"] = "Kasserer"
    blank = pl.blank("F041", 2025)
    test = pl.extra("F001", 2025, base + 99, "2025-02-28 10:15:02", 6)
    test.loc[0, ["forening", "association_id", "assoc_type", "size_band"]] = [
        "Test", None, None, None]
    sx = pd.concat([sx, second, blank, test], ignore_index=True)
    sx = sx.sort_values("response_id", kind="stable").reset_index(drop=True)
    pl.structural(SX25, 2025, (
        ("duplicate", "F033", "excluded:duplicate"), ("duplicate_kept", "F033", "kept"),
        ("duplicate", "F065", "excluded:duplicate"), ("partial", "F012", "kept:partial"),
        ("partial", "F050", "kept:partial"), ("blank", "F041", "excluded:blank")))
    pl.planted.append(("test", SX25, base + 99, None, "forening", "Test", "excluded:test"))
    special = {"F033", "F065", "F012", "F050", "F041", None}
    ok = [i for i in range(len(sx)) if sx.at[i, "association_id"] not in special]
    for k, (case, item_id, text) in enumerate(_TEXT_PLANTS):
        i = ok[3 + 7 * k]
        sx.at[i, item_id] = text
        pl.planted.append((case, SX25, int(sx.at[i, "response_id"]), sx.at[i, "association_id"],
                           _sx_column(m.item(item_id)), text, _TEXT_OUTCOME[case]))
    pl.build.frames[SX25] = sx


def _plant_forms2025(pl: _Planter, full: pd.DataFrame) -> None:
    rng, m = pl.rng, pl.member
    late = full[full["association_id"].isin(_LATE)].reset_index(drop=True)
    for i in range(len(late)):
        t = pd.Timestamp("2025-04-01") + pd.Timedelta(
            days=int(1.7 * i), hours=int(rng.integers(9, 22)), seconds=int(rng.integers(3600)))
        done = t + pd.Timedelta(seconds=int(rng.integers(9 * 60, 30 * 60)))
        late.loc[i, ["started", "completed"]] = [t, done]
    dup = pl.extra("F065", 2025, 0, "2025-04-07 10:03:12", 24)
    outsider = pl.extra("F020", 2025, 0, "2025-04-04 19:40:27", 15)
    outsider.loc[0, ["forening", "association_id", "assoc_type", "size_band"]] = [
        "Lyngby-Taarbæk Bridgeklub", None, None, None]
    tst = pl.extra("F001", 2025, 0, "2025-03-31 09:12:45", 4)
    tst.loc[0, ["forening", "association_id", "assoc_type", "size_band", "email",
                "respondent"]] = ["test test", None, None, None, CENTRE_EMAIL, "FSLT Sekretariat"]
    msf = pd.concat([late, dup, outsider, tst], ignore_index=True)
    msf = msf.sort_values("completed", kind="stable").reset_index(drop=True)
    msf["response_id"] = np.arange(1, len(msf) + 1)  # Forms numbers answers as they arrive
    cat_cols = [c for c in msf.columns if isinstance(msf[c].dtype, pd.CategoricalDtype)
                and c not in ("assoc_type", "size_band")]
    msf = msf.astype({c: object for c in [*cat_cols, "medlemmer", "frivillige"]})
    row = {a: i for i, a in enumerate(msf["association_id"]) if a is not None}
    msf.at[row["F086"], "modified"] = msf.at[row["F086"], "completed"] + pd.Timedelta(
        days=2, minutes=7)
    text_of = {it.id: it.text for it in m.items}

    def put(case: str, aid: str | None, i: int, item_id: str, value: str, outcome: str) -> None:
        msf.at[i, item_id] = value
        pl.planted.append((case, MSF25, int(msf.at[i, "response_id"]), aid, text_of[item_id],
                           value, outcome))

    for aid, variant in _NAME_VARIANTS.items():
        put("name_variant", aid, row[aid], "forening", variant, f"link:{aid}")
    pl.planted.append(("duplicate_kept", MSF25, int(msf.at[row["F065"], "response_id"]), "F065",
                       None, None, "kept"))
    for name, case in (("Lyngby-Taarbæk Bridgeklub", "not_member"), ("test test", "test")):
        i = int(np.flatnonzero(msf["forening"].to_numpy() == name)[0])
        put(case, None, i, "forening", name, f"excluded:{case}")
    put("unknown_label", "F002", row["F002"], "behov_rekruttering", "Meget høj grad",
        "missing:Ugyldigt svar")
    put("label_alias", "F047", row["F047"], "behov_forsikring", "Ved ikke/ikke relevant",
        "missing:Ved ikke")
    put("out_of_range", "F047", row["F047"], "medlemmer", "999999", "missing:Ugyldigt svar")
    put("thousands_space", "F010", row["F010"], "medlemmer", "1 200", "value:1200")
    put("decimal_comma", "F025", row["F025"], "frivillige", "12,0", "value:12")
    put("script", "F063", row["F063"], "kommentar",
        "<script>alert(1)</script> Tak for hjælpen med vores hjemmeside!", "text")
    variants = (("F025", str.upper), ("F063", lambda v: v.lower() + " "),
                ("F086", lambda v: v.replace(" ", "  ", 1)), ("F010", str.upper),
                ("F065", lambda v: " " + v.lower()))
    likert = [it.id for it in m.items if it.type == "likert" and it.id in msf.columns
              and it.id not in ("behov_rekruttering", "behov_forsikring")]
    for k, (aid, how) in enumerate(variants):  # the first suitable item from a rotating start
        i = row[aid]
        for item_id in likert[k * 5:] + likert[: k * 5]:
            v = msf.at[i, item_id]
            scale = m.item(item_id).scale
            lab = scale.match(v) if isinstance(v, str) and scale is not None else None
            if lab is not None and not lab.missing and how(v) != v and " " in v:
                put("label_variant", aid, i, item_id, how(v), f"value:{v}")
                break
    pl.build.frames[MSF25] = msf


def _plant_sx2027(pl: _Planter) -> None:
    sx = generate_member_responses(pl.member, pl.registry, 2027, seed=pl.seed)
    _make_partial(sx, "F021", pl.member, ("profil", "behov", "centret"),
                  pd.Timestamp("2027-03-02 09:30:12"))
    _make_partial(sx, "F084", pl.member, ("profil", "behov"),
                  pd.Timestamp("2027-03-15 18:44:03"))
    second = pl.extra("F021", 2027, _SX_ID_BASE[2027] + 91, "2027-03-16 19:58:40", 19)
    sx = pd.concat([sx, second, pl.blank("F031", 2027)], ignore_index=True)
    sx = sx.sort_values("response_id", kind="stable").reset_index(drop=True)
    pl.structural(SX27, 2027, (
        ("duplicate", "F021", "excluded:duplicate"), ("duplicate_kept", "F021", "kept"),
        ("partial", "F084", "kept:partial"), ("blank", "F031", "excluded:blank")))
    ok = [i for i in range(len(sx)) if sx.at[i, "association_id"] not in ("F021", "F084", "F031")]
    i = ok[10]
    mail = "Vi mangler frivillige. Skriv gerne til formand@example.org, hvis I vil hjælpe."
    sx.at[i, "stoerste_udfordring"] = mail
    pl.planted.append(("pii_email", SX27, int(sx.at[i, "response_id"]), sx.at[i, "association_id"],
                       _sx_column(pl.member.item("stoerste_udfordring")), mail, "redacted"))
    pl.build.frames[SX27] = sx


def _plant_meetings(pl: _Planter) -> None:
    text = pl.evaluation.item("moede_id").text
    for wave, path, plants in ((2025, EV25, (("M2025-04", "m2025-04"), ("M2025-09", " M2025-09"))),
                               (2026, EV26, (("M2026-03", "m2026-03 "),))):
        ev = generate_meeting_responses(pl.evaluation, pl.registry, wave, seed=pl.seed)
        for code, variant in plants:
            i = int(np.flatnonzero(ev["moede_id"].to_numpy() == code)[0])
            ev.at[i, "moede_id"] = variant
            pl.planted.append(("meeting_code", path, int(ev.at[i, "response_id"]), None, text,
                               variant, f"value:{code}"))
        pl.build.frames[path] = ev


def build_demo(seed: int = config.DEMO_SEED, *, registry: pd.DataFrame | None = None,
               member: Instrument | None = None,
               evaluation: Instrument | None = None) -> DemoBuild:
    """All demo frames (after planting the cases) and the planted cases; nothing is written.

    The planted cases name registry ids (F001-F090 of the fictional registry); another registry
    needs those ids.
    """
    from fslt_survey.registry import load_registry

    reg = load_registry() if registry is None else registry
    member = member or load_instrument(config.SURVEYS_DIR / MEMBER / "instrument.yml")
    evaluation = evaluation or load_instrument(config.SURVEYS_DIR / EVALUATION / "instrument.yml")
    pl = _Planter(member, evaluation, reg, seed, association_profiles(reg, seed),
                  np.random.default_rng([seed, 11]))
    full = generate_member_responses(member, reg, 2025, seed=seed)
    _plant_sx2025(pl, full)
    _plant_forms2025(pl, full)
    _plant_sx2027(pl)
    _plant_meetings(pl)
    for case, file, rid, aid, col, value, outcome in pl.planted:
        at = int(np.flatnonzero(pl.build.frames[file]["response_id"].to_numpy() == rid)[0])
        pl.build.cases.append(DemoCase(case, file, at + 2, int(rid), aid, col, value, outcome))
    return pl.build


#: Every planted case of the default demo (seed ``config.DEMO_SEED``, the fictional registry);
#: ``tests/test_demo.py`` checks that :func:`build_demo` plants exactly these.
DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("duplicate", SX25, 26, 4812333, "F033", None, None, "excluded:duplicate"),
    DemoCase("duplicate_kept", SX25, 67, 4812391, "F033", None, None, "kept"),
    DemoCase("duplicate", SX25, 51, 4812365, "F065", None, None, "excluded:duplicate"),
    DemoCase("partial", SX25, 11, 4812312, "F012", None, None, "kept:partial"),
    DemoCase("partial", SX25, 40, 4812350, "F050", None, None, "kept:partial"),
    DemoCase("blank", SX25, 32, 4812341, "F041", None, None, "excluded:blank"),
    DemoCase("test", SX25, 68, 4812399, None, "forening", "Test", "excluded:test"),
    DemoCase("pii_email", SX25, 5, 4812305, "F005", "s_31",
             "Vi mangler en ny kasserer. Kontakt gerne vores formand Lise Holm på "
             "lise.holm@example.org, hvis I kender nogen.", "redacted"),
    DemoCase("pii_phone", SX25, 13, 4812314, "F014", "s_32",
             "Ring til mig på +45 12 34 56 78 – så kan jeg forklare, hvorfor §18-ansøgningen "
             "skal gøres enklere.", "redacted"),
    DemoCase("pii_phone", SX25, 20, 4812322, "F022", "s_33",
             "Vores nye kasserer kan kontaktes på 12345678.", "redacted"),
    DemoCase("pii_phone", SX25, 28, 4812336, "F036", "s_31",
             "Kommunens sagsbehandler (tlf. 45 87 12 34) svarer sjældent, når vi ringer.",
             "redacted"),
    DemoCase("pii_cpr", SX25, 36, 4812345, "F045", "s_33",
             "Banken vil have kassererens CPR-nummer (010190-1234) hvert år – det er bøvlet.",
             "redacted"),
    DemoCase("url", SX25, 44, 4812354, "F054", "s_32",
             "Læs vores forslag til kommunen på https://www.example.org/forening/forslag",
             "redacted"),
    DemoCase("formula", SX25, 52, 4812367, "F067", "s_33",
             '=HYPERLINK("https://www.example.org/aarsberetning";"Se vores årsberetning")',
             "text"),
    DemoCase("multiline", SX25, 59, 4812379, "F079", "s_31",
             "Tre ting:\n1) lokaler\n2) frivillige\n3) økonomi", "text"),
    DemoCase("name_variant", MSF25, 3, 2, "F002", "Hvilken forening svarer du på vegne af?",
             "lyngby skakklub", "link:F002"),
    DemoCase("name_variant", MSF25, 4, 3, "F010", "Hvilken forening svarer du på vegne af?",
             "Lyngby Taarbæk Lokalhistorisk Forening", "link:F010"),
    DemoCase("name_variant", MSF25, 6, 5, "F025", "Hvilken forening svarer du på vegne af?",
             "  Lyngby Hjerteforening ", "link:F025"),
    DemoCase("name_variant", MSF25, 7, 6, "F047", "Hvilken forening svarer du på vegne af?",
             "LYNGBY MOTION FOR SENIORER", "link:F047"),
    DemoCase("name_variant", MSF25, 9, 8, "F063", "Hvilken forening svarer du på vegne af?",
             "Lyngby Hjemløsevenner.", "link:F063"),
    DemoCase("name_variant", MSF25, 10, 9, "F086", "Hvilken forening svarer du på vegne af?",
             "Ældrevenner  Lyngby", "link:F086"),
    DemoCase("duplicate_kept", MSF25, 8, 7, "F065", None, None, "kept"),
    DemoCase("not_member", MSF25, 5, 4, None, "Hvilken forening svarer du på vegne af?",
             "Lyngby-Taarbæk Bridgeklub", "excluded:not_member"),
    DemoCase("test", MSF25, 2, 1, None, "Hvilken forening svarer du på vegne af?",
             "test test", "excluded:test"),
    DemoCase("unknown_label", MSF25, 3, 2, "F002",
             "I hvilken grad har foreningen behov for støtte til at rekruttere nye frivillige?",
             "Meget høj grad", "missing:Ugyldigt svar"),
    DemoCase("label_alias", MSF25, 7, 6, "F047",
             "I hvilken grad har foreningen behov for rådgivning om forsikring?",
             "Ved ikke/ikke relevant", "missing:Ved ikke"),
    DemoCase("out_of_range", MSF25, 7, 6, "F047", "Hvor mange medlemmer har foreningen?",
             "999999", "missing:Ugyldigt svar"),
    DemoCase("thousands_space", MSF25, 4, 3, "F010", "Hvor mange medlemmer har foreningen?",
             "1 200", "value:1200"),
    DemoCase("decimal_comma", MSF25, 6, 5, "F025", "Hvor mange aktive frivillige har foreningen?",
             "12,0", "value:12"),
    DemoCase("script", MSF25, 9, 8, "F063", "Har du andre kommentarer til Frivilligcentret?",
             "<script>alert(1)</script> Tak for hjælpen med vores hjemmeside!", "text"),
    DemoCase("label_variant", MSF25, 6, 5, "F025",
             "I hvilken grad har foreningen behov for støtte til at fastholde sine frivillige?",
             "I NOGEN GRAD", "value:I nogen grad"),
    DemoCase("label_variant", MSF25, 9, 8, "F063",
             "I hvilken grad har foreningen behov for støtte til GDPR og IT?",
             "i høj grad ", "value:I høj grad"),
    DemoCase("label_variant", MSF25, 10, 9, "F086",
             "Hvor ofte har foreningen kontakt med Frivilligcentret?",
             "En  eller to gange om året", "value:En eller to gange om året"),
    DemoCase("label_variant", MSF25, 4, 3, "F010",
             "Det er let at finde ud af, hvem foreningen skal kontakte i kommunen",
             "HELT ENIG", "value:Helt enig"),
    DemoCase("label_variant", MSF25, 8, 7, "F065",
             "I hvilken grad er foreningen villig til at dele sine erfaringer med andre "
             "foreninger?",
             " slet ikke", "value:Slet ikke"),
    DemoCase("duplicate", SX27, 16, 7391221, "F021", None, None, "excluded:duplicate"),
    DemoCase("duplicate_kept", SX27, 68, 7391291, "F021", None, None, "kept"),
    DemoCase("partial", SX27, 63, 7391284, "F084", None, None, "kept:partial"),
    DemoCase("blank", SX27, 22, 7391231, "F031", None, None, "excluded:blank"),
    DemoCase("pii_email", SX27, 12, 7391216, "F016", "s_31",
             "Vi mangler frivillige. Skriv gerne til formand@example.org, hvis I vil hjælpe.",
             "redacted"),
    DemoCase("meeting_code", EV25, 14, 13, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             "m2025-04", "value:M2025-04"),
    DemoCase("meeting_code", EV25, 28, 27, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             " M2025-09", "value:M2025-09"),
    DemoCase("meeting_code", EV26, 2, 1, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             "m2026-03 ", "value:M2026-03"),
)
#: Raw rows and rows expected to survive cleaning per file; associations with a response.
DEMO_SUMMARY: dict[str, dict[str, int]] = {
    SX25: {"rows": 67, "kept": 63},
    MSF25: {"rows": 9, "kept": 7},
    SX27: {"rows": 67, "kept": 65},
    EV25: {"rows": 44, "kept": 44},
    EV26: {"rows": 24, "kept": 24},
    "associations": {"2025": 70, "2027": 65, "both": 50},
}


def demo_summary(build: DemoBuild) -> dict[str, object]:
    """Raw rows and expected kept rows per file, and the associations answering per wave."""
    out: dict[str, object] = {}
    for file, df in build.frames.items():
        dropped = sum(c.file == file and c.outcome.startswith("excluded:") for c in build.cases)
        out[file] = {"rows": len(df), "kept": len(df) - dropped}
    waves = {}
    for wave, files in ((2025, (SX25, MSF25)), (2027, (SX27,))):
        ids: set[str] = set()
        for f in files:
            df = build.frames[f]
            ids |= set(df.loc[df["status"] != "blank", "association_id"].dropna())
        waves[wave] = ids
    out["associations"] = {"2025": len(waves[2025]), "2027": len(waves[2027]),
                           "both": len(waves[2025] & waves[2027])}
    return out


def _readme(build: DemoBuild, seed: int) -> str:
    summary = demo_summary(build)
    lines = [
        "# Demo-eksporter (fiktive data)",
        "",
        "Skrevet af `python -m fslt_survey.demo` (`fslt_survey.demo.write_demo`, seed "
        f"{seed}). Ret dem aldrig i hånden: testene kræver, at de er identiske med en ny kørsel.",
        "Foreningerne findes i det fiktive register `surveys/members.csv`; svarene er simulerede.",
        "",
        "| fil | format | rækker | forventet beholdt |",
        "|---|---|---|---|",
    ]
    formats = {SX25: "SurveyXact, cp1252, `;` (+ structure.csv, labels.csv)",
               MSF25: "Microsoft Forms xlsx, dansk brugerflade",
               SX27: "SurveyXact, UTF-16 med BOM, tabulator (+ structure.csv, labels.csv)",
               EV25: "Microsoft Forms xlsx, engelsk brugerflade",
               EV26: "Microsoft Forms xlsx, engelsk brugerflade"}
    for file, fmt in formats.items():
        s = summary[file]
        assert isinstance(s, dict)
        lines.append(f"| `{file}` | {fmt} | {s['rows']} | {s['kept']} |")
    a = summary["associations"]
    assert isinstance(a, dict)
    lines += [
        "",
        f"Foreninger med svar: {a['2025']} i 2025, {a['2027']} i 2027, {a['both']} i begge.",
        "",
        "## Indplantede problemer",
        "",
        "Række = rækken som i filen (overskrift = række 1); id = respondentid / Forms-Id.",
        "",
        "| tilfælde | fil | række | id | forening | kolonne | værdi | forventet |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in build.cases:
        value = "" if c.value is None else c.value.replace("\n", "\\n").replace("|", "\\|")
        col = "" if c.column is None else c.column.replace("|", "\\|")
        lines.append(f"| {c.case} | `{c.file}` | {c.row} | {c.id} | {c.association_id or ''} "
                     f"| {col} | {value} | {c.outcome} |")
    return "\n".join(lines) + "\n"


def write_demo(out_dir: Path = config.DEMO_DIR, *, seed: int = config.DEMO_SEED,
               registry: pd.DataFrame | None = None) -> list[Path]:
    """Write the demo exports (see the module docstring); the same seed gives the same bytes.

    Returns the written paths. ``registry`` defaults to ``surveys/members.csv`` (the fictional
    registry the committed demo files and :data:`DEMO_CASES` are made from).
    """
    out_dir = Path(out_dir)
    member = load_instrument(config.SURVEYS_DIR / MEMBER / "instrument.yml")
    evaluation = load_instrument(config.SURVEYS_DIR / EVALUATION / "instrument.yml")
    b = build_demo(seed, registry=registry, member=member, evaluation=evaluation)
    paths = write_surveyxact_trio(b.frames[SX25], member, out_dir / MEMBER / "2025",
                                  encoding="cp1252", delimiter=";")
    paths.append(write_msforms_xlsx(b.frames[MSF25], member, out_dir / MSF25, danish=True))
    paths += write_surveyxact_trio(b.frames[SX27], member, out_dir / MEMBER / "2027",
                                   encoding="utf-16", delimiter="\t")
    paths.append(write_msforms_xlsx(b.frames[EV25], evaluation, out_dir / EV25, danish=False))
    paths.append(write_msforms_xlsx(b.frames[EV26], evaluation, out_dir / EV26, danish=False))
    readme = out_dir / "README.md"
    readme.write_text(_readme(b, seed), encoding="utf-8", newline="\n")
    return [*paths, readme]


def main() -> None:
    """``python -m fslt_survey.demo``: (re)write the committed demo exports."""
    for path in write_demo():
        print(path.relative_to(config.PROJECT_ROOT) if path.is_relative_to(config.PROJECT_ROOT)
              else path)


if __name__ == "__main__":
    main()
