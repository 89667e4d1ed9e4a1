"""Cells of the demo's raw exports: label codes and texts, multi-select ticks, times, quoting,
delimited and xlsx files written deterministically (shared by the writers)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument, Item, Label, Scale

#: Zip entry timestamp of every xlsx written here.
ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)


def present_items(df: pd.DataFrame, instrument: Instrument) -> list[Item]:
    """Items of the instrument that have data columns in the frame, in questionnaire order."""
    out = []
    for it in instrument.items:
        if it.type == "multi":
            assert it.scale is not None
            if any(it.option_column(lab) in df.columns for lab in it.scale.substantive):
                out.append(it)
        elif it.id in df.columns:
            out.append(it)
    return out


def var_name(item: Item) -> str:
    return item.sx or item.id


def is_missing(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def label_index(series: pd.Series, scale: Scale, item_id: str) -> np.ndarray:
    """Position in ``scale.labels`` of each value of a label column (-1 where empty).

    Categorical columns are mapped through their categories, other columns per distinct value
    with :meth:`Scale.match` (case, whitespace, aliases), so a million rows cost no Python loop
    per row. A value the scale does not know raises ``ValueError``.
    """
    def lookup(values: Sequence[object]) -> np.ndarray:
        out = np.empty(len(values) + 1, dtype=np.int64)
        for i, v in enumerate(values):
            lab = scale.match(v)
            if lab is None:
                raise ValueError(f"{item_id}: {v!r} is not a label of scale {scale.id!r}")
            out[i] = scale.labels.index(lab)
        out[-1] = -1
        return out

    if isinstance(series.dtype, pd.CategoricalDtype):
        return lookup(list(series.cat.categories))[series.cat.codes.to_numpy()]
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    return lookup(list(uniques))[codes]


def label_codes(series: pd.Series, scale: Scale, item_id: str) -> np.ndarray:
    """Numeric scale codes of a label column (NaN where empty)."""
    lut = np.asarray([float(lab.code) for lab in scale.labels] + [np.nan])
    return lut[label_index(series, scale, item_id)]


def label_code_texts(series: pd.Series, scale: Scale, item_id: str) -> np.ndarray:
    """Scale codes as text (``""`` where empty), as written in a SurveyXact dataset."""
    lut = np.asarray([str(lab.code) for lab in scale.labels] + [""], dtype=object)
    return lut[label_index(series, scale, item_id)]


def option_state(df: pd.DataFrame, item: Item, lab: Label) -> tuple[np.ndarray, np.ndarray]:
    """(selected, asked) boolean arrays of one multi-select option column."""
    col = item.option_column(lab)
    if col not in df.columns:
        n = len(df)
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    s = df[col]
    asked = ~s.isna().to_numpy(dtype=bool)
    selected = s.fillna(False).to_numpy(dtype=bool)
    return selected, asked


def multi_asked(df: pd.DataFrame, item: Item) -> np.ndarray:
    assert item.scale is not None
    asked = np.zeros(len(df), dtype=bool)
    for lab in item.scale.substantive:
        asked |= option_state(df, item, lab)[1]
    return asked


def join_multi(df: pd.DataFrame, item: Item, sep: str, trailing: bool) -> np.ndarray:
    """One text cell per row with the selected option labels (None where not answered).

    Rows are grouped by their pattern of ticks, so the text is built once per pattern.
    """
    assert item.scale is not None
    labels = [lab.label for lab in item.scale.substantive]
    pattern = np.zeros(len(df), dtype=np.int64)
    for j, lab in enumerate(item.scale.substantive):
        pattern |= option_state(df, item, lab)[0].astype(np.int64) << j
    codes, uniques = pd.factorize(pattern)
    texts = []
    for u in uniques:
        chosen = [labels[j] for j in range(len(labels)) if (int(u) >> j) & 1]
        if not chosen:
            texts.append(None)
        elif trailing:
            texts.append("".join(c + sep for c in chosen))
        else:
            texts.append(sep.join(chosen))
    return np.asarray(texts, dtype=object)[codes] if len(uniques) else np.full(0, None, object)


def texts(series: pd.Series) -> np.ndarray:
    """Object array of str/None from a label, text or categorical column."""
    values = series.astype(object).to_numpy(dtype=object).copy()
    values[is_missing(values)] = None
    return values


def number_texts(series: pd.Series) -> np.ndarray:
    """Numbers as typed into a text field: integers without decimals; strings unchanged."""
    if series.dtype.kind in "biuf":
        out = number_cells(series)
        out[out == ""] = None
        return out
    values = series.astype(object).to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    texts = [u if isinstance(u, str) else number_cells(pd.Series([u]))[0] for u in uniques]
    return np.asarray([*texts, None], dtype=object)[codes]


def times(df: pd.DataFrame, column: str) -> pd.Series:
    if column in df.columns:
        return pd.to_datetime(df[column]).reset_index(drop=True)
    return pd.Series(pd.NaT, index=range(len(df)), dtype="datetime64[ns]")


def ids(df: pd.DataFrame) -> np.ndarray:
    if "response_id" in df.columns:
        return df["response_id"].to_numpy()
    return np.arange(1, len(df) + 1)


def open_text(path: Path, encoding: str):
    """Text file handle; ``utf-16`` is written little-endian with a BOM on every platform."""
    if encoding.lower().replace("_", "-") in ("utf-16", "utf16"):
        fh = path.open("w", encoding="utf-16-le", newline="")
        fh.write("\ufeff")
        return fh
    return path.open("w", encoding=encoding, newline="")


def quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def escaped(values: np.ndarray, delimiter: str) -> np.ndarray:
    """Text cells ready for a delimited file: ``""`` where empty, quoted where needed."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    lut = np.asarray([quote(str(u), delimiter) for u in uniques] + [""], dtype=object)
    return lut[codes]


def int_texts(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def number_cells(series: pd.Series) -> np.ndarray:
    """Raw numbers as text: whole numbers without decimals, ``""`` where empty."""
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(x)
    out = np.full(len(x), "", dtype=object)
    safe = np.where(ok, x, 0.0)
    whole = ok & (np.mod(safe, 1) == 0) & (np.abs(safe) < 2**62)
    out[whole] = int_texts(x[whole])
    rest = ok & ~whole
    out[rest] = [repr(float(v)) for v in x[rest]]
    return out


def time_cells(times: pd.Series, fmt: str) -> np.ndarray:
    text = times.dt.strftime(fmt).astype(object)
    return text.where(times.notna(), "").to_numpy(dtype=object)


def write_delimited(path: Path, header: Sequence[str], columns: Sequence[np.ndarray], *,
                    encoding: str, delimiter: str, newline: str = "\r\n",
                    chunk: int = 100_000) -> Path:
    """Write already escaped text columns as a delimited file, in chunks (fast for 1M rows)."""
    n = len(columns[0]) if columns else 0
    with open_text(path, encoding) as fh:
        fh.write(delimiter.join(quote(h, delimiter) for h in header) + newline)
        for start in range(0, n, chunk):
            rows = zip(*(c[start:start + chunk].tolist() for c in columns), strict=True)
            fh.write(newline.join(map(delimiter.join, rows)) + newline)
    return path


def pydt(s: pd.Series) -> np.ndarray:
    out = np.empty(len(s), dtype=object)
    for i, t in enumerate(s):
        out[i] = None if pd.isna(t) else t.to_pydatetime().replace(microsecond=0)
    return out


def save_workbook_deterministic(wb, path: str | Path, stamp: dt.datetime) -> Path:
    """Save an openpyxl workbook so that the same content always gives the same bytes.

    Document properties ``created``/``modified`` are set to ``stamp`` (openpyxl would write the
    current time), every zip entry gets the timestamp :data:`ZIP_DATE_TIME`, and entries are
    stored uncompressed, so the bytes do not depend on the zlib build either.
    """
    from openpyxl.xml.functions import tostring

    wb.properties.creator = "fslt_survey.demo (fiktive data)"
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = core if info.filename == "docProps/core.xml" else zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE_TIME)
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    path = Path(path)
    path.write_bytes(out.getvalue())
    return path


def forms_columns(df: pd.DataFrame, instrument: Instrument, *, sep: str = ";",
                  trailing: bool = True, numbers_as_text: bool = True) -> dict[str, np.ndarray]:
    """Question text -> cell values (object arrays) of the item columns of a Forms export."""
    cols: dict[str, np.ndarray] = {}
    for item in present_items(df, instrument):
        if item.type == "multi":
            cols[item.text] = join_multi(df, item, sep, trailing)
        elif item.type == "numeric" and numbers_as_text:
            cols[item.text] = number_texts(df[item.id])
        elif item.type == "numeric":
            cols[item.text] = df[item.id].astype(object).where(df[item.id].notna(), None).to_numpy()
        else:
            cols[item.text] = texts(df[item.id])
    return cols
