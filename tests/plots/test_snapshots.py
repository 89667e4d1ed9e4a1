"""Every chart type rendered for a fixed input, compared with a stored snapshot.

The snapshot (``snapshots/<kind>.json``) records each text element of the figure in drawing
order (text, position, colour, size, weight, alignment), each bar/patch (colour and extent) and
line (colour and data), the alt text, and the SHA-256 of the saved SVG. A refactoring of
``fslt_survey.plots`` must leave all of it unchanged; the SVG hash is compared only under the
matplotlib version that wrote the snapshot (other versions may serialise the same figure
differently).

After an intended change of a chart, rewrite the snapshots with
``FSLT_UPDATE_SNAPSHOTS=1 pytest tests/plots/test_snapshots.py`` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from tests.plots.test_plots import (
    BUILDERS,
    GRAD,
    SOURCE,
    freq_table,
    heatmap_table,
    likert_table,
    plot_dumbbell,
    plot_frequencies,
    plot_likert,
    plot_needs_heatmap,
    plot_ranked_needs,
    ranking_table,
    wave_table,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("FSLT_UPDATE_SNAPSHOTS") == "1"

CASES = {
    **BUILDERS,
    # a 4-point scale without a neutral centre, and a battery without typed missing
    "likert_grad": lambda: plot_likert(likert_table(GRAD), title="Grad", source=SOURCE),
    "likert_no_missing": lambda: plot_likert(
        likert_table(missing=False, items=4), title="Uden ved ikke", source=SOURCE
    ),
    # hidden values: a suppressed Likert item, a need and a wave without numbers
    "likert_suppressed": lambda: plot_likert(
        likert_table().assign(suppressed=lambda t: t["item"] == "u1"), title="S", source=SOURCE
    ),
    "ranked_suppressed": lambda: plot_ranked_needs(
        ranking_table().assign(pct=[41.0, np.nan, 14.5, 5.2]), title="S", source=SOURCE
    ),
    "dumbbell_gap": lambda: plot_dumbbell(
        wave_table().assign(pct_from=[40.0, np.nan, 20.0], pct_to=[55.0, np.nan, 21.0]),
        title="Huller",
        source=SOURCE,
        adjustment=None,
    ),
    # sorted frequencies without the grey rows; a heat map of needs without a total column
    "frequencies_sorted": lambda: plot_frequencies(
        freq_table(), title="Sorteret", source=SOURCE, sort=True, show_missing=False
    ),
    "heatmap_no_total": lambda: plot_needs_heatmap(
        heatmap_pct_only(), title="Uden i alt", source=SOURCE, by="assoc_type"
    ),
}


def heatmap_pct_only():
    t = heatmap_table()
    return t[t["assoc_type"] != "I alt"].drop(columns=["base"])


def _r(values) -> list[float]:
    return [round(float(v), 1) for v in values]


def _colour(c) -> str | None:
    try:
        return to_hex(c, keep_alpha=True)
    except (ValueError, TypeError):
        return None


def structure(fig) -> dict[str, list]:
    """The figure's visible texts, patches and lines in drawing order, in display units."""
    fig.canvas.draw()
    texts, patches, lines = [], [], []
    for artist in fig.findobj(include_self=False):
        if not artist.get_visible():
            continue
        if isinstance(artist, Text) and artist.get_text():
            texts.append([
                artist.get_text(), _r(artist.get_window_extent().bounds),
                _colour(artist.get_color()), artist.get_fontsize(),
                str(artist.get_fontweight()), artist.get_ha(), artist.get_va(),
            ])
        elif isinstance(artist, Patch):
            patches.append([
                type(artist).__name__, _colour(artist.get_facecolor()),
                _colour(artist.get_edgecolor()), artist.get_hatch(),
                _r(artist.get_window_extent().bounds),
            ])
        elif isinstance(artist, Line2D):
            lines.append([_colour(artist.get_color()), artist.get_marker() or "",
                          _r(artist.get_xydata().ravel()[:40])])
    return {"texts": texts, "patches": patches, "lines": lines}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_chart_matches_snapshot(kind, tmp_path):
    chart = CASES[kind]()
    svg = chart.save(tmp_path / kind, formats=("svg",))[0].read_bytes()
    got = {
        "matplotlib": matplotlib.__version__,
        "svg_sha256": hashlib.sha256(svg).hexdigest(),
        "alt": chart.alt,
        **structure(chart.fig),
    }
    got = json.loads(json.dumps(got))  # tuples -> lists, as stored
    path = SNAPSHOTS / f"{kind}.json"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["alt"] == want["alt"]
    for part in ("texts", "patches", "lines"):
        assert len(got[part]) == len(want[part]), part
        for i, (g, w) in enumerate(zip(got[part], want[part], strict=True)):
            assert g == w, f"{part}[{i}]"
    if want["matplotlib"] == matplotlib.__version__:
        assert got["svg_sha256"] == want["svg_sha256"]
