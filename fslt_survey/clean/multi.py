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


def decode_multi(
    item: Item, columns: list[tuple[str, str | None]], ctx: DecodeContext
) -> tuple[dict[str, Any], np.ndarray]:
    scale = item.scale
    assert scale is not None
    opts = scale.substantive
    result = {item.option_column(lab): np.zeros(ctx.n, dtype=bool) for lab in opts}
    any_answer = np.zeros(ctx.n, dtype=bool)
    missing = np.full(ctx.n, -1, dtype=ctx.reasons.codes)  # code of a typed missing answer
    single_cols = [c for c, opt in columns if opt is None]
    option_cols = [(c, opt) for c, opt in columns if opt is not None]
    if single_cols:
        col = single_cols[0]
        sep = ctx.raw.multi_separator or ";"
        raw = ctx.raw.frame[col]
        codes, uniques = factorize(raw)
        split = [
            _split_multi(u, sep, scale) if isinstance(u, str) and u.strip() else None
            for u in uniques
        ]
        answered_u = [s is not None for s in split]
        any_answer |= by_code(answered_u, codes, False, bool)
        for lab in opts:
            chosen = [s is not None and lab.key in s[0] for s in split]
            result[item.option_column(lab)] |= by_code(chosen, codes, False, bool)
        miss_u = [
            ctx.reasons.code(s[2]) if s is not None and s[2] and not s[0] else -1 for s in split
        ]
        missing = np.where(
            by_code([m >= 0 for m in miss_u], codes, False, bool),
            by_code(miss_u, codes, -1, ctx.reasons.codes),
            missing,
        )
        # a label that is no reason category still counts as a typed missing answer
        typed = by_code(
            [s is not None and bool(s[2]) and not s[0] for s in split], codes, False, bool
        )
        bad = by_code([s is not None and bool(s[1]) for s in split], codes, False, bool)
        if bad.any():
            ctx.unknown(
                bad,
                raw,
                col,
                item,
                "options separated by "
                + repr(sep)
                + ": "
                + ", ".join(lab.label for lab in scale.labels),
            )
    else:
        typed = np.zeros(ctx.n, dtype=bool)
    by_key = {lab.key: lab for lab in opts}
    opt_of_code = {str(lab.code): lab for lab in opts}
    for col, opt in option_cols:
        raw = ctx.raw.frame[col]
        codes, uniques = factorize(raw)
        norm = [str(u).strip().casefold() if isinstance(u, str) else None for u in uniques]
        lab = by_key.get(str(opt)) or opt_of_code.get(str(opt))
        if lab is None:
            miss = scale.by_code(opt) or scale.match(opt)
            ticked = by_code([v in _SELECTED for v in norm], codes, False, bool)
            if miss is not None and miss.missing:
                missing[ticked] = ctx.reasons.code(miss.label)
                typed |= ticked
                any_answer |= ticked
            elif ticked.any():  # an option the scale does not know: its ticks are listed
                ctx.unknown(
                    ticked,
                    raw.where(~ticked, f"{col}: valgt"),
                    col,
                    item,
                    "an option of scale " + repr(scale.id),
                )
            continue
        sel = by_code([v in _SELECTED for v in norm], codes, False, bool)
        notsel = by_code([v in _NOT_SELECTED for v in norm], codes, False, bool)
        present = by_code([v is not None for v in norm], codes, False, bool)
        bad = present & ~sel & ~notsel
        if bad.any():
            ctx.unknown(bad, raw, col, item, "0/1 or Valgt/Ikke valgt")
        result[item.option_column(lab)] |= sel
        any_answer |= sel | notsel
    reasons = np.where(typed, missing, np.where(any_answer, -1, ctx.reasons.not_answered))
    reasons = reasons.astype(ctx.reasons.codes)
    unanswered = typed | ~any_answer
    out: dict[str, Any] = {
        name: pd.arrays.BooleanArray(arr, unanswered.copy()) for name, arr in result.items()
    }
    return out, reasons


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
