"""The charts' own layout, and an SVG writer that draws a chart once.

Matplotlib's constrained layout runs when a figure is saved: the figure is drawn once without
output to lay it out and once more to write it, each time with a new renderer that measures
every text again. That was two thirds of the time a page spent saving its charts (issue 20).

A chart made by a ``plot_*`` function has a fixed frame (``style._figure``): title, subtitle
and legend above, notes and source below, and between them a *body* holding one row of axes.
:func:`place_axes` lays that row out once, when the chart is built: each axes' decorations
(tick labels, axis label and title, and every text or marker drawn outside its data area) are
measured by matplotlib's own ``Axes.get_tightbbox``, with the text metrics the SVG writer uses,
and the axes get the rest of the body, split by the grid's width ratios, with a fixed padding
around each. The figure then has no layout engine, so ``savefig`` draws it once.

:class:`FigureCanvas` is matplotlib's SVG canvas with a renderer whose text metrics are shared
by every chart of the process (:func:`text_metrics`), so a text measured for the layout is not
measured again when it is written. ``Chart.save`` selects it with
``savefig(..., backend=BACKEND)``; what it writes is matplotlib's SVG, unchanged.
"""

from __future__ import annotations

import codecs
import io
import weakref
from typing import Any

from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Bbox

__all__ = ["BACKEND", "FigureCanvas", "place_axes", "set_body", "text_metrics"]

#: ``savefig(backend=BACKEND)`` writes SVG with :class:`FigureCanvas`.
BACKEND = "module://fslt_survey.plots._layout"

_TEXT2PATH = TextToPath()
_METRICS: dict[tuple[str, int, Any], tuple[float, float, float]] = {}
_METRICS_MAX = 20_000

#: The body of each figure made by ``style._figure``: (x0, y0, x1, y1) in inches, and the
#: padding (w_pad, h_pad, inches) around each axes' decorations.
_BODIES: weakref.WeakKeyDictionary[Figure, tuple[tuple[float, float, float, float], float, float]]
_BODIES = weakref.WeakKeyDictionary()


def text_metrics(s: str, prop: FontProperties, ismath: Any) -> tuple[float, float, float]:
    """Width, height and descent (points) of ``s`` as the SVG writer measures it
    (``TextToPath``), remembered for the process: the same text in the same font is measured
    once, whichever chart, renderer or size asks (``TextToPath`` measures at a fixed size and
    scales, so a phone's smaller labels reuse the page's measurement, to the last bit)."""
    size = prop.get_size_in_points()
    key = (s, _font_key(prop), ismath)
    found = _METRICS.get(key)
    if found is None:
        if len(_METRICS) >= _METRICS_MAX:
            _METRICS.clear()
        unit = prop.copy()
        unit.set_size(TextToPath.FONT_SCALE)
        found = _METRICS[key] = _TEXT2PATH.get_text_width_height_descent(s, unit, ismath)
    scale = size / TextToPath.FONT_SCALE
    return found[0] * scale, found[1] * scale, found[2] * scale


def _font_key(prop: FontProperties) -> tuple[Any, ...]:
    """What selects the font of ``prop``, its size apart."""
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


class _Renderer(RendererSVG):
    """matplotlib's SVG renderer measuring text with :func:`text_metrics`."""

    def get_text_width_height_descent(self, s: str, prop: FontProperties, ismath: Any) -> Any:
        return text_metrics(s, prop, ismath)


class FigureCanvas(FigureCanvasSVG):
    """matplotlib's SVG canvas drawing with :class:`_Renderer`.

    ``print_svg`` is matplotlib's own (3.8 to 3.11), with the renderer class swapped. Like
    matplotlib's, it ignores the ``dpi``, ``facecolor``, ``edgecolor`` and ``orientation``
    that ``savefig`` passes a canvas outside matplotlib (``savefig`` has already applied
    them to the figure).
    """

    def print_svg(
        self,
        filename: Any,
        *,
        bbox_inches_restore: Any = None,
        metadata: Any = None,
        **_applied_by_savefig: Any,
    ) -> None:
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            renderer = MixedModeRenderer(
                self.figure,
                width,
                height,
                dpi,
                _Renderer(width * 72, height * 72, fh, image_dpi=dpi, metadata=metadata),
                bbox_inches_restore=bbox_inches_restore,
            )
            self.figure.draw(renderer)
            renderer.finalize()


def set_body(
    fig: Figure, body: tuple[float, float, float, float], *, w_pad: float, h_pad: float
) -> None:
    """Record the body of ``fig`` (x0, y0, x1, y1 in inches) for :func:`place_axes`."""
    _BODIES[fig] = (body, w_pad, h_pad)


def place_axes(fig: Figure) -> None:
    """Lay out the row of axes of ``fig`` in its body (see :func:`set_body`).

    Each axes is measured as it will be drawn, as margins in points beyond its data area: its
    axes (ticks, tick labels, axis label) and titles once -- they keep their distance from the
    data area wherever it is placed -- and the other artists drawn outside it (texts and
    markers at data positions) after each placing, until none of those margins moves by more
    than a tenth of a point (at most three times), since they move with the axes' width. The
    axes share one top and one bottom; their widths follow the grid's width ratios. A figure
    without a recorded body is left as it is.
    """
    found = _BODIES.get(fig)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if found is None or not axes:
        return
    body, w_pad, h_pad = found
    ratios = _width_ratios(axes)
    dpi = fig.dpi
    fig.dpi = 72  # display units are points, as the SVG writer draws
    try:
        width, height = fig.get_size_inches()
        renderer = _Renderer(width * 72, height * 72, io.StringIO())
        frames = [_margins(ax, ax.get_tightbbox(renderer, bbox_extra_artists=[])) for ax in axes]
        extras = [ax.get_default_bbox_extra_artists() for ax in axes]
        outside: list[tuple[float, ...]] = []
        for _ in range(3):
            measured = [
                _outside(ax, artists, renderer) for ax, artists in zip(axes, extras, strict=True)
            ]
            margins = [tuple(map(max, f, m)) for f, m in zip(frames, measured, strict=True)]
            _place(axes, ratios, margins, body, w_pad * 72, h_pad * 72, (width, height))
            if outside and all(
                max(abs(a - b) for a, b in zip(m, o, strict=True)) <= 0.1
                for m, o in zip(measured, outside, strict=True)
            ):
                break
            outside = measured
    finally:
        fig.dpi = dpi


def _width_ratios(axes: list[Any]) -> list[float]:
    spec = axes[0].get_subplotspec()
    if spec is None or len(axes) == 1:
        return [1.0] * len(axes)
    ratios = spec.get_gridspec().get_width_ratios()
    return [float(r) for r in ratios] if ratios is not None else [1.0] * len(axes)


def _outside(ax: Any, artists: list[Any], renderer: _Renderer) -> tuple[float, ...]:
    """How far ``artists`` reach beyond the data area of ``ax``."""
    boxes = [a.get_tightbbox(renderer) for a in artists]
    boxes = [b for b in boxes if b is not None and b._is_finite() and (b.width or b.height)]
    return _margins(ax, Bbox.union(boxes)) if boxes else (0.0, 0.0, 0.0, 0.0)


def _margins(ax: Any, box: Bbox | None) -> tuple[float, ...]:
    """What ``box`` takes beyond the data area of ``ax``: left, bottom, right, top (points)."""
    inner = ax.get_window_extent()
    if box is None:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        max(0.0, inner.x0 - box.x0),
        max(0.0, inner.y0 - box.y0),
        max(0.0, box.x1 - inner.x1),
        max(0.0, box.y1 - inner.y1),
    )


def _place(
    axes: list[Any],
    ratios: list[float],
    margins: list[tuple[float, ...]],
    body: tuple[float, float, float, float],
    w_pad: float,
    h_pad: float,
    size: tuple[float, float],
) -> None:
    """Set each axes' position: the body less the margins and pads, split by ``ratios``."""
    x0, y0, x1, y1 = (v * 72 for v in body)
    width, height = size[0] * 72, size[1] * 72
    bottom = y0 + h_pad + max(m[1] for m in margins)
    top = y1 - h_pad - max(m[3] for m in margins)
    room = (x1 - x0) - sum(m[0] + m[2] + 2 * w_pad for m in margins)
    # never narrower than a fifth of the body: texts too wide for the chart are the chart
    # builder's to wrap, and the chart tests measure that nothing leaves the figure
    room = max(room, (x1 - x0) / 5)
    high = max(top - bottom, (y1 - y0) / 5)
    x = x0
    for ax, ratio, (left, _, right, _) in zip(axes, ratios, margins, strict=True):
        w = room * ratio / sum(ratios)
        x += w_pad + left
        ax.set_position((x / width, bottom / height, w / width, high / height))
        x += w + right + w_pad
