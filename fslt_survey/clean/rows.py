"""Decisions about whole rows: skip logic, the link to the registry, de-duplication."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.clean.decode import DecodeContext, Reasons, by_code, factorize
from fslt_survey.clean.log import EXCLUDE_DUPLICATE, EXCLUSION_TEXT, CleaningLog
from fslt_survey.codebook import Instrument, Item, normalise
from fslt_survey.ingest import RawExport, option_selected
from fslt_survey.ingest.metadata import SX_OVERALL_RE


def association_values(
    item: Item, by_item: dict[str, list[tuple[str, str | None]]], raw: RawExport
) -> tuple[np.ndarray, list[Any]]:
    """The association column as codes into its distinct values (all ``-1`` when absent)."""
    if item.id not in by_item:
        return np.full(len(raw.frame), -1, dtype=np.int64), []
    return factorize(raw.frame[by_item[item.id][0][0]])


def link_registry(values: list[Any], registry: pd.DataFrame) -> list[str | None]:
    """The registry id of each value (by normalised name or id), ``None`` when unknown."""
    lookup = {
        normalise(n): i for n, i in zip(registry["name"], registry["association_id"], strict=True)
    }
    lookup.update({normalise(i): i for i in registry["association_id"]})
    out = [lookup.get(normalise(v)) if isinstance(v, str) else None for v in values]
    return [None if i is None or i is pd.NA else str(i) for i in out]


def apply_skip_logic(
    instrument: Instrument,
    why: dict[str, np.ndarray],
    decoded: dict[str, pd.Categorical],
    reasons: Reasons,
) -> None:
    """Unanswered items whose ``relevant`` condition is not met are "Ikke relevant".

    The condition is known not to be met when the filter question has a substantive answer
    outside the condition's values, or a typed missing answer the respondent gave ("Ved ikke",
    "Ønsker ikke at svare"): the tool routed past the follow-up. A filter that was not answered,
    or whose answer is invalid ("Ugyldigt svar": a value the instrument does not know), says
    nothing about the routing, so an unanswered follow-up stays "Ikke besvaret".
    """
    for item in instrument.items:
        cond = item.relevant
        if cond is None or item.type == "association" or cond.item not in decoded:
            continue
        target = decoded[cond.item]
        wanted = [i for i, c in enumerate(target.categories) if c in set(cond.values)]
        target_codes = np.asarray(target.codes)
        cond_why = why.get(cond.item)
        target_answered = (target_codes >= 0) | (
            True if cond_why is None
            else (cond_why != reasons.not_answered) & (cond_why != reasons.invalid)
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


def resolve_duplicates(
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


class RowFilter:
    """Which rows of one export are still kept; excluding rows logs each with its reason."""

    def __init__(self, ctx: DecodeContext) -> None:
        self.ctx = ctx
        self.keep = np.ones(ctx.n, dtype=bool)

    def exclude(self, mask: np.ndarray, reason: str, detail: list[str] | None = None) -> None:
        """Exclude the still-kept rows of ``mask`` (``detail``: one text per such row)."""
        ctx = self.ctx
        idx = np.flatnonzero(mask & self.keep)
        if not len(idx):
            return
        text = EXCLUSION_TEXT[reason][0]
        details = detail if detail else [None] * len(idx)
        ctx.log.exclusions.extend(
            {
                "file": ctx.file,
                "row": row,
                "wave": ctx.wave,
                "reason": reason,
                "reason_text": text,
                "detail": d,
            }
            for row, d in zip(ctx.rows[idx].tolist(), details, strict=True)
        )
        self.keep[idx] = False

    def still(self, mask: np.ndarray) -> np.ndarray:
        """The indices of the rows of ``mask`` that are still kept."""
        return np.flatnonzero(mask & self.keep)


#: SurveyXact's overall status (``statoverall``): code -> meaning. Invitees with status 1, 2 or
#: 5 and no answer never responded; 3 is a partial response, 4 a completed one.
SX_STATUS_CODES = {1: "Ny", 2: "Distribueret", 3: "Nogle svar", 4: "Gennemført", 5: "Frafaldet"}
NEVER_ANSWERED = (1, 2, 5)
_STATUS_TEXTS = {
    **{normalise(v): k for k, v in SX_STATUS_CODES.items()},
    "new": 1, "distributed": 2, "some answers": 3, "partial": 3, "completed": 4,
    "complete": 4, "dropped out": 5, "withdrawn": 5,
}


def overall_status(raw: RawExport, metadata: dict[str, str]) -> np.ndarray | None:
    """SurveyXact's overall status code per row (0 where unknown), or ``None`` without one.

    The status is a Multiple group ``stato_1`` ... ``stato_5`` (or ``statoverall_1`` ...; the
    code from the structure's choice value, else the column's number) holding Valgt/Ikke valgt
    or 1/0, or one ``statoverall`` column holding the code or its label.
    """
    cols = [c for c, role in metadata.items() if role == "status" and SX_OVERALL_RE.match(c)]
    if not cols:
        return None
    status = np.zeros(len(raw.frame), dtype=np.int64)
    for col in cols:
        m = SX_OVERALL_RE.match(col)
        assert m is not None
        codes, uniques = factorize(raw.frame[col])
        if m[3] is None:  # one column: the code or its label (in the account's language)
            coded = {normalise(lab): code for code, lab in raw.value_labels.get(col, {}).items()}
            per = [_status_code(coded.get(normalise(u), u)) if isinstance(u, str) else 0
                   for u in uniques]
            status = np.where(status == 0, by_code(per, codes, 0, np.int64), status)
            continue
        code = raw.multi_columns.get(col, ("", m[3]))[1]
        ticked = by_code([option_selected(u) is True for u in uniques], codes, False, bool)
        status[ticked & (status == 0)] = int(code) if str(code).isdigit() else 0
    return status


def _status_code(value: object) -> int:
    if not isinstance(value, str):
        return 0
    text = value.strip()
    if text.isdigit():
        return int(text) if int(text) in SX_STATUS_CODES else 0
    return _STATUS_TEXTS.get(normalise(text), 0)
