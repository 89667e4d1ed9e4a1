"""Network forums and self-help network groups: data, attendance and meeting evaluations.

The strategy 2025-2027 asks the centre to create forums for experience exchange between member
associations and to facilitate self-help *netværksgrupper*. This module holds the data about
them and the follow-up; :mod:`fslt_survey.network_groups` proposes new groups from the member
survey and builds the handouts.

Data (``surveys/netvaerk/``, validated on load like the instruments; every problem is listed
at once in one :class:`~fslt_survey.errors.ConfigError` naming file, row or id and what was
expected):

``netvaerk.yml``
    ``forums``: id, name, kind (``erfa-forum`` | ``netvaerksgruppe``), theme (a key of the
    member survey's ``forumtemaer`` scale), facilitator (a role, never a person) and
    ``meetings`` (id = the code written on the evaluation form, ``M<year>-<month>`` with an
    optional letter; date ``YYYY-MM-DD`` matching the code; place; theme, default the forum's).
``fremmoede.csv``
    ``meeting_id, association_id, participants``: who came (registry ids) and how many people.
``temaer.yml``
    Per theme: related needs items, key-figure items, quote keywords, discussion questions
    (see :func:`load_theme_guides`).

Follow-up: :func:`attendance_summary` (per association, per meeting, per type, never
attended), :func:`prepare_evaluations` (links the evaluation form to the meetings; meeting codes
are normalised, ``" m2025-04"`` -> ``"M2025-04"``), :func:`evaluation_summary` (per meeting or
year) and :func:`compare_evaluation_years`. The ``*_markdown`` functions publish them with
small-cell suppression (k = :data:`fslt_survey.config.SUPPRESSION_K`) and never name an
association. The CLI commands (``handouts``, ``network``, ``groups``) are added by
:func:`register_cli`.

Examples
--------
>>> normalise_meeting_code("  m2025-04 ")
'M2025-04'
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fslt_survey import config
from fslt_survey.codebook import Instrument, Item, Scale, load_instrument
from fslt_survey.errors import ConfigError, SurveyDataError

__all__ = [
    "FORUM_KINDS",
    "KIND_LABELS",
    "AttendanceSummary",
    "Forum",
    "Meeting",
    "MeetingFollowUp",
    "Network",
    "ThemeGuide",
    "attendance_by_type_markdown",
    "attendance_by_type_table",
    "attendance_summary",
    "compare_evaluation_years",
    "evaluation_items",
    "evaluation_markdown",
    "evaluation_shares",
    "evaluation_summary",
    "load_attendance",
    "load_network",
    "load_network_data",
    "load_theme_guides",
    "meetings_markdown",
    "normalise_meeting_code",
    "prepare_evaluations",
    "register_cli",
    "response_counts",
    "suppress_shares",
    "theme_scale",
]

FORUM_KINDS = ("erfa-forum", "netvaerksgruppe")
KIND_LABELS = {"erfa-forum": "Erfa-forum", "netvaerksgruppe": "Netværksgruppe"}
ATTENDANCE_COLUMNS = ("meeting_id", "association_id", "participants")
MEMBER_SURVEY = "medlemsundersoegelse"
EVALUATION_SURVEY = "moedeevaluering"
THEME_SCALE = "forumtemaer"
HANDOUT_DOC = "reports/handout/handout.qmd"
_FORUM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MEETING_ID = re.compile(r"^M(\d{4})-(\d{2})[A-Z]?$")
_TIME = re.compile(r"^\d{2}[:.]\d{2}(\s*-\s*\d{2}[:.]\d{2})?$")
HIDDEN = "–"


def network_dir() -> Path:
    """``surveys/netvaerk`` of the current project (read from :mod:`config` at call time)."""
    return config.SURVEYS_DIR / "netvaerk"


def handout_dir() -> Path:
    """Where ``fslt-survey handouts`` writes: ``build/handouts`` (never the site)."""
    return config.PROJECT_ROOT / "build" / "handouts"


def member_instrument() -> Instrument:
    return load_instrument(config.SURVEYS_DIR / MEMBER_SURVEY / "instrument.yml")


def theme_scale(instrument: Instrument | None = None) -> Scale:
    """The ``forumtemaer`` scale of the member survey: the valid themes (keys and labels)."""
    inst = instrument or member_instrument()
    if THEME_SCALE not in inst.scales:
        raise ConfigError(f"instrument {inst.id!r} has no scale {THEME_SCALE!r}", file=inst.path)
    return inst.scales[THEME_SCALE]


def normalise_meeting_code(code: object) -> str | None:
    """Upper-case, without spaces: how participants' spellings of a code are matched."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return None
    text = re.sub(r"\s+", "", str(code)).upper()
    return text or None


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Meeting:
    id: str
    date: dt.date
    place: str
    theme: str
    forum: str
    time: str | None = None


@dataclass(frozen=True)
class Forum:
    id: str
    name: str
    kind: str
    theme: str
    facilitator: str
    meetings: tuple[Meeting, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Network:
    """The validated ``netvaerk.yml``."""

    forums: tuple[Forum, ...]
    themes: Mapping[str, str]  # theme key -> Danish label
    path: Path | None = None

    @property
    def meetings(self) -> list[Meeting]:
        """Every meeting, by date then id."""
        return sorted((m for f in self.forums for m in f.meetings), key=lambda m: (m.date, m.id))

    def forum(self, forum_id: str) -> Forum:
        for f in self.forums:
            if f.id == forum_id:
                return f
        raise ConfigError(f"no forum {forum_id!r}", file=self.path,
                          expected=", ".join(f.id for f in self.forums))

    def meetings_frame(self) -> pd.DataFrame:
        """One row per meeting: meeting_id, date, year, forum_id, forum, kind, theme,
        theme_label, place, time."""
        forums = {f.id: f for f in self.forums}
        rows = [{
            "meeting_id": m.id, "date": pd.Timestamp(m.date), "year": m.date.year,
            "forum_id": m.forum, "forum": forums[m.forum].name, "kind": forums[m.forum].kind,
            "theme": m.theme, "theme_label": self.themes.get(m.theme, m.theme),
            "place": m.place, "time": m.time,
        } for m in self.meetings]
        cols = ["meeting_id", "date", "year", "forum_id", "forum", "kind", "theme",
                "theme_label", "place", "time"]
        return pd.DataFrame(rows, columns=cols)

    def next_meeting(self, theme: str, today: dt.date | None = None) -> Meeting | None:
        """The first meeting on ``theme`` on or after ``today`` (default: today)."""
        today = today or dt.date.today()
        return next((m for m in self.meetings if m.theme == theme and m.date >= today), None)


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


class _Problems:
    def __init__(self, path: Path | None, what: str) -> None:
        self.path, self.what, self.items = path, what, []

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{where}: {text}")

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            raise ConfigError(f"invalid {self.what} ({n} problem{'s' if n != 1 else ''})",
                              file=self.path, problems=self.items)


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as text, so a bad date is reported, not a crash."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", file=path) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path,
                          row=mark.line + 1 if mark else None) from None


def _text(raw: dict, key: str, where: str, pr: _Problems, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        pr.add(where, f"{key} must be a non-empty text" + (f", found {value!r}" if value else ""))
        return None
    return " ".join(value.split())


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------- loading


def load_network(path: str | Path | None = None, *, themes: Scale | None = None) -> Network:
    """Load and validate ``netvaerk.yml`` (default ``surveys/netvaerk/netvaerk.yml``).

    ``themes`` is the scale of valid themes (default the member survey's ``forumtemaer``).

    Raises
    ------
    ConfigError
        Listing every problem: forum/meeting id, field, what was expected and found.
    """
    path = Path(path) if path is not None else network_dir() / "netvaerk.yml"
    scale = themes or theme_scale()
    keys = {lab.key: lab.label for lab in scale.substantive}
    data = _read_yaml(path, "network file")
    pr = _Problems(path, "network file")
    if not isinstance(data, dict) or not isinstance(data.get("forums"), list):
        raise ConfigError("a network file must be a mapping with a list 'forums'", file=path,
                          expected="forums: [...]", found=type(data).__name__)
    for key in data:
        if key != "forums":
            pr.add(str(key), "unknown top-level key; expected 'forums'")
    forums: list[Forum] = []
    seen_forums: set[str] = set()
    seen_meetings: dict[str, str] = {}
    for n, raw in enumerate(data["forums"], start=1):
        if not isinstance(raw, dict):
            pr.add(f"forum {n}", "must be a mapping")
            continue
        fid = raw.get("id")
        where = f"forum {fid}" if isinstance(fid, str) else f"forum {n}"
        if not isinstance(fid, str) or not _FORUM_ID.match(fid):
            pr.add(where, f"missing or invalid id {fid!r} (lower-case letters, digits, -)")
            fid = f"forum{n}"
        elif fid in seen_forums:
            pr.add(where, "duplicate forum id")
        seen_forums.add(fid)
        for key in raw:
            if key not in ("id", "name", "kind", "theme", "facilitator", "description",
                           "meetings"):
                pr.add(where, f"unknown key {key!r}")
        name = _text(raw, "name", where, pr)
        facilitator = _text(raw, "facilitator", where, pr)
        kind = raw.get("kind")
        if kind not in FORUM_KINDS:
            pr.add(where, f"kind must be one of {', '.join(FORUM_KINDS)}, found {kind!r}")
        theme = raw.get("theme")
        if theme not in keys:
            pr.add(where, f"theme {theme!r} is not a key of the {THEME_SCALE!r} scale "
                          f"(expected one of {', '.join(keys)})")
        meetings = []
        raw_meetings = raw.get("meetings") or []
        if not isinstance(raw_meetings, list):
            pr.add(where, "meetings must be a list")
            raw_meetings = []
        for i, rm in enumerate(raw_meetings, start=1):
            m = _parse_meeting(rm, where, i, fid, str(theme), keys, seen_meetings, pr)
            if m is not None:
                meetings.append(m)
        forums.append(Forum(fid, name or fid, str(kind), str(theme), facilitator or "",
                            tuple(meetings), _text(raw, "description", where, pr, False)))
    pr.raise_if_any()
    return Network(tuple(forums), keys, path)


def _parse_meeting(raw: Any, where: str, i: int, forum: str, forum_theme: str,
                   keys: Mapping[str, str], seen: dict[str, str], pr: _Problems
                   ) -> Meeting | None:
    if not isinstance(raw, dict):
        pr.add(f"{where}, meeting {i}", "must be a mapping with id, date, place")
        return None
    mid = raw.get("id")
    here = f"{where}, meeting {mid}" if isinstance(mid, str) else f"{where}, meeting {i}"
    for key in raw:
        if key not in ("id", "date", "place", "theme", "time"):
            pr.add(here, f"unknown key {key!r}")
    match = _MEETING_ID.match(mid) if isinstance(mid, str) else None
    if match is None:
        pr.add(here, f"invalid meeting id {mid!r} (expected a code like M2025-02, "
                     "optionally with a letter: M2025-02B)")
        return None
    if mid in seen:
        pr.add(here, f"duplicate meeting id (also in {seen[mid]})")
    seen[mid] = where
    date = _date(raw.get("date"))
    if date is None:
        pr.add(here, f"date {raw.get('date')!r} is not a valid ISO date (expected YYYY-MM-DD)")
    elif (date.year, date.month) != (int(match.group(1)), int(match.group(2))):
        pr.add(here, f"the code does not match the date {date.isoformat()} "
                     f"(expected M{date.year}-{date.month:02d})")
    place = _text(raw, "place", here, pr)
    theme = raw.get("theme", forum_theme)
    if theme not in keys:
        pr.add(here, f"theme {theme!r} is not a key of the {THEME_SCALE!r} scale "
                     f"(expected one of {', '.join(keys)})")
    time = raw.get("time")
    if time is not None and not (isinstance(time, str) and _TIME.match(time.strip())):
        pr.add(here, f"time {time!r} is not like '16:00-18:00'")
        time = None
    if date is None or place is None:
        return None
    return Meeting(mid, date, place, str(theme), forum, time.strip() if time else None)


def load_attendance(
    path: str | Path | None = None, *, network: Network, registry: pd.DataFrame
) -> pd.DataFrame:
    """Load and validate ``fremmoede.csv`` against the meetings and the member registry.

    Lines starting with ``#`` are comments; rows are numbered as in the file (header = the
    first line that is not a comment). Meeting codes are normalised (case, spaces).

    Returns
    -------
    DataFrame
        ``meeting_id, association_id, participants, date, year, forum_id, theme`` sorted by
        date, meeting and association.

    Raises
    ------
    ConfigError
        Listing every bad row: unknown meeting or association, participants not a whole
        number >= 1, a meeting/association pair twice, missing columns.
    """
    path = Path(path) if path is not None else network_dir() / "fremmoede.csv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("attendance file not found", file=path) from None
    header_line = next((i for i, ln in enumerate(lines, 1) if not ln.lstrip().startswith("#")),
                       None)
    if header_line is None:
        raise ConfigError("attendance file has no header", file=path,
                          expected=",".join(ATTENDANCE_COLUMNS))
    import csv

    rows = list(csv.reader(lines[header_line - 1:]))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ATTENDANCE_COLUMNS if c not in header]
    if missing:
        raise ConfigError("attendance file lacks required columns", file=path, row=header_line,
                          expected=",".join(ATTENDANCE_COLUMNS), found=",".join(header))
    pos = {c: header.index(c) for c in ATTENDANCE_COLUMNS}
    meetings = {m.id: m for m in network.meetings}
    members = set(registry["association_id"].astype(str))
    pr = _Problems(path, "attendance file")
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(rows[1:], start=1):
        line = header_line + offset
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        cells = {c: (row[p].strip() if p < len(row) else "") for c, p in pos.items()}
        where = f"row {line}"
        mid, aid = normalise_meeting_code(cells["meeting_id"]), cells["association_id"]
        ok = True
        if mid not in meetings:
            pr.add(where, f"unknown meeting_id {cells['meeting_id']!r} (expected a meeting id "
                          "from netvaerk.yml)")
            ok = False
        if aid not in members:
            pr.add(where, f"unknown association_id {aid!r} (expected an id from the member "
                          "registry)")
            ok = False
        if not re.fullmatch(r"[1-9]\d*", cells["participants"]):
            pr.add(where, f"participants {cells['participants']!r} is not a whole number >= 1")
            ok = False
        if ok and (mid, aid) in seen:
            pr.add(where, f"{aid} at {mid} again (first in row {seen[(mid, aid)]}; expected one "
                          "row per meeting and association)")
            ok = False
        if ok:
            seen[(mid, aid)] = line
            m = meetings[mid]  # type: ignore[index]
            out.append({"meeting_id": mid, "association_id": aid,
                        "participants": int(cells["participants"]), "date": pd.Timestamp(m.date),
                        "year": m.date.year, "forum_id": m.forum, "theme": m.theme})
    pr.raise_if_any()
    cols = [*ATTENDANCE_COLUMNS, "date", "year", "forum_id", "theme"]
    df = pd.DataFrame(out, columns=cols)
    df["participants"] = df["participants"].astype("int64")
    return df.sort_values(["date", "meeting_id", "association_id"]).reset_index(drop=True)


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
    data = _read_yaml(path, "theme file")
    if not isinstance(data, dict):
        raise ConfigError("a theme file must map theme keys to guides", file=path,
                          expected="mapping", found=type(data).__name__)
    pr = _Problems(path, "theme file")
    labels = {lab.key: lab.label for lab in scale.substantive}
    for key in data:
        if key not in labels:
            pr.add(f"theme {key}", f"not a key of the {THEME_SCALE!r} scale (expected one of "
                                   f"{', '.join(labels)})")
    allowed = {"kind", "intro", "related", "figures", "text_items", "keywords", "questions"}
    guides: dict[str, ThemeGuide] = {}
    text_ids = tuple(it.id for it in inst.items if it.type == "text")
    for key, label in labels.items():
        where = f"theme {key}"
        raw = data.get(key)
        if not isinstance(raw, dict):
            pr.add(where, "missing guide (expected one entry per theme of the scale)")
            continue
        for k in raw:
            if k not in allowed:
                pr.add(where, f"unknown key {k!r} (expected one of {', '.join(sorted(allowed))})")
        lists = {k: _str_list(raw.get(k), f"{where} {k}", pr) for k in
                 ("related", "figures", "text_items", "keywords", "questions")}
        for k, types in (("related", ("single", "likert")),
                         ("figures", ("single", "likert", "multi")), ("text_items", ("text",))):
            for item_id in lists[k]:
                if item_id not in inst:
                    pr.add(where, f"{k}: unknown item {item_id!r} in {inst.id}")
                elif inst.item(item_id).type not in types:
                    pr.add(where, f"{k}: item {item_id!r} is of type "
                                  f"{inst.item(item_id).type!r}, expected {' or '.join(types)}")
        for k in ("keywords", "questions"):
            if not lists[k]:
                pr.add(where, f"{k} must be a non-empty list of texts")
        kind = raw.get("kind", "erfa-forum")
        if kind not in FORUM_KINDS:
            pr.add(where, f"kind must be one of {', '.join(FORUM_KINDS)}, found {kind!r}")
        intro = raw.get("intro", "")
        guides[key] = ThemeGuide(
            key, label, str(kind), " ".join(str(intro).split()), tuple(lists["related"]),
            tuple(lists["figures"]), tuple(lists["text_items"]) or text_ids,
            tuple(lists["keywords"]), tuple(lists["questions"]),
        )
    pr.raise_if_any()
    return guides


def _str_list(value: Any, where: str, pr: _Problems) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        pr.add(where, f"must be a list of texts, found {value!r}")
        return []
    return [" ".join(v.split()) for v in value]


# --------------------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendanceSummary:
    """Tidy attendance tables (see :func:`attendance_summary`)."""

    associations: pd.DataFrame
    meetings: pd.DataFrame
    by_type: pd.DataFrame
    never: pd.DataFrame
    totals: dict[str, Any] = field(default_factory=dict)


def attendance_summary(attendance: pd.DataFrame, registry: pd.DataFrame) -> AttendanceSummary:
    """Who comes, how often, and who never has.

    Parameters
    ----------
    attendance:
        :func:`load_attendance` (``meeting_id``, ``association_id``, ``participants``; ``date``
        optional, used for first/last).
    registry:
        The member registry; every member association gets a row, also with 0 meetings.
        Attendance by associations that are not in the registry is ignored.

    Returns
    -------
    AttendanceSummary
        ``associations``: association_id, name, assoc_type, meetings, participants, first,
        last, attended (most meetings first). ``meetings``: meeting_id, [date,] associations,
        participants. ``by_type``: assoc_type, members, attended, never, pct_attended.
        ``never``: association_id, name, assoc_type of members who never came. ``totals``:
        meetings, associations_reached, members, pct_reached, participants.
    """
    reg = registry.loc[:, ["association_id", "name", "assoc_type"]].copy()
    att = attendance.loc[attendance["association_id"].isin(reg["association_id"])].copy()
    has_date = "date" in att.columns
    agg: dict[str, Any] = {"meetings": ("meeting_id", "nunique"),
                           "participants": ("participants", "sum")}
    if has_date:
        agg |= {"first": ("date", "min"), "last": ("date", "max")}
    per = att.groupby("association_id").agg(**agg) if len(att) else pd.DataFrame(
        columns=list(agg)).rename_axis("association_id")
    assoc = reg.merge(per, left_on="association_id", right_index=True, how="left")
    for col in ("meetings", "participants"):
        assoc[col] = assoc[col].fillna(0).astype("int64")
    if not has_date:
        assoc["first"] = assoc["last"] = pd.NaT
    assoc["attended"] = assoc["meetings"] > 0
    assoc = assoc.sort_values(["meetings", "association_id"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    keys = ["meeting_id", "date"] if has_date else ["meeting_id"]
    meetings = (att.groupby(keys, sort=True)
                .agg(associations=("association_id", "nunique"),
                     participants=("participants", "sum")).reset_index())
    if has_date:
        meetings = meetings.sort_values(["date", "meeting_id"]).reset_index(drop=True)
    by_type = (assoc.groupby("assoc_type", observed=False)
               .agg(members=("association_id", "size"), attended=("attended", "sum"))
               .reset_index())
    by_type["attended"] = by_type["attended"].astype("int64")
    by_type["never"] = by_type["members"] - by_type["attended"]
    by_type["pct_attended"] = 100 * by_type["attended"] / by_type["members"].where(
        by_type["members"] > 0)
    never = assoc.loc[~assoc["attended"], ["association_id", "name", "assoc_type"]]
    never = never.sort_values("association_id").reset_index(drop=True)
    n_members = len(reg)
    reached = int(assoc["attended"].sum())
    totals = {"meetings": int(att["meeting_id"].nunique()), "associations_reached": reached,
              "members": n_members, "participants": int(att["participants"].sum()),
              "pct_reached": 100 * reached / n_members if n_members else float("nan")}
    return AttendanceSummary(assoc, meetings, by_type, never, totals)


def suppress_shares(n: pd.Series, base: pd.Series, k: int | None = None) -> pd.Series:
    """True where a share n/base must be hidden: n or base - n in (0, k), or base < k.

    The same rule as the published Likert tables: a share reveals both the count and its
    complement.
    """
    k = config.SUPPRESSION_K if k is None else k
    n, base = pd.to_numeric(n, errors="coerce"), pd.to_numeric(base, errors="coerce")
    return (((n > 0) & (n < k)) | ((base - n > 0) & (base - n < k)) | (base < k)
            | n.isna() | base.isna()).astype(bool)


def _fmt_int(v: Any) -> str:
    from fslt_survey.tables import format_number

    return HIDDEN if pd.isna(v) else str(format_number(v))


def _fmt_pct(v: Any) -> str:
    from fslt_survey.tables import format_pct

    return HIDDEN if pd.isna(v) else str(format_pct(v))


def _note(k: int) -> str:
    return (f"{HIDDEN} = skjult, fordi færre end {k} står bag tallet (eller fordi tallet ellers "
            "kunne regnes ud fra de andre).")


def attendance_by_type_table(summary: AttendanceSummary, *, k: int | None = None
                             ) -> pd.DataFrame:
    """Members who attended at least once by association type, suppressed for publication.

    The counts attended / never per type form a cross-tab with an "I alt" row, suppressed with
    :func:`~fslt_survey.privacy.suppress_counts` (primary and secondary, the total row
    protected jointly), so no hidden cell can be recovered from the published totals.

    Returns ``assoc_type`` (types, then "I alt"), ``members``, ``attended`` (NA where hidden),
    ``pct_attended`` (NA where hidden).
    """
    from fslt_survey.privacy import suppress_counts

    k = config.SUPPRESSION_K if k is None else k
    bt = summary.by_type
    total = pd.DataFrame({"assoc_type": ["I alt"], "members": [bt["members"].sum()],
                          "attended": [bt["attended"].sum()], "never": [bt["never"].sum()]})
    wide = pd.concat([bt.assign(assoc_type=bt["assoc_type"].astype(str)), total],
                     ignore_index=True)
    long = wide.melt(id_vars=["assoc_type", "members"], value_vars=["attended", "never"],
                     var_name="category", value_name="n").rename(columns={"members": "base"})
    sup = suppress_counts(long, k=k, group_col="assoc_type", total_group="I alt")
    att = sup[sup["category"] == "attended"].set_index("assoc_type")["n"]
    out = wide.loc[:, ["assoc_type", "members"]].copy()
    out["attended"] = pd.array([att[t] for t in out["assoc_type"]], dtype="Int64")
    out["pct_attended"] = (100 * out["attended"].astype("Float64")
                           / out["members"].where(out["members"] > 0))
    return out


def attendance_by_type_markdown(summary: AttendanceSummary, *, k: int | None = None,
                                caption: str | None = None) -> str:
    """:func:`attendance_by_type_table` as a Danish Markdown table with the suppression note."""
    from fslt_survey.tables import to_markdown_table

    k = config.SUPPRESSION_K if k is None else k
    t = attendance_by_type_table(summary, k=k)
    rows = pd.DataFrame({
        "Foreningstype": t["assoc_type"],
        "Medlemsforeninger": [_fmt_int(v) for v in t["members"]],
        "Har deltaget mindst én gang": [_fmt_int(v) for v in t["attended"]],
        "Andel": [_fmt_pct(v) for v in t["pct_attended"]],
    })
    table = to_markdown_table(rows, caption=caption, align="lrrr")
    return f"{table}\n{_note(k)}\n"


def meetings_markdown(network: Network, summary: AttendanceSummary,
                      evaluations: pd.DataFrame | None = None, *, k: int | None = None,
                      caption: str | None = None) -> str:
    """Held meetings: date, forum, theme, associations, participants and evaluations.

    Each count column is suppressed as a table of its own (primary ``0 < n < k`` and
    secondary, with the column total as known), so totals can be published next to it.
    """
    from fslt_survey.privacy import suppress_counts
    from fslt_survey.tables import to_markdown_table

    k = config.SUPPRESSION_K if k is None else k
    info = network.meetings_frame().set_index("meeting_id")
    mt = summary.meetings.loc[:, ["meeting_id", "associations", "participants"]].copy()
    shown = {}
    for col in ("associations", "participants"):
        sup = suppress_counts(mt.assign(n=mt[col]), k=k, category_col="meeting_id",
                              base_col=None)
        shown[col] = [_fmt_int(v) for v in sup["n"]]
    if evaluations is not None and "moede_id" in evaluations.columns:
        counts = response_counts(evaluations, k=k).set_index("moede_id")["n"]
        shown["evaluations"] = [_fmt_int(counts.get(m, 0)) for m in mt["meeting_id"]]
    mt = mt.merge(info, left_on="meeting_id", right_index=True, how="left")
    rows = pd.DataFrame({
        "Møde": mt["meeting_id"], "Dato": mt["date"].dt.strftime("%d-%m-%Y"),
        "Forum": mt["forum"], "Tema": mt["theme_label"],
        "Foreninger": shown["associations"], "Deltagere": shown["participants"],
        **({"Evalueringer": shown["evaluations"]} if "evaluations" in shown else {}),
    })
    return f"{to_markdown_table(rows, caption=caption)}\n{_note(k)}\n"


# --------------------------------------------------------------------------- evaluations


def evaluation_items(instrument: Instrument) -> list[Item]:
    """The Likert items of the evaluation form, in questionnaire order."""
    return [it for it in instrument.items if it.type == "likert"]


def top_labels(item: Item) -> tuple[str, ...]:
    """The positive end of an item: the first two labels of 4+ point scales, else the first."""
    assert item.scale is not None
    cats = item.scale.categories
    return tuple(cats[:2]) if len(cats) >= 4 else tuple(cats[:1])


def prepare_evaluations(data: pd.DataFrame, network: Network) -> pd.DataFrame:
    """Link clean evaluation data to the meetings (a new frame; ``data`` is not changed).

    ``moede_kode`` holds the normalised code as written; ``moede_id`` becomes a categorical of
    the known meetings in date order (NA for codes that are not in ``netvaerk.yml``); added:
    ``meeting_date``, ``forum_id``, ``theme``, ``year`` (the meeting's year, else the wave).
    """
    out = data.copy()
    info = network.meetings_frame().set_index("meeting_id")
    code = out["moede_id"].map(normalise_meeting_code).astype("string")
    out["moede_kode"] = code
    known = [m for m in info.index if m in set(code.dropna())]
    out["moede_id"] = pd.Categorical(code.where(code.isin(known)), categories=known)
    mapped = code.where(code.isin(known))
    out["meeting_date"] = pd.to_datetime(mapped.map(info["date"]))
    out["forum_id"] = mapped.map(info["forum_id"]).astype("string")
    out["theme"] = mapped.map(info["theme"]).astype("string")
    year = out["meeting_date"].dt.year.astype("Int64")
    if "wave" in out.columns:
        year = year.fillna(out["wave"].astype("Int64"))
    out["year"] = year
    return out


def evaluation_summary(evaluations: pd.DataFrame, instrument: Instrument, *,
                       by: str | None = "moede_id") -> pd.DataFrame:
    """Per item (and per ``by`` group): answers, positive answers and the median.

    Returns ``[by,] item, label, top, base, n_missing, top_n, top_pct, ci_low, ci_high,
    median`` where ``top`` names the positive answers counted (:func:`top_labels`).
    Not suppressed: see :func:`evaluation_markdown`.
    """
    from fslt_survey.stats import tab_likert_summary

    frames = []
    for item in evaluation_items(instrument):
        top = top_labels(item)
        s = tab_likert_summary(evaluations, item, by=by, top=top)
        frames.append(s.assign(top=" + ".join(top)))
    out = pd.concat(frames, ignore_index=True).rename(columns={
        "top2_n": "top_n", "top2_pct": "top_pct", "top2_ci_low": "ci_low",
        "top2_ci_high": "ci_high"})
    cols = ([by] if by else []) + ["item", "label", "top", "base", "n_missing", "top_n",
                                   "top_pct", "ci_low", "ci_high", "median"]
    return out.loc[:, cols]


def response_counts(evaluations: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """Evaluations per meeting (known codes only), suppressed within each year.

    Returns ``year, moede_id, n, suppressed``: ``n`` is NA where hidden; the year totals (the
    sums) are treated as published, so a hidden count cannot be recovered from them.
    """
    from fslt_survey.privacy import suppress_counts

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    t = (ev.assign(moede_id=ev["moede_id"].astype(str)).groupby(["year", "moede_id"])
         .size().reset_index(name="n"))
    if t.empty:
        return t.assign(suppressed=pd.Series(dtype=bool))
    sup = suppress_counts(t, k=k, category_col="moede_id", base_col=None, by=["year"])
    return sup.loc[:, ["year", "moede_id", "n", "suppressed"]]


def evaluation_shares(evaluations: pd.DataFrame, instrument: Instrument, *,
                      k: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Publishable shares of positive answers per meeting and per year.

    Uses the evaluations linked to a known meeting; the year is the meeting's. Per item and
    year the meetings form a cross-tab (meeting x positive/not positive) whose year row is
    published too, protected with :func:`~fslt_survey.privacy.suppress_counts` (primary and
    secondary suppression, the year row as known totals), so a hidden meeting cannot be
    recovered from its year and the others; the share rule of :func:`suppress_shares` applies
    on top. Returns ``(by_meeting, by_year)``: :func:`evaluation_summary` tables with a bool
    column ``hidden`` (``by_meeting`` also has ``year``).
    """
    from fslt_survey.privacy import suppress_counts

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    by_meeting = evaluation_summary(ev, instrument, by="moede_id")
    by_year = evaluation_summary(ev, instrument, by="year")
    year_of = ev.assign(m=ev["moede_id"].astype(str)).drop_duplicates("m").set_index("m")["year"]
    by_meeting["year"] = by_meeting["moede_id"].astype(str).map(year_of)
    by_meeting = by_meeting.loc[by_meeting["year"].notna()].reset_index(drop=True)
    by_meeting["hidden"] = suppress_shares(by_meeting["top_n"], by_meeting["base"], k)
    by_year["hidden"] = suppress_shares(by_year["top_n"], by_year["base"], k)
    for (item, year), grp in by_meeting.groupby(["item", "year"], sort=False):
        yrows = by_year.index[(by_year["item"] == item) & (by_year["year"] == year)]
        rows = [(str(r.moede_id), int(r.top_n), int(r.base)) for r in grp.itertuples()]
        rows += [("I alt", int(by_year.at[i, "top_n"]), int(by_year.at[i, "base"]))
                 for i in yrows]
        grid = pd.DataFrame([{"group": g, "category": c, "n": n, "base": b}
                             for g, top, b in rows
                             for c, n in (("positiv", top), ("ikke positiv", b - top))])
        res = suppress_counts(grid, k=k, group_col="group", total_group="I alt", hide_cols=[])
        hidden = set(grid.loc[res["suppressed"].to_numpy(dtype=bool), "group"])
        by_meeting.loc[grp.index, "hidden"] |= grp["moede_id"].astype(str).isin(hidden)
        by_year.loc[yrows, "hidden"] |= "I alt" in hidden
    return by_meeting, by_year


def evaluation_markdown(summary: pd.DataFrame, *, by: str, k: int | None = None,
                        caption: str | None = None, group_name: str = "Møde",
                        responses: pd.Series | None = None) -> str:
    """A wide Danish table: one row per ``by`` group, one column per item (share positive).

    ``summary`` from :func:`evaluation_shares` (its ``hidden`` column decides); without that
    column the share rule of :func:`suppress_shares` is applied. ``responses``: the number of
    evaluations per group, NA where hidden (see :func:`response_counts`).
    """
    from fslt_survey.tables import to_markdown_table

    k = config.SUPPRESSION_K if k is None else k
    s = summary.copy()
    s["_hide"] = (s["hidden"].astype(bool) if "hidden" in s.columns
                  else suppress_shares(s["top_n"], s["base"], k))
    rows = []
    for g in dict.fromkeys(s[by]):
        sub = s[s[by] == g].set_index("label")
        row = {group_name: str(g)}
        if responses is not None:
            n = responses.get(g, 0)
            row["Besvarelser"] = HIDDEN if pd.isna(n) or 0 < n < k else _fmt_int(n)
        for lab, r in sub.iterrows():
            row[f"{lab} ({r['top']})"] = HIDDEN if r["_hide"] else _fmt_pct(r["top_pct"])
        rows.append(row)
    table = to_markdown_table(pd.DataFrame(rows), caption=caption)
    return f"{table}\n{_note(k)}\n"


def compare_evaluation_years(evaluations: pd.DataFrame, instrument: Instrument, *,
                             k: int | None = None) -> pd.DataFrame:
    """The share of positive answers per item in the first and the last year, with the test
    of :func:`fslt_survey.waves.compare_waves` (evaluations linked to a known meeting; the
    year is the meeting's). Shares hidden by :func:`evaluation_shares` are NA, and so are the
    change, its interval and p of any item with a hidden share."""
    from fslt_survey.waves import compare_waves

    k = config.SUPPRESSION_K if k is None else k
    ev = evaluations.loc[evaluations["moede_id"].notna()]
    ev = ev.assign(wave=ev["year"].astype("int64"))
    waves = sorted(int(w) for w in ev["wave"].unique())
    if len(waves) < 2:
        raise SurveyDataError("comparing years needs evaluations from two years",
                              found=", ".join(map(str, waves)))
    _, by_year = evaluation_shares(ev, instrument, k=k)
    hidden = {(r.item, int(r.year)): bool(r.hidden) for r in by_year.itertuples()}
    frames = []
    for item in evaluation_items(instrument):
        c = compare_waves(ev, item, waves=(waves[0], waves[-1]), top=top_labels(item))
        frames.append(c[c["measure"] == "top2"])
    out = pd.concat(frames, ignore_index=True)
    for sfx in ("from", "to"):
        hide = [hidden.get((i, int(w)), True) for i, w in zip(out["item"], out[f"wave_{sfx}"],
                                                             strict=True)]
        out[f"pct_{sfx}"] = out[f"pct_{sfx}"].astype(float).mask(hide)
        out[f"n_{sfx}"] = out[f"n_{sfx}"].astype("Float64").mask(hide)
    gone = out["pct_from"].isna() | out["pct_to"].isna()
    for col in ("diff", "diff_ci_low", "diff_ci_high", "p"):
        if col in out.columns:
            out[col] = out[col].astype(float).mask(gone)
    return out


# --------------------------------------------------------------------------- the site page


def load_network_data(today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The network data as tables (read by :mod:`fslt_survey.followup` for its indicators).

    ``meetings``: held meetings (dated on or before ``today``, default today) from
    :meth:`Network.meetings_frame`; ``planned``: later ones; ``attendance``:
    :func:`load_attendance`; ``groups``: one row per forum and year with a held meeting
    (forum_id, forum, kind, theme, year).
    """
    from fslt_survey.registry import load_registry

    net = load_network()
    frame = net.meetings_frame()
    held = frame["date"] <= pd.Timestamp(today or dt.date.today())
    meetings = frame.loc[held].reset_index(drop=True)
    groups = meetings.drop_duplicates(["forum_id", "year"]).loc[
        :, ["forum_id", "forum", "kind", "theme", "year"]].reset_index(drop=True)
    return {"meetings": meetings, "planned": frame.loc[~held].reset_index(drop=True),
            "attendance": load_attendance(network=net, registry=load_registry()),
            "groups": groups}


@dataclass
class MeetingFollowUp:
    """Everything the site page ``reports/moeder.qmd`` shows, loaded once.

    Loads the network data, the attendance and the clean evaluations (``build/clean``, written
    by ``fslt-survey build``). Every ``*_markdown`` method applies the suppression rule and
    names no association.
    """

    network: Network
    attendance: pd.DataFrame
    summary: AttendanceSummary
    evaluations: pd.DataFrame
    instrument: Instrument
    today: dt.date | None = None
    k: int = config.SUPPRESSION_K
    source: str = "Kilde: Evaluering af netværksmøder og Frivilligcentrets fremmødelister"

    @classmethod
    def load(cls, *, evaluations: pd.DataFrame | None = None,
             today: dt.date | None = None) -> MeetingFollowUp:
        from fslt_survey.pipeline import load_clean
        from fslt_survey.registry import load_registry

        registry = load_registry()
        net = load_network()
        att = load_attendance(network=net, registry=registry)
        ev = load_clean(EVALUATION_SURVEY) if evaluations is None else evaluations
        inst = load_instrument(config.SURVEYS_DIR / EVALUATION_SURVEY / "instrument.yml")
        return cls(net, att, attendance_summary(att, registry), prepare_evaluations(ev, net),
                   inst, today)

    def overview_markdown(self) -> str:

        t = self.summary.totals
        n_ev = int(self.evaluations["moede_id"].notna().sum())
        years = sorted(self.attendance["year"].unique())
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else ""
        total = attendance_by_type_table(self.summary, k=self.k).iloc[-1]  # the "I alt" row
        reached, share = total["attended"], total["pct_attended"]
        lines = [
            f"- **{t['meetings']}** netværksmøder med registreret fremmøde ({span})",
            f"- **{_fmt_int(t['participants'] if t['participants'] >= self.k else np.nan)}** "
            "deltagere i alt fra medlemsforeningerne",
            f"- **{_fmt_int(reached)}** af {t['members']} medlemsforeninger "
            f"(**{_fmt_pct(share)}**) har deltaget i mindst ét møde",
            f"- **{_fmt_int(n_ev if n_ev >= self.k else np.nan)}** evalueringer fra deltagerne, "
            "knyttet til et møde",
        ]
        unknown = int(self.evaluations["moede_id"].isna().sum())
        text = "\n".join(lines) + "\n"
        if unknown:
            text += ("\nDesuden har " + (f"{unknown} evalueringer" if unknown >= self.k else
                                           "nogle få evalueringer")
                     + " en mødekode, der ikke findes i listen over møder; de indgår ikke.\n")
        return text

    def meetings_markdown(self) -> str:
        return meetings_markdown(self.network, self.summary, self.evaluations, k=self.k,
                                 caption="Afholdte møder: fremmøde og evalueringer")

    def by_type_markdown(self) -> str:
        return attendance_by_type_markdown(
            self.summary, k=self.k,
            caption="Medlemsforeninger, der har deltaget i mindst ét møde, efter foreningstype")

    def _shares(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return evaluation_shares(self.evaluations, self.instrument, k=self.k)

    def evaluation_by_year_markdown(self) -> str:
        _, by_year = self._shares()
        counts = self.evaluations.loc[self.evaluations["moede_id"].notna(), "year"].value_counts()
        return evaluation_markdown(by_year, by="year", k=self.k, group_name="År",
                                   responses=counts,
                                   caption="Andel positive svar pr. år (deltagernes evalueringer)")

    def evaluation_by_meeting_markdown(self) -> str:
        by_meeting, _ = self._shares()
        counts = response_counts(self.evaluations, k=self.k).set_index("moede_id")["n"]
        return evaluation_markdown(by_meeting, by="moede_id", k=self.k, responses=counts,
                                   caption="Andel positive svar pr. møde")

    def trend_figure_markdown(self, folder: str = "figurer") -> str:
        from fslt_survey import publish
        from fslt_survey.plots import plot_dumbbell

        if self.evaluations["year"].dropna().nunique() < 2:
            return "*Der er endnu kun evalueringer fra ét år.*\n"
        cmp = compare_evaluation_years(self.evaluations, self.instrument, k=self.k)
        chart = plot_dumbbell(cmp, title="Deltagernes vurdering af netværksmøderne",
                              source=self.source, unit="deltagere")
        return publish.figure(chart, "moeder-udvikling", folder=folder,
                              caption="Andel positive svar i det første og det seneste år")

    def wished_themes_markdown(self) -> str:
        from fslt_survey import publish
        from fslt_survey.stats import tab_multi

        item = self.instrument.item("naeste_temaer")
        text = publish.frequency_table(tab_multi(self.evaluations, item, sort=True), k=self.k,
                                       multi_select=True, show_missing=False,
                                       caption="Temaer, deltagerne ønsker til kommende møder")
        return text.replace(" foreninger", " deltagere")  # the respondents are participants

    def comments_markdown(self, limit: int = 5) -> str:
        from fslt_survey import publish

        texts = self.evaluations["moede_kommentar"].dropna().astype(str).tolist()
        return publish.quotes(texts, limit=limit)

    def upcoming_markdown(self) -> str:
        from fslt_survey.tables import to_markdown_table

        frame = self.network.meetings_frame()
        if self.today is not None:
            after = pd.Timestamp(self.today)
        else:  # after the last meeting with registered attendance: the page stays reproducible
            after = self.attendance["date"].max() + pd.Timedelta(days=1)
        up = frame.loc[frame["date"] >= after]
        if up.empty:
            return "Der er ikke planlagt flere møder endnu.\n"
        rows = pd.DataFrame({"Dato": up["date"].dt.strftime("%d-%m-%Y"), "Forum": up["forum"],
                             "Type": up["kind"].map(KIND_LABELS), "Tema": up["theme_label"],
                             "Sted": up["place"], "Mødekode": up["meeting_id"]})
        return to_markdown_table(rows, caption="Planlagte møder")


# --------------------------------------------------------------------------- CLI


def _check_network(args: argparse.Namespace) -> int:
    from fslt_survey.registry import load_registry

    inst = member_instrument()
    net = load_network(themes=theme_scale(inst))
    att = load_attendance(network=net, registry=load_registry())
    guides = load_theme_guides(instrument=inst)
    summ = attendance_summary(att, load_registry())
    t = summ.totals
    print(f"{net.path}: OK - {len(net.forums)} forums, {len(net.meetings)} meetings")
    print(f"{network_dir() / 'fremmoede.csv'}: OK - {len(att)} rows, {t['meetings']} meetings "
          f"with attendance, {t['associations_reached']} of {t['members']} member "
          "associations reached")
    print(f"{network_dir() / 'temaer.yml'}: OK - {len(guides)} themes")
    return 0


def _groups(args: argparse.Namespace) -> int:
    from fslt_survey.network_groups import GroupSettings, propose_groups
    from fslt_survey.pipeline import clean_survey, load_clean
    from fslt_survey.registry import load_registry

    data = (clean_survey(MEMBER_SURVEY, demo=True).data if args.demo
            else load_clean(MEMBER_SURVEY))
    settings = GroupSettings(args.min_size, args.max_size, args.max_groups, args.max_per_theme)
    proposal = propose_groups(data, member_instrument(), load_registry(), settings=settings)
    print(proposal.describe())
    if args.out:
        from fslt_survey.privacy import write_csv_safe

        path = write_csv_safe(proposal.members_frame(), args.out)
        print(f"Wrote {path}")
    return 0


def _handouts(args: argparse.Namespace) -> int:
    from fslt_survey.render import render_document

    clean = config.CLEAN_DIR / f"{MEMBER_SURVEY}.parquet"
    if not clean.exists():
        raise SurveyDataError("the handouts read the clean member survey; run `fslt-survey "
                              "build` (or `fslt-survey clean`) first", file=clean)
    keys = [lab.key for lab in theme_scale().substantive]
    themes = args.tema or keys
    unknown = [t for t in themes if t not in keys]
    if unknown:
        raise ConfigError("unknown theme", expected=", ".join(keys), found=", ".join(unknown))
    load_theme_guides()  # refuse a broken theme file before rendering anything
    out = Path(args.out) if args.out else handout_dir()
    for theme in themes:
        params = {"tema": theme, "dato": dt.date.today().isoformat()}  # "next meeting" is dated
        res = render_document(config.PROJECT_ROOT, HANDOUT_DOC, params=params,
                              output_dir=out, output_name=theme, engine=args.engine,
                              force=args.force)
        files = [p for d in res.documents for p in d.outputs
                 if p.suffix in (".html", ".pdf")]
        print(f"{theme}: " + ", ".join(str(p) for p in files))
    print(f"Rendered {len(themes)} handout(s) into {out}")
    return 0


def register_cli(sub: Any) -> None:
    """Add ``handouts``, ``network`` and ``groups`` to the ``fslt-survey`` command line."""
    h = sub.add_parser("handouts", help="render the theme handouts (PDF + HTML) for network "
                                        "meetings into build/handouts/")
    h.add_argument("--tema", action="append", metavar="TEMA",
                   help="only this theme (a forumtemaer key; repeatable); default every theme")
    h.add_argument("--out", help="output folder (default build/handouts)")
    h.add_argument("--engine", choices=("auto", "quarto", "builtin"), default="auto")
    h.add_argument("--force", action="store_true", help="re-execute the handouts")
    h.set_defaults(func=_handouts)
    n = sub.add_parser("network", help="check the network data (forums, meetings, attendance, "
                                       "themes) in surveys/netvaerk/")
    n.set_defaults(func=_check_network)
    g = sub.add_parser("groups", help="propose network groups from the member survey "
                                      "(consenting associations named only)")
    g.add_argument("--min-size", type=int, default=4)
    g.add_argument("--max-size", type=int, default=8)
    g.add_argument("--max-groups", type=int, default=2,
                   help="groups an association may be proposed for (default 2)")
    g.add_argument("--max-per-theme", type=int, default=None,
                   help="groups proposed per theme at most (default: as many as fit)")
    g.add_argument("--demo", action="store_true", help="use the bundled demo data")
    g.add_argument("--out", help="also write the named members with explanations as CSV")
    g.set_defaults(func=_groups)

