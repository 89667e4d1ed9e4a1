"""Writers of raw survey exports in the formats FSLT meets (used by :mod:`fslt_survey.demo`).

Each writer takes a response frame as made by :func:`fslt_survey.demo.generate_member_responses`
(one row per response; item columns hold label texts, multi-select option columns
``<item>__<key>`` hold True/False/NA, numeric columns numbers, text columns strings; metadata
columns listed in :data:`META_COLUMNS`) and writes it the way the tool would have exported it.
They never change the frame they are given. Label texts are written as they are in the frame, so
a frame with deliberately misspelt labels gives a "messy" Forms export; the SurveyXact and SPSS
writers need codes and refuse a label their scale does not know.

=======================  ==================================================================
writer                   format
=======================  ==================================================================
SurveyXact trio          ``dataset.csv`` (respondentid, starttime, closetime, statoverall,
                         then one column per variable, codes as values, multi-select one 0/1
                         column ``<sx>_<code>`` per option), ``structure.csv`` (with the
                         phantom empty last column), ``labels.csv`` (no header)
Microsoft Forms xlsx     metadata columns (Danish or English UI) + one column per question
                         headed by its full text; multi-select ``A;B;`` (trailing ``;``)
Google Forms CSV         ``Timestamp``, optional ``Email Address``, question texts;
                         multi-select ``A, B``
SPSS .sav                codes with value labels, user-missing codes, variable labels
=======================  ==================================================================

Every xlsx is byte-identical for the same input: fixed document properties and fixed zip entry
timestamps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument
from fslt_survey.demo.cells import (
    ZIP_DATE_TIME,
    escaped,
    forms_columns,
    ids,
    pydt,
    save_workbook_deterministic,
    texts,
    time_cells,
    times,
    write_delimited,
)
from fslt_survey.demo.surveyxact import (
    SX_META,
    SX_STATUS,
    SX_TIME_FORMAT,
    surveyxact_columns,
    surveyxact_dataset,
    write_spss,
    write_surveyxact_trio,
)

__all__ = [
    "FORMS_META_DA",
    "FORMS_META_EN",
    "GOOGLE_TIME_FORMAT",
    "META_COLUMNS",
    "SX_META",
    "SX_STATUS",
    "SX_TIME_FORMAT",
    "ZIP_DATE_TIME",
    "forms_columns",
    "save_workbook_deterministic",
    "surveyxact_columns",
    "surveyxact_dataset",
    "write_googleforms_csv",
    "write_msforms_xlsx",
    "write_spss",
    "write_surveyxact_trio",
]

#: Metadata columns a response frame may carry besides the item columns.
META_COLUMNS = (
    "response_id",  # int: SurveyXact respondentid / Forms Id
    "association_id",  # registry id the response was generated for (None: not in registry)
    "assoc_type",  # registry type of that association
    "size_band",  # registry size band
    "started",  # datetime64: when the respondent opened the questionnaire
    "completed",  # datetime64: when it was submitted (NaT for partial/blank)
    "modified",  # datetime64: last edit after submission (Forms), mostly NaT
    "status",  # "complete" | "partial" | "blank"
    "email",  # respondent e-mail as the tool recorded it (Forms: "anonymous")
    "respondent",  # respondent name as the tool recorded it
)
FORMS_META_DA = (
    "Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
    "Tidspunkt for seneste ændring",
)
FORMS_META_EN = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")
GOOGLE_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"


def write_msforms_xlsx(
    df: pd.DataFrame,
    instrument: Instrument,
    path: str | Path,
    *,
    danish: bool = True,
    last_modified: bool | None = None,
) -> Path:
    """Write a Microsoft Forms response export (xlsx, sheet ``Sheet1``).

    Metadata columns ``Id, Starttidspunkt, Fuldførelsestidspunkt, Mail, Navn, Tidspunkt for
    seneste ændring`` (Danish UI) or ``ID, Start time, Completion time, Email, Name`` (English;
    ``last_modified=True`` adds ``Last modified time``), then one column per question headed by
    its full text. Answers of text questions (numbers too) are text cells, multi-select
    ``A;B;``; times are datetime cells. ``Mail`` is ``anonymous`` unless the frame has an
    e-mail. Text starting with ``=`` is stored as text, never as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if last_modified is None:
        last_modified = danish
    names = FORMS_META_DA if danish else FORMS_META_EN
    if not last_modified:
        names = names[:5]
    n = len(df)
    email = (texts(df["email"]) if "email" in df.columns else np.full(n, None, dtype=object))
    email = np.where(pd.isna(email), "anonymous", email)
    who = texts(df["respondent"]) if "respondent" in df.columns else np.full(n, None, object)
    meta = [ids(df), pydt(times(df, "started")), pydt(times(df, "completed")), email, who,
            pydt(times(df, "modified"))][: len(names)]
    items = forms_columns(df, instrument)
    columns = [*meta, *items.values()]
    header = [*names, *items.keys()]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    date_fmt = "dd-mm-yyyy hh:mm:ss" if danish else "m/d/yy h:mm:ss"

    def cell(v: object) -> object:
        if isinstance(v, dt.datetime):
            c = WriteOnlyCell(ws, value=v)
            c.number_format = date_fmt
            return c
        if isinstance(v, str) and v.startswith("="):
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"
            return c
        if isinstance(v, np.integer):
            return int(v)
        return v

    ws.append(header)
    for i in range(n):
        ws.append([cell(col[i]) for col in columns])
    created = pydt(times(df, "completed"))
    stamp = max((t for t in created if t is not None), default=dt.datetime(2025, 1, 1))
    save_workbook_deterministic(wb, path, stamp.replace(microsecond=0))
    return path


def write_googleforms_csv(df: pd.DataFrame, instrument: Instrument, path: str | Path) -> Path:
    """Write a Google Forms response CSV (UTF-8, comma, CRLF).

    ``Timestamp`` (``dd/mm/yyyy HH:MM:SS``, the Danish locale), ``Email Address`` when the frame
    has e-mails, then one column per question text; multi-select ``A, B`` (no trailing
    separator, so an option containing a comma is ambiguous, as in real exports); numbers as
    typed. Fields holding a comma, quote or line break are quoted.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = times(df, "completed").fillna(times(df, "started"))
    cols: dict[str, np.ndarray] = {"Timestamp": time_cells(done, GOOGLE_TIME_FORMAT)}
    if "email" in df.columns:
        email = texts(df["email"])
        if any(e not in (None, "anonymous") for e in pd.unique(email)):
            cols["Email Address"] = escaped(np.where(email == "anonymous", None, email), ",")
    for name, values in forms_columns(df, instrument, sep=", ", trailing=False).items():
        cols[name] = escaped(values, ",")
    write_delimited(path, list(cols), list(cols.values()), encoding="utf-8", delimiter=",")
    return path
