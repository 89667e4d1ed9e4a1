"""The findings layer (issue 17): measures named by their answers, design-based levels and
changes with FPC, one BH verdict per declared family, the findings table, publication settings.

References: the FPC variance of the partially overlapping change is checked at its two exact
limits against the design object (itself checked against samplics in test_design.py) and
against the textbook SRSWOR variance of a mean difference; BH against statsmodels.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from fslt_survey import stats
from fslt_survey.errors import ConfigError
from fslt_survey.pipeline import clean_survey
from fslt_survey.project import load_project, publication
from fslt_survey.publish.findings import FINDING_COLUMNS, Findings
from fslt_survey.publish.measures import join_answers, measure_for, parts_sentence

DEGREE = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]


@pytest.fixture(scope="module")
def demo_data() -> pd.DataFrame:
    return clean_survey("medlemsundersoegelse", demo=True).data


@pytest.fixture(scope="module")
def findings(demo_data, member_instrument, registry) -> Findings:
    return Findings(demo_data, member_instrument, population=len(registry))


# --------------------------------------------------------------------------- measures


def test_measure_names_say_which_answers_count() -> None:
    assert measure_for(DEGREE, ["I høj grad"], ordered=True).name == "andel i høj grad"
    assert measure_for(DEGREE, ordered=True).name == "andel i høj eller nogen grad"
    assert measure_for(["Ja", "Nej", "Måske"], ["Ja", "Måske"]).name == "andel ja eller måske"
    enig = ["Helt enig", "Overvejende enig", "Hverken enig eller uenig", "Helt uenig"]
    assert measure_for(enig, ordered=True).name == "andel helt eller overvejende enig"
    assert measure_for(DEGREE, ordered=True).key == "top2"
    assert measure_for(DEGREE, ["I høj grad"], ordered=True).key == "top1"
    assert join_answers(["Meget tilfreds", "Tilfreds"]) == "meget tilfreds eller tilfreds"


def test_a_share_of_two_answers_is_told_answer_by_answer() -> None:
    text = parts_sentence([("Ja", 35.2), ("Måske", 34.8)])
    assert text.replace("\xa0", " ") == "35 % svarer ja og 35 % måske"


# --------------------------------------------------------------------------- FPC change


def test_overlap_fpc_without_pairs_is_the_sum_of_the_design_variances() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 2, 60).astype(float), rng.integers(0, 2, 55).astype(float)
    big_n = 90
    res = stats.overlap_share_test(a, b, None, fraction=(60 / big_n, 55 / big_n))
    va = stats.svydesign(pd.DataFrame({"y": a}), population=big_n).share(a).se ** 2
    vb = stats.svydesign(pd.DataFrame({"y": b}), population=big_n).share(b).se ** 2
    # the design uses n/(n-1) s^2 (the unbiased variance); Derrick et al. use p(1-p)
    expected = va * 59 / 60 + vb * 54 / 55
    assert res.se**2 == pytest.approx(expected, rel=1e-12)


def test_overlap_fpc_for_a_full_panel_is_the_srswor_variance_of_the_differences() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(50, 10, 40)
    y = x + rng.normal(3, 4, 40)
    pairs = np.column_stack([np.arange(40), np.arange(40)])
    f = 40 / 70
    res = stats.overlap_t_test(x, y, pairs, fraction=(f, f))
    d = y - x
    assert res.se**2 == pytest.approx((1 - f) * d.var(ddof=1) / 40, rel=1e-12)
    assert res.diff == pytest.approx(d.mean())


# --------------------------------------------------------------------------- findings


def test_a_share_is_the_design_share_with_fpc(findings, demo_data, registry) -> None:
    f = findings.share("samarbejde_roller", wave=2027)
    d = demo_data.loc[demo_data["wave"] == 2027].reset_index(drop=True)
    y = d["samarbejde_roller"].astype(object)
    hit = np.where(y.isna(), np.nan, y.isin(["Helt enig", "Overvejende enig"]).astype(float))
    ref = stats.svydesign(d, population=float(len(registry))).share(hit)
    assert f.estimate == pytest.approx(100 * ref.estimate)
    assert (f.ci_low, f.ci_high) == pytest.approx((100 * ref.ci_low, 100 * ref.ci_high))
    assert f.base == int((~np.isnan(hit)).sum()) and f.n == int(np.nansum(hit))
    no_fpc = stats.wilson_ci(f.n, f.base)
    assert f.ci_high - f.ci_low < 100 * (no_fpc[1] - no_fpc[0])  # the FPC narrows it
    assert f.id == "samarbejde_roller.top2.2027"
    assert f.measure.name == "andel helt eller overvejende enig"


def test_change_verdicts_are_bh_within_the_declared_family(findings) -> None:
    family = findings.declared()["mål 2"]
    ids = [findings._spec_id(s) for s in family]
    changes = [findings.get(i) for i in ids]
    shown = [c for c in changes if c.shown]
    p = np.array([c.p for c in shown])
    reject, p_adj, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    for c, r, q in zip(shown, reject, p_adj, strict=True):
        assert c.p_adj == pytest.approx(q)
        assert c.significant == bool(r)
    roles = findings.change("samarbejde_roller")
    assert roles.family == "mål 2" and roles.id in ids


def test_the_same_change_asked_twice_is_the_same_finding(findings) -> None:
    a = findings.change("samarbejde_roller", ["Helt enig", "Overvejende enig"])
    b = findings.get("samarbejde_roller.top2.2025-2027")
    assert a == b and a.text() == b.text()


def test_an_items_distribution_is_computed_once_and_is_the_one_its_findings_use(
    findings, demo_data
) -> None:
    """Issue 20: the Data page takes the distribution the findings were judged on
    (``Findings.distribution``) instead of computing it again; it is the suppression of the
    wave's frequency table, and a hidden share's cell is hidden in it."""
    from fslt_survey.publish import suppress

    item = findings.instrument.item("behov_fundraising")
    wave = findings.waves[-1]
    raw, sup = findings.distribution(item, wave)
    assert findings.distribution("behov_fundraising", wave)[1] is sup  # computed once
    expected = stats.tab_single(demo_data[demo_data["wave"] == wave], item)
    pd.testing.assert_frame_equal(raw, expected)
    pd.testing.assert_frame_equal(sup, suppress(expected, k=findings.k))
    for label in [lab.label for lab in item.scale.substantive]:
        f = findings.share(item, [label], wave)
        cell = sup[~sup["missing"].astype(bool) & (sup["category"].astype(str) == label)]
        assert bool(cell["suppressed"].iloc[0]) == (not f.shown) or f.base < findings.k


def test_a_hidden_share_gives_its_true_reason(findings) -> None:
    hidden = [f for f in findings._catalogue() if f.status == "skjult" and f.kind == "share"]
    assert hidden
    for f in hidden:
        assert f.text() == ".."
        assert f.reason and ("færre end" in f.reason or "skjult tal" in f.reason)
        assert "under 5 foreninger" not in f.reason
        if f.base >= findings.k:
            assert "har svaret på spørgsmålet" not in f.reason


def test_the_findings_table_is_byte_identical_from_the_same_data(
    demo_data, member_instrument, registry
) -> None:
    one = Findings(demo_data, member_instrument, population=len(registry)).table()
    two = Findings(demo_data.copy(), member_instrument, population=len(registry)).table()
    assert list(one.columns) == FINDING_COLUMNS
    assert one.to_csv(index=False).encode() == two.to_csv(index=False).encode()
    assert one["id"].is_unique and len(one) > 100


# --------------------------------------------------------------------------- settings


def _project(tmp_path, section: str):
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: website\nfslt-survey:\n" + textwrap.indent(section, "  "),
        encoding="utf-8",
    )
    return load_project(tmp_path)


def test_publication_settings_come_from_the_declaration(tmp_path) -> None:
    p = _project(
        tmp_path,
        "confidence: 0.9\nk: 4\nsurveys:\n  - name: medlemsundersoegelse\n    k: 3\n"
        "  - name: moedeevaluering\n    unit: deltager\n",
    )
    assert publication("medlemsundersoegelse", p).k == 3
    assert publication("moedeevaluering", p).k == 4
    assert publication("moedeevaluering", p).confidence == 0.9
    default = _project(tmp_path, "demo: false\n")
    assert publication("medlemsundersoegelse", default).confidence == 0.95
    # undeclared, k follows the unit: organisations 3 (business statistics' rule), persons
    # (meeting evaluations) 5
    member, person = (publication(s, default) for s in ("medlemsundersoegelse", "moedeevaluering"))
    assert (member.unit, member.k) == ("forening", 3)
    assert (person.unit, person.k) == ("deltager", 5)


def test_the_unit_decides_the_default_policy(tmp_path) -> None:
    """Issue 18: associations are protected like business statistics (k = 3, groups of at
    least 5), persons keep k = 5; a survey's own or the section's declaration wins."""
    default = _project(tmp_path, "demo: false\n")
    member = publication("medlemsundersoegelse", default)
    meeting = publication("moedeevaluering", default)
    assert (member.unit, member.k, member.min_group) == ("forening", 3, 5)
    assert (meeting.unit, meeting.k, meeting.min_group) == ("deltager", 5, 5)
    p = _project(
        tmp_path,
        "min_group: 8\nsurveys:\n  - name: medlemsundersoegelse\n    min_group: 6\n"
        "  - name: frivillige\n    unit: frivillig\n",
    )
    assert publication("medlemsundersoegelse", p).min_group == 6
    assert (publication("frivillige", p).k, publication("frivillige", p).min_group) == (5, 8)


@pytest.mark.parametrize(
    "section", ["confidence: 95\n", "k: 0\n", "k: true\n", "min_group: 2.5\n"]
)
def test_bad_publication_settings_are_refused(tmp_path, section) -> None:
    with pytest.raises(ConfigError, match=r"confidence|k must|min_group must"):
        _project(tmp_path, section)


def test_a_declared_confidence_level_widens_the_interval(demo_data, member_instrument, registry):
    f95 = Findings(demo_data, member_instrument, population=len(registry), conf=0.95)
    f99 = Findings(demo_data, member_instrument, population=len(registry), conf=0.99)
    a, b = f95.share("samarbejde_roller"), f99.share("samarbejde_roller")
    assert a.estimate == b.estimate and b.ci_high - b.ci_low > a.ci_high - a.ci_low
    assert not math.isnan(a.ci_low)


def test_explain_traces_a_finding_to_its_raw_rows(findings) -> None:
    from fslt_survey.errors import SurveyDataError
    from fslt_survey.publish.explain import explain

    f = findings.change("samarbejde_roller")
    text = explain(findings, f.id)
    assert f"finding   {f.id}" in text and "family 'mål 2'" in text
    assert "andel helt eller overvejende enig" in text
    rows = [ln for ln in text.splitlines() if "dataset.csv" in ln or ".xlsx" in ln]
    base = f.before.base + f.after.base  # every row in the base of either wave, with its file
    assert len(rows) == base
    counted = sum(int(ln.split()[-1]) for ln in rows)
    assert counted == f.before.n + f.after.n
    with pytest.raises(SurveyDataError, match="no finding"):
        explain(findings, "samarbejde_roller.nope.2027")
