"""SurveyXact's exports of the demo: the dataset/structure/labels trio and the SPSS file.

Written as SurveyXact writes them (compare the real exports bundled with the R package readSX):
every invitee is a row, also those who never answered (status "Distribueret"); every option of
a multi-select holds 0 ("Ikke valgt") unless ticked, for everybody; the overall status is the
Multiple group ``stato_1`` ... ``stato_5`` (1 Ny, 2 Distribueret, 3 Nogle svar, 4 Gennemført,
5 Frafaldet); the metadata columns ``created``, ``modified``, ``closetime``, ``starttime``,
``difftime``, ``email`` and ``name`` follow the questions; the structure describes questions as
Closed/Single, Closed/Multiple, Open/String and Open/Double.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument
from fslt_survey.demo.cells import (
    escaped,
    ids,
    int_texts,
    label_code_texts,
    label_codes,
    number_cells,
    open_text,
    option_state,
    present_items,
    texts,
    time_cells,
    times,
    var_name,
    write_delimited,
)
from fslt_survey.ingest import SX_PARTS

#: SurveyXact's overall status ("statoverall"), code -> Danish label.
SX_STATUS = {1: "Ny", 2: "Distribueret", 3: "Nogle svar", 4: "Gennemført", 5: "Frafaldet"}
#: A response frame's ``status`` -> SurveyXact's overall status code. "blank": opened the
#: questionnaire and answered nothing (SurveyXact says "Nogle svar"); "invited": never opened it.
_STATUS_CODE = {"complete": 4, "partial": 3, "blank": 3, "invited": 2}
SX_TIME_FORMAT = "%d-%m-%Y %H:%M:%S"
#: The metadata columns after the questions, in the order SurveyXact writes them.
SX_META = ("created", "modified", "closetime", "starttime", "difftime", "email", "name")
#: The overall status group's variables.
SX_STATUS_VARS = tuple(f"stato_{code}" for code in SX_STATUS)
_FLAGS = np.asarray(["0", "1"], dtype=object)


def _status_codes(df: pd.DataFrame) -> np.ndarray:
    if "status" not in df.columns:
        return np.full(len(df), 4)
    return df["status"].map(_STATUS_CODE).fillna(4).astype(int).to_numpy()


def _meta_columns(df: pd.DataFrame, delimiter: str) -> dict[str, np.ndarray]:
    """``created`` ... ``name`` as text cells (``created``: the day before the first answer, when
    the mailing list was loaded; ``modified``: the last event of the row)."""
    started, completed = times(df, "started"), times(df, "completed")
    first = pd.concat([started, completed]).min()
    created = (first.normalize() if pd.notna(first) else pd.Timestamp("2025-01-01"))
    created = pd.Series(created - pd.Timedelta(days=1) + pd.Timedelta(hours=9), index=started.index)
    modified = completed.fillna(started).fillna(created)
    seconds = (completed - started).dt.total_seconds()
    diff = np.where(seconds.notna(), seconds.fillna(0).astype(np.int64).astype(str), "")
    email = texts(df["email"]) if "email" in df.columns else np.full(len(df), None, object)
    if "association_id" in df.columns:  # the mailing list's address of the association
        aid = texts(df["association_id"])
        listed = np.asarray([f"kontakt.{a.lower()}@forening.example" if a else None for a in aid],
                            dtype=object)
        email = np.where(pd.isna(email) | (email == "anonymous"), listed, email)
    name = texts(df["respondent"]) if "respondent" in df.columns else np.full(len(df), None, object)
    return {
        "created": time_cells(created, SX_TIME_FORMAT),
        "modified": time_cells(modified, SX_TIME_FORMAT),
        "closetime": time_cells(completed, SX_TIME_FORMAT),
        "starttime": time_cells(started, SX_TIME_FORMAT),
        "difftime": diff.astype(object),
        "email": escaped(email, delimiter),
        "name": escaped(name, delimiter),
    }


def surveyxact_columns(df: pd.DataFrame, instrument: Instrument,
                       delimiter: str = ";") -> dict[str, np.ndarray]:
    """Column name -> text cells of SurveyXact's ``dataset`` table (escaped for ``delimiter``)."""
    cols: dict[str, np.ndarray] = {"respondentid": int_texts(ids(df))}
    for item in present_items(df, instrument):
        var = var_name(item)
        if item.type in ("single", "likert"):
            assert item.scale is not None
            cols[var] = label_code_texts(df[item.id], item.scale, item.id)
        elif item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                sel, _ = option_state(df, item, lab)
                cols[f"{var}_{lab.code}"] = _FLAGS[sel.astype(np.int64)]  # 0 unless ticked
        elif item.type == "numeric":
            cols[var] = number_cells(df[item.id])
        else:
            cols[var] = escaped(texts(df[item.id]), delimiter)
    status = _status_codes(df)
    for code, var in zip(SX_STATUS, SX_STATUS_VARS, strict=True):
        cols[var] = _FLAGS[(status == code).astype(np.int64)]
    cols.update(_meta_columns(df, delimiter))
    return cols


def surveyxact_dataset(df: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """SurveyXact's ``dataset`` table as strings (``""`` = empty), e.g. for inspection."""
    return pd.DataFrame(surveyxact_columns(df, instrument))


def structure_rows(df: pd.DataFrame, instrument: Instrument) -> Iterator[list[str]]:
    for item in present_items(df, instrument):
        var = var_name(item)
        if item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                yield [var, f"{var}_{lab.code}", "Closed", "Multiple", item.text,
                       str(lab.code), lab.label]
        elif item.type in ("single", "likert"):
            yield [var, var, "Closed", "Single", item.text, "", ""]
        elif item.type == "numeric":
            yield [var, var, "Open", "Double", item.text, "", ""]
        else:
            yield [var, var, "Open", "String", item.text, "", ""]
    for (code, label), var in zip(SX_STATUS.items(), SX_STATUS_VARS, strict=True):
        yield ["statoverall", var, "Closed", "Multiple", "Samlet status", str(code), label]


def label_rows(df: pd.DataFrame, instrument: Instrument) -> Iterator[list[str]]:
    for item in present_items(df, instrument):
        var = var_name(item)
        if item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                yield [f"{var}_{lab.code}", "0", "Ikke valgt"]
                yield [f"{var}_{lab.code}", "1", "Valgt"]
        elif item.type in ("single", "likert"):
            assert item.scale is not None
            for lab in item.scale.labels:
                yield [var, str(lab.code), lab.label]
    for var in SX_STATUS_VARS:
        yield [var, "0", "Ikke valgt"]
        yield [var, "1", "Valgt"]


def write_surveyxact_trio(
    df: pd.DataFrame,
    instrument: Instrument,
    out_dir: str | Path,
    *,
    encoding: str = "cp1252",
    delimiter: str = ";",
) -> list[Path]:
    """Write ``dataset.csv``, ``structure.csv`` and ``labels.csv`` as SurveyXact exports them.

    Parameters
    ----------
    encoding:
        ``"cp1252"`` (SurveyXact's "ANSI") or ``"utf-16"`` (little-endian with BOM), or any
        Python codec; characters the codec cannot hold raise ``UnicodeEncodeError``.
    delimiter:
        ``";"``, ``","`` or ``"\\t"``.

    Notes
    -----
    Lines end with CRLF. ``structure.csv`` has a header and SurveyXact's phantom empty last
    column (every line ends with the delimiter); ``labels.csv`` has no header. Items without an
    ``sx`` name use their id as variable name. Multi-select options are ``<sx>_<code>`` with
    0/1: 0 for every option not ticked, also where the question was not shown (skip logic,
    partial response) and for invitees who never answered, as SurveyXact writes it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = surveyxact_columns(df, instrument, delimiter)
    paths = [out_dir / f"{part}.csv" for part in SX_PARTS]  # dataset, structure, labels
    write_delimited(paths[0], list(data), list(data.values()), encoding=encoding,
                    delimiter=delimiter)
    header = ["questionName", "variableName", "questionType", "subType", "questionText",
              "choiceValue", "choiceText"]
    with open_text(paths[1], encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerow([*header, ""])
        for row in structure_rows(df, instrument):
            w.writerow([*row, ""])
    with open_text(paths[2], encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerows(label_rows(df, instrument))
    return paths


def write_spss(df: pd.DataFrame, instrument: Instrument, path: str | Path, *,
               names: str = "sx") -> Path:
    """Write an SPSS ``.sav`` file as SurveyXact/Qualtrics/LimeSurvey exports do.

    Coded items hold their scale codes with value labels; the codes of typed missing labels
    ("Ved ikke", ...) are declared user-missing; multi-select options are 0/1 variables
    ``<name>_<code>`` labelled "Ikke valgt"/"Valgt"; variable labels are the question texts.
    ``names="sx"`` names variables by their SurveyXact name (falling back to the item id),
    ``names="id"`` by item id. Note: the .sav header holds the creation time, so two files
    written at different times differ in those bytes.
    """
    import pyreadstat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols: dict[str, object] = {"respondentid": ids(df).astype(float)}
    col_labels = ["Respondent-id"]
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    measure: dict[str, str] = {"respondentid": "nominal"}
    for item in present_items(df, instrument):
        var = var_name(item) if names == "sx" else item.id
        if item.type in ("single", "likert"):
            assert item.scale is not None
            cols[var] = label_codes(df[item.id], item.scale, item.id)
            col_labels.append(item.text)
            value_labels[var] = {float(lab.code): lab.label for lab in item.scale.labels}
            miss = [float(lab.code) for lab in item.scale.missing]
            if miss:
                missing[var] = miss
            measure[var] = "ordinal" if item.type == "likert" else "nominal"
        elif item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                sel, _ = option_state(df, item, lab)
                v = f"{var}_{lab.code}"
                cols[v] = sel.astype(float)  # 0 unless ticked, as SurveyXact writes it
                col_labels.append(f"{item.text} - {lab.label}")
                value_labels[v] = {0.0: "Ikke valgt", 1.0: "Valgt"}
                measure[v] = "nominal"
        elif item.type == "numeric":
            cols[var] = pd.to_numeric(df[item.id], errors="coerce").to_numpy(dtype=float)
            col_labels.append(item.text)
            measure[var] = "scale"
        else:
            cols[var] = texts(df[item.id])
            col_labels.append(item.text)
            measure[var] = "nominal"
    status = _status_codes(df)
    for (code, label), var in zip(SX_STATUS.items(), SX_STATUS_VARS, strict=True):
        cols[var] = (status == code).astype(float)
        col_labels.append(f"Samlet status - {label}")
        value_labels[var] = {0.0: "Ikke valgt", 1.0: "Valgt"}
        measure[var] = "nominal"
    out = pd.DataFrame(cols)
    pyreadstat.write_sav(out, str(path), column_labels=col_labels,
                         variable_value_labels=value_labels, missing_ranges=missing,
                         variable_measure=measure)
    return path
