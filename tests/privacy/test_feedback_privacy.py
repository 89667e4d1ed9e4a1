"""Privacy of the numbers a feedback sheet prints (``fslt_survey.followup.feedback``).

A sheet is confidential to one association, but it still must not let that association learn
another's answers from the figures: every count, base and median printed is of 0 or at least k
(``config.SUPPRESSION_K``) associations, and every share or median is over at least k. The tests
read the sheet's markdown (what ``reports/feedback/feedback.qmd`` prints) as a reader would, with
a parser of their own, for every association of the demo data and for fixtures built to tempt the
code: a type with only one other member, and a wave with fewer than k respondents.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from fslt_survey import clean_survey, config
from fslt_survey.followup import indicators_file, load_indicators
from fslt_survey.followup.feedback import (
    answered_associations,
    prepare_feedback,
    sheet_markdown,
)
from fslt_survey.registry import load_registry

K = config.SUPPRESSION_K
HIDDEN = ".."


@pytest.fixture(scope="module")
def demo():
    result = clean_survey("medlemsundersoegelse", demo=True)
    registry = load_registry(config.DEMO_REGISTRY_FILE)
    indicators = load_indicators(indicators_file(), result.instrument)
    return result.data, result.instrument, registry, indicators


def pipe_tables(markdown: str) -> list[tuple[list[str], list[list[str]], str]]:
    """(header, rows, caption) of every pipe table; the caption is the ``: ...`` line after it."""
    lines = markdown.splitlines()
    out = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|:"):
            head = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            caption = lines[i][1:].strip() if i < len(lines) and lines[i].startswith(":") else ""
            out.append((head, rows, caption))
        else:
            i += 1
    return out


def indicator_counts(ctx, wave: int) -> dict[str, tuple[int, int]]:
    """Indicator title -> (base, count) of the published indicator table in ``wave``."""
    table = ctx.indicator_table
    sfx = "to" if wave == ctx.indicators.followup else "from"
    return {str(r["title"]): (int(r[f"base_{sfx}"]), int(r[f"n_{sfx}"]))
            for _, r in table.iterrows()
            if pd.notna(r[f"base_{sfx}"]) and pd.notna(r[f"n_{sfx}"])}  # hidden: not printed


def figures_below_threshold(markdown: str,
                            indicators: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """Every figure on a sheet that rests on 1..k-1 associations, described for the message.

    ``indicators`` gives the base and count behind each indicator's figure (the sheet prints
    the share only); without it an indicator figure is a problem.
    """
    problems = []
    for m in re.finditer(r"\bn = (\d+)", markdown):
        if 0 < int(m[1]) < K:
            problems.append(f"a base n = {m[1]}: ...{markdown[max(0, m.start() - 60):m.end()]}")
    for m in re.finditer(r"\b(\d+) i alt\b", markdown):
        if 0 < int(m[1]) < K:
            problems.append(f"a count {m[0]!r}")
    for head, rows, caption in pipe_tables(markdown):
        compare = [j for j, h in enumerate(head) if h.startswith(("Alle foreninger",
                                                                  "Jeres gruppe"))]
        if head[0] == "Indikator":  # shares of all associations; their bases are not printed
            for row in rows:
                if not re.search(r"\d", row[-1]):
                    continue
                base, count = (indicators or {}).get(row[0], (0, 0))
                if base < K or 0 < count < K or 0 < base - count < K:
                    problems.append(f"indicator {row[0]!r} shows {row[-1]!r} of {count}/{base}")
            continue
        if head[0] == "Svarmulighed":  # a multi-select: the bases are in the caption
            bases = {
                "Alle": re.search(r"alle foreninger n = (\d+)", caption),
                "Jeres": re.search(r"jeres gruppe n = (\d+)", caption),
            }
            for j in compare:
                base = bases[head[j].split()[0]]
                shown = [r[j] for r in rows if r[j] != HIDDEN]
                if shown and (base is None or int(base[1]) < K):
                    problems.append(f"shares {shown} in {head[j]!r} over base "
                                    f"{base[0] if base else 'not shown'} ({caption})")
            continue
        for row in rows:
            for j in compare:
                cell = re.sub(rf"færre end {K}\b", "", row[j])  # "vises ikke (færre end 5)"
                if re.search(r"\d", cell) and not re.search(r"\(n = (\d+)\)", cell):
                    problems.append(f"{row[0]}: {head[j]} shows {cell!r} without its base")
    return problems


def test_no_figure_below_the_threshold_on_any_demo_sheet(demo):
    data, instrument, registry, indicators = demo
    ctx = prepare_feedback(data, instrument, registry, indicators=indicators)
    ids = answered_associations(ctx.data)
    assert len(ids) == 85  # every association that answered a wave of the demo
    checked = shown_multi = medians = indicators_shown = 0
    for aid in ids:
        markdown = sheet_markdown(ctx, aid)
        # every sheet compares with the wave the site publishes (issue 18)
        assert figures_below_threshold(markdown, indicator_counts(ctx, ctx.wave)) == [], aid
        checked += len(re.findall(r"\bn = \d+", markdown))
        medians += len(re.findall(r"median \d+ \(n = \d+\)", markdown))
        indicators_shown += "### Strategiens indikatorer" in markdown
        shown_multi += sum(1 for head, rows, _ in pipe_tables(markdown)
                           if head[0] == "Svarmulighed" for row in rows if "%" in row[-1])
    # not vacuous: the sheets do show figures where the base allows it
    assert checked > 85 * 20  # the parser really found the bases (about 40 a sheet)
    assert medians >= 85 * 2  # members and volunteers, for all associations
    assert shown_multi > 85 * 5  # multi-select shares of all associations
    assert indicators_shown == 85


def test_a_type_with_one_other_member_shows_no_type_figures(demo):
    """Two associations alone in their type: a median or share "of the type" would be the
    mean of the two, or the other's answer outright. Nothing of the type may be shown.

    Kills (applied by hand in ``feedback.py``, test failed, source restored): the median's
    threshold ``n < ctx.k`` -> ``n < 1`` (a median with n = 2 printed), and
    ``_distribution_text``'s ``base < k`` -> ``base < 1``.
    """
    data, instrument, registry, indicators = demo
    wave = int(data["wave"].max())
    answered = data[data["wave"] == wave]
    pair = [str(a) for a in answered["association_id"].iloc[:2]]
    assert answered["medlemmer"].iloc[:2].notna().all()  # both gave a number: a median of 2
    small = "Lille type"
    registry = registry.assign(assoc_type=registry["assoc_type"].astype(str))
    registry.loc[registry["association_id"].isin(pair), "assoc_type"] = small
    data = data.assign(assoc_type=data["assoc_type"].astype(str))
    data.loc[data["association_id"].isin(pair), "assoc_type"] = small
    ctx = prepare_feedback(data, instrument, registry, indicators=indicators)
    for aid in pair:
        markdown = sheet_markdown(ctx, aid)
        assert figures_below_threshold(markdown, indicator_counts(ctx, wave)) == [], aid
        for head, rows, _ in pipe_tables(markdown):
            for j in (j for j, h in enumerate(head) if h.startswith("Jeres gruppe")):
                for row in rows:
                    cell = re.sub(rf"færre end {K}\b", "", row[j])
                    assert not re.search(r"\d", cell), (aid, row[0], row[j])
        # no median of a group at all: a sheet prints only the median of all associations
        for head, rows, _ in pipe_tables(markdown):
            for row in rows:
                for j, cell in enumerate(row):
                    if "median" in cell:
                        assert head[j].startswith("Alle foreninger"), (aid, head[j], cell)


def test_a_wave_with_fewer_than_k_respondents_shows_no_figures(demo):
    """With k - 1 respondents every distribution, median and multi-select base rests on fewer
    than k associations: the sheet shows the association's own answers and no figure of others.

    Failed on the code before this test: the multi-select caption printed "alle foreninger
    n = 4" (a count of 4 associations); ``_multi_table`` now says "færre end k" instead.
    """
    data, instrument, registry, _ = demo
    wave = int(data["wave"].max())
    few = data[data["wave"] == wave].iloc[: K - 1]
    ctx = prepare_feedback(few, instrument, registry)
    for aid in answered_associations(few):
        markdown = sheet_markdown(ctx, aid)
        assert figures_below_threshold(markdown) == [], aid
        assert "median" not in markdown and "%" not in markdown.replace("færre end", "")


def test_the_checker_finds_planted_figures():
    """The parser is not blind: figures resting on 1..k-1 associations are reported."""
    flat = ("| Spørgsmål | Jeres svar 2027 | Alle foreninger 2027 | Jeres gruppe 2027 |\n"
            "|:--|:--|:--|:--|\n"
            "| Antal medlemmer | 20 | median 55 (n = 68) | median 30 (n = 2) |\n"
            "| Behov | Ja | Ja 40 % (n = 60) | Ja 50 % |\n")
    multi = ("| Svarmulighed | Jeres svar 2027 | Alle foreninger 2027 | Jeres gruppe 2027 |\n"
             "|:--|:--|--:|--:|\n"
             "| Kurser | valgt | 40 % | 75 % |\n\n"
             ": Andel, der har valgt hver mulighed: alle foreninger n = 3\n")
    problems = figures_below_threshold(flat + "\n" + multi + "\nI alt: 3 i alt\n")
    assert len(problems) == 6, problems
    assert figures_below_threshold(flat.replace("(n = 2)", "(n = 5)").replace(
        "Ja 50 %", "–")) == []


def test_a_median_over_an_odd_number_of_peers_is_banded_not_one_peers_value() -> None:
    """Issue 18: "18 medians over an odd number of peers (one peer's exact value, e.g. 286
    members, n = 11)". The sheet's median is banded (two significant digits, at least 5)."""
    import math

    from fslt_survey.followup.feedback_context import banded_median

    values = pd.Series([120, 150, 200, 240, 260, 286, 300, 310, 350, 400, 500], dtype=float)
    assert values.median() == 286  # unbanded: exactly the sixth peer's answer
    median, n = banded_median(values, K)
    assert (median, n) == (290, 11) and median not in set(values)
    assert banded_median(pd.Series([37.0, 37, 37, 37, 37]), K)[0] == 35
    assert banded_median(pd.Series([1450.0] * 5), K)[0] == 1400
    small, n_small = banded_median(values[: K - 1], K)
    assert math.isnan(small) and n_small == K - 1


def test_a_sheet_shows_the_sites_figures_and_hides_what_the_site_hides(site_dir, site_project):
    """Issue 18: a sheet is audited with the public release its recipient also holds - every
    figure it prints of others is one the site prints, hidden exactly where the site hides it:
    the latest wave's distributions (the site's downloads) and the needs by the association's
    published group (the site's heat map). No other wave, no type the site does not show."""
    from fslt_survey.codebook import load_instrument
    from fslt_survey.project import load_project, publication
    from fslt_survey.store import load_clean

    clean = site_project / "build" / "clean"
    data = load_clean("medlemsundersoegelse", clean)
    instrument = load_instrument(site_project / "surveys" / "medlemsundersoegelse" /
                                 "instrument.yml")
    settings = publication("medlemsundersoegelse", load_project(site_project))
    ctx = prepare_feedback(data, instrument, load_registry(clean / "registry.csv"),
                           k=settings.k, groups=settings.groups_of("assoc_type"),
                           min_group=settings.min_group)
    downloads = site_dir / "reports" / "downloads"
    assert {w for _, w in ctx.dists} == {int(data["wave"].max())}
    compared = hidden = 0
    for path in downloads.glob("*_2027.csv"):
        table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if {"svar", "uden_for_basen"} - set(table.columns):
            continue
        for r in table[table["uden_for_basen"] == "nej"].itertuples(index=False):
            base, cells = ctx.dists[(r.spoergsmaal, 2027)][ALL]
            assert (cells[r.svar] == HIDDEN) == (r.skjult == "ja"), (path.name, r)
            assert str(base) == r.basis, (path.name, r)
            compared += 1
            hidden += r.skjult == "ja"
    groups = pd.read_csv(downloads / "behov_efter_type_2027.csv", sep=";", dtype=str,
                         keep_default_na=False, encoding="utf-8-sig")
    for r in groups[groups["gruppe"] != "I alt"].itertuples(index=False):
        text, base = ctx.needs[r.spoergsmaal][r.gruppe]
        assert (text == HIDDEN) == (r.skjult == "ja"), r
        compared += 1
    assert compared > 200 and hidden > 0  # not vacuous


ALL = "Alle foreninger"
