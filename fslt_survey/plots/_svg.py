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
_GROUP_TAG = re.compile(r"<g(\s[^>]*)?>|</g>")
_METADATA = re.compile(r"<metadata>.*?</metadata>\n?", re.S)
_DESCRIPTION = re.compile(r"<dc:description>(.*?)</dc:description>", re.S)
_STYLE = re.compile(r'(<[a-zA-Z]+\b[^>]*?) style="([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\n?")
#: the root's id, which the site's stylesheet may address
ROOT_ID = "fslt-chart"


def _two_decimals(m: re.Match[str]) -> str:
    text = f"{float(m.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def compact_svg(svg: str) -> str:
    """matplotlib's SVG made small without changing what it draws: every coordinate rounded to
    0.01 pt and path data on one line, one font rule, groups without attributes dropped, the
    RDF metadata replaced by a ``<desc>``, repeated shape styles as classes.

    Only geometry attributes are rounded (never text, titles or descriptions, where a "1.234"
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
    svg = _description(_unwrap_groups(_DOCTYPE.sub("", svg, count=1)))
    svg = _short_ids(_style_classes(svg))
    return re.sub(r"\n[ \t]*(?=\n)|(?<=\n)[ \t]+", "", svg)


def _unwrap_groups(svg: str) -> str:
    """Drop every ``<g>`` without attributes (and its ``</g>``): it groups nothing visible."""
    out, bare, pos = [], [], 0
    for m in _GROUP_TAG.finditer(svg):
        out.append(svg[pos : m.start()])
        pos = m.end()
        if m.group() == "</g>":
            if not bare.pop():
                out.append(m.group())
        elif m.group().endswith("/>"):
            out.append(m.group())
        else:
            keep = bool((m.group(1) or "").strip())
            bare.append(not keep)
            if keep:
                out.append(m.group())
    out.append(svg[pos:])
    return "".join(out)


def _description(svg: str) -> str:
    """matplotlib's RDF metadata replaced by SVG's own ``<desc>`` (what assistive technology
    reads, beside the ``<title>``): the chart's description once, without the RDF wrapping."""
    found = _DESCRIPTION.search(svg)
    desc = f"<desc>{found.group(1)}</desc>\n" if found else ""
    return _METADATA.sub(lambda _m: desc, svg, count=1)


def _style_classes(svg: str) -> str:
    """A style used more than once becomes a class in the SVG's stylesheet."""
    counts: dict[str, int] = {}
    for m in _STYLE.finditer(svg):
        counts[m.group(2)] = counts.get(m.group(2), 0) + 1
    names = {style: f"s{i}" for i, style in enumerate(st for st, n in counts.items() if n > 1)}
    if not names or '<style type="text/css">' not in svg:
        return svg
    svg = _STYLE.sub(
        lambda m: f'{m.group(1)} class="{names[m.group(2)]}"' if m.group(2) in names else m.group(),
        svg,
    )
    rules = "".join(f".{name}{{{style}}}" for style, name in names.items())
    return svg.replace("</style>", f"{rules}</style>", 1)


def _short_ids(svg: str) -> str:
    """matplotlib's hashed ids (clip paths, markers: ``p4792d793c4``) as short ones, with every
    reference to them (``url(#...)``, ``xlink:href="#..."``)."""
    ids = [i for i in dict.fromkeys(_ID.findall(svg)) if i != ROOT_ID]
    if not ids:
        return svg
    short = {old: f"i{n}" for n, old in enumerate(ids)}
    pattern = re.compile(r'(id="|#)(' + "|".join(map(re.escape, ids)) + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + short[m.group(2)], svg)


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
