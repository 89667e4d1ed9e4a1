"""The charts' own layout (``fslt_survey.plots._layout``, issue 20): laid out once when built,
written in one drawing pass, with the SVG writer's own text metrics."""

from __future__ import annotations

import io
import os

import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from fslt_survey.plots import _layout
from tests.plots.test_plots import BUILDERS


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_chart_is_written_in_one_drawing_pass(kind, tmp_path, monkeypatch):
    """No layout engine is left to run at save time: saving draws the figure once (with
    matplotlib's constrained layout it drew it twice and measured every text three times)."""
    chart = BUILDERS[kind]()
    assert chart.fig.get_layout_engine() is None
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(r) or real(self, r))
    chart.save(tmp_path / kind)
    assert len(draws) == 1
    assert (tmp_path / f"{kind}.svg").read_text(encoding="utf-8").startswith("<")


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_axes_fill_the_body_between_the_frame_texts(kind):
    """The axes and everything they draw lie inside the body; the body is used (the data area
    reaches to within the padding of its right edge, and the left-most decoration to within
    the padding of its left edge)."""
    chart = BUILDERS[kind]()
    fig = chart.fig
    (x0, y0, x1, y1), w_pad, h_pad = _layout._BODIES[fig]
    width, height = fig.get_size_inches() * 72
    renderer = _layout._Renderer(width, height, io.StringIO())
    dpi, fig.dpi = fig.dpi, 72
    try:
        boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
        inner = [ax.get_window_extent(renderer) for ax in fig.axes]
    finally:
        fig.dpi = dpi
    tol = 0.6
    assert min(b.x0 for b in boxes) >= x0 * 72 + w_pad * 72 - tol
    assert min(b.x0 for b in boxes) <= x0 * 72 + w_pad * 72 + tol
    assert max(b.x1 for b in boxes) <= x1 * 72 - w_pad * 72 + tol
    assert min(b.y0 for b in boxes) >= y0 * 72 + h_pad * 72 - tol
    assert max(b.y1 for b in boxes) <= y1 * 72 - h_pad * 72 + tol
    assert max(b.x1 for b in inner) >= x1 * 72 - 60  # the data area takes the width left


def test_a_figure_without_a_body_is_left_alone():
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    before = ax.get_position().bounds
    _layout.place_axes(fig)
    assert ax.get_position().bounds == before


def test_text_metrics_are_the_svg_writers_and_remembered():
    prop = FontProperties(family="DejaVu Sans", size=9)
    text = "Rekruttering af nye frivillige (n\u00a0=\u00a049)"
    assert _layout.text_metrics(text, prop, False) == TextToPath().get_text_width_height_descent(
        text, prop, False
    )
    assert (text, _layout._font_key(prop), False) in _layout._METRICS
    bigger = FontProperties(family="DejaVu Sans", size=12.5)  # a phone's size: same entry
    before = len(_layout._METRICS)
    assert _layout.text_metrics(text, bigger, False) == TextToPath().get_text_width_height_descent(
        text, bigger, False
    )
    assert len(_layout._METRICS) == before
    bold = FontProperties(family="DejaVu Sans", size=9, weight="bold")
    assert _layout.text_metrics(text, bold, False)[0] > _layout.text_metrics(text, prop, False)[0]


def test_place_axes_follows_the_grid_width_ratios():
    """The Likert chart's 'Ved ikke' panel keeps its sixth of the room beside the bars."""
    chart = BUILDERS["likert"]()
    main, side = chart.fig.axes
    assert side.get_position().x0 > main.get_position().x1
    ratio = main.get_position().width / side.get_position().width
    assert ratio == pytest.approx(6, rel=0.01)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_opens_its_own_font_file():
    """The render's kernels are forked from a server that has measured text: a font object
    inherited through the fork shares its open file (and read position) with the siblings, and
    two kernels loading glyphs at once read each other's bytes ("invalid outline"). A forked
    process starts without the parent's font objects, ours and matplotlib's."""
    from matplotlib import font_manager

    from fslt_survey.plots import _text

    _text.text_width("Æøå", 10)  # the parent has its font objects
    font_manager.get_font(font_manager.findfont("DejaVu Sans"))
    assert _text._font.cache_info().currsize >= 1
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        ours, theirs = _text._font.cache_info(), font_manager._get_font.cache_info()
        ok = ours.currsize == 0 and theirs.currsize == 0
        ok = ok and _text.text_width("Æøå", 10) > 0  # and measures with a font of its own
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
