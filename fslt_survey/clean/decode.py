"""Decoding raw answers into typed values and missing reasons, per distinct value.

Each decoder takes an item, its raw column(s) and the per-export :class:`DecodeContext`, and
returns the clean value column(s) and a reason code per row (``-1`` = answered; otherwise the
code of a typed missing reason of :class:`Reasons`). Unknown labels and out-of-range numbers
are listed in the log with file, row, column and value. Multi-select items are decoded in
:mod:`fslt_survey.clean.multi`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.clean.log import CleaningLog, display_path
from fslt_survey.codebook import Instrument, Item, normalise
from fslt_survey.ingest import RawExport
from fslt_survey.ingest.fastcsv import take_strings
from fslt_survey.privacy import redact_text, redact_text_counts


def missing_categories(instrument: Instrument) -> list[str]:
    cats = list(config.MISSING_REASONS)
    for scale in instrument.scales.values():
        cats.extend(lab.label for lab in scale.missing if lab.label not in cats)
    for extra in (config.NOT_ANSWERED, config.INVALID_ANSWER):
        if extra not in cats:
            cats.append(extra)
    return cats


def code_type(n_categories: int) -> type[np.signedinteger]:
    """The smallest integer type for codes of ``n_categories`` categories (and ``-1``)."""
    return np.int8 if n_categories < 127 else np.int16 if n_categories < 32767 else np.int32


class Reasons:
    """The missing-reason categories of an instrument; reasons are handled as integer codes
    (``-1`` = none) and become categoricals only when the table is built."""

    def __init__(self, instrument: Instrument) -> None:
        self.categories = missing_categories(instrument)
        self.dtype = pd.CategoricalDtype(self.categories)
        self._code = {c: i for i, c in enumerate(self.categories)}
        self.not_answered = self.code(config.NOT_ANSWERED)
        self.invalid = self.code(config.INVALID_ANSWER)
        #: the integer type of the codes (one byte for the usual handful of reasons)
        self.codes = code_type(len(self.categories))

    def code(self, label: str | None) -> int:
        """The code of a reason label (``-1`` for none, or a label that is no category)."""
        return -1 if label is None else self._code.get(label, -1)

    def categorical(self, codes: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, dtype=self.dtype)


class DecodeContext:
    """Per-export state shared by the item decoders."""

    def __init__(
        self,
        raw: RawExport,
        wave: int,
        log: CleaningLog,
        instrument: Instrument,
        names: tuple[str, ...],
    ) -> None:
        self.raw = raw
        self.wave = wave
        self.log = log
        self.file = display_path(raw.provenance.file)
        self.rows = np.asarray(raw.row_numbers, dtype=np.int64)
        self.n = len(raw.frame)
        self.reasons = Reasons(instrument)
        self.missing_cats = self.reasons.categories
        self.names = names
        self._redacted: dict[str, str] = {}

    def redact(self, value: object) -> str:
        """``redact_text(str(value))``, once per distinct value."""
        text = str(value)
        out = self._redacted.get(text)
        if out is None:
            out = self._redacted[text] = redact_text(text, self.names)
        return out

    def unknown(
        self,
        mask: np.ndarray,
        values: pd.Series,
        column: str,
        item: Item,
        expected: tuple[str, str],
        kind: str = "unknown",
    ) -> None:
        """List the flagged values; ``expected`` says what was expected, in English and Danish
        (the text log is Danish, the JSON log and the console English)."""
        target = self.log.unknown_values if kind == "unknown" else self.log.out_of_range
        idx = np.flatnonzero(mask)
        for i, value in zip(idx.tolist(), values.iloc[idx].tolist(), strict=True):
            target.append(
                {
                    "file": self.file,
                    "row": int(self.rows[i]),
                    "column": column,
                    "item": item.id,
                    "value": self.redact(value),
                    "wave": self.wave,
                    "expected": expected[0],
                    "expected_da": expected[1],
                }
            )


def _range_text(lo: float | None, hi: float | None) -> tuple[str, str]:
    """What a numeric answer must be, in English and Danish (decimal comma)."""
    if lo is None and hi is None:
        return "a number", "et tal"
    if lo is None:
        return f"a number of at most {hi:g}", f"et tal højst {_da(hi)}"
    if hi is None:
        return f"a number of at least {lo:g}", f"et tal mindst {_da(lo)}"
    return f"a number from {lo:g} to {hi:g}", f"et tal fra {_da(lo)} til {_da(hi)}"


def _da(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def factorize(values: pd.Series | pd.Index | np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """``pd.factorize`` (NA -> ``-1``) with the distinct values as a list: decoders work on
    the distinct values, a handful even in a million rows, and index the result by code."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def by_code(per_unique: list[Any], codes: np.ndarray, na: Any, dtype: Any) -> np.ndarray:
    """Per-row values from per-distinct-value ones (``na`` where the raw value is missing)."""
    return np.array([*per_unique, na], dtype=dtype)[codes]


def strings_by_code(per_unique: list[str | None], codes: np.ndarray) -> Any:
    """A ``string`` array of per-distinct-value texts taken by code (``-1``/``None`` -> NA)."""
    return take_strings(per_unique, codes)


def decode_choice(item: Item, column: str, ctx: DecodeContext) -> tuple[pd.Categorical, np.ndarray]:
    scale = item.scale
    assert scale is not None
    raw = ctx.raw.frame[column]
    codes, uniques = factorize(raw)
    category = {c: i for i, c in enumerate(scale.categories)}
    value_of: list[int] = []
    reason_of: list[int] = []
    bad: list[bool] = []
    for u in uniques:
        lab = scale.match(u)
        if lab is None and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", str(u)):
            lab = scale.by_code(str(u).strip().split(".")[0])
        if lab is None:
            value_of.append(-1)
            reason_of.append(ctx.reasons.invalid)
            bad.append(True)
        elif lab.missing:
            value_of.append(-1)
            reason_of.append(ctx.reasons.code(lab.label))
            bad.append(False)
        else:
            value_of.append(category.get(lab.label, -1))
            reason_of.append(-1)
            bad.append(False)
    bad_mask = by_code(bad, codes, False, bool)
    if bad_mask.any():
        labels = ", ".join(lab.label for lab in scale.labels)
        ctx.unknown(bad_mask, raw, column, item, ("one of: " + labels, "et af: " + labels))
    values = pd.Categorical.from_codes(
        by_code(value_of, codes, -1, code_type(len(scale.categories))),
        dtype=pd.CategoricalDtype(scale.categories, ordered=scale.ordered),
    )
    return values, by_code(reason_of, codes, ctx.reasons.not_answered, ctx.reasons.codes)


_NUM_RE = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def parse_danish_number(value: object) -> float | None:
    """Parse a number as Danes write it: ``12,5``, ``1.200``, ``1 200``, ``1.200,50``.

    Returns None when the text is not a number.

    >>> parse_danish_number("1.200,5")
    1200.5
    >>> parse_danish_number("12,0")
    12.0
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    s = str(value).strip().replace("\u00a0", " ").replace(" ", "")
    if not s:
        return None
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", s):  # 1.200 or 1.200,5
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+\.\d+", s):  # 1,200.5 (English)
        s = s.replace(",", "")
    elif _NUM_RE.match(s):
        s = s.replace(",", ".")
    else:
        return None
    return float(s)


def decode_numeric(item: Item, column: str, ctx: DecodeContext) -> tuple[Any, np.ndarray]:
    raw = ctx.raw.frame[column]
    codes, uniques = factorize(raw)
    parsed = [parse_danish_number(u) for u in uniques]
    vals = by_code([np.nan if p is None else p for p in parsed], codes, np.nan, float)
    # a typed missing label written in a numeric field ("Ved ikke") is a reason, not an error
    typed: list[int] = []
    for u, p in zip(uniques, parsed, strict=True):
        text = normalise(u) if p is None else None
        reason = next((r for r in ctx.missing_cats if normalise(r) == text), None)
        typed.append(ctx.reasons.code(reason) if reason is not None else -1)
    reasons = by_code(typed, codes, ctx.reasons.not_answered, ctx.reasons.codes)
    unparsable = by_code(
        [p is None and r < 0 for p, r in zip(parsed, typed, strict=True)], codes, False, bool
    )
    if unparsable.any():
        ctx.unknown(unparsable, raw, column, item, ("a number", "et tal"))
        reasons[unparsable] = ctx.reasons.invalid
    lo = -np.inf if item.minimum is None else item.minimum
    hi = np.inf if item.maximum is None else item.maximum
    out_of_range = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
    if out_of_range.any():
        ctx.unknown(
            out_of_range,
            raw,
            column,
            item,
            _range_text(item.minimum, item.maximum),
            kind="range",
        )
        vals[out_of_range] = np.nan
        reasons[out_of_range] = ctx.reasons.invalid
    return pd.arrays.FloatingArray(vals, np.isnan(vals)), reasons


def decode_text(item: Item, column: str, ctx: DecodeContext) -> tuple[Any, np.ndarray]:
    raw = ctx.raw.frame[column]
    codes, uniques = factorize(raw)
    rows_per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: Counter[str] = Counter()
    out: list[str | None] = []
    for u, times in zip(uniques, rows_per_value.tolist(), strict=True):
        text = u.strip() if isinstance(u, str) else ""
        if not text:
            out.append(None)
            continue
        red, found = redact_text_counts(text, ctx.names)
        red = red.strip()  # normalising can leave edge spaces (NFKC of "¯" is " ̄")
        if not red:  # only invisible characters (soft hyphens, zero-width spaces)
            out.append(None)
            continue
        counts.update({k: v * times for k, v in found.items() if v})
        out.append(red)
    if counts:
        agg = ctx.log.redactions.setdefault(item.id, {})
        for k, v in counts.items():
            agg[k] = agg.get(k, 0) + v
    reasons = by_code(
        [-1 if o is not None else ctx.reasons.not_answered for o in out],
        codes,
        ctx.reasons.not_answered,
        ctx.reasons.codes,
    )
    return strings_by_code(out, codes), reasons
