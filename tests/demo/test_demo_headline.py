"""Headline statistics of the demo build, pinned: a silent shift in reading or cleaning fails.

For a dozen headline items of both surveys, in both waves, the base (associations or
participants who gave a substantive answer) and the count and share of every category, as the
published frequency tables compute them (:func:`fslt_survey.stats.tab_single` /
:func:`~fslt_survey.stats.tab_multi`, unweighted point estimates; the intervals are not pinned
here, so a change of interval method does not touch these numbers).

The numbers were written out by hand after an independent count in plain pandas on the raw demo
exports, restricted to the rows the cleaning keeps (which rows are kept, and why the others are
not, is pinned by the golden tests in ``tests/clean/test_clean.py`` and the planted cases in
``surveys/demo/README.md``). The count, for each kept ``(source, row)``::

    # SurveyXact dataset.csv (2025: cp1252 ";", 2027: UTF-16 tab), read as text:
    ds = pd.read_csv(path, sep=sep, encoding=enc, dtype=str, keep_default_na=False)
    rec = ds.iloc[row - 2]
    # single/likert: the label whose code is rec[item.sx]; "Ved ikke"/"Ikke relevant" and
    # blanks are not in the base
    # multi: the options whose column f"{item.sx}_{code}" holds "1"; in the base only when at
    # least one is ticked (an all-zero block is "Ikke besvaret")
    # Microsoft Forms xlsx: pd.read_excel(path, dtype=str); the cell under the question text,
    # compared to the labels case- and space-insensitively; multi-selects split on ";"

Both counts agreed on every number below (2026-12-04).
"""

from __future__ import annotations

import pytest

from fslt_survey import config, stats
from fslt_survey.clean import clean_directory
from fslt_survey.codebook import load_instrument
from tests.conftest import ROOT

#: (survey, item, wave): (base, counts per category in scale order, % per category)
HEADLINES = {
    ('medlemsundersoegelse', 'behov_rekruttering', 2025): (
        67, [39, 13, 12, 3],
        [58.2, 19.4, 17.9, 4.5]),
    ('medlemsundersoegelse', 'behov_rekruttering', 2027): (
        65, [40, 14, 7, 4],
        [61.5, 21.5, 10.8, 6.2]),
    ('medlemsundersoegelse', 'behov_fundraising', 2025): (
        65, [25, 18, 14, 8],
        [38.5, 27.7, 21.5, 12.3]),
    ('medlemsundersoegelse', 'behov_fundraising', 2027): (
        62, [24, 14, 14, 10],
        [38.7, 22.6, 22.6, 16.1]),
    ('medlemsundersoegelse', 'behov_lokaler', 2025): (
        62, [14, 16, 11, 21],
        [22.6, 25.8, 17.7, 33.9]),
    ('medlemsundersoegelse', 'behov_lokaler', 2027): (
        54, [13, 10, 14, 17],
        [24.1, 18.5, 25.9, 31.5]),
    ('medlemsundersoegelse', 'brug_tilbud', 2025): (
        43, [11, 11, 13, 7, 7, 10, 24, 0],
        [25.6, 25.6, 30.2, 16.3, 16.3, 23.3, 55.8, 0.0]),
    ('medlemsundersoegelse', 'brug_tilbud', 2027): (
        55, [10, 18, 18, 11, 14, 25, 34, 5],
        [18.2, 32.7, 32.7, 20.0, 25.5, 45.5, 61.8, 9.1]),
    ('medlemsundersoegelse', 'kendskab_tilbud', 2025): (
        68, [40, 44, 46, 31, 33, 37, 55, 20],
        [58.8, 64.7, 67.6, 45.6, 48.5, 54.4, 80.9, 29.4]),
    ('medlemsundersoegelse', 'kendskab_tilbud', 2027): (
        63, [48, 49, 50, 43, 55, 51, 58, 36],
        [76.2, 77.8, 79.4, 68.3, 87.3, 81.0, 92.1, 57.1]),
    ('medlemsundersoegelse', 'tilfreds_centret', 2025): (
        64, [18, 22, 13, 11, 0],
        [28.1, 34.4, 20.3, 17.2, 0.0]),
    ('medlemsundersoegelse', 'tilfreds_centret', 2027): (
        60, [22, 17, 13, 7, 1],
        [36.7, 28.3, 21.7, 11.7, 1.7]),
    ('medlemsundersoegelse', 'kommune_tilfreds', 2025): (
        56, [7, 15, 14, 13, 7],
        [12.5, 26.8, 25.0, 23.2, 12.5]),
    ('medlemsundersoegelse', 'kommune_tilfreds', 2027): (
        58, [8, 13, 21, 13, 3],
        [13.8, 22.4, 36.2, 22.4, 5.2]),
    ('medlemsundersoegelse', 'samarbejde_roller', 2025): (
        56, [9, 10, 10, 14, 13],
        [16.1, 17.9, 17.9, 25.0, 23.2]),
    ('medlemsundersoegelse', 'samarbejde_roller', 2027): (
        54, [14, 15, 10, 12, 3],
        [25.9, 27.8, 18.5, 22.2, 5.6]),
    ('medlemsundersoegelse', 'kommune_kontakt', 2025): (64, [27, 37], [42.2, 57.8]),
    ('medlemsundersoegelse', 'kommune_kontakt', 2027): (62, [33, 29], [53.2, 46.8]),
    ('medlemsundersoegelse', 'sh_driver', 2025): (68, [18, 50], [26.5, 73.5]),
    ('medlemsundersoegelse', 'sh_driver', 2027): (64, [24, 40], [37.5, 62.5]),
    ('medlemsundersoegelse', 'forum_temaer', 2025): (
        66, [32, 19, 27, 25, 21, 19, 17, 15],
        [48.5, 28.8, 40.9, 37.9, 31.8, 28.8, 25.8, 22.7]),
    ('medlemsundersoegelse', 'forum_temaer', 2027): (
        63, [33, 25, 19, 13, 12, 21, 26, 17],
        [52.4, 39.7, 30.2, 20.6, 19.0, 33.3, 41.3, 27.0]),
    ('medlemsundersoegelse', 'kompetencer', 2025): (
        59, [21, 20, 17, 22, 26, 20, 9, 14],
        [35.6, 33.9, 28.8, 37.3, 44.1, 33.9, 15.3, 23.7]),
    ('medlemsundersoegelse', 'kompetencer', 2027): (
        56, [20, 20, 17, 22, 22, 20, 6, 11],
        [35.7, 35.7, 30.4, 39.3, 39.3, 35.7, 10.7, 19.6]),
    ('moedeevaluering', 'udbytte', 2025): (43, [20, 16, 6, 1], [46.5, 37.2, 14.0, 2.3]),
    ('moedeevaluering', 'udbytte', 2026): (24, [8, 8, 5, 3], [33.3, 33.3, 20.8, 12.5]),
    ('moedeevaluering', 'deltage_igen', 2025): (43, [43, 0, 0], [100.0, 0.0, 0.0]),
    ('moedeevaluering', 'deltage_igen', 2026): (24, [17, 5, 2], [70.8, 20.8, 8.3]),
    ('moedeevaluering', 'naeste_temaer', 2025): (
        43, [13, 15, 12, 5, 8, 12, 19, 17],
        [30.2, 34.9, 27.9, 11.6, 18.6, 27.9, 44.2, 39.5]),
    ('moedeevaluering', 'naeste_temaer', 2026): (
        21, [7, 7, 4, 6, 9, 8, 7, 4],
        [33.3, 33.3, 19.0, 28.6, 42.9, 38.1, 33.3, 19.0]),
}


@pytest.fixture(scope="module")
def demo(registry):
    out = {}
    for survey in ("medlemsundersoegelse", "moedeevaluering"):
        instrument = load_instrument(ROOT / "surveys" / survey / "instrument.yml")
        data = clean_directory(instrument, config.DEMO_DIR / survey, registry).data
        out[survey] = (instrument, data)
    return out


def test_the_demo_has_the_waves_and_sizes_the_headlines_assume(demo):
    _, member = demo["medlemsundersoegelse"]
    _, evaluation = demo["moedeevaluering"]
    assert member.groupby("wave").size().to_dict() == {2025: 70, 2027: 65}
    assert evaluation.groupby("wave").size().to_dict() == {2025: 44, 2026: 24}


@pytest.mark.parametrize("key", list(HEADLINES), ids=lambda k: f"{k[1]}-{k[2]}")
def test_headline_bases_counts_and_shares(demo, key):
    survey, item_id, wave = key
    base, counts, pcts = HEADLINES[key]
    instrument, data = demo[survey]
    item = instrument.item(item_id)
    rows = data[data["wave"] == wave]
    tab = stats.tab_multi if item.type == "multi" else stats.tab_single
    table = tab(rows, item)
    table = table[~table["missing"]]
    assert table["category"].tolist() == [lab.label for lab in item.scale.substantive]
    assert set(table["base"]) == {base}
    assert table["n"].tolist() == counts
    assert table["pct"].tolist() == pytest.approx(pcts, abs=0.05)
