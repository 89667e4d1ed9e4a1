"""Cleaning: raw exports -> one tidy table per survey, with an audit log that loses nothing.

The clean table has one row per kept association response (see README, "The clean data"):

- ``response_id`` (``<wave>/<file>#<row>``), ``wave``, ``association_id``, ``submitted``,
  ``source``, ``n_answered``, and the registry profile ``assoc_type``, ``size_band``,
  ``locality``;
- per single/likert item ``<id>`` (categorical of the substantive labels, ordered for ordered
  scales) and ``<id>__missing`` (the typed missing reason: "Ved ikke", "Ikke relevant", ...);
- per multi-select item one boolean column per option ``<id>__<key>`` and ``<id>__missing``;
- per numeric item ``<id>`` (Float64); per text item ``<id>`` (redacted string).

Rules, in the order they are applied to every raw row (the log records which one excluded it):

1. **blank** - nothing usable answered (a typed "Ved ikke" counts as an answer; an unknown label
   or an out-of-range number does not, but it is listed among the unknown values);
2. **test** - the association field matches :data:`config.TEST_PATTERNS`;
3. **not a member** - the association is not in the registry (by id or normalised name);
4. **duplicate** - per wave and association one response is kept: the most complete (most items
   answered), then the latest submitted, then the last in file order. Every superseded response is
   logged with the id of the response that replaced it.

Unknown answer labels and out-of-range numbers are listed with file, row, column and value. Under
the ``warn`` policy (default) the value becomes missing with reason "Ugyldigt svar"; under
``fail`` cleaning stops with :class:`CleaningError` listing them all.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item, Label, load_instrument, normalise
from fslt_survey.errors import CleaningError, SurveyDataError
from fslt_survey.ingest.fastcsv import memory_pool, take_strings
from fslt_survey.ingest.readers import Matching, RawExport, match_columns, read_export
from fslt_survey.privacy import redact_text, redact_text_counts

EXCLUDE_BLANK = "blank"
EXCLUDE_TEST = "test"
EXCLUDE_NOT_MEMBER = "not_member"
EXCLUDE_DUPLICATE = "duplicate"
EXCLUSION_TEXT = {
    EXCLUDE_BLANK: ("tom besvarelse (intet besvaret)", "blank response (nothing answered)"),
    EXCLUDE_TEST: ("testbesvarelse", "test response"),
    EXCLUDE_NOT_MEMBER: (
        "foreningen findes ikke i medlemsregistret",
        "association not in the member registry",
    ),
    EXCLUDE_DUPLICATE: (
        "dublet: erstattet af en mere komplet eller senere besvarelse",
        "duplicate: superseded by a more complete or later response",
    ),
}
DUPLICATE_RULE = "most complete, then latest submitted, then last in file order"
POLICIES = ("warn", "fail")
_SELECTED = {"1", "1.0", "valgt", "true", "ja", "x", "selected", "checked"}
_NOT_SELECTED = {"0", "0.0", "ikke valgt", "false", "nej", "not selected"}


@dataclass
class CleaningLog:
    """Accounts for every raw row and every value the cleaner could not use."""

    instrument: str
    policy: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    exclusions: list[dict[str, Any]] = field(default_factory=list)
    unknown_values: list[dict[str, Any]] = field(default_factory=list)
    out_of_range: list[dict[str, Any]] = field(default_factory=list)
    redactions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rows_in(self) -> int:
        return sum(s["rows"] for s in self.sources)

    @property
    def rows_excluded(self) -> int:
        return len(self.exclusions)

    @property
    def rows_kept(self) -> int:
        return sum(s["kept"] for s in self.sources)

    def excluded_by_reason(self) -> dict[str, int]:
        counts = Counter(e["reason"] for e in self.exclusions)
        return {r: counts.get(r, 0) for r in EXCLUSION_TEXT}

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "policy": self.policy,
            "duplicate_rule": DUPLICATE_RULE,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "excluded_by_reason": self.excluded_by_reason(),
            "sources": self.sources,
            "exclusions": self.exclusions,
            "unknown_values": self.unknown_values,
            "out_of_range": self.out_of_range,
            "redactions": self.redactions,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"

    def summary(self, lang: str = "da") -> str:
        """A short summary for people, in Danish (``da``) or English (``en``)."""
        da = lang == "da"
        lines = [
            ("Rensning af " if da else "Cleaning of ") + self.instrument,
            (
                f"Rækker ind: {self.rows_in}; beholdt: {self.rows_kept}; udeladt: "
                f"{self.rows_excluded}"
            )
            if da
            else (
                f"Rows in: {self.rows_in}; kept: {self.rows_kept}; excluded: {self.rows_excluded}"
            ),
        ]
        for reason, n in self.excluded_by_reason().items():
            if n:
                lines.append(f"  - {EXCLUSION_TEXT[reason][0 if da else 1]}: {n}")
        for s in self.sources:
            lines.append(
                f"{'Fil' if da else 'File'} {s['file']} ({s['format']}, "
                f"{'bølge' if da else 'wave'} {s['wave']}): {s['rows']} "
                f"{'rækker' if da else 'rows'}, {s['kept']} "
                f"{'beholdt' if da else 'kept'}"
            )
            if s["unmatched_columns"]:
                lines.append(
                    ("  Kolonner uden spørgsmål: " if da else "  Unmatched columns: ")
                    + ", ".join(s["unmatched_columns"])
                )
        if self.unknown_values:
            lines.append(
                (f"Ukendte svarværdier: {len(self.unknown_values)} (politik: {self.policy})")
                if da
                else (f"Unknown answer values: {len(self.unknown_values)} (policy: {self.policy})")
            )
            for u in self.unknown_values[:20]:
                lines.append(
                    f"  - {u['file']}, {'række' if da else 'row'} {u['row']}, "
                    f"{u['column']!r}: {u['value']!r}"
                )
        if self.out_of_range:
            lines.append(
                (f"Tal uden for gyldigt interval: {len(self.out_of_range)}")
                if da
                else (f"Numbers out of range: {len(self.out_of_range)}")
            )
            for u in self.out_of_range[:20]:
                lines.append(
                    f"  - {u['file']}, {'række' if da else 'row'} {u['row']}, "
                    f"{u['column']!r}: {u['value']!r} ({u['expected']})"
                )
        total = sum(sum(v.values()) for v in self.redactions.values())
        if total:
            lines.append(
                (f"Fjernede personoplysninger i fritekst: {total}")
                if da
                else (f"Personal data redacted from free text: {total}")
            )
        return "\n".join(lines) + "\n"


@dataclass
class CleanSurvey:
    """The result of cleaning: the tidy table and its audit log."""

    data: pd.DataFrame
    log: CleaningLog
    instrument: Instrument


# --------------------------------------------------------------------------- discovery


def discover_exports(raw_dir: str | Path) -> list[tuple[int, Path]]:
    """Find the raw exports below ``raw_dir``: one sub-folder per wave named by its year.

    A SurveyXact trio (``dataset``/``structure``/``labels``) counts as one export; every other
    ``.csv``, ``.xlsx`` or ``.sav`` file is an export of its own.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise SurveyDataError(
            "raw data folder not found",
            file=raw_dir,
            expected="a folder with one sub-folder per wave (e.g. 2025/)",
        )
    found: list[tuple[int, Path]] = []
    for wave_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
        if not re.match(config.WAVE_DIR_PATTERN, wave_dir.name):
            continue
        wave = int(wave_dir.name)
        files = sorted(
            p
            for p in wave_dir.iterdir()
            if p.is_file()
            and not p.name.startswith((".", "~$"))
            and p.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".sav", ".txt")
        )
        trio = [p for p in files if p.stem.lower() in ("dataset", "structure", "labels")]
        parts = {p.stem.lower() for p in trio if p.suffix.lower() in (".csv", ".txt")}
        if parts - {"dataset"} and len(parts) < 3:  # structure/labels without the rest
            from fslt_survey.ingest.formats import sx_locate

            sx_locate(sorted(trio)[0])  # raises: names the missing part(s)
        if trio:
            found.append((wave, next((p for p in trio if p.stem.lower() == "dataset"), trio[0])))
        found.extend((wave, p) for p in files if p not in trio)
    if not found:
        raise SurveyDataError(
            "no raw exports found",
            file=raw_dir,
            expected="sub-folders named by wave year holding exports",
        )
    return found


def clean_directory(
    instrument: Instrument | str | Path,
    raw_dir: str | Path,
    registry: pd.DataFrame,
    *,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    names: tuple[str, ...] = (),
) -> CleanSurvey:
    """Read every export below ``raw_dir`` (see :func:`discover_exports`) and clean them."""
    if not isinstance(instrument, Instrument):
        instrument = load_instrument(instrument)
    exports = [(_read_any(path, instrument), wave) for wave, path in discover_exports(raw_dir)]
    return clean_exports(instrument, exports, registry, policy=policy, names=names)


def display_path(path: str | Path) -> str:
    """A path as the log shows it: relative to the project when inside it (so that logs do not
    depend on where the project is cloned), else as given."""
    p = Path(path)
    try:
        return p.resolve().relative_to(config.PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_any(path: Path, instrument: Instrument) -> RawExport:
    """Read one export; KoboToolbox exports (which need the instrument) are recognised."""
    raw = read_export(path)
    from fslt_survey.forms import is_kobo_export, read_kobo_export

    if is_kobo_export(list(raw.frame.columns)):
        return read_kobo_export(path, instrument)
    return raw


# --------------------------------------------------------------------------- cleaning


def clean_exports(
    instrument: Instrument,
    exports: list[tuple[RawExport, int]],
    registry: pd.DataFrame,
    *,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    names: tuple[str, ...] = (),
) -> CleanSurvey:
    """Clean raw exports (each with its wave) against an instrument and the member registry.

    Parameters
    ----------
    instrument:
        The validated instrument.
    exports:
        ``(RawExport, wave)`` pairs, e.g. from :func:`fslt_survey.ingest.readers.read_export`.
    registry:
        The member registry (:func:`fslt_survey.registry.load_registry`). For instruments
        without an association item (anonymous evaluations) it is not used for exclusion.
    policy:
        ``"warn"`` (unknown labels become "Ugyldigt svar" and are logged) or ``"fail"``.
    names:
        Personal names to redact from free text in addition to the built-in patterns.
    """
    if policy not in POLICIES:
        raise SurveyDataError(f"unknown policy {policy!r}", expected=" or ".join(POLICIES))
    log = CleaningLog(instrument=instrument.id, policy=policy)
    frames = [_clean_one(instrument, raw, wave, registry, log, names) for raw, wave in exports]
    if len(frames) == 1:
        data = frames[0]  # (concat would copy it)
    else:
        data = pd.concat(frames, ignore_index=True) if frames else _empty_frame(instrument)
    if instrument.kind == "member":
        data = _resolve_duplicates(instrument, data, log)
    if instrument.association_item is not None:
        data = attach_registry(data, registry)
    data = data.sort_values(
        ["wave", "association_id", "response_id"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    data["association_id"] = data["association_id"].astype("string")
    for src in log.sources:
        src["kept"] = int((data["source_key"] == src["key"]).sum())
        src["excluded"] = src["rows"] - src["kept"]
    data = data.drop(columns=["source_key"])
    if policy == "fail" and (log.unknown_values or log.out_of_range):
        problems = [
            f"{u['file']}, row {u['row']}, column {u['column']!r}: {u['value']!r} "
            f"(expected {u['expected']})"
            for u in log.unknown_values + log.out_of_range
        ]
        raise CleaningError(
            f"{len(problems)} unknown or invalid answer value(s) under policy 'fail'",
            file=log.unknown_values[0]["file"] if log.unknown_values else None,
            problems=problems[:50]
            + ([f"... and {len(problems) - 50} more"] if len(problems) > 50 else []),
        )
    return CleanSurvey(data=data, log=log, instrument=instrument)


def _missing_categories(instrument: Instrument) -> list[str]:
    cats = list(config.MISSING_REASONS)
    for scale in instrument.scales.values():
        cats.extend(lab.label for lab in scale.missing if lab.label not in cats)
    for extra in (config.NOT_ANSWERED, config.INVALID_ANSWER):
        if extra not in cats:
            cats.append(extra)
    return cats


def _item_columns(instrument: Instrument) -> list[tuple[str, Item, Label | None]]:
    """The item columns of the clean table in order: ``(name, item, option)``; ``option`` is
    the multi-select label of an option column, and the name ending ``__missing`` the reason."""
    out: list[tuple[str, Item, Label | None]] = []
    for item in instrument.items:
        if item.type == "association":
            continue
        if item.type == "multi":
            assert item.scale is not None
            out += [(item.option_column(lab), item, lab) for lab in item.scale.substantive]
        else:
            out.append((item.id, item, None))
        out.append((item.missing_column, item, None))
    return out


def _unanswered_column(item: Item, option: Label | None, n: int) -> Any:
    """The value column of an item no raw column holds: all missing, correctly typed."""
    if item.type in ("single", "likert"):
        assert item.scale is not None
        dtype = pd.CategoricalDtype(item.scale.categories, ordered=item.scale.ordered)
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=dtype)
    if item.type == "multi":
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if item.type == "numeric":
        return pd.arrays.FloatingArray(np.zeros(n, dtype=float), np.ones(n, dtype=bool))
    return _na_strings(n)


def _na_strings(n: int) -> Any:
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(n, pa.large_string())]))


def _item_frame_columns(instrument: Instrument, n: int) -> dict[str, Any]:
    """Empty, correctly typed columns for ``n`` rows (used for items without a raw column)."""
    # not asked (item absent from this export or not in this wave): value and reason both NA,
    # so the response is outside every base of the item
    reasons = _Reasons(instrument)
    not_asked = np.full(n, -1, dtype=reasons.codes)
    return {
        name: reasons.categorical(not_asked)
        if name == item.missing_column
        else _unanswered_column(item, option, n)
        for name, item, option in _item_columns(instrument)
    }


def _empty_frame(instrument: Instrument) -> pd.DataFrame:
    base = {
        "response_id": pd.array([], dtype="string"),
        "wave": pd.array([], dtype="int64"),
        "association_id": pd.array([], dtype="string"),
        "submitted": pd.Series([], dtype="datetime64[ns]"),
        "source": pd.array([], dtype="string"),
        "source_key": pd.array([], dtype="int64"),
        "row": pd.array([], dtype="int64"),
        "n_answered": pd.array([], dtype="int64"),
    }
    return pd.DataFrame({**base, **_item_frame_columns(instrument, 0)})


def _code_type(n_categories: int) -> type[np.signedinteger]:
    """The smallest integer type for codes of ``n_categories`` categories (and ``-1``)."""
    return np.int8 if n_categories < 127 else np.int16 if n_categories < 32767 else np.int32


class _Reasons:
    """The missing-reason categories of an instrument; reasons are handled as integer codes
    (``-1`` = none) and become categoricals only when the table is built."""

    def __init__(self, instrument: Instrument) -> None:
        self.categories = _missing_categories(instrument)
        self.dtype = pd.CategoricalDtype(self.categories)
        self._code = {c: i for i, c in enumerate(self.categories)}
        self.not_answered = self.code(config.NOT_ANSWERED)
        self.invalid = self.code(config.INVALID_ANSWER)
        #: the integer type of the codes (one byte for the usual handful of reasons)
        self.codes = _code_type(len(self.categories))

    def code(self, label: str | None) -> int:
        """The code of a reason label (``-1`` for none, or a label that is no category)."""
        return -1 if label is None else self._code.get(label, -1)

    def categorical(self, codes: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, dtype=self.dtype)


class _Ctx:
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
        self.reasons = _Reasons(instrument)
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
        expected: str,
        kind: str = "unknown",
    ) -> None:
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
                    "expected": expected,
                }
            )


def _factorize(values: pd.Series | pd.Index | np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """``pd.factorize`` (NA -> ``-1``) with the distinct values as a list: decoders work on
    the distinct values, a handful even in a million rows, and index the result by code."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _by_code(per_unique: list[Any], codes: np.ndarray, na: Any, dtype: Any) -> np.ndarray:
    """Per-row values from per-distinct-value ones (``na`` where the raw value is missing)."""
    return np.array([*per_unique, na], dtype=dtype)[codes]


def _strings_by_code(per_unique: list[str | None], codes: np.ndarray) -> Any:
    """A ``string`` array of per-distinct-value texts taken by code (``-1``/``None`` -> NA)."""
    return take_strings(per_unique, codes)


def _clean_one(
    instrument: Instrument,
    raw: RawExport,
    wave: int,
    registry: pd.DataFrame,
    log: CleaningLog,
    names: tuple[str, ...],
) -> pd.DataFrame:
    matching = match_columns(raw, instrument)
    ctx = _Ctx(raw, wave, log, instrument, names)
    key = len(log.sources)
    log.sources.append(
        {
            **raw.provenance.to_dict(),
            "file": ctx.file,
            "parts": [{"file": display_path(f), "sha256": h} for f, h in raw.provenance.parts],
            "key": key,
            "wave": wave,
            "rows": ctx.n,
            "unmatched_columns": list(matching.unmatched),
            "missing_items": list(matching.missing_items),
            "metadata_columns": dict(matching.metadata),
            "notes": list(raw.notes),  # what the reader handled: skipped rows, renamed columns
            "kept": 0,
            "excluded": 0,
        }
    )
    by_item: dict[str, list[tuple[str, str | None]]] = {}
    for m in matching.matches:
        by_item.setdefault(m.item_id, []).append((m.column, m.option))
    _check_matching(instrument, raw, by_item)

    reasons = ctx.reasons
    cols: dict[str, Any] = {}  # decoded value columns; the rest are built unanswered below
    why: dict[str, np.ndarray] = {}  # item id -> reason codes
    answered = np.zeros(ctx.n, dtype=np.int64)
    decoded: dict[str, pd.Categorical] = {}
    for item in instrument.items:
        if item.type == "association" or item.id not in by_item:
            continue
        if instrument.waves and item.waves and wave not in item.waves:
            continue
        if item.type in ("single", "likert"):
            values, codes = _decode_choice(item, by_item[item.id][0][0], ctx)
            cols[item.id] = values
            decoded[item.id] = values
        elif item.type == "multi":
            options, codes = _decode_multi(item, by_item[item.id], ctx)
            cols.update(options)
        elif item.type == "numeric":
            cols[item.id], codes = _decode_numeric(item, by_item[item.id][0][0], ctx)
        else:
            cols[item.id], codes = _decode_text(item, by_item[item.id][0][0], ctx)
        why[item.id] = codes
        answered += (codes != reasons.not_answered) & (codes != reasons.invalid)

    _apply_skip_logic(instrument, why, decoded, reasons)

    keep = np.ones(ctx.n, dtype=bool)

    def exclude(mask: np.ndarray, reason: str, detail: list[str] | None = None) -> None:
        idx = np.flatnonzero(mask & keep)
        if not len(idx):
            return
        text = EXCLUSION_TEXT[reason][0]
        details = detail if detail else [None] * len(idx)
        log.exclusions.extend(
            {
                "file": ctx.file,
                "row": row,
                "wave": wave,
                "reason": reason,
                "reason_text": text,
                "detail": d,
            }
            for row, d in zip(ctx.rows[idx].tolist(), details, strict=True)
        )
        keep[idx] = False

    exclude(answered == 0, EXCLUDE_BLANK)
    association: Any = None
    assoc_item = instrument.association_item
    if assoc_item is not None:
        codes, uniques = _association_values(assoc_item, by_item, raw)
        test_re = re.compile("|".join(config.TEST_PATTERNS))
        is_test = [
            bool(test_re.search(normalise(u))) if isinstance(u, str) else False for u in uniques
        ]
        exclude(_by_code(is_test, codes, False, bool), EXCLUDE_TEST)
        ids = _link_registry(uniques, registry)
        association = _strings_by_code(ids, codes)
        unlinked = _by_code([i is None for i in ids], codes, True, bool)
        if instrument.kind != "member":  # anonymous forms: the association is optional
            unlinked[:] = False
        still = np.flatnonzero(unlinked & keep)
        exclude(
            unlinked,
            EXCLUDE_NOT_MEMBER,
            [ctx.redact(uniques[c] if c >= 0 else pd.NA) for c in codes[still].tolist()],
        )

    # the table, for the kept rows only
    sel = None if keep.all() else np.flatnonzero(keep)
    rows = ctx.rows if sel is None else ctx.rows[sel]
    n = len(rows)
    source_name = Path(ctx.file).name
    out: dict[str, Any] = {
        "response_id": _response_ids(wave, source_name, rows),
        "wave": np.full(n, wave, dtype=np.int64),
        "association_id": _take(association, sel) if association is not None else _na_strings(n),
        "submitted": _take(_submitted(raw, matching), sel),
        "source": _strings_by_code([source_name], np.zeros(n, dtype=np.int64)),
        "source_key": np.full(n, key, dtype=np.int64),
        "row": rows,
        "n_answered": _take(answered, sel),
    }
    not_asked = np.full(n, -1, dtype=reasons.codes)  # (see _item_frame_columns)
    for name, item, option in _item_columns(instrument):
        if name == item.missing_column:
            codes = why.get(item.id)
            out[name] = reasons.categorical(not_asked if codes is None else _take(codes, sel))
        elif name in cols:
            out[name] = _take(cols[name], sel)
        else:
            out[name] = _unanswered_column(item, option, n)
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


def _take(values: Any, sel: np.ndarray | None) -> Any:
    """The rows ``sel`` (all rows for ``None``) of an array."""
    if sel is None:
        return values
    if isinstance(values, np.ndarray):
        return values[sel]
    return values.take(sel)


def _response_ids(wave: int, source_name: str, rows: np.ndarray) -> Any:
    """``<wave>/<file>#<row>`` for every row, built column-wise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pool = memory_pool()
    numbers = pc.cast(pa.array(rows, type=pa.int64()), pa.large_string(), memory_pool=pool)
    ids = pc.binary_join_element_wise(
        pa.scalar(f"{wave}/{source_name}#", pa.large_string()),
        numbers,
        pa.scalar("", pa.large_string()),
        memory_pool=pool,
    )
    return pd.arrays.ArrowStringArray(pa.chunked_array([ids]))


def _check_matching(
    instrument: Instrument, raw: RawExport, by_item: dict[str, list[tuple[str, str | None]]]
) -> None:
    """Refuse an export in which no column holds a question (the wrong file, a title or merged
    header row, the data on another sheet) or, for a member survey, none holds the association:
    cleaning it would only exclude every row. An export without records is never refused."""
    if len(raw.frame) == 0:
        return
    columns = [str(c) for c in raw.frame.columns]
    found = ", ".join(repr(c) for c in columns[:6]) + (", ..." if len(columns) > 6 else "")
    assoc = instrument.association_item
    if not any(item_id != (assoc.id if assoc else None) for item_id in by_item):
        raise CleaningError(
            f"no column matches a question of instrument {instrument.id!r} (another survey's "
            "file? a merged header row? the answers on another sheet?)",
            file=raw.provenance.file,
            expected="columns named by SurveyXact variable, item id or question text",
            found=f"columns {found}" if columns else "no columns",
        )
    if instrument.kind == "member" and assoc is not None and assoc.id not in by_item:
        raise CleaningError(
            f"no column holds the association (item {assoc.id!r}), which links each response "
            "of a member survey to the registry",
            file=raw.provenance.file,
            expected=f"a column {assoc.sx or assoc.id!r} or headed {assoc.text!r}",
            found=f"columns {found}",
        )


def _association_values(
    item: Item, by_item: dict[str, list[tuple[str, str | None]]], raw: RawExport
) -> tuple[np.ndarray, list[Any]]:
    """The association column as codes into its distinct values (all ``-1`` when absent)."""
    if item.id not in by_item:
        return np.full(len(raw.frame), -1, dtype=np.int64), []
    return _factorize(raw.frame[by_item[item.id][0][0]])


def _link_registry(values: list[Any], registry: pd.DataFrame) -> list[str | None]:
    """The registry id of each value (by normalised name or id), ``None`` when unknown."""
    lookup = {
        normalise(n): i for n, i in zip(registry["name"], registry["association_id"], strict=True)
    }
    lookup.update({normalise(i): i for i in registry["association_id"]})
    out = [lookup.get(normalise(v)) if isinstance(v, str) else None for v in values]
    return [None if i is None or i is pd.NA else str(i) for i in out]


def _submitted(raw: RawExport, matching: Matching) -> np.ndarray:
    for role in ("submitted", "modified", "started"):
        col = next((c for c, r in matching.metadata.items() if r == role), None)
        if col is not None and col in raw.frame:
            return _parse_times(raw.frame[col]).to_numpy()
    return np.full(len(raw.frame), np.datetime64("NaT"), dtype="datetime64[ns]")


_DAY, _MONTH, _YEAR = r"(0[1-9]|[12]\d|3[01])", r"(0[1-9]|1[0-2])", r"(19|20)\d\d"
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
#: Timestamp layouts of the exports (SurveyXact, Google Forms, xlsx cells written as ISO) that
#: :func:`_parse_times` reads column-wise: (exact pattern, strptime format, where the day is).
#: A value is taken only when the parsed day is the written one (strptime reads 31-02 as
#: 03-03; the pattern bounds every other field); every other value goes through
#: :func:`_parse_time`, as all values once did.
_TIME_LAYOUTS = (
    (rf"{_DAY}-{_MONTH}-{_YEAR} {_CLOCK}", "%d-%m-%Y %H:%M:%S", 0),
    (rf"{_DAY}/{_MONTH}/{_YEAR} {_CLOCK}", "%d/%m/%Y %H:%M:%S", 0),
    (rf"{_YEAR}-{_MONTH}-{_DAY}T{_CLOCK}", "%Y-%m-%dT%H:%M:%S", 8),
    (rf"{_YEAR}-{_MONTH}-{_DAY} {_CLOCK}", "%Y-%m-%d %H:%M:%S", 8),
    (rf"{_YEAR}-{_MONTH}-{_DAY}", "%Y-%m-%d", 8),
)


def _parse_time(v: object) -> Any:
    """One timestamp as naive local (Danish) time, or NaT."""
    if not isinstance(v, str) or not v.strip():
        return pd.NaT
    try:
        ts = (
            pd.Timestamp(v.strip())
            if re.match(r"^\d{4}-", v.strip())
            else pd.to_datetime(v.strip(), dayfirst=True)
        )
    except (ValueError, TypeError):
        return pd.NaT
    if ts is pd.NaT or not 1900 <= ts.year <= 2200:  # "3,5" parses as year 1: not a time
        return pd.NaT
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Europe/Copenhagen").tz_localize(None)
    return ts


def _parse_times(s: pd.Series) -> pd.Series:
    """Timestamps as naive local (Danish) time; ISO with or without offset, or dd-mm-yyyy."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.ones(len(s), dtype=bool)
    array = s.array
    if isinstance(array, pd.arrays.ArrowStringArray) and len(s):
        values = array._pa_array  # the Arrow data behind the column
        for pattern, fmt, day_at in _TIME_LAYOUTS:
            match = pc.fill_null(pc.match_substring_regex(values, f"^{pattern}$"), False)
            if not pc.any(match).as_py():
                continue
            parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
            day = pc.utf8_slice_codeunits(
                pc.if_else(match, values, "01-01-2000"), day_at, day_at + 2
            )
            same_day = pc.equal(pc.cast(day, pa.int64()), pc.day(parsed))
            good = pc.fill_null(pc.and_(match, same_day), False)
            ok = np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool) & todo
            seconds = np.asarray(
                pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
            )
            out[ok] = seconds[ok].astype("datetime64[s]").astype("datetime64[ns]")
            todo &= ~ok
    rest = np.flatnonzero(todo)
    if len(rest):
        codes, uniques = _factorize(s.iloc[rest].astype("object"))
        parsed_u = [_parse_time(u) for u in uniques]
        out[rest] = pd.Series([*parsed_u, pd.NaT], dtype="datetime64[ns]").to_numpy()[codes]
    return pd.Series(out, index=s.index, dtype="datetime64[ns]")


def _decode_choice(item: Item, column: str, ctx: _Ctx) -> tuple[pd.Categorical, np.ndarray]:
    scale = item.scale
    assert scale is not None
    raw = ctx.raw.frame[column]
    codes, uniques = _factorize(raw)
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
    bad_mask = _by_code(bad, codes, False, bool)
    if bad_mask.any():
        expected = "one of: " + ", ".join(lab.label for lab in scale.labels)
        ctx.unknown(bad_mask, raw, column, item, expected)
    values = pd.Categorical.from_codes(
        _by_code(value_of, codes, -1, _code_type(len(scale.categories))),
        dtype=pd.CategoricalDtype(scale.categories, ordered=scale.ordered),
    )
    return values, _by_code(reason_of, codes, ctx.reasons.not_answered, ctx.reasons.codes)


def _decode_multi(
    item: Item, columns: list[tuple[str, str | None]], ctx: _Ctx
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
        codes, uniques = _factorize(raw)
        split = [
            _split_multi(u, sep, scale) if isinstance(u, str) and u.strip() else None
            for u in uniques
        ]
        answered_u = [s is not None for s in split]
        any_answer |= _by_code(answered_u, codes, False, bool)
        for lab in opts:
            chosen = [s is not None and lab.key in s[0] for s in split]
            result[item.option_column(lab)] |= _by_code(chosen, codes, False, bool)
        miss_u = [
            ctx.reasons.code(s[2]) if s is not None and s[2] and not s[0] else -1 for s in split
        ]
        missing = np.where(
            _by_code([m >= 0 for m in miss_u], codes, False, bool),
            _by_code(miss_u, codes, -1, ctx.reasons.codes),
            missing,
        )
        # a label that is no reason category still counts as a typed missing answer
        typed = _by_code(
            [s is not None and bool(s[2]) and not s[0] for s in split], codes, False, bool
        )
        bad = _by_code([s is not None and bool(s[1]) for s in split], codes, False, bool)
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
    by_code = {str(lab.code): lab for lab in opts}
    for col, opt in option_cols:
        raw = ctx.raw.frame[col]
        codes, uniques = _factorize(raw)
        norm = [str(u).strip().casefold() if isinstance(u, str) else None for u in uniques]
        lab = by_key.get(str(opt)) or by_code.get(str(opt))
        if lab is None:
            miss = scale.by_code(opt) or scale.match(opt)
            ticked = _by_code([v in _SELECTED for v in norm], codes, False, bool)
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
        sel = _by_code([v in _SELECTED for v in norm], codes, False, bool)
        notsel = _by_code([v in _NOT_SELECTED for v in norm], codes, False, bool)
        present = _by_code([v is not None for v in norm], codes, False, bool)
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


def _decode_numeric(item: Item, column: str, ctx: _Ctx) -> tuple[Any, np.ndarray]:
    raw = ctx.raw.frame[column]
    codes, uniques = _factorize(raw)
    parsed = [parse_danish_number(u) for u in uniques]
    vals = _by_code([np.nan if p is None else p for p in parsed], codes, np.nan, float)
    # a typed missing label written in a numeric field ("Ved ikke") is a reason, not an error
    typed: list[int] = []
    for u, p in zip(uniques, parsed, strict=True):
        text = normalise(u) if p is None else None
        reason = next((r for r in ctx.missing_cats if normalise(r) == text), None)
        typed.append(ctx.reasons.code(reason) if reason is not None else -1)
    reasons = _by_code(typed, codes, ctx.reasons.not_answered, ctx.reasons.codes)
    unparsable = _by_code(
        [p is None and r < 0 for p, r in zip(parsed, typed, strict=True)], codes, False, bool
    )
    if unparsable.any():
        ctx.unknown(unparsable, raw, column, item, "a number")
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
            f"a number from {item.minimum:g} to {item.maximum:g}"
            if item.minimum is not None and item.maximum is not None
            else "a number in range",
            kind="range",
        )
        vals[out_of_range] = np.nan
        reasons[out_of_range] = ctx.reasons.invalid
    return pd.arrays.FloatingArray(vals, np.isnan(vals)), reasons


def _decode_text(item: Item, column: str, ctx: _Ctx) -> tuple[Any, np.ndarray]:
    raw = ctx.raw.frame[column]
    codes, uniques = _factorize(raw)
    rows_per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: Counter[str] = Counter()
    out: list[str | None] = []
    for u, times in zip(uniques, rows_per_value.tolist(), strict=True):
        text = u.strip() if isinstance(u, str) else ""
        if not text:
            out.append(None)
            continue
        red, found = redact_text_counts(text, ctx.names)
        counts.update({k: v * times for k, v in found.items() if v})
        out.append(red)
    if counts:
        agg = ctx.log.redactions.setdefault(item.id, {})
        for k, v in counts.items():
            agg[k] = agg.get(k, 0) + v
    reasons = _by_code(
        [-1 if o is not None else ctx.reasons.not_answered for o in out],
        codes,
        ctx.reasons.not_answered,
        ctx.reasons.codes,
    )
    return _strings_by_code(out, codes), reasons


def _apply_skip_logic(
    instrument: Instrument,
    why: dict[str, np.ndarray],
    decoded: dict[str, pd.Categorical],
    reasons: _Reasons,
) -> None:
    """Unanswered items whose ``relevant`` condition is not met are "Ikke relevant"."""
    for item in instrument.items:
        cond = item.relevant
        if cond is None or item.type == "association" or cond.item not in decoded:
            continue
        target = decoded[cond.item]
        wanted = [i for i, c in enumerate(target.categories) if c in set(cond.values)]
        target_codes = np.asarray(target.codes)
        cond_why = why.get(cond.item)
        target_answered = (target_codes >= 0) | (
            True if cond_why is None else cond_why != reasons.not_answered
        )
        not_relevant = target_answered & ~np.isin(target_codes, wanted)
        codes = why.get(item.id)
        if codes is None:  # not asked: no reason to give
            continue
        fix = not_relevant & (codes == reasons.not_answered)
        if fix.any():
            codes = codes.copy()
            codes[fix] = reasons.code("Ikke relevant")
            why[item.id] = codes


def _resolve_duplicates(
    instrument: Instrument, data: pd.DataFrame, log: CleaningLog
) -> pd.DataFrame:
    """Keep one response per wave and association (see module docstring)."""
    if data.empty:
        return data
    # the order of sort_values(["wave", "association_id", "n_answered", submitted (missing
    # first), position]), on integer keys
    wave = data["wave"].to_numpy()
    aid_codes, aid_values = pd.factorize(data["association_id"], sort=True, use_na_sentinel=True)
    aid = np.where(aid_codes < 0, len(aid_values), aid_codes)  # a missing id sorts last
    sub = data["submitted"].to_numpy()
    sub_key = sub.view(np.int64).copy()
    sub_key[np.isnat(sub)] = pd.Timestamp.min.value
    order = np.lexsort((np.arange(len(data)), sub_key, data["n_answered"].to_numpy(), aid, wave))
    w, a = wave[order], aid[order]
    first = np.concatenate(([True], (w[1:] != w[:-1]) | (a[1:] != a[:-1])))
    last = np.concatenate((first[1:], [True]))  # the winner: last of its wave and association
    if last.all():
        return data
    winners = order[last]
    losers = order[~last]
    group = (np.cumsum(first) - 1)[~last]
    # the same detail, wave and file objects for every loser of a group (a million dicts)
    winner_ids = data["response_id"].array.take(winners).to_numpy(dtype=object, na_value=pd.NA)
    ids = [aid_values[c] if c < len(aid_values) else pd.NA for c in a[last].tolist()]
    detail = [f"{i}: erstattet af {r}" for i, r in zip(ids, winner_ids.tolist(), strict=True)]
    waves = w[last].tolist()
    files = {s["key"]: s["file"] for s in log.sources}
    source = data["source_key"].to_numpy()
    rows = data["row"].to_numpy()
    text = EXCLUSION_TEXT[EXCLUDE_DUPLICATE][0]
    step = 100_000
    for k in range(0, len(losers), step):
        idx, g = losers[k : k + step], group[k : k + step].tolist()
        log.exclusions.extend(
            {
                "file": files[key],
                "row": row,
                "wave": waves[gi],
                "reason": EXCLUDE_DUPLICATE,
                "reason_text": text,
                "detail": detail[gi],
            }
            for key, row, gi in zip(source[idx].tolist(), rows[idx].tolist(), g, strict=True)
        )
    return data.take(np.sort(winners))


def attach_registry(data: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Add the registry profile (type, size band, locality) of each response's association."""
    prof = registry.set_index("association_id")[["assoc_type", "size_band", "locality"]]
    out = data.drop(columns=[c for c in prof.columns if c in data.columns])
    joined = out.join(prof, on="association_id")
    front = ["response_id", "wave", "association_id", "assoc_type", "size_band", "locality"]
    return joined[front + [c for c in joined.columns if c not in front]]
