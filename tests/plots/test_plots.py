"""Tests of fslt_survey.plots: figures, Danish alt texts and formatting, layout invariants.

Charts are checked by inspecting the matplotlib artists (patch positions, texts, tick labels)
and the saved files, not by eye.
"""

from __future__ import annotations

import copy
import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from fslt_survey import plots, privacy, stats
from fslt_survey.errors import SurveyDataError
from fslt_survey.plots import (
    NA_TEXT,
    Chart,
    _layout,
    contrast_ratio,
    plot_dumbbell,
    plot_frequencies,
    plot_likert,
    plot_multi,
    plot_needs_heatmap,
    plot_ranked_needs,
    text_color_on,
)
from fslt_survey.plots import style as plot_style

SOURCE = "Kilde: Medlemsundersøgelsen 2025, FSLT"
NBSP = "\u00a0"
ENIG = ["Helt enig", "Overvejende enig", "Hverken enig eller uenig", "Overvejende uenig",
        "Helt uenig"]
GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
#: An English decimal point between digits (a Danish thousands separator has 3 digits after).
ENGLISH_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)")


@pytest.fixture
def charts():
    """Collects charts made in a test and closes their figures afterwards."""
    made: list[Chart] = []
    yield made
    for c in made:
        plt.close(c.fig)


# --------------------------------------------------------------------------- hand-made tables


def likert_table(scale=ENIG, items=3, missing=True) -> pd.DataFrame:
    rows = []
    dists = [[10, 30, 20, 25, 15], [40, 30, 10, 10, 10], [5, 10, 25, 30, 30],
             [20, 20, 20, 20, 20]][:items]
    for i, dist in enumerate(dists):
        dist = dist[: len(scale)]
        dist = [100 * d / sum(dist) for d in dist]
        for lvl, (cat, p) in enumerate(zip(scale, dist, strict=True), start=1):
            rows.append({"item": f"u{i}", "label": f"Udsagn nummer {i}", "category": cat,
                         "level": lvl, "missing": False, "n": round(p / 2), "base": 50 - i,
                         "pct": p, "ci_low": max(p - 10, 0), "ci_high": min(p + 10, 100)})
        if missing:
            rows.append({"item": f"u{i}", "label": f"Udsagn nummer {i}",
                         "category": "Ved ikke", "level": pd.NA, "missing": True, "n": 3 + i,
                         "base": 53, "pct": 100 * (3 + i) / 53, "ci_low": 2.0,
                         "ci_high": 15.0})
    return pd.DataFrame(rows)


def ranking_table() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2, 3, 4],
        "item": ["rekr", "fund", "lok", "gdpr"],
        "label": ["Rekruttering af frivillige", "Fundraising", "Lokaler", "GDPR og IT"],
        "n": [25, 20, 9, 3], "base": [61, 60, 62, 58],
        "pct": [41.0, 33.3, 14.5, 5.2], "ci_low": [29.6, 22.7, 7.8, 1.8],
        "ci_high": [53.3, 45.9, 25.4, 14.1],
    })


def heatmap_table() -> pd.DataFrame:
    groups = ["I alt", "Social", "Sundhed", "Selvhjælp"]
    rows = []
    for g, base in zip(groups, [40, 20, 16, 4], strict=True):
        for item, p in [("rekr", 40.0), ("fund", 30.0), ("lok", 10.0)]:
            pct = p + (5 if g == "Social" else 0)
            if g == "Sundhed" and item == "fund":
                pct = np.nan  # suppressed cell
            rows.append({"assoc_type": g, "item": item, "label": item.title(), "n": 3,
                         "base": base, "pct": pct, "ci_low": 1.0, "ci_high": 60.0})
    out = pd.DataFrame(rows)
    out["assoc_type"] = pd.Categorical(out["assoc_type"], categories=groups)
    return out


def multi_table() -> pd.DataFrame:
    opts = ["Rådgivning og sparring til foreningen", "Kurser", "Lokaler", "Nyhedsbrev"]
    pct = [25.0, 62.5, 0.0, 40.0]
    rows = [{"item": "tilbud", "label": "Kendskab til tilbud", "category": o, "level": i + 1,
             "missing": False, "n": int(p * 0.4), "base": 40, "pct": p,
             "ci_low": max(p - 12, 0.0), "ci_high": min(p + 12, 100.0)}
            for i, (o, p) in enumerate(zip(opts, pct, strict=True))]
    rows.append({"item": "tilbud", "label": "Kendskab til tilbud", "category": "Ved ikke",
                 "level": pd.NA, "missing": True, "n": 2, "base": 42, "pct": 4.8,
                 "ci_low": 1.3, "ci_high": 15.8})
    return pd.DataFrame(rows)


def freq_table() -> pd.DataFrame:
    cats = ["Ja", "Nej"]
    rows = [{"item": "driver", "label": "Driver grupper", "category": c, "level": i + 1,
             "missing": False, "n": n, "base": 30, "pct": 100 * n / 30, "ci_low": 10.0,
             "ci_high": 80.0} for i, (c, n) in enumerate(zip(cats, [18, 12], strict=True))]
    rows += [{"item": "driver", "label": "Driver grupper", "category": r, "level": pd.NA,
              "missing": True, "n": n, "base": 33, "pct": 100 * n / 33, "ci_low": 1.0,
              "ci_high": 20.0} for r, n in [("Ved ikke", 3), ("Ikke besvaret", 0)]]
    return pd.DataFrame(rows)


def wave_table() -> pd.DataFrame:
    return pd.DataFrame({
        "item": ["rekr", "fund", "lok"], "label": ["Rekruttering", "Fundraising", "Lokaler"],
        "measure": "top2", "category": "I høj grad + I nogen grad",
        "wave_from": 2025, "wave_to": 2027, "base_from": [60, 61, 59], "base_to": [55, 57, 58],
        "pct_from": [40.0, 30.0, 20.0], "pct_to": [55.0, 28.0, 21.0],
        "diff": [15.0, -2.0, 1.0], "diff_ci_low": [2.0, -18.0, -14.0],
        "diff_ci_high": [28.0, 14.0, 16.0], "p": [0.004, 0.81, 0.9],
    })


BUILDERS = {
    "likert": lambda: plot_likert(likert_table(), title="Samarbejdet med kommunen",
                                  source=SOURCE),
    "ranked": lambda: plot_ranked_needs(ranking_table(), title="Foreningernes behov",
                                        source=SOURCE),
    "heatmap": lambda: plot_needs_heatmap(heatmap_table(), title="Behov efter type",
                                          source=SOURCE),
    "dumbbell": lambda: plot_dumbbell(wave_table(), title="Behov 2025 og 2027", source=SOURCE),
    "multi": lambda: plot_multi(multi_table(), title="Kendskab til centrets tilbud",
                                source=SOURCE),
    "frequencies": lambda: plot_frequencies(freq_table(), title="Driver I grupper?",
                                            source=SOURCE),
}
CHART_WORDS = {"likert": "Divergerende stablet søjlediagram", "ranked": "Vandret søjlediagram",
               "heatmap": "Varmekort", "dumbbell": "Prikdiagram", "multi": "Vandret søjlediagram",
               "frequencies": "Vandret søjlediagram"}


# --------------------------------------------------------------------------- every chart


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_returns_figure_and_danish_alt(kind, charts):
    chart = BUILDERS[kind]()
    charts.append(chart)
    assert isinstance(chart, Chart)
    assert isinstance(chart.fig, Figure)
    assert chart.alt.startswith(CHART_WORDS[kind])
    assert "n = " in chart.alt or kind == "heatmap"  # heat map: n per column in the figure
    assert re.search(rf"\d{NBSP}%", chart.alt), chart.alt  # "41 %" with a no-break space
    assert not re.search(r"\d %", chart.alt)  # never a breaking space before %
    assert not ENGLISH_DECIMAL.search(chart.alt), chart.alt
    texts = [t.get_text() for t in chart.fig.findobj(Text)]
    assert any(SOURCE in t for t in texts)  # the source line is drawn
    assert not any(ENGLISH_DECIMAL.search(t) for t in texts)


def test_alt_texts_carry_the_findings(charts):
    charts.append(ranked := BUILDERS["ranked"]())
    assert "»Rekruttering af frivillige« (41\u00a0%, konfidensinterval 30–53\u00a0%)" in ranked.alt
    assert "n = 58–62 foreninger" in ranked.alt
    charts.append(dumb := BUILDERS["dumbbell"]())
    assert "p < 0,05" in dumb.alt  # decimal comma
    assert "»Rekruttering« fra 40\u00a0% til 55\u00a0% (+15 procentpoint, statistisk signifikant)" \
        in dumb.alt
    assert "1 af 3 ændringer er statistisk signifikante" in dumb.alt
    charts.append(lik := BUILDERS["likert"]())
    assert "»Helt enig« eller »Overvejende enig«" in lik.alt
    assert "»Ved ikke«" in lik.alt


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_inputs_not_mutated(kind, charts):
    tables = {"likert": likert_table, "ranked": ranking_table, "heatmap": heatmap_table,
              "dumbbell": wave_table, "multi": multi_table, "frequencies": freq_table}
    funcs = {"likert": plot_likert, "ranked": plot_ranked_needs, "heatmap": plot_needs_heatmap,
             "dumbbell": plot_dumbbell, "multi": plot_multi, "frequencies": plot_frequencies}
    table = tables[kind]()
    before = copy.deepcopy(table)
    charts.append(funcs[kind](table, title="T", source=SOURCE))
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize("func", [plot_likert, plot_ranked_needs, plot_needs_heatmap,
                                  plot_dumbbell, plot_multi, plot_frequencies])
def test_empty_table_is_refused(func):
    with pytest.raises(SurveyDataError, match="empty"):
        func(pd.DataFrame(columns=["item", "category", "pct"]), title="T", source=SOURCE)
    with pytest.raises(SurveyDataError, match="DataFrame"):
        func([1, 2], title="T", source=SOURCE)


def test_missing_columns_are_named():
    with pytest.raises(SurveyDataError, match="category"):
        plot_likert(pd.DataFrame({"item": ["a"], "pct": [1.0]}), title="T", source=SOURCE)
    with pytest.raises(SurveyDataError, match="two waves"):
        plot_dumbbell(pd.DataFrame({"item": ["a"], "pct": [1.0]}), title="T", source=SOURCE)


def test_save_svg_png_and_svg_is_deterministic(tmp_path, charts):
    a, b = BUILDERS["likert"](), BUILDERS["likert"]()
    charts += [a, b]
    c = BUILDERS["likert"]()
    charts.append(c)
    assert [p.suffix for p in c.save(tmp_path / "only" / "likert")] == [".svg"]  # the default
    assert not (tmp_path / "only" / "likert.png").exists()
    paths = a.save(tmp_path / "one" / "likert", formats=("svg", "png"))
    assert [p.suffix for p in paths] == [".svg", ".png"]
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    a.save(tmp_path / "again.svg")  # the suffix is taken as part of the stem's format
    b.save(tmp_path / "other")
    svg = paths[0].read_bytes()
    assert svg == (tmp_path / "again.svg").read_bytes()  # same figure saved twice
    assert svg == (tmp_path / "other.svg").read_bytes()  # same chart built twice
    assert b"<dc:date>" not in svg
    text = svg.decode()
    assert "<title>Samarbejdet med kommunen</title>" in text
    assert "<desc>Divergerende stablet" in text  # alt text as the description
    assert "<metadata>" not in text and "<g>" not in text
    with pytest.raises(SurveyDataError, match=r"svg and png only \(found 'pdf'\)"):
        a.save(tmp_path / "x", formats=("pdf",))


@pytest.mark.parametrize("kind", ["likert", "heatmap", "dumbbell"])
def test_compact_svg_draws_the_same_picture(kind, tmp_path, charts):
    """The compaction (rounding, unwrapped groups, classes, ``<desc>``) changes the bytes, not
    the drawing: matplotlib's own SVG and the compact one rasterised by Typst (the PDFs'
    renderer, which reads the classes from the SVG's stylesheet) are the same pixels, up to
    the antialiasing of coordinates rounded to 0.01 pt."""
    import io

    import typst
    from PIL import Image, ImageChops

    from fslt_survey.plots._svg import compact_svg

    charts.append(chart := BUILDERS[kind]())
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "x"}):  # as Chart.save
        chart.fig.savefig(buf, format="svg", metadata={"Date": None})
    original = buf.getvalue().decode("utf-8")
    compact = compact_svg(original)
    assert len(compact) < 0.75 * len(original), len(compact) / len(original)
    assert ' class="s0"' in compact and "<desc>" not in original
    pictures = []
    for name, svg in (("original", original), ("compact", compact)):
        (tmp_path / f"{name}.svg").write_text(svg, encoding="utf-8")
        doc = tmp_path / f"{name}.typ"
        doc.write_text(f'#set page(width: auto, height: auto, margin: 0pt)\n'
                       f'#image("{name}.svg", width: 540pt)\n', encoding="utf-8")
        png = typst.compile(str(doc), format="png", ppi=96)
        pictures.append(Image.open(io.BytesIO(png)).convert("L"))
    assert pictures[0].size == pictures[1].size
    diff = np.asarray(ImageChops.difference(*pictures), dtype=float)
    assert (diff > 64).mean() < 0.001, (diff > 64).mean()  # no shape or text moved or lost
    # not blind: a lost style (a class the stylesheet does not define) is seen
    broken = compact.replace(".s0{", ".unused{", 1)
    (tmp_path / "compact.svg").write_text(broken, encoding="utf-8")
    png = typst.compile(str(tmp_path / "compact.typ"), format="png", ppi=96)
    worse = np.asarray(ImageChops.difference(
        pictures[0], Image.open(io.BytesIO(png)).convert("L")), dtype=float)
    assert (worse > 64).mean() > 0.001


def _drawn_texts(fig) -> list[Text]:
    """The texts a figure draws: the tick labels of the ticks inside the view, every other
    visible text."""
    ticks, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            ticks |= {id(t.label1) for t in axis.get_major_ticks() + axis.get_minor_ticks()}
            ticks |= {id(t.label2) for t in axis.get_major_ticks() + axis.get_minor_ticks()}
            shown += [lab for t in axis._update_ticks() for lab in (t.label1, t.label2)]
    shown += [t for t in fig.findobj(Text) if id(t) not in ticks]
    return [t for t in shown if t.get_visible() and t.get_text().strip()]


def text_collisions(chart: Chart) -> list[str]:
    """Texts that leave the figure or overlap another (boxes shrunk a little: glyphs' boxes
    have air around them), measured as the published SVG is written: in points, with the
    SVG writer's text metrics (the raster renderer's hinted glyphs at 100 dpi are up to 5 %
    wider, a difference no reader of the SVG sees)."""
    fig = chart.fig
    fig.savefig(io.BytesIO(), format="svg", backend=_layout.BACKEND)  # ticks and texts placed
    width, height = fig.get_size_inches() * 72
    renderer = _layout._Renderer(width, height, io.StringIO())
    dpi, fig.dpi = fig.dpi, 72
    boxes, out = [], []
    try:
        for t in _drawn_texts(fig):
            bb = t.get_window_extent(renderer)
            if bb.x0 < -1 or bb.y0 < -1 or bb.x1 > width + 1 or bb.y1 > height + 1:
                out.append(f"{t.get_text()!r} leaves the figure")
            box = bb.shrunk(0.92, 0.8)
            out += [f"{t.get_text()!r} overlaps {o!r}" for o, b in boxes if box.overlaps(b)]
            boxes.append((t.get_text(), box))
    finally:
        fig.dpi = dpi
    return out


LONG = {  # the longest words and titles a real release has
    "title": "Foreningernes vurdering af samarbejdet med Lyngby-Taarbæk Kommune og forvaltningen",
    "group": ["Børn, unge, kultur og fritid", "Sundhed, patientforeninger og selvhjælp",
              "Sociale, humanitære og ældreforeninger", "Øvrige"],
}


@pytest.mark.parametrize("medium", [plot_style.PRINT, plot_style.SCREEN, plot_style.PHONE],
                         ids=lambda m: m.name)
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_no_text_leaves_the_chart_or_overlaps_another(kind, medium, charts):
    """Issue 19: every chart, drawn for paper, a desktop and a phone, keeps its texts inside
    and apart: titles wrapped by their measured width, fewer ticks and a key for the heat
    map's columns on a phone, no number in a segment too narrow for it."""
    with plot_style.drawn_for(medium):
        charts.append(chart := BUILDERS[kind]())
        assert text_collisions(chart) == [], (kind, medium.name)
        long_title = chart.recipe.func(*chart.recipe.args, **{**chart.recipe.keywords,
                                                               "title": LONG["title"]})
        charts.append(long_title)
        assert text_collisions(long_title) == [], (kind, medium.name)


def test_heatmap_names_long_groups_by_a_key_on_a_phone(charts):
    table = heatmap_table()
    named = [g for g in table["assoc_type"].cat.categories if g != "I alt"]
    groups = dict(zip(named, LONG["group"], strict=False))
    table = table.assign(assoc_type=table["assoc_type"].map(lambda g: groups.get(g, g)))
    with plot_style.drawn_for(plot_style.PHONE):
        charts.append(chart := plot_needs_heatmap(table, title="Behov", source=SOURCE))
    texts = [t.get_text() for t in chart.fig.findobj(Text)]
    assert text_collisions(chart) == []
    assert any(t.startswith("A: ") and "B: " in t for t in texts), texts  # the key
    charts.append(wide := plot_needs_heatmap(table, title="Behov", source=SOURCE))
    assert not any("A: " in t for t in (t.get_text() for t in wide.fig.findobj(Text)))


def test_height_grows_with_items(charts):
    charts.append(small := plot_likert(likert_table(items=2), title="T", source=SOURCE))
    charts.append(large := plot_likert(likert_table(items=4), title="T", source=SOURCE))
    assert large.fig.get_figheight() > small.fig.get_figheight()


def test_tick_labels_use_decimal_comma(charts):
    tiny = ranking_table().assign(pct=[2.4, 1.8, 1.1, 0.3], ci_low=np.nan, ci_high=np.nan)
    charts.append(chart := plot_ranked_needs(tiny, title="T", source=SOURCE))
    ax = chart.fig.axes[0]
    ax.set_xlim(0, 2.5)  # a narrow range: ticks at 0,5-steps use the chart's own formatter
    chart.fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith(f"{NBSP}%") for t in ticks)
    assert any("," in t for t in ticks), ticks  # e.g. "2,5 %"
    assert not any("." in t for t in ticks)
    assert plot_style._fmt_pct(12.5, 1) == f"12,5{NBSP}%"
    assert plot_style._fmt_num(1234567.25, 1) == "1.234.567,3"
    assert plot_style._fmt_num(-3, sign=True) == "\u22123"
    assert plot_style._fmt_num(0.2, sign=True) == "0"


def test_long_labels_wrap(charts):
    table = ranking_table()
    table.loc[0, "label"] = ("Rekruttering og fastholdelse af frivillige til foreningens "
                             "aktiviteter og bestyrelse")
    charts.append(chart := plot_ranked_needs(table, title="T", source=SOURCE))
    labels = [t.get_text() for t in chart.fig.axes[0].get_yticklabels()]
    assert any("\n" in lab for lab in labels)
    assert all(len(line) <= 40 for lab in labels for line in lab.split("\n"))


def test_text_on_colours_meets_wcag():
    pos, neg = plot_style._POS, plot_style._NEG
    palette = [*pos[2], *neg[2], *pos[3], *neg[3], plots.NEUTRAL, plots.BAR, plots.MISSING_BAR]
    cmap = matplotlib.colormaps["RdBu"]
    palette += [to_hex(cmap(x)) for x in np.linspace(0, 1, 41)]
    for colour in palette:
        assert contrast_ratio(text_color_on(colour), colour) >= 4.5, colour
    for fg in (plots.TEXT, plots.MUTED, plots.HIGHLIGHT_TEXT):
        assert contrast_ratio(fg, "#FFFFFF") >= 4.5
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)


# --------------------------------------------------------------------------- Likert


def _containers(ax):
    return {c.get_label(): c for c in ax.containers}


def test_likert_neutral_straddles_zero(charts):
    charts.append(chart := BUILDERS["likert"]())
    main = chart.fig.axes[0]
    bars = _containers(main)
    assert set(bars) == set(ENIG)  # "Ved ikke" is not among the diverging bars
    for patch in bars["Hverken enig eller uenig"].patches:
        assert patch.get_x() < 0 < patch.get_x() + patch.get_width()
        assert patch.get_x() == pytest.approx(-patch.get_width() / 2)
    for cat in ENIG[:2]:  # positive end right of the neutral half
        assert all(p.get_x() > 0 for p in bars[cat].patches)
    for cat in ENIG[3:]:
        assert all(p.get_x() + p.get_width() < 0 for p in bars[cat].patches)
    assert main.get_xlim()[0] == -main.get_xlim()[1]  # symmetric around zero
    legend = [t.get_text() for t in chart.fig.legends[0].get_texts()]
    assert legend == ENIG[::-1]  # the scale, laid out as the bars


def test_likert_without_neutral_splits_at_zero(charts):
    charts.append(chart := plot_likert(likert_table(GRAD), title="T", source=SOURCE))
    bars = _containers(chart.fig.axes[0])
    assert all(p.get_x() >= 0 for c in GRAD[:2] for p in bars[c].patches)
    assert all(p.get_x() + p.get_width() <= 1e-9 for c in GRAD[2:] for p in bars[c].patches)


def test_likert_ved_ikke_beside_the_bars(charts):
    table = likert_table()
    charts.append(chart := plot_likert(table, title="T", source=SOURCE))
    main, side = chart.fig.axes
    main_labels = {p.get_label() for c in main.containers for p in [c]}
    assert "Ved ikke" not in main_labels
    assert side.get_position().x0 > main.get_position().x1  # the panel is to the right
    assert "Ved ikke" in side.get_title(loc="left")
    widths = sorted(p.get_width() for p in side.patches if p.get_width() > 0)
    expected = sorted(table.loc[table["missing"], "pct"])
    assert widths == pytest.approx(expected)
    # main bars of an item sum to 100 % of the substantive answers
    totals = {}
    for c in main.containers:
        for p in c.patches:
            totals[round(p.get_y(), 3)] = totals.get(round(p.get_y(), 3), 0) + p.get_width()
    assert all(t == pytest.approx(100) for t in totals.values())


def test_likert_sorted_by_top2_and_summary(charts):
    charts.append(chart := BUILDERS["likert"]())
    labels = [t.get_text().split(" (n")[0] for t in chart.fig.axes[0].get_yticklabels()]
    labels = [lab.replace("\n", " ") for lab in labels]
    assert labels[0].startswith("Udsagn nummer 1")  # 70 % agree
    summary = pd.DataFrame({"item": ["u0", "u1", "u2"], "top2_pct": [1.0, 2.0, 99.0]})
    charts.append(chart := plot_likert(likert_table(), title="T", source=SOURCE,
                                       summary=summary))
    first = chart.fig.axes[0].get_yticklabels()[0].get_text().replace("\n", " ")
    assert first.startswith("Udsagn nummer 2")


def test_likert_suppressed_item_draws_no_numbers(charts):
    table = likert_table()
    table.loc[table["item"] == "u1", "pct"] = np.nan
    charts.append(chart := plot_likert(table, title="T", source=SOURCE))
    main = chart.fig.axes[0]
    texts = [t.get_text() for t in main.texts]
    assert NA_TEXT in texts
    assert not any(t.startswith("Udsagn nummer 1") for t in texts)
    assert "1 udsagn vises uden tal" in chart.alt
    # one suppressed category is enough: the diverging bar cannot be placed without it
    table = likert_table()
    table.loc[(table["item"] == "u2") & (table["category"] == "Helt uenig"), "pct"] = np.nan
    charts.append(chart := plot_likert(table, title="T", source=SOURCE))
    assert "1 udsagn vises uden tal" in chart.alt
    assert "Blandt udsagnene med tal svarer flest" in chart.alt
    heights = {round(p.get_y() + p.get_height() / 2) for c in chart.fig.axes[0].containers
               for p in c.patches if p.get_width() > 0}
    assert heights == {0, 1}  # the third row (u2, least agreement) has no bars


def test_likert_category_without_a_row_counts_as_zero(charts):
    table = likert_table()
    table = table[~((table["item"] == "u0") & (table["category"] == "Helt enig"))]
    charts.append(chart := plot_likert(table, title="T", source=SOURCE))
    assert "vises uden tal" not in chart.alt
    bars = _containers(chart.fig.axes[0])
    assert sorted(p.get_width() for p in bars["Helt enig"].patches)[0] == 0


def test_likert_refuses_several_groups_unless_chosen(charts):
    table = pd.concat([likert_table().assign(assoc_type="A"),
                       likert_table().assign(assoc_type="B")], ignore_index=True)
    with pytest.raises(SurveyDataError, match="several groups"):
        plot_likert(table, title="T", source=SOURCE)
    charts.append(plot_likert(table, title="T", source=SOURCE, group="B"))


# --------------------------------------------------------------------------- bars, heat map


def test_ranked_needs_sorted_with_whiskers(charts):
    table = ranking_table().iloc[::-1]  # unsorted input
    charts.append(chart := plot_ranked_needs(table, title="T", source=SOURCE))
    ax = chart.fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths, reverse=True)
    assert ax.collections  # CI whiskers (errorbar line collection)
    assert ax.get_yticklabels()[0].get_text() == "Rekruttering af frivillige"


def test_ranked_needs_na_shows_dash(charts):
    table = ranking_table()
    table.loc[1, ["pct", "ci_low", "ci_high"]] = np.nan
    charts.append(chart := plot_ranked_needs(table, title="T", source=SOURCE))
    texts = [t.get_text() for t in chart.fig.axes[0].texts]
    assert NA_TEXT in texts
    assert len([t for t in texts if t.endswith("%")]) == 3
    assert "1 behov vises uden tal" in chart.alt


def test_ranked_needs_picks_the_total_of_a_by_table(charts):
    charts.append(chart := plot_ranked_needs(heatmap_table(), title="T", source=SOURCE))
    assert len(chart.fig.axes[0].patches) == 3
    assert "»Rekr« (40\u00a0%" in chart.alt


def test_heatmap_draws_no_number_for_na_cells(charts):
    charts.append(chart := BUILDERS["heatmap"]())
    ax = chart.fig.axes[0]
    cells = {}
    for t in ax.texts:
        cells[(round(t.get_position()[0], 2), round(t.get_position()[1], 2))] = t.get_text()
    hatched = [p for p in ax.patches if p.get_hatch()]
    # 1 suppressed cell (NA) + 3 cells of the group with base 4 < 5
    assert len(hatched) == 4
    for p in hatched:
        centre = (round(p.get_x() + p.get_width() / 2, 2),
                  round(p.get_y() + p.get_height() / 2, 2))
        assert cells[centre] == NA_TEXT
    numbers = [v for v in cells.values() if v != NA_TEXT]
    assert len(numbers) == 12 - 4 and all(v.endswith(f"{NBSP}%") for v in numbers)
    assert "4 celler vises uden tal" in chart.alt
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols[0].startswith("I alt") and "n = 40" in cols[0]


def test_heatmap_needs_a_group_column():
    with pytest.raises(SurveyDataError, match="group column"):
        plot_needs_heatmap(ranking_table(), title="T", source=SOURCE)


def test_multi_keeps_zero_options_and_sorts(charts):
    charts.append(chart := BUILDERS["multi"]())
    ax = chart.fig.axes[0]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[0] == "Kurser" and labels[-1] == "Lokaler"  # 0 % still shown, last
    assert "Ved ikke" not in labels
    assert "Ingen har valgt »Lokaler«" in chart.alt
    assert "»Ved ikke« 2" in chart.alt


def test_multi_missing_note_fits_every_reason(charts):
    """Routed-past and unanswered respondents did not "answer" their reason (regression: the
    note said "40 svarede »Ikke relevant« og 1 svarede »Ikke besvaret«")."""
    table = multi_table()
    extra = [{**table.iloc[-1].to_dict(), "category": r, "n": n}
             for r, n in [("Ikke relevant", 40), ("Ikke besvaret", 1), ("Ugyldigt svar", 0)]]
    table = pd.concat([table.iloc[:-1], pd.DataFrame(extra)], ignore_index=True)
    charts.append(chart := plot_multi(table, title="Behov", source=SOURCE))
    listing = "»Ikke relevant« (sprunget over) 40, »Ikke besvaret« 1"
    note = chart.fig.texts[-1].get_text().replace("\n", " ")
    assert f"Desuden (antal foreninger): {listing}. De indgår ikke i procenterne." in note
    assert f"Desuden (antal foreninger, som ikke indgår i procenterne): {listing}." in chart.alt
    for c in (note, chart.alt):
        assert "svarede" not in c and "Ugyldigt svar" not in c  # n = 0 is not listed


def test_frequencies_missing_alt_fits_every_reason(charts):
    table = freq_table()
    table.loc[3, ["category", "n", "pct"]] = ["Ikke relevant", 4, 100 * 4 / 33]
    charts.append(chart := plot_frequencies(table, title="T", source=SOURCE))
    assert ("Desuden (andel af alle adspurgte): »Ved ikke« 9\u00a0%, »Ikke relevant« 12\u00a0%."
            in chart.alt)
    assert "svarer 9" not in chart.alt


def test_frequencies_show_typed_missing_apart(charts):
    charts.append(chart := BUILDERS["frequencies"]())
    ax = chart.fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Ja", "Nej", "Ved ikke"]  # "Ikke besvaret" (0 %) left out
    grey = [p for p in ax.patches if p.get_facecolor()[:3] == to_rgb(
        plots.MISSING_BAR)]
    assert len(grey) == 1
    assert "Flest svarer »Ja« (60\u00a0%)" in chart.alt


def test_frequencies_refuse_several_items():
    table = pd.concat([freq_table(), freq_table().assign(item="other")])
    with pytest.raises(SurveyDataError, match="several items"):
        plot_frequencies(table, title="T", source=SOURCE)


def test_dumbbell_marks_significant_changes(charts):
    charts.append(chart := BUILDERS["dumbbell"]())
    ax = chart.fig.axes[0]
    changes = [t.get_text() for t in ax.texts if t.get_text() != "Ændring"]
    assert changes == ["+15*", "\u22122", "+1"]
    red = [ln for ln in ax.lines
           if to_hex(ln.get_color()) == plots.HIGHLIGHT.lower()]
    assert len(red) == 1
    legend = [t.get_text() for t in chart.fig.legends[0].get_texts()]
    assert legend == ["2025", "2027", "Signifikant ændring (p < 0,05)"]
    assert "korrektion" not in chart.alt + " ".join(t.get_text() for t in chart.fig.texts)


def _dumbbell_texts(chart):
    fig_texts = [t.get_text().replace("\n", " ") for t in chart.fig.texts]
    legend = [t.get_text() for t in chart.fig.legends[0].get_texts()]
    return fig_texts[1], fig_texts[-1], legend


@pytest.mark.parametrize(("column", "adjustment", "name"), [
    ("p_adj", "auto", "Benjamini–Hochberg-korrektion"),
    ("p_fdr", "auto", "Benjamini–Hochberg-korrektion"),
    ("p_holm", "auto", "Holm-korrektion"),
    ("p_adj", "bonferroni", "Bonferroni-korrektion"),
])
def test_dumbbell_says_when_p_is_adjusted(charts, column, adjustment, name):
    table = wave_table().assign(**{column: [0.012, 0.9, 0.9]})
    charts.append(chart := plot_dumbbell(table, title="T", source=SOURCE,
                                         adjustment=adjustment))
    subtitle, notes, legend = _dumbbell_texts(chart)
    sig = f"p < 0,05 efter {name}"
    assert f"Statistisk signifikante ændringer ({sig}) er fremhævet." in subtitle
    assert f"* = signifikant ({sig})." in notes
    assert legend[-1] == "Signifikant ændring (korrigeret p < 0,05)"
    assert f"1 af 3 ændringer er statistisk signifikante ({sig})." in chart.alt


def test_dumbbell_adjustment_none_and_unknown(charts):
    table = wave_table().assign(p_adj=[0.012, 0.9, 0.9])
    charts.append(chart := plot_dumbbell(table, title="T", source=SOURCE, adjustment=None))
    subtitle, _notes, legend = _dumbbell_texts(chart)
    assert "korrektion" not in subtitle + chart.alt and "korrigeret" not in legend[-1]
    flagged = wave_table().assign(significant=[True, False, False], p_adj=0.01)
    charts.append(chart := plot_dumbbell(flagged, title="T", source=SOURCE))
    assert "korrektion" not in chart.alt  # the flag decides; how it was made is unknown
    with pytest.raises(SurveyDataError, match="adjustment"):
        plot_dumbbell(table, title="T", source=SOURCE, adjustment="fdr")


def test_dumbbell_accepts_year_columns_and_needs_one_row_per_item(charts):
    wide = pd.DataFrame({"item": ["a", "b"], "pct_2025": [10.0, 20.0],
                         "pct_2027": [30.0, 15.0], "significant": [True, False]})
    charts.append(chart := plot_dumbbell(wide, title="T", source=SOURCE))
    assert "Største stigning: »a« fra 10\u00a0% til 30\u00a0%" in chart.alt
    both = pd.concat([wave_table().assign(measure="category", category="I høj grad"),
                      wave_table().assign(measure="category", category="I nogen grad")])
    with pytest.raises(SurveyDataError, match="several rows per item"):
        plot_dumbbell(both, title="T", source=SOURCE)
    charts.append(chart := plot_dumbbell(both, title="T", source=SOURCE,
                                         category="I høj grad"))
    assert "andelen, der svarer »I høj grad«" in chart.alt


# --------------------------------------------------------------------------- with the stats


def clean_frame(instrument, n=30, wave=2025, seed=0) -> pd.DataFrame:
    """A small frame under the clean data contract (one row per response)."""
    rng = np.random.default_rng(seed)
    grad = instrument.scales["grad"].categories
    cols: dict = {
        "wave": np.full(n, wave), "association_id": [f"f{i:02d}" for i in range(n)],
        "assoc_type": pd.Categorical(rng.choice(["Forening", "Selvhjælp"], n),
                                     categories=["Forening", "Selvhjælp", "Andet"]),
    }
    for item_id in ("behov_a", "behov_b"):
        values = rng.choice(grad, n).astype(object)
        reason = np.full(n, None, dtype=object)
        dk = rng.random(n) < 0.15
        values[dk], reason[dk] = None, "Ved ikke"
        cols[item_id] = pd.Categorical(values, categories=grad, ordered=True)
        cols[f"{item_id}__missing"] = pd.Categorical(reason, categories=["Ved ikke"])
    cols["driver"] = pd.Categorical(rng.choice(["Ja", "Nej"], n), categories=["Ja", "Nej"])
    cols["driver__missing"] = pd.Categorical([None] * n, categories=["Ved ikke"])
    temaer = instrument.item("temaer")
    for lab in temaer.scale.substantive:
        ticks = rng.random(n) < 0.5 if lab.key != "gdpr" else np.zeros(n, bool)
        cols[temaer.option_column(lab)] = pd.array(ticks, dtype="boolean")
    cols["temaer__missing"] = pd.Categorical([None] * n, categories=["Ved ikke"])
    return pd.DataFrame(cols)


def test_charts_consume_the_stats_tables(small_instrument, charts):
    data = clean_frame(small_instrument)
    before = data.copy()
    battery = small_instrument.battery("behov")
    lik = plot_likert(stats.tab_likert(data, battery), title="Behov", source=SOURCE,
                      summary=stats.tab_likert_summary(data, battery))
    ranked = plot_ranked_needs(stats.rank_needs(data, battery), title="Behov", source=SOURCE)
    heat = plot_needs_heatmap(stats.rank_needs(data, battery, by="assoc_type"),
                              title="Behov efter type", source=SOURCE)
    multi = plot_multi(stats.tab_multi(data, small_instrument.item("temaer")), title="Temaer",
                       source=SOURCE)
    freq = plot_frequencies(stats.tab_single(data, small_instrument.item("driver")),
                            title="Grupper", source=SOURCE)
    charts += [lik, ranked, heat, multi, freq]
    pd.testing.assert_frame_equal(data, before)
    assert "»Ved ikke«" in lik.alt and "n = " in lik.alt
    assert len(lik.fig.axes) == 2  # bars + the "Ved ikke" panel
    hatched = [p for p in heat.fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 2  # the empty group "Andet" (pct NA) for both needs
    assert "Ingen har valgt »GDPR«" in multi.alt
    for c in (lik, ranked, heat, multi, freq):
        assert not ENGLISH_DECIMAL.search(c.alt)


def test_charts_respect_privacy_suppression(small_instrument, charts):
    data = clean_frame(small_instrument, n=12)
    table = stats.tab_single(data, small_instrument.item("behov_a"))
    sup = privacy.suppress_counts(table[~table["missing"]], k=5)
    assert sup["suppressed"].any()
    charts.append(chart := plot_frequencies(sup, title="T", source=SOURCE))
    ax = chart.fig.axes[0]
    hidden = set(sup.loc[sup["suppressed"], "category"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    shown_values = [t.get_text() for t in ax.texts]
    assert shown_values.count(NA_TEXT) == len(hidden)
    for cat in hidden:  # no bar drawn for a suppressed category
        assert ax.patches[labels.index(cat)].get_width() == 0
    assert "vises uden tal" in chart.alt and "Flest svarer" not in chart.alt
    # a table marked suppressed but still holding numbers: the numbers are not drawn
    marked = freq_table().assign(suppressed=[True, False, False, False])
    charts.append(chart := plot_frequencies(marked, title="T", source=SOURCE))
    assert "60 %" not in [t.get_text() for t in chart.fig.axes[0].texts]


def test_dumbbell_consumes_compare_waves(small_instrument, charts):
    data = pd.concat([clean_frame(small_instrument, wave=2025, seed=1),
                      clean_frame(small_instrument, wave=2027, seed=2)], ignore_index=True)
    table = pd.concat([stats.compare_waves(data, it)
                       for it in small_instrument.battery("behov")], ignore_index=True)
    charts.append(chart := plot_dumbbell(table, title="Behov 2025-2027", source=SOURCE))
    assert len(chart.fig.axes[0].get_yticklabels()) == 2  # the top-2 row of each item
    assert "i 2025 og 2027" in chart.alt and "»I høj grad« eller »I nogen grad«" in chart.alt
    charts.append(plot_dumbbell(stats.compare_waves(data, small_instrument.item("temaer")),
                                title="Temaer", source=SOURCE))
