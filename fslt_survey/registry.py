"""The member registry: one row per member association (``surveys/members.csv``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import normalise
from fslt_survey.errors import SurveyDataError

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
    try:
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise SurveyDataError("member registry not found", file=path) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SurveyDataError(
            "member registry is not a UTF-8 CSV file", file=path, found=str(exc)[:200]
        ) from None
    missing = [c for c in REGISTRY_COLUMNS if c not in df.columns]
    if missing:
        raise SurveyDataError(
            "member registry lacks required columns",
            file=path,
            expected=", ".join(REGISTRY_COLUMNS),
            found=", ".join(map(str, df.columns)),
        )
    df = df.loc[:, list(REGISTRY_COLUMNS)].apply(lambda s: s.str.strip())
    # row numbers as the user sees them: comment lines + header precede the data
    offset = _header_row(path) + 1
    for col in ("association_id", "name"):
        blank = df.index[df[col] == ""]
        if len(blank):
            raise SurveyDataError(
                f"empty {col}",
                file=path,
                row=int(blank[0]) + offset,
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
                row=i + offset,
                column=col,
                found=df.loc[i, col],
            )
    for col in ("assoc_type", "locality"):
        df[col] = pd.Categorical(df[col], categories=sorted(df[col].unique()))
    bands = [b for b in SIZE_BANDS if b in set(df["size_band"])]
    extra = sorted(set(df["size_band"]) - set(bands))
    df["size_band"] = pd.Categorical(df["size_band"], categories=bands + extra, ordered=True)
    return df


def _header_row(path: Path) -> int:
    """1-based line number of the header (after leading comment lines)."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.lstrip().startswith("#"):
                return n
    return 1
