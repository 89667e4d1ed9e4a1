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

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item, load_instrument, normalise
from fslt_survey.errors import CleaningError, SurveyDataError
from fslt_survey.io import Matching, RawExport, match_columns, read_export
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
            from fslt_survey.formats import sx_locate

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
        ``(RawExport, wave)`` pairs, e.g. from :func:`fslt_survey.io.read_export`.
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


def _item_frame_columns(instrument: Instrument, n: int) -> dict[str, pd.Series]:
    """Empty, correctly typed columns for ``n`` rows (used for items without a raw column)."""
    # not asked (item absent from this export or not in this wave): value and reason both NA,
    # so the response is outside every base of the item
    reasons = pd.Categorical([None] * n, categories=_missing_categories(instrument))
    cols: dict[str, Any] = {}
    for item in instrument.items:
        if item.type == "association":
            continue
        if item.type in ("single", "likert"):
            assert item.scale is not None
            cols[item.id] = pd.Categorical(
                [None] * n, categories=item.scale.categories, ordered=item.scale.ordered
            )
        elif item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                cols[item.option_column(lab)] = pd.array([pd.NA] * n, dtype="boolean")
        elif item.type == "numeric":
            cols[item.id] = pd.array([pd.NA] * n, dtype="Float64")
        else:
            cols[item.id] = pd.array([pd.NA] * n, dtype="string")
        cols[item.missing_column] = reasons.copy()
    return cols


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
        self.missing_cats = _missing_categories(instrument)
        self.names = names

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
        for i in np.flatnonzero(mask):
            target.append(
                {
                    "file": self.file,
                    "row": int(self.rows[i]),
                    "column": column,
                    "item": item.id,
                    "value": redact_text(str(values.iloc[i]), self.names),
                    "wave": self.wave,
                    "expected": expected,
                }
            )


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

    cols = _item_frame_columns(instrument, ctx.n)
    answered = np.zeros(ctx.n, dtype=np.int64)
    decoded: dict[str, pd.Categorical] = {}
    for item in instrument.items:
        if item.type == "association" or item.id not in by_item:
            continue
        if instrument.waves and item.waves and wave not in item.waves:
            continue
        if item.type in ("single", "likert"):
            values, reasons = _decode_choice(item, by_item[item.id][0][0], ctx)
            cols[item.id] = values
            decoded[item.id] = values
        elif item.type == "multi":
            options, reasons = _decode_multi(item, by_item[item.id], ctx)
            cols.update(options)
        elif item.type == "numeric":
            cols[item.id], reasons = _decode_numeric(item, by_item[item.id][0][0], ctx)
        else:
            cols[item.id], reasons = _decode_text(item, by_item[item.id][0][0], ctx)
        cols[item.missing_column] = reasons
        usable = reasons.isna() | ~reasons.isin([config.NOT_ANSWERED, config.INVALID_ANSWER])
        answered += np.asarray(usable, dtype=np.int64)

    _apply_skip_logic(instrument, cols, decoded)

    frame = pd.DataFrame(cols)
    source_name = Path(ctx.file).name
    meta = pd.DataFrame(
        {
            "response_id": pd.array(
                [f"{wave}/{source_name}#{r}" for r in ctx.rows], dtype="string"
            ),
            "wave": np.full(ctx.n, wave, dtype=np.int64),
            "association_id": pd.array([pd.NA] * ctx.n, dtype="string"),
            "submitted": _submitted(raw, matching),
            "source": pd.array([source_name] * ctx.n, dtype="string"),
            "source_key": np.full(ctx.n, key, dtype=np.int64),
            "row": ctx.rows,
            "n_answered": answered,
        }
    )
    frame = pd.concat([meta, frame], axis=1)
    keep = np.ones(ctx.n, dtype=bool)

    def exclude(mask: np.ndarray, reason: str, detail: list[str] | None = None) -> None:
        idx = np.flatnonzero(mask & keep)
        for j, i in enumerate(idx):
            log.exclusions.append(
                {
                    "file": ctx.file,
                    "row": int(ctx.rows[i]),
                    "wave": wave,
                    "reason": reason,
                    "reason_text": EXCLUSION_TEXT[reason][0],
                    "detail": detail[j] if detail else None,
                }
            )
        keep[idx] = False

    exclude(answered == 0, EXCLUDE_BLANK)
    assoc_item = instrument.association_item
    if assoc_item is not None:
        assoc_raw = _association_values(assoc_item, by_item, raw)
        norm = assoc_raw.map(lambda v: normalise(v) if isinstance(v, str) else "")
        test_re = re.compile("|".join(config.TEST_PATTERNS))
        exclude(norm.map(lambda v: bool(test_re.search(v))).to_numpy(dtype=bool), EXCLUDE_TEST)
        ids = _link_registry(assoc_raw, registry)
        frame["association_id"] = ids
        unlinked = np.array(ids.isna(), dtype=bool)
        if instrument.kind != "member":  # anonymous forms: the association is optional
            unlinked[:] = False
        exclude(
            unlinked,
            EXCLUDE_NOT_MEMBER,
            [redact_text(str(v), names) for v in assoc_raw[unlinked & keep]],
        )
    return frame.loc[keep].reset_index(drop=True)


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
) -> pd.Series:
    if item.id not in by_item:
        return pd.Series([pd.NA] * len(raw.frame), dtype="object")
    return raw.frame[by_item[item.id][0][0]].astype("object")


def _link_registry(values: pd.Series, registry: pd.DataFrame) -> pd.Series:
    lookup = {
        normalise(n): i for n, i in zip(registry["name"], registry["association_id"], strict=True)
    }
    lookup.update({normalise(i): i for i in registry["association_id"]})
    return pd.Series(
        [lookup.get(normalise(v)) if isinstance(v, str) else None for v in values],
        dtype="string",
    )


def _submitted(raw: RawExport, matching: Matching) -> pd.Series:
    for role in ("submitted", "modified", "started"):
        col = next((c for c, r in matching.metadata.items() if r == role), None)
        if col is not None and col in raw.frame:
            s = raw.frame[col].astype("object")
            return _parse_times(s).reset_index(drop=True)
    return pd.Series(pd.NaT, index=range(len(raw.frame)), dtype="datetime64[ns]")


def _parse_times(s: pd.Series) -> pd.Series:
    """Timestamps as naive local (Danish) time; ISO with or without offset, or dd-mm-yyyy."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for i, v in s.items():
        if not isinstance(v, str) or not v.strip():
            continue
        try:
            ts = (
                pd.Timestamp(v.strip())
                if re.match(r"^\d{4}-", v.strip())
                else pd.to_datetime(v.strip(), dayfirst=True)
            )
        except (ValueError, TypeError):
            continue
        if ts.tzinfo is not None:
            ts = ts.tz_convert("Europe/Copenhagen").tz_localize(None)
        out[i] = ts
    return out


def _reasons(ctx: _Ctx, labels: list[str | None]) -> pd.Categorical:
    return pd.Categorical(labels, categories=ctx.missing_cats)


def _decode_choice(item: Item, column: str, ctx: _Ctx) -> tuple[pd.Categorical, pd.Categorical]:
    scale = item.scale
    assert scale is not None
    raw = ctx.raw.frame[column]
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    value_of: list[str | None] = []
    reason_of: list[str | None] = []
    bad: list[bool] = []
    for u in uniques:
        lab = scale.match(u)
        if lab is None and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", str(u)):
            lab = scale.by_code(str(u).strip().split(".")[0])
        if lab is None:
            value_of.append(None)
            reason_of.append(config.INVALID_ANSWER)
            bad.append(True)
        elif lab.missing:
            value_of.append(None)
            reason_of.append(lab.label)
            bad.append(False)
        else:
            value_of.append(lab.label)
            reason_of.append(None)
            bad.append(False)
    value_arr = np.array([*value_of, None], dtype=object)[codes]
    reason_arr = np.array([*reason_of, config.NOT_ANSWERED], dtype=object)[codes]
    bad_mask = np.array([*bad, False], dtype=bool)[codes]
    if bad_mask.any():
        expected = "one of: " + ", ".join(lab.label for lab in scale.labels)
        ctx.unknown(bad_mask, raw, column, item, expected)
    values = pd.Categorical(value_arr, categories=scale.categories, ordered=scale.ordered)
    return values, _reasons(ctx, list(reason_arr))


def _decode_multi(
    item: Item, columns: list[tuple[str, str | None]], ctx: _Ctx
) -> tuple[dict[str, Any], pd.Categorical]:
    scale = item.scale
    assert scale is not None
    opts = scale.substantive
    result = {item.option_column(lab): np.zeros(ctx.n, dtype=bool) for lab in opts}
    any_answer = np.zeros(ctx.n, dtype=bool)
    missing_label: list[str | None] = [None] * ctx.n
    single_cols = [c for c, opt in columns if opt is None]
    option_cols = [(c, opt) for c, opt in columns if opt is not None]
    if single_cols:
        col = single_cols[0]
        sep = ctx.raw.multi_separator or ";"
        raw = ctx.raw.frame[col]
        cache: dict[str, tuple[list[str], list[str], str | None]] = {}
        bad_rows: list[int] = []
        for i, v in enumerate(raw.tolist()):
            if not isinstance(v, str) or not v.strip():
                continue
            if v not in cache:
                cache[v] = _split_multi(v, sep, scale)
            chosen, unknown, miss = cache[v]
            any_answer[i] = True
            for key in chosen:
                result[f"{item.id}__{key}"][i] = True
            if miss and not chosen:
                missing_label[i] = miss
            if unknown:
                bad_rows.append(i)
        if bad_rows:
            mask = np.zeros(ctx.n, dtype=bool)
            mask[bad_rows] = True
            ctx.unknown(
                mask,
                raw,
                col,
                item,
                "options separated by "
                + repr(sep)
                + ": "
                + ", ".join(lab.label for lab in scale.labels),
            )
    by_key = {lab.key: lab for lab in opts}
    by_code = {str(lab.code): lab for lab in opts}
    for col, opt in option_cols:
        lab = by_key.get(str(opt)) or by_code.get(str(opt))
        if lab is None:
            miss = scale.by_code(opt) or scale.match(opt)
            if miss is not None and miss.missing:
                s = ctx.raw.frame[col].map(
                    lambda v: (
                        str(v).strip().casefold() in _SELECTED if isinstance(v, str) else False
                    )
                )
                for i in np.flatnonzero(s.to_numpy(dtype=bool)):
                    missing_label[i] = miss.label
                    any_answer[i] = True
            else:  # an option the scale does not know: its ticks are listed, never dropped
                raw = ctx.raw.frame[col]
                ticked = raw.map(
                    lambda v: isinstance(v, str) and v.strip().casefold() in _SELECTED
                ).to_numpy(dtype=bool)
                if ticked.any():
                    ctx.unknown(ticked, raw.where(~ticked, f"{col}: valgt"), col, item,
                                "an option of scale " + repr(scale.id))
            continue
        raw = ctx.raw.frame[col]
        norm = raw.map(lambda v: str(v).strip().casefold() if isinstance(v, str) else None)
        sel = norm.isin(_SELECTED).to_numpy(dtype=bool)
        notsel = norm.isin(_NOT_SELECTED).to_numpy(dtype=bool)
        present = norm.notna().to_numpy(dtype=bool)
        bad = present & ~sel & ~notsel
        if bad.any():
            ctx.unknown(bad, raw, col, item, "0/1 or Valgt/Ikke valgt")
        result[item.option_column(lab)] |= sel
        any_answer |= sel | notsel
    reasons = [
        missing_label[i] if missing_label[i] else (None if any_answer[i] else config.NOT_ANSWERED)
        for i in range(ctx.n)
    ]
    unanswered = np.array([r is not None for r in reasons], dtype=bool)
    out: dict[str, Any] = {}
    for name, arr in result.items():
        col = pd.array(arr, dtype="boolean")
        col[unanswered] = pd.NA
        out[name] = col
    return out, _reasons(ctx, reasons)


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
            edge = re.escape(sep)
            pattern = re.compile(
                rf"(?<=[{edge}])\s*{re.escape(text)}\s*(?=[{edge}])", re.IGNORECASE
            )
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


def _decode_numeric(item: Item, column: str, ctx: _Ctx) -> tuple[Any, pd.Categorical]:
    raw = ctx.raw.frame[column]
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed = [parse_danish_number(u) for u in uniques]
    vals = np.array([*(np.nan if p is None else p for p in parsed), np.nan], dtype=float)[codes]
    present = codes >= 0
    unparsable = present & np.isnan(vals)
    reasons = np.full(ctx.n, None, dtype=object)
    reasons[~present] = config.NOT_ANSWERED
    # a typed missing label written in a numeric field ("Ved ikke") is a reason, not an error
    for i in np.flatnonzero(unparsable):
        text = normalise(raw.iloc[i])
        reason = next((r for r in ctx.missing_cats if normalise(r) == text), None)
        if reason is not None:
            reasons[i] = reason
            unparsable[i] = False
    if unparsable.any():
        ctx.unknown(unparsable, raw, column, item, "a number")
        reasons[unparsable] = config.INVALID_ANSWER
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
        reasons[out_of_range] = config.INVALID_ANSWER
    out = pd.array(vals, dtype="Float64")
    out[np.isnan(vals)] = pd.NA
    return out, _reasons(ctx, list(reasons))


def _decode_text(item: Item, column: str, ctx: _Ctx) -> tuple[Any, pd.Categorical]:
    raw = ctx.raw.frame[column]
    counts: Counter[str] = Counter()
    out: list[str | None] = []
    reasons: list[str | None] = []
    for v in raw.tolist():
        text = v.strip() if isinstance(v, str) else ""
        if not text:
            out.append(None)
            reasons.append(config.NOT_ANSWERED)
            continue
        red, found = redact_text_counts(text, ctx.names)
        counts.update({k: v for k, v in found.items() if v})
        out.append(red)
        reasons.append(None)
    if counts:
        agg = ctx.log.redactions.setdefault(item.id, {})
        for k, v in counts.items():
            agg[k] = agg.get(k, 0) + v
    return pd.array(out, dtype="string"), _reasons(ctx, reasons)


def _apply_skip_logic(
    instrument: Instrument, cols: dict[str, Any], decoded: dict[str, pd.Categorical]
) -> None:
    """Unanswered items whose ``relevant`` condition is not met are "Ikke relevant"."""
    for item in instrument.items:
        cond = item.relevant
        if cond is None or item.type == "association" or cond.item not in decoded:
            continue
        target = pd.Series(decoded[cond.item]).astype("object")
        reasons = pd.Series(cols[item.missing_column])
        target_answered = target.notna() | (
            pd.Series(cols[instrument.item(cond.item).missing_column]) != config.NOT_ANSWERED
        )
        not_relevant = target_answered & ~target.isin(cond.values)
        fix = not_relevant & (reasons == config.NOT_ANSWERED)
        if fix.any():
            new = reasons.astype("object")
            new[fix] = "Ikke relevant"
            cols[item.missing_column] = pd.Categorical(new, categories=reasons.cat.categories)


def _resolve_duplicates(
    instrument: Instrument, data: pd.DataFrame, log: CleaningLog
) -> pd.DataFrame:
    """Keep one response per wave and association (see module docstring)."""
    if data.empty:
        return data
    order = data.assign(
        _sub=data["submitted"].fillna(pd.Timestamp.min),
        _pos=np.arange(len(data)),
    ).sort_values(["wave", "association_id", "n_answered", "_sub", "_pos"], kind="stable")
    last = ~order.duplicated(["wave", "association_id"], keep="last")
    winners = order.loc[last].set_index(["wave", "association_id"])["response_id"]
    losers = order.loc[~last]
    files = {s["key"]: s["file"] for s in log.sources}
    for _, row in losers.iterrows():
        log.exclusions.append(
            {
                "file": files[row["source_key"]],
                "row": int(row["row"]),
                "wave": int(row["wave"]),
                "reason": EXCLUDE_DUPLICATE,
                "reason_text": EXCLUSION_TEXT[EXCLUDE_DUPLICATE][0],
                "detail": f"{row['association_id']}: erstattet af "
                f"{winners[(row['wave'], row['association_id'])]}",
            }
        )
    return data.loc[order.index[last.to_numpy()]].sort_index()


def attach_registry(data: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Add the registry profile (type, size band, locality) of each response's association."""
    prof = registry.set_index("association_id")[["assoc_type", "size_band", "locality"]]
    out = data.drop(columns=[c for c in prof.columns if c in data.columns])
    joined = out.join(prof, on="association_id")
    front = ["response_id", "wave", "association_id", "assoc_type", "size_band", "locality"]
    return joined[front + [c for c in joined.columns if c not in front]]
