"""The demo frames with the documented problems planted: :func:`build_demo`.

Generates the responses of both member-survey waves and of the meeting evaluations
(:mod:`fslt_survey.demo.responses`) and plants the problems a real export has (duplicates,
partial and blank responses, tests, a non-member, name and label variants, personal data and
formulas in free text, hand-typed meeting codes), recording each as a :class:`DemoCase` (file,
row, id, column, value, expected outcome) in the :class:`DemoBuild`. Nothing is written:
:mod:`fslt_survey.demo` writes the files, lists the expected cases and re-exports every public
name here (the file paths :data:`SX25`, :data:`MSF25`, :data:`SX27`, :data:`EV25`, :data:`EV26`
included).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item, load_instrument
from fslt_survey.demo.invitees import with_invitees
from fslt_survey.demo.params import SX_ID_BASE
from fslt_survey.demo.responses import (
    _member_frame,
    association_profiles,
    generate_meeting_responses,
    generate_member_responses,
)
from fslt_survey.registry import load_registry

__all__ = [
    "CENTRE_EMAIL",
    "EV25",
    "EV26",
    "EVALUATION",
    "MEMBER",
    "MSF25",
    "SX25",
    "SX27",
    "DemoBuild",
    "DemoCase",
    "build_demo",
]

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
_NAME_VARIANTS = {
    "F002": "lyngby skakklub",
    "F010": "Lyngby Taarbæk Lokalhistorisk Forening",
    "F025": "  Lyngby Hjerteforening ",
    "F047": "LYNGBY MOTION FOR SENIORER",
    "F063": "Lyngby Hjemløsevenner.",
    "F086": "Ældrevenner  Lyngby",
}
_TEXT_PLANTS = (
    (
        "pii_email",
        "stoerste_udfordring",
        "Vi mangler en ny kasserer. Kontakt gerne vores formand "
        "Lise Holm på lise.holm@example.org, hvis I kender nogen.",
    ),
    (
        "pii_phone",
        "anbefaling_kommunen",
        "Ring til mig på +45 12 34 56 78 – så kan jeg forklare, "
        "hvorfor §18-ansøgningen skal gøres enklere.",
    ),
    ("pii_phone", "kommentar", "Vores nye kasserer kan kontaktes på 12345678."),
    (
        "pii_phone",
        "stoerste_udfordring",
        "Kommunens sagsbehandler (tlf. 45 87 12 34) svarer sjældent, når vi ringer.",
    ),
    (
        "pii_cpr",
        "kommentar",
        "Banken vil have kassererens CPR-nummer (010190-1234) hvert år – det er bøvlet.",
    ),
    (
        "url",
        "anbefaling_kommunen",
        "Læs vores forslag til kommunen på https://www.example.org/forening/forslag",
    ),
    (
        "formula",
        "kommentar",
        '=HYPERLINK("https://www.example.org/aarsberetning";"Se vores årsberetning")',
    ),
    ("multiline", "stoerste_udfordring", "Tre ting:\n1) lokaler\n2) frivillige\n3) økonomi"),
)
_TEXT_OUTCOME = {
    "pii_email": "redacted",
    "pii_phone": "redacted",
    "pii_cpr": "redacted",
    "url": "redacted",
    "formula": "text",
    "multiline": "text",
    "script": "text",
}


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


def _blank_items(
    df: pd.DataFrame, i: int, instrument: Instrument, keep_sections: Sequence[str] = ()
) -> None:
    for item in instrument.items:
        if item.section in keep_sections or item.type == "association":
            continue
        cols = (
            [item.option_column(lab) for lab in item.scale.substantive]
            if item.type == "multi" and item.scale is not None
            else [item.id]
        )
        for c in cols:
            if c in df.columns:
                df.at[i, c] = None


def _make_partial(
    df: pd.DataFrame, aid: str, instrument: Instrument, keep: Sequence[str], started: pd.Timestamp
) -> None:
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
        default_factory=list
    )

    def pos(self, aid: str) -> int:
        return int(np.flatnonzero(self.prof["association_id"].to_numpy() == aid)[0])

    def sx_id(self, wave: int, aid: str) -> int:
        return SX_ID_BASE[wave] + self.pos(aid) + 1

    def extra(self, aid: str, wave: int, rid: int, start: str, minutes: int = 17) -> pd.DataFrame:
        """One more response of an association (a fresh draw from its traits)."""
        df = _member_frame(
            self.member, self.prof, np.asarray([self.pos(aid)]), wave, self.rng, np.asarray([rid])
        )
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
            rid = SX_ID_BASE[wave] + 91 if outcome == "kept" else self.sx_id(wave, aid)
            self.planted.append((case, file, rid, aid, None, None, outcome))


def _plant_sx2025(pl: _Planter, full: pd.DataFrame) -> None:
    m = pl.member
    sx = full[~full["association_id"].isin(_LATE)].reset_index(drop=True)
    _make_partial(sx, "F033", m, ("profil", "behov"), pd.Timestamp("2025-03-04 19:12:40"))
    _make_partial(
        sx,
        "F065",
        m,
        ("profil", "behov", "centret", "kommune"),
        pd.Timestamp("2025-03-18 21:02:11"),
    )
    _make_partial(sx, "F012", m, ("profil", "behov"), pd.Timestamp("2025-03-06 10:41:05"))
    _make_partial(
        sx, "F050", m, ("profil", "behov", "centret"), pd.Timestamp("2025-03-19 16:20:55")
    )
    base = SX_ID_BASE[2025]
    second = pl.extra("F033", 2025, base + 91, "2025-03-18 20:05:31", 21)  # a second contact
    second.at[0, "rolle"] = "Kasserer"
    blank = pl.blank("F041", 2025)
    test = pl.extra("F001", 2025, base + 99, "2025-02-28 10:15:02", 6)
    test.loc[0, ["forening", "association_id", "assoc_type", "size_band"]] = [
        "Test",
        None,
        None,
        None,
    ]
    sx = pd.concat([sx, second, blank, test], ignore_index=True)
    sx = sx.sort_values("response_id", kind="stable").reset_index(drop=True)
    pl.structural(
        SX25,
        2025,
        (
            ("duplicate", "F033", "excluded:duplicate"),
            ("duplicate_kept", "F033", "kept"),
            ("duplicate", "F065", "excluded:duplicate"),
            ("partial", "F012", "kept:partial"),
            ("partial", "F050", "kept:partial"),
            ("blank", "F041", "excluded:blank"),
        ),
    )
    pl.planted.append(("test", SX25, base + 99, None, "forening", "Test", "excluded:test"))
    special = {"F033", "F065", "F012", "F050", "F041", None}
    ok = [i for i in range(len(sx)) if sx.at[i, "association_id"] not in special]
    for k, (case, item_id, text) in enumerate(_TEXT_PLANTS):
        i = ok[3 + 7 * k]
        sx.at[i, item_id] = text
        pl.planted.append(
            (
                case,
                SX25,
                int(sx.at[i, "response_id"]),
                sx.at[i, "association_id"],
                _sx_column(m.item(item_id)),
                text,
                _TEXT_OUTCOME[case],
            )
        )
    pl.build.frames[SX25] = with_invitees(sx, pl.registry, m, 2025)


def _plant_forms2025(pl: _Planter, full: pd.DataFrame) -> None:
    """The Microsoft Forms export of 2025: the late answers, a duplicate, a non-member and a
    test answer, with the planted cases (name variants, bad labels and numbers, markup)."""
    msf = _forms2025_rows(pl, full)
    row = {a: i for i, a in enumerate(msf["association_id"]) if a is not None}
    msf.at[row["F086"], "modified"] = msf.at[row["F086"], "completed"] + pd.Timedelta(
        days=2, minutes=7
    )
    text_of = {it.id: it.text for it in pl.member.items}

    def put(case: str, aid: str | None, i: int, item_id: str, value: str, outcome: str) -> None:
        msf.at[i, item_id] = value
        pl.planted.append(
            (case, MSF25, int(msf.at[i, "response_id"]), aid, text_of[item_id], value, outcome)
        )

    for aid, variant in _NAME_VARIANTS.items():
        put("name_variant", aid, row[aid], "forening", variant, f"link:{aid}")
    pl.planted.append(
        ("duplicate_kept", MSF25, int(msf.at[row["F065"], "response_id"]), "F065", None, None,
         "kept")
    )
    for name, case in (("Lyngby-Taarbæk Bridgeklub", "not_member"), ("test test", "test")):
        i = int(np.flatnonzero(msf["forening"].to_numpy() == name)[0])
        put(case, None, i, "forening", name, f"excluded:{case}")
    for case, aid, item_id, value, outcome in _FORMS2025_VALUES:
        put(case, aid, row[aid], item_id, value, outcome)
    _plant_label_variants(pl, msf, row, put)
    pl.build.frames[MSF25] = msf


# (case, association, item, value written, expected outcome of cleaning)
_FORMS2025_VALUES = (
    ("unknown_label", "F002", "behov_rekruttering", "Meget høj grad", "missing:Ugyldigt svar"),
    ("label_alias", "F047", "behov_forsikring", "Ved ikke/ikke relevant", "missing:Ved ikke"),
    ("out_of_range", "F047", "medlemmer", "999999", "missing:Ugyldigt svar"),
    ("thousands_space", "F010", "medlemmer", "1 200", "value:1200"),
    ("decimal_comma", "F025", "frivillige", "12,0", "value:12"),
    ("script", "F063", "kommentar",
     "<script>alert(1)</script> Tak for hjælpen med vores hjemmeside!", "text"),
)


def _forms2025_rows(pl: _Planter, full: pd.DataFrame) -> pd.DataFrame:
    """The Forms rows in arrival order: the late associations' answers with Forms' times, a
    duplicate, a non-member and the centre's own test answer; answers as text, as Forms writes."""
    rng = pl.rng
    late = full[full["association_id"].isin(_LATE)].reset_index(drop=True)
    for i in range(len(late)):
        t = pd.Timestamp("2025-04-01") + pd.Timedelta(
            days=int(1.7 * i), hours=int(rng.integers(9, 22)), seconds=int(rng.integers(3600))
        )
        done = t + pd.Timedelta(seconds=int(rng.integers(9 * 60, 30 * 60)))
        late.loc[i, ["started", "completed"]] = [t, done]
    dup = pl.extra("F065", 2025, 0, "2025-04-07 10:03:12", 24)
    outsider = pl.extra("F020", 2025, 0, "2025-04-04 19:40:27", 15)
    outsider.loc[0, ["forening", "association_id", "assoc_type", "size_band"]] = [
        "Lyngby-Taarbæk Bridgeklub", None, None, None,
    ]
    tst = pl.extra("F001", 2025, 0, "2025-03-31 09:12:45", 4)
    tst.loc[0, ["forening", "association_id", "assoc_type", "size_band", "email", "respondent"]] = [
        "test test", None, None, None, CENTRE_EMAIL, "FSLT Sekretariat",
    ]
    msf = pd.concat([late, dup, outsider, tst], ignore_index=True)
    msf = msf.sort_values("completed", kind="stable").reset_index(drop=True)
    msf["response_id"] = np.arange(1, len(msf) + 1)  # Forms numbers answers as they arrive
    cat_cols = [
        c
        for c in msf.columns
        if isinstance(msf[c].dtype, pd.CategoricalDtype) and c not in ("assoc_type", "size_band")
    ]
    return msf.astype({c: object for c in [*cat_cols, "medlemmer", "frivillige"]})


def _plant_label_variants(pl: _Planter, msf: pd.DataFrame, row: dict, put: Callable) -> None:
    """Five answers written in another case or spacing than the scale's label."""
    variants = (
        ("F025", str.upper),
        ("F063", lambda v: v.lower() + " "),
        ("F086", lambda v: v.replace(" ", "  ", 1)),
        ("F010", str.upper),
        ("F065", lambda v: " " + v.lower()),
    )
    m = pl.member
    likert = [
        it.id
        for it in m.items
        if it.type == "likert"
        and it.id in msf.columns
        and it.id not in ("behov_rekruttering", "behov_forsikring")
    ]
    for k, (aid, how) in enumerate(variants):  # the first suitable item from a rotating start
        i = row[aid]
        for item_id in likert[k * 5 :] + likert[: k * 5]:
            v = msf.at[i, item_id]
            scale = m.item(item_id).scale
            lab = scale.match(v) if isinstance(v, str) and scale is not None else None
            if lab is not None and not lab.missing and how(v) != v and " " in v:
                put("label_variant", aid, i, item_id, how(v), f"value:{v}")
                break


def _plant_sx2027(pl: _Planter) -> None:
    sx = generate_member_responses(pl.member, pl.registry, 2027, seed=pl.seed)
    _make_partial(
        sx, "F021", pl.member, ("profil", "behov", "centret"), pd.Timestamp("2027-03-02 09:30:12")
    )
    _make_partial(sx, "F084", pl.member, ("profil", "behov"), pd.Timestamp("2027-03-15 18:44:03"))
    second = pl.extra("F021", 2027, SX_ID_BASE[2027] + 91, "2027-03-16 19:58:40", 19)
    sx = pd.concat([sx, second, pl.blank("F031", 2027)], ignore_index=True)
    sx = sx.sort_values("response_id", kind="stable").reset_index(drop=True)
    pl.structural(
        SX27,
        2027,
        (
            ("duplicate", "F021", "excluded:duplicate"),
            ("duplicate_kept", "F021", "kept"),
            ("partial", "F084", "kept:partial"),
            ("blank", "F031", "excluded:blank"),
        ),
    )
    ok = [i for i in range(len(sx)) if sx.at[i, "association_id"] not in ("F021", "F084", "F031")]
    i = ok[10]
    mail = "Vi mangler frivillige. Skriv gerne til formand@example.org, hvis I vil hjælpe."
    sx.at[i, "stoerste_udfordring"] = mail
    pl.planted.append(
        (
            "pii_email",
            SX27,
            int(sx.at[i, "response_id"]),
            sx.at[i, "association_id"],
            _sx_column(pl.member.item("stoerste_udfordring")),
            mail,
            "redacted",
        )
    )
    pl.build.frames[SX27] = with_invitees(sx, pl.registry, pl.member, 2027)


def _plant_meetings(pl: _Planter) -> None:
    text = pl.evaluation.item("moede_id").text
    for wave, path, plants in (
        (2025, EV25, (("M2025-04", "m2025-04"), ("M2025-09", " M2025-09"))),
        (2026, EV26, (("M2026-03", "m2026-03 "),)),
    ):
        ev = generate_meeting_responses(pl.evaluation, pl.registry, wave, seed=pl.seed)
        for code, variant in plants:
            i = int(np.flatnonzero(ev["moede_id"].to_numpy() == code)[0])
            ev.at[i, "moede_id"] = variant
            pl.planted.append(
                (
                    "meeting_code",
                    path,
                    int(ev.at[i, "response_id"]),
                    None,
                    text,
                    variant,
                    f"value:{code}",
                )
            )
        pl.build.frames[path] = ev


def build_demo(
    seed: int = config.DEMO_SEED,
    *,
    registry: pd.DataFrame | None = None,
    member: Instrument | None = None,
    evaluation: Instrument | None = None,
) -> DemoBuild:
    """All demo frames (after planting the cases) and the planted cases; nothing is written.

    The planted cases name registry ids (F001-F090 of the fictional registry); another registry
    needs those ids.
    """
    reg = load_registry(config.DEMO_REGISTRY_FILE) if registry is None else registry
    member = member or load_instrument(config.SURVEYS_DIR / MEMBER / "instrument.yml")
    evaluation = evaluation or load_instrument(config.SURVEYS_DIR / EVALUATION / "instrument.yml")
    pl = _Planter(
        member,
        evaluation,
        reg,
        seed,
        association_profiles(reg, seed),
        np.random.default_rng([seed, 11]),
    )
    full = generate_member_responses(member, reg, 2025, seed=seed)
    _plant_sx2025(pl, full)
    _plant_forms2025(pl, full)
    _plant_sx2027(pl)
    _plant_meetings(pl)
    for case, file, rid, aid, col, value, outcome in pl.planted:
        at = int(np.flatnonzero(pl.build.frames[file]["response_id"].to_numpy() == rid)[0])
        pl.build.cases.append(DemoCase(case, file, at + 2, int(rid), aid, col, value, outcome))
    return pl.build
