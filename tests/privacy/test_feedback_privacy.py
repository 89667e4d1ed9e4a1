"""Privacy of the numbers a feedback sheet prints (``fslt_survey.followup.feedback``).

A sheet is confidential to one association, but it still must not let that association learn
another's answers from the figures: every count, base and median printed is of 0 or at least k
(``config.SUPPRESSION_K``) associations, every share or median is over at least k, and no share
of its base can only be a count of 1..k-1. The tests read the sheet's markdown (what
``reports/feedback/feedback.qmd`` prints: text, and the bar charts' figures in raw Typst blocks,
one row per line) as a reader would, with a parser of their own, for every association of the
demo data and for fixtures built to tempt the code: a type with only one other member, and a
wave with fewer than k respondents.
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


BLOCK = re.compile(r"```\{=typst\}\n#(fb-[a-z]+)\((.*?), rows: \(\n(.*?)  \)\)\n```", re.S)


def charts(markdown: str) -> list[tuple[str, str, list[str]]]:
    """(function, arguments, rows) of every chart block a sheet draws (raw Typst calling
    ``reports/feedback/sheet.typ``, one row per line); a reader sees each row's figures
    together, and so does this parser."""
    return [(m[1], m[2], m[3].splitlines()) for m in BLOCK.finditer(markdown)]


def field(row: str, name: str) -> str | None:
    """A row's string or literal field (``n: "63"`` -> ``63``; ``pct: 41`` -> ``41``)."""
    m = re.search(rf"\b{name}: (\"(?:[^\"\\]|\\.)*\"|\([^)]*\)|[^,)]+)", row)
    return None if m is None else m[1].strip('"')


def indicator_counts(ctx, wave: int) -> dict[str, tuple[int, int]]:
    """Indicator title -> (base, count) of the published indicator table in ``wave``."""
    table = ctx.indicator_table
    sfx = "to" if wave == ctx.indicators.followup else "from"
    return {str(r["title"]): (int(r[f"base_{sfx}"]), int(r[f"n_{sfx}"]))
            for _, r in table.iterrows()
            if pd.notna(r[f"base_{sfx}"]) and pd.notna(r[f"n_{sfx}"])}  # hidden: not printed


def small_counts(shares: list[int], base: int) -> list[int]:
    """The shares (whole per cent of ``base``) that can only be a count of 1..k-1."""
    def counts(share: int) -> set[int]:
        return {c for c in range(base + 1) if round(100 * c / base) == share}

    return [s for s in shares if counts(s) and counts(s) <= set(range(1, K))]


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
    for function, args, rows in charts(markdown):
        if function == "fb-indicators":  # shares of all associations; bases not printed
            for row in rows:
                title, shown = field(row, "title"), field(row, "all") or ""
                if not re.search(r"\d", shown):
                    continue
                base, count = (indicators or {}).get(title, (0, 0))
                if base < K or 0 < count < K or 0 < base - count < K:
                    problems.append(f"indicator {title!r} shows {shown!r} of {count}/{base}")
        elif function == "fb-multi":  # the base of all options is in the arguments
            base = re.search(r"base: \"n = (\d+)\"", args)
            shown = [field(r, "pct") for r in rows if field(r, "pct") != "none"]
            if shown and (base is None or int(base[1]) < K):
                problems.append(f"shares {shown} over base {base[0] if base else 'not shown'}")
            elif shown and small_counts([int(x) for x in shown], int(base[1])):
                problems.append(f"shares {shown} of {base[1]} hold a count below {K}")
        else:  # fb-scale: a bar or a median of all associations, and the group's share
            for row in rows:
                n = field(row, "n") or ""
                figures = re.search(r"\d", field(row, "shares") or "") or "median" in (
                    field(row, "note") or "")
                if figures and not (n.isdigit() and int(n) >= K):
                    problems.append(f"{field(row, 'label')}: figures over a base of {n!r}")
                elif n.isdigit() and 0 < int(n) < K:  # a base is a count of associations
                    problems.append(f"{field(row, 'label')}: a base of {n}")
                shares = [int(x) for x in re.findall(r"\d+", field(row, "shares") or "")]
                if shares and n.isdigit() and small_counts(shares, int(n)):
                    problems.append(f"{field(row, 'label')}: shares {shares} of {n} hold a "
                                    f"count below {K}")
                group = re.sub(rf"færre end {K}\b", "", field(row, "group") or "")
                if re.search(r"\d", group) and not re.search(r"\(n = (\d+)\)", group):
                    problems.append(f"{field(row, 'label')}: group {group!r} without its base")
    return problems


def test_no_figure_below_the_threshold_on_any_demo_sheet(demo):
    """Kills (applied by hand, test failed, source restored): the distributions prepared
    without :func:`fslt_survey.publish.suppress` (a bar's 6 % of 65 is 4 associations)."""
    data, instrument, registry, indicators = demo
    ctx = prepare_feedback(data, instrument, registry, indicators=indicators)
    ids = answered_associations(ctx.data)
    assert len(ids) == 85  # every association that answered a wave of the demo
    checked = shown_multi = medians = indicators_shown = 0
    for aid in ids:
        markdown = sheet_markdown(ctx, aid)
        # every sheet compares with the wave the site publishes (issue 18)
        assert figures_below_threshold(markdown, indicator_counts(ctx, ctx.wave)) == [], aid
        checked += len(re.findall(r"\bn = \d+|\bn: \"\d+\"", markdown))
        medians += len(re.findall(r"note: \"median \d+\"", markdown))
        indicators_shown += "### Strategiens indikatorer" in markdown
        shown_multi += sum(1 for function, _, rows in charts(markdown) if function == "fb-multi"
                           for row in rows if field(row, "pct") != "none")
    # not vacuous: the sheets do show figures where the base allows it
    assert checked > 85 * 20  # the parser really found the bases (about 40 a sheet)
    assert medians >= 85 * 2  # members and volunteers, for all associations
    assert shown_multi > 85 * 5  # multi-select shares of all associations
    assert indicators_shown == 85


def test_a_type_with_one_other_member_shows_no_type_figures(demo):
    """Two associations alone in their type: a median or share "of the type" would be the
    mean of the two, or the other's answer outright. Nothing of the type may be shown.
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
        for _, _, rows in charts(markdown):
            for row in rows:
                cell = re.sub(rf"færre end {K}\b", "", field(row, "group") or "")
                assert not re.search(r"\d", cell), (aid, row)
                # no median of a group at all: a sheet prints only all associations' median
                assert "median" not in (field(row, "group") or ""), (aid, row)
        assert len(re.findall(r"note: \"median \d+\"", markdown)) >= 2  # all associations


def test_a_wave_with_fewer_than_k_respondents_shows_no_figures(demo):
    """With k - 1 respondents every distribution, median and multi-select base rests on fewer
    than k associations: the sheet shows the association's own answers and no figure of others.

    Failed on the code before this test: the multi-select caption printed "alle foreninger
    n = 4" (a count of 4 associations); ``_multi_block`` now says "færre end k" instead.
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
    def block(function: str, args: str, *rows: str) -> str:
        body = "".join(f"    {r},\n" for r in rows)
        return f"```{{=typst}}\n#{function}({args}, rows: (\n{body}  ))\n```\n"

    head = 'waves: ("Jeres svar 2027",), all: "Alle foreninger 2027"'
    flat = block(
        "fb-scale", f'cats: ("Ja", "Nej"), {head}, group: "Jeres gruppe 2027"',
        '(label: "Antal medlemmer", own: ("20",), shares: none, mine: none, n: "68", '
        'note: "median 55", group: "median 30 (n = 2)")',
        '(label: "Behov", own: ("Ja",), shares: (40, 60), mine: 0, n: "2", group: "Ja 50 %")',
    )
    multi = block("fb-multi", f'{head}, base: "n = 3", note: ""',
                  '(label: "Kurser", own: ("valgt",), pct: 40)')
    indicator = block("fb-indicators", head,
                      '(title: "Samarbejde", own: ("Ja",), all: "53 % af foreningerne")')
    problems = figures_below_threshold(flat + multi + indicator + "\nI alt: 3 i alt\n")
    assert len(problems) == 7, problems
    assert figures_below_threshold(
        flat.replace("(n = 2)", "(n = 5)").replace('n: "2"', 'n: "60"').replace(
            "Ja 50 %", "..")) == []
    assert len(charts(flat + multi + indicator)) == 3


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
