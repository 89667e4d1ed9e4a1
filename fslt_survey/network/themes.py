"""The theme guides of the network meetings: ``surveys/netvaerk/temaer.yml``.

Per theme of the member survey's ``forumtemaer`` scale: the related needs items, the key-figure
items, the free-text items and quote keywords, and the discussion questions of a meeting on it
(:class:`ThemeGuide`). :func:`load_theme_guides` validates the file against the instrument like
the other network data (:mod:`fslt_survey.network.data`) and lists every problem at once. Read
by the handouts and the group proposals (:mod:`fslt_survey.network.groups`);
:mod:`fslt_survey.network` re-exports both names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fslt_survey._yaml import Problems, read_yaml, require_mapping
from fslt_survey.codebook import Instrument
from fslt_survey.network.data import (
    FORUM_KINDS,
    THEME_SCALE,
    member_instrument,
    network_dir,
    theme_scale,
)

__all__ = [
    "ThemeGuide",
    "load_theme_guides",
]


@dataclass(frozen=True)
class ThemeGuide:
    """What a theme relates to in the member survey, and what a meeting on it can discuss."""

    key: str
    label: str
    kind: str = "erfa-forum"
    intro: str = ""
    related: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    text_items: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()

    def is_relevant(self, text: object) -> bool:
        """True when a word of ``text`` starts with one of the keywords (case-insensitive)."""
        if not isinstance(text, str) or not self.keywords:
            return False
        words = re.findall(r"[§\w][\w-]*", text.casefold())
        return any(w.startswith(k.casefold()) for w in words for k in self.keywords)


def load_theme_guides(
    path: str | Path | None = None, *, instrument: Instrument | None = None
) -> dict[str, ThemeGuide]:
    """Load and validate ``temaer.yml``: one guide per ``forumtemaer`` key, in scale order.

    Checked: every theme has a guide and no unknown theme does; ``related`` items exist and are
    single/Likert items; ``figures`` are choice items; ``text_items`` are free-text items;
    ``keywords`` and ``questions`` are lists of texts; ``kind`` is a forum kind.
    """
    path = Path(path) if path is not None else network_dir() / "temaer.yml"
    inst = instrument or member_instrument()
    scale = theme_scale(inst)
    data = read_yaml(path, "theme file")
    require_mapping(data, "a theme file must map theme keys to guides", path)
    pr = Problems(path, "theme file")
    labels = {lab.key: lab.label for lab in scale.substantive}
    for key in data:
        if key not in labels:
            pr.add(
                f"theme {key}",
                f"not a key of the {THEME_SCALE!r} scale (expected one of {', '.join(labels)})",
            )
    guides: dict[str, ThemeGuide] = {}
    text_ids = tuple(it.id for it in inst.items if it.type == "text")
    for key, label in labels.items():
        raw = data.get(key)
        if not isinstance(raw, dict):
            pr.add(f"theme {key}", "missing guide (expected one entry per theme of the scale)")
            continue
        guides[key] = _parse_guide(raw, key, label, inst, text_ids, pr)
    pr.raise_if_any()
    return guides


_GUIDE_KEYS = {"kind", "intro", "related", "figures", "text_items", "keywords", "questions"}
# which item types each list of a guide may name
_GUIDE_ITEM_TYPES = (
    ("related", ("single", "likert")),
    ("figures", ("single", "likert", "multi")),
    ("text_items", ("text",)),
)


def _parse_guide(
    raw: dict, key: str, label: str, inst: Instrument, text_ids: tuple[str, ...], pr: Problems
) -> ThemeGuide:
    """One theme's guide; its problems listed."""
    where = f"theme {key}"
    for k in raw:
        if k not in _GUIDE_KEYS:
            pr.add(where, f"unknown key {k!r} (expected one of {', '.join(sorted(_GUIDE_KEYS))})")
    lists = {
        k: _str_list(raw.get(k), f"{where} {k}", pr)
        for k in ("related", "figures", "text_items", "keywords", "questions")
    }
    for k, types in _GUIDE_ITEM_TYPES:
        for item_id in lists[k]:
            if item_id not in inst:
                pr.add(where, f"{k}: unknown item {item_id!r} in {inst.id}")
            elif inst.item(item_id).type not in types:
                pr.add(
                    where,
                    f"{k}: item {item_id!r} is of type "
                    f"{inst.item(item_id).type!r}, expected {' or '.join(types)}",
                )
    for k in ("keywords", "questions"):
        if not lists[k]:
            pr.add(where, f"{k} must be a non-empty list of texts")
    kind = raw.get("kind", "erfa-forum")
    if kind not in FORUM_KINDS:
        pr.add(where, f"kind must be one of {', '.join(FORUM_KINDS)}, found {kind!r}")
    return ThemeGuide(
        key,
        label,
        str(kind),
        " ".join(str(raw.get("intro", "")).split()),
        tuple(lists["related"]),
        tuple(lists["figures"]),
        tuple(lists["text_items"]) or text_ids,
        tuple(lists["keywords"]),
        tuple(lists["questions"]),
    )


def _str_list(value: Any, where: str, pr: Problems) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        pr.add(where, f"must be a list of texts, found {value!r}")
        return []
    return [" ".join(v.split()) for v in value]
