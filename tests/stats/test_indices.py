"""Tests of fslt_survey.stats.indices: 0-100 item scores, additive indices and Cronbach's alpha."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from fslt_survey.codebook import Instrument, parse_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.indices import cronbach_alpha, item_scores, scale_index

GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return parse_instrument(
        {
            "instrument": "indekstest",
            "title": "Indeks",
            "kind": "member",
            "scales": {
                "grad": {
                    "ordered": True,
                    "labels": [
                        *({"code": i + 1, "label": lab} for i, lab in enumerate(GRAD)),
                        {"code": 9, "label": "Ved ikke", "missing": True},
                    ],
                },
                "janej": {
                    "ordered": False,
                    "labels": [{"code": 1, "label": "Ja"}, {"code": 2, "label": "Nej"}],
                },
            },
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "items": [
                        {
                            "id": "a",
                            "text": "A?",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "b",
                        },
                        {
                            "id": "b",
                            "text": "B?",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "b",
                        },
                        {
                            "id": "c",
                            "text": "C?",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "b",
                        },
                        {"id": "d", "text": "D?", "type": "single", "scale": "janej"},
                    ],
                }
            ],
        }
    )


def frame(columns: dict[str, list[int | str | None]]) -> pd.DataFrame:
    """Clean likert columns from points 3..0 (3 = "I høj grad"), "Ved ikke" or None."""
    out: dict[str, object] = {
        "response_id": [f"r{i}" for i in range(len(next(iter(columns.values()))))]
    }
    for item, values in columns.items():
        labels = [GRAD[3 - v] if isinstance(v, int) else None for v in values]
        out[item] = pd.Categorical(labels, categories=GRAD, ordered=True)
        out[f"{item}__missing"] = pd.Categorical(
            [v if isinstance(v, str) else None for v in values], categories=["Ved ikke"]
        )
    return pd.DataFrame(out)


def hand_alpha(rows: list[list[int]]) -> Fraction:
    """Cronbach's alpha in exact arithmetic, straight from the definition (ddof 1)."""
    k, n = len(rows[0]), len(rows)

    def var(xs: list[Fraction]) -> Fraction:
        m = sum(xs, Fraction(0)) / len(xs)
        return sum(((x - m) ** 2 for x in xs), Fraction(0)) / (len(xs) - 1)

    items = [var([Fraction(r[j]) for r in rows]) for j in range(k)]
    total = var([Fraction(sum(r)) for r in rows])
    assert n >= 2
    return Fraction(k, k - 1) * (1 - sum(items, Fraction(0)) / total)


def test_item_scores_on_0_100(inst) -> None:
    df = frame({"a": [3, 2, 1, 0, "Ved ikke", None]})
    s = item_scores(df, [inst.item("a")])
    assert s["a"].iloc[:4].tolist() == pytest.approx([100, 200 / 3, 100 / 3, 0])
    assert s["a"].iloc[4:].isna().all()  # typed missing is never scored
    r = item_scores(df, [inst.item("a")], reverse=["a"])
    assert r["a"].iloc[:4].tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])


def test_scale_index_min_share_and_reverse(inst) -> None:
    df = frame({"a": [3, 3, 0, "Ved ikke"], "b": [1, None, 0, "Ved ikke"], "c": [None, None, 0, 2]})
    out = scale_index(df, inst.battery("b"), name="kapacitet")
    assert list(out.columns) == ["response_id", "kapacitet", "kapacitet__n_items"]
    assert out["kapacitet__n_items"].tolist() == [2, 1, 3, 1]
    # row 0: (100 + 33.3) / 2; row 1 and 3 answer 1 of 3 < half -> NA; row 2: 0
    assert out["kapacitet"].iloc[0] == pytest.approx(200 / 3)
    assert pd.isna(out["kapacitet"].iloc[1]) and pd.isna(out["kapacitet"].iloc[3])
    assert out["kapacitet"].iloc[2] == 0
    rev = scale_index(df, inst.battery("b"), name="k", reverse=["b"])
    assert rev["k"].iloc[0] == pytest.approx((100 + 200 / 3) / 2)
    loose = scale_index(df, inst.battery("b"), name="k", min_share=0.3)
    assert loose["k"].iloc[1] == pytest.approx(100)
    assert out.index.equals(df.index)


def test_cronbach_alpha_hand_computed(inst) -> None:
    # Hand computation (points 3..0): A = 3,2,1,0,2  B = 3,2,0,1,2  C = 2,2,1,0,3.
    # Item variances 1.3 each (sum 3.9); totals 8,6,2,1,7 have variance 9.7;
    # alpha = 3/2 * (1 - 3.9/9.7) = 87/97 = 0.8969...  The sixth respondent lacks C (listwise).
    rows = [[3, 3, 2], [2, 2, 2], [1, 0, 1], [0, 1, 0], [2, 2, 3]]
    assert hand_alpha(rows) == Fraction(87, 97)
    df = frame({"a": [3, 2, 1, 0, 2, 3], "b": [3, 2, 0, 1, 2, 3], "c": [2, 2, 1, 0, 3, "Ved ikke"]})
    res = cronbach_alpha(df, inst.battery("b"))
    assert list(res.columns) == ["items", "n_items", "n", "n_excluded", "alpha"]
    row = res.iloc[0]
    assert row["items"] == "a, b, c"
    assert (row["n_items"], row["n"], row["n_excluded"]) == (3, 5, 1)
    assert row["alpha"] == pytest.approx(87 / 97, abs=1e-12)


def test_cronbach_alpha_random_against_exact(inst) -> None:
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 4, size=(15, 3)).tolist()
    df = frame({name: [r[j] for r in rows] for j, name in enumerate("abc")})
    res = cronbach_alpha(df, inst.battery("b"))
    assert res["alpha"].iloc[0] == pytest.approx(float(hand_alpha(rows)), abs=1e-12)


def test_cronbach_alpha_degenerate(inst) -> None:
    df = frame({"a": [3, 3], "b": [3, 3], "c": [3, "Ved ikke"]})
    res = cronbach_alpha(df, inst.battery("b"))
    assert res["n"].iloc[0] == 1 and np.isnan(res["alpha"].iloc[0])


def test_index_errors(inst) -> None:
    df = frame({"a": [3], "b": [2], "c": [1]})
    df["d"] = pd.Categorical(["Ja"], categories=["Ja", "Nej"])
    with pytest.raises(SurveyDataError, match="ordered"):
        scale_index(df, [inst.item("a"), inst.item("d")], name="x")
    with pytest.raises(SurveyDataError, match="reverse"):
        scale_index(df, inst.battery("b"), name="x", reverse=["zz"])
    with pytest.raises(SurveyDataError, match="min_share"):
        scale_index(df, inst.battery("b"), name="x", min_share=0)
    with pytest.raises(SurveyDataError, match="not in the data"):
        cronbach_alpha(df.drop(columns="c"), inst.battery("b"))


def test_indices_do_not_mutate(inst) -> None:
    df = frame({"a": [3, 2, 1], "b": [1, None, 0], "c": [0, 2, "Ved ikke"]})
    before, dtypes = df.copy(deep=True), df.dtypes.copy()
    for out in (
        scale_index(df, inst.battery("b"), name="x", reverse=["b"]),
        cronbach_alpha(df, inst.battery("b")),
        item_scores(df, inst.battery("b")),
    ):
        assert out is not df
    assert df.equals(before) and df.dtypes.equals(dtypes)


def test_cronbach_alpha_at_its_minimum_size_and_without_variance(inst) -> None:
    """Two items and two complete respondents are enough for alpha; one item, one respondent or
    no total variance give NA."""
    two = frame({"a": [3, 0, None], "b": [2, 0, 1]})
    out = cronbach_alpha(two, [inst.item("a"), inst.item("b")]).iloc[0]
    assert (out["n_items"], out["n"], out["n_excluded"]) == (2, 2, 1)
    assert out["alpha"] == pytest.approx(float(hand_alpha([[3, 2], [0, 0]])))
    assert out["alpha"] == pytest.approx(24 / 25)  # item vars 4.5, 2; total var 12.5
    assert pd.isna(cronbach_alpha(two, [inst.item("a")]).iloc[0]["alpha"])
    assert pd.isna(cronbach_alpha(frame({"a": [3, None], "b": [2, 1]}),
                                  [inst.item("a"), inst.item("b")]).iloc[0]["alpha"])
    flat = frame({"a": [2, 2, 2], "b": [1, 1, 1]})
    assert pd.isna(cronbach_alpha(flat, [inst.item("a"), inst.item("b")]).iloc[0]["alpha"])


def test_scale_index_min_share_bounds(inst) -> None:
    """``min_share`` is a share in (0, 1]: 1 needs every item; 0 and above 1 are refused."""
    df = frame({"a": [3, 3], "b": [1, None], "c": [0, 0]})
    full = scale_index(df, inst.battery("b"), name="k", min_share=1)
    assert full["k"].iloc[0] == pytest.approx((100 + 100 / 3 + 0) / 3) and pd.isna(
        full["k"].iloc[1])
    for bad in (0, 1.5, 2):
        with pytest.raises(SurveyDataError, match=r"min_share must be in \(0, 1\]"):
            scale_index(df, inst.battery("b"), name="k", min_share=bad)
