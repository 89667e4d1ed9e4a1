"""Tests for fslt_survey.network and fslt_survey.network.groups.

Validation of the network data, attendance figures against a small hand-made fixture, the
meeting evaluations, grouping properties (hypothesis), and one handout rendered to HTML + PDF
and parsed (html.parser, pypdf).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fslt_survey import config
from fslt_survey.errors import ConfigError
from fslt_survey.network import (
    AttendanceSummary,
    attendance_by_type_markdown,
    attendance_summary,
    compare_evaluation_years,
    evaluation_markdown,
    evaluation_shares,
    evaluation_summary,
    load_attendance,
    load_network,
    load_network_data,
    load_theme_guides,
    meetings_markdown,
    normalise_meeting_code,
    prepare_evaluations,
    response_counts,
    theme_scale,
)
from fslt_survey.network.groups import (
    GroupSettings,
    SurveyProfiles,
    plan_groups,
    propose_groups,
    solve_assignment,
)
from fslt_survey.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
NETWORK_DIR = ROOT / "surveys" / "netvaerk"
CONSENT = "Ja, I må gerne nævne foreningen over for andre foreninger"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def themes(member_instrument):
    return theme_scale(member_instrument)


@pytest.fixture(scope="session")
def network(themes):
    return load_network(NETWORK_DIR / "netvaerk.yml", themes=themes)


@pytest.fixture(scope="session")
def demo_clean(tmp_path_factory):
    """The demo exports written to a temporary folder and cleaned (member, evaluation)."""
    from fslt_survey.demo import write_demo
    from fslt_survey.pipeline import clean_survey

    raw = tmp_path_factory.mktemp("demo")
    write_demo(raw)
    members = Path(__file__).resolve().parents[2] / "surveys" / "members.csv"
    return {
        s: clean_survey(s, raw=raw / s, registry=members)
        for s in ("medlemsundersoegelse", "moedeevaluering")
    }


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


SMALL_REGISTRY = """\
# FIKTIVE testdata
association_id,name,assoc_type,size_band,locality,member_since
A01,Alfa Forening,Kultur og fritid,25-99,Virum,2001
A02,Beta Forening,Kultur og fritid,Under 25,Virum,2002
A03,Gamma Netværk,Selvhjælpsgruppe eller netværk,Under 25,Brede,2003
A04,Delta Klub,Social og humanitær forening,100-499,Brede,2004
A05,Epsilon Hjælp,Social og humanitær forening,25-99,Taarbæk,2005
"""

SMALL_NETWORK = """\
forums:
  - id: erfa-test
    name: Testforum
    kind: erfa-forum
    theme: frivillige
    facilitator: Konsulent
    meetings:
      - {id: M2025-01, date: 2025-01-15, place: Rustenborgvej 2A}
      - {id: M2025-06, date: 2025-06-11, place: Rustenborgvej 2A, theme: fundraising}
  - id: netvaerk-test
    name: Testgruppe
    kind: netvaerksgruppe
    theme: selvhjaelp
    facilitator: Koordinator
    meetings:
      - {id: M2025-03, date: 2025-03-05, place: Virum}
      - {id: M2026-01, date: 2026-01-07, place: Virum}
"""

SMALL_ATTENDANCE = """\
# fremmøde
meeting_id,association_id,participants
M2025-01,A01,2
M2025-01,A02,1
m2025-03 ,A01,1
M2025-03,A03,3
M2025-06,A01,1
"""


@pytest.fixture
def small(tmp_path, themes):
    reg = load_registry(write(tmp_path / "members.csv", SMALL_REGISTRY))
    net = load_network(write(tmp_path / "netvaerk.yml", SMALL_NETWORK), themes=themes)
    att = load_attendance(write(tmp_path / "fremmoede.csv", SMALL_ATTENDANCE), network=net,
                          registry=reg)
    return reg, net, att


# --------------------------------------------------------------------------- the data files


def test_bundled_network_data_loads_and_is_marked_fictional(network, registry, member_instrument):
    att = load_attendance(NETWORK_DIR / "fremmoede.csv", network=network, registry=registry)
    guides = load_theme_guides(NETWORK_DIR / "temaer.yml", instrument=member_instrument)
    assert list(guides) == [lab.key for lab in theme_scale(member_instrument).substantive]
    assert {f.kind for f in network.forums} == {"erfa-forum", "netvaerksgruppe"}
    assert len(att) > 0 and set(att["meeting_id"]) <= {m.id for m in network.meetings}
    for name in ("netvaerk.yml", "fremmoede.csv"):
        assert "FIKTIVE DEMODATA" in (NETWORK_DIR / name).read_text(encoding="utf-8")
    assert all(g.questions and g.keywords for g in guides.values())


def test_network_meetings_match_the_demo_evaluation_codes(network):
    from fslt_survey.demo import DEMO_MEETINGS

    by_id = {m.id: m for m in network.meetings}
    for meetings in DEMO_MEETINGS.values():
        for code, date, theme, _k in meetings:
            assert code in by_id, code
            assert by_id[code].date == dt.date.fromisoformat(date)
            assert by_id[code].theme == theme


def test_attendance_includes_every_association_named_in_the_demo_evaluations(
    network, registry, evaluation_instrument
):
    from fslt_survey.demo import DEMO_MEETINGS, generate_meeting_responses

    att = load_attendance(NETWORK_DIR / "fremmoede.csv", network=network, registry=registry)
    came = set(zip(att["meeting_id"], att["association_id"], strict=True))
    for wave in DEMO_MEETINGS:
        ev = generate_meeting_responses(evaluation_instrument, registry, wave)
        named = ev.dropna(subset=["forening"])
        missing = {(m, a) for m, a in zip(named["moede_id"], named["association_id"],
                                          strict=True)} - came
        assert not missing
        per_meeting = att.groupby("meeting_id")["participants"].sum()
        for code, n in ev["moede_id"].value_counts().items():
            assert per_meeting[code] >= n  # at least as many participants as evaluations


# --------------------------------------------------------------------------- validation


def test_network_validation_lists_every_problem(tmp_path, themes):
    path = write(tmp_path / "netvaerk.yml", """\
        forums:
          - id: erfa-a
            name: Forum A
            kind: erfa-forum
            theme: frivillige
            facilitator: Konsulent
            meetings:
              - {id: M2025-02, date: 2025-02-30, place: Rustenborgvej 2A}
              - {id: M2025-03, date: 2025-04-02, place: Rustenborgvej 2A}
              - {id: 2025-05, date: 2025-05-02, place: Rustenborgvej 2A}
          - id: erfa-a
            name: Forum B
            kind: workshop
            theme: sport
            facilitator: ""
            colour: blue
            meetings:
              - {id: M2025-03, date: 2025-03-10, theme: golf}
        """)
    with pytest.raises(ConfigError, match=r"invalid network file \(11 problems\)") as info:
        load_network(path, themes=themes)
    text = str(info.value)
    assert str(path) in text
    for expected in [
        "forum erfa-a, meeting M2025-02: date '2025-02-30' is not a valid ISO date "
        "(expected YYYY-MM-DD)",
        "meeting M2025-03: the code does not match the date 2025-04-02 (expected M2025-04)",
        "invalid meeting id '2025-05'",
        "forum erfa-a: duplicate forum id",
        "kind must be one of erfa-forum, netvaerksgruppe, found 'workshop'",
        "theme 'sport' is not a key of the 'forumtemaer' scale (expected one of frivillige",
        "facilitator must be a non-empty text",
        "unknown key 'colour'",
        "meeting M2025-03: duplicate meeting id",
        "meeting M2025-03: place must be a non-empty text",
        "theme 'golf' is not a key",
    ]:
        assert expected in text, expected


def test_network_yaml_syntax_error_names_the_line(tmp_path, themes):
    path = write(tmp_path / "netvaerk.yml", "forums:\n  - id: a\n    name: [x\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_network(path, themes=themes)
    assert info.value.row is not None and info.value.file == path


def test_attendance_validation_names_rows(tmp_path, small):
    reg, net, _ = small
    path = write(tmp_path / "bad.csv", """\
        # kommentar
        # kommentar 2
        meeting_id,association_id,participants
        M2025-01,A01,1
        M2099-01,A01,1
        M2025-01,F999,1
        M2025-03,A02,0
        M2025-03,A03,to
        m2025-01,A01,2
        """)
    with pytest.raises(ConfigError, match=r"invalid attendance file \(5 problems\)") as info:
        load_attendance(path, network=net, registry=reg)
    problems = info.value.problems
    assert problems == [
        "row 5: unknown meeting_id 'M2099-01' (expected a meeting id from netvaerk.yml)",
        "row 6: unknown association_id 'F999' (expected an id from the member registry)",
        "row 7: participants '0' is not a whole number >= 1",
        "row 8: participants 'to' is not a whole number >= 1",
        "row 9: A01 at M2025-01 again (first in row 4; expected one row per meeting and "
        "association)",
    ]
    missing = write(tmp_path / "cols.csv", "meeting,association_id\nM2025-01,A01\n")
    with pytest.raises(ConfigError, match="lacks required columns"):
        load_attendance(missing, network=net, registry=reg)


def test_theme_guide_validation(tmp_path, member_instrument):
    good = (NETWORK_DIR / "temaer.yml").read_text(encoding="utf-8")
    bad = good.replace("erhverv:\n", "golf:\n").replace(
        "related: [behov_fundraising]", "related: [behov_fundraising, kompetencer, nope]")
    path = write(tmp_path / "temaer.yml", bad)
    with pytest.raises(ConfigError, match=r"invalid theme file \(4 problems\)") as info:
        load_theme_guides(path, instrument=member_instrument)
    text = str(info.value)
    assert "theme golf: not a key of the 'forumtemaer' scale" in text
    assert "theme erhverv: missing guide" in text
    assert "related: item 'kompetencer' is of type 'multi', expected single or likert" in text
    assert "related: unknown item 'nope'" in text


def test_meeting_codes_are_normalised():
    assert normalise_meeting_code(" m2025-04 ") == "M2025-04"
    assert normalise_meeting_code("M 2026-03") == "M2026-03"
    assert normalise_meeting_code(None) is None and normalise_meeting_code("  ") is None


def test_group_settings_are_checked():
    with pytest.raises(ConfigError, match="min_size <= max_size"):
        GroupSettings(min_size=6, max_size=4)
    with pytest.raises(ConfigError, match="max_groups must be at least 1"):
        GroupSettings(max_groups=0)


# --------------------------------------------------------------------------- attendance


def test_attendance_summary_against_the_hand_made_fixture(small):
    reg, _net, att = small
    before = att.copy()
    s = attendance_summary(att, reg)
    pd.testing.assert_frame_equal(att, before)  # input not modified
    assert isinstance(s, AttendanceSummary)
    a = s.associations.set_index("association_id")
    assert a.loc["A01", ["meetings", "participants"]].tolist() == [3, 4]
    assert a.loc["A01", "first"] == pd.Timestamp("2025-01-15")
    assert a.loc["A01", "last"] == pd.Timestamp("2025-06-11")
    assert a.loc["A02", ["meetings", "participants"]].tolist() == [1, 1]
    assert a.loc["A03", ["meetings", "participants"]].tolist() == [1, 3]
    assert a.loc["A04", "meetings"] == 0 and pd.isna(a.loc["A04", "first"])
    assert s.associations["association_id"].iloc[0] == "A01"  # most meetings first
    assert s.never["association_id"].tolist() == ["A04", "A05"]
    m = s.meetings.set_index("meeting_id")
    assert m["associations"].to_dict() == {"M2025-01": 2, "M2025-03": 2, "M2025-06": 1}
    assert m["participants"].to_dict() == {"M2025-01": 3, "M2025-03": 4, "M2025-06": 1}
    assert list(s.meetings["meeting_id"]) == ["M2025-01", "M2025-03", "M2025-06"]  # by date
    bt = s.by_type.set_index(s.by_type["assoc_type"].astype(str))
    assert bt.loc["Kultur og fritid", ["members", "attended", "never"]].tolist() == [2, 2, 0]
    assert bt.loc["Social og humanitær forening", ["attended", "never"]].tolist() == [0, 2]
    assert bt.loc["Kultur og fritid", "pct_attended"] == 100
    assert s.totals == {"meetings": 3, "associations_reached": 3, "members": 5,
                        "participants": 8, "pct_reached": 60.0}


def test_attendance_of_the_bundled_data_matches_a_plain_count(network, registry):
    att = load_attendance(NETWORK_DIR / "fremmoede.csv", network=network, registry=registry)
    with open(NETWORK_DIR / "fremmoede.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    s = attendance_summary(att, registry)
    assert s.totals["participants"] == sum(int(r["participants"]) for r in rows)
    assert s.totals["associations_reached"] == len({r["association_id"] for r in rows})
    assert s.totals["meetings"] == len({r["meeting_id"] for r in rows})
    assert len(s.never) == len(registry) - s.totals["associations_reached"]
    assert s.by_type["members"].sum() == len(registry)


def test_published_attendance_is_suppressed_and_names_nobody(small):
    reg, net, att = small
    s = attendance_summary(att, reg)
    by_type = attendance_by_type_markdown(s, k=5)
    table = meetings_markdown(net, s, k=5)
    for text in (by_type, table):
        assert not any(name in text for name in reg["name"])
        assert not any(aid in text for aid in reg["association_id"])
        assert ".." in text
    # every count in the fixture is below 5: none of them is shown
    assert "| Kultur og fritid" in by_type and "| 2 " not in by_type.split("\n", 2)[2]
    shown = attendance_by_type_markdown(s, k=1)
    assert "60" in shown  # with k = 1 everything is published


def test_network_data_for_the_indicators_splits_held_and_planned(monkeypatch):
    tables = load_network_data(today=dt.date(2026, 6, 1))
    assert (tables["meetings"]["date"] <= pd.Timestamp("2026-06-01")).all()
    assert (tables["planned"]["date"] > pd.Timestamp("2026-06-01")).all()
    assert {"meeting_id", "association_id", "participants", "year"} <= set(
        tables["attendance"].columns)
    assert set(tables["groups"]["kind"]) <= {"erfa-forum", "netvaerksgruppe"}


# --------------------------------------------------------------------------- evaluations


def test_evaluations_are_linked_to_meetings(demo_clean, network):
    raw = demo_clean["moedeevaluering"].data
    odd = raw.copy()
    odd["moede_id"] = odd["moede_id"].astype("string")
    odd.loc[odd.index[0], "moede_id"] = " m2025-02 "
    odd.loc[odd.index[1], "moede_id"] = "X-1"
    ev = prepare_evaluations(odd, network)
    assert ev.loc[ev.index[0], "moede_id"] == "M2025-02"
    assert pd.isna(ev.loc[ev.index[1], "moede_id"]) and ev.loc[ev.index[1], "moede_kode"] == "X-1"
    assert list(ev["moede_id"].cat.categories) == sorted(
        ev["moede_id"].cat.categories, key=lambda c: next(
            m.date for m in network.meetings if m.id == c))
    known = ev["moede_id"].notna()
    assert (ev.loc[known, "year"] == ev.loc[known, "meeting_date"].dt.year).all()
    assert "moede_id" in odd and odd.loc[odd.index[1], "moede_id"] == "X-1"  # input unchanged


def test_evaluation_summary_counts_and_suppression(demo_clean, network, evaluation_instrument):
    ev = prepare_evaluations(demo_clean["moedeevaluering"].data, network)
    summ = evaluation_summary(ev, evaluation_instrument, by="moede_id")
    row = summ[(summ["moede_id"] == "M2025-04") & (summ["item"] == "udbytte")].iloc[0]
    sub = ev[ev["moede_id"] == "M2025-04"]
    assert row["base"] == sub["udbytte"].notna().sum()
    assert row["top_n"] == sub["udbytte"].isin(["I høj grad", "I nogen grad"]).sum()
    igen = summ[(summ["item"] == "deltage_igen")]
    # one top-2 rule across the publication (stats.top_box): a three-point scale Ja / Måske /
    # Nej counts "Ja + Måske", as the member-survey pages do
    assert set(igen["top"]) == {"Ja + Måske"}
    r = igen[igen["moede_id"] == "M2025-04"].iloc[0]
    assert r["top_n"] == sub["deltage_igen"].isin(["Ja", "Måske"]).sum()
    counts = ev["moede_id"].astype("string").value_counts()
    md = evaluation_markdown(summ, by="moede_id", k=5, responses=counts)
    lines = {ln.split("|")[1].strip(): ln for ln in md.splitlines() if ln.startswith("| M20")}
    assert set(lines) == set(counts.index)
    huge = evaluation_markdown(summ, by="moede_id", k=1000, responses=counts)
    assert "%" not in huge.split("\n\n")[0]  # nothing published with k above every base


def test_meeting_shares_cannot_be_recovered_from_their_year(demo_clean, network,
                                                            evaluation_instrument):
    ev = prepare_evaluations(demo_clean["moedeevaluering"].data, network)
    by_meeting, by_year = evaluation_shares(ev, evaluation_instrument, k=5)
    assert set(by_meeting["moede_id"].astype(str)) == set(ev["moede_id"].dropna().astype(str))
    for (item, year), grp in by_meeting.groupby(["item", "year"]):
        year_hidden = bool(by_year.loc[(by_year["item"] == item) & (by_year["year"] == year),
                                       "hidden"].iloc[0])
        # a single hidden meeting next to its published year total could be subtracted out
        assert year_hidden or grp["hidden"].sum() != 1, (item, year)
        shown = grp[~grp["hidden"]]
        assert (((shown["top_n"] >= 5) | (shown["top_n"] == 0))
                & ((shown["base"] - shown["top_n"] >= 5)
                   | (shown["base"] == shown["top_n"]))).all()
    counts = response_counts(ev, k=5)
    for _year, grp in counts.groupby("year"):
        assert grp["suppressed"].sum() != 1
    # a meeting with 3 evaluations is hidden, and so is a second one of its year
    few = ev[(ev["moede_id"] != "M2025-09") | (ev.groupby("moede_id", observed=True)
                                                .cumcount() < 3)]
    counts = response_counts(few, k=5).set_index("moede_id")
    assert counts.loc["M2025-09", "suppressed"] and counts["suppressed"].sum() >= 2


def test_years_compared_with_suppressed_shares(demo_clean, network, evaluation_instrument):
    ev = prepare_evaluations(demo_clean["moedeevaluering"].data, network)
    cmp = compare_evaluation_years(ev, evaluation_instrument, k=5)
    assert set(cmp["wave_from"]) == {2025} and set(cmp["wave_to"]) == {2026}
    shown = cmp["pct_from"].notna()
    n, base = cmp["n_from"].astype(float), cmp["base_from"].astype(float)
    assert ((n[shown] >= 5) | (n[shown] == 0)).all()
    assert (((base - n)[shown] >= 5) | ((base - n)[shown] == 0)).all()
    assert cmp.loc[cmp["pct_from"].isna() | cmp["pct_to"].isna(), "diff"].isna().all()


# --------------------------------------------------------------------------- grouping


@st.composite
def profiles(draw):
    n = draw(st.integers(0, 24))
    nt = draw(st.integers(1, 4))
    bools = st.lists(st.booleans(), min_size=n * nt, max_size=n * nt)
    interest = np.array(draw(bools), bool).reshape(n, nt)
    strength = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n * nt,
                                      max_size=n * nt)), float).reshape(n, nt)
    extra = np.array(draw(st.lists(st.booleans(), min_size=3 * n, max_size=3 * n)),
                     bool).reshape(n, 3)
    consent = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    willing = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n,
                                     max_size=n)), float)
    declined = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    ids = tuple(f"F{i:03d}" for i in range(n))
    names = tuple(f"Forening {i:03d}" if consent[i] else f"Hemmelig-{i:03d}" for i in range(n))
    themes = tuple(f"t{j}" for j in range(nt))
    return SurveyProfiles(
        ids=ids, names=names, consent=consent, themes=themes,
        theme_labels={t: f"Tema {t}" for t in themes}, interest=interest, strength=strength,
        willing=willing, declined=declined,
        features=np.hstack([interest, extra]) if n else np.zeros((0, nt + 3), bool),
        feature_labels=(*[f"tema {t}" for t in themes], "x", "y", "z"))


@st.composite
def bounds(draw):
    lo = draw(st.integers(2, 5))
    return GroupSettings(min_size=lo, max_size=draw(st.integers(lo, lo + 4)),
                         max_groups=draw(st.integers(1, 3)))


def _output_text(proposal) -> str:
    return "\n".join([proposal.describe(), proposal.groups_frame().to_csv(),
                      proposal.members_frame().to_csv(), repr(proposal)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=profiles(), s=bounds())
def test_grouping_properties(p, s):
    x = solve_assignment(p, s)
    assert (x.sum(axis=1) <= s.max_groups).all()  # every association, named or not
    assert not (x & ~p.eligible).any()
    proposal = plan_groups(p, s)
    assert sum(g.size for g in proposal.groups) == int(x.sum())
    for g in proposal.groups:
        assert s.min_size <= g.size <= s.max_size
        assert g.size == len(g.members) + g.n_anonymous
    named = proposal.members_frame().dropna(subset=["association_id"])
    assert (named.groupby("association_id").size() <= s.max_groups).all()
    consenting = {i for i, c in zip(p.ids, p.consent, strict=True) if c}
    assert set(named["association_id"]) <= consenting
    text = _output_text(proposal)
    for i, c in zip(p.ids, p.consent, strict=True):
        if not c:
            assert i not in text and p.names[p.ids.index(i)] not in text
    assert _output_text(plan_groups(p, s)) == text  # same input, same groups


def test_a_theme_with_too_few_candidates_gets_no_group():
    n = 3
    p = SurveyProfiles(
        ids=("A", "B", "C"), names=("a", "b", "c"), consent=np.ones(n, bool), themes=("t",),
        theme_labels={"t": "T"}, interest=np.ones((n, 1), bool), strength=np.zeros((n, 1)),
        willing=np.ones(n), declined=np.zeros(n, bool), features=np.ones((n, 1), bool),
        feature_labels=("tema t",))
    proposal = plan_groups(p, GroupSettings(min_size=4, max_size=8))
    assert proposal.groups == () and proposal.without_group == ("t",)


def test_proposed_groups_from_the_demo_survey(demo_clean, member_instrument, registry):
    data = demo_clean["medlemsundersoegelse"].data
    guides = load_theme_guides(NETWORK_DIR / "temaer.yml", instrument=member_instrument)
    s = GroupSettings(min_size=4, max_size=8, max_groups=2)
    before = data.copy()
    proposal = propose_groups(data, member_instrument, registry, guides, settings=s)
    pd.testing.assert_frame_equal(data, before)  # input not modified
    assert proposal.groups and proposal.wave == 2027
    latest = data[data["wave"] == 2027].set_index("association_id")
    consenting = set(latest.index[latest["forum_samtykke"].astype("string") == CONSENT])
    hidden = set(latest.index) - consenting
    text = _output_text(proposal)
    names = registry.set_index("association_id")["name"]
    consenting_names = {names[a] for a in consenting}
    for aid in hidden:
        assert aid not in text
        if not any(names[aid] in c for c in consenting_names):
            assert names[aid] not in text
    members = proposal.members_frame().dropna(subset=["association_id"])
    assert set(members["association_id"]) <= consenting
    assert (members.groupby("association_id").size() <= 2).all()
    assert all(4 <= g.size <= 8 for g in proposal.groups)
    said_no = set(latest.index[latest["forum_deltage"].astype("string") == "Nej"])
    assert not set(members["association_id"]) & said_no
    for g in proposal.groups:  # every named member is explained by the theme or a need
        for m in g.members:
            assert m.reasons and (f"»{g.theme_label}«" in m.reason or "svarede »" in m.reason)
    shuffled = data.sample(frac=1, random_state=7)
    again = propose_groups(shuffled, member_instrument, registry, guides, settings=s)
    assert _output_text(again) == text  # row order does not matter: same groups


# --------------------------------------------------------------------------- the handout


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.imgs: list[dict[str, str]] = []
        self.title = ""

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append({k: v or "" for k, v in attrs})
        elif tag not in ("br", "meta", "link", "hr", "input"):
            self.stack.append(tag)
            if tag in ("h1", "h2", "h3"):
                self.headings.append((tag, ""))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if "script" in self.stack or "style" in self.stack:
            return
        if "title" in self.stack:
            self.title += data
        if self.headings and self.stack and self.stack[-1] == self.headings[-1][0]:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)
        self.text.append(data)


@pytest.fixture(scope="module")
def handout_project(tmp_path_factory, demo_clean):
    """A small Quarto project: the real handout, the real surveys, clean demo data."""
    from fslt_survey.store import write_clean

    root = tmp_path_factory.mktemp("handoutproject")
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render: [index.qmd]\nlang: da\n", encoding="utf-8")
    (root / "index.qmd").write_text("---\ntitle: Forside\n---\n\nHej.\n", encoding="utf-8")
    shutil.copytree(ROOT / "reports" / "handout", root / "reports" / "handout")
    shutil.copy(ROOT / "reports" / "pdf.typ", root / "reports" / "pdf.typ")  # page furniture
    shutil.copy(ROOT / "reports" / "moeder.qmd", root / "reports" / "moeder.qmd")
    surveys = root / "surveys"
    surveys.mkdir()
    for name in ("medlemsundersoegelse", "moedeevaluering", "netvaerk"):
        shutil.copytree(ROOT / "surveys" / name, surveys / name)
    shutil.copy(ROOT / "surveys" / "members.csv", surveys / "members.csv")
    for result in demo_clean.values():
        write_clean(result, root / "build" / "clean")
    return root


def test_handout_renders_to_html_and_pdf(handout_project, demo_clean, registry, monkeypatch):
    from pypdf import PdfReader

    from fslt_survey.privacy import scan_for_personal_data
    from fslt_survey.render import render_document

    monkeypatch.setenv("FSLT_PROJECT_ROOT", str(handout_project))
    out = handout_project / "build" / "handouts"
    result = render_document(handout_project, "reports/handout/handout.qmd",
                             params={"tema": "frivillige", "dato": "2026-11-01"},
                             output_dir=out, output_name="frivillige", engine="builtin")
    html_path, pdf_path = out / "frivillige.html", out / "frivillige.pdf"
    assert result.documents[0].outputs[:2] == [html_path, pdf_path]

    page = _Text()
    raw_html = html_path.read_text(encoding="utf-8")
    page.feed(raw_html)
    text = " ".join(" ".join(page.text).split())
    h2 = [t.strip() for tag, t in page.headings if tag == "h2"]
    for heading in ("Rekruttering og fastholdelse af frivillige", "Næste møde",
                    "Nøgletal fra medlemsundersøgelsen", "Det siger foreningerne",
                    "Spørgsmål til drøftelse", "Forslag til netværksgruppe", "Om temaarket"):
        assert heading in h2, heading
    assert "Temaark til netværksmøde" in page.title
    assert "M2027-02" in text and "onsdag den 10. februar 2027" in text  # next meeting
    assert "foreninger uden samtykke" in text or "forening uden samtykke" in text
    # one text node per line: neighbouring table cells ("18 | 14 | 19 | 14") are not a number
    assert not scan_for_personal_data("\n".join(t.strip() for t in page.text if t.strip()))
    assert not [f for f in scan_for_personal_data(raw_html) if f.kind in ("email", "cpr")]
    assert page.imgs and all(img.get("alt") for img in page.imgs)
    for img in page.imgs:
        assert (out / img["src"]).is_file()

    latest = demo_clean["medlemsundersoegelse"].data.query("wave == 2027")
    names = registry.set_index("association_id")["name"]
    consent = latest["forum_samtykke"].astype("string") == CONSENT
    consenting = {names[a] for a in latest.loc[consent, "association_id"]}
    hidden = {names[a] for a in latest.loc[~consent, "association_id"]}
    pdf = PdfReader(pdf_path)
    assert pdf.metadata.title == "Temaark til netværksmøde"
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Spørgsmål til drøftelse" in pdf_text and "M2027-02" in pdf_text
    # issue 19: the programme with Danish times, room for notes, the evaluation's QR code
    assert "Tidspunkt: kl. 16.00–18.00" in text and "kl. 16.00 Velkomst" in pdf_text
    assert "Noter" in h2 and "Evaluering af mødet" in h2
    assert "fslt.dk/evaluering?kode=M2027-02" in text
    qr = [img for img in page.imgs if "evaluering-M2027-02" in img["src"]]
    assert qr and "QR-kode" in qr[0]["alt"]
    assert (out / qr[0]["src"]).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    named_in_page = [n for n in consenting if n in text]
    assert named_in_page  # the proposed group names consenting associations
    for name in hidden:
        if any(name in c for c in consenting):
            continue  # a hidden name inside a consenting one cannot be told apart
        assert name not in text and name not in pdf_text and name not in raw_html
    assert re.search(r"\d+ af \d+ foreninger", text)


def test_site_page_is_suppressed_and_names_no_association(handout_project, registry,
                                                          monkeypatch):
    from fslt_survey.privacy import scan_for_personal_data
    from fslt_survey.render import render_document

    monkeypatch.setenv("FSLT_PROJECT_ROOT", str(handout_project))
    out = handout_project / "page"
    render_document(handout_project, "reports/moeder.qmd", output_dir=out, engine="builtin")
    raw_html = (out / "moeder.html").read_text(encoding="utf-8")
    page = _Text()
    page.feed(raw_html)
    text = " ".join(" ".join(page.text).split())
    h2 = [t.strip() for tag, t in page.headings if tag == "h2"]
    assert h2[:4] == ["Overblik", "Møderne", "Hvilke foreninger kommer?", "Deltagernes vurdering"]
    assert "M2025-04" in text and "Selvhjælpsgruppe eller netværk" in text
    assert ".." in text  # something is suppressed in the demo data
    for name in registry["name"]:
        assert name not in raw_html
    assert not re.search(r"\bF0\d\d\b", text)  # no registry ids either
    # one text node per line: neighbouring table cells ("18 | 14 | 19 | 14") are not a number
    assert not scan_for_personal_data("\n".join(t.strip() for t in page.text if t.strip()))
    assert page.imgs and all(img.get("alt") for img in page.imgs)


def test_handouts_command_renders_one_theme(handout_project, monkeypatch, capsys):
    from fslt_survey.cli import main

    monkeypatch.setenv("FSLT_PROJECT_ROOT", str(handout_project))
    monkeypatch.setattr(config, "PROJECT_ROOT", handout_project)
    monkeypatch.setattr(config, "SURVEYS_DIR", handout_project / "surveys")
    monkeypatch.setattr(config, "CLEAN_DIR", handout_project / "build" / "clean")
    out = handout_project / "cli-out"
    assert main(["handouts", "--tema", "erhverv", "--out", str(out), "--engine",
                 "builtin"]) == 0
    printed = capsys.readouterr().out
    assert f"erhverv: {out / 'erhverv.html'}, {out / 'erhverv.pdf'}" in printed
    assert (out / "erhverv.pdf").is_file()
    # issue 19: the theme in the title and the PDF's metadata, at most 3 pages, and no page
    # that ends with a heading (its text on the next page)
    from pypdf import PdfReader

    pdf = PdfReader(out / "erhverv.pdf")
    assert pdf.metadata.title == "Temaark: Samarbejde med lokale virksomheder"
    assert len(pdf.pages) <= 3
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", (out / "erhverv.html").read_text("utf-8"))
    headings = {" ".join(re.sub(r"<[^>]+>", "", h).split()) for h in headings}
    assert "Noter" in headings
    for number, pdf_page in enumerate(pdf.pages[:-1], start=1):
        lines = [x.strip() for x in (pdf_page.extract_text() or "").splitlines() if x.strip()]
        body = [x for x in lines if not x.startswith("Frivilligcenter og Selvhjælp")]
        assert body and body[-1] not in headings, (number, body[-1])
    assert main(["handouts", "--tema", "golf", "--out", str(out)]) == 3
    assert main(["network"]) == 0
