"""Audit a built release as an intruder reads it: every published figure at once.

:mod:`fslt_survey.privacy.auditor` finds the feasible range of every hidden count from linear
facts. This module reads those facts from **what a reader holds** - the built site folder, not
the data or the suppression decisions - and audits each survey of the release at its declared
threshold ``k`` (:func:`fslt_survey.project.publication`):

* every download (``downloads/*.csv``): distributions (per group when there is a ``gruppe``
  column), rankings and the 2025-2027 changes, with their bases;
* the findings table (``fund.csv``): every share the pages, PDFs, indicators and
  recommendations print, each with its base (the pages print the same findings, to fewer
  decimals);
* the Metode page's response tables: respondents and non-respondents per round and per group,
  the registry counts, and the groups' shares of the respondents;
* the meetings page: the positive shares per meeting and per year with the number of
  evaluations, and the chart's alt text with the range of bases
  (:mod:`fslt_survey.publish.release_meetings`).

Counts are named ``<wave>/<group>/<item>/<answer>``; the same name in two outputs is the same
count, which is how figures combine. Respondents of a group are ``<wave>/<group>/svarede``; every
item's base is at most that (the rest are typed-missing answers, an unknown of the program).
Typed-missing answers are not audited: not answering is not sensitive (the policy of issue 18).

:func:`check_release` is what ``fslt-survey build`` and ``fslt-survey audit`` run: it raises
:class:`DisclosureError` (exit 3) naming the figures that combine when any hidden count is
disclosed. What it does not read yet is listed in :data:`NOT_READ` and said in its summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import Instrument, load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy.auditor import AuditReport, Release
from fslt_survey.project import Project, load_project, publication
from fslt_survey.publish.measures import measure_for, slug
from fslt_survey.publish.release_meetings import meeting_facts
from fslt_survey.publish.release_read import count, html_tables, number, read_download, yes
from fslt_survey.store import instrument_path

__all__ = [
    "NOT_READ",
    "DisclosureError",
    "SurveyAudit",
    "audit_release",
    "check_release",
    "collect",
    "html_tables",
]

TOTAL = config.TOTAL_LABEL
#: Published figures the collector does not read yet (said in every audit summary).
NOT_READ = ("medians and other numeric answers (the site prints none)",)


class DisclosureError(SurveyDataError):
    """A release in which hidden counts can be worked out from the published figures."""


@dataclass
class SurveyAudit:
    """One survey's audit: its threshold, the report and the files it read."""

    survey: str
    k: int
    report: AuditReport
    sources: list[str]

    def summary(self) -> str:
        hidden = len(self.report.ranges)
        bad = len(self.report.disclosed)
        return (
            f"{self.survey}: {hidden} hidden count(s) audited at k = {self.k} over "
            f"{len(self.sources)} published file(s); {bad} disclosed"
        )


# ------------------------------------------------------------------------- the collector


class _Collector:
    """Reads one survey's published figures into a :class:`Release`."""

    def __init__(self, survey: str, instrument: Instrument) -> None:
        self.survey = survey
        self.instrument = instrument
        self.release = Release()
        self.sources: list[str] = []
        self._bases: dict[tuple[int, str, str], int] = {}  # (wave, group, item) -> base
        self._top: dict[tuple[int, str, str], list[str]] = {}  # ranking answers by group

    # names ------------------------------------------------------------------
    @staticmethod
    def cell(wave: int, group: str, item: str, label: str) -> str:
        return f"{wave}/{group}/{item}/{label}"

    @staticmethod
    def respondents(wave: int, group: str) -> str:
        return f"{wave}/{group}/svarede"

    def _labels(self, item_id: str) -> list[str] | None:
        if item_id not in self.instrument:
            return None
        scale = self.instrument.item(item_id).scale
        return None if scale is None else [lab.label for lab in scale.substantive]

    def _multi(self, item_id: str) -> bool:
        return item_id in self.instrument and self.instrument.item(item_id).type == "multi"

    def labels_for_name(self, item_id: str, name: str) -> list[str] | None:
        """The answers a ranking's ``maaling`` names (the findings' measure names); without
        one, the scale's first answer (the toolkit's rankings before the column existed)."""
        cats = self._labels(item_id)
        if not cats:
            return None
        if not name:
            return cats[:1]
        for n in range(1, len(cats) + 1):
            if measure_for(cats, cats[:n], ordered=True).name == name:
                return cats[:n]
        return None

    def labels_for_key(self, item_id: str, key: str) -> list[str] | None:
        """The answers a finding's measure key counts (:func:`publish.measure_for`'s keys)."""
        cats = self._labels(item_id)
        if not cats:
            return None
        if key in ("top1", "top2"):
            return cats[: int(key[-1])]
        by_slug = {slug(c): c for c in cats}
        if key in by_slug:
            return [by_slug[key]]
        for i, a in enumerate(cats):  # two answers ("ja-maaske")
            for b in cats[i + 1 :]:
                if f"{slug(a)}-{slug(b)}" == key:
                    return [a, b]
        return None  # "mindst-en" and other non-linear measures

    # facts ------------------------------------------------------------------
    def base(
        self, fid: str, wave: int, group: str, item: str, labels: Iterable[str], base: int
    ) -> None:
        """``base`` answered ``item`` in ``group``: the answers' counts sum to it (each
        multi-select option with its complement), and it is at most the group's respondents."""
        labels = list(labels)
        cats = self._labels(item) or labels
        if self._multi(item):
            for lab in labels:
                c = self.cell(wave, group, item, lab)
                self.release.add_sum(f"{fid} [basis]", [c, c + "~ikke valgt"], base)
        else:
            cells = [self.cell(wave, group, item, lab) for lab in cats]
            self.release.add_sum(f"{fid} [basis]", cells, base)
        if (wave, group, item) not in self._bases:
            self._bases[(wave, group, item)] = base
            missing = f"{wave}/{group}/{item}/~uden for basen"
            self.release.add_difference(
                f"{fid} [basis]", [self.respondents(wave, group)], [missing], base
            )

    def distribution(self, fid: str, frame: pd.DataFrame, wave: int) -> None:
        """A tidy distribution download (``spoergsmaal``, ``svar``, ``antal``, ``basis``)."""
        frame = frame.assign(gruppe=frame.get("gruppe", TOTAL))
        inbase = frame[~frame["uden_for_basen"].map(yes)] if "uden_for_basen" in frame else frame
        for (group, item), rows in inbase.groupby(["gruppe", "spoergsmaal"], sort=False):
            for _, row in rows.iterrows():
                value = None if yes(row["skjult"]) else count(row["antal"])
                self.release.add_cell(fid, self.cell(wave, group, item, row["svar"]), value)
            base = next((b for b in map(count, rows["basis"]) if b is not None), None)
            if base is not None:
                self.base(f"{fid} {group}/{item}", wave, group, item, rows["svar"], base)

    def ranking(self, fid: str, frame: pd.DataFrame, wave: int) -> None:
        """A ranking download: per (group,) item the count of its first answer, with base."""
        frame = frame.assign(gruppe=frame.get("gruppe", TOTAL))
        for _, row in frame.iterrows():
            item, group = row["spoergsmaal"], row["gruppe"]
            labels = self.labels_for_name(item, str(row.get("maaling", "")))
            if not labels:
                continue
            value = None if yes(row["skjult"]) else count(row["antal"])
            cells = [self.cell(wave, group, item, lab) for lab in labels]
            if len(cells) == 1:
                self.release.add_cell(fid, cells[0], value)
            else:  # several answers counted: a hidden sum is audited as one count
                total = self.cell(wave, group, item, " + ".join(labels))
                self.release.add_cell(fid, total, value)
                self.release.add_linear(
                    f"{fid} [{total}]", {total: 1, **dict.fromkeys(cells, -1)}, 0, 0
                )
            self._top[(wave, group, item)] = labels
            base = count(row["basis"])
            if base is not None:
                self.base(f"{fid} {group}/{item}", wave, group, item, labels, base)

    def shares(
        self,
        fid: str,
        item: str,
        key: str,
        wave: int,
        pct: object,
        base: object,
        group: str = TOTAL,
    ) -> None:
        """A printed share of a finding's measure with its base."""
        labels = self.labels_for_key(item, key)
        value, decimals = number(pct)
        b = count(base)
        if labels is None or value is None or not b:
            return
        cells = [self.cell(wave, group, item, lab) for lab in labels]
        self.release.add_share(fid, cells, b, value, decimals)
        self.base(fid, wave, group, item, labels, b)

    def findings(self, fid: str, frame: pd.DataFrame) -> None:
        """``fund.csv``: every finding of one wave that is shown, with its base."""
        for _, row in frame.iterrows():
            parts = str(row["id"]).split(".")
            if len(parts) != 3 or not parts[2].isdigit() or str(row["status"]) != "vist":
                continue
            item, key, wave = parts
            self.shares(f"{fid} {row['id']}", item, key, int(wave), row["estimat"], row["basis"])

    def trend(self, fid: str, frame: pd.DataFrame) -> None:
        """The change download: each wave's share and base."""
        for _, row in frame.iterrows():
            parts = str(row["id"]).split(".")
            if len(parts) != 3 or yes(row.get("skjult", "")):
                continue
            item, key, span = parts
            for wave in re.findall(r"\d{4}", span):
                self.shares(
                    f"{fid} {row['id']} {wave}",
                    item,
                    key,
                    int(wave),
                    row.get(f"andel_pct_{wave}"),
                    row.get(f"basis_{wave}"),
                )

    def groups_add_up(self) -> None:
        """Where the groups' bases add up to the total's, a count of the total is the sum of
        the groups' counts of the same answer."""
        by_item: dict[tuple[int, str], list[str]] = {}
        for wave, group, item in self._top:
            if group != TOTAL:
                by_item.setdefault((wave, item), []).append(group)
        for (wave, item), groups in by_item.items():
            total = self._bases.get((wave, TOTAL, item))
            if total is None or sum(self._bases.get((wave, g, item), -1) for g in groups) != total:
                continue
            for label in self._top[(wave, groups[0], item)]:
                terms = {self.cell(wave, TOTAL, item, label): 1}
                for g in groups:
                    terms[self.cell(wave, g, item, label)] = -1
                self.release.add_linear(f"grupperne lagt sammen {wave}/{item}", terms, 0, 0)

    def response(self, fid: str, tables: list[tuple[str, list[list[str]]]]) -> None:
        """The Metode page's response tables (per round, per group)."""
        for caption, rows in tables:
            head, body = rows[0], rows[1:]
            if caption.startswith("Svarprocent pr. runde"):
                for row in body:
                    wave, n, reg = int(row[0]), count(row[2]), count(row[1])
                    self._respondents(f"{fid} {caption}", wave, TOTAL, n, None, reg)
            elif caption.startswith("Svar efter "):
                wave = int(re.findall(r"\d{4}", caption)[-1])
                for row in body:
                    group = row[0]
                    self._respondents(
                        f"{fid} {caption}",
                        wave,
                        group,
                        count(row[1]),
                        count(row[2]),
                        count(row[3]),
                        hidden=True,
                    )
                self._partition(f"{fid} {caption}", wave, [r[0] for r in body])
            elif caption.startswith("Svarende og registret") and "Andel af de svarende" in head:
                wave = int(re.findall(r"\d{4}", caption)[-1])
                col = head.index("Andel af de svarende")
                for row in body:
                    value, decimals = number(row[col])
                    if value is not None:
                        self.release.add_share(
                            f"{fid} {caption}",
                            [self.respondents(wave, row[0])],
                            [self.respondents(wave, TOTAL)],
                            value,
                            decimals,
                        )

    def _respondents(self, fid, wave, group, n, non, registry, *, hidden=False) -> None:
        r = self.respondents(wave, group)
        if n is not None or hidden:
            self.release.add_cell(fid, r, n)
        if hidden or non is not None:
            self.release.add_cell(fid, f"{wave}/{group}/ikke svarede", non)
        if registry is not None:
            self.release.add_sum(
                f"{fid} [registret]", [r, f"{wave}/{group}/ikke svarede"], registry
            )

    def declared_groups(self, groups: dict[str, tuple[str, ...]]) -> None:
        """A declared broader group's respondents are its categories' (``groups:`` of the
        project, public on the pages that show the groups)."""
        waves = {
            int(c.split("/")[0])
            for f in self.release.facts
            for c in f.cells
            if c.endswith("/svarede")
        }
        for wave in sorted(waves):
            for group, cats in groups.items():
                terms = {self.respondents(wave, group): 1}
                terms.update({self.respondents(wave, c): -1 for c in cats})
                self.release.add_linear(f"grupperne {group} {wave}", terms, 0, 0)

    def _partition(self, fid: str, wave: int, groups: list[str]) -> None:
        parts = [g for g in groups if g != TOTAL]
        if TOTAL in groups and parts:
            for what in ("svarede", "ikke svarede"):
                terms = {f"{wave}/{TOTAL}/{what}": 1}
                terms.update({f"{wave}/{g}/{what}": -1 for g in parts})
                self.release.add_linear(f"{fid} [{what} i alt]", terms, 0, 0)


# ------------------------------------------------------------------------- reading a site


def _survey_of(stem: str, surveys: Iterable[str]) -> str:
    for name in surveys:
        if stem.startswith(name):
            return name
    return config.MEMBER_SURVEY


def _read_download(c: _Collector, path: Path) -> bool:
    frame = read_download(path)
    waves = [int(w) for w in re.findall(r"_(\d{4})(?=_|$)", path.stem)]
    cols = set(frame.columns)
    fid = f"downloads/{path.name}"
    if path.stem == "fund" and {"id", "estimat", "basis", "status"} <= cols:
        c.findings(fid, frame)
    elif {"id", "andel_pct_" + str(waves[0] if waves else "")} <= cols:
        c.trend(fid, frame)
    elif {"spoergsmaal", "svar", "antal", "basis", "skjult"} <= cols and len(waves) == 1:
        c.distribution(fid, frame, waves[0])
    elif {"nr", "spoergsmaal", "antal", "basis", "skjult"} <= cols and len(waves) == 1:
        c.ranking(fid, frame, waves[0])
    else:
        return False
    return True


def collect(
    site: str | Path,
    survey: str,
    instrument: Instrument,
    surveys: Iterable[str] = config.SURVEYS,
    groups: dict[str, tuple[str, ...]] | None = None,
) -> tuple[Release, list[str]]:
    """The release of ``survey`` as published in the site folder ``site``, and the files read."""
    site = Path(site)
    c = _Collector(survey, instrument)
    names = sorted(surveys, key=len, reverse=True)
    for path in sorted(site.rglob("downloads/*.csv")):
        if _survey_of(path.stem, names) == survey and _read_download(c, path):
            c.sources.append(str(path.relative_to(site)))
    c.groups_add_up()
    if survey == config.MEMBER_SURVEY:
        for page in sorted(site.rglob("metode.html")):
            c.response(str(page.relative_to(site)), html_tables(page))
            c.sources.append(str(page.relative_to(site)))
    c.declared_groups(groups or {})
    if survey == config.EVALUATION_SURVEY:
        for page in sorted(site.rglob("moeder.html")):
            if meeting_facts(c.release, page, instrument, str(page.relative_to(site))):
                c.sources.append(str(page.relative_to(site)))
    return c.release, c.sources


def audit_release(site: str | Path, project: Project | None = None) -> list[SurveyAudit]:
    """Audit each declared survey of the release in ``site`` at its own threshold."""
    project = project or load_project()
    names = [s.name for s in project.surveys] or list(config.SURVEYS)
    audits = []
    for name in names:
        path = instrument_path(project.root / "surveys" / name)
        if not path.is_file():
            continue
        settings = publication(name, project)
        merged = {
            g: cats for var, _ in settings.groups for g, cats in settings.groups_of(var).items()
        }
        release, sources = collect(site, name, load_instrument(path), names, merged)
        if not sources:
            continue
        k = settings.k
        try:
            report = release.audit(k)
        except ValueError as exc:  # two published figures that cannot both be true
            raise SurveyDataError(
                f"the published figures of {name} contradict each other",
                file=site,
                expected="one count behind every figure that shows it",
                problems=[str(exc)],
            ) from exc
        audits.append(SurveyAudit(name, k, report, sources))
    return audits


def check_release(site: str | Path, project: Project | None = None) -> list[str]:
    """Summary lines of the audit; raises :class:`DisclosureError` if any count is disclosed."""
    site = Path(site)
    audits = audit_release(site, project)
    lines = ["Release audit (every published figure combined):"]
    lines += [f"  {a.summary()}" for a in audits]
    lines.append("  not read yet: " + "; ".join(NOT_READ))
    bad = [a for a in audits if not a.report.ok]
    if bad:
        raise DisclosureError(
            "the release discloses hidden counts: do not publish it",
            file=site,
            expected="no hidden count narrower than k once all published figures are combined",
            problems=[line for a in bad for line in a.report.explain().splitlines()],
        )
    return lines
