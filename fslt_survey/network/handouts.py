"""The content of a theme handout: who wants to discuss the theme, needs, quotes, groups.

:class:`Handout` holds everything ``reports/handout/handout.qmd`` shows for one theme, loaded
once by :func:`load_handout` (the clean member survey, the network data, the theme guide and
the group proposal of :mod:`fslt_survey.network.groups`). Counts and shares follow the same
suppression rule as the other reports; associations are named only with consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from fslt_survey import config, publish
from fslt_survey.codebook import Instrument
from fslt_survey.danish import join_and, meeting_date
from fslt_survey.errors import ConfigError
from fslt_survey.network.data import (
    KIND_LABELS,
    MEMBER_SURVEY,
    Network,
    load_network,
    member_instrument,
    theme_scale,
)
from fslt_survey.network.groups import GroupProposal, GroupSettings, _groups, propose_groups
from fslt_survey.network.meeting_sheet import (
    agenda_markdown,
    evaluation_markdown,
    meeting_time,
    notes_markdown,
)
from fslt_survey.network.stats import suppress_shares
from fslt_survey.network.themes import ThemeGuide, load_theme_guides
from fslt_survey.plots import plot_ranked_needs
from fslt_survey.project import demo_mode, publication
from fslt_survey.registry import load_registry
from fslt_survey.report.findings_view import ranking_with_findings
from fslt_survey.stats import rank_needs, tab_multi, tab_single
from fslt_survey.store import load_clean
from fslt_survey.tables import (
    ci_heading,
    escape_markdown,
    format_ci,
    format_number,
    format_pct,
    to_markdown_table,
)

__all__ = ["Handout", "danish_date", "load_handout"]


@dataclass
class Handout:
    """Everything a theme handout shows, loaded once (see ``reports/handout/handout.qmd``)."""

    theme: str
    guide: ThemeGuide
    data: pd.DataFrame  # the member survey, wave used
    instrument: Instrument
    network: Network
    registry: pd.DataFrame
    proposal: GroupProposal
    today: dt.date
    k: int = config.SUPPRESSION_K
    conf: float = config.CONFIDENCE

    @property
    def label(self) -> str:
        return self.guide.label

    @property
    def source(self) -> str:
        return f"Kilde: Medlemsundersøgelsen {int(self.data['wave'].iloc[0])}, FSLT"

    def interest_text(self) -> str:
        """One sentence: how many associations want to discuss the theme (suppressed)."""
        col = self.instrument.item("forum_temaer").option_column(
            next(lab for lab in theme_scale(self.instrument).substantive
                 if lab.key == self.theme))
        answered = self.data[col].notna()
        n, base = int(self.data.loc[answered, col].fillna(False).astype(bool).sum()), \
            int(answered.sum())
        if suppress_shares(pd.Series([n]), pd.Series([base]), self.k).iloc[0]:
            return (f"Tallet for, hvor mange foreninger der vil drøfte temaet, vises ikke (færre "
                    f"end {self.k} foreninger står bag tallet eller dets modsætning).")
        return (f"**{n} af {base} foreninger ({format_pct(100 * n / base)})** har i "
                f"medlemsundersøgelsen svaret, at de gerne vil drøfte »{self.label}« med andre "
                "foreninger.")

    def chosen(self) -> pd.DataFrame:
        col = self.instrument.item("forum_temaer").option_column(
            next(lab for lab in theme_scale(self.instrument).substantive
                 if lab.key == self.theme))
        return self.data.loc[self.data[col].fillna(False).astype(bool)]

    def needs_ranking(self, *, suppressed: bool = False) -> pd.DataFrame:
        """Share giving the strongest answer to each related item, largest first.

        ``suppressed=True`` applies :func:`fslt_survey.publish.suppress_ranking` per item with
        the item's distribution, so a share is hidden whenever it would reveal a cell that the
        site's tables of the same item hide, and takes each shown share and interval from its
        finding (:mod:`fslt_survey.publish.findings`), as the site does.
        """
        frames = []
        store = publish.Findings(self.data, self.instrument, population=len(self.registry),
                                 k=self.k, conf=self.conf)  # the site's findings
        for item_id in self.guide.related:
            item = self.instrument.item(item_id)
            assert item.scale is not None
            large = (item.scale.categories[0],)
            rank = rank_needs(self.data, [item], large=large).assign(answer=large[0])
            if suppressed:
                rank = publish.suppress_ranking(rank, k=self.k, large=large,
                                                distributions=tab_single(self.data, item))
                rank = ranking_with_findings(store, rank, large[0])
            frames.append(rank)
        out = pd.concat(frames, ignore_index=True).sort_values(
            "pct", ascending=False, kind="stable", na_position="last")
        return out.reset_index(drop=True)

    def relevant_texts(self) -> list[str]:
        """Free-text answers about the theme (a word starts with one of its keywords), as
        answered (already redacted by cleaning); :meth:`quotes_markdown` redacts them again."""
        texts: list[str] = []
        for item_id in self.guide.text_items:
            if item_id in self.data.columns:
                texts += [t for t in self.data[item_id].dropna().astype(str)
                          if self.guide.is_relevant(t)]
        return texts

    def next_meeting(self) -> Any:
        return self.network.next_meeting(self.theme, self.today)

    @property
    def demo(self) -> bool:
        """True when the registry is the bundled fictional one (its first line says so)."""
        try:
            with open(config.REGISTRY_FILE, encoding="utf-8") as fh:
                return "FIKTIVE" in fh.readline().upper()
        except OSError:
            return False

    # -- markdown for the handout (printed by `output: asis` cells) ----------------------------

    def intro_markdown(self) -> str:
        demo = ("\n\n*Demoudgave: foreningerne og svarene er fiktive.*" if self.demo else "")
        return f"## {escape_markdown(self.label)}\n\n{escape_markdown(self.guide.intro)}{demo}\n"

    def next_meeting_markdown(self) -> str:
        m = self.next_meeting()
        if m is None:
            return ("Der er endnu ikke planlagt et møde om temaet. Kontakt Frivilligcentret på "
                    "Rustenborgvej 2A, hvis foreningen vil være med til at starte et.\n")
        forum = self.network.forum(m.forum)
        rows = [("Dato", danish_date(m.date)), ("Tidspunkt", meeting_time(m)),
                ("Sted", m.place), ("Forum", f"{forum.name} ({KIND_LABELS[forum.kind]})"),
                ("Facilitator", forum.facilitator), ("Mødekode til evalueringen", m.id)]
        text = "\n".join(f"- **{k}:** {escape_markdown(v)}" for k, v in rows) + "\n"
        return text + (f"\n{escape_markdown(forum.description)}\n" if forum.description else "")

    def agenda_markdown(self) -> str:
        """The next meeting's programme with times (:mod:`fslt_survey.network.meeting_sheet`)."""
        return agenda_markdown(self.next_meeting())

    def evaluation_markdown(self, folder: str = "figurer") -> str:
        """The evaluation form's short link and QR code, with the next meeting's code."""
        return evaluation_markdown(self.next_meeting(), self.network.evaluation, folder)

    @staticmethod
    def notes_markdown() -> str:
        return notes_markdown()

    def key_figures_markdown(self) -> str:
        """The theme's share, willingness to join among those who chose it, extra items."""
        parts = [self.interest_text() + "\n"]
        chosen = self.chosen()
        item = self.instrument.item("forum_deltage")
        if len(chosen) >= self.k:
            parts.append(publish.frequency_table(
                tab_single(chosen, item), k=self.k, show_missing=False,
                caption="Vil deltage i netværksmøder (foreninger, der valgte temaet)"))
        for item_id in self.guide.figures:
            it = self.instrument.item(item_id)
            tab = (tab_multi(self.data, it) if it.type == "multi" else tab_single(self.data, it))
            parts.append(publish.frequency_table(tab, k=self.k, multi_select=it.type == "multi",
                                                 caption=it.label, show_missing=False))
        return "\n".join(parts)

    def needs_markdown(self, folder: str = "figurer") -> str:
        """Chart and table of the related needs (suppressed shares)."""
        if not self.guide.related:
            return ""
        rank = self.needs_ranking(suppressed=True)
        answers = " / ".join(dict.fromkeys(rank["answer"]))
        chart = plot_ranked_needs(rank, title=f"Behov og interesse: {self.label}",
                                  source=self.source, large=answers)
        fig = publish.figure(chart, f"handout-{self.theme}-behov", folder=folder,
                             caption=f"Andel af foreningerne, der svarer »{answers}«")
        rows = pd.DataFrame({
            "Spørgsmål": rank["label"].astype(str), "Svar": rank["answer"].astype(str),
            "Antal": format_number(rank["n"], na=publish.HIDDEN),
            "Basis": format_number(rank["base"], na=publish.HIDDEN),
            "Andel": format_pct(rank["pct"], na=publish.HIDDEN),
            ci_heading(self.conf): format_ci(rank["ci_low"], rank["ci_high"],
                                             na=publish.HIDDEN)})
        table = to_markdown_table(rows, caption="Relaterede spørgsmål i medlemsundersøgelsen")
        return f"{fig}\n{table}\n{publish.SUPPRESSION_NOTE.format(k=self.k)}\n"

    def quotes_markdown(self, limit: int = 4) -> str:
        """The approved quotes the analyst gave this theme (:mod:`fslt_survey.publish.curated`)."""
        quotes = publish.load_quotes(
            publish.quotes_file(MEMBER_SURVEY, demo=demo_mode()),
            items=[it.id for it in self.instrument],
            names=tuple(self.registry["name"].astype(str)),
        )
        return publish.quotes_markdown(quotes, theme=self.theme, limit=limit)

    def questions_markdown(self) -> str:
        return "\n".join(f"{i}. {escape_markdown(q)}"
                          for i, q in enumerate(self.guide.questions, start=1)) + "\n"

    def groups_markdown(self) -> str:
        """The proposed group(s): consenting associations by name, the others as a count."""
        groups = self.proposal.for_theme(self.theme)
        if not groups:
            return ("Der var for få interesserede foreninger til at foreslå en gruppe om temaet "
                    f"(mindst {self.proposal.settings.min_size}).\n")
        s = self.proposal.settings
        out = [f"Forslaget bygger på foreningernes svar: de har valgt temaet eller svaret, at "
               f"de har et stort behov inden for det. En gruppe har {s.min_size}-{s.max_size} "
               f"foreninger, og en forening foreslås til højst {_groups(s.max_groups)}. Kun "
               "foreninger, der har givet samtykke til at blive nævnt over for andre "
               "foreninger, står med navn.\n"]
        kind = "Netværksgruppe" if groups[0].kind == "netvaerksgruppe" else "Erfa-gruppe"
        for n, g in enumerate(groups, start=1):
            # one paragraph per group: its name is never split from its members on paper
            title = f"{kind} {n}" if len(groups) > 1 else kind
            names = [escape_markdown(m.name) for m in g.members]
            names += [g.anonymous_text] if g.n_anonymous else []
            out.append(f"**{title} ({g.size} foreninger):** {join_and(names)}.\n")
        return "\n".join(out)


def danish_date(d: dt.date) -> str:
    """``onsdag den 10. februar 2027`` (:func:`fslt_survey.danish.meeting_date`)."""
    return meeting_date(d)


def load_handout(theme: str, *, today: dt.date | str | None = None,
                 data: pd.DataFrame | None = None, settings: GroupSettings | None = None
                 ) -> Handout:
    """Load the clean member survey (``build/clean``), network data and theme guide."""
    instrument = member_instrument()
    guides = load_theme_guides(instrument=instrument)
    if theme not in guides:
        raise ConfigError("unknown theme for a handout", expected=", ".join(guides),
                          found=str(theme))
    data = load_clean(MEMBER_SURVEY) if data is None else data
    wave = int(data["wave"].max())
    registry = load_registry()
    proposal = propose_groups(data, instrument, registry, guides, settings=settings, wave=wave)
    if isinstance(today, str) and today:
        today = dt.date.fromisoformat(today)
    settings = publication(MEMBER_SURVEY)  # the site's k and confidence level
    return Handout(theme, guides[theme], data.loc[data["wave"] == wave].copy(), instrument,
                   load_network(themes=theme_scale(instrument)), registry, proposal,
                   today if isinstance(today, dt.date) else dt.date.today(),
                   k=settings.k, conf=settings.confidence)
