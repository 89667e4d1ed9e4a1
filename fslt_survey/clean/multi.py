"""Decoding multi-select items: one cell of joined labels (Forms) or one column per option
(SurveyXact, SPSS, Kobo)."""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.clean.decode import DecodeContext, by_code, factorize
from fslt_survey.codebook import Item

_SELECTED = {"1", "1.0", "valgt", "true", "ja", "x", "selected", "checked"}
_NOT_SELECTED = {"0", "0.0", "ikke valgt", "false", "nej", "not selected"}


class _MultiState:
    """What the columns of one multi-select item say, row by row."""

    def __init__(self, item: Item, ctx: DecodeContext) -> None:
        assert item.scale is not None
        self.item, self.ctx, self.scale = item, ctx, item.scale
        self.opts = self.scale.substantive
        self.chosen = {lab.key: np.zeros(ctx.n, dtype=bool) for lab in self.opts}
        self.any_answer = np.zeros(ctx.n, dtype=bool)
        self.typed = np.zeros(ctx.n, dtype=bool)  # a typed missing answer ("Ved ikke")
        self.invalid = np.zeros(ctx.n, dtype=bool)  # something written, but nothing known
        self.missing = np.full(ctx.n, -1, dtype=ctx.reasons.codes)
        #: option keys the export has no column for (one-column-per-option layouts): not asked
        self.absent: set[str] = set()


def decode_multi(
    item: Item, columns: list[tuple[str, str | None]], ctx: DecodeContext
) -> tuple[dict[str, Any], np.ndarray]:
    """The option columns (BooleanArray, NA where the question was not answered) and reasons.

    A multi-select is answered when at least one option is ticked, or a typed missing option
    ("Ved ikke", a declared "none" option) is ticked. A row holding only what the scale does not
    know (an unknown label, an unknown option ticked, a value other than 0/1) is "Ugyldigt svar"
    and no answer, like an unknown label of a single-choice item. An all-zero block (SurveyXact
    writes 0 in every option for everybody who did not tick it, including invitees who never
    answered and respondents routed past the question) is *not* an answer: "Ikke besvaret", or
    "Ikke relevant" once skip logic has run. In a one-column-per-option layout, an option of the
    scale without a column was not asked: its column is NA for every row.
    """
    st = _MultiState(item, ctx)
    single_cols = [c for c, opt in columns if opt is None]
    option_cols = [(c, opt) for c, opt in columns if opt is not None]
    if single_cols:
        _joined_cell(st, single_cols[0])
    for col, opt in option_cols:
        _option_column(st, col, opt)
    st.absent = set(absent_options(item, columns))
    unknown_only = st.invalid & ~st.any_answer
    reasons = np.where(
        st.typed,
        st.missing,
        np.where(st.any_answer, -1,
                 np.where(unknown_only, ctx.reasons.invalid, ctx.reasons.not_answered)),
    ).astype(ctx.reasons.codes)
    unanswered = st.typed | ~st.any_answer
    out: dict[str, Any] = {}
    for lab in st.opts:
        mask = np.ones(ctx.n, dtype=bool) if lab.key in st.absent else unanswered.copy()
        out[item.option_column(lab)] = pd.arrays.BooleanArray(st.chosen[lab.key], mask)
    return out, reasons


def absent_options(item: Item, columns: list[tuple[str, str | None]]) -> list[str]:
    """Keys of the options of a multi-select item that an export with one column per option
    has no column for (none for a joined-cell layout, which can hold every option)."""
    assert item.scale is not None
    if not columns or any(opt is None for _, opt in columns):
        return []
    have = {str(opt) for _, opt in columns}
    return [lab.key for lab in item.scale.substantive if not {lab.key, str(lab.code)} & have]


def _joined_cell(st: _MultiState, col: str) -> None:
    """One cell of joined option labels (Microsoft/Google Forms, plain CSV)."""
    ctx, scale = st.ctx, st.scale
    sep = ctx.raw.multi_separator or ";"
    raw = ctx.raw.frame[col]
    codes, uniques = factorize(raw)
    split = [
        _split_multi(u, sep, scale) if isinstance(u, str) and u.strip() else None
        for u in uniques
    ]
    # answered: a known option or a typed missing label (not unknown labels or a lone separator)
    st.any_answer |= by_code([s is not None and bool(s[0] or s[2]) for s in split], codes, False,
                             bool)
    for lab in st.opts:
        st.chosen[lab.key] |= by_code([s is not None and lab.key in s[0] for s in split], codes,
                                      False, bool)
    miss_u = [ctx.reasons.code(s[2]) if s is not None and s[2] and not s[0] else -1 for s in split]
    st.missing = np.where(
        by_code([m >= 0 for m in miss_u], codes, False, bool),
        by_code(miss_u, codes, -1, ctx.reasons.codes),
        st.missing,
    )
    # a label that is no reason category still counts as a typed missing answer
    st.typed |= by_code([s is not None and bool(s[2]) and not s[0] for s in split], codes, False,
                        bool)
    bad = by_code([s is not None and bool(s[1]) for s in split], codes, False, bool)
    st.invalid |= bad
    if bad.any():
        labels = ", ".join(lab.label for lab in scale.labels)
        ctx.unknown(bad, raw, col, st.item, (f"options separated by {sep!r}: {labels}",
                                             f"svarmuligheder adskilt af {sep!r}: {labels}"))


def _option_column(st: _MultiState, col: str, opt: str) -> None:
    """One 0/1 (or Valgt/Ikke valgt) column of one option (SurveyXact, SPSS, Kobo)."""
    ctx, scale = st.ctx, st.scale
    raw = ctx.raw.frame[col]
    codes, uniques = factorize(raw)
    norm = [str(u).strip().casefold() if isinstance(u, str) else None for u in uniques]
    ticked = by_code([v in _SELECTED for v in norm], codes, False, bool)
    lab = next((x for x in st.opts if x.key == str(opt)), None) or next(
        (x for x in st.opts if str(x.code) == str(opt)), None)
    if lab is None:
        miss = scale.by_code(opt) or scale.match(opt)
        if miss is not None and miss.missing:  # "Ved ikke" or a declared "none" answer
            st.missing[ticked] = ctx.reasons.code(miss.label)
            st.typed |= ticked
            st.any_answer |= ticked
        elif ticked.any():  # an option the scale does not know: its ticks are listed
            st.invalid |= ticked
            expected = ("an option of scale " + repr(scale.id),
                        "en svarmulighed i skalaen " + repr(scale.id))
            ctx.unknown(ticked, raw.where(~ticked, f"{col}: valgt"), col, st.item, expected)
        return
    unticked = by_code([v in _NOT_SELECTED for v in norm], codes, False, bool)
    present = by_code([v is not None for v in norm], codes, False, bool)
    bad = present & ~ticked & ~unticked
    st.invalid |= bad
    if bad.any():
        ctx.unknown(bad, raw, col, st.item,
                    ("0/1 or Valgt/Ikke valgt", "0/1 eller Valgt/Ikke valgt"))
    st.chosen[lab.key] |= ticked
    st.any_answer |= ticked


@functools.lru_cache(maxsize=4096)
def _label_pattern(text: str, sep: str) -> re.Pattern[str]:
    edge = re.escape(sep)
    return re.compile(rf"(?<=[{edge}])\s*{re.escape(text)}\s*(?=[{edge}])", re.IGNORECASE)


def _split_multi(value: str, sep: str, scale: Any) -> tuple[list[str], list[str], str | None]:
    """Split a multi-select cell into option keys, matching against the known option labels.

    Known labels are found first (longest first), so that an option containing the separator
    (Google Forms joins with ", ") is still recognised; what is left is split on the separator.
    """
    rest = f"{sep}{value}{sep}"
    chosen: list[str] = []
    miss: str | None = None
    for lab in sorted(scale.labels, key=lambda lab: -len(lab.label)):
        for text in (lab.label, *lab.aliases):
            pattern = _label_pattern(text, sep)
            if pattern.search(rest):
                rest = pattern.sub("", rest)
                if lab.missing:
                    miss = lab.label
                elif lab.key not in chosen:
                    chosen.append(lab.key)
    unknown: list[str] = []
    for part in rest.split(sep):
        if not part.strip():
            continue
        lab = scale.match(part)
        if lab is None:
            unknown.append(part.strip())
        elif lab.missing:
            miss = lab.label
        elif lab.key not in chosen:
            chosen.append(lab.key)
    order = [lab.key for lab in scale.labels]
    return sorted(chosen, key=order.index), unknown, miss
