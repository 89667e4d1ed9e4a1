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

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.codebook import Instrument, Item, Label, Scale

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

#: SurveyXact's overall status ("statoverall"), code -> Danish label.
SX_STATUS = {1: "Ny", 2: "Distribueret", 3: "Nogle svar", 4: "Gennemført", 5: "Frafaldet"}
_STATUS_CODE = {"complete": 4, "partial": 3, "blank": 2}
SX_TIME_FORMAT = "%d-%m-%Y %H:%M:%S"
SX_META = ("respondentid", "starttime", "closetime", "statoverall")
FORMS_META_DA = (
    "Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
    "Tidspunkt for seneste ændring",
)
FORMS_META_EN = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")
GOOGLE_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"
#: Zip entry timestamp of every xlsx written here.
ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- helpers


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


def _var(item: Item) -> str:
    return item.sx or item.id


def _is_missing(values: np.ndarray) -> np.ndarray:
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


def _option_state(df: pd.DataFrame, item: Item, lab: Label) -> tuple[np.ndarray, np.ndarray]:
    """(selected, asked) boolean arrays of one multi-select option column."""
    col = item.option_column(lab)
    if col not in df.columns:
        n = len(df)
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    s = df[col]
    asked = ~s.isna().to_numpy(dtype=bool)
    selected = s.fillna(False).to_numpy(dtype=bool)
    return selected, asked


def _multi_asked(df: pd.DataFrame, item: Item) -> np.ndarray:
    assert item.scale is not None
    asked = np.zeros(len(df), dtype=bool)
    for lab in item.scale.substantive:
        asked |= _option_state(df, item, lab)[1]
    return asked


def join_multi(df: pd.DataFrame, item: Item, sep: str, trailing: bool) -> np.ndarray:
    """One text cell per row with the selected option labels (None where not answered).

    Rows are grouped by their pattern of ticks, so the text is built once per pattern.
    """
    assert item.scale is not None
    labels = [lab.label for lab in item.scale.substantive]
    pattern = np.zeros(len(df), dtype=np.int64)
    for j, lab in enumerate(item.scale.substantive):
        pattern |= _option_state(df, item, lab)[0].astype(np.int64) << j
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


def _texts(series: pd.Series) -> np.ndarray:
    """Object array of str/None from a label, text or categorical column."""
    values = series.astype(object).to_numpy(dtype=object).copy()
    values[_is_missing(values)] = None
    return values


def _number_texts(series: pd.Series) -> np.ndarray:
    """Numbers as typed into a text field: integers without decimals; strings unchanged."""
    if series.dtype.kind in "biuf":
        out = _number_cells(series)
        out[out == ""] = None
        return out
    values = series.astype(object).to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    texts = [u if isinstance(u, str) else _number_cells(pd.Series([u]))[0] for u in uniques]
    return np.asarray([*texts, None], dtype=object)[codes]


def _times(df: pd.DataFrame, column: str) -> pd.Series:
    if column in df.columns:
        return pd.to_datetime(df[column]).reset_index(drop=True)
    return pd.Series(pd.NaT, index=range(len(df)), dtype="datetime64[ns]")


def _ids(df: pd.DataFrame) -> np.ndarray:
    if "response_id" in df.columns:
        return df["response_id"].to_numpy()
    return np.arange(1, len(df) + 1)


# --------------------------------------------------------------------------- SurveyXact


def _open_text(path: Path, encoding: str):
    """Text file handle; ``utf-16`` is written little-endian with a BOM on every platform."""
    if encoding.lower().replace("_", "-") in ("utf-16", "utf16"):
        fh = path.open("w", encoding="utf-16-le", newline="")
        fh.write("\ufeff")
        return fh
    return path.open("w", encoding=encoding, newline="")


def _quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _escaped(values: np.ndarray, delimiter: str) -> np.ndarray:
    """Text cells ready for a delimited file: ``""`` where empty, quoted where needed."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    lut = np.asarray([_quote(str(u), delimiter) for u in uniques] + [""], dtype=object)
    return lut[codes]


def _int_texts(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def _number_cells(series: pd.Series) -> np.ndarray:
    """Raw numbers as text: whole numbers without decimals, ``""`` where empty."""
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(x)
    out = np.full(len(x), "", dtype=object)
    safe = np.where(ok, x, 0.0)
    whole = ok & (np.mod(safe, 1) == 0) & (np.abs(safe) < 2**62)
    out[whole] = _int_texts(x[whole])
    rest = ok & ~whole
    out[rest] = [repr(float(v)) for v in x[rest]]
    return out


def _time_cells(times: pd.Series, fmt: str) -> np.ndarray:
    text = times.dt.strftime(fmt).astype(object)
    return text.where(times.notna(), "").to_numpy(dtype=object)


def surveyxact_columns(df: pd.DataFrame, instrument: Instrument,
                       delimiter: str = ";") -> dict[str, np.ndarray]:
    """Column name -> text cells of SurveyXact's ``dataset`` table (escaped for ``delimiter``)."""
    n = len(df)
    status = (df["status"].map(_STATUS_CODE).fillna(4).astype(int).to_numpy()
              if "status" in df.columns else np.full(n, 4))
    cols: dict[str, np.ndarray] = {
        "respondentid": _int_texts(_ids(df)),
        "starttime": _time_cells(_times(df, "started"), SX_TIME_FORMAT),
        "closetime": _time_cells(_times(df, "completed"), SX_TIME_FORMAT),
        "statoverall": _int_texts(status),
    }
    flags = np.asarray(["0", "1", ""], dtype=object)
    for item in present_items(df, instrument):
        var = _var(item)
        if item.type in ("single", "likert"):
            assert item.scale is not None
            cols[var] = label_code_texts(df[item.id], item.scale, item.id)
        elif item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                sel, asked = _option_state(df, item, lab)
                cols[f"{var}_{lab.code}"] = flags[np.where(asked, sel.astype(np.int64), 2)]
        elif item.type == "numeric":
            cols[var] = _number_cells(df[item.id])
        else:
            cols[var] = _escaped(_texts(df[item.id]), delimiter)
    return cols


def surveyxact_dataset(df: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """SurveyXact's ``dataset`` table as strings (``""`` = empty), e.g. for inspection."""
    return pd.DataFrame(surveyxact_columns(df, instrument))


def write_delimited(path: Path, header: Sequence[str], columns: Sequence[np.ndarray], *,
                    encoding: str, delimiter: str, newline: str = "\r\n",
                    chunk: int = 100_000) -> Path:
    """Write already escaped text columns as a delimited file, in chunks (fast for 1M rows)."""
    n = len(columns[0]) if columns else 0
    with _open_text(path, encoding) as fh:
        fh.write(delimiter.join(_quote(h, delimiter) for h in header) + newline)
        for start in range(0, n, chunk):
            rows = zip(*(c[start:start + chunk].tolist() for c in columns), strict=True)
            fh.write(newline.join(map(delimiter.join, rows)) + newline)
    return path


def _structure_rows(df: pd.DataFrame, instrument: Instrument) -> Iterator[list[str]]:
    yield ["statoverall", "statoverall", "Closed", "Single", "Samlet status", "", ""]
    for item in present_items(df, instrument):
        var = _var(item)
        if item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                yield [var, f"{var}_{lab.code}", "Closed", "Multiple", item.text,
                       str(lab.code), lab.label]
        elif item.type in ("single", "likert"):
            yield [var, var, "Closed", "Single", item.text, "", ""]
        elif item.type == "numeric":
            yield [var, var, "Open", "Numeric", item.text, "", ""]
        elif item.type == "association":
            yield [var, var, "Background", "String", item.text, "", ""]
        else:
            yield [var, var, "Open", "String", item.text, "", ""]


def _label_rows(df: pd.DataFrame, instrument: Instrument) -> Iterator[list[str]]:
    for code, label in SX_STATUS.items():
        yield ["statoverall", str(code), label]
    for item in present_items(df, instrument):
        var = _var(item)
        if item.type == "multi":
            assert item.scale is not None
            for lab in item.scale.substantive:
                yield [f"{var}_{lab.code}", "0", "Ikke valgt"]
                yield [f"{var}_{lab.code}", "1", "Valgt"]
        elif item.type in ("single", "likert"):
            assert item.scale is not None
            for lab in item.scale.labels:
                yield [var, str(lab.code), lab.label]


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
    0/1, empty where the question was not shown (skip logic, partial response).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = surveyxact_columns(df, instrument, delimiter)
    paths = [out_dir / "dataset.csv", out_dir / "structure.csv", out_dir / "labels.csv"]
    write_delimited(paths[0], list(data), list(data.values()), encoding=encoding,
                    delimiter=delimiter)
    header = ["questionName", "variableName", "questionType", "subType", "questionText",
              "choiceValue", "choiceText"]
    with _open_text(paths[1], encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerow([*header, ""])
        for row in _structure_rows(df, instrument):
            w.writerow([*row, ""])
    with _open_text(paths[2], encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerows(_label_rows(df, instrument))
    return paths


# --------------------------------------------------------------------------- Microsoft Forms


def forms_columns(df: pd.DataFrame, instrument: Instrument, *, sep: str = ";",
                  trailing: bool = True, numbers_as_text: bool = True) -> dict[str, np.ndarray]:
    """Question text -> cell values (object arrays) of the item columns of a Forms export."""
    cols: dict[str, np.ndarray] = {}
    for item in present_items(df, instrument):
        if item.type == "multi":
            cols[item.text] = join_multi(df, item, sep, trailing)
        elif item.type == "numeric" and numbers_as_text:
            cols[item.text] = _number_texts(df[item.id])
        elif item.type == "numeric":
            cols[item.text] = df[item.id].astype(object).where(df[item.id].notna(), None).to_numpy()
        else:
            cols[item.text] = _texts(df[item.id])
    return cols


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
    email = (_texts(df["email"]) if "email" in df.columns else np.full(n, None, dtype=object))
    email = np.where(pd.isna(email), "anonymous", email)
    who = _texts(df["respondent"]) if "respondent" in df.columns else np.full(n, None, object)
    meta = [_ids(df), _pydt(_times(df, "started")), _pydt(_times(df, "completed")), email, who,
            _pydt(_times(df, "modified"))][: len(names)]
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
    created = _pydt(_times(df, "completed"))
    stamp = max((t for t in created if t is not None), default=dt.datetime(2025, 1, 1))
    save_workbook_deterministic(wb, path, stamp.replace(microsecond=0))
    return path


def _pydt(s: pd.Series) -> np.ndarray:
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


# --------------------------------------------------------------------------- Google Forms


def write_googleforms_csv(df: pd.DataFrame, instrument: Instrument, path: str | Path) -> Path:
    """Write a Google Forms response CSV (UTF-8, comma, CRLF).

    ``Timestamp`` (``dd/mm/yyyy HH:MM:SS``, the Danish locale), ``Email Address`` when the frame
    has e-mails, then one column per question text; multi-select ``A, B`` (no trailing
    separator, so an option containing a comma is ambiguous, as in real exports); numbers as
    typed. Fields holding a comma, quote or line break are quoted.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = _times(df, "completed").fillna(_times(df, "started"))
    cols: dict[str, np.ndarray] = {"Timestamp": _time_cells(done, GOOGLE_TIME_FORMAT)}
    if "email" in df.columns:
        email = _texts(df["email"])
        if any(e not in (None, "anonymous") for e in pd.unique(email)):
            cols["Email Address"] = _escaped(np.where(email == "anonymous", None, email), ",")
    for name, values in forms_columns(df, instrument, sep=", ", trailing=False).items():
        cols[name] = _escaped(values, ",")
    write_delimited(path, list(cols), list(cols.values()), encoding="utf-8", delimiter=",")
    return path


# --------------------------------------------------------------------------- SPSS


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
    cols: dict[str, object] = {"respondentid": _ids(df).astype(float)}
    col_labels = ["Respondent-id"]
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    measure: dict[str, str] = {"respondentid": "nominal"}
    for item in present_items(df, instrument):
        var = _var(item) if names == "sx" else item.id
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
                sel, asked = _option_state(df, item, lab)
                v = f"{var}_{lab.code}"
                cols[v] = np.where(asked, sel.astype(float), np.nan)
                col_labels.append(f"{item.text} - {lab.label}")
                value_labels[v] = {0.0: "Ikke valgt", 1.0: "Valgt"}
                measure[v] = "nominal"
        elif item.type == "numeric":
            cols[var] = pd.to_numeric(df[item.id], errors="coerce").to_numpy(dtype=float)
            col_labels.append(item.text)
            measure[var] = "scale"
        else:
            cols[var] = _texts(df[item.id])
            col_labels.append(item.text)
            measure[var] = "nominal"
    out = pd.DataFrame(cols)
    pyreadstat.write_sav(out, str(path), column_labels=col_labels,
                         variable_value_labels=value_labels, missing_ranges=missing,
                         variable_measure=measure)
    return path
