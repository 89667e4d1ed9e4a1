"""Feedback sheets: each association's own answers next to all members' and its type's.

One PDF per association (``fslt-survey feedback``), rendered from
``reports/feedback/feedback.qmd`` with the parameter ``forening`` into ``build/feedback/``,
never into the site. A sheet shows

* the association's own answers in every wave it answered (typed missing answers such as
  "Ved ikke" as they were given),
* next to the distribution among all member associations and among associations of its own
  type, in the latest wave the association answered, small-cell suppressed jointly
  (:func:`~fslt_survey.privacy.suppress_counts` with the overall distribution as the total
  group; a type with fewer than k answers shows only the overall distribution),
* its position on the strategy's survey indicators (:mod:`fslt_survey.followup`),
* its own free text only, redacted again with the names of every *other* association.

It never shows another association's name or answers: only aggregates of at least k.

Speed: the data are prepared once (:func:`prepare_feedback`, ~3 s; then ~0.05 s per sheet);
the sheet of every association is written as markdown into a private temporary folder whose
path the document's single cell finds in :data:`PREP_ENV`, so rendering a sheet costs one small
kernel run (the render API starts one kernel per document: ~1-1.5 s, most of the time) and one
pandoc + Typst pass (~0.2 s). ``jobs`` worker processes render sheets side by side (default: one
per core, at most 4). Measured: 85 sheets in 2.5 min with 2 workers on a busy 2-core machine
(~1.8 s per sheet in one process when idle). Without :data:`PREP_ENV` (rendering the document
by hand) the cell computes the sheet from the clean data itself.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fslt_survey import config
from fslt_survey.codebook import load_instrument
from fslt_survey.errors import RenderError, SurveyDataError
from fslt_survey.followup import (
    compute_indicators,
    indicator_hits,
    indicators_file,
    load_indicators,
    publish_indicators,
    set_column_widths,
)
from fslt_survey.privacy import redact_text, suppress_counts
from fslt_survey.registry import load_registry
from fslt_survey.render import render_document
from fslt_survey.stats import tab_multi, tab_single
from fslt_survey.store import clean_registry, instrument_path, load_clean
from fslt_survey.tables import escape_markdown, format_number, to_markdown_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from fslt_survey.codebook import Instrument, Item
    from fslt_survey.followup import IndicatorSet

__all__ = [
    "FEEDBACK_DOC",
    "PREP_ENV",
    "FeedbackContext",
    "answered_associations",
    "feedback_dir",
    "feedback_sheet",
    "prepare_feedback",
    "render_feedback",
    "sheet_markdown",
]

FEEDBACK_DOC = "reports/feedback/feedback.qmd"
#: Environment variable naming the folder of prepared sheets (``<association_id>.md``).
PREP_ENV = "FSLT_FEEDBACK_PREP"
SURVEY = config.MEMBER_SURVEY
ALL = "Alle foreninger"
HIDDEN = "–"
#: In the profile section only the numbers (members, volunteers) are compared.
PROFILE_SECTION = "profil"
NBSP = "\u00a0"


def feedback_dir() -> Path:
    """Default output folder: ``build/feedback`` (never the site)."""
    return config.PROJECT_ROOT / "build" / "feedback"


@dataclass
class FeedbackContext:
    """Everything a sheet needs, computed once for all associations."""

    data: pd.DataFrame
    instrument: Instrument
    registry: pd.DataFrame
    indicators: IndicatorSet | None = None
    k: int = config.SUPPRESSION_K
    #: (item, wave) -> group -> (base, {category: "41 %" or "–"}), suppressed
    dists: dict[tuple[str, int], dict[str, tuple[int, dict[str, str]]]] = field(
        default_factory=dict
    )
    medians: dict[tuple[str, int], dict[str, tuple[float, int]]] = field(default_factory=dict)
    indicator_values: dict[str, Any] = field(default_factory=dict)
    indicator_table: pd.DataFrame | None = None


def answered_associations(data: pd.DataFrame) -> list[str]:
    """Ids of the associations with at least one kept response, sorted."""
    return sorted(str(a) for a in data["association_id"].dropna().unique())


def _choice_items(instrument: Instrument) -> list[Item]:
    return [it for it in instrument.items if it.type in ("single", "likert", "multi")]


def prepare_feedback(
    data: pd.DataFrame,
    instrument: Instrument,
    registry: pd.DataFrame,
    *,
    indicators: IndicatorSet | None = None,
    k: int | None = None,
) -> FeedbackContext:
    """Compute the suppressed distributions (all and per type, per wave) and indicator values.

    ``data`` is the clean member survey (with ``assoc_type`` from the registry); not modified.
    """
    import numpy as np
    import pandas as pd

    k = config.SUPPRESSION_K if k is None else int(k)
    ctx = FeedbackContext(data, instrument, registry, indicators, k)
    types = [str(t) for t in registry["assoc_type"].astype(str).unique()]
    for wave in sorted(int(w) for w in data["wave"].dropna().unique()):
        sub = data[data["wave"] == wave]
        for item in _choice_items(instrument):
            if item.waves and wave not in item.waves:
                continue
            tab = tab_multi if item.type == "multi" else tab_single
            overall = tab(sub, item)
            by_type = tab(sub, item, by="assoc_type")
            multi = item.type == "multi"
            cols = ["group", "category", "n", "base", "pct"]
            overall = overall[~overall["missing"]].assign(group=ALL)[cols]
            by_type = by_type[~by_type["missing"]].rename(columns={"assoc_type": "group"})
            by_type["group"] = by_type["group"].astype(str)
            by_type = by_type[by_type["group"].isin(types)][cols]
            # the overall distribution on its own; the types as a cross-tab whose column totals
            # (the overall counts) are published: their hidden cells stay unrecoverable
            parts = [suppress_counts(overall, k=k, multi_select=multi, hide_cols=["pct"])]
            if len(by_type):
                parts.append(
                    suppress_counts(
                        by_type,
                        k=k,
                        group_col="group",
                        column_totals=True,
                        multi_select=multi,
                        hide_cols=["pct"],
                    )
                )
            ctx.dists[(item.id, wave)] = _summarise(pd.concat(parts, ignore_index=True))
        for item in (it for it in instrument.items if it.type == "numeric"):
            if item.id not in sub.columns:
                continue
            values = pd.to_numeric(sub[item.id], errors="coerce").astype(float)
            med = {ALL: (float(values.median()), int(values.notna().sum()))}
            for t, v in values.groupby(sub["assoc_type"].astype(str), observed=True):
                med[str(t)] = (float(v.median()), int(v.notna().sum()))
            ctx.medians[(item.id, wave)] = med
    if indicators is not None:
        survey = indicators.select(source="survey")
        for ind in survey:
            ctx.indicator_values[ind.id] = indicator_hits(data, ind, instrument)[0]
        ctx.indicator_table = publish_indicators(
            compute_indicators(data, survey, network=None, k=k), k=k
        )
        ctx.indicator_values = {key: np.asarray(v) for key, v in ctx.indicator_values.items()}
    return ctx


# --------------------------------------------------------------------------- one sheet


def _fmt(x: Any, decimals: int = 0) -> str:

    return str(format_number(x, decimals))


def _own_answer(row: Any, item: Item) -> str:
    """The association's own answer to ``item`` in one response row, as Danish text."""
    import pandas as pd

    reason = row.get(item.missing_column)
    reason = None if reason is None or pd.isna(reason) else str(reason)
    if item.type == "multi":
        cols = [(lab.label, row.get(item.option_column(lab))) for lab in item.scale.substantive]
        seen = [(lab, v) for lab, v in cols if v is not None and not pd.isna(v)]
        if seen:
            ticked = [lab for lab, v in seen if bool(v)]
            return "; ".join(ticked) if ticked else "Ingen valgt"
        return reason or HIDDEN
    value = row.get(item.id)
    if value is not None and not pd.isna(value):
        return _fmt(value) if item.type == "numeric" else str(value)
    return reason or HIDDEN


def _summarise(dist: pd.DataFrame) -> dict[str, tuple[int, dict[str, str]]]:
    """group -> (base, {category: formatted share or "–"}) of a suppressed distribution."""
    import pandas as pd

    out: dict[str, tuple[int, dict[str, str]]] = {}
    for group, rows in dist.groupby("group", sort=False):
        base = rows["base"].dropna()
        cells = {
            str(r.category): HIDDEN if r.suppressed or pd.isna(r.pct) else f"{_fmt(r.pct)}{NBSP}%"
            for r in rows.itertuples(index=False)
        }
        out[str(group)] = (int(base.iloc[0]) if len(base) else 0, cells)
    return out


def _distribution_text(
    summary: dict[str, tuple[int, dict[str, str]]], group: str, k: int
) -> str | None:
    """``"I høj grad 22 % · I nogen grad 41 % · ... (n = 63)"``; None if the group is hidden."""
    base, cells = summary.get(group, (0, {}))
    if base < k:
        return None
    return " · ".join(f"{cat} {pct}" for cat, pct in cells.items()) + f" (n = {base})"


def _redact_own(text: Any, own_name: str, registry: pd.DataFrame) -> str:

    others = [str(n) for n in registry["name"] if str(n) != own_name]
    variants = others + [n.replace("-", " ") for n in others if "-" in n]
    return redact_text(str(text), names=variants)


def sheet_markdown(ctx: FeedbackContext, association_id: str) -> str:
    """The Danish feedback sheet of one association as pandoc markdown.

    Raises
    ------
    SurveyDataError
        When the id is not in the registry or the association did not answer.
    """

    association_id = str(association_id)
    reg = ctx.registry[ctx.registry["association_id"].astype(str) == association_id]
    if reg.empty:
        raise SurveyDataError(
            "unknown association id (not in the member registry)",
            column="association_id",
            found=association_id,
        )
    name = str(reg["name"].iloc[0])
    atype = str(reg["assoc_type"].iloc[0])
    own = ctx.data[ctx.data["association_id"].astype(str) == association_id]
    if own.empty:
        raise SurveyDataError(
            "the association has not answered the member survey",
            column="association_id",
            found=association_id,
        )
    own = own.sort_values("wave")
    waves = [int(w) for w in own["wave"]]
    rows = {int(r["wave"]): r for _, r in own.iterrows()}
    cmp_wave = waves[-1]
    k = ctx.k
    esc = escape_markdown
    out = [f"## {esc(name)}\n"]
    years = " og ".join(str(w) for w in waves)
    out.append(
        f"Tak, fordi {esc(name)} har svaret på Frivilligcentrets medlemsundersøgelse ({years}). "
        "Arket viser jeres egne svar ved siden af, hvordan alle medlemsforeningerne og "
        f"foreningerne af samme type som jer (*{esc(atype)}*) svarede i {cmp_wave}.\n"
    )
    out.append(
        '::: {.callout-note title="Fortroligt"}\n'
        f"Arket er kun til {esc(name)}. Det viser ingen andre foreningers navne eller svar, "
        f"kun samlede fordelinger. Andele, der bygger på færre end {k} foreninger, vises ikke "
        f"({HIDDEN}), og har færre end {k} foreninger af jeres type svaret på et spørgsmål, "
        "vises kun fordelingen blandt alle foreninger.\n:::\n"
    )
    head = [
        "Spørgsmål",
        *[f"Jeres svar {w}" for w in waves],
        f"{ALL} {cmp_wave}",
        f"Jeres type {cmp_wave}",
    ]
    for section in ctx.instrument.sections:
        items = [ctx.instrument.item(i) for i in section.items]
        items = [
            it
            for it in items
            if it.type not in ("association", "text")
            and (section.id != PROFILE_SECTION or it.type == "numeric")
        ]
        if not items:
            continue
        out.append(f"### {esc(section.title)}\n")
        flat, multi = [], []
        for it in items:
            (multi if it.type == "multi" else flat).append(it)
        if flat:
            table = [_flat_row(ctx, it, waves, rows, cmp_wave, atype) for it in flat]
            widths = [18, *[12] * len(waves), *[35 - 6 * (len(waves) - 1)] * 2]
            out.append(
                set_column_widths(
                    to_markdown_table(_frame(table, head), align="l" * len(head)), widths
                )
            )
        for it in multi:
            out.append(f"**{esc(it.label)}**: {esc(it.text)}\n")
            out.append(_multi_table(ctx, it, waves, rows, cmp_wave, atype))
    out.append(_indicator_part(ctx, association_id, waves, cmp_wave))
    import pandas as pd

    texts = []
    for it in (i for i in ctx.instrument.items if i.type == "text"):
        for w in waves:
            value = rows[w].get(it.id)
            if value is not None and not pd.isna(value) and str(value).strip():
                texts.append(
                    f"**{esc(it.label)} ({w})**\n\n> "
                    f"{esc(_redact_own(value, name, ctx.registry))}\n"
                )
    if texts:
        out.append("### Jeres egne ord\n")
        out.append("Kun jeres egne svar; navne, e-mailadresser og telefonnumre er fjernet.\n")
        out += texts
    return "\n".join(out)


def _frame(rows: list[list[str]], head: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=head)


def _flat_row(
    ctx: FeedbackContext,
    it: Item,
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
    atype: str,
) -> list[str]:
    own = []
    for w in waves:
        asked = not it.waves or w in it.waves
        own.append(_own_answer(rows[w], it) if asked else "ikke spurgt")
    hidden = f"vises ikke (færre end {ctx.k})"
    if it.type == "numeric":
        med = ctx.medians.get((it.id, cmp_wave), {})
        cells = []
        for g in (ALL, atype):
            m, n = med.get(g, (float("nan"), 0))
            cells.append(hidden if n < ctx.k else f"median {_fmt(m)} (n = {n})")
        return [it.label, *own, *cells]
    dist = ctx.dists.get((it.id, cmp_wave))
    if dist is None:
        return [it.label, *own, "ikke spurgt", "ikke spurgt"]
    everyone = _distribution_text(dist, ALL, ctx.k) or hidden
    kind = _distribution_text(dist, atype, ctx.k) or "kun fordelingen for alle vises"
    return [it.label, *own, everyone, kind]


def _multi_table(
    ctx: FeedbackContext,
    it: Item,
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
    atype: str,
) -> str:
    import pandas as pd

    dist = ctx.dists.get((it.id, cmp_wave))
    head = [
        "Svarmulighed",
        *[f"Jeres svar {w}" for w in waves],
        f"{ALL} {cmp_wave}",
        f"Jeres type {cmp_wave}",
    ]
    table = []
    summary = dist or {}
    bases = {g: summary.get(g, (0, {}))[0] for g in (ALL, atype)}
    for lab in it.scale.substantive:
        own = []
        for w in waves:
            r = rows[w]
            v = r.get(it.option_column(lab))
            if it.waves and w not in it.waves:
                own.append("ikke spurgt")
            elif v is None or pd.isna(v):
                own.append(HIDDEN)
            else:
                own.append("valgt" if bool(v) else "")
        cells = [
            summary[g][1].get(lab.label, HIDDEN) if bases[g] >= ctx.k else HIDDEN
            for g in (ALL, atype)
        ]
        table.append([lab.label, *own, *cells])
    caption = f"Andel, der har valgt hver mulighed: alle foreninger n = {bases[ALL]}" + (
        f", jeres type n = {bases[atype]}"
        if bases[atype] >= ctx.k
        else f"; for jeres type vises kun fordelingen for alle (færre end {ctx.k})"
    )
    return to_markdown_table(
        _frame(table, head), align="l" * (len(waves) + 1) + "rr", caption=caption
    )


def _indicator_part(ctx: FeedbackContext, aid: str, waves: list[int], cmp_wave: int) -> str:
    import numpy as np
    import pandas as pd

    if ctx.indicators is None or ctx.indicator_table is None:
        return ""
    mine = np.flatnonzero(ctx.data["association_id"].astype(str).to_numpy() == str(aid))
    pos = {int(ctx.data["wave"].iloc[i]): int(i) for i in mine}
    table = ctx.indicator_table.set_index("indicator")
    rows = []
    for ind in ctx.indicators.select(source="survey"):
        values = ctx.indicator_values.get(ind.id)
        if values is None or ind.id not in table.index:
            continue
        cells = []
        for w in waves:
            v = values[pos[w]]
            if pd.isna(v):
                cells.append(HIDDEN)
            elif ind.kind in ("share", "top2"):
                cells.append("Ja" if v == 1 else "Nej")
            else:
                cells.append(_fmt(v, 1 if ind.kind == "mean_index" else 0))
        r = table.loc[ind.id]
        sfx = "to" if cmp_wave == ctx.indicators.followup else "from"
        value = r[f"value_{sfx}"]
        if pd.isna(value):
            everyone = HIDDEN
        elif ind.kind in ("share", "top2"):
            everyone = f"{_fmt(value)}{NBSP}% svarer ja"
        elif ind.kind == "mean_index":
            everyone = f"gennemsnit {_fmt(value, 1)}"
        else:
            everyone = f"{_fmt(value)} i alt"
        rows.append([ind.title, *cells, everyone])
    if not rows:
        return ""
    head = ["Indikator", *[f"Jeres svar {w}" for w in waves], f"{ALL} {cmp_wave}"]
    intro = (
        "### Strategiens indikatorer\n\nFrivilligcentret følger sine mål for 2025–2027 "
        "med disse indikatorer. Her ser I, hvor jeres forening ligger.\n"
    )
    return intro + "\n" + to_markdown_table(_frame(rows, head), align="l" * len(head))


# --------------------------------------------------------------------------- the document


def load_context(*, clean_dir: str | Path | None = None) -> FeedbackContext:
    """Prepare the feedback context from the clean data written by ``fslt-survey build``."""

    instrument = load_instrument(instrument_path(SURVEY))
    ifile = indicators_file()
    indicators = load_indicators(ifile, instrument) if ifile.is_file() else None
    return prepare_feedback(
        load_clean(SURVEY, clean_dir),
        instrument,
        load_registry(clean_registry(clean_dir)),
        indicators=indicators,
    )


def feedback_sheet(association_id: Any) -> str:
    """What ``feedback.qmd`` prints: the prepared sheet, or one computed now.

    Without an association (the document rendered without ``-P forening:<id>``) it returns a
    short notice and no data.
    """
    if association_id is None or str(association_id).strip() == "":
        return (
            "Vælg en forening med parameteren `forening` (fx `fslt-survey feedback "
            "--forening F001`). Arket viser intet uden en forening.\n"
        )
    aid = str(association_id).strip()
    prep = os.environ.get(PREP_ENV)
    if prep:
        path = Path(prep) / f"{aid}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return sheet_markdown(load_context(), aid)


def render_feedback(
    associations: list[str] | None = None,
    *,
    out: str | Path | None = None,
    engine: str = "auto",
    force: bool = False,
    root: str | Path | None = None,
    clean_dir: str | Path | None = None,
    context: FeedbackContext | None = None,
    jobs: int = 1,
    echo: Any = None,
) -> list[Path]:
    """Render one PDF per association (default: every association that answered).

    The sheets are prepared once in this process; ``jobs`` > 1 renders them in that many
    worker processes (each sheet starts its own small kernel, so this helps even on two
    cores). Returns the PDF paths (``<out>/<association_id>.pdf``). ``out`` defaults to
    :func:`feedback_dir`; a folder inside the site is refused.
    """
    root = Path(root) if root is not None else config.PROJECT_ROOT
    out = Path(out) if out is not None else feedback_dir()
    site = (root / "_site").resolve()
    if out.resolve() == site or site in out.resolve().parents:
        raise SurveyDataError(
            "feedback sheets are never written into the site",
            file=out,
            expected="a folder outside _site, e.g. build/feedback",
        )
    ctx = context if context is not None else load_context(clean_dir=clean_dir)
    known = answered_associations(ctx.data)
    ids = list(dict.fromkeys(associations or known))
    missing = [a for a in ids if a not in known]
    if missing:
        raise SurveyDataError(
            "no answers from these associations (or not in the registry)",
            column="association_id",
            found=", ".join(missing),
            expected="ids of associations that answered, e.g. " + ", ".join(known[:3]),
        )
    jobs = max(1, min(int(jobs or 1), len(ids)))
    tasks = [(str(root), aid, str(out), engine, force) for aid in ids]
    paths: list[Path] = []
    old = os.environ.get(PREP_ENV)
    with tempfile.TemporaryDirectory(prefix="fslt-feedback-") as prep:
        for aid in ids:  # all sheets first: a data problem stops before any rendering
            (Path(prep) / f"{aid}.md").write_text(sheet_markdown(ctx, aid), encoding="utf-8")
        os.environ[PREP_ENV] = prep  # read by the document's cell (also in worker processes)
        try:
            if jobs == 1:
                results: Any = map(_render_sheet, tasks)
                pool = None
            else:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
                results = pool.map(_render_sheet, tasks)
            try:
                for aid, (ok, value) in zip(ids, results, strict=True):
                    if not ok:
                        raise RenderError(f"feedback sheet {aid}: {value}", file=FEEDBACK_DOC)
                    paths.append(Path(value))
                    if echo is not None:
                        echo(f"{aid}: {value}")
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
        finally:
            if old is None:
                os.environ.pop(PREP_ENV, None)
            else:
                os.environ[PREP_ENV] = old
    return paths


def _render_sheet(task: tuple[str, str, str, str, bool]) -> tuple[bool, str]:
    """Render one sheet (in this process or a worker): (True, pdf path) or (False, error)."""

    root, aid, out, engine, force = task
    try:
        res = render_document(
            Path(root),
            FEEDBACK_DOC,
            params={"forening": aid},
            output_dir=Path(out),
            formats=["pdf"],
            output_name=aid,
            engine=engine,
            force=force,
        )
    except SurveyDataError as exc:  # errors travel back as text (they need not pickle)
        return False, str(exc)
    pdf = next((p for d in res.documents for p in d.outputs if p.suffix == ".pdf"), None)
    return (True, str(pdf)) if pdf is not None else (False, "no PDF was written")


def default_jobs() -> int:
    """Worker processes for ``fslt-survey feedback``: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))
