"""Tests of fslt_survey.tables: Danish number formats and pandoc pipe tables.

Markdown tables are checked by rendering them with pandoc (pypandoc) and parsing the HTML with
an HTML parser, so a cell must come back exactly as the survey answer went in.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pypandoc
import pytest

from fslt_survey.errors import SurveyDataError
from fslt_survey.tables import (
    CI_HEADING,
    NBSP,
    escape_markdown,
    format_ci,
    format_number,
    format_p,
    format_pct,
    present_frequencies,
    to_markdown_table,
)


class _Cells(HTMLParser):
    """Collect caption, header cells, body rows and cell alignment from pandoc's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.aligns: list[str | None] = []
        self.caption = ""
        self.table_id: str | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.table_id = a.get("id")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "th":
                style = a.get("style") or ""
                self.aligns.append(style.split(":")[1].strip(" ;") if ":" in style else None)
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            (self.header if tag == "th" else self.rows[-1]).append(text)
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def render(md: str) -> _Cells:
    html = pypandoc.convert_text(md, "html", format="markdown", extra_args=["--wrap=none"])
    p = _Cells()
    p.feed(html)
    p.rows = [r for r in p.rows if r]
    return p


# --------------------------------------------------------------------------- formats


def test_format_pct_and_number() -> None:
    assert format_pct(12) == f"12{NBSP}%"
    assert format_pct(12.5, decimals=1) == f"12,5{NBSP}%"
    assert format_pct(12.5) == f"13{NBSP}%"  # half-up, not banker's rounding
    assert format_pct(0.049, decimals=1) == f"0,0{NBSP}%"
    assert format_pct(-0.2) == f"0{NBSP}%"  # no "-0"
    assert format_pct(np.nan) == "–"
    assert format_pct(None, na="") == ""
    assert format_number(1234567.891, decimals=2) == "1.234.567,89"
    assert format_number(2.675, decimals=2) == "2,68"
    assert format_number(7) == "7"
    assert format_number(-1500) == "\u22121.500"  # a true minus
    assert format_number(pd.NA) == "–"


def test_formats_vectorise() -> None:
    s = pd.Series([12.0, np.nan, 99.5], index=[3, 4, 5])
    out = format_pct(s)
    assert out.index.tolist() == [3, 4, 5]
    assert out.tolist() == [f"12{NBSP}%", "–", f"100{NBSP}%"]
    assert format_number([1, 2.5], decimals=1) == ["1,0", "2,5"]
    ci = format_ci(pd.Series([8.2, np.nan]), pd.Series([17.4, 3.0]))
    assert ci.tolist() == [f"(8–17{NBSP}%)", ""]


def test_format_ci() -> None:
    assert format_ci(8.2, 17.4) == f"(8–17{NBSP}%)"
    assert format_ci(8.25, 17.4, decimals=1) == f"(8,3–17,4{NBSP}%)"
    assert format_ci(-4.2, 12.1) == f"(\u22124 til 12{NBSP}%)"
    assert format_ci(None, 3) == ""


def test_format_p() -> None:
    assert format_p(0.03) == "p = 0,03"
    assert format_p(0.0304) == "p = 0,03"
    assert format_p(0.004) == "p = 0,004"
    assert format_p(0.0004) == "p < 0,001"
    assert format_p(0.001) == "p = 0,001"
    assert format_p(1.0) == "p = 1,00"
    assert format_p(0.4857, prefix=False) == "0,49"
    assert format_p(0.00001, prefix=False) == "< 0,001"
    assert format_p(np.nan) == ""
    assert format_p([0.2, 0.0001]) == ["p = 0,20", "p < 0,001"]
    with pytest.raises(SurveyDataError, match=r"lies between 0 and 1 \(found '1.2'\)"):
        format_p(1.2)


# --------------------------------------------------------------------------- markdown


NASTY = [
    "Vi mangler *frivillige* & __penge__",
    "Kontakt: a|b | c",
    "`kode` og <b>fed</b> [link](http://x.dk)",
    "# ikke en overskrift",
    r"sti C:\mappe\fil",
    "$5 og $6 i kontingent ~ca.~ 2^3",
    "skriv til @kasserer",
    "25--30 medlemmer --- cirka",
    "&amp; er ikke &",
    "linje et\nlinje to",
    "![billede](x.png) {.klasse}",
]


def test_escaped_cells_survive_pandoc() -> None:
    df = pd.DataFrame({"Svar": NASTY, "Antal": range(len(NASTY))})
    md = to_markdown_table(df)
    parsed = render(md)
    assert parsed.header == ["Svar", "Antal"]
    expected = [t.replace("\n", " ") for t in NASTY]
    assert [r[0] for r in parsed.rows] == expected
    assert [r[1] for r in parsed.rows] == [str(i) for i in range(len(NASTY))]


def test_markdown_table_rename_align_caption_label() -> None:
    df = pd.DataFrame(
        {"category": ["Ja", "Nej"], "n": [7, 5], "pct": [58.333, 41.667], "note": ["a_b", None]}
    )
    md = to_markdown_table(
        df,
        columns={"category": "Svar", "n": "Antal", "pct": "Andel"},
        caption="Driver *I* grupper? (n = 12)",
        label="tbl-driver",
    )
    lines = md.splitlines()
    assert lines[0].startswith("| Svar")
    assert lines[1].startswith("|--") and lines[1].endswith(":|")  # left is the default
    assert len({len(line) for line in lines[:4]}) == 1  # padded into a tidy grid
    assert md.endswith(": Driver \\*I\\* grupper? (n = 12) {#tbl-driver}\n")
    parsed = render(md)
    assert parsed.header == ["Svar", "Antal", "Andel"]
    assert parsed.rows == [["Ja", "7", "58,3"], ["Nej", "5", "41,7"]]
    assert parsed.aligns == [None, "right", "right"]  # left: the default, no style per cell
    assert parsed.caption == "Driver *I* grupper? (n = 12)"
    assert parsed.table_id == "tbl-driver"
    md2 = to_markdown_table(df, columns=["category", "note"], align="cr", na="–")
    assert "| Nej " in md2 and "–" in md2
    p2 = render(md2)
    assert p2.aligns == ["center", "right"]
    assert p2.rows[0] == ["Ja", "a_b"]


def test_markdown_table_errors_and_empty() -> None:
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(SurveyDataError, match="unknown column"):
        to_markdown_table(df, columns=["b"])
    with pytest.raises(SurveyDataError, match="align"):
        to_markdown_table(df, align="lr")
    with pytest.raises(SurveyDataError, match="alignment"):
        to_markdown_table(df, align={"a": "middle"})
    with pytest.raises(SurveyDataError, match="label"):
        to_markdown_table(df, label="tbl x")
    empty = to_markdown_table(pd.DataFrame({"Svar": [], "Antal": []}))
    assert render(empty).header == ["Svar", "Antal"]


def test_escape_markdown() -> None:
    assert escape_markdown("a*b") == r"a\*b"
    assert escape_markdown("x|y") == r"x\|y"
    assert escape_markdown("#1") == r"\#1"
    assert escape_markdown("a\r\nb") == "a b"
    assert escape_markdown(12) == "12"


# --------------------------------------------------------------------------- presets


def _tab() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": ["q"] * 4,
            "label": ["Behov"] * 4,
            "category": ["Ja", "Nej", "Ved ikke", "Ikke besvaret"],
            "level": [1, 2, None, None],
            "missing": [False, False, True, True],
            "n": [6, 3, 2, 1],
            "base": [9, 9, 12, 12],
            "pct": [66.67, 33.33, 16.67, 8.33],
            "ci_low": [35.4, 12.1, 4.7, 1.5],
            "ci_high": [87.9, 64.6, 44.8, 35.4],
            "base_eff": [9.0, 9.0, 12.0, 12.0],
        }
    )


def test_present_frequencies() -> None:
    tab = _tab()
    before = tab.copy(deep=True)
    out = present_frequencies(tab)
    assert tab.equals(before)
    assert list(out.columns) == ["Svar", "Antal", "Andel", CI_HEADING]
    assert CI_HEADING == "95\u00a0%-konfidensinterval"
    assert out["Svar"].tolist() == ["Ja", "Nej", "Ved ikke", "Ikke besvaret"]
    assert out["Antal"].tolist() == ["6", "3", "2", "1"]
    assert out["Andel"].tolist() == [f"67{NBSP}%", f"33{NBSP}%", "", ""]
    assert out[CI_HEADING].tolist()[:2] == [f"(35–88{NBSP}%)", f"(12–65{NBSP}%)"]
    assert present_frequencies(tab, show_missing=False)["Svar"].tolist() == ["Ja", "Nej"]
    md = to_markdown_table(present_frequencies(tab))
    parsed = render(md)
    assert parsed.header == ["Svar", "Antal", "Andel", CI_HEADING]
    assert parsed.aligns == [None, "right", "right", "right"]


def test_present_frequencies_groups_items_and_shared_base() -> None:
    a = _tab().assign(base=12, gruppe="x")
    b = _tab().assign(item="r", label="Andet behov", gruppe="x")
    out = present_frequencies(pd.concat([a, b], ignore_index=True))
    assert list(out.columns) == ["Spørgsmål", "gruppe", "Svar", "Antal", "Andel", CI_HEADING]
    # item q was tabulated with include_missing=True (one base): its reasons keep their share
    assert out["Andel"].tolist()[:4] == [f"67{NBSP}%", f"33{NBSP}%", f"17{NBSP}%", f"8{NBSP}%"]
    assert out["Andel"].tolist()[6:] == ["", ""]
    with pytest.raises(SurveyDataError, match="tab_single"):
        present_frequencies(pd.DataFrame({"x": [1]}))


def _by_group_tab(include_missing: bool, typed: bool = True) -> pd.DataFrame:
    """tab_single by group: group "x" has typed missing (when ``typed``), group "y" none."""
    from fslt_survey.stats import tab_single

    x = ["Ja"] * 6 + ["Nej"] * 3 + (["Ved ikke"] * 2 + ["Ikke besvaret"] if typed else [])
    y = ["Ja"] * 4 + ["Nej"] * 4
    values = x + y
    reasons = ["Ved ikke", "Ikke besvaret"]
    df = pd.DataFrame(
        {
            "gruppe": pd.Categorical(["x"] * len(x) + ["y"] * len(y), categories=["x", "y"]),
            "q": pd.Categorical([v if v in ("Ja", "Nej") else None for v in values], ["Ja", "Nej"]),
            "q__missing": pd.Categorical([v if v in reasons else None for v in values], reasons),
        }
    )
    return tab_single(df, "q", by="gruppe", include_missing=include_missing)


def test_present_frequencies_missing_rows_alike_in_every_group() -> None:
    """Regression: a group where nobody was typed missing showed "Ved ikke 0 · 0 % (0–35 %)"
    while the other groups left share and interval blank."""
    out = present_frequencies(_by_group_tab(include_missing=False))
    mis = out[out["Svar"].isin(["Ved ikke", "Ikke besvaret"])]
    assert mis["gruppe"].tolist() == ["x", "x", "y", "y"]
    assert mis["Antal"].tolist() == ["2", "1", "0", "0"]
    assert (mis["Andel"] == "").all() and (mis[CI_HEADING] == "").all()
    answers = out[~out["Svar"].isin(["Ved ikke", "Ikke besvaret"])]
    assert answers["Andel"].tolist() == [f"67{NBSP}%", f"33{NBSP}%", f"50{NBSP}%", f"50{NBSP}%"]
    # include_missing=True: one base per group, so every group shows the reasons' shares
    shared = present_frequencies(_by_group_tab(include_missing=True))
    mis = shared[shared["Svar"].isin(["Ved ikke", "Ikke besvaret"])]
    assert mis["Andel"].tolist() == [f"17{NBSP}%", f"8{NBSP}%", f"0{NBSP}%", f"0{NBSP}%"]
    assert (mis[CI_HEADING] != "").all()
    # nobody typed missing anywhere: the two bases cannot be told apart; blank in every group
    for include in (False, True):
        none = present_frequencies(_by_group_tab(include_missing=include, typed=False))
        mis = none[none["Svar"].isin(["Ved ikke", "Ikke besvaret"])]
        assert mis["Svar"].tolist() == ["Ikke besvaret"] * 2  # bare id: "Ved ikke" not seen
        assert mis["Antal"].tolist() == ["0"] * 2
        assert (mis["Andel"] == "").all() and (mis[CI_HEADING] == "").all()
