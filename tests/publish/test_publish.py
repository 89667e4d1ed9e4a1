"""Publishing: suppression of every published number, consistent derived shares, safe quotes
and downloads (fslt_survey.publish)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fslt_survey import publish, stats
from fslt_survey.privacy import find_recoverable_counts, scan_for_personal_data

K = 5
GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
REASONS = ["Ved ikke", "Ikke relevant", "Ikke besvaret"]
TEMAER = ["frivillige", "fundraising", "gdpr"]


def frame(
    counts: dict[str, int],
    missing: dict[str, int] | None = None,
    *,
    item: str = "behov_a",
    wave: int = 2027,
    groups: list[str] | None = None,
) -> pd.DataFrame:
    """Clean-like data for one Likert item: answers in scale order, then typed missing."""
    missing = missing or {}
    values = [lab for lab, n in counts.items() for _ in range(n)]
    reasons = [r for r, n in missing.items() for _ in range(n)]
    n = len(values) + len(reasons)
    df = pd.DataFrame(
        {
            "wave": [wave] * n,
            "association_id": [f"F{wave}{i:03d}" for i in range(n)],
            item: pd.Categorical(values + [None] * len(reasons), categories=GRAD, ordered=True),
            f"{item}__missing": pd.Categorical([None] * len(values) + reasons, categories=REASONS),
        }
    )
    if groups is not None:
        df["gruppe"] = pd.Categorical(groups[:n])
    return df


def multi_frame(ticks: list[tuple[bool, bool, bool] | None], wave: int = 2027) -> pd.DataFrame:
    """Clean-like data for the multi-select item ``temaer`` (None = not answered)."""
    rows = len(ticks)
    data: dict[str, object] = {"wave": [wave] * rows}
    for j, key in enumerate(TEMAER):
        data[f"temaer__{key}"] = pd.array(
            [None if t is None else t[j] for t in ticks], dtype="boolean"
        )
    data["temaer__missing"] = pd.Categorical(
        ["Ikke besvaret" if t is None else None for t in ticks], categories=REASONS
    )
    return pd.DataFrame(data)


def int_cells(markdown: str, heading_prefixes: tuple[str, ...] = ("Antal", "Basis")) -> list[int]:
    """Integers in the columns of a pipe table whose heading starts with one of the prefixes."""
    lines = [ln for ln in markdown.splitlines() if ln.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    cols = [i for i, h in enumerate(head) if h.startswith(heading_prefixes)]
    out = []
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        for i in cols:
            text = cells[i].replace(".", "")
            if re.fullmatch(r"\d+", text):
                out.append(int(text))
    return out


# --------------------------------------------------------------------------- distributions


def test_small_counts_and_their_percentages_are_hidden(small_instrument) -> None:
    df = frame({"I høj grad": 40, "I nogen grad": 14, "I mindre grad": 7, "Slet ikke": 4})
    tab = stats.tab_single(df, small_instrument.item("behov_a"))
    sup = publish.suppress(tab, k=K)
    row = sup.set_index("category").loc["Slet ikke"]
    assert row["suppressed"] and pd.isna(row["n"]) and pd.isna(row["pct"])
    assert pd.isna(row["ci_low"]) and pd.isna(row["ci_high"])
    # secondary: one more substantive cell is hidden, so 4 cannot be found from the base
    subst = sup.loc[~sup["missing"]]
    assert subst["suppressed"].sum() >= 2
    published = subst.loc[:, ["category", "n", "base", "pct", "ci_low", "ci_high"]]
    assert find_recoverable_counts(published) == []
    md = publish.frequency_table(tab, k=K)
    assert all(not 0 < v < K for v in int_cells(md))
    assert ".. = skjult" in md


def test_suppress_does_not_modify_its_input(small_instrument) -> None:
    df = frame({"I høj grad": 3, "I nogen grad": 10, "I mindre grad": 10, "Slet ikke": 10})
    tab = stats.tab_single(df, small_instrument.item("behov_a"))
    before = tab.copy(deep=True)
    publish.suppress(tab, k=K)
    pd.testing.assert_frame_equal(tab, before)


def test_small_base_hides_the_whole_item_and_the_base(small_instrument) -> None:
    df = frame({"I høj grad": 2, "I nogen grad": 1, "I mindre grad": 0, "Slet ikke": 1})
    tab = stats.tab_single(df, small_instrument.item("behov_a"))
    sup = publish.suppress(tab, k=K)
    subst = sup.loc[~sup["missing"]]
    assert subst["suppressed"].all()
    assert subst["n"].isna().all() and subst["base"].isna().all()
    assert "Basis:" not in publish.frequency_table(tab, k=K)


def test_typed_missing_reasons_are_protected_as_their_own_line(small_instrument) -> None:
    counts = {"I høj grad": 20, "I nogen grad": 20, "I mindre grad": 10, "Slet ikke": 10}
    # 2 + 1 reasons: fewer than k together -> all hidden and shown as one row
    tab = stats.tab_single(
        frame(counts, {"Ved ikke": 2, "Ikke besvaret": 1}), small_instrument.item("behov_a")
    )
    sup = publish.suppress(tab, k=K)
    assert sup.loc[sup["missing"], "suppressed"].all()
    md = publish.frequency_table(tab, k=K)
    assert md.count("(uden for basen)") == 1 and "Ved ikke m.m. (uden for basen)" in md
    # 9 + 2: the 2 is hidden and so is the 9 (the reasons add up to asked minus answered)
    tab = stats.tab_single(
        frame(counts, {"Ved ikke": 9, "Ikke besvaret": 2}), small_instrument.item("behov_a")
    )
    sup = publish.suppress(tab, k=K).set_index("category")
    assert sup.loc["Ikke besvaret", "suppressed"] and sup.loc["Ved ikke", "suppressed"]
    zero = sup.loc[sup["missing"] & (sup["n"].fillna(-1) == 0)]
    assert not zero["suppressed"].any()  # reasons nobody gave: published zeros


def test_public_frequencies_publish_only_the_base_of_those_who_answered(small_instrument) -> None:
    counts = {"I høj grad": 5, "I nogen grad": 0, "I mindre grad": 0, "Slet ikke": 6}
    item = small_instrument.item("behov_a")
    df = frame(counts, {"Ved ikke": 2}, groups=["A"] * 6 + ["B"] * 7)
    for by in (None, "gruppe"):
        tab = stats.tab_single(df, item, by=by)
        table = publish.public_frequencies(tab, k=K, by=by)
        missing = table["uden_for_basen"] == "ja"
        assert table.loc[missing, "basis"].isna().all()  # 13 asked would reveal 13 - 11 = 2
        shown = pd.concat([table["antal"].dropna(), table["basis"].dropna()])
        assert not shown.between(1, K - 1).any()
    overall = publish.public_frequencies(stats.tab_single(df, item), k=K)
    assert overall["basis"].dropna().unique().tolist() == [11]


def test_multi_select_hides_small_counts_and_small_complements(small_instrument) -> None:
    ticks = [(True, True, False)] * 3 + [(True, False, True)] * 17 + [None] * 2
    tab = stats.tab_multi(multi_frame(ticks), small_instrument.item("temaer"))
    sup = publish.suppress(tab, k=K, multi_select=True).set_index("category")
    base = 20
    assert sup.loc["Frivillige", "n"] == base  # 20 of 20: the complement is a zero
    assert pd.isna(sup.loc["Fundraising, fonde og §18", "n"])  # 3 < k
    assert pd.isna(sup.loc["GDPR", "n"])  # 17: its complement 3 < k
    assert int(sup.loc["Frivillige", "base"]) == base
    table = publish.public_frequencies(tab, k=K, multi_select=True)
    assert not table["antal"].dropna().between(1, K - 1).any()


def test_cross_tab_by_group_is_protected_in_two_dimensions(small_instrument) -> None:
    counts = {"I høj grad": 12, "I nogen grad": 13, "I mindre grad": 14, "Slet ikke": 11}
    groups = ["A"] * 3 + ["B"] * 9 + ["C"] * 10 + ["A"] * 5 + ["B"] * 8 + ["C"] * 20
    df = frame(counts, groups=groups)
    tab = stats.tab_single(df, small_instrument.item("behov_a"), by="gruppe")
    sup = publish.suppress(tab, k=K, by="gruppe")
    pub = sup.loc[~sup["missing"], ["gruppe", "category", "n", "base", "pct"]]
    totals = stats.tab_single(df, small_instrument.item("behov_a")).set_index("category")["n"]
    found = find_recoverable_counts(
        pub.assign(gruppe=pub["gruppe"].astype(str)),
        group_col="gruppe",
        column_totals=totals,
    )
    assert found == []
    assert not pub["n"].dropna().between(1, K - 1).any()


def test_derived_share_must_not_straddle_hidden_cells(small_instrument) -> None:
    item = small_instrument.item("behov_a")
    # hidden: "Slet ikke" (3) and one more; top-2 is safe only if both hidden cells are outside
    tab = stats.tab_single(
        frame({"I høj grad": 20, "I nogen grad": 15, "I mindre grad": 10, "Slet ikke": 3}), item
    )
    sup = publish.suppress(tab, k=K)
    hidden = set(sup.loc[sup["suppressed"] & ~sup["missing"], "category"])
    top = ["I høj grad", "I nogen grad"]
    expected = not (hidden & set(top) and hidden - set(top))
    assert publish.share_publishable(tab, top, k=K) == expected
    # a share whose own count is small is never published
    assert not publish.share_publishable(tab, ["Slet ikke"], k=K)
    # a share that would reveal a hidden cell: "Slet ikke" hidden, "I mindre grad" hidden
    tab2 = stats.tab_single(
        frame({"I høj grad": 6, "I nogen grad": 30, "I mindre grad": 20, "Slet ikke": 3}), item
    )
    sup2 = publish.suppress(tab2, k=K)
    hidden2 = set(sup2.loc[sup2["suppressed"] & ~sup2["missing"], "category"])
    assert len(hidden2) == 2 and "Slet ikke" in hidden2
    other = (hidden2 - {"Slet ikke"}).pop()
    assert not publish.share_publishable(tab2, ["Slet ikke", "I nogen grad"], k=K)
    if other != "I nogen grad":
        assert not publish.share_publishable(tab2, [other, "I nogen grad"], k=K)


def test_likert_table_hides_top2_that_would_reveal_a_hidden_cell(small_instrument) -> None:
    item = small_instrument.item("behov_a")
    # "I nogen grad" (2) hidden with a cell from the other side -> the top-2 must go
    df = frame({"I høj grad": 20, "I nogen grad": 2, "I mindre grad": 6, "Slet ikke": 30})
    dist = stats.tab_likert(df, [item])
    sup = publish.suppress(dist, k=K)
    hidden = set(sup.loc[sup["suppressed"], "category"])
    summary = stats.tab_likert_summary(df, [item])
    md = publish.likert_table(summary, k=K, distribution=dist)
    straddles = bool(hidden & set(GRAD[:2])) and bool(hidden - set(GRAD[:2]))
    row = next(ln for ln in md.splitlines() if ln.startswith("| Behov for A"))
    assert ("%" not in row.split("|")[3]) == straddles


def test_patterns_publishable() -> None:
    ok = pd.DataFrame({"a": [True] * 10 + [False] * 10, "b": [True] * 5 + [False] * 15})
    assert publish.patterns_publishable(ok, k=K)
    bad = pd.DataFrame({"a": [True] * 10 + [False] * 10, "b": [True] * 2 + [False] * 18})
    assert not publish.patterns_publishable(bad, k=K)


# --------------------------------------------------------------------------- rankings


def _battery(instrument):
    return [instrument.item("behov_a"), instrument.item("behov_b")]


def test_ranking_hides_small_shares_and_their_rank(small_instrument) -> None:
    a = frame({"I høj grad": 3, "I nogen grad": 10, "I mindre grad": 10, "Slet ikke": 10})
    b = frame(
        {"I høj grad": 12, "I nogen grad": 8, "I mindre grad": 8, "Slet ikke": 5}, item="behov_b"
    )
    df = pd.concat([a, b.drop(columns=["wave", "association_id"])], axis=1)
    items = _battery(small_instrument)
    ranking = stats.rank_needs(df, items)
    sup = publish.suppress_ranking(ranking, k=K, distributions=stats.tab_likert(df, items))
    assert list(sup["item"]) == ["behov_b", "behov_a"]  # hidden rows last
    hidden = sup.set_index("item").loc["behov_a"]
    assert hidden["suppressed"] and pd.isna(hidden["rank"]) and pd.isna(hidden["pct"])
    assert int(sup.set_index("item").loc["behov_b", "rank"]) == 1
    md = publish.ranking_table(ranking, k=K, suppressed=sup)
    assert all(not 0 < v < K for v in int_cells(md))


def test_ranking_by_group_cannot_be_recovered_from_the_totals(small_instrument) -> None:
    rng = np.random.default_rng(7)
    n = 70
    groups = list(rng.choice(["A", "B", "C", "D"], size=n, p=[0.1, 0.3, 0.3, 0.3]))
    answers = list(rng.choice(GRAD, size=n, p=[0.3, 0.3, 0.2, 0.2]))
    df = pd.DataFrame(
        {
            "wave": 2027,
            "behov_a": pd.Categorical(answers, categories=GRAD, ordered=True),
            "behov_a__missing": pd.Categorical([None] * n, categories=REASONS),
            "gruppe": pd.Categorical(groups),
        }
    )
    item = [small_instrument.item("behov_a")]
    heat = stats.rank_needs(df, item, by="gruppe")
    sup = publish.suppress_ranking(heat, k=K, by="gruppe", distributions=stats.tab_likert(df, item))
    # as an attacker: every group's yes/no with the group bases and the published totals
    rows = []
    for r in sup.itertuples(index=False):
        base = heat.loc[(heat["gruppe"] == r.gruppe) & (heat["item"] == r.item), "base"].iloc[0]
        rows += [
            {"g": str(r.gruppe), "category": "ja", "n": r.n, "base": base},
            {"g": str(r.gruppe), "category": "nej", "n": pd.NA if pd.isna(r.n) else base - r.n,
             "base": base},
        ]  # fmt: skip
    pub = pd.DataFrame(rows)
    pub["n"] = pub["n"].astype("Int64")
    found = find_recoverable_counts(pub, group_col="g", total_group="I alt", hide_cols=[])
    assert found == []
    assert not sup["n"].dropna().between(1, K - 1).any()


def test_a_sensitive_item_hides_every_group_where_all_or_none_answered(small_instrument) -> None:
    """Group-attribute disclosure (issue 18): in group B nobody answers "I høj grad" - a zero
    that is published for an ordinary item but tells each of B's members' answer for a
    sensitive one; then every group of the item is hidden (one hidden group would be the
    total minus the others), the total stays."""
    per_group = {"A": ["I høj grad"] * 5 + ["Slet ikke"] * 5, "B": ["Slet ikke"] * 8,
                 "C": ["I høj grad"] * 6 + ["I nogen grad"] * 6}  # fmt: skip
    groups = [g for g, answers in per_group.items() for _ in answers]
    answers = [a for a in per_group.values() for a in a]
    df = pd.DataFrame(
        {
            "wave": 2027,
            "behov_a": pd.Categorical(answers, categories=GRAD, ordered=True),
            "behov_a__missing": pd.Categorical([None] * len(answers), categories=REASONS),
            "gruppe": pd.Categorical(groups),
        }
    )
    item = [small_instrument.item("behov_a")]
    heat = stats.rank_needs(df, item, by="gruppe")
    plain = publish.suppress_ranking(heat, k=3, by="gruppe")
    assert plain.loc[plain["gruppe"] == "B", "n"].tolist() == [0]  # ordinary: the zero shows
    sens = publish.suppress_ranking(heat, k=3, by="gruppe", sensitive=["behov_a"])
    shown = dict(zip(sens["gruppe"].astype(str), sens["n"], strict=True))
    assert shown["I alt"] == 11
    assert all(pd.isna(shown[g]) for g in ("A", "B", "C"))
    other = publish.suppress_ranking(heat, k=3, by="gruppe", sensitive=["behov_b"])
    assert other["n"].notna().all()  # only the declared item


# --------------------------------------------------------------------------- waves


def test_trend_rows_are_hidden_when_a_wave_has_small_counts(small_instrument) -> None:
    early = frame({"I høj grad": 2, "I nogen grad": 20, "I mindre grad": 20, "Slet ikke": 20},
                  wave=2025)  # fmt: skip
    late = frame({"I høj grad": 15, "I nogen grad": 15, "I mindre grad": 15, "Slet ikke": 15})
    df = pd.concat([early, late], ignore_index=True)
    item = small_instrument.item("behov_a")
    cw = stats.compare_waves(df, item)
    rows = cw.loc[cw["measure"] != "distribution"].copy()
    rows["p_adj"] = stats.adjust_pvalues(rows["p"].to_numpy(dtype=float), "fdr_bh")
    sup = publish.suppress_trend(rows, data=df, k=K)
    tabs = {w: stats.tab_single(df.loc[df["wave"] == w], item) for w in (2025, 2027)}
    for r in sup.itertuples(index=False):
        labels = str(r.category).split(" + ")
        ok = all(publish.share_publishable(tabs[w], labels, k=K) for w in tabs)
        assert r.suppressed == (not ok), r.category
        if r.suppressed:
            assert pd.isna(r.diff) and pd.isna(r.p_adj) and pd.isna(r.pct_from)
    by_cat = sup.set_index("category")
    assert by_cat.loc["I høj grad", "suppressed"]  # 2 in 2025
    assert not sup["suppressed"].all()
    md = publish.trend_table(sup, k=K)
    assert "Benjamini-Hochberg" in md


# --------------------------------------------------------------------------- quotes


def test_quotes_are_redacted_escaped_and_deterministic() -> None:
    texts = [
        "Vi mangler en ny kasserer. Kontakt gerne vores formand Lise Holm på lise@example.org.",
        "Ring til mig på +45 12 34 56 78 – så kan jeg forklare det.",
        "Kassererens CPR-nummer (010190-1234) skal oplyses hvert år.",
        "<script>alert(1)</script> Tak for hjælpen med vores hjemmeside!",
        "Lyngby Skakklub har brug for et lokale om aftenen.",
        "Netværksmøderne har været en stor hjælp for os.",
        "Netværksmøderne har været en stor hjælp for os.",
        None,
        "ok",
    ]
    md = publish.quotes(texts, limit=None, names=["Lyngby Skakklub"])
    assert scan_for_personal_data(md) == []
    assert "Lise" not in md and "Holm" not in md and "\\[navn\\]" in md
    assert "Skakklub" not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert md.splitlines()[0] == "> Netværksmøderne har været en stor hjælp for os."  # most often
    assert md.count("Netværksmøderne") == 1
    assert "ok" not in md.split("\n")
    assert md == publish.quotes(list(reversed(texts)), limit=None, names=["Lyngby Skakklub"])
    assert publish.quotes(texts, limit=2).count("\n> ") == 1


def test_name_candidates() -> None:
    assert publish.name_candidates("Kontakt vores formand Lise Holm i dag") == ["Lise Holm"]
    assert publish.name_candidates("Vi holder til i Kongens Lyngby") == []
    assert publish.name_candidates("Huset på Rustenborgvej er dejligt") == []
    assert publish.name_candidates("Hans Jensen er vores kasserer") == []  # one word left


# --------------------------------------------------------------------------- figures/downloads


def test_figure_writes_svg_and_returns_markdown_with_alt(tmp_path: Path) -> None:
    from fslt_survey.plots import plot_ranked_needs

    ranking = pd.DataFrame(
        {"item": ["a"], "label": ["Lokaler <b>"], "pct": [40.0], "ci_low": [30.0],
         "ci_high": [50.0], "base": [60]}
    )  # fmt: skip
    chart = plot_ranked_needs(ranking, title="Behov", source="Kilde: test")
    md = publish.figure(chart, "Side-Behov 1", caption="Behov *nu*", folder=tmp_path / "figurer")
    assert (tmp_path / "figurer" / "side-behov-1.svg").is_file()
    assert 'fig-alt="Vandret søjlediagram' in md
    assert "\\*nu\\*" in md


def test_downloads_are_danish_excel_csv_and_neutralised(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "svar": ['=HYPERLINK("http://x")', "+45 tekst", "-minus", "@sum", "Ja"],
            "antal": pd.array([10, 12, None, 7, 9], dtype="Int64"),
            "andel_pct": [12.5, 30.0, None, 10.0, 47.5],
        }
    )
    paths = publish.downloads({"test_tabel": df}, tmp_path)
    csv_path, xlsx_path = paths
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["svar", "antal", "andel_pct"]
    assert rows[1][2] == "12,5"
    for row in rows[1:]:
        assert not row[0].startswith(("=", "+", "-", "@"))
    ws = load_workbook(xlsx_path).active
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@"))
    with pytest.raises(ValueError, match="lower-case"):
        publish.downloads({"Bad Name": df}, tmp_path)
