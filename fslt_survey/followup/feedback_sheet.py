"""One feedback sheet as Markdown: an association's own answers next to all members'.

The figures are drawn as small bar charts (issue 19): the Markdown passes them to the Typst
functions of ``reports/feedback/sheet.typ`` in raw Typst blocks, one row per line - per item the
association's own answer in each round, a stacked bar of all associations' answers in the
published round with the association's own answer framed, the base and, for the needs, the share
of its published group. Every figure is one the site prints (issue 18:
:func:`~fslt_survey.followup.feedback_context.prepare_feedback`); a hidden share is never drawn in
its place (the hidden answers share one grey segment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy import redact_text
from fslt_survey.tables import escape_markdown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from fslt_survey.codebook import Item

from fslt_survey.followup.feedback_context import (
    ALL,
    HIDDEN,
    NBSP,
    PROFILE_SECTION,
    FeedbackContext,
    _fmt,
)

__all__ = ["sheet_markdown"]


# --------------------------------------------------------------------------- one sheet


#: The reasons an answer is missing, told to the association that gave (or did not give) it:
#: the sheet speaks to "jer", and never calls an association's answer "Ugyldigt svar".
OWN_REASONS = {
    "Ikke besvaret": "I svarede ikke på dette",
    "Ugyldigt svar": "Jeres svar kunne ikke aflæses",
    "Ikke relevant": "Ikke relevant for jer",
    "Ønsker ikke at svare": "I ønskede ikke at svare",
}


def _own_answer(row: Any, item: Item) -> str:
    """The association's own answer to ``item`` in one response row, as Danish text (a missing
    answer's reason phrased for the association: :data:`OWN_REASONS`)."""
    import pandas as pd

    reason = row.get(item.missing_column)
    reason = None if reason is None or pd.isna(reason) else str(reason)
    reason = OWN_REASONS.get(reason, reason) if reason is not None else None
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
    name, atype, rows = _association(ctx, association_id)
    waves = sorted(rows)
    cmp_wave = ctx.wave or waves[-1]  # the wave the site publishes
    group = next((g for g, ms in ctx.members.items() if atype in ms), None)
    out = _intro(ctx, name, waves, cmp_wave, group)
    for section in ctx.instrument.sections:
        items = [ctx.instrument.item(i) for i in section.items]
        items = [
            it
            for it in items
            if it.type not in ("association", "text")
            and (section.id != PROFILE_SECTION or it.type == "numeric")
        ]
        if items:
            out.append(f"### {escape_markdown(section.title)}\n")
            out += _section(ctx, items, rows, cmp_wave, group)
    out.append(_indicator_part(ctx, association_id, waves, cmp_wave))
    out += _own_words(ctx, name, rows)
    return "\n".join(out)


def _association(ctx: FeedbackContext, association_id: str) -> tuple[str, str, dict[int, Any]]:
    """(name, type, {wave: its response row}) of an association that answered."""
    reg = ctx.registry[ctx.registry["association_id"].astype(str) == association_id]
    if reg.empty:
        raise SurveyDataError(
            "unknown association id (not in the member registry)",
            column="association_id",
            found=association_id,
        )
    own = ctx.data[ctx.data["association_id"].astype(str) == association_id]
    if own.empty:
        raise SurveyDataError(
            "the association has not answered the member survey",
            column="association_id",
            found=association_id,
        )
    rows = {int(r["wave"]): r for _, r in own.sort_values("wave").iterrows()}
    return str(reg["name"].iloc[0]), str(reg["assoc_type"].iloc[0]), rows


def _intro(
    ctx: FeedbackContext, name: str, waves: list[int], cmp_wave: int, group: str | None
) -> list[str]:
    esc = escape_markdown
    years = " og ".join(str(w) for w in waves)
    compared = (
        f", og for behovene også, hvordan foreningerne i jeres gruppe (*{esc(group)}*) svarede"
        if group and ctx.needs
        else ""
    )
    return [
        f"## {esc(name)}\n",
        f"Tak, fordi {esc(name)} har svaret på Frivilligcentrets medlemsundersøgelse ({years}). "
        "Arket viser jeres egne svar ved siden af, hvordan alle medlemsforeningerne svarede i "
        f"{cmp_wave}{compared}. Jeres eget svar har en sort ramme i søjlerne.\n",
        '::: {.callout-note title="Fortroligt"}\n'
        f"Arket er kun til {esc(name)}. Det viser ingen andre foreningers navne eller svar, og "
        "ud over jeres egne svar kun de samme samlede tal, som Frivilligcentret offentliggør "
        f"på hjemmesiden. Andele, der bygger på færre end {ctx.k} foreninger, vises ikke "
        f"({HIDDEN}). Spørgsmål til arket? Kontakt Frivilligcenter og Selvhjælp "
        "Lyngby-Taarbæk, Rustenborgvej 2A, 2800 Kongens Lyngby.\n:::\n",
    ]


def _section(
    ctx: FeedbackContext,
    items: list[Item],
    rows: dict[int, Any],
    cmp_wave: int,
    group: str | None,
) -> list[str]:
    """One section as bar charts (raw Typst, ``reports/feedback/sheet.typ``): the numbers, then
    the items sharing a scale one block each, then the multi-selects one block each."""
    esc = escape_markdown
    waves = sorted(rows)
    out = []
    numeric = [it for it in items if it.type == "numeric"]
    if numeric:
        out.append(
            _typst(
                "fb-scale",
                _head(waves, cmp_wave),
                [_numeric_row(ctx, it, waves, rows, cmp_wave) for it in numeric],
            )
        )
    for scaled in _scale_runs([it for it in items if it.type not in ("numeric", "multi")]):
        by_group = group if group is not None and all(it.id in ctx.needs for it in scaled) else None
        out.append(_scale_block(ctx, scaled, waves, rows, cmp_wave, by_group))
    for it in (it for it in items if it.type == "multi"):
        out.append(f"**{esc(it.label)}**: {esc(it.text)}\n")
        reasons = {_own_answer(rows[w], it) for w in waves}
        if reasons <= set(OWN_REASONS.values()):  # never answered: one line, no chart
            out.append(f"*{esc(' / '.join(sorted(reasons)))}.*\n")
            continue
        out.append(_multi_block(ctx, it, waves, rows, cmp_wave))
    return out


def _own_words(ctx: FeedbackContext, name: str, rows: dict[int, Any]) -> list[str]:
    """The association's own free-text answers, others' names redacted."""
    import pandas as pd

    esc = escape_markdown
    texts = []
    for it in (i for i in ctx.instrument.items if i.type == "text"):
        for w in sorted(rows):
            value = rows[w].get(it.id)
            if value is not None and not pd.isna(value) and str(value).strip():
                texts.append(
                    f"**{esc(it.label)} ({w}):** *{esc(_redact_own(value, name, ctx.registry))}*\n"
                )
    if not texts:
        return []
    return [
        "### Jeres egne ord\n",
        "Kun jeres egne svar; navne, e-mailadresser og telefonnumre er fjernet.\n",
        *texts,
    ]


def _typ(value: Any) -> str:
    """``value`` as a Typst literal: none, int, string (escaped, whitespace folded), array or
    dictionary. Survey text is passed as strings, so Typst never reads it as markup."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_typ(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return (
            "(" + ", ".join(f"{k}: {_typ(v)}" for k, v in value.items()) + ")" if value else "(:)"
        )
    text = " ".join(str(value).split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _typst(function: str, args: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """A raw Typst block calling one of ``sheet.typ``'s functions, one row per line (so a
    reader of the Markdown, e.g. the privacy tests, finds each row's figures together)."""
    head = ", ".join(f"{k}: {_typ(v)}" for k, v in args.items())
    body = "".join(f"    {_typ(r)},\n" for r in rows)
    return f"```{{=typst}}\n#{function}({head}, rows: (\n{body}  ))\n```\n"


def _head(waves: list[int], cmp_wave: int) -> dict[str, Any]:
    """The columns' headings: the association's own answers per wave, then all associations."""
    return {"waves": [f"Jeres svar {w}" for w in waves], "all": f"{ALL} {cmp_wave}"}


def _percent(cell: str) -> int | None:
    """``"41 %"`` -> 41; a hidden share -> None."""
    digits = cell.replace(NBSP, " ").removesuffix("%").strip()
    return int(digits) if digits.isdigit() else None


def _own_cells(it: Item, waves: list[int], rows: dict[int, Any]) -> list[str]:
    return [
        _own_answer(rows[w], it) if not it.waves or w in it.waves else "ikke spurgt" for w in waves
    ]


def _numeric_row(
    ctx: FeedbackContext, it: Item, waves: list[int], rows: dict[int, Any], cmp_wave: int
) -> dict[str, Any]:
    m, n = ctx.medians.get((it.id, cmp_wave), {}).get(ALL, (float("nan"), 0))
    note = f"vises ikke (færre end {ctx.k})" if n < ctx.k else f"median {_fmt(m)}"
    return {
        "label": it.label,
        "own": _own_cells(it, waves, rows),
        "shares": None,
        "mine": None,
        "n": str(n) if n >= ctx.k else HIDDEN,
        "note": note,
    }


def _scale_runs(items: list[Item]) -> list[list[Item]]:
    """The items grouped by scale, in questionnaire order (one chart block per scale)."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.scale.id if it.scale is not None else it.id, []).append(it)
    return list(groups.values())


def _scale_block(
    ctx: FeedbackContext,
    items: list[Item],
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
    group: str | None,
) -> str:
    """Items sharing a scale: per item the association's answers and a bar of the shares of all
    associations giving each answer (its own framed), with the base; for the needs also the
    share of its published group."""
    esc = escape_markdown
    cats = [lab.label for lab in items[0].scale.substantive]
    table = []
    for it in items:
        row: dict[str, Any] = {"label": it.label, "own": _own_cells(it, waves, rows)}
        dist = ctx.dists.get((it.id, cmp_wave))
        base, cells = (dist or {}).get(ALL, (0, {}))
        if dist is None:
            row |= {"shares": None, "note": f"ikke spurgt i {cmp_wave}", "n": ""}
        elif base < ctx.k:
            row |= {"shares": None, "note": f"vises ikke (færre end {ctx.k})", "n": HIDDEN}
        else:
            mine = _own_answer(rows[cmp_wave], it) if cmp_wave in rows else None
            row |= {
                "shares": [_percent(cells.get(c, HIDDEN)) for c in cats],
                "mine": cats.index(mine) if mine in cats else None,
                "n": str(base),
            }
        if group:
            text, gbase = ctx.needs.get(it.id, {}).get(group, (HIDDEN, 0))
            row["group"] = f"{text} (n = {gbase})" if text != HIDDEN and gbase >= ctx.k else HIDDEN
        table.append(row)
    args = {"cats": cats, **_head(waves, cmp_wave)}
    if group:
        args["group"] = f"Jeres gruppe {cmp_wave}"
    out = _typst("fb-scale", args, table)
    if group:
        answers = " eller ".join(a.lower() for a in ctx.needs_answers)
        out += (
            f"\n*Jeres gruppe ({esc(group)}): andelen af foreningerne i gruppen, der svarer "
            f"»{esc(answers)}«.*\n"
        )
    return out


def _multi_block(
    ctx: FeedbackContext,
    it: Item,
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
) -> str:
    """A multi-select: per option the association's ticks and the share of all associations
    that chose it (a base of 1..k-1 associations is a small count itself: "færre end k")."""
    import pandas as pd

    summary = ctx.dists.get((it.id, cmp_wave)) or {}
    base = summary.get(ALL, (0, {}))[0]
    # a wave not asked or not answered is said once, not in every option's line
    said = {
        w: "ikke spurgt" if it.waves and w not in it.waves else _own_answer(rows[w], it)
        for w in waves
    }
    said = {
        w: text for w, text in said.items() if text == "ikke spurgt" or text in OWN_REASONS.values()
    }
    table = []
    for lab in it.scale.substantive:
        own = []
        for w in waves:
            v = rows[w].get(it.option_column(lab))
            if w in said or v is None or pd.isna(v):
                own.append("–" if w in said else "")
            else:
                own.append("valgt" if bool(v) else "")
        cell = summary[ALL][1].get(lab.label, HIDDEN) if base >= ctx.k else HIDDEN
        table.append({"label": lab.label, "own": own, "pct": _percent(cell)})
    everyone = f"n = {base}" if base >= ctx.k else f"færre end {ctx.k}"
    note = " ".join(f"Jeres svar {w}: {text}." for w, text in said.items())
    return _typst("fb-multi", {**_head(waves, cmp_wave), "base": everyone, "note": note}, table)


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
            everyone = f"{_fmt(value)}{NBSP}% af foreningerne"  # (a top-2 is no "ja")
        elif ind.kind == "mean_index":
            everyone = f"gennemsnit {_fmt(value, 1)}"
        else:
            everyone = f"{_fmt(value)} i alt"
        rows.append({"title": ind.title, "own": cells, "all": everyone})
    if not rows:
        return ""
    intro = (
        "### Strategiens indikatorer\n\nFrivilligcentret følger sine mål for 2025–2027 "
        "med disse indikatorer. Her ser I, hvor jeres forening ligger.\n"
    )
    return intro + "\n" + _typst("fb-indicators", _head(waves, cmp_wave), rows)
