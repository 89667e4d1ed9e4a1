"""Survey instruments (codebooks): YAML -> frozen dataclasses, validated once at load.

An instrument file describes one questionnaire. The format (see ``surveys/README.md``)::

    instrument: medlemsundersoegelse      # stable id
    title: Medlemsundersøgelse
    kind: member                          # member | evaluation
    waves: [2025, 2027]                   # the waves the instrument is fielded in
    scales:
      grad:
        ordered: true
        labels:
          - {code: 1, label: I høj grad}
          - {code: 2, label: I nogen grad}
          - {code: 9, label: Ved ikke, missing: true}
    sections:
      - id: behov
        title: Foreningens behov
        theme: behov                      # report theme the items feed
        goals: [1]                        # strategic goals 1-4 the items serve
        items:
          - id: behov_frivillige
            text: I hvilken grad har foreningen behov for hjælp til at rekruttere frivillige?
            type: likert                  # single | multi | likert | numeric | text | association
            scale: grad
            sx: q12_1                     # optional SurveyXact variable name
            short: Rekruttering af frivillige
            core: true                    # asked in every wave with this id

Loading reports *every* problem at once, each with file, item id and what is wrong.

Examples
--------
>>> from fslt_survey.codebook import normalise
>>> normalise("  I  HØJ grad. ")
'i høj grad'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fslt_survey._yaml import Problems, read_yaml
from fslt_survey.config import GOALS
from fslt_survey.errors import CodebookError

ITEM_TYPES = ("single", "multi", "likert", "numeric", "text", "association")
CHOICE_TYPES = ("single", "multi", "likert")
KINDS = ("member", "evaluation")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
_PUNCT_RE = re.compile(r"[^\w\s§%]+")
_WS_RE = re.compile(r"\s+")


def normalise(text: object) -> str:
    """Normalise a label or question text for matching.

    Unicode NFC, case-folded, punctuation removed (``§`` and ``%`` kept), whitespace collapsed.
    Danish letters are kept as they are.
    """
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").casefold()
    s = _PUNCT_RE.sub(" ", s)
    return _WS_RE.sub(" ", s).strip()


@dataclass(frozen=True)
class Label:
    """One answer option of a scale."""

    code: int | str
    label: str
    missing: bool = False
    aliases: tuple[str, ...] = ()
    name: str | None = None

    @property
    def key(self) -> str:
        """Column-safe key used in multi-select column names (``<item>__<key>``).

        The label's ``key`` in YAML when given (e.g. ``raadgivning``), else its code.
        """
        return self.name or str(self.code)


@dataclass(frozen=True)
class Scale:
    """A reusable answer scale: ordered labels and which of them are typed missing."""

    id: str
    labels: tuple[Label, ...]
    ordered: bool = True

    @property
    def substantive(self) -> tuple[Label, ...]:
        """Labels that are real answers (not typed missing), in scale order."""
        return tuple(lab for lab in self.labels if not lab.missing)

    @property
    def missing(self) -> tuple[Label, ...]:
        """Typed missing labels (e.g. "Ved ikke")."""
        return tuple(lab for lab in self.labels if lab.missing)

    @property
    def categories(self) -> list[str]:
        """Substantive label texts in order: the categories of the clean column."""
        return [lab.label for lab in self.substantive]

    @cached_property
    def _lookup(self) -> dict[str, Label]:
        table: dict[str, Label] = {}
        for lab in self.labels:
            for text in (lab.label, *lab.aliases):
                table.setdefault(normalise(text), lab)
        return table

    @cached_property
    def _codes(self) -> dict[str, Label]:
        return {str(lab.code): lab for lab in self.labels}

    def match(self, value: object) -> Label | None:
        """The label a raw answer text means (case, whitespace, punctuation and aliases)."""
        return self._lookup.get(normalise(value))

    def by_code(self, code: object) -> Label | None:
        """The label with this code (``1``, ``"1"`` and ``1.0`` are the same code)."""
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        return self._codes.get(str(code).strip())


@dataclass(frozen=True)
class Condition:
    """``relevant``: the item is asked only when ``item`` was answered with one of ``values``."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One question of an instrument."""

    id: str
    text: str
    type: str
    section: str
    theme: str
    goals: tuple[int, ...] = ()
    scale: Scale | None = None
    sx: str | None = None
    short: str | None = None
    core: bool = False
    waves: tuple[int, ...] = ()
    required: bool = False
    relevant: Condition | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    battery: str | None = None
    help: str | None = None

    @property
    def label(self) -> str:
        """Short label for tables and charts (falls back to the question text)."""
        return self.short or self.text

    @property
    def missing_column(self) -> str:
        """Name of the clean column holding the typed missing reason."""
        return f"{self.id}__missing"

    def option_column(self, label: Label) -> str:
        """Name of the boolean clean column of one multi-select option."""
        return f"{self.id}__{label.key}"

    @property
    def columns(self) -> list[str]:
        """The clean data columns this item produces."""
        if self.type == "multi":
            assert self.scale is not None
            return [self.option_column(lab) for lab in self.scale.substantive] + [
                self.missing_column
            ]
        if self.type == "association":
            return []
        return [self.id, self.missing_column]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    theme: str
    goals: tuple[int, ...]
    items: tuple[str, ...]
    intro: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire."""

    id: str
    title: str
    kind: str
    waves: tuple[int, ...]
    scales: Mapping[str, Scale]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    path: Path | None = None
    intro: str | None = None
    themes: Mapping[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {it.id: it for it in self.items}

    def item(self, item_id: str) -> Item:
        """The item with this id; a clear error naming the instrument otherwise."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise CodebookError(
                f"instrument {self.id!r} has no item {item_id!r}", file=self.path
            ) from None

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def for_wave(self, wave: int) -> list[Item]:
        """Items asked in this wave."""
        return [it for it in self.items if not it.waves or wave in it.waves]

    def by_theme(self, theme: str) -> list[Item]:
        return [it for it in self.items if it.theme == theme]

    def by_goal(self, goal: int) -> list[Item]:
        return [it for it in self.items if goal in it.goals]

    def battery(self, name: str) -> list[Item]:
        """Items of one battery (e.g. all needs items), in questionnaire order."""
        items = [it for it in self.items if it.battery == name]
        if not items:
            raise CodebookError(f"instrument {self.id!r} has no battery {name!r}", file=self.path)
        return items

    @property
    def association_item(self) -> Item | None:
        """The item that identifies the responding association, if any."""
        return next((it for it in self.items if it.type == "association"), None)

    @property
    def core_items(self) -> list[Item]:
        return [it for it in self.items if it.core]


# --------------------------------------------------------------------------- loading


def _multi_scales(instrument: Instrument) -> set[str]:
    return {it.scale.id for it in instrument if it.type == "multi" and it.scale is not None}


def choice_name(instrument: Instrument, scale: Scale, label: Label) -> str:
    """The XLSForm choice ``name`` of a label: its code, or its key for multi-select scales.

    Multi-select answers are stored space-separated, so their names must be XML names: the
    label's ``key`` (``raadgivning``). Single-choice answers keep the code (``1``), as in
    SurveyXact and SPSS exports.
    """
    return label.key if scale.id in _multi_scales(instrument) else str(label.code)


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate an instrument YAML file.

    Raises
    ------
    CodebookError
        Listing every problem (file, item id, what is wrong).
    """
    path = Path(path)
    data = read_yaml(path, "instrument file", error=CodebookError)
    return parse_instrument(data, path=path)


def parse_instrument(data: Any, *, path: Path | None = None) -> Instrument:
    """Validate an already parsed instrument mapping (see :func:`load_instrument`)."""
    pr = Problems(path, "instrument", error=CodebookError)
    if not isinstance(data, dict):
        raise CodebookError(
            "an instrument must be a YAML mapping",
            file=path,
            expected="mapping",
            found=type(data).__name__,
        )
    inst_id = data.get("instrument")
    if not isinstance(inst_id, str) or not _ID_RE.match(inst_id or ""):
        pr.add("instrument", f"missing or invalid id {inst_id!r} (lower-case letters, digits, _)")
        inst_id = str(inst_id)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        pr.add("title", "missing title")
    kind = data.get("kind", "member")
    if kind not in KINDS:
        pr.add("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    waves = _int_tuple(data.get("waves", []), "waves", pr)
    known_keys = {"instrument", "title", "kind", "waves", "scales", "sections", "intro", "themes"}
    for key in data:
        if key not in known_keys:
            pr.add(str(key), f"unknown top-level key; expected one of {sorted(known_keys)}")

    scales = _parse_scales(data.get("scales") or {}, pr)
    themes = data.get("themes") or {}
    if not isinstance(themes, dict):
        pr.add("themes", "must map theme id to its Danish title")
        themes = {}

    sections: list[Section] = []
    items: list[Item] = []
    seen_ids: dict[str, str] = {}
    seen_sx: dict[str, str] = {}
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        pr.add("sections", "an instrument needs a non-empty list of sections")
        raw_sections = []
    for s_index, raw_sec in enumerate(raw_sections, start=1):
        if not isinstance(raw_sec, dict):
            pr.add(f"section {s_index}", "must be a mapping")
            continue
        sec_id = str(raw_sec.get("id", f"section{s_index}"))
        sec_title = raw_sec.get("title")
        if not isinstance(sec_title, str):
            pr.add(f"section {sec_id}", "missing title")
            sec_title = sec_id
        sec_theme = str(raw_sec.get("theme", sec_id))
        sec_goals = _goals(raw_sec.get("goals", []), f"section {sec_id}", pr)
        sec_items: list[str] = []
        raw_items = raw_sec.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            pr.add(f"section {sec_id}", "needs a non-empty list of items")
            raw_items = []
        for i_index, raw in enumerate(raw_items, start=1):
            item = _parse_item(raw, sec_id, sec_theme, sec_goals, i_index, scales, waves, pr)
            if item is None:
                continue
            if item.id in seen_ids:
                pr.add(f"item {item.id}", f"duplicate id (also in section {seen_ids[item.id]})")
                continue
            seen_ids[item.id] = sec_id
            if item.sx:
                if item.sx in seen_sx:
                    pr.add(
                        f"item {item.id}",
                        f"SurveyXact name {item.sx!r} also used by item {seen_sx[item.sx]}",
                    )
                seen_sx[item.sx] = item.id
            items.append(item)
            sec_items.append(item.id)
        sections.append(
            Section(sec_id, sec_title, sec_theme, sec_goals, tuple(sec_items), raw_sec.get("intro"))
        )

    by_id = {it.id: it for it in items}
    for it in items:
        if it.relevant is None:
            continue
        target = by_id.get(it.relevant.item)
        if target is None:
            pr.add(f"item {it.id}", f"relevant refers to unknown item {it.relevant.item!r}")
        elif target.scale is None:
            pr.add(f"item {it.id}", f"relevant refers to item {target.id!r} without answer labels")
        else:
            for v in it.relevant.values:
                if target.scale.match(v) is None:
                    pr.add(
                        f"item {it.id}",
                        f"relevant value {v!r} is not a label of "
                        f"{target.id!r} (scale {target.scale.id!r})",
                    )
        if target is not None and items.index(target) > items.index(it):
            pr.add(f"item {it.id}", f"relevant refers to {target.id!r}, which comes later")
    if sum(it.type == "association" for it in items) > 1:
        pr.add("items", "at most one item may have type 'association'")
    pr.raise_if_any()
    return Instrument(
        id=inst_id,
        title=str(title),
        kind=kind,
        waves=waves,
        scales=scales,
        sections=tuple(sections),
        items=tuple(items),
        path=path,
        intro=data.get("intro"),
        themes={str(k): str(v) for k, v in themes.items()},
    )


def _int_tuple(value: Any, where: str, pr: Problems) -> tuple[int, ...]:
    if value in (None, []):
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        pr.add(where, f"must be a list of whole numbers, found {value!r}")
        return ()
    return tuple(value)


def _goals(value: Any, where: str, pr: Problems) -> tuple[int, ...]:
    goals = _int_tuple(value, where + " goals", pr)
    for g in goals:
        if g not in GOALS:
            pr.add(where, f"unknown strategic goal {g}; expected one of {sorted(GOALS)}")
    return goals


def _parse_scales(raw: Any, pr: Problems) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    if not isinstance(raw, dict):
        pr.add("scales", "must be a mapping of scale id to scale")
        return scales
    for sid, spec in raw.items():
        where = f"scale {sid}"
        if not isinstance(spec, dict) or not isinstance(spec.get("labels"), list):
            pr.add(where, "needs a list of labels")
            continue
        labels: list[Label] = []
        codes: set[str] = set()
        texts: set[str] = set()
        for n, lab in enumerate(spec["labels"], start=1):
            if not isinstance(lab, dict):
                pr.add(where, f"label {n} must be a mapping with code and label")
                continue
            unknown = set(lab) - {"code", "label", "missing", "aliases", "key"}
            if unknown:
                pr.add(
                    where,
                    f"label {n} has unknown key(s) {sorted(unknown)} (a label with a "
                    "comma must be quoted in YAML flow style)",
                )
            code, text = lab.get("code"), lab.get("label")
            if code is None or (isinstance(code, str) and not _CODE_RE.match(code)):
                pr.add(where, f"label {n} has a missing or invalid code {code!r}")
                continue
            if not isinstance(text, str) or not text.strip():
                pr.add(where, f"label {n} (code {code}) has no label text")
                continue
            if str(code) in codes:
                pr.add(where, f"duplicate code {code!r}")
            if normalise(text) in texts:
                pr.add(where, f"duplicate label {text!r}")
            codes.add(str(code))
            aliases = lab.get("aliases", [])
            if not isinstance(aliases, list):
                pr.add(where, f"aliases of {text!r} must be a list")
                aliases = []
            for a in aliases:
                if normalise(a) in texts:
                    pr.add(where, f"alias {a!r} of {text!r} clashes with another label")
                texts.add(normalise(a))
            texts.add(normalise(text))
            key = lab.get("key")
            if key is not None and not (isinstance(key, str) and _ID_RE.match(key)):
                pr.add(where, f"key {key!r} of {text!r} is not column-safe (a-z, 0-9, _)")
                key = None
            labels.append(
                Label(
                    code,
                    text.strip(),
                    bool(lab.get("missing", False)),
                    tuple(str(a) for a in aliases),
                    key,
                )
            )
        if labels and not any(not lab.missing for lab in labels):
            pr.add(where, "has no substantive (non-missing) label")
        scales[str(sid)] = Scale(str(sid), tuple(labels), bool(spec.get("ordered", True)))
    return scales


_ITEM_KEYS = {
    "id",
    "text",
    "type",
    "scale",
    "sx",
    "short",
    "core",
    "waves",
    "required",
    "relevant",
    "min",
    "max",
    "unit",
    "battery",
    "help",
    "theme",
    "goals",
}


def _parse_item(
    raw: Any,
    sec_id: str,
    sec_theme: str,
    sec_goals: tuple[int, ...],
    index: int,
    scales: Mapping[str, Scale],
    inst_waves: tuple[int, ...],
    pr: Problems,
) -> Item | None:
    if not isinstance(raw, dict):
        pr.add(f"section {sec_id} item {index}", "must be a mapping")
        return None
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ID_RE.match(item_id):
        pr.add(
            f"section {sec_id} item {index}",
            f"missing or invalid id {item_id!r} (lower-case letters, digits, _)",
        )
        return None
    where = f"item {item_id}"
    if "__" in item_id:
        pr.add(where, "ids may not contain '__' (reserved for derived columns)")
    for key in raw:
        if key not in _ITEM_KEYS:
            pr.add(where, f"unknown key {key!r}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        pr.add(where, "missing question text")
        text = ""
    typ = raw.get("type")
    if typ not in ITEM_TYPES:
        pr.add(where, f"unknown type {typ!r}; expected one of {', '.join(ITEM_TYPES)}")
        return None
    scale = None
    if typ in CHOICE_TYPES:
        sid = raw.get("scale")
        if sid is None:
            pr.add(where, f"type {typ} needs a scale")
        elif sid not in scales:
            pr.add(where, f"unknown scale {sid!r}")
        else:
            scale = scales[sid]
            if typ == "likert" and not scale.ordered:
                pr.add(where, f"likert item uses unordered scale {sid!r}")
            if typ == "multi":
                keys = [lab.key for lab in scale.labels]
                if len(set(keys)) != len(keys):
                    pr.add(where, f"multi-select options of scale {sid!r} have duplicate keys")
    elif raw.get("scale") is not None:
        pr.add(where, f"type {typ} takes no scale")
    waves = _int_tuple(raw.get("waves", []), where + " waves", pr)
    for w in waves:
        if inst_waves and w not in inst_waves:
            pr.add(where, f"wave {w} is not one of the instrument's waves {list(inst_waves)}")
    relevant = None
    rel = raw.get("relevant")
    if rel is not None:
        if (
            not isinstance(rel, dict)
            or not isinstance(rel.get("item"), str)
            or not isinstance(rel.get("in"), list)
            or not rel["in"]
        ):
            pr.add(where, "relevant must be {item: <id>, in: [<label>, ...]}")
        else:
            relevant = Condition(rel["item"], tuple(str(v) for v in rel["in"]))
    minimum, maximum = raw.get("min"), raw.get("max")
    if typ != "numeric" and (minimum is not None or maximum is not None):
        pr.add(where, "min/max only apply to numeric items")
    for name, v in (("min", minimum), ("max", maximum)):
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
            pr.add(where, f"{name} must be a number, found {v!r}")
    if isinstance(minimum, int | float) and isinstance(maximum, int | float) and minimum > maximum:
        pr.add(where, f"min {minimum} is larger than max {maximum}")
    goals = _goals(raw["goals"], where, pr) if "goals" in raw else sec_goals
    sx = raw.get("sx")
    return Item(
        id=item_id,
        text=text.strip(),
        type=typ,
        section=sec_id,
        theme=str(raw.get("theme", sec_theme)),
        goals=goals,
        scale=scale,
        sx=str(sx) if sx is not None else None,
        short=raw.get("short"),
        core=bool(raw.get("core", False)),
        waves=waves,
        required=bool(raw.get("required", False)),
        relevant=relevant,
        minimum=float(minimum) if isinstance(minimum, int | float) else None,
        maximum=float(maximum) if isinstance(maximum, int | float) else None,
        unit=raw.get("unit"),
        battery=raw.get("battery"),
        help=raw.get("help"),
    )
