"""Loading and validating instrument YAML files into :mod:`fslt_survey.codebook.model`.

Every problem of a file is collected (file, item id, what is wrong) and raised at once as a
:class:`~fslt_survey.errors.CodebookError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fslt_survey._yaml import Problems, read_yaml, require_mapping
from fslt_survey.codebook.model import (
    _CODE_RE,
    _ID_RE,
    CHOICE_TYPES,
    ITEM_TYPES,
    KINDS,
    Condition,
    Instrument,
    Item,
    Label,
    Scale,
    Section,
    normalise,
)
from fslt_survey.config import GOALS
from fslt_survey.errors import CodebookError

__all__ = ["load_instrument", "parse_instrument"]


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


_TOP_KEYS = {"instrument", "title", "kind", "waves", "scales", "sections", "intro", "themes"}


def parse_instrument(data: Any, *, path: Path | None = None) -> Instrument:
    """Validate an already parsed instrument mapping (see :func:`load_instrument`)."""
    pr = Problems(path, "instrument", error=CodebookError)
    require_mapping(data, "an instrument must be a YAML mapping", path, error=CodebookError)
    inst_id, title, kind, waves = _parse_header(data, pr)
    scales = _parse_scales(data.get("scales") or {}, pr)
    themes = data.get("themes") or {}
    if not isinstance(themes, dict):
        pr.add("themes", "must map theme id to its Danish title")
        themes = {}
    sections, items = _parse_sections(data.get("sections"), scales, waves, pr)
    _check_conditions(items, pr)
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


def _parse_header(data: dict, pr: Problems) -> tuple[str, Any, Any, tuple[int, ...]]:
    """Id, title, kind and waves; unknown top-level keys are problems."""
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
    for key in data:
        if key not in _TOP_KEYS:
            pr.add(str(key), f"unknown top-level key; expected one of {sorted(_TOP_KEYS)}")
    return inst_id, title, kind, waves


def _parse_sections(
    raw_sections: Any, scales: dict[str, Scale], waves: tuple[int, ...], pr: Problems
) -> tuple[list[Section], list[Item]]:
    """Every section and its items; item ids and SurveyXact names must be unique."""
    sections: list[Section] = []
    items: list[Item] = []
    seen_ids: dict[str, str] = {}
    seen_sx: dict[str, str] = {}
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
        raw_items = raw_sec.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            pr.add(f"section {sec_id}", "needs a non-empty list of items")
            raw_items = []
        sec_items: list[str] = []
        for i_index, raw in enumerate(raw_items, start=1):
            item = _parse_item(raw, sec_id, sec_theme, sec_goals, i_index, scales, waves, pr)
            if item is None or not _unique(item, sec_id, seen_ids, seen_sx, pr):
                continue
            items.append(item)
            sec_items.append(item.id)
        sections.append(
            Section(sec_id, sec_title, sec_theme, sec_goals, tuple(sec_items), raw_sec.get("intro"))
        )
    return sections, items


def _unique(
    item: Item, sec_id: str, seen_ids: dict[str, str], seen_sx: dict[str, str], pr: Problems
) -> bool:
    """Record the item's id and SurveyXact name; False for a duplicate id (item dropped)."""
    if item.id in seen_ids:
        pr.add(f"item {item.id}", f"duplicate id (also in section {seen_ids[item.id]})")
        return False
    seen_ids[item.id] = sec_id
    if item.sx:
        if item.sx in seen_sx:
            pr.add(
                f"item {item.id}",
                f"SurveyXact name {item.sx!r} also used by item {seen_sx[item.sx]}",
            )
        seen_sx[item.sx] = item.id
    return True


def _check_conditions(items: list[Item], pr: Problems) -> None:
    """Skip logic (``relevant``) must name an earlier item with labels, and its labels."""
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
        labels = _parse_labels(spec["labels"], where, pr)
        if labels and not any(not lab.missing for lab in labels):
            pr.add(where, "has no substantive (non-missing) label")
        scales[str(sid)] = Scale(str(sid), tuple(labels), bool(spec.get("ordered", True)))
    return scales


def _parse_labels(raw: list, where: str, pr: Problems) -> list[Label]:
    """A scale's labels: code and text unique (aliases included), keys column-safe."""
    labels: list[Label] = []
    codes: set[str] = set()
    texts: set[str] = set()
    for n, lab in enumerate(raw, start=1):
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
    return labels


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
    "sensitive",
}


def _item_id(raw: Any, sec_id: str, index: int, pr: Problems) -> str | None:
    """The item's id, with the problems of its id and keys listed; ``None`` if unusable."""
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
    if "__" in item_id:
        pr.add(f"item {item_id}", "ids may not contain '__' (reserved for derived columns)")
    for key in raw:
        if key not in _ITEM_KEYS:
            pr.add(f"item {item_id}", f"unknown key {key!r}")
    return item_id


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
    item_id = _item_id(raw, sec_id, index, pr)
    if item_id is None:
        return None
    where = f"item {item_id}"
    sensitive = raw.get("sensitive", False)
    if not isinstance(sensitive, bool):
        pr.add(where, f"sensitive must be true or false, found {sensitive!r}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        pr.add(where, "missing question text")
        text = ""
    typ = raw.get("type")
    if typ not in ITEM_TYPES:
        pr.add(where, f"unknown type {typ!r}; expected one of {', '.join(ITEM_TYPES)}")
        return None
    scale = _item_scale(raw, typ, where, scales, pr)
    waves = _int_tuple(raw.get("waves", []), where + " waves", pr)
    for w in waves:
        if inst_waves and w not in inst_waves:
            pr.add(where, f"wave {w} is not one of the instrument's waves {list(inst_waves)}")
    relevant = _item_condition(raw.get("relevant"), where, pr)
    minimum, maximum = _item_range(raw, typ, where, pr)
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
        minimum=minimum,
        maximum=maximum,
        unit=raw.get("unit"),
        battery=raw.get("battery"),
        sensitive=sensitive is True,
        help=raw.get("help"),
    )


def _item_scale(
    raw: dict, typ: str, where: str, scales: Mapping[str, Scale], pr: Problems
) -> Scale | None:
    """The scale of a choice item (checked against its type), or None."""
    sid = raw.get("scale")
    if typ not in CHOICE_TYPES:
        if sid is not None:
            pr.add(where, f"type {typ} takes no scale")
        return None
    if sid is None:
        pr.add(where, f"type {typ} needs a scale")
        return None
    if sid not in scales:
        pr.add(where, f"unknown scale {sid!r}")
        return None
    scale = scales[sid]
    if typ == "likert" and not scale.ordered:
        pr.add(where, f"likert item uses unordered scale {sid!r}")
    if typ == "multi":
        keys = [lab.key for lab in scale.labels]
        if len(set(keys)) != len(keys):
            pr.add(where, f"multi-select options of scale {sid!r} have duplicate keys")
    return scale


def _item_condition(rel: Any, where: str, pr: Problems) -> Condition | None:
    """The skip-logic condition ``relevant: {item: <id>, in: [<label>, ...]}``, or None."""
    if rel is None:
        return None
    if (
        not isinstance(rel, dict)
        or not isinstance(rel.get("item"), str)
        or not isinstance(rel.get("in"), list)
        or not rel["in"]
    ):
        pr.add(where, "relevant must be {item: <id>, in: [<label>, ...]}")
        return None
    return Condition(rel["item"], tuple(str(v) for v in rel["in"]))


def _item_range(raw: dict, typ: str, where: str, pr: Problems) -> tuple[float | None, float | None]:
    """The numeric item's ``min``/``max`` (each a number or absent; min <= max)."""
    minimum, maximum = raw.get("min"), raw.get("max")
    if typ != "numeric" and (minimum is not None or maximum is not None):
        pr.add(where, "min/max only apply to numeric items")
    for name, v in (("min", minimum), ("max", maximum)):
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
            pr.add(where, f"{name} must be a number, found {v!r}")
    lo = float(minimum) if isinstance(minimum, int | float) else None
    hi = float(maximum) if isinstance(maximum, int | float) else None
    if lo is not None and hi is not None and lo > hi:
        pr.add(where, f"min {minimum} is larger than max {maximum}")
    return lo, hi
