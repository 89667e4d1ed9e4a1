"""The release-level auditor, tested as an intruder would test a release (issue 18).

Each recovery found by hand in the 2027 release is seeded into a small release (a) to (e), and
the auditor must catch it and name the figures that combine; a properly protected release must
pass. The ILP ranges are checked against brute-force enumeration of every table consistent with
what is printed (an independent reference that knows tables, not the auditor's fact rows), and
the Wilson interval against statsmodels.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from statsmodels.stats.proportion import proportion_confint

from fslt_survey.privacy import Release, wilson_counts, wilson_interval

LIKERT = ["Meget tilfreds", "Tilfreds", "Hverken eller", "Utilfreds", "Meget utilfreds"]


def _distribution(rel: Release, fid: str, counts: dict[str, int], hidden: set[str]) -> None:
    """A published distribution table: the hidden cells are "–", the total is printed."""
    cells = {f"{fid}/{lab}": (None if lab in hidden else n) for lab, n in counts.items()}
    rel.add_table(fid, cells, margins={"I alt": (list(cells), sum(counts.values()))})


def _range(report, cell):
    return next(r for r in report.ranges if r.cell == cell)


# --------------------------------------------------------------------------- (a) Kommune


def _kommune(with_indicator: bool) -> Release:
    rel = Release()
    counts = dict(zip(LIKERT, [8, 13, 20, 14, 3], strict=True))
    _distribution(rel, "kommune", counts, {"Meget tilfreds", "Meget utilfreds"})
    if with_indicator:  # the follow-up indicator: top-2 share "36 % (58)"
        rel.add_share(
            "indikator/kommune",
            ["kommune/Meget tilfreds", "kommune/Tilfreds"],
            base=58,
            shown_pct=36,
        )
    return rel


def test_a_indicator_top2_share_pins_the_hidden_cells():
    assert round(100 * 21 / 58) == 36 and round(100 * 20 / 58) != 36 != round(100 * 22 / 58)
    report = _kommune(with_indicator=True).audit(k=5)
    top, bottom = (
        _range(report, "kommune/Meget tilfreds"),
        _range(report, "kommune/Meget utilfreds"),
    )
    assert (top.low, top.high) == (8, 8) and (bottom.low, bottom.high) == (3, 3)
    assert top.disclosed and bottom.disclosed and not report.ok
    assert "indikator/kommune" in top.facts and "kommune [I alt]" in bottom.facts
    assert "kommune/Meget utilfreds = 3" in report.explain()


def test_a_without_the_indicator_the_table_alone_protects():
    report = _kommune(with_indicator=False).audit(k=5)
    assert report.ok and not report.disclosed
    assert [(r.low, r.high) for r in report.ranges] == [(0, 11), (0, 11)]


# --------------------------------------------------------------------------- (b) §18


def test_b_indicator_47_percent_of_32_pins_helt_enig_and_helt_uenig():
    rel = Release()
    labels = [
        "Helt enig",
        "Overvejende enig",
        "Hverken enig eller uenig",
        "Overvejende uenig",
        "Helt uenig",
    ]
    _distribution(
        rel, "p18", dict(zip(labels, [5, 10, 8, 6, 3], strict=True)), {"Helt enig", "Helt uenig"}
    )
    rel.add_share("indikator/p18", ["p18/Helt enig", "p18/Overvejende enig"], base=32, shown_pct=47)
    report = rel.audit(k=5)
    assert {r.cell: (r.low, r.high) for r in report.disclosed} == {
        "p18/Helt enig": (5, 5),
        "p18/Helt uenig": (3, 3),
    }


# --------------------------------------------------------------------------- (c) Metode


def test_c_registry_count_minus_an_item_base_recovers_non_respondents():
    types = {
        "Patientforening": (20, 4),
        "Idræt og motion": (11, 2),
        "Kultur": (9, 2),
        "Social": (31, 12),
    }
    rel = Release()
    for name, (registry, missing) in types.items():
        answered, small = registry - missing, missing < 5
        # Metode, "Svar efter foreningstype": registry count printed, small cells hidden
        rel.add_table(
            "metode/svar-efter-type",
            {
                f"{name}/svar": None if small else answered,
                f"{name}/ikke svar": None if small else missing,
            },
            margins={name: ([f"{name}/svar", f"{name}/ikke svar"], registry)},
        )
        # the by-type download: the base of an item nobody skipped is the number who answered
        rel.add_sum(f"download/behov-efter-type [{name}]", [f"{name}/svar"], answered)
    report = rel.audit(k=5)
    found = {r.cell: r.low for r in report.disclosed if r.cell.endswith("ikke svar")}
    assert found == {
        "Patientforening/ikke svar": 4,
        "Idræt og motion/ikke svar": 2,
        "Kultur/ikke svar": 2,
    }
    why = _range(report, "Kultur/ikke svar").facts
    assert set(why) == {"metode/svar-efter-type [Kultur]", "download/behov-efter-type [Kultur]"}


# --------------------------------------------------------------------------- (d) Netværksmøder

OTHER_MEETINGS = [(25, 30), (40, 45), (33, 41), (50, 52), (44, 50), (38, 47), (29, 35), (45, 48)]


def _meetings(with_alt_text: bool) -> Release:
    rel = Release()
    rel.add_table("moede-1", {"m1/positiv": None, "m1/ikke positiv": None})
    cells, positive = ["m1/positiv", "m1/ikke positiv"], ["m1/positiv"]
    if with_alt_text:  # the chart's alt text: "n = 42–44"
        rel.add_range("moede-1/figur-alt", cells[:2], 42, 44)
    for i, (pos, n) in enumerate(OTHER_MEETINGS, start=2):
        p, q = f"m{i}/positiv", f"m{i}/ikke positiv"
        rel.add_table(f"moede-{i}", {p: None, q: None}, margins={"n": ([p, q], n)})
        rel.add_share(f"moede-{i}/andel", [p], base=n, shown_pct=round(100 * pos / n))
        cells += [p, q]
        positive.append(p)
    total_pos = 41 + sum(p for p, _ in OTHER_MEETINGS)
    total = 43 + sum(n for _, n in OTHER_MEETINGS)
    rel.add_share("aar/andel-positiv", positive, cells, shown_pct=round(100 * total_pos / total))
    return rel


def test_d_yearly_share_alt_text_and_other_meetings_bound_a_meeting():
    report = _meetings(with_alt_text=True).audit(k=5)
    neg = _range(report, "m1/ikke positiv")
    assert neg.disclosed and neg.low <= 2 <= neg.high and neg.high - neg.low < 5
    assert {"moede-1/figur-alt", "aar/andel-positiv"} <= set(neg.facts)


def test_d_without_the_alt_text_the_meeting_is_protected():
    report = _meetings(with_alt_text=False).audit(k=5)
    neg = _range(report, "m1/ikke positiv")
    assert not neg.disclosed and neg.high - neg.low >= 5


# --------------------------------------------------------------------------- (e) medians


def test_e_median_over_an_odd_number_of_peers_is_one_peers_value():
    rel = Release()
    rel.add_order_statistic("feedback/medlemstal-median", "Patientforeninger", n=11, value=286)
    rel.add_order_statistic("feedback/medlemstal-median-2", "Idræt", n=12, value=140)
    rel.add_order_statistic("site/medlemstal-banded", "Kultur", n=9, value=300, exact=False)
    report = rel.audit(k=5)
    assert [o.id for o in report.order_statistics] == ["feedback/medlemstal-median"]
    assert not report.ok and "286" in report.explain()
    assert rel.audit(k=5, min_order_group=11).order_statistics == []
    assert len(rel.audit(k=5, min_order_group=12).order_statistics) == 1


# --------------------------------------------------------------------------- more shapes


def test_a_cell_hidden_in_one_output_and_printed_in_another_is_disclosed():
    rel = Release()
    rel.add_table(
        "download/behov-efter-type",
        {"Kultur/lokaler": None, "Kultur/andet": 9},
        margins={"Kultur": (["Kultur/lokaler", "Kultur/andet"], 9)},
    )
    assert _range(rel.audit(k=5), "Kultur/lokaler").disclosed  # 0 known from the total
    rel = Release()
    rel.add_table("download/behov-efter-type", {"Kultur/lokaler": None, "Kultur/andet": 12})
    rel.add_share("feedback/jeres-type", ["Kultur/lokaler"], base=7, shown_pct=0)
    found = _range(rel.audit(k=3), "Kultur/lokaler")
    assert (found.low, found.high) == (0, 0) and found.facts == ("feedback/jeres-type",)


def test_a_printed_wilson_interval_reveals_the_count():
    rel = Release()
    _distribution(rel, "t", {"ja": 3, "nej": 9, "ved ikke": 20}, {"ja", "nej"})
    lo, hi = wilson_interval(3, 32)
    rel.add_interval("t/ja-interval", ["t/ja"], 32, round(100 * lo), round(100 * hi))
    report = rel.audit(k=5)
    assert {r.cell: r.low for r in report.disclosed} == {"t/ja": 3, "t/nej": 9}


def test_a_difference_between_two_waves_combines():
    rel = Release()
    _distribution(rel, "2025", {"ja": 4, "nej": 30}, {"ja", "nej"})
    rel.add_difference("trend/ja", ["2027/ja"], ["2025/ja"], 6)
    rel.add_table("2027", {"2027/ja": 10, "2027/nej": 25})
    report = rel.audit(k=5)
    assert {r.cell: r.low for r in report.disclosed} == {"2025/ja": 4, "2025/nej": 30}


def test_a_protected_release_passes():
    rel = Release()
    counts = dict(zip(LIKERT, [2, 13, 20, 14, 3], strict=True))
    hidden = {"Meget tilfreds", "Meget utilfreds", "Hverken eller"}  # two primary, one secondary
    _distribution(rel, "kommune", counts, hidden)
    rel.add_share("indikator/kommune-tilfreds", ["kommune/Tilfreds"], base=52, shown_pct=25)
    rel.add_range("kommune/figur-alt", [f"kommune/{lab}" for lab in LIKERT], 50, 54)
    report = rel.audit(k=5)
    assert report.ok, report.explain()
    assert len(report.ranges) == 3 and all(r.high - r.low >= 5 for r in report.ranges)
    assert "No disclosure" in report.explain()


def test_the_top2_share_over_a_primary_cell_is_caught_even_with_three_hidden():
    rel = Release()
    counts = dict(zip(LIKERT, [2, 13, 20, 14, 3], strict=True))
    _distribution(rel, "kommune", counts, {"Meget tilfreds", "Meget utilfreds", "Utilfreds"})
    rel.add_share(
        "indikator/kommune",
        ["kommune/Meget tilfreds", "kommune/Tilfreds", "kommune/Utilfreds"],
        base=52,
        shown_pct=56,
    )
    report = rel.audit(k=5)  # everything but "Meget utilfreds" is in the share: 52 - 29 - 20
    assert [(r.cell, r.low) for r in report.disclosed] == [("kommune/Meget utilfreds", 3)]


def test_contradicting_facts_are_refused_with_their_names():
    rel = Release()
    rel.add_table("t", {"a": None, "b": 5}, margins={"I alt": (["a", "b"], 9)})
    rel.add_share("ind", ["a"], base=9, shown_pct=80)
    with pytest.raises(ValueError, match=r"contradict.*ind.*t \[I alt\]"):
        rel.audit(k=5)


def test_bad_input_is_refused():
    rel = Release()
    with pytest.raises(ValueError, match="non-negative integer"):
        rel.add_table("t", {"a": -1})
    with pytest.raises(ValueError, match="not in the table"):
        rel.add_table("t", {"a": 1}, hidden=["b"])
    with pytest.raises(ValueError, match="positive base"):
        rel.add_share("s", ["a"], base=0, shown_pct=0)
    with pytest.raises(ValueError, match="no count of 10"):
        rel.add_interval("ci", ["a"], 10, 1, 2)


# --------------------------------------------------------------------------- references


def test_wilson_matches_statsmodels_and_every_count_is_recovered():
    for base in (7, 32, 58, 113):
        for n in range(base + 1):
            ref = proportion_confint(n, base, alpha=0.05, method="wilson")
            assert wilson_interval(n, base) == pytest.approx(ref, abs=1e-12)
            lo, hi = wilson_interval(n, base)
            assert n in wilson_counts(base, round(100 * lo, 1), round(100 * hi, 1), decimals=1)
    lo, hi = wilson_interval(21, 58)  # 25,1 %-49,1 % printed: only 21 of 58 gives it
    assert wilson_counts(58, round(100 * lo, 1), round(100 * hi, 1), decimals=1) == [21]


def _brute_force(truth, hidden, row_of, col_of, share):
    """Every assignment of the hidden cells consistent with the printed table and share."""
    rows = {r: sum(v for c, v in truth.items() if row_of[c] == r) for r in set(row_of.values())}
    cols = {k: sum(v for c, v in truth.items() if col_of[c] == k) for k in set(col_of.values())}
    cells, total = {c: v for c, v in truth.items() if c not in hidden}, sum(truth.values())
    share_cells, base, shown = share
    ranges = {c: [] for c in hidden}
    for values in itertools.product(range(total + 1), repeat=len(hidden)):
        trial = {**cells, **dict(zip(hidden, values, strict=True))}
        if any(sum(v for c, v in trial.items() if row_of[c] == r) != s for r, s in rows.items()):
            continue
        if any(sum(v for c, v in trial.items() if col_of[c] == k) != s for k, s in cols.items()):
            continue
        if abs(Fraction(100 * sum(trial[c] for c in share_cells), base) - shown) > Fraction(1, 2):
            continue
        for c, v in zip(hidden, values, strict=True):
            ranges[c].append(v)
    return {c: (min(v), max(v)) for c, v in ranges.items()}


@pytest.mark.parametrize("seed", range(12))
def test_ilp_ranges_equal_brute_force_enumeration(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.choice([(2, 2), (2, 3), (3, 2), (3, 3)])
    cells = {f"r{i}c{j}": rng.randint(0, 6) for i in range(n_rows) for j in range(n_cols)}
    row_of = {c: c[:2] for c in cells}
    col_of = {c: c[2:] for c in cells}
    hidden = sorted(rng.sample(sorted(cells), rng.randint(2, 4)))
    total = sum(cells.values())
    share_cells = rng.sample(sorted(cells), 2)
    base = total + rng.randint(1, 5)  # an indicator's base beyond the table (other answers)
    shown = round(100 * sum(cells[c] for c in share_cells) / base)
    rel = Release()
    rel.add_table(
        "t",
        {c: (None if c in hidden else v) for c, v in cells.items()},
        margins={
            **{
                r: (
                    [c for c in cells if row_of[c] == r],
                    sum(cells[c] for c in cells if row_of[c] == r),
                )
                for r in set(row_of.values())
            },
            **{
                k: (
                    [c for c in cells if col_of[c] == k],
                    sum(cells[c] for c in cells if col_of[c] == k),
                )
                for k in set(col_of.values())
            },
        },
    )
    rel.add_share("ind", share_cells, base=base, shown_pct=shown)
    report = rel.audit(k=3)
    expected = _brute_force(cells, hidden, row_of, col_of, (share_cells, base, shown))
    got = {r.cell: (r.low, r.high) for r in report.ranges}
    assert got == expected
    assert {r.cell for r in report.disclosed} == {c for c, (a, b) in expected.items() if b - a < 3}


def test_a_release_of_two_thousand_cells_is_audited_component_by_component():
    rel = Release()
    rng = random.Random(7)
    truth = {}
    for t in range(200):
        counts = {f"t{t}/{j}": rng.randint(0, 30) for j in range(10)}
        truth.update(counts)
        hidden = set(rng.sample(sorted(counts), 2))
        rel.add_table(
            f"t{t}",
            {c: (None if c in hidden else v) for c, v in counts.items()},
            margins={"I alt": (list(counts), sum(counts.values()))},
        )
    report = rel.audit(k=5)
    assert len(report.ranges) == 400
    for r in report.ranges:  # two hidden cells and a total: each ranges over 0..their sum
        assert r.low <= truth[r.cell] <= r.high
        assert r.disclosed == (r.high - r.low < 5)


def test_a_fact_naming_no_cell_is_refused():
    with pytest.raises(ValueError, match="names no cell"):
        Release().add_sum("metode/tom", [], 0)
