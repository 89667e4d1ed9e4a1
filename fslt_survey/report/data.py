"""The data of a report page and the helpers its sections share.

:func:`load` reads what one page needs, once, into a :class:`Report`: the questionnaire, the
clean data of all waves, the member registry and the cleaning log (as written by ``fslt-survey
build``), with the suppression threshold ``k``. The helpers here are used by more than one kind
of section: question texts escaped for Markdown, the suppressed needs ranking, the rows of a
wave comparison, the response rate and the demo-data note. The sections themselves are in
:mod:`fslt_survey.report`, :mod:`fslt_survey.report.blocks` and
:mod:`fslt_survey.report.recommendations`; the pages import them all through
:mod:`fslt_survey.report`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import config, publish, stats
from fslt_survey.codebook import Instrument, Item, load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.project import load_project, publication, unit_label
from fslt_survey.publish import findings_cache
from fslt_survey.registry import load_registry
from fslt_survey.report.findings_view import findings_markdown, ranking_with_findings
from fslt_survey.store import clean_registry, instrument_path, load_clean, load_log, log_is_demo
from fslt_survey.tables import escape_markdown, format_pct

__all__ = [
    "SURVEY",
    "Report",
    "data_notice",
    "demo_note",
    "findings_block",
    "load",
    "other_survey_tables",
    "response_rate",
    "symbols_block",
]

SURVEY = config.MEMBER_SURVEY

# --------------------------------------------------------------------------- data


@dataclass
class Report:
    """Everything a page needs, loaded once per page (:func:`load`).

    Attributes
    ----------
    page
        The page's name (figure files are ``figurer/<page>-<name>.svg``).
    instrument, data, registry, log
        The questionnaire, the clean data of all waves, the member registry and the cleaning
        log (as written by ``fslt-survey build``).
    wave, waves
        The latest wave and all waves in the data.
    k
        Suppression threshold.
    """

    page: str
    instrument: Instrument
    data: pd.DataFrame
    registry: pd.DataFrame
    log: dict[str, Any]
    wave: int
    waves: list[int]
    k: int = config.SUPPRESSION_K
    min_group: int = config.SUPPRESSION_K  # smallest group shown on its own (publication())
    figures: Path = field(default_factory=lambda: Path("figurer"))
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    clean: Path | None = None
    confidence: float = config.CONFIDENCE
    groups: tuple = ()  # declared broader groups (fslt_survey.project.Publication.groups)

    @cached_property
    def findings(self) -> publish.Findings:
        """The survey's findings (:mod:`fslt_survey.publish.findings`): every share, index
        and change a page shows, computed once by id with the publication settings."""
        store = publish.Findings(
            self.data,
            self.instrument,
            population=len(self.registry),
            conf=self.confidence,
            k=self.k,
            unit=self.unit,
            indicators=publish.declared_indicators(self.instrument.id),
        )
        if self.clean is not None:  # what the build computed once for the same inputs
            findings_cache.restore(store, self.clean)
        return store

    @cached_property
    def quotes(self) -> list[publish.Quote]:
        """The survey's approved quotes (:mod:`fslt_survey.publish.curated`): the demo's with
        the demo data, the project's otherwise."""
        path = publish.quotes_file(self.instrument.id, demo=self.is_demo)
        return publish.load_quotes(path, items=[it.id for it in self.instrument], names=self.names)

    @property
    def policy_reason(self) -> str:
        """Why the survey's threshold is what it is, in plain Danish (the unit decides it)."""
        if publication(self.instrument.id).unit == "forening":
            return f"Foreninger beskyttes som i erhvervsstatistik, med mindst {self.k} pr. tal."
        return f"Oplysninger om personer beskyttes med mindst {self.k} personer pr. tal."

    @property
    def level(self) -> str:
        """The intervals' confidence level in Danish ("95 %"), as declared for the survey."""
        return format_pct(100 * self.confidence)

    @property
    def is_demo(self) -> bool:
        """Built from the bundled fictional demo exports (``surveys/demo/``)."""
        return log_is_demo(self.log)

    @cached_property
    def latest(self) -> pd.DataFrame:
        """Clean data of the latest wave."""
        return self.data.loc[self.data["wave"] == self.wave]

    @property
    def source(self) -> str:
        """The source line of every chart: the survey's own title (from its instrument)."""
        return f"Kilde: {self.instrument.title}, {self.wave}"

    @property
    def unit(self) -> str:
        """What the survey counts, in the plural ("foreninger", "frivillige", "deltagere"),
        as the project declares it (:mod:`fslt_survey.project`)."""
        return unit_label(self.instrument.id)

    def _not_in_export(self) -> set[str]:
        """Items (``id``) and options (``id__key``) the cleaning log lists as absent from the
        export of the latest wave (``not_in_export``: strings or ``{item, option, wave}``)."""
        out = set()
        for entry in self.log.get("not_in_export") or []:
            if isinstance(entry, dict):
                if entry.get("wave") not in (None, self.wave, str(self.wave)):
                    continue
                key = str(entry.get("item") or entry.get("id") or "")
                option = entry.get("option") or entry.get("key")
                out.add(f"{key}__{option}" if option else key)
            else:
                out.add(str(entry))
        return out

    def not_asked(self, item: Item) -> bool:
        """True when ``item`` was not asked in the latest wave: absent from the export (the
        cleaning log says so), no clean column, or nobody has an answer or a typed missing
        reason other than "Ikke besvaret" (base 0) - published as not asked, never as 0 %."""
        if item.id in self._not_in_export():
            return True
        cols = [c for c in item.columns if c != item.missing_column]
        present = [c for c in cols if c in self.latest.columns]
        if not present:
            return True
        answered = self.latest[present].notna().any(axis=1)
        if item.type == "multi":
            answered = self.latest[present].fillna(False).astype(bool).any(axis=1)
        if answered.any():
            return False
        miss = self.latest.get(item.missing_column)
        reasons = set() if miss is None else set(miss.dropna().astype(str))
        return reasons <= {config.NOT_ANSWERED}

    def options_not_asked(self, item: Item) -> list[str]:
        """Labels of a multi-select's options that were not in the latest wave's export."""
        gone = self._not_in_export()
        if item.scale is None:
            return []
        return [
            lab.label
            for lab in item.scale.substantive
            if f"{item.id}__{lab.key}" in gone or item.option_column(lab) not in self.latest
        ]

    def not_asked_note(self, item: Item) -> str:
        return (
            f"*Spørgsmålet {_q(item.label)} blev ikke stillet i {self.wave}, så der er ingen "
            "svar at vise (ikke det samme som 0 %).*\n"
        )

    @property
    def names(self) -> list[str]:
        """Association names from the registry: redacted from every quote."""
        return [str(n) for n in self.registry["name"] if str(n).strip()]

    def items(self, spec: str | Sequence[str | Item]) -> list[Item]:
        """A battery name, one item id or a list of ids/items -> items asked in the latest wave."""
        if isinstance(spec, str):
            found = [i for i in self.instrument.items if i.battery == spec]
            found = found or [self.instrument.item(spec)]
        else:
            found = [i if isinstance(i, Item) else self.instrument.item(i) for i in spec]
        return [i for i in found if not i.waves or self.wave in i.waves]

    def figure(self, chart: Any, name: str, caption: str) -> str:
        return publish.figure(chart, f"{self.page}-{name}", caption=caption, folder=self.figures)


def load(
    page: str = "side",
    *,
    survey: str = SURVEY,
    clean_dir: str | Path | None = None,
    k: int | None = None,
) -> Report:
    """Load the clean member survey, its log, the instrument and the registry for one page."""
    clean = Path(clean_dir) if clean_dir is not None else config.clean_dir()
    data = load_clean(survey, clean)
    waves = sorted(int(w) for w in data["wave"].dropna().unique())
    settings = publication(survey)
    return Report(
        page=page,
        instrument=load_instrument(instrument_path(survey)),
        data=data,
        registry=load_registry(clean_registry(clean)),
        log=load_log(survey, clean),
        wave=waves[-1],
        waves=waves,
        k=settings.k if k is None else k,
        min_group=settings.min_group,
        clean=clean,
        confidence=settings.confidence,
        groups=settings.groups,
    )


def _q(text: str) -> str:
    return f"»{escape_markdown(' '.join(str(text).split()))}«"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _question(item: Item) -> str:
    return _q(item.text)


# --------------------------------------------------------------------------- shared by the sections


def _large_label(r: Report, battery: str) -> str:
    its = r.items(battery)
    return its[0].scale.categories[0] if its and its[0].scale else "I høj grad"


def response_rate(r: Report, wave: int | None = None) -> tuple[int, int]:
    """(associations that answered in ``wave``, associations in the registry)."""
    wave = r.wave if wave is None else wave
    answered = r.data.loc[r.data["wave"] == wave, "association_id"].dropna().nunique()
    return int(answered), len(r.registry)


OTHERS = publish.OTHERS


def group_members(r: Report, by: str = "assoc_type") -> dict[str, list[str]]:
    """The published groups of registry variable ``by`` (:func:`fslt_survey.publish.
    published_groups`: the declared broader groups, small ones merged into "Øvrige")."""
    return publish.published_groups(
        r.registry[by],
        r.latest[by],
        dict(dict(r.groups).get(by, ())),
        r.min_group,
        file=config.project_root() / config.PROJECT_MARKER,
    )


def needs_by_group(
    r: Report, battery: str = "behov", by: str = "assoc_type"
) -> tuple[pd.DataFrame, str, tuple[str, ...], dict[str, list[str]]]:
    """The needs by published group (:func:`fslt_survey.publish.needs_by_group`) with the
    findings' intervals: ``(table, group column, answers counted, groups)``."""
    members = group_members(r, by)
    sup, col, large = publish.needs_by_group(r.latest, r.items(battery), by, members, k=r.k)
    sup = ranking_with_findings(
        r.findings, sup, large, r.registry, by=col, source=by, members=members
    )
    return sup, col, large, members


def _ranking(r: Report, battery: str = "behov") -> tuple[pd.DataFrame, str]:
    its = r.items(battery)
    large = _large_label(r, battery)
    dist = stats.tab_likert(r.latest, its)
    ranking = stats.rank_needs(r.latest, its, large=(large,))
    sup = publish.suppress_ranking(ranking, k=r.k, distributions=dist, large=(large,))
    return ranking_with_findings(r.findings, sup, large), large


def demo_note(r: Report) -> str:
    """A Danish note when the pages are built from the bundled fictional demo data."""
    if not r.is_demo:
        return ""
    return (
        "*Siderne er bygget på fiktive demodata: foreningerne og svarene er opdigtede og viser "
        "kun, hvordan kortlægningen ser ud.*\n"
    )


def findings_block(r: Report) -> str:
    """The Data page's findings table (every figure of the release by id); call it after the
    downloads so the table holds the figures they publish."""
    return findings_markdown(r.findings, unit=r.unit, k=r.k)


def symbols_block(r: Report) -> str:
    """The release's symbols explained once (for a page or PDF without :func:`data_notice`)."""
    return publish.symbols_note(r.k, r.unit)


def data_notice(clean_dir: str | Path | None = None, *, survey: str = SURVEY) -> str:
    """The notice at the top of every page and PDF: the release's symbols, explained once
    (:func:`fslt_survey.publish.symbols_note`) with the limit and unit of the ``survey`` the
    page shows (the meetings page: the evaluations' 5 participants, not the member survey's 3
    associations), and the demo notice when, and only when, the clean data the site is built
    from comes from the bundled fictional demo exports (read from the cleaning logs, so it
    follows the data actually published)."""
    clean = Path(clean_dir) if clean_dir is not None else config.clean_dir()
    symbols = publish.symbols_note(publication(survey).k, unit_label(survey))
    logs = sorted(clean.glob("*_log.json"))
    if not logs or not any(log_is_demo(json.loads(p.read_text(encoding="utf-8"))) for p in logs):
        return symbols
    return (
        "*Siden er bygget på fiktive demodata: foreningerne og svarene er opdigtede og viser "
        "kun, hvordan kortlægningen ser ud.*\n\n" + symbols
    )


def other_survey_tables(r: Report) -> dict[str, tuple[str, pd.DataFrame]]:
    """One download per other survey the project declares (:mod:`fslt_survey.project`), with
    its answer distributions in its latest wave, suppressed with that survey's own limit k (5 for
    persons, 3 for associations, unless declared) - a new survey needs no Python edit here."""
    tables: dict[str, tuple[str, pd.DataFrame]] = {}
    for spec in load_project().surveys:
        if spec.name == r.instrument.id:
            continue
        try:
            other = load(r.page, survey=spec.name)  # (its own k, from its unit)
        except SurveyDataError:  # not cleaned (yet): nothing to publish for it
            continue
        frames = []
        for it in other.instrument.items:
            if (it.waves and other.wave not in it.waves) or other.not_asked(it):
                continue
            if it.type in ("single", "likert", "multi"):
                multi = it.type == "multi"
                raw = (stats.tab_multi if multi else stats.tab_single)(other.latest, it)
                frames.append(publish.public_frequencies(raw, k=other.k, multi_select=multi))
        if frames:
            tables[f"{spec.name}_{other.wave}"] = (
                f"{other.instrument.title}: svarfordelinger {other.wave} (basis: "
                f"{spec.unit_plural})",
                pd.concat(frames, ignore_index=True),
            )
    return tables
