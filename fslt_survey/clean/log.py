"""The cleaning log: every raw row accounted for (kept, or excluded with a reason) and every value
the cleaner could not use, in Danish or English for people and as JSON for the record.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey import config

EXCLUDE_INVITED = "invited"
EXCLUDE_BLANK = "blank"
EXCLUDE_TEST = "test"
EXCLUDE_NOT_MEMBER = "not_member"
EXCLUDE_DUPLICATE = "duplicate"
EXCLUSION_TEXT = {
    EXCLUDE_INVITED: ("inviteret, ikke besvaret", "invited, never answered"),
    EXCLUDE_BLANK: ("tom besvarelse (intet besvaret)", "blank response (nothing answered)"),
    EXCLUDE_TEST: ("testbesvarelse", "test response"),
    EXCLUDE_NOT_MEMBER: (
        "foreningen findes ikke i medlemsregistret",
        "association not in the member registry",
    ),
    EXCLUDE_DUPLICATE: (
        "dublet: erstattet af en mere komplet eller senere besvarelse",
        "duplicate: superseded by a more complete or later response",
    ),
}
DUPLICATE_RULE = "most complete, then latest submitted, then last in file order"
POLICIES = ("warn", "fail")
POLICY_DA = {"warn": "advar og sæt til manglende", "fail": "afvis"}


@dataclass
class CleaningLog:
    """Accounts for every raw row and every value the cleaner could not use.

    ``not_in_export`` lists per wave the items (and the options of multi-select items) of the
    instrument that no export of that wave holds: they were not asked, and publishing shows them
    as such. ``ignored_files`` lists files below the raw folder that were not read, with the
    reason; ``bad_times`` the timestamps that could not be read (file, row, column, value).
    """

    instrument: str
    policy: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    exclusions: list[dict[str, Any]] = field(default_factory=list)
    unknown_values: list[dict[str, Any]] = field(default_factory=list)
    out_of_range: list[dict[str, Any]] = field(default_factory=list)
    redactions: dict[str, dict[str, int]] = field(default_factory=dict)
    not_in_export: list[dict[str, Any]] = field(default_factory=list)
    ignored_files: list[dict[str, str]] = field(default_factory=list)
    bad_times: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return sum(s["rows"] for s in self.sources)

    @property
    def rows_excluded(self) -> int:
        return len(self.exclusions)

    @property
    def rows_kept(self) -> int:
        return sum(s["kept"] for s in self.sources)

    def excluded_by_reason(self) -> dict[str, int]:
        counts = Counter(e["reason"] for e in self.exclusions)
        return {r: counts.get(r, 0) for r in EXCLUSION_TEXT}

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "policy": self.policy,
            "duplicate_rule": DUPLICATE_RULE,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "excluded_by_reason": self.excluded_by_reason(),
            "sources": self.sources,
            "exclusions": self.exclusions,
            "unknown_values": self.unknown_values,
            "out_of_range": self.out_of_range,
            "redactions": self.redactions,
            "not_in_export": self.not_in_export,
            "ignored_files": self.ignored_files,
            "bad_times": self.bad_times,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"

    def warnings(self, lang: str = "da") -> list[str]:
        """What a person should look at: empty exports, files not read, items the export lacks,
        timestamps that could not be read."""
        da = lang == "da"
        out = [
            (f"0 besvarelser i {s['file']}" if da else f"0 responses in {s['file']}")
            for s in self.sources
            if s["rows"] == 0
        ]
        out += [
            (f"Ikke læst: {f['file']} ({f['reason_da' if da else 'reason']})")
            if da
            else f"Not read: {f['file']} ({f['reason']})"
            for f in self.ignored_files
        ]
        for entry in self.not_in_export:
            what = [*entry["items"]] + [
                f"{item}: {', '.join(keys)}" for item, keys in entry["options"].items()
            ]
            if what:
                out.append(
                    (f"Ikke i eksporten (bølge {entry['wave']}): " if da
                     else f"Not in the export (wave {entry['wave']}): ") + "; ".join(what)
                )
        for b in self.bad_times[:20]:
            out.append(
                (f"Ulæseligt tidspunkt: {b['file']}, række {b['row']}, {b['column']!r}: "
                 if da else f"Unreadable timestamp: {b['file']}, row {b['row']}, "
                 f"{b['column']!r}: ") + repr(b["value"])
            )
        return out

    def summary(self, lang: str = "da") -> str:
        """A short summary for people, in Danish (``da``) or English (``en``)."""
        da = lang == "da"
        lines = [
            ("Rensning af " if da else "Cleaning of ") + self.instrument,
            (
                f"Rækker ind: {self.rows_in}; beholdt: {self.rows_kept}; udeladt: "
                f"{self.rows_excluded}"
            )
            if da
            else (
                f"Rows in: {self.rows_in}; kept: {self.rows_kept}; excluded: {self.rows_excluded}"
            ),
        ]
        for reason, n in self.excluded_by_reason().items():
            if n:
                lines.append(f"  - {EXCLUSION_TEXT[reason][0 if da else 1]}: {n}")
        lines += _source_lines(self.sources, da)
        lines += [("Advarsel: " if da else "Warning: ") + w for w in self.warnings(lang)]
        lines += _value_lines(self, da)
        total = sum(sum(v.values()) for v in self.redactions.values())
        if total:
            lines.append(
                (f"Fjernede personoplysninger i fritekst: {total}")
                if da
                else (f"Personal data redacted from free text: {total}")
            )
        return "\n".join(lines) + "\n"


def _source_lines(sources: list[dict[str, Any]], da: bool) -> list[str]:
    lines = []
    for s in sources:
        lines.append(
            f"{'Fil' if da else 'File'} {s['file']} ({s['format']}, "
            f"{'bølge' if da else 'wave'} {s['wave']}): {s['rows']} "
            f"{'rækker' if da else 'rows'}, {s['kept']} "
            f"{'beholdt' if da else 'kept'}"
        )
        meta = s.get("metadata_columns") or {}
        if meta:
            lines.append(
                ("  Metadata (ikke spørgsmål): " if da else "  Metadata (not questions): ")
                + ", ".join(meta)
            )
        if s["unmatched_columns"]:
            lines.append(
                ("  Kolonner uden spørgsmål: " if da else "  Unmatched columns: ")
                + ", ".join(s["unmatched_columns"])
            )
    return lines


def _value_lines(log: CleaningLog, da: bool) -> list[str]:
    lines = []
    if log.unknown_values:
        lines.append(
            (f"Ukendte svarværdier: {len(log.unknown_values)} "
             f"(regel: {POLICY_DA.get(log.policy, log.policy)})")
            if da
            else (f"Unknown answer values: {len(log.unknown_values)} (policy: {log.policy})")
        )
        for u in log.unknown_values[:20]:
            lines.append(
                f"  - {u['file']}, {'række' if da else 'row'} {u['row']}, "
                f"{u['column']!r}: {u['value']!r}"
            )
    if log.out_of_range:
        lines.append(
            (f"Tal uden for gyldigt interval: {len(log.out_of_range)}")
            if da
            else (f"Numbers out of range: {len(log.out_of_range)}")
        )
        for u in log.out_of_range[:20]:
            lines.append(
                f"  - {u['file']}, {'række' if da else 'row'} {u['row']}, "
                f"{u['column']!r}: {u['value']!r} "
                f"({u.get('expected_da', u['expected']) if da else u['expected']})"
            )
    return lines


def display_path(path: str | Path) -> str:
    """A path as the log shows it: relative to the project when inside it (so that logs do not
    depend on where the project is cloned), else as given."""
    p = Path(path)
    try:
        return p.resolve().relative_to(config.PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)
