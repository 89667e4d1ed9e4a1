"""Cleaning: raw exports -> one tidy table per survey, with an audit log that loses nothing.

The clean table has one row per kept association response (see README, "The clean data"):

- ``response_id`` (``<wave>/<file>#<row>``), ``wave``, ``association_id``, ``submitted``,
  ``source``, ``n_answered``, and the registry profile ``assoc_type``, ``size_band``,
  ``locality``;
- per single/likert item ``<id>`` (categorical of the substantive labels, ordered for ordered
  scales) and ``<id>__missing`` (the typed missing reason: "Ved ikke", "Ikke relevant", ...);
- per multi-select item one boolean column per option ``<id>__<key>`` and ``<id>__missing``
  (see :func:`fslt_survey.clean.multi.decode_multi`: answered only when an option is ticked);
- per numeric item ``<id>`` (Float64); per text item ``<id>`` (redacted string).

Rules, in the order they are applied to every raw row (the log records which one excluded it):

1. **invited** - the export's response status (SurveyXact's ``statoverall`` group) says the
   invitee never responded (Ny, Distribueret, Frafaldet) and nothing is answered: "inviteret,
   ikke besvaret". A partial response ("Nogle svar") is kept when it answered at least one item,
   like a complete one; a row with answers is kept whatever its status says;
2. **blank** - nothing usable answered (a typed "Ved ikke" counts as an answer; an unknown label
   or an out-of-range number does not, but it is listed among the unknown values; an all-zero
   multi-select block is no answer);
3. **test** - the association field matches :data:`config.TEST_PATTERNS`;
4. **not a member** - the association is not in the registry (by id or normalised name);
5. **duplicate** - per wave and association one response is kept: the most complete (most items
   answered), then the latest submitted, then the last in file order. Every superseded response is
   logged with the id of the response that replaced it.

Unknown answer labels and out-of-range numbers are listed with file, row, column and value. Under
the ``warn`` policy (default) the value becomes missing with reason "Ugyldigt svar"; under
``fail`` cleaning stops with :class:`CleaningError` listing them all. Items and multi-select
options of the instrument that no export of a wave holds are listed per wave in
``log.not_in_export`` (not asked: NA in the clean table); timestamps that cannot be read in
``log.bad_times``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.clean.decode import (
    DecodeContext,
    by_code,
    decode_choice,
    decode_numeric,
    decode_text,
    strings_by_code,
)
from fslt_survey.clean.log import (
    EXCLUDE_BLANK,
    EXCLUDE_INVITED,
    EXCLUDE_NOT_MEMBER,
    EXCLUDE_TEST,
    POLICIES,
    CleaningLog,
    display_path,
)
from fslt_survey.clean.match import Matching, match_columns
from fslt_survey.clean.multi import absent_options, decode_multi
from fslt_survey.clean.rows import (
    NEVER_ANSWERED,
    RowFilter,
    apply_skip_logic,
    association_values,
    attach_registry,
    link_registry,
    overall_status,
    resolve_duplicates,
)
from fslt_survey.clean.table import (
    empty_frame,
    item_columns,
    na_strings,
    response_ids,
    take,
    unanswered_column,
)
from fslt_survey.clean.times import submitted_times
from fslt_survey.codebook import Instrument, load_instrument, normalise
from fslt_survey.errors import CleaningError, SurveyDataError
from fslt_survey.ingest import (
    RawExport,
    find_exports,
    is_kobo_export,
    read_export,
    read_kobo_export,
)

#: Columns per item id: ``(raw column, option key or None)``.
ByItem = dict[str, list[tuple[str, str | None]]]


@dataclass
class CleanSurvey:
    """The result of cleaning: the tidy table and its audit log."""

    data: pd.DataFrame
    log: CleaningLog
    instrument: Instrument


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
    found = find_exports(raw_dir)
    exports = [(_read_any(path, instrument), wave) for wave, path in found.exports]
    result = clean_exports(instrument, exports, registry, policy=policy, names=names)
    result.log.ignored_files = [{**f, "file": display_path(f["file"])} for f in found.ignored]
    return result


def _read_any(path: Path, instrument: Instrument) -> RawExport:
    """Read one export; KoboToolbox exports (which need the instrument) are recognised."""
    raw = read_export(path)
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
        ``(RawExport, wave)`` pairs, e.g. from :func:`fslt_survey.ingest.read_export`.
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
        data = pd.concat(frames, ignore_index=True) if frames else empty_frame(instrument)
    if instrument.kind == "member":
        data = resolve_duplicates(instrument, data, log)
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
    log.not_in_export = _not_in_export(log.sources)
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


def _not_in_export(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per wave, the items and options no export of that wave holds (they were not asked)."""
    out = []
    for wave in sorted({s["wave"] for s in sources}):
        of_wave = [s for s in sources if s["wave"] == wave]

        def lacks(s: dict[str, Any], item_id: str, key: str) -> bool:
            return item_id in s["missing_items"] or key in s["missing_options"].get(item_id, [])

        options: dict[str, list[str]] = {}
        for item_id in dict.fromkeys(k for s in of_wave for k in s["missing_options"]):
            listed = dict.fromkeys(
                k for s in of_wave for k in s["missing_options"].get(item_id, []))
            keys = [key for key in listed if all(lacks(s, item_id, key) for s in of_wave)]
            if keys:
                options[item_id] = keys
        items = [i for i in of_wave[0]["missing_items"]
                 if all(i in s["missing_items"] for s in of_wave)]
        out.append({"wave": wave, "items": items, "options": options})
    return out


def _clean_one(
    instrument: Instrument,
    raw: RawExport,
    wave: int,
    registry: pd.DataFrame,
    log: CleaningLog,
    names: tuple[str, ...],
) -> pd.DataFrame:
    """Clean one export: match, decode, exclude rows, and build its part of the clean table."""
    matching = match_columns(raw, instrument)
    ctx = DecodeContext(raw, wave, log, instrument, names)
    key = _log_source(ctx, raw, matching)
    by_item: ByItem = {}
    for m in matching.matches:
        by_item.setdefault(m.item_id, []).append((m.column, m.option))
    _check_matching(instrument, raw, by_item)
    _log_not_in_export(instrument, by_item, matching, ctx)
    cols, why, answered = _decode_items(instrument, by_item, ctx)
    rows = RowFilter(ctx)
    status = overall_status(raw, matching.metadata)
    if status is not None:  # invitees who never opened the questionnaire
        rows.exclude((answered == 0) & np.isin(status, NEVER_ANSWERED), EXCLUDE_INVITED)
    rows.exclude(answered == 0, EXCLUDE_BLANK)
    association = _link_associations(instrument, by_item, registry, ctx, rows)
    sel = None if rows.keep.all() else np.flatnonzero(rows.keep)
    kept = ctx.rows if sel is None else ctx.rows[sel]
    source_name = Path(ctx.file).name
    n = len(kept)
    out: dict[str, Any] = {
        "response_id": response_ids(wave, source_name, kept),
        "wave": np.full(n, wave, dtype=np.int64),
        "association_id": take(association, sel) if association is not None else na_strings(n),
        "submitted": take(_submitted(raw, matching, ctx), sel),
        "source": strings_by_code([source_name], np.zeros(n, dtype=np.int64)),
        "source_key": np.full(n, key, dtype=np.int64),
        "row": kept,
        "n_answered": take(answered, sel),
    }
    out.update(_item_values(instrument, ctx, cols, why, sel, n))
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


def _submitted(raw: RawExport, matching: Matching, ctx: DecodeContext) -> np.ndarray:
    """When each response was submitted; timestamps that cannot be read are logged."""
    times, col = submitted_times(raw, matching)
    if col is not None:
        values = raw.frame[col]
        written = values.notna().to_numpy() & (values.fillna("").str.strip() != "").to_numpy()
        for i in np.flatnonzero(written & np.isnat(times))[:1000].tolist():
            ctx.log.bad_times.append(
                {"file": ctx.file, "row": int(ctx.rows[i]), "column": col,
                 "value": ctx.redact(values.iloc[i]), "wave": ctx.wave}
            )
    return times


def _log_not_in_export(
    instrument: Instrument, by_item: ByItem, matching: Matching, ctx: DecodeContext
) -> None:
    """Record the items (and multi-select options) of this wave that the export does not hold."""
    source = ctx.log.sources[-1]
    asked = [
        item for item in instrument.items
        if item.type != "association"
        and not (instrument.waves and item.waves and ctx.wave not in item.waves)
    ]
    source["missing_items"] = [item.id for item in asked if item.id not in by_item]
    source["missing_options"] = {
        item.id: keys for item in asked if item.type == "multi" and item.id in by_item
        for keys in [absent_options(item, by_item[item.id])] if keys
    }


def _log_source(ctx: DecodeContext, raw: RawExport, matching: Matching) -> int:
    """Record the export in the log's sources; returns its key."""
    key = len(ctx.log.sources)
    ctx.log.sources.append(
        {
            **raw.provenance.to_dict(),
            "file": ctx.file,
            "parts": [{"file": display_path(f), "sha256": h} for f, h in raw.provenance.parts],
            "key": key,
            "wave": ctx.wave,
            "rows": ctx.n,
            "unmatched_columns": list(matching.unmatched),
            "missing_items": list(matching.missing_items),
            "metadata_columns": dict(matching.metadata),
            "notes": list(raw.notes),  # what the reader handled: skipped rows, renamed columns
            "kept": 0,
            "excluded": 0,
        }
    )
    return key


def _decode_items(
    instrument: Instrument, by_item: ByItem, ctx: DecodeContext
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray]:
    """Decode every item the export holds: value columns, reason codes per item, and the
    number of items each row answered (skip logic applied)."""
    reasons = ctx.reasons
    cols: dict[str, Any] = {}  # decoded value columns; the rest are built unanswered
    why: dict[str, np.ndarray] = {}  # item id -> reason codes
    answered = np.zeros(ctx.n, dtype=np.int64)
    decoded: dict[str, pd.Categorical] = {}
    for item in instrument.items:
        if item.type == "association" or item.id not in by_item:
            continue
        if instrument.waves and item.waves and ctx.wave not in item.waves:
            continue
        if item.type in ("single", "likert"):
            values, codes = decode_choice(item, by_item[item.id][0][0], ctx)
            cols[item.id] = values
            decoded[item.id] = values
        elif item.type == "multi":
            options, codes = decode_multi(item, by_item[item.id], ctx)
            cols.update(options)
        elif item.type == "numeric":
            cols[item.id], codes = decode_numeric(item, by_item[item.id][0][0], ctx)
        else:
            cols[item.id], codes = decode_text(item, by_item[item.id][0][0], ctx)
        why[item.id] = codes
        answered += (codes != reasons.not_answered) & (codes != reasons.invalid)
    apply_skip_logic(instrument, why, decoded, reasons)
    return cols, why, answered


def _link_associations(
    instrument: Instrument,
    by_item: ByItem,
    registry: pd.DataFrame,
    ctx: DecodeContext,
    rows: RowFilter,
) -> Any:
    """Exclude test responses and non-members; the registry id per row (``None`` without an
    association item)."""
    assoc_item = instrument.association_item
    if assoc_item is None:
        return None
    codes, uniques = association_values(assoc_item, by_item, ctx.raw)
    test_re = re.compile("|".join(config.TEST_PATTERNS))
    is_test = [bool(test_re.search(normalise(u))) if isinstance(u, str) else False for u in uniques]
    rows.exclude(by_code(is_test, codes, False, bool), EXCLUDE_TEST)
    ids = link_registry(uniques, registry)
    unlinked = by_code([i is None for i in ids], codes, True, bool)
    if instrument.kind != "member":  # anonymous forms: the association is optional
        unlinked[:] = False
    still = rows.still(unlinked)
    rows.exclude(
        unlinked,
        EXCLUDE_NOT_MEMBER,
        [ctx.redact(uniques[c] if c >= 0 else pd.NA) for c in codes[still].tolist()],
    )
    return strings_by_code(ids, codes)


def _item_values(
    instrument: Instrument,
    ctx: DecodeContext,
    cols: dict[str, Any],
    why: dict[str, np.ndarray],
    sel: np.ndarray | None,
    n: int,
) -> dict[str, Any]:
    """The item columns of the kept rows, in the clean table's order."""
    reasons = ctx.reasons
    not_asked = np.full(n, -1, dtype=reasons.codes)  # (see table.item_frame_columns)
    out: dict[str, Any] = {}
    for name, item, option in item_columns(instrument):
        if name == item.missing_column:
            codes = why.get(item.id)
            out[name] = reasons.categorical(not_asked if codes is None else take(codes, sel))
        elif name in cols:
            out[name] = take(cols[name], sel)
        else:
            out[name] = unanswered_column(item, option, n)
    return out


def _check_matching(instrument: Instrument, raw: RawExport, by_item: ByItem) -> None:
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
