"""Tidy tables -> presentation for the Danish reports: number formats and pandoc pipe tables.

Danish number conventions: decimal comma, ``.`` between thousands, a non-breaking space before
``%`` ("12 %", "12,5 %"), an en dash in intervals ("(8–17 %)", or "(-4 til 12 %)" when a bound
is negative, so the dash is not read as a minus). Rounding is half-up on the decimal value
(12,5 -> 13), as readers and spreadsheets expect, not Python's round-half-to-even.

Every ``format_*`` function takes a scalar, an array-like or a Series and returns a string, a
list of strings or a Series of strings (same index). NA becomes ``na``.

Examples
--------
>>> format_pct(12.5, decimals=1)
'12,5\\xa0%'
>>> format_ci(8.2, 17.4)
'(8–17\\xa0%)'
>>> format_p(0.0004)
'p < 0,001'
>>> format_number(1234.5, decimals=1)
'1.234,5'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.config import CONFIDENCE
from fslt_survey.danish import MINUS
from fslt_survey.errors import SurveyDataError

__all__ = [
    "CI_HEADING",
    "HIDDEN_SYMBOL",
    "NBSP",
    "NOTHING_SYMBOL",
    "NOT_ASKED_SYMBOL",
    "ci_heading",
    "escape_markdown",
    "format_ci",
    "format_number",
    "format_p",
    "format_pct",
    "markdown_image",
    "present_frequencies",
    "responsive_image",
    "to_markdown_table",
]

NBSP = "\u00a0"
EN_DASH = "\u2013"
#: The release's symbols (one convention, as statistical offices use): hidden for
#: confidentiality, not asked in that wave, nothing (zero) or no figure yet.
HIDDEN_SYMBOL, NOT_ASKED_SYMBOL, NOTHING_SYMBOL = "..", "\u00b7", "-"


#: Heading of the interval column in :func:`present_frequencies`.
def ci_heading(confidence: float = CONFIDENCE) -> str:
    """The Danish heading of an interval at ``confidence``: ``ci_heading(0.9)`` is
    "90 %-konfidensinterval" (the publication's level, declared in ``_quarto.yml``)."""
    return f"{round(confidence * 100, 1):g}{NBSP}%-konfidensinterval"


CI_HEADING = ci_heading()
_ALIGN = {"l": "l", "left": "l", "r": "r", "right": "r", "c": "c", "center": "c", "centre": "c"}


def _is_na(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _vectorise(func: Callable[..., str], *args: Any) -> Any:
    """Apply a scalar formatter element-wise to Series / array-likes, or once to scalars."""
    first = args[0]
    if isinstance(first, pd.Series):
        others = [a.to_numpy(dtype=object) if isinstance(a, pd.Series) else a for a in args[1:]]
        values = [func(*vals) for vals in zip(first.to_numpy(dtype=object), *others, strict=True)]
        return pd.Series(values, index=first.index, dtype=object).astype(str)
    if isinstance(first, np.ndarray | list | tuple | pd.Index):
        arrays = [list(a) for a in args]
        return [func(*vals) for vals in zip(*arrays, strict=True)]
    return func(*args)


def _danish(x: Any, decimals: int) -> str:
    if decimals < 0:
        raise SurveyDataError("decimals must be 0 or more", found=str(decimals))
    d = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0"
    text = f"{d:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return MINUS + text[1:] if text.startswith("-") else text  # a true minus (U+2212)


def format_number(x: Any, decimals: int = 0, *, na: str = EN_DASH) -> Any:
    """Danish number: ``1234.5 -> "1.234,5"`` (with ``decimals=1``)."""
    return _vectorise(lambda v: na if _is_na(v) else _danish(v, decimals), x)


def format_pct(x: Any, decimals: int = 0, *, na: str = EN_DASH) -> Any:
    """Percentage (already on 0-100): ``12 -> "12 %"``, ``12.5 -> "12,5 %"`` (decimals=1).

    The space before ``%`` is non-breaking (U+00A0).
    """
    return _vectorise(lambda v: na if _is_na(v) else f"{_danish(v, decimals)}{NBSP}%", x)


def format_ci(low: Any, high: Any, decimals: int = 0, *, na: str = "") -> Any:
    """Interval in percent: ``(8.2, 17.4) -> "(8–17 %)"``; ``"(−4 til 12 %)"`` if a bound < 0
    (a true minus, as every negative number the release prints)."""

    def one(lo: Any, hi: Any) -> str:
        if _is_na(lo) or _is_na(hi):
            return na
        a, b = _danish(lo, decimals), _danish(hi, decimals)
        sep = " til " if a.startswith(MINUS) or b.startswith(MINUS) else EN_DASH
        return f"({a}{sep}{b}{NBSP}%)"

    return _vectorise(one, low, high)


def format_p(p: Any, *, prefix: bool = True, na: str = "") -> Any:
    """P-value: ``"p < 0,001"``, ``"p = 0,004"`` (below 0.01: three decimals), ``"p = 0,03"``.

    ``prefix=False`` gives ``"< 0,001"`` / ``"0,03"`` for a p column.
    """

    def one(v: Any) -> str:
        if _is_na(v):
            return na
        v = float(v)
        if not 0 <= v <= 1:
            raise SurveyDataError("a p-value lies between 0 and 1", found=str(v))
        if v < 0.001:
            text = "< 0,001"
        else:
            text = ("= " if prefix else "") + _danish(v, 3 if v < 0.01 else 2)
        return f"p {text}" if prefix else text

    return _vectorise(one, p)


# --------------------------------------------------------------------------- markdown

# Characters pandoc (and so Quarto) may read as markup in inline text: emphasis, code, links,
# raw HTML/autolinks, math ($), sub/superscript (~ ^), citations (@), entities (&), headings,
# the table's own cell separator (|) and the escape character itself.
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>|$~^@&#{}])")


def escape_markdown(text: Any) -> str:
    """Make survey text literal inside a pandoc/Quarto pipe-table cell.

    Backslash-escapes markdown-active characters (pandoc's ``all_symbols_escapable``),
    breaks ``--`` so it is not turned into a dash, and folds line breaks into spaces (a pipe
    table row is one line).

    Examples
    --------
    >>> escape_markdown("*Kaffe* | te_ & <b>")
    '\\\\*Kaffe\\\\* \\\\| te\\\\_ \\\\& \\\\<b\\\\>'
    """
    s = re.sub(r"\s*[\r\n]+\s*", " ", str(text))
    s = _MD_ACTIVE.sub(r"\\\1", s)
    return re.sub(r"-(?=-)", r"\\-", s)


def _cell(value: Any, decimals: int, na: str) -> str:
    if _is_na(value):
        return na
    if isinstance(value, bool | np.bool_):
        return "Ja" if value else "Nej"
    if isinstance(value, int | np.integer):
        return _danish(value, 0)
    if isinstance(value, float | np.floating):
        return _danish(value, decimals)
    return str(value)


_NUMBER_TEXT = re.compile(r"^[\s\d.,%()<>=p\u00a0\u2013+-]*\d[\s\d.,%()<>=p\u00a0\u2013+-]*$")


def _numeric_column(s: pd.Series) -> bool:
    """Numbers, or text that is only formatted numbers ("12 %", "(8–17 %)", "p = 0,03")."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return False
    if pd.api.types.is_numeric_dtype(s.dtype):
        return True
    texts = [str(v).replace(" til ", "") for v in s if not _is_na(v) and str(v) != ""]
    return bool(texts) and all(_NUMBER_TEXT.match(t) and not re.search(r"\d-\d", t) for t in texts)


def to_markdown_table(
    df: pd.DataFrame,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    align: Mapping[str, str] | str | None = None,
    caption: str | None = None,
    *,
    decimals: int = 1,
    na: str = "",
    label: str | None = None,
    escape: bool = True,
    widths: Sequence[int] | None = None,
) -> str:
    """A pandoc pipe table (renders in Quarto and plain pandoc).

    Parameters
    ----------
    df
        Table to show; format numbers first (``format_pct`` ...) for full control. Other
        numbers are written the Danish way: integers as is, floats with ``decimals``.
    columns
        Which columns to show, in order: a list, or a mapping old name -> heading (rename).
    align
        Per column ``"left"``/``"right"``/``"center"`` (or ``l``/``r``/``c``) keyed by old or
        new name, or a string with one letter per shown column. Default: numeric columns and
        columns of formatted numbers ("12 %", "(8–17 %)") right, the rest left.
    caption
        Table caption (written as pandoc's ``: caption`` line after the table).
    na
        Text for missing values.
    label
        Quarto cross-reference id (``"tbl-behov"``), appended to the caption as
        ``{#tbl-behov}``.
    escape
        Escape markdown in headings, cells and caption (default; survey answers are text).
    widths
        Relative column widths (one number per shown column, e.g. ``[1, 3, 2]``), for a table
        of long texts that wraps: pandoc reads them from the dashes under the header. By
        default the longest cell of each column sets its share.

    Returns
    -------
    str
        The table, ending with a newline.
    """
    if not isinstance(df, pd.DataFrame):
        raise SurveyDataError("to_markdown_table needs a DataFrame", found=type(df).__name__)
    names = _table_names(df, columns)
    cols = list(names)
    aligns = _table_aligns(df, names, align)
    esc = escape_markdown if escape else (lambda t: re.sub(r"[\r\n]+", " ", str(t)))
    header = [esc(names[c]) for c in cols]
    body = [
        [esc(_cell(v, decimals, na)) for v in row]
        for row in df.loc[:, cols].itertuples(index=False, name=None)
    ]
    pad = [max([3, len(h), *(len(r[j]) for r in body)]) for j, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(cells, pad, aligns, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    lines = [line(header), _table_rule(aligns, pad, widths), *(line(r) for r in body)]
    if caption is not None or label is not None:
        lines += ["", f": {_table_caption(esc(caption) if caption is not None else '', label)}"]
    return "\n".join(lines) + "\n"


def _table_names(
    df: pd.DataFrame, columns: Mapping[str, str] | Sequence[str] | None
) -> dict[Any, str]:
    """Shown column -> heading; an unknown column is refused."""
    if columns is None:
        names = {c: str(c) for c in df.columns}
    elif isinstance(columns, Mapping):
        names = {c: str(h) for c, h in columns.items()}
    else:
        names = {c: str(c) for c in columns}
    unknown = [c for c in names if c not in df.columns]
    if unknown:
        raise SurveyDataError(
            "to_markdown_table: unknown column(s)",
            column=str(unknown[0]),
            expected=", ".join(map(str, df.columns)),
            found=", ".join(map(str, unknown)),
        )
    return names


def _table_aligns(
    df: pd.DataFrame, names: dict[Any, str], align: Mapping[str, str] | str | None
) -> list[str]:
    """One of l/r/c per shown column (numbers right by default)."""
    cols = list(names)
    if isinstance(align, str):
        if len(align) != len(cols) or any(a not in _ALIGN for a in align):
            raise SurveyDataError("align needs one of l/r/c per column", found=align)
        return [_ALIGN[a] for a in align]
    given = dict(align or {})
    aligns = []
    for c in cols:
        a = given.get(c, given.get(names[c]))
        if a is None:
            a = "right" if _numeric_column(df[c]) else "left"
        if a not in _ALIGN:
            raise SurveyDataError(
                "unknown alignment", column=str(c), expected="left, right, center", found=str(a)
            )
        aligns.append(_ALIGN[a])
    return aligns


def _table_rule(aligns: list[str], pad: list[int], widths: Sequence[int] | None) -> str:
    """The line under the header: alignment colons, and the relative widths as dashes.

    A left-aligned column is written with the default alignment (no colon): it is drawn left
    all the same (HTML, Typst), and pandoc then writes no ``style="text-align: left;"`` on each
    of its cells (a third of a long table's HTML)."""
    rule = {
        "l": lambda w: "-" * (w + 2),
        "r": lambda w: "-" * (w + 1) + ":",
        "c": lambda w: ":" + "-" * w + ":",
    }
    dashes = pad
    if widths is not None:
        if len(widths) != len(pad) or any(not isinstance(w, int) or w < 1 for w in widths):
            raise SurveyDataError("widths needs a positive whole number per column",
                                  found=str(list(widths)))
        # pandoc wraps the cells (and uses the dashes as widths) once a line is long enough
        dashes = [max(3, round(100 * w / sum(widths))) for w in widths]
    return "|" + "|".join(rule[a](w) for a, w in zip(aligns, dashes, strict=True)) + "|"


def _table_caption(text: str, label: str | None) -> str:
    if label is not None:
        if not re.fullmatch(r"[A-Za-z][\w:-]*", label):
            raise SurveyDataError(
                "invalid table label",
                found=label,
                expected="letters, digits, -, _ (e.g. tbl-behov)",
            )
        text = f"{text} {{#{label}}}".strip()
    return text


# --------------------------------------------------------------------------- presets


def present_frequencies(
    tab: pd.DataFrame, *, decimals: int = 0, show_missing: bool = True
) -> pd.DataFrame:
    """A frequency table from :func:`~fslt_survey.stats.tab_single` (or ``tab_multi``,
    ``tab_likert``) with Danish headings and formatted numbers.

    Returns
    -------
    DataFrame
        Strings only: ``Spørgsmål`` (when the table holds several items), the group column
        (when ``by`` was used, name unchanged), ``Svar``, ``Antal``, ``Andel`` and
        :data:`CI_HEADING` ("95 %-konfidensinterval"). Typed-missing rows ("Ved ikke") keep
        their count; their share and interval are shown only when the item was tabulated with
        ``include_missing=True`` (every row on one base), and left blank otherwise (the
        default of ``tab_single``: their share is of everyone asked, not of the base shown).
        The choice is made per item over all its groups, so a group where nobody was typed
        missing (where both bases coincide) looks like the others.
    """
    needed = ["item", "label", "category", "missing", "n", "base", "pct", "ci_low", "ci_high"]
    absent = [c for c in needed if c not in tab.columns]
    if absent:
        raise SurveyDataError(
            "present_frequencies needs a table from tab_single/tab_multi",
            expected=", ".join(needed),
            found=", ".join(map(str, tab.columns)),
        )
    known = {*needed, "level", "base_eff"}
    groups = [c for c in tab.columns if c not in known]
    is_missing = tab["missing"].astype(bool)
    base = pd.to_numeric(tab["base"].astype(object), errors="coerce").astype(float)
    answers_base = (
        base.where(~is_missing)
        .groupby([tab[k] for k in ["item", *groups]], observed=True, dropna=False, sort=False)
        .transform("max")
    )
    # include_missing=True puts every row of an item on one base; by default a missing row's
    # base (everyone asked) exceeds the answers' base wherever someone was typed missing. A
    # group where nobody was typed missing cannot tell the two apart, so decide per item.
    counted = is_missing & answers_base.notna() & base.notna()
    shared = counted & (base == answers_base)
    typed = pd.to_numeric(tab["n"].astype(object), errors="coerce").fillna(0) > 0
    by_item = pd.DataFrame({"item": tab["item"], "apart": counted & ~shared, "one": shared & typed})
    per_item = by_item.groupby("item", observed=True, dropna=False, sort=False)
    one_base = per_item["one"].transform("any") & ~per_item["apart"].transform("any")
    own = ~is_missing | one_base
    keep = ~is_missing if not show_missing else pd.Series(True, index=tab.index)
    rows, own = tab[keep], own[keep]
    out = pd.DataFrame(index=rows.index)
    if tab["item"].nunique() > 1:
        out["Spørgsmål"] = rows["label"].astype(str)
    for g in groups:
        out[g] = rows[g]
    out["Svar"] = rows["category"].astype(str)
    out["Antal"] = format_number(rows["n"])
    out["Andel"] = format_pct(rows["pct"], decimals).where(own, "")
    out[CI_HEADING] = format_ci(rows["ci_low"], rows["ci_high"], decimals).where(own, "")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- figures


def _md_attr(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def markdown_image(
    src: str | Path, *, alt: str, caption: str = "", label: str | None = None
) -> str:
    """An image with alt text (Quarto's ``fig-alt``), optionally a captioned, numbered figure.

    Print it from a cell with ``#| output: asis``; with a caption the image becomes a figure,
    and ``label="fig-..."`` makes it referable as ``@fig-...``. The snippet is surrounded by
    blank lines so that it is a paragraph of its own (pandoc's rule for figures).

    Parameters
    ----------
    src:
        Image path, relative to the document (e.g. what ``Chart.save`` wrote).
    alt:
        What the image shows, for screen readers (required, must not be empty).
    caption:
        Visible caption (markdown).
    label:
        Cross-reference id, starting with ``fig-``.

    Examples
    --------
    >>> print(markdown_image("figurer/behov.svg", alt='Søjler: "Lokaler" 41 %',
    ...                      caption="Behov", label="fig-behov"))
    <BLANKLINE>
    ![Behov](figurer/behov.svg){#fig-behov fig-alt="Søjler: \\"Lokaler\\" 41 %"}
    <BLANKLINE>
    """
    if not str(alt).strip():
        raise ValueError("alt text must not be empty")
    if label is not None and not label.startswith("fig-"):
        raise ValueError("a figure label must start with 'fig-'")
    path = PurePosixPath(Path(src).as_posix()).as_posix()
    target = f"<{path}>" if " " in path else path
    attrs = ([f"#{label}"] if label else []) + [f'fig-alt="{_md_attr(alt)}"']
    cap = " ".join(str(caption).split())
    return f"\n![{cap}]({target}){{{' '.join(attrs)}}}\n"


#: The widest screen (CSS px) that gets the phone drawing of a chart (see ``reports/fslt.css``).
NARROW_SCREEN = 760


def responsive_image(
    wide: str | Path,
    narrow: str | Path,
    *,
    alt: str,
    narrow_alt: str,
    caption: str = "",
    label: str | None = None,
) -> str:
    """A chart drawn twice, for a page column and for a phone: in HTML both images are in the
    page and the stylesheet shows one by the screen's width (``.fslt-chart-wide`` above
    :data:`NARROW_SCREEN` px, ``.fslt-chart-narrow`` up to it, so no text is under 12 px on a
    390 px phone); every other format (the PDFs) gets the wide drawing only. Plain Quarto
    markdown (``content-visible when-format``), so Quarto and the built-in engine agree. A
    ``label`` goes on the drawing each format shows first, so every format has it once."""
    wide_image = markdown_image(wide, alt=alt, caption=caption, label=label)
    return (
        '\n::: {.content-visible when-format="html"}\n\n'
        f"::: {{.fslt-chart-wide}}\n{wide_image}\n:::\n\n"
        f"::: {{.fslt-chart-narrow}}\n"
        f"{markdown_image(narrow, alt=narrow_alt, caption=caption)}\n:::\n\n"
        ":::\n\n"
        '::: {.content-hidden when-format="html"}\n'
        f"{wide_image}\n:::\n"
    )
