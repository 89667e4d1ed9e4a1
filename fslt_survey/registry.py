"""The member registry: one row per member association (``surveys/members.csv``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import normalise
from fslt_survey.errors import SurveyDataError
from fslt_survey.ingest import read_export

REGISTRY_COLUMNS = ("association_id", "name", "assoc_type", "size_band", "locality", "member_since")
#: Size bands in their natural order (the registry may use "-" or "–" between numbers).
SIZE_BANDS = ("Under 25", "25-99", "100-499", "500 eller flere")


def load_registry(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the member registry.

    Lines starting with ``#`` are comments. Ids must be unique and non-empty, names unique
    (after normalisation, since responses are linked by name).

    Returns
    -------
    DataFrame with the columns of :data:`REGISTRY_COLUMNS`; ``assoc_type``, ``size_band`` and
    ``locality`` as categoricals.
    """
    path = Path(path) if path is not None else config.REGISTRY_FILE
    df, rows = _read_table(path)
    missing = [c for c in REGISTRY_COLUMNS if c not in df.columns]
    if missing:
        raise SurveyDataError(
            "member registry lacks required columns",
            file=path,
            expected=", ".join(REGISTRY_COLUMNS),
            found=", ".join(map(str, df.columns)),
        )
    df = df.loc[:, list(REGISTRY_COLUMNS)].apply(lambda s: s.str.strip())
    for col in ("association_id", "name"):
        blank = df.index[df[col] == ""]
        if len(blank):
            raise SurveyDataError(
                f"empty {col}",
                file=path,
                row=rows[int(blank[0])],
                column=col,
                expected="a value",
            )
    keys = df["name"].map(normalise)
    for col, values in (("association_id", df["association_id"]), ("name", keys)):
        dup = values.duplicated(keep="first")
        if dup.any():
            i = int(dup.idxmax())
            raise SurveyDataError(
                f"duplicate {col} in the member registry",
                file=path,
                row=rows[i],
                column=col,
                found=df.loc[i, col],
            )
    for col in ("assoc_type", "locality"):
        df[col] = pd.Categorical(df[col], categories=sorted(df[col].unique()))
    bands = [b for b in SIZE_BANDS if b in set(df["size_band"])]
    extra = sorted(set(df["size_band"]) - set(bands))
    df["size_band"] = pd.Categorical(df["size_band"], categories=bands + extra, ordered=True)
    return df


def _read_table(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """The registry as text columns and each record's row number as the user sees it.

    A UTF-8 CSV with ``,`` and ``#`` comment lines (as committed) is read directly; anything
    else - Danish Excel's cp1252 ``;`` CSV, UTF-16, an XLSX workbook - with the same reader as
    the survey exports (:func:`fslt_survey.ingest.read_export`)."""
    if not path.is_file():
        raise SurveyDataError("member registry not found", file=path)
    try:
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
        if set(REGISTRY_COLUMNS) <= set(df.columns):
            first = _header_row(path) + 1  # comment lines + header precede the data
            return df, list(range(first, first + len(df)))
    except (UnicodeDecodeError, pd.errors.ParserError):
        pass
    export = read_export(path)
    frame = export.frame.astype("string").fillna("").astype(str)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True), list(export.row_numbers)


def _header_row(path: Path) -> int:
    """1-based line number of the header (after leading comment lines)."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.lstrip().startswith("#"):
                return n
    return 1
