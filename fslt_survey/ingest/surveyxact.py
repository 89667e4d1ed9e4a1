"""SurveyXact exports: the dataset/structure/labels trio (CSV) or the workbook, read as one.

The trio is three files in one folder (each with its own encoding and delimiter: UTF-16 with
tabs, cp1252 with ``;`` or ``,``); the workbook has sheets ``Dataset`` (or ``Dataset(1)``,
``Dataset(2)``, ... joined side by side), ``Structure`` and ``Labels`` in any order. Value labels
are applied (the frame holds label texts; the codes are kept in ``value_labels``). A multi-select
question is one column per option (``<questionName>_<n>``, labels ``Ikke valgt``/``Valgt``);
``multi_columns`` maps each to ``(questionName, choiceValue)`` from the structure, because
SurveyXact numbers the columns by position, not by code.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fslt_survey.errors import ReadError
from fslt_survey.ingest.metadata import SX_ROLES, SX_STATUS_RE
from fslt_survey.ingest.raw import (
    MAGIC_ZIP,
    XLSX_SUFFIXES,
    Provenance,
    RawBytes,
    RawExport,
    Table,
    apply_labels,
    binary_multi,
    build_frame,
    canonical_code,
    name_key,
    read_bytes,
)
from fslt_survey.ingest.text import decode_text, read_text_table, sniff_delimiter
from fslt_survey.ingest.workbook import open_workbook, sheet_rows, sheet_table

#: The parts of a SurveyXact export, as file stems of the trio (and sheet names of the workbook).

SX_PARTS = ("dataset", "structure", "labels")
#: File endings of the trio's parts (``.csv`` preferred when both are present).
SX_TEXT_SUFFIXES = (".csv", ".txt")


_SX_SHEET_RE = re.compile(r"^\s*dataset\s*(?:\((\d+)\))?\s*$", re.IGNORECASE)
_SX_ID_KEYS = frozenset({"respondentid", "respondent"})


_STRUCTURE_KEYS = ("questionname", "variablename", "questiontype", "subtype", "questiontext",
                   "choicevalue", "choicetext")


@dataclass
class SxParts:
    """The three parts of a SurveyXact export, read but not yet combined."""

    data: Table
    structure: Table
    labels: list[tuple[int, list[str | None]]]
    dataset: RawBytes
    structure_file: Path
    labels_file: Path
    labels_delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()


@dataclass
class SxStructure:
    """What the structure says about the dataset's columns."""

    column_labels: dict[str, str]
    multi: dict[str, tuple[str, str]]
    status: set[str]


def sx_trio(directory: Path) -> dict[str, Path]:
    """``dataset``/``structure``/``labels`` files (``.csv`` before ``.txt``) in a folder."""
    found: dict[str, Path] = {}
    try:
        children = sorted(directory.iterdir(), key=lambda c: (c.suffix.lower() != ".csv", c.name))
    except OSError:
        return found
    for child in children:
        stem = child.stem.casefold()
        if stem in SX_PARTS and child.suffix.lower() in SX_TEXT_SUFFIXES and child.is_file():
            found.setdefault(stem, child)
    return found


def sx_sheets(names: list[str]) -> tuple[list[str], str, str] | None:
    """``(dataset sheets in order, structure sheet, labels sheet or "")`` of a workbook."""
    parts = []
    for name in names:
        m = _SX_SHEET_RE.match(name)
        if m:
            parts.append((int(m[1]) if m[1] else 0, name))
    folded = {n.strip().casefold(): n for n in names}
    if not parts or "structure" not in folded:
        return None
    return [n for _, n in sorted(parts)], folded["structure"], folded.get("labels", "")


def sx_locate(p: Path) -> dict[str, Path] | Path:
    """The trio's files, or the workbook, that ``p`` (a folder or one file) selects."""
    if p.is_dir():
        trio = sx_trio(p)
        if len(trio) == len(SX_PARTS):
            return trio
        books = [c for c in sorted(p.iterdir())
                 if c.suffix.lower() in XLSX_SUFFIXES and not c.name.startswith("~$")]
        if not trio and len(books) == 1:
            return books[0]
        missing = [f"{n}.csv" for n in SX_PARTS if n not in trio]
        raise ReadError(
            "the folder holds no complete SurveyXact export", file=p,
            expected="dataset.csv, structure.csv and labels.csv (or one SurveyXact xlsx)",
            found="missing " + ", ".join(missing) if trio else "none of them",
        )
    if p.suffix.lower() in XLSX_SUFFIXES or read_bytes(p).data.startswith(MAGIC_ZIP):
        return p
    if p.stem.casefold() not in SX_PARTS:
        raise ReadError(
            "not a SurveyXact export", file=p,
            expected="a folder, dataset.csv/structure.csv/labels.csv or a SurveyXact xlsx",
            found=p.name,
        )
    trio = sx_trio(p.parent)
    missing = [f"{n}.csv" for n in SX_PARTS if n not in trio]
    if missing:
        raise ReadError(f"the SurveyXact export is incomplete: {', '.join(missing)} not found "
                        "next to it", file=p, expected="dataset.csv, structure.csv and "
                        "labels.csv in one folder", found="missing " + ", ".join(missing))
    return trio


def read_sx(where: dict[str, Path] | Path) -> SxParts:
    """Read the trio (each file with its own encoding and delimiter) or the workbook."""
    if isinstance(where, Path):
        return _read_sx_workbook(where)
    raws = {k: read_bytes(v) for k, v in where.items()}
    text, _ = decode_text(raws["labels"].data, raws["labels"].path)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ReadError(f"malformed labels file: {exc}", file=raws["labels"].path) from None
    labels = [(n, [f if f.strip() else None for f in rec])
              for n, rec in enumerate(records, start=1) if any(f.strip() for f in rec)]
    return SxParts(
        read_text_table(raws["dataset"], columnar=True), read_text_table(raws["structure"]),
        labels,
        # its path and hash: the bytes (as large as the export) are not needed any more
        dataclasses.replace(raws["dataset"], data=b""), raws["structure"].path,
        raws["labels"].path, delimiter,
        parts=tuple((str(raws[k].path), raws[k].sha256) for k in ("structure", "labels")),
    )


def _read_sx_workbook(path: Path) -> SxParts:
    raw = read_bytes(path)
    wb = open_workbook(raw)
    try:
        sheets = sx_sheets(list(wb.sheetnames))
        if sheets is None:
            raise ReadError("not a SurveyXact workbook", file=path,
                            expected="sheets Dataset (or Dataset(1), Dataset(2), ...), Structure "
                            "and Labels", found="sheets " + ", ".join(map(repr, wb.sheetnames)))
        data_names, structure_name, labels_name = sheets
        parts = [sheet_table(wb, n, path) for n in data_names]
        structure = sheet_table(wb, structure_name, path)
        labels = sheet_rows(wb, labels_name) if labels_name else []
    finally:
        wb.close()
    used = (*data_names, structure_name, *([labels_name] if labels_name else []))
    return SxParts(join_parts(parts, path), structure, labels, raw, path, path, None, used)


def join_parts(parts: list[Table], file: Path) -> Table:
    """Join ``Dataset(1)``, ``Dataset(2)``, ... side by side and check that they line up.

    With a respondent id column in every sheet the sheets are joined on it (in the order of
    the first sheet; an id missing from, repeated in or extra in a sheet is an error); without
    one they are joined by position and must hold records in the same rows.
    """
    for t in parts:  # pad so that every record has the header's width
        width = max([len(t.header), *(len(r) for r in t.rows)])
        t.header = t.header + [None] * (width - len(t.header))
        t.rows = [r + [None] * (width - len(r)) for r in t.rows]
    base = parts[0]
    if len(parts) == 1:
        return base
    ids = [next((j for j, h in enumerate(t.header) if h and name_key(h) in _SX_ID_KEYS), None)
           for t in parts]
    header, rows = list(base.header), [list(r) for r in base.rows]
    notes = [n for t in parts for n in t.notes]
    base_ids = [r[ids[0]] for r in base.rows] if ids[0] is not None else []
    by_id = None not in ids and len(set(base_ids)) == len(base_ids) and None not in base_ids
    for t, i in zip(parts[1:], ids[1:], strict=True):
        keep = list(range(len(t.header)))
        order = list(range(len(t.rows)))
        if by_id:
            assert i is not None and ids[0] is not None
            order = _align(base, t, base_ids, ids[0], i, file)
            keep.remove(i)
        elif t.row_numbers != base.row_numbers:
            raise ReadError(
                f"sheet {t.sheet!r} does not line up with {base.sheet!r} and there is no "
                "respondent id column to join them on", file=file,
                expected=f"{len(base.rows)} records in the same rows",
                found=f"{len(t.rows)} records in {t.sheet!r}")
        header += [t.header[j] for j in keep]
        for k, src in enumerate(order):
            rows[k] += [t.rows[src][j] for j in keep]
    how = "on the respondent id column" if by_id else "by position"
    notes.append("sheets " + ", ".join(repr(t.sheet) for t in parts)
                 + f" joined side by side {how}")
    return Table(header, rows, list(base.row_numbers), notes, sheet=base.sheet)


def _align(base: Table, t: Table, base_ids: list[str | None], i0: int, i: int,
           file: Path) -> list[int]:
    """For each record of ``base``, the index of the record of ``t`` with the same id."""
    def mismatch(what: str, row: int, column: str | None) -> ReadError:
        return ReadError(
            f"sheet {t.sheet!r} does not line up with {base.sheet!r}: {what}", file=file,
            row=row, column=column, expected="the same respondents in every Dataset sheet",
            found=f"{len(t.rows)} records in {t.sheet!r}, {len(base.rows)} in {base.sheet!r}")

    known = set(base_ids)
    pos: dict[str | None, int] = {}
    for k, (n, r) in enumerate(zip(t.row_numbers, t.rows, strict=True)):
        if r[i] in pos or r[i] not in known:
            what = "repeated" if r[i] in pos else f"not in {base.sheet!r}"
            raise mismatch(f"respondent {r[i]} is {what}", n, t.header[i])
        pos[r[i]] = k
    for n, rid in zip(base.row_numbers, base_ids, strict=True):
        if rid not in pos:
            raise mismatch(f"respondent {rid} is missing", n, base.header[i0])
    return [pos[rid] for rid in base_ids]


def sx_structure(structure: Table, columns: Iterable[str], file: Path,
                 notes: list[str]) -> SxStructure:
    """Question texts, multi-select option columns and status columns from the structure."""
    cols = {c.casefold(): c for c in columns}
    index = {name_key(h): j for j, h in enumerate(structure.header)
             if h and name_key(h) in _STRUCTURE_KEYS}
    if "variablename" not in index:
        where = f"sheet {structure.sheet!r}" if structure.sheet else "structure file"
        raise ReadError(f"the SurveyXact {where} has no variableName column", file=file, row=1,
                        expected="columns questionName; variableName; questionType; subType; "
                        "questionText; choiceValue; choiceText",
                        found=", ".join(repr(h or "") for h in structure.header[:8]))

    def get(rec: list[str | None], name: str) -> str | None:
        j = index.get(name)
        value = rec[j] if j is not None and j < len(rec) else None
        return value.strip() if value and value.strip() else None

    out = SxStructure({}, {}, set())
    absent: list[str] = []
    for rec in structure.rows:
        var = get(rec, "variablename")
        col = cols.get(var.casefold()) if var else None
        if var is None or col is None:
            absent += [var] if var else []
            continue
        qname = get(rec, "questionname") or var
        text, choice = get(rec, "questiontext"), get(rec, "choicetext")
        if (get(rec, "subtype") or "").casefold() == "multiple":
            code = get(rec, "choicevalue")
            if code is None and var.casefold().startswith(qname.casefold() + "_"):
                code = var[len(qname) + 1:]
            if code is not None:
                out.multi[col] = (qname, canonical_code(code))
            if text and choice:
                text = f"{text} - {choice}"
        if text:
            out.column_labels[col] = text
        if SX_STATUS_RE.match(qname):
            out.status.add(col)
    if absent:
        notes.append(f"{len(absent)} structure variable(s) not in the dataset: "
                     + ", ".join(absent[:10]))
    if "subtype" not in index:
        notes.append("the structure has no subType column; multi-select columns are "
                     "recognised by their Valgt/Ikke valgt labels")
    return out


def sx_labels(labels: list[tuple[int, list[str | None]]], columns: Iterable[str], file: Path,
              delimiter: str | None, notes: list[str]) -> dict[str, dict[str, str]]:
    """``{column: {code: label}}`` from the header-less labels file/sheet."""
    cols = {c.casefold(): c for c in columns}
    out: dict[str, dict[str, str]] = {}
    unknown: list[str] = []
    for row, rec in labels:
        cells = list(rec)
        while cells and cells[-1] is None:
            cells.pop()  # the phantom trailing column
        if len(cells) > 3 and delimiter:
            cells = [*cells[:2], delimiter.join(c or "" for c in cells[2:])]
            notes.append(f"labels row {row}: the label held the delimiter unquoted; joined")
        if len(cells) < 2 or cells[0] is None or cells[1] is None:
            raise ReadError("a labels row needs variable, value and label", file=file, row=row,
                            expected="variable; value; label",
                            found=" | ".join(c or "" for c in rec))
        if row == 1 and name_key(cells[1]) == "value" and name_key(cells[0]) in (
                "variable", "variablename"):
            continue  # a header row some exports add
        col = cols.get(cells[0].strip().casefold())
        if col is None:
            unknown.append(cells[0].strip())
            continue
        label = (cells[2] or "").strip() if len(cells) > 2 else ""
        out.setdefault(col, {})[canonical_code(cells[1])] = label
    if unknown:
        names = list(dict.fromkeys(unknown))
        notes.append(f"labels for {len(names)} variable(s) not in the dataset: "
                     + ", ".join(names[:10]))
    return out


def read_surveyxact(path_or_dir: str | Path) -> RawExport:
    """A SurveyXact export: the CSV trio (folder or any one file) or the xlsx workbook."""
    p = Path(path_or_dir)
    if not p.exists():
        raise ReadError("file not found", file=p)
    sx = read_sx(sx_locate(p))
    built = build_frame(sx.data)
    sx.data.columns = None  # the frame holds them now (so that labelling can free them)
    notes = built.notes
    structure = sx_structure(sx.structure, built.frame.columns, sx.structure_file, notes)
    labels = sx_labels(sx.labels, built.frame.columns, sx.labels_file, sx.labels_delimiter,
                          notes)
    multi = dict(structure.multi)
    if not any(name_key(h) == "subtype" for h in sx.structure.header if h):
        multi.update(binary_multi(list(built.frame.columns), labels, multi))
    frame = apply_labels(built.frame, labels, inplace=True)  # built.frame is not used again
    metadata: dict[str, str] = {}
    for col in frame.columns:
        role = SX_ROLES.get(name_key(col))
        if role is None and (col in structure.status or SX_STATUS_RE.match(col)):
            role = "status"
        if role is not None:
            metadata[col] = role
    prov = Provenance(str(sx.dataset.path), sx.dataset.sha256, len(frame), "surveyxact",
                      sx.data.encoding, sx.data.delimiter, sx.sheets, sx.parts)
    return RawExport(frame, built.row_numbers, prov, "surveyxact", metadata,
                     multi_columns=multi, value_labels=labels,
                     column_labels=structure.column_labels, renamed=built.renamed, notes=notes)
