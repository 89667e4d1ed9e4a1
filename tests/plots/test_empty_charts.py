"""No empty chart is published (issue 18): a chart whose every value is hidden is replaced by a
sentence, and a chart with numbers is still drawn and saved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fslt_survey import publish, stats
from fslt_survey.plots import plot_frequencies, plot_likert, plot_ranked_needs

SOURCE = "Kilde: test"


@pytest.fixture(scope="module")
def latest(site_render, site_project):
    """The demo's clean 2027 answers (cleaned once per session by the site build)."""
    data = pd.read_parquet(site_project / "build" / "clean" / "medlemsundersoegelse.parquet")
    return data[data["wave"] == 2027]


def _all_hidden(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in ("n", "pct", "ci_low", "ci_high"):
        if col in out:
            out[col] = np.nan
    out["suppressed"] = True
    return out


def test_a_distribution_with_every_value_hidden_is_a_sentence(member_instrument, latest, tmp_path):
    table = publish.suppress(stats.tab_single(latest, member_instrument.item("kommune_tilfreds")))
    shown = plot_frequencies(table, title="Tilfredshed", source=SOURCE)
    hidden = plot_frequencies(_all_hidden(table), title="Tilfredshed", source=SOURCE)
    assert not shown.empty and hidden.empty
    text = publish.figure(hidden, "tom", caption="Tilfredshed med samarbejdet", folder=tmp_path)
    assert text.startswith("*Tilfredshed med samarbejdet: figuren vises ikke")
    assert list(tmp_path.iterdir()) == []  # nothing saved
    image = publish.figure(shown, "fuld", caption="Tilfredshed med samarbejdet", folder=tmp_path)
    assert "![" in image and (tmp_path / "fuld.svg").is_file()


def test_a_likert_battery_and_a_ranking_with_all_hidden_are_empty(member_instrument, latest):
    its = member_instrument.battery("behov")
    dist = stats.tab_likert(latest, its)
    assert not plot_likert(publish.suppress(dist), title="Behov", source=SOURCE).empty
    assert plot_likert(_all_hidden(dist), title="Behov", source=SOURCE).empty
    ranking = publish.suppress_ranking(stats.rank_needs(latest, its))
    assert not plot_ranked_needs(ranking, title="Behov", source=SOURCE).empty
    assert plot_ranked_needs(_all_hidden(ranking), title="Behov", source=SOURCE).empty
