"""Network forums and self-help network groups: the data, loaded and validated.

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

:func:`load_network_data` returns the data as tables (read by :mod:`fslt_survey.followup` for
its indicators). The theme guides (``temaer.yml``) are loaded by :mod:`fslt_survey.network.themes`,
the follow-up tables computed by :mod:`fslt_survey.network.stats`; the site page, the Markdown
tables and the CLI are in :mod:`fslt_survey.network`, which re-exports every public name here.

Examples
--------
>>> normalise_meeting_code("  m2025-04 ")
'M2025-04'
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import config
from fslt_survey._yaml import Problems, read_yaml
from fslt_survey.codebook import Instrument, Scale, load_instrument
from fslt_survey.errors import ConfigError
from fslt_survey.registry import load_registry

__all__ = [
    "ATTENDANCE_COLUMNS",
    "EVALUATION_SURVEY",
    "FORUM_KINDS",
    "HANDOUT_DOC",
    "KIND_LABELS",
    "MEMBER_SURVEY",
    "THEME_SCALE",
    "Forum",
    "Meeting",
    "Network",
    "handout_dir",
    "load_attendance",
    "load_network",
    "load_network_data",
    "member_instrument",
    "network_dir",
    "normalise_meeting_code",
    "theme_scale",
]

FORUM_KINDS = ("erfa-forum", "netvaerksgruppe")
KIND_LABELS = {"erfa-forum": "Erfa-forum", "netvaerksgruppe": "Netværksgruppe"}
ATTENDANCE_COLUMNS = ("meeting_id", "association_id", "participants")
MEMBER_SURVEY = config.MEMBER_SURVEY
EVALUATION_SURVEY = config.EVALUATION_SURVEY
THEME_SCALE = "forumtemaer"
HANDOUT_DOC = "reports/handout/handout.qmd"
_FORUM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MEETING_ID = re.compile(r"^M(\d{4})-(\d{2})[A-Z]?$")
_TIME = re.compile(r"^\d{2}[:.]\d{2}(\s*-\s*\d{2}[:.]\d{2})?$")


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
    evaluation: str | None = None  # ``evaluering:`` the evaluation form's https:// address

    @property
    def meetings(self) -> list[Meeting]:
        """Every meeting, by date then id."""
        return sorted((m for f in self.forums for m in f.meetings), key=lambda m: (m.date, m.id))

    def forum(self, forum_id: str) -> Forum:
        for f in self.forums:
            if f.id == forum_id:
                return f
        raise ConfigError(
            f"no forum {forum_id!r}", file=self.path, expected=", ".join(f.id for f in self.forums)
        )

    def meetings_frame(self) -> pd.DataFrame:
        """One row per meeting: meeting_id, date, year, forum_id, forum, kind, theme,
        theme_label, place, time."""
        forums = {f.id: f for f in self.forums}
        rows = [
            {
                "meeting_id": m.id,
                "date": pd.Timestamp(m.date),
                "year": m.date.year,
                "forum_id": m.forum,
                "forum": forums[m.forum].name,
                "kind": forums[m.forum].kind,
                "theme": m.theme,
                "theme_label": self.themes.get(m.theme, m.theme),
                "place": m.place,
                "time": m.time,
            }
            for m in self.meetings
        ]
        cols = ["meeting_id", "date", "year", "forum_id", "forum", "kind", "theme",
                "theme_label", "place", "time"]
        return pd.DataFrame(rows, columns=cols)

    def next_meeting(self, theme: str, today: dt.date | None = None) -> Meeting | None:
        """The first meeting on ``theme`` on or after ``today`` (default: today)."""
        today = today or dt.date.today()
        return next((m for m in self.meetings if m.theme == theme and m.date >= today), None)


def _text(raw: dict, key: str, where: str, pr: Problems, required: bool = True) -> str | None:
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
    data = read_yaml(path, "network file")
    pr = Problems(path, "network file")
    if not isinstance(data, dict) or not isinstance(data.get("forums"), list):
        raise ConfigError(
            "a network file must be a mapping with a list 'forums'",
            file=path,
            expected="forums: [...]",
            found=type(data).__name__,
        )
    for key in data:
        if key not in ("forums", "evaluering"):
            pr.add(str(key), "unknown top-level key; expected 'forums' or 'evaluering'")
    url = data.get("evaluering")
    if url is not None and not (isinstance(url, str) and url.startswith("https://")):
        pr.add("evaluering", f"must be the evaluation form's https:// address, found {url!r}")
    forums: list[Forum] = []
    seen_forums: set[str] = set()
    seen_meetings: dict[str, str] = {}
    for n, raw in enumerate(data["forums"], start=1):
        forum = _parse_forum(raw, n, keys, seen_forums, seen_meetings, pr)
        if forum is not None:
            forums.append(forum)
    pr.raise_if_any()
    return Network(tuple(forums), keys, path, url)


_FORUM_KEYS = ("id", "name", "kind", "theme", "facilitator", "description", "meetings")


def _parse_forum(
    raw: Any,
    n: int,
    keys: Mapping[str, str],
    seen_forums: set[str],
    seen_meetings: dict[str, str],
    pr: Problems,
) -> Forum | None:
    """One forum of ``netvaerk.yml`` with its meetings; problems listed, None when unusable."""
    if not isinstance(raw, dict):
        pr.add(f"forum {n}", "must be a mapping")
        return None
    fid = raw.get("id")
    where = f"forum {fid}" if isinstance(fid, str) else f"forum {n}"
    if not isinstance(fid, str) or not _FORUM_ID.match(fid):
        pr.add(where, f"missing or invalid id {fid!r} (lower-case letters, digits, -)")
        fid = f"forum{n}"
    elif fid in seen_forums:
        pr.add(where, "duplicate forum id")
    seen_forums.add(fid)
    for key in raw:
        if key not in _FORUM_KEYS:
            pr.add(where, f"unknown key {key!r}")
    name = _text(raw, "name", where, pr)
    facilitator = _text(raw, "facilitator", where, pr)
    kind = raw.get("kind")
    if kind not in FORUM_KINDS:
        pr.add(where, f"kind must be one of {', '.join(FORUM_KINDS)}, found {kind!r}")
    theme = raw.get("theme")
    if theme not in keys:
        pr.add(
            where,
            f"theme {theme!r} is not a key of the {THEME_SCALE!r} scale "
            f"(expected one of {', '.join(keys)})",
        )
    raw_meetings = raw.get("meetings") or []
    if not isinstance(raw_meetings, list):
        pr.add(where, "meetings must be a list")
        raw_meetings = []
    meetings = [
        m
        for i, rm in enumerate(raw_meetings, start=1)
        if (m := _parse_meeting(rm, where, i, fid, str(theme), keys, seen_meetings, pr))
        is not None
    ]
    description = _text(raw, "description", where, pr, False)
    return Forum(fid, name or fid, str(kind), str(theme), facilitator or "", tuple(meetings),
                 description)


def _parse_meeting(
    raw: Any,
    where: str,
    i: int,
    forum: str,
    forum_theme: str,
    keys: Mapping[str, str],
    seen: dict[str, str],
    pr: Problems,
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
        pr.add(
            here,
            f"invalid meeting id {mid!r} (expected a code like M2025-02, "
            "optionally with a letter: M2025-02B)",
        )
        return None
    if mid in seen:
        pr.add(here, f"duplicate meeting id (also in {seen[mid]})")
    seen[mid] = where
    date = _date(raw.get("date"))
    if date is None:
        pr.add(here, f"date {raw.get('date')!r} is not a valid ISO date (expected YYYY-MM-DD)")
    elif (date.year, date.month) != (int(match.group(1)), int(match.group(2))):
        pr.add(
            here,
            f"the code does not match the date {date.isoformat()} "
            f"(expected M{date.year}-{date.month:02d})",
        )
    place = _text(raw, "place", here, pr)
    theme = raw.get("theme", forum_theme)
    if theme not in keys:
        pr.add(
            here,
            f"theme {theme!r} is not a key of the {THEME_SCALE!r} scale "
            f"(expected one of {', '.join(keys)})",
        )
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
    header_line, header, rows = _read_attendance(path)
    pos = {c: header.index(c) for c in ATTENDANCE_COLUMNS}
    meetings = {m.id: m for m in network.meetings}
    members = set(registry["association_id"].astype(str))
    pr = Problems(path, "attendance file")
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(rows, start=1):
        line = header_line + offset
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        cells = {c: (row[p].strip() if p < len(row) else "") for c, p in pos.items()}
        mid = _check_attendance_row(cells, f"row {line}", meetings, members, seen, pr)
        if mid is None:
            continue
        seen[(mid, cells["association_id"])] = line
        m = meetings[mid]
        out.append(
            {
                "meeting_id": mid,
                "association_id": cells["association_id"],
                "participants": int(cells["participants"]),
                "date": pd.Timestamp(m.date),
                "year": m.date.year,
                "forum_id": m.forum,
                "theme": m.theme,
            }
        )
    pr.raise_if_any()
    cols = [*ATTENDANCE_COLUMNS, "date", "year", "forum_id", "theme"]
    df = pd.DataFrame(out, columns=cols)
    df["participants"] = df["participants"].astype("int64")
    return df.sort_values(["date", "meeting_id", "association_id"]).reset_index(drop=True)


def _read_attendance(path: Path) -> tuple[int, list[str], list[list[str]]]:
    """The header's line number, the header and the rows after it (comment lines above the
    header skipped); the required columns checked."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("attendance file not found", file=path) from None
    header_line = next(
        (i for i, ln in enumerate(lines, 1) if not ln.lstrip().startswith("#")), None
    )
    if header_line is None:
        raise ConfigError(
            "attendance file has no header", file=path, expected=",".join(ATTENDANCE_COLUMNS)
        )
    rows = list(csv.reader(lines[header_line - 1 :]))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ATTENDANCE_COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            "attendance file lacks required columns",
            file=path,
            row=header_line,
            expected=",".join(ATTENDANCE_COLUMNS),
            found=",".join(header),
        )
    return header_line, header, rows[1:]


def _check_attendance_row(
    cells: dict[str, str],
    where: str,
    meetings: dict[str, Meeting],
    members: set[str],
    seen: dict[tuple[str, str], int],
    pr: Problems,
) -> str | None:
    """The row's normalised meeting id when the row is good; else None, its problems listed."""
    mid, aid = normalise_meeting_code(cells["meeting_id"]), cells["association_id"]
    ok = True
    if mid not in meetings:
        pr.add(
            where,
            f"unknown meeting_id {cells['meeting_id']!r} (expected a meeting id "
            "from netvaerk.yml)",
        )
        ok = False
    if aid not in members:
        pr.add(where, f"unknown association_id {aid!r} (expected an id from the member registry)")
        ok = False
    if not re.fullmatch(r"[1-9]\d*", cells["participants"]):
        pr.add(where, f"participants {cells['participants']!r} is not a whole number >= 1")
        ok = False
    if ok and (mid, aid) in seen:
        pr.add(
            where,
            f"{aid} at {mid} again (first in row {seen[(mid, aid)]}; expected one "
            "row per meeting and association)",
        )
        ok = False
    return mid if ok else None


# --------------------------------------------------------------------------- as tables


def load_network_data(today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The network data as tables (read by :mod:`fslt_survey.followup` for its indicators).

    ``meetings``: held meetings (dated on or before ``today``, default today) from
    :meth:`Network.meetings_frame`; ``planned``: later ones; ``attendance``:
    :func:`load_attendance`; ``groups``: one row per forum and year with a held meeting
    (forum_id, forum, kind, theme, year).
    """

    net = load_network()
    frame = net.meetings_frame()
    held = frame["date"] <= pd.Timestamp(today or dt.date.today())
    meetings = frame.loc[held].reset_index(drop=True)
    groups = (
        meetings.drop_duplicates(["forum_id", "year"])
        .loc[:, ["forum_id", "forum", "kind", "theme", "year"]]
        .reset_index(drop=True)
    )
    return {
        "meetings": meetings,
        "planned": frame.loc[~held].reset_index(drop=True),
        "attendance": load_attendance(network=net, registry=load_registry()),
        "groups": groups,
    }
