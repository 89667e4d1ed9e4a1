"""One feedback sheet as Markdown: an association's own answers next to all members' and its type's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fslt_survey.errors import SurveyDataError
from fslt_survey.followup import (
    set_column_widths,
)
from fslt_survey.privacy import redact_text
from fslt_survey.tables import escape_markdown, to_markdown_table

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


def _distribution_text(
    summary: dict[str, tuple[int, dict[str, str]]], group: str, k: int, own: str | None = None
) -> str | None:
    """``"I høj grad 22 % · **I nogen grad 41 %** · ... (n = 63)"`` (Markdown, the
    association's own answer in bold); None if the group is hidden."""
    base, cells = summary.get(group, (0, {}))
    if base < k:
        return None
    parts = [
        f"**{escape_markdown(cat)} {pct}**" if cat == own else f"{escape_markdown(cat)} {pct}"
        for cat, pct in cells.items()
    ]
    return " · ".join(parts) + f" (n = {base})"


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
        f"{cmp_wave}{compared}. Jeres eget svar står med fed i fordelingen.\n",
        '::: {.callout-note title="Fortroligt"}\n'
        f"Arket er kun til {esc(name)}. Det viser ingen andre foreningers navne eller svar, og "
        "ud over jeres egne svar kun de samme samlede tal, som Frivilligcentret offentliggør "
        f"på hjemmesiden. Andele, der bygger på færre end {ctx.k} foreninger, vises ikke "
        f"({HIDDEN}).\n:::\n",
    ]


def _section(
    ctx: FeedbackContext, items: list[Item], rows: dict[int, Any], cmp_wave: int,
    group: str | None,
) -> list[str]:
    """One section's tables: items sharing a scale, the other single items, multi-selects."""
    esc = escape_markdown
    waves = sorted(rows)
    out = []
    flat = [it for it in items if it.type != "multi"]
    for scaled in _same_scale_runs(flat):  # one line per item: a column per answer
        by_group = group is not None and all(it.id in ctx.needs for it in scaled)
        out.append(_scale_table(ctx, scaled, waves, rows, cmp_wave, group if by_group else None))
        flat = [it for it in flat if it not in scaled]
    if flat:
        by_group = group is not None and all(it.id in ctx.needs for it in flat)
        head = ["Spørgsmål", *[f"Jeres svar {w}" for w in waves], f"{ALL} {cmp_wave}"]
        cols = [*head, f"Jeres gruppe {cmp_wave}"] if by_group else head
        table = [_flat_row(ctx, it, waves, rows, cmp_wave, group if by_group else None)
                 for it in flat]
        widths = [18, *[12] * len(waves), *[(58 if not by_group else 42) - 6 * len(waves)]]
        widths += [16] if by_group else []
        md = to_markdown_table(_frame(table, cols), align="l" * len(cols), escape=False)
        if by_group:
            answers = " eller ".join(a.lower() for a in ctx.needs_answers)
            md += (f"\nJeres gruppe: andelen af foreningerne i gruppen, der svarer "
                   f"»{esc(answers)}«.\n")
        out.append(set_column_widths(md, widths))
    for it in (it for it in items if it.type == "multi"):
        out.append(f"**{esc(it.label)}**: {esc(it.text)}\n")
        reasons = {_own_answer(rows[w], it) for w in waves}
        if reasons <= set(OWN_REASONS.values()):  # never answered: one line, no table
            out.append(f"*{esc(' / '.join(sorted(reasons)))}.*\n")
            continue
        out.append(_multi_table(ctx, it, waves, rows, cmp_wave))
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
                    f"**{esc(it.label)} ({w})**\n\n> "
                    f"{esc(_redact_own(value, name, ctx.registry))}\n"
                )
    if not texts:
        return []
    return [
        "### Jeres egne ord\n",
        "Kun jeres egne svar; navne, e-mailadresser og telefonnumre er fjernet.\n",
        *texts,
    ]


def _frame(rows: list[list[str]], head: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=head)


def _flat_row(
    ctx: FeedbackContext,
    it: Item,
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
    group: str | None,
) -> list[str]:
    """One item's row (Markdown cells): own answers, all associations, the group's need."""
    esc = escape_markdown
    own = []
    for w in waves:
        asked = not it.waves or w in it.waves
        own.append(esc(_own_answer(rows[w], it)) if asked else "ikke spurgt")
    hidden = f"vises ikke (færre end {ctx.k})"
    extra = []
    if group is not None:
        text, base = ctx.needs.get(it.id, {}).get(group, (HIDDEN, 0))
        extra = [f"{text} (n = {base})" if text != HIDDEN and base >= ctx.k else HIDDEN]
    if it.type == "numeric":
        m, n = ctx.medians.get((it.id, cmp_wave), {}).get(ALL, (float("nan"), 0))
        return [esc(it.label), *own, hidden if n < ctx.k else f"median {_fmt(m)} (n = {n})"]
    dist = ctx.dists.get((it.id, cmp_wave))
    if dist is None:
        return [esc(it.label), *own, "ikke spurgt", *extra]
    mine = _own_answer(rows[cmp_wave], it) if cmp_wave in rows else None
    everyone = _distribution_text(dist, ALL, ctx.k, own=mine) or hidden
    return [esc(it.label), *own, everyone, *extra]


def _same_scale_runs(items: list[Item]) -> list[list[Item]]:
    """Groups of two or more choice items sharing a scale, in questionnaire order."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        if it.type != "numeric" and it.scale is not None:
            groups.setdefault(it.scale.id, []).append(it)
    return [g for g in groups.values() if len(g) >= 2]


def _scale_table(
    ctx: FeedbackContext,
    items: list[Item],
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
    group: str | None,
) -> str:
    """Items sharing a scale as one compact table: per item the association's answers, the
    share of all associations giving each answer (its own in bold) and the base."""
    esc = escape_markdown
    cats = [lab.label for lab in items[0].scale.substantive]
    head = ["Spørgsmål", *[f"Jeres svar {w}" for w in waves], *cats, "n"]
    head += [f"Jeres gruppe {cmp_wave}"] if group else []
    table = []
    for it in items:
        own = [esc(_own_answer(rows[w], it)) if not it.waves or w in it.waves else "ikke spurgt"
               for w in waves]
        mine = _own_answer(rows[cmp_wave], it) if cmp_wave in rows else None
        base, cells = (ctx.dists.get((it.id, cmp_wave)) or {}).get(ALL, (0, {}))
        shown = base >= ctx.k
        shares = [
            (f"**{cells.get(c, HIDDEN)}**" if c == mine else cells.get(c, HIDDEN)) if shown
            else HIDDEN
            for c in cats
        ]
        extra = []
        if group:
            text, gbase = ctx.needs.get(it.id, {}).get(group, (HIDDEN, 0))
            extra = [f"{text} (n = {gbase})" if text != HIDDEN and gbase >= ctx.k else HIDDEN]
        table.append([esc(it.label), *own, *shares, str(base) if shown else HIDDEN, *extra])
    caption = f"Andel af alle foreninger i {cmp_wave}, der gav hvert svar; jeres eget svar med fed"
    if group:
        answers = " eller ".join(a.lower() for a in ctx.needs_answers)
        caption += f". Jeres gruppe ({esc(group)}): andelen, der svarer »{esc(answers)}«"
    md = to_markdown_table(
        _frame(table, head), align="l" * (1 + len(waves)) + "r" * (len(head) - 1 - len(waves)),
        caption=caption, escape=False,
    )
    widths = [22, *[11] * len(waves), *[max(7, 48 // len(cats))] * len(cats), 5]
    return set_column_widths(md, widths + ([10] if group else []))


def _multi_table(
    ctx: FeedbackContext,
    it: Item,
    waves: list[int],
    rows: dict[int, Any],
    cmp_wave: int,
) -> str:
    import pandas as pd

    summary = ctx.dists.get((it.id, cmp_wave)) or {}
    head = ["Svarmulighed", *[f"Jeres svar {w}" for w in waves], f"{ALL} {cmp_wave}"]
    base = summary.get(ALL, (0, {}))[0]
    table = []
    for lab in it.scale.substantive:
        own = []
        for w in waves:
            v = rows[w].get(it.option_column(lab))
            if it.waves and w not in it.waves:
                own.append("ikke spurgt")
            elif v is None or pd.isna(v):
                own.append(_own_answer(rows[w], it))  # the reason, phrased for them
            else:
                own.append("valgt" if bool(v) else "")
        cell = summary[ALL][1].get(lab.label, HIDDEN) if base >= ctx.k else HIDDEN
        table.append([lab.label, *own, cell])
    # a base of 1..k-1 associations is a small count itself: say "færre end k" instead
    everyone = f"n = {base}" if base >= ctx.k else f"færre end {ctx.k}"
    caption = f"Andel, der har valgt hver mulighed: alle foreninger {everyone}"
    return to_markdown_table(
        _frame(table, head), align="l" * (len(waves) + 1) + "r", caption=caption
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
            everyone = f"{_fmt(value)}{NBSP}% af foreningerne"  # (a top-2 is no "ja")
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


