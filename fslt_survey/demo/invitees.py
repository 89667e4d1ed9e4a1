"""The invitees of a SurveyXact mailing list who never answered: rows of their own in the export.

SurveyXact exports every respondent of the mailing list, also those who never opened the
questionnaire (status "Distribueret"): in a real member survey often the majority of rows. The
demo's mailing list holds two contacts per association of the registry, the chair (respondentid
= base + registry position, see :data:`~fslt_survey.demo.params.SX_ID_BASE`) and the treasurer
(base + 100 + registry position); at most one of them answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument
from fslt_survey.demo.params import SX_ID_BASE

#: Offset of the second contact's respondentid from the first's.
SECOND_CONTACT = 100

#: Offset of the second contact's respondentid from the first's.
SECOND_CONTACT = 100


def with_invitees(frame: pd.DataFrame, registry: pd.DataFrame, instrument: Instrument,
                  wave: int) -> pd.DataFrame:
    """``frame`` plus a row for every invitee who did not answer: the first contact of each
    registry association without a row in ``frame`` and the second contact of every association
    (status ``invited``, no answers, no times), sorted by respondentid as SurveyXact sorts."""
    present = set(frame["association_id"].dropna())
    listed = list(enumerate(registry.itertuples()))
    absent = [(i + 1, rec, "kontakt") for i, rec in listed if rec.association_id not in present]
    absent += [(SECOND_CONTACT + i + 1, rec, "kasserer") for i, rec in listed]
    n = len(absent)
    rows = pd.DataFrame({
        "response_id": np.asarray([SX_ID_BASE[wave] + k for k, _, _ in absent], dtype=np.int64),
        "association_id": [rec.association_id for _, rec, _ in absent],
        "assoc_type": [str(rec.assoc_type) for _, rec, _ in absent],
        "size_band": [str(rec.size_band) for _, rec, _ in absent],
        "started": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "completed": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "modified": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "status": ["invited"] * n,
        "email": [f"{who}.{rec.association_id.lower()}@forening.example" for _, rec, who in absent],
        "respondent": [None] * n,
    })
    assoc = instrument.association_item
    if assoc is not None:
        rows[assoc.id] = [rec.name for _, rec, _ in absent]  # the background variable
    for col in frame.columns:
        if col not in rows.columns:
            rows[col] = pd.Series([None] * n, dtype=frame[col].dtype if n else object)
    rows = rows.astype({c: frame[c].dtype for c in ("assoc_type", "size_band") if c in frame})
    out = pd.concat([frame, rows[frame.columns]], ignore_index=True)
    return out.sort_values("response_id", kind="stable").reset_index(drop=True)
