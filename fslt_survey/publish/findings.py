"""One finding, one number, one verdict: every published estimate computed once, by id.

A :class:`Finding` is one published figure - a share in a wave, a 0-100 index in a wave, or the
change of either between two waves - with a stable, readable id, what it measures (its Danish
name says which answers count), its estimate, interval, base, test, the verdict adjusted within
its declared family, and its disclosure status with the true reason. Pages, PDFs, indicators,
recommendations and downloads ask :class:`Findings` for a finding by id instead of computing
their own, so two outputs that show the same finding cannot disagree.

Ids
---
``<item>.<measure>.<wave>`` for a share (``samarbejde_roller.top2.2027``),
``<item>.<measure>.<from>-<to>`` for its change (``samarbejde_roller.top2.2025-2027``),
``indeks-<battery>.<wave>`` and ``indeks-<battery>.<from>-<to>`` for an index. Measure keys:
``top1``/``top2`` (the first one or two answers of an ordered scale), the answers' slugs joined
by ``-`` (``ja-maaske``), a multi-select option's slug, ``mindst-en`` / ``mindst-N``.

Families (the multiplicity policy of issue 16, declared here)
------------------------------------------------------------
Only changes are tested. The family of a change is the strategy goal of its item (``mål 1`` ...
``mål 4``; an item without a goal: its theme), and it holds *every* change the release can show
for that goal: the headline measure of each item asked in both waves (the top two answers of an
ordered scale - for the needs battery "andel i høj grad" - the first answer of an unordered one,
each option of a multi-select), the indicators' own measures (``surveys/indicators.yml``) and
the goal's indices.
The family is fixed by the instrument and the indicator file, never by which page asks, so the
Benjamini-Hochberg verdict of a change is the same on every page and PDF.

Publication settings (confidence level, k) are the survey's in the project declaration
(:func:`fslt_survey.project.publication`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import config, stats
from fslt_survey._yaml import read_yaml
from fslt_survey.codebook import Instrument, Item, load_instrument
from fslt_survey.project import publication, unit_label
from fslt_survey.publish import estimate as est
from fslt_survey.publish import findings_cache
from fslt_survey.publish.finding import (
    FINDING_COLUMNS,
    THEME_PAGES,
    Finding,
    Spec,
    as_level,
    change_finding,
    goal_family,
)
from fslt_survey.publish.measures import Measure, canonical_label, is_ordered, measure_for
from fslt_survey.registry import load_registry
from fslt_survey.store import clean_registry, instrument_path, load_clean

__all__ = ["FINDING_COLUMNS", "Finding", "Findings", "declared_indicators"]


#: Themes whose headline measure is the first answer only: the needs battery is ranked and
#: compared on "andel i høj grad" (a need "i nogen grad" is not a large need).
TOP1_THEMES = ("behov",)


def declared_indicators(survey: str) -> list[dict[str, Any]]:
    """The indicator declarations of ``survey`` in ``surveys/indicators.yml`` as written (the
    file is validated by :mod:`fslt_survey.followup`); their measures join the families."""
    path = config.surveys_dir() / "indicators.yml"
    declared = (read_yaml(path, "indicator file") or {}) if path.is_file() else {}
    if not isinstance(declared, dict) or declared.get("survey", survey) != survey:
        return []
    return [i for i in declared.get("indicators") or [] if isinstance(i, dict)]


class Findings:
    """The findings of one survey, computed on demand and kept by id (module docstring).

    Build it with :meth:`load` (the clean data, instrument, registry and publication settings
    of the project) or directly from frames in tests. Every output asks it by id or by
    (item, measure, wave): :meth:`share`, :meth:`change`, :meth:`index`,
    :meth:`index_change`, :meth:`get`; :meth:`table` is the published findings table.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        instrument: Instrument,
        *,
        population: int,
        conf: float = config.CONFIDENCE,
        k: int = config.SUPPRESSION_K,
        unit: str = "foreninger",
        indicators: Iterable[dict[str, Any]] = (),
    ) -> None:
        self.data = data.reset_index(drop=True)
        self.instrument = instrument
        self.population = int(population)
        self.conf = float(conf)
        self.k = int(k)
        self.unit = unit
        self.waves = sorted(int(w) for w in self.data["wave"].dropna().unique())
        self._indicators = list(indicators)
        self._memo: dict[str, Finding] = {}
        self._families: dict[str, dict[str, float]] = {}
        self._tabs: dict[Any, Any] = {}  # suppressed distributions per (item, wave, k)

    @classmethod
    def load(
        cls,
        clean_dir: str | Path | None = None,
        survey: str = config.MEMBER_SURVEY,
        *,
        indicators: Iterable[dict[str, Any]] | None = None,
    ) -> Findings:
        """The findings of ``survey`` from the clean data ``fslt-survey build`` wrote
        (``indicators``: declarations other than the project's ``surveys/indicators.yml``)."""
        clean = Path(clean_dir) if clean_dir is not None else config.clean_dir()
        settings = publication(survey)
        store = cls(
            load_clean(survey, clean),
            load_instrument(instrument_path(survey)),
            population=len(load_registry(clean_registry(clean))),
            conf=settings.confidence,
            k=settings.k,
            unit=unit_label(survey),
            indicators=declared_indicators(survey) if indicators is None else indicators,
        )
        findings_cache.restore(store, clean)  # what the build computed once, if the same
        return store

    # ------------------------------------------------------------------ measures and ids

    def measure(
        self, item: str | Item, labels: Iterable[str] | None = None, min_options: int = 1
    ) -> Measure:
        it = item if isinstance(item, Item) else self.instrument.item(item)
        if it.scale is None:
            raise KeyError(f"{it.id} has no answer scale: no share to publish")
        cats = [lab.label for lab in it.scale.substantive]
        if labels is None and it.theme in TOP1_THEMES:
            labels = cats[:1]
        labs = None if labels is None else [canonical_label(it, x) for x in labels]
        return measure_for(
            cats, labs, multi=it.type == "multi", min_options=min_options, ordered=is_ordered(it)
        )

    def _last(self, wave: int | None) -> int:
        return self.waves[-1] if wave is None else int(wave)

    def _pair(self, waves: tuple[int, int] | None) -> tuple[int, int]:
        return (self.waves[0], self.waves[-1]) if waves is None else (int(waves[0]), int(waves[1]))

    # ------------------------------------------------------------------ levels

    def _level(self, it: Item, m: Measure, wave: int) -> est.Level:
        opts = {"population": self.population, "conf": self.conf, "k": self.k, "unit": self.unit}
        return est.level_share(self.data, it, m, wave, cache=self._tabs, **opts)

    def distribution(
        self, item: str | Item, wave: int | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``item``'s frequency table in ``wave`` (default: the latest) and its suppression:
        what its findings were judged on, computed once (and cached by the build)."""
        it = item if isinstance(item, Item) else self.instrument.item(item)
        _, d = est.wave_rows(self.data, self._last(wave), self._tabs)
        return est.distribution(d, it, self.k, self._tabs)

    def share(
        self,
        item: str | Item,
        labels: Iterable[str] | None = None,
        wave: int | None = None,
        *,
        min_options: int = 1,
    ) -> Finding:
        """The share of ``labels`` (default: the item's headline measure) in ``wave``."""
        it = item if isinstance(item, Item) else self.instrument.item(item)
        m = self.measure(it, labels, min_options)
        w = self._last(wave)
        fid = f"{it.id}.{m.key}.{w}"
        if fid not in self._memo:
            lev = self._level(it, m, w)
            self._memo[fid] = Finding(
                fid,
                "share",
                it.id,
                m,
                (w,),
                THEME_PAGES.get(it.theme, "data"),
                lev.estimate,
                lev.ci_low,
                lev.ci_high,
                lev.n,
                lev.base,
                lev.status,
                lev.reason,
                rows=lev.rows,
                family=goal_family([it]),
                label=it.label,
            )
        return self._memo[fid]

    def index(self, battery: str, wave: int | None = None) -> Finding:
        """The mean 0-100 index of a battery in ``wave``."""
        its = self._battery(battery)
        w = self._last(wave)
        fid = f"indeks-{battery}.{w}"
        if fid not in self._memo:
            lev = est.level_index(
                self.data,
                its,
                w,
                population=self.population,
                conf=self.conf,
                k=self.k,
                unit=self.unit,
            )
            m = Measure(f"indeks-{battery}", "gennemsnit af indekset 0–100", kind="mean_index")
            self._memo[fid] = Finding(
                fid,
                "index",
                battery,
                m,
                (w,),
                THEME_PAGES.get(its[0].theme, "data"),
                lev.estimate,
                lev.ci_low,
                lev.ci_high,
                lev.n,
                lev.base,
                lev.status,
                lev.reason,
                rows=lev.rows,
                family=goal_family(its),
                label=f"Indeks for {battery}",
            )
        return self._memo[fid]

    def _battery(self, battery: str) -> list[Item]:
        its = [i for i in self.instrument.items if i.battery == battery]
        if not its:
            raise KeyError(f"no battery {battery!r} in the instrument")
        return its

    # ------------------------------------------------------------------ changes

    def change(
        self,
        item: str | Item,
        labels: Iterable[str] | None = None,
        waves: tuple[int, int] | None = None,
        *,
        min_options: int = 1,
        tested: bool = True,
    ) -> Finding:
        """The change of a share between two waves, with its family's adjusted verdict.

        A change no family declares is refused (it would get no verdict), unless
        ``tested=False``: then it is returned without a test verdict (a recommendation rule
        judges the interval, not a test)."""
        it = item if isinstance(item, Item) else self.instrument.item(item)
        m = self.measure(it, labels, min_options)
        w = self._pair(waves)
        fid = f"{it.id}.{m.key}.{w[0]}-{w[1]}"
        if fid not in self._memo:
            lv = (
                self.share(it, m.labels, w[0], min_options=min_options),
                self.share(it, m.labels, w[1], min_options=min_options),
            )
            ch = est.change_share(
                self.data,
                it,
                m,
                w,
                tuple(as_level(f) for f in lv),  # type: ignore[arg-type]
                population=self.population,
                conf=self.conf,
            )
            raw = change_finding(fid, "change", it.id, m, w, lv, ch, goal_family([it]))
            if not tested and fid not in self._declared_ids():
                self._memo[fid] = replace(raw, test="none", p=math.nan)  # no verdict
            else:
                self._memo[fid] = self._adjust(raw)
        return self._memo[fid]

    def index_change(self, battery: str, waves: tuple[int, int] | None = None) -> Finding:
        """The change of a battery's index between two waves."""
        its = self._battery(battery)
        w = self._pair(waves)
        fid = f"indeks-{battery}.{w[0]}-{w[1]}"
        if fid not in self._memo:
            lv = (self.index(battery, w[0]), self.index(battery, w[1]))
            ch = est.change_index(
                self.data,
                its,
                w,
                tuple(as_level(f) for f in lv),  # type: ignore[arg-type]
                population=self.population,
                conf=self.conf,
            )
            self._memo[fid] = self._adjust(
                change_finding(
                    fid, "index_change", battery, lv[0].measure, w, lv, ch, goal_family(its)
                )
            )
        return self._memo[fid]

    def _adjust(self, f: Finding) -> Finding:
        """``f`` with the Benjamini-Hochberg verdict of its whole declared family."""
        if f.waves != tuple(self._pair(None)) or not f.shown:
            return f  # only the declared comparison (first wave to last) is tested
        fam = self._family_p(f.family)
        if f.id not in fam:
            raise KeyError(f"change {f.id} is in no declared family")
        adj = stats.adjust_family(pd.Series(fam))
        p_adj = float(adj.loc[f.id, "p_adj"])
        return replace(f, p_adj=p_adj, significant=bool(adj.loc[f.id, "significant"]))

    def _family_p(self, family: str) -> dict[str, float]:
        if family not in self._families:
            ps: dict[str, float] = {}
            for spec in self.declared().get(family, []):
                g = self._raw_change(spec)
                ps[g.id] = g.p if g.shown else math.nan
            self._families[family] = ps
        return self._families[family]

    def _raw_change(self, spec: Spec) -> Finding:
        """A declared change before adjustment (no recursion into its family)."""
        w = self._pair(None)
        if spec.kind == "index":
            its = self._battery(spec.item)
            lv = (self.index(spec.item, w[0]), self.index(spec.item, w[1]))
            ch = est.change_index(
                self.data,
                its,
                w,
                tuple(as_level(f) for f in lv),
                population=self.population,
                conf=self.conf,
            )  # type: ignore[arg-type]
            return change_finding(
                f"indeks-{spec.item}.{w[0]}-{w[1]}",
                "index_change",
                spec.item,
                lv[0].measure,
                w,
                lv,
                ch,
                goal_family(its),
            )
        it = self.instrument.item(spec.item)
        m = self.measure(it, spec.labels, spec.min_options)
        lv = (
            self.share(it, m.labels, w[0], min_options=spec.min_options),
            self.share(it, m.labels, w[1], min_options=spec.min_options),
        )
        ch = est.change_share(
            self.data,
            it,
            m,
            w,
            tuple(as_level(f) for f in lv),
            population=self.population,
            conf=self.conf,
        )  # type: ignore[arg-type]
        return change_finding(
            f"{it.id}.{m.key}.{w[0]}-{w[1]}", "change", it.id, m, w, lv, ch, goal_family([it])
        )

    # ------------------------------------------------------------------ the declaration

    def _declared_ids(self) -> set[str]:
        return {self._spec_id(s) for specs in self.declared().values() for s in specs}

    def _both_waves(self, it: Item) -> bool:
        first, last = self._pair(None)
        return first != last and (not it.waves or (first in it.waves and last in it.waves))

    def declared(self) -> dict[str, list[Spec]]:
        """The declared changes by family (module docstring), in instrument order."""
        if "_declared" in self.__dict__:
            return self.__dict__["_declared"]
        specs: list[Spec] = []
        for it in self.instrument.items:
            if it.scale is None or it.type not in ("single", "likert", "multi"):
                continue
            if it.theme in ("profil", "fritekst") or not self._both_waves(it):
                continue
            if it.type == "multi":
                specs += [Spec("share", it.id, (lab.label,)) for lab in it.scale.substantive]
            else:
                specs.append(Spec("share", it.id, None))
        for ind in self._indicators:
            specs += self._indicator_specs(ind)
        out: dict[str, list[Spec]] = {}
        seen: set[str] = set()
        for spec in specs:
            fid = self._spec_id(spec)
            if fid in seen:
                continue
            seen.add(fid)
            its = (
                self._battery(spec.item)
                if spec.kind == "index"
                else [self.instrument.item(spec.item)]
            )
            out.setdefault(goal_family(its), []).append(spec)
        self.__dict__["_declared"] = out
        return out

    def indicator_specs(self) -> tuple[Any, ...]:
        """What the indicator declarations add: the declared families and the one-wave
        indicators' measures (the cache's key uses this, not the declarations as written)."""
        return self.declared(), [self._indicator_specs(i, both=False) for i in self._indicators]

    def _indicator_specs(self, ind: dict[str, Any], *, both: bool = True) -> list[Spec]:
        """The indicator's measure (``both``: only when its item is asked in both waves)."""
        kind = ind.get("kind")
        if kind == "mean_index" and ind.get("battery"):
            its = self._battery(str(ind["battery"]))
            ok = not both or all(self._both_waves(i) for i in its)
            return [Spec("index", str(ind["battery"]))] if ok else []
        if kind not in ("share", "top2") or not ind.get("items"):
            return []
        it = self.instrument.item(str(ind["items"][0]))
        if (both and not self._both_waves(it)) or it.scale is None:
            return []
        labels = ind.get("labels")
        if labels == "any":
            labels = [lab.label for lab in it.scale.substantive]
        if kind == "top2" and labels is None:
            return [Spec("share", it.id, None)]
        labs = None if labels is None else tuple(str(x) for x in labels)
        return [Spec("share", it.id, labs, int(ind.get("min_options") or 1))]

    def _spec_id(self, spec: Spec) -> str:
        w = self._pair(None)
        if spec.kind == "index":
            return f"indeks-{spec.item}.{w[0]}-{w[1]}"
        m = self.measure(spec.item, spec.labels, spec.min_options)
        return f"{spec.item}.{m.key}.{w[0]}-{w[1]}"

    # ------------------------------------------------------------------ by id, the table

    def get(self, fid: str) -> Finding:
        """The finding with id ``fid`` (any id of :meth:`table`, or any computed before)."""
        if fid in self._memo:
            return self._memo[fid]
        for f in self._catalogue():
            if f.id == fid:
                return f
        raise KeyError(f"no finding {fid!r}")

    def _catalogue(self) -> list[Finding]:
        out: list[Finding] = []
        for specs in self.declared().values():
            for spec in specs:
                if spec.kind == "index":
                    out += [self.index(spec.item, w) for w in self.waves]
                    out.append(self.index_change(spec.item))
                    continue
                for w in self.waves:
                    out.append(self.share(spec.item, spec.labels, w, min_options=spec.min_options))
                out.append(self.change(spec.item, spec.labels, min_options=spec.min_options))
        for it in self.instrument.items:  # levels of items asked in one wave only
            if it.scale is None or it.type not in ("single", "likert", "multi"):
                continue
            if it.theme in ("profil", "fritekst") or self._both_waves(it):
                continue
            out.append(self.share(it))
        for ind in self._indicators:  # indicators of an item asked in one wave: no test
            for spec in self._indicator_specs(ind, both=False):
                if spec.kind == "share":
                    args = {"min_options": spec.min_options}
                    out += [self.share(spec.item, spec.labels, w, **args) for w in self.waves]
                    out.append(self.change(spec.item, spec.labels, tested=False, **args))
        return list({f.id: f for f in out}.values())

    def table(self) -> pd.DataFrame:
        """The findings table (:data:`FINDING_COLUMNS`): every declared finding plus any other
        computed so far, sorted by id - the same bytes from the same raw data."""
        found = {f.id: f for f in self._catalogue()}
        found.update(self._memo)
        rows = [found[k].row() for k in sorted(found)]
        out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
        out["basis"] = pd.array(out["basis"], dtype="Int64")
        return out
