"""What a saved chart is made of: its SVG made compact, and whether it draws any number.

Split from :mod:`fslt_survey.plots.style` (``Chart.save`` and ``Chart.empty`` use these).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["compact_svg", "draws_data"]

_GEOMETRY = re.compile(
    r'(\s(?:d|x|y|x1|x2|y1|y2|cx|cy|r|width|height|transform|points|viewBox)=")([^"]*)"'
)
_DECIMAL = re.compile(r"-?\d+\.\d+")
_FAMILY = re.compile(r"font-family: ([^;\"]*)(?:; |(?=\"))")
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^"]*\)"')
_GROUP_ID = re.compile(r'<g id="[^"]*">')
_EMPTY_GROUP = re.compile(r'<g id="[^"]*"/>\n?')


def _two_decimals(m: re.Match[str]) -> str:
    text = f"{float(m.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def compact_svg(svg: str) -> str:
    """matplotlib's SVG with every coordinate rounded to 0.01 pt and path data on one line.

    Only geometry attributes are touched (never text, titles or metadata, where a "1.234"
    is a Danish thousands separator). 0.01 pt is far below a screen pixel or a printer dot.
    """

    def attr(m: re.Match[str]) -> str:
        value = " ".join(_DECIMAL.sub(_two_decimals, m.group(2)).split())
        return f'{m.group(1)}{value}"'

    svg = _GEOMETRY.sub(attr, svg)
    families = set(_FAMILY.findall(svg))
    if len(families) == 1:  # one font stack: say it once in the stylesheet, not per text
        svg = _FAMILY.sub("", svg).replace(
            '<style type="text/css">',
            f'<style type="text/css">text{{font-family: {families.pop()}}}',
            1,
        )
    svg = _NO_ROTATION.sub("", svg)
    svg = _EMPTY_GROUP.sub("", _GROUP_ID.sub("<g>", svg))  # group ids: never referenced
    return re.sub(r"\n[ \t]+", "\n", svg)


def draws_data(ax: Any) -> bool:
    """True when the axes draw a number: a bar or cell of some size that is not hatched
    (hidden), a data line with a point, a marker, or an image with a value."""
    for patch in ax.patches:
        if patch.get_hatch():  # hatched: a hidden cell or a group too small to show
            continue
        v = np.asarray(patch.get_verts(), dtype=float)
        if len(v) and np.isfinite(v).all() and np.ptp(v[:, 0]) > 0 and np.ptp(v[:, 1]) > 0:
            return True
    for line in ax.lines:
        if line.get_transform() != ax.transData:  # axhline/axvline: a reference, not data
            continue
        if np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all(axis=1).any():
            return True
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if (len(offsets) and np.isfinite(offsets).all(axis=1).any()) or (
            len(coll.get_paths()) and not len(offsets)
        ):
            return True
    return any(np.ma.count(np.ma.masked_invalid(im.get_array())) for im in ax.images)
