"""Reading back a KoboToolbox export of a form made by :func:`fslt_survey.forms.write_xlsform`.

:func:`read_kobo_export` reads a KoboToolbox export (CSV or XLSX, "XML values and headers" or
"Labels") into the readers' :class:`~fslt_survey.ingest.RawExport` with item texts as
headers and answer labels as values, so that :func:`~fslt_survey.clean.match_columns` matches
every column;
:func:`is_kobo_export` recognises one by its metadata columns (:data:`KOBO_METADATA`,
:func:`kobo_role`) and :func:`kobo_frame` does the translation. The cleaner reads KoboToolbox
exports with it; :mod:`fslt_survey.forms` re-exports it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.codebook import (
    Instrument,
    Item,
    Label,
    choice_name,
    normalise,
)
from fslt_survey.ingest.raw import RawExport
from fslt_survey.ingest.readers import read_csv_any, read_xlsx

__all__ = [
    "KOBO_METADATA",
    "is_kobo_export",
    "kobo_frame",
    "kobo_role",
    "read_kobo_export",
]

# --------------------------------------------------------------------------- KoboToolbox exports

#: Columns KoboToolbox adds to an export (and ODK ``meta`` fields) -> their metadata role.
KOBO_METADATA: dict[str, str] = {
    "start": "started",
    "end": "submitted",
    "today": "date",
    "deviceid": "device",
    "username": "username",
    "phonenumber": "phone",
    "audit": "audit",
    "_id": "respondent_id",
    "_uuid": "uuid",
    "_submission_time": "received",
    "_index": "index",
    "_parent_index": "parent_index",
    "_parent_table_name": "parent_table",
    "_status": "status",
    "_submitted_by": "submitted_by",
    "__version__": "form_version",
    "_validation_status": "validation_status",
    "_notes": "notes",
    "_tags": "tags",
    "_attachments": "attachments",
    "_geolocation": "geolocation",
    "meta/instanceID": "instance_id",
    "instanceID": "instance_id",
    "meta/rootUuid": "root_uuid",
    "meta/deprecatedID": "deprecated_id",
    "formhub/uuid": "formhub_uuid",
}
_KOBO_VERSION_RE = re.compile(r"^_+version_+\d*$")
_KOBO_MARKERS = frozenset({"_uuid", "_submission_time", "_id", "__version__", "_index"})
_TZ_RE = re.compile(r"(?<=\d)(Z|[+-]\d\d:?\d\d)$")


def kobo_role(column: str) -> str | None:
    """The metadata role of a KoboToolbox column (``_submission_time`` -> ``received``)."""
    role = KOBO_METADATA.get(column)
    if role is None and _KOBO_VERSION_RE.match(column):
        role = "form_version"
    return role


def is_kobo_export(columns: Iterable[object]) -> bool:
    """Whether export headers look like KoboToolbox's (its ``_uuid``/``_submission_time``...)."""
    return len(_KOBO_MARKERS & {str(c) for c in columns}) >= 2


@dataclass
class _KoboLookup:
    names: dict[str, Item]
    texts: dict[str, Item]
    option_names: dict[str, tuple[Item, Label]]
    option_texts: dict[str, tuple[Item, Label]]
    multi_by_name: dict[str, Item]
    multi_by_text: dict[str, Item]


def _kobo_lookup(instrument: Instrument) -> _KoboLookup:
    names: dict[str, Item] = {}
    texts: dict[str, Item] = {}
    opt_names: dict[str, tuple[Item, Label]] = {}
    opt_texts: dict[str, tuple[Item, Label]] = {}
    for it in instrument:
        names[it.id] = it
        texts.setdefault(normalise(it.text), it)
        if it.type != "multi" or it.scale is None:
            continue
        for lab in it.scale.labels:
            for name in (choice_name(instrument, it.scale, lab), lab.key, str(lab.code)):
                opt_names.setdefault(f"{it.id}/{name}", (it, lab))
            for text in (lab.label, *lab.aliases):
                opt_texts.setdefault(normalise(f"{it.text} {text}"), (it, lab))
    multi = [it for it in instrument if it.type == "multi"]
    return _KoboLookup(
        names,
        texts,
        opt_names,
        opt_texts,
        {it.id: it for it in multi},
        {normalise(it.text): it for it in multi},
    )


def _kobo_column(header: str, lk: _KoboLookup) -> tuple[Item, Label | None, str | None] | None:
    """What a Kobo header holds: ``(item, None, None)`` for a question column, ``(item, label,
    None)`` for one option of a multi item, ``(item, None, name)`` for an unknown option.

    Group paths are removed by trying the header, then each shorter ``/``-suffix; names
    (``profil/rolle``, ``kendskab_tilbud/kurser``) first, then labels (``Hvilken rolle ...?``,
    ``Hvilke ...?/Kurser og workshops for frivillige``).
    """
    parts = header.split("/")
    for i in range(len(parts)):
        cand = "/".join(parts[i:]).strip()
        if cand in lk.option_names:
            return (*lk.option_names[cand][:2], None)
        if cand in lk.names:
            return lk.names[cand], None, None
        norm = normalise(cand)
        if norm in lk.option_texts:
            return (*lk.option_texts[norm][:2], None)
        if norm in lk.texts:
            return lk.texts[norm], None, None
    for i in range(len(parts) - 1):  # an option the instrument does not know
        stem, opt = "/".join(parts[i:-1]).strip(), parts[-1].strip()
        item = lk.multi_by_name.get(stem) or lk.multi_by_text.get(normalise(stem))
        if item is not None and opt:
            return item, None, opt
    return None


def _choice_labels(instrument: Instrument, item: Item) -> dict[str, str]:
    """Kobo choice name (and code/key) -> label text, for one choice item."""
    assert item.scale is not None
    out: dict[str, str] = {}
    for lab in item.scale.labels:
        for name in (choice_name(instrument, item.scale, lab), str(lab.code), lab.key):
            out.setdefault(name, lab.label)
    return out


def _split_kobo_multi(value: str, item: Item, names: dict[str, str]) -> list[str]:
    """Labels (or unknown tokens) of a Kobo multi-select summary cell.

    XML-values exports hold space-separated choice names; "Labels" exports join the labels
    with spaces, so known labels are found first (longest first), then the rest is split.
    """
    assert item.scale is not None
    tokens = value.split()
    if all(t in names for t in tokens):
        return [names[t] for t in tokens]
    rest = f" {value} "
    found: list[str] = []
    for lab in sorted(item.scale.labels, key=lambda lab: -len(lab.label)):
        pattern = re.compile(rf"(?<=\s){re.escape(lab.label)}(?=\s)", re.IGNORECASE)
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            found.append(lab.label)
    found += [names.get(t, t) for t in rest.split()]
    return found


def _summary_columns(instrument: Instrument, item: Item, values: pd.Series) -> dict[str, Any]:
    """A multi-select's summary column (choice names separated by spaces) as one ``1``/``0``
    column per option: the scale's options in order, then options it does not know (sorted)."""
    names = _choice_labels(instrument, item)
    cells = [
        _split_kobo_multi(v, item, names) if isinstance(v, str) and v.strip() else None
        for v in values.tolist()
    ]
    assert item.scale is not None
    known = [lab.label for lab in item.scale.labels]
    extra = sorted({x for c in cells if c for x in c if x not in known})
    return {
        lab_text: pd.array(
            [None if c is None else ("1" if lab_text in c else "0") for c in cells], dtype="string"
        )
        for lab_text in known + extra
    }


def kobo_frame(
    frame: pd.DataFrame, instrument: Instrument
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Turn a KoboToolbox export table into the layout the readers match.

    Returns ``(frame, metadata, notes)``: a new frame with

    - each question column headed by the item's exact text, single-choice values as the answer
      labels (Kobo exports the choice names: codes), numbers and free text unchanged;
    - each multi-select item as one column per option headed ``<item text> - <label>`` with
      ``1``/``0`` (Kobo's own option columns, or built from the summary column when the export
      has only that); an option the instrument does not know keeps a column of its own, which
      the matcher then reports as unmatched;
    - Kobo's metadata columns kept under their own names with a role in ``metadata`` (``end``
      is the completion time: role ``submitted``; ``_submission_time`` is ``received``, or
      ``submitted`` when there is no ``end``). Time zone offsets (``+01:00``) are removed from
      ``start``/``end`` so that the times are the device's local (Danish) wall-clock time;
    - note columns of the form (section intros, always empty) dropped; anything else kept as
      it is, so that it shows up as unmatched in the cleaning log.

    The input is not modified.
    """
    lk = _kobo_lookup(instrument)
    columns = [str(c) for c in frame.columns]
    notes: list[str] = []
    metadata: dict[str, str] = {}
    hits = {c: _kobo_column(c, lk) for c in columns if kobo_role(c) is None}
    has_options = {
        h[0].id for h in hits.values() if h is not None and (h[1] is not None or h[2] is not None)
    }
    out: dict[str, Any] = {}
    n = len(frame)
    note_names = {"intro", *(f"{s.id}_intro" for s in instrument.sections)}

    def put(name: str, values: Any, source: str) -> None:
        if name in out:
            notes.append(f"column {source!r}: {name!r} already taken; kept as it is")
            name = source
        out[name] = values

    for col in columns:
        values = frame[col]
        role = kobo_role(col)
        if role is not None:
            if col in ("start", "end"):
                values = values.map(lambda v: _TZ_RE.sub("", v) if isinstance(v, str) else v)
            metadata[col] = role
            put(col, values.copy(), col)
            continue
        hit = hits[col]
        if hit is None:
            if col.split("/")[-1] in note_names and values.isna().all():
                notes.append(f"column {col!r}: a note of the form (no answers); dropped")
                continue
            put(col, values.copy(), col)
            continue
        item, label, unknown = hit
        if label is not None:
            put(f"{item.text} - {label.label}", values.copy(), col)
        elif unknown is not None:
            put(f"{item.text} - {unknown}", values.copy(), col)
        elif item.type == "multi":
            if item.id in has_options:
                notes.append(f"column {col!r}: summary of {item.id!r}; its option columns are used")
                continue
            for lab_text, col_values in _summary_columns(instrument, item, values).items():
                put(f"{item.text} - {lab_text}", col_values, col)
            notes.append(f"column {col!r}: multi-select summary split into one column per option")
        elif item.type in ("single", "likert"):
            names = _choice_labels(instrument, item)
            mapped = [names.get(v.strip(), v) if isinstance(v, str) else None for v in values]
            put(item.text, pd.array(mapped, dtype="string"), col)
        else:
            put(item.text, values.copy(), col)
    if "end" not in metadata and "_submission_time" in metadata:
        metadata["_submission_time"] = "submitted"
    result = pd.DataFrame(out, index=frame.index) if out else pd.DataFrame(index=frame.index)
    assert len(result) == n
    return result, metadata, notes


def read_kobo_export(path: str | Path, instrument: Instrument) -> RawExport:
    """Read a KoboToolbox export (CSV with ``;`` or ``,``, or XLSX) for the cleaner.

    Both header styles ("XML values and headers": ``profil/rolle``, choice names; "Labels":
    question and answer texts) and every multi-select layout (summary, one column
    per
    option, both) are understood; see :func:`kobo_frame` for what is changed. The result is a
    :class:`~fslt_survey.ingest.RawExport` (format ``kobo``) with the file's provenance and row
    numbers, ready for :func:`~fslt_survey.ingest.match_columns` and
    :func:`fslt_survey.clean.clean_exports`.

    Raises
    ------
    ReadError
        When the file cannot be read (see :mod:`fslt_survey.ingest.readers`).
    """
    p = Path(path)
    data = p.read_bytes()[:8] if p.is_file() else b""
    if data.startswith(b"PK") or p.suffix.lower() in (".xlsx", ".xlsm"):
        raw = read_xlsx(p)
    else:
        raw = read_csv_any(p)
    frame, metadata, notes = kobo_frame(raw.frame, instrument)
    renamed = {c: h for c, h in raw.renamed.items() if c in frame.columns}
    prov = dataclasses.replace(raw.provenance, format="kobo")
    return dataclasses.replace(
        raw,
        frame=frame,
        provenance=prov,
        format="kobo",
        metadata=metadata,
        multi_separator=None,
        renamed=renamed,
        notes=[*raw.notes, "read as a KoboToolbox export", *notes],
    )
