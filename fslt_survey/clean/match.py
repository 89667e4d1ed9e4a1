"""Column matching: which raw column holds which item of the instrument (:func:`match_columns`).

A raw export (:class:`~fslt_survey.ingest.RawExport`) knows its columns and what its layout says
about them (metadata roles, SurveyXact's option map, column labels); only the instrument says
which item each one holds. Every column ends up matched to an item, set aside as metadata, or
reported unmatched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fslt_survey.codebook import Instrument, Item, normalise
from fslt_survey.errors import ReadError
from fslt_survey.ingest import RawExport
from fslt_survey.ingest.metadata import ANY_ROLES, QUIZ_RE, quiz_role
from fslt_survey.ingest.raw import name_key


@dataclass
class ColumnMatch:
    """A raw column and the item it holds; ``option`` for one-column-per-option layouts.

    ``how``: ``sx`` (SurveyXact/SPSS variable name), ``id`` (item id), ``text`` (question
    text), ``grid`` (row of a grid/battery) or ``option`` (``Question - Option`` header of a
    multi item).
    """

    column: str
    item_id: str
    option: str | None
    how: str


@dataclass
class Matching:
    """Every raw column accounted for: matched to an item, metadata or unmatched."""

    matches: list[ColumnMatch]
    metadata: dict[str, str]
    unmatched: list[str]
    missing_items: list[str]

    @property
    def by_column(self) -> dict[str, ColumnMatch]:
        return {m.column: m for m in self.matches}

    @property
    def multi_columns(self) -> dict[str, tuple[str, str]]:
        """Option columns -> ``(item id, option code)``."""
        return {m.column: (m.item_id, m.option) for m in self.matches if m.option is not None}

    def columns_of(self, item_id: str) -> list[str]:
        return [m.column for m in self.matches if m.item_id == item_id]


def _splits(header: str) -> list[tuple[str, str]]:
    """Ways to read a header as ``(question, row)``: ``Q [Row]``, ``Q - Row``, ``Q.Row``."""
    out: list[tuple[str, str]] = []
    m = re.match(r"^(.*\S)\s*\[([^\[\]]+)\]\s*$", header, re.DOTALL)
    if m:
        out.append((m[1], m[2]))
    for sep in re.finditer(r"\s+[-–]\s+|\.", header):
        q, r = header[: sep.start()], header[sep.end():]
        if q.strip() and r.strip():
            out.append((q, r))
    return out


def _lead_words(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split(), b.split(), strict=False):
        if x != y:
            break
        n += 1
    return n


class _Matcher:
    def __init__(self, raw: RawExport, instrument: Instrument) -> None:
        self.raw, self.inst = raw, instrument
        self.file = raw.provenance.file
        self.sx: dict[str, Item] = {}
        self.ids = {it.id.casefold(): it for it in instrument}
        self.multi_sx: dict[str, Item] = {}
        self.multi_ids = {it.id.casefold(): it for it in instrument if it.type == "multi"}
        self.text: dict[str, list[Item]] = {}
        self.rows: dict[str, list[Item]] = {}
        titles = {s.id: s.title for s in instrument.sections}
        self.titles = {it.id: normalise(titles.get(it.section, "")) for it in instrument}
        for it in instrument:
            if it.sx:
                self.sx[it.sx.casefold()] = it
                if it.type == "multi":
                    self.multi_sx[it.sx.casefold()] = it
            self.text.setdefault(normalise(it.text), []).append(it)
            if it.battery:
                for key in {normalise(it.text), normalise(it.short or "")} - {""}:
                    self.rows.setdefault(key, []).append(it)

    def texts(self, col: str) -> list[str]:
        out = [self.raw.renamed.get(col, col), self.raw.column_labels.get(col, "")]
        return [t for t in out if t and t.strip()]

    def option(self, item: Item, code: str | None, text: str | None = None) -> str | None:
        scale = item.scale
        if scale is None or code is None:
            return code
        lab = scale.by_code(code) or next((x for x in scale.labels if x.key == code), None)
        if lab is None and text:
            lab = scale.match(text)
        return lab.key if lab is not None else code

    def ambiguous(self, col: str, items: list[Item]) -> ReadError:
        ids = ", ".join(dict.fromkeys(it.id for it in items))
        return ReadError(f"column matches several items ({ids}); make the item texts or sx "
                         "names distinct", file=self.file, column=col,
                         expected="one item per column", found=ids)

    def header(self, col: str) -> str:
        """The column's header as in the file (a repeated header was renamed ``Q (2)``)."""
        return self.raw.renamed.get(col) or col

    def by_name(self, col: str) -> ColumnMatch | None:
        """SurveyXact/SPSS option columns: the layout's map, then ``<sx>_<code>``."""
        if col in self.raw.multi_columns:
            qname, code = self.raw.multi_columns[col]
            item = self.multi_sx.get(qname.casefold())
            if item is not None:
                return ColumnMatch(col, item.id, self.option(item, code), "sx")
        head = self.header(col)
        folded = head.casefold()
        for names, how in ((self.multi_sx, "sx"), (self.multi_ids, "id")):
            best = max((n for n in names if folded.startswith(n + "_")
                        and len(folded) > len(n) + 1), key=len, default=None)
            if best is not None:
                item = names[best]
                return ColumnMatch(col, item.id, self.option(item, head[len(best) + 1:]), how)
        return None

    def by_option(self, col: str) -> ColumnMatch | None:
        found: dict[tuple[str, str], Item] = {}
        for text in self.texts(col):
            for q, r in _splits(text):
                for item in self.text.get(normalise(q), []):
                    lab = item.scale.match(r) if item.type == "multi" and item.scale else None
                    if lab is not None:
                        found[(item.id, lab.key)] = item
        if len(found) > 1:
            raise self.ambiguous(col, list(found.values()))
        if found:
            (item_id, key), = found
            return ColumnMatch(col, item_id, key, "option")
        return None

    def by_grid(self, col: str) -> tuple[ColumnMatch, int] | None:
        cands: dict[str, tuple[Item, int]] = {}
        for text in self.texts(col):
            for q, r in _splits(text):
                qn = normalise(q)
                for item in self.rows.get(normalise(r), []):
                    title = self.titles[item.id]
                    score = 1000 if qn and qn in (title, normalise(item.battery or "")) else (
                        _lead_words(qn, normalise(item.text)))
                    if score >= cands.get(item.id, (item, -1))[1]:
                        cands[item.id] = (item, score)
        if not cands:
            return None
        best = max(s for _, s in cands.values())
        top = [it for it, s in cands.values() if s == best]
        if len(top) > 1:
            raise self.ambiguous(col, top)
        return ColumnMatch(col, top[0].id, None, "grid"), best


def match_columns(raw: RawExport, instrument: Instrument) -> Matching:
    """Match every raw column to an item, to a metadata role, or report it unmatched.

    In this order, the first rule that applies wins:

    1. the column name equals an item's ``sx`` (case-insensitive): ``how="sx"``;
    2. the reader's metadata roles (``raw.metadata``);
    3. the column name equals an item's ``id`` (XLSForm/Kobo exports, files written by this
       toolkit): ``how="id"``;
    4. one column per option of a multi item: SurveyXact's structure map
       (``raw.multi_columns``), or the name ``<sx>_<option code>`` (``how="sx"``) or
       ``<id>_<option code>`` (``how="id"``). The option code is resolved against the item's
       scale (by code, else by option text) and given as the label's ``key``;
    5. Microsoft Forms quiz columns ``Points - Q`` / ``Feedback - Q``: metadata;
    6. the header (or the column label of a SurveyXact/SPSS file) equals an item's text
       after :func:`~fslt_survey.codebook.normalise` (case, whitespace, punctuation; so
       ``Q [Row]`` also matches an item whose text is ``Q Row``): ``how="text"``. Items that
       share a text are paired with the columns sharing it in questionnaire order;
    7. ``Question - Option`` / ``Question [Option]`` / ``Question.Option`` where the question
       is a multi item's text and the option one of its scale's labels: ``how="option"``;
    8. grid rows: the part after ``[``, `` - `` or ``.`` equals the ``text`` or ``short`` of
       an item in a battery (``battery:`` set): ``how="grid"``. When several batteries share
       that row, the question part decides: equal to the section title or battery id, else
       the item whose text shares the most leading words with it; a tie is an error. When
       several columns land on one item that way, the best question wins and the others are
       reported unmatched;
    9. known metadata names of any platform (``Email``, ``Navn``, ``respondentid``, ...);
    10. otherwise the column is reported in ``unmatched``.

    A column that matches two items, or two columns that match one item (and option), is a
    :class:`ReadError` naming the column(s). Items without a column are in ``missing_items``.
    """
    m = _Matcher(raw, instrument)
    columns = [str(c) for c in raw.frame.columns]
    found: dict[str, ColumnMatch] = {}
    metadata: dict[str, str] = {}
    text_cols = _exact_pass(m, columns, found, metadata)
    _text_pass(m, text_cols, found)
    grid_scores: dict[str, int] = {}
    unmatched = _loose_pass(m, columns, found, metadata, grid_scores)
    _resolve_column_duplicates(found, grid_scores, unmatched, m.file)
    matches = [found[c] for c in columns if c in found]
    have = {x.item_id for x in matches}
    return Matching(matches, metadata, [c for c in columns if c in unmatched],
                    [it.id for it in instrument if it.id not in have])


def _exact_pass(m: _Matcher, columns: list[str], found: dict[str, ColumnMatch],
                metadata: dict[str, str]) -> dict[str, list[str]]:
    """Rules 1-5 of :func:`match_columns`; returns the columns whose text is an item's text
    (rule 6), by normalised text, for :func:`_text_pass`."""
    raw, names = m.raw, set(columns)
    text_cols: dict[str, list[str]] = {}
    for col in columns:
        # a repeated header (renamed ``Q (2)`` by the reader) matches like the original, so
        # that two columns claiming one item are an error rather than one silently unmatched
        item = m.sx.get(m.header(col).casefold())
        if item is not None:
            found[col] = ColumnMatch(col, item.id, None, "sx")
            continue
        if col in raw.metadata:
            metadata[col] = raw.metadata[col]
            continue
        item = m.ids.get(col.casefold())
        if item is not None:
            found[col] = ColumnMatch(col, item.id, None, "id")
            continue
        hit = m.by_name(col)
        if hit is not None:
            found[col] = hit
            continue
        quiz = QUIZ_RE.match(raw.renamed.get(col, col))
        if quiz and (raw.format == "msforms" or quiz[2] in names):
            metadata[col] = quiz_role(quiz[0]) or "points"
            continue
        key = next((normalise(t) for t in m.texts(col) if normalise(t) in m.text), None)
        if key is not None:
            text_cols.setdefault(key, []).append(col)
    return text_cols


def _text_pass(m: _Matcher, text_cols: dict[str, list[str]],
               found: dict[str, ColumnMatch]) -> None:
    """Rule 6: columns headed by an item's text, paired in questionnaire order."""
    for key, cols in text_cols.items():
        items = m.text[key]
        if len(items) == len(cols):
            for col, item in zip(cols, items, strict=True):
                found[col] = ColumnMatch(col, item.id, None, "text")
        elif len(items) > 1:
            raise m.ambiguous(cols[0], items)
        else:
            raise ReadError(
                f"columns {', '.join(map(repr, cols))} all match item {items[0].id!r}",
                file=m.file, column=cols[1], expected="one column per item",
                found=f"{len(cols)} columns")


def _loose_pass(m: _Matcher, columns: list[str], found: dict[str, ColumnMatch],
                metadata: dict[str, str], grid_scores: dict[str, int]) -> list[str]:
    """Rules 7-10: options, grid rows, other platforms' metadata; returns the unmatched."""
    raw = m.raw
    unmatched: list[str] = []
    for col in columns:
        if col in found or col in metadata:
            continue
        hit = m.by_option(col)
        grid = None if hit is not None else m.by_grid(col)
        if grid is not None:
            hit, grid_scores[col] = grid
        if hit is not None:
            found[col] = hit
        elif col in raw.renamed and m.header(col).casefold() in m.ids:  # a repeated item id
            found[col] = ColumnMatch(col, m.ids[m.header(col).casefold()].id, None, "id")
        elif ANY_ROLES.get(name_key(raw.renamed.get(col, col))):
            metadata[col] = ANY_ROLES[name_key(raw.renamed.get(col, col))]
        else:
            unmatched.append(col)
    return unmatched


def _resolve_column_duplicates(found: dict[str, ColumnMatch], grid_scores: dict[str, int],
                        unmatched: list[str], file: str) -> None:
    groups: dict[tuple[str, str | None], list[str]] = {}
    for col, hit in found.items():
        groups.setdefault((hit.item_id, hit.option), []).append(col)
    for (item_id, option), cols in groups.items():
        if len(cols) == 1:
            continue
        if all(c in grid_scores for c in cols):
            best = max(grid_scores[c] for c in cols)
            winners = [c for c in cols if grid_scores[c] == best]
            if len(winners) == 1:
                for c in cols:
                    if c != winners[0]:
                        del found[c]
                        unmatched.append(c)
                continue
        what = f"item {item_id!r}" + (f" option {option!r}" if option is not None else "")
        raise ReadError(f"columns {', '.join(map(repr, cols))} all match {what}", file=file,
                        column=cols[1], expected="one column per item",
                        found=f"{len(cols)} columns")
    by_item: dict[str, set[str | None]] = {}
    for hit in found.values():
        by_item.setdefault(hit.item_id, set()).add(hit.option)
    for item_id, options in by_item.items():
        if None in options and len(options) > 1:
            cols = [c for c, h in found.items() if h.item_id == item_id]
            raise ReadError(f"item {item_id!r} is matched both as one column and as option "
                            "columns", file=file, column=cols[0],
                            expected="one layout per item", found=", ".join(cols))
