"""Warm matplotlib up in the render engine's fork server (imported by it, see
``fslt_survey._render_host.PRELOAD``).

Importing this module draws one small chart in the house style and writes it as SVG to memory.
Every page kernel is forked from the server, so each starts with what the first chart of a
process otherwise pays for: the fonts loaded and measured, the text layout and the SVG writer
set up (about 0.15 s per page). Nothing is written to disk and no state a page could see is
changed (the figure is closed).
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd

from fslt_survey.plots._layout import BACKEND
from fslt_survey.plots.bars import plot_frequencies

__all__: list[str] = []


def _warm() -> None:
    freq = pd.DataFrame({
        "category": ["Ja", "Nej"], "n": [20, 30], "pct": [40.0, 60.0],
        "ci_low": [30.0, 50.0], "ci_high": [50.0, 70.0], "missing": [False, False],
    })
    chart = plot_frequencies(freq, title="Æøå − 12 %", source="Kilde", subtitle="n = 50")
    chart.fig.savefig(io.BytesIO(), format="svg", backend=BACKEND)
    plt.close(chart.fig)


_warm()
