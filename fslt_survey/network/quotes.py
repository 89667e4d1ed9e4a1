"""``fslt-survey citater``: candidate quotes for the analyst to approve (issue 19).

Reads the clean free-text answers of the member survey and the meeting evaluations, proposes
candidates (:func:`fslt_survey.publish.propose`: redacted, no markup, formulas or personal
data, de-duplicated), suggests a network theme for each member-survey answer from the theme
guides' keywords (the handouts' themes), and writes them as YAML to ``build/`` - never into
the site. The analyst copies the quotes to publish into the survey's ``citater.yml``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from fslt_survey import config, publish
from fslt_survey.codebook import load_instrument
from fslt_survey.network.themes import load_theme_guides
from fslt_survey.project import demo_mode
from fslt_survey.registry import load_registry
from fslt_survey.store import instrument_path, load_clean

__all__ = ["write_proposals"]

_HEADER = """\
# Forslag til citater (fslt-survey citater), {n} i alt. IKKE til offentliggørelse.
# Kopier de citater, der må offentliggøres, til {target}
# (under "citater:"), og ret teksten, hvis den skal forkortes. Kun godkendte citater vises
# på siderne og i temaarkene. Feltet "antal" er, hvor mange der gav præcis det svar; det
# kopieres ikke med.
"""


def write_proposals(out: Path | None = None) -> list[str]:
    """Write the candidates of every survey with clean data to ``out`` (default
    ``build/citater-forslag-<survey>.yml``); returns what was written, for people."""
    names = tuple(load_registry()["name"].astype(str))
    lines = []
    for survey in config.SURVEYS:
        if not (config.clean_dir() / f"{survey}.parquet").is_file():
            continue
        instrument = load_instrument(instrument_path(survey))
        data = load_clean(survey)
        texts = [it.id for it in instrument if it.type == "text" and it.id in data.columns]
        answers = [(item, value) for item in texts for value in data[item].dropna()]
        proposals = publish.propose(answers, names=names)
        if survey == config.MEMBER_SURVEY:
            guides = load_theme_guides(instrument=instrument)
            for p in proposals:
                themes = [key for key, g in guides.items() if g.is_relevant(p["tekst"])]
                if themes:
                    p["tema"] = themes[0]
        path = out or config.build_dir() / f"citater-forslag-{survey}.yml"
        if out is not None and len(config.SURVEYS) > 1:
            path = out.with_name(f"{out.stem}-{survey}{out.suffix or '.yml'}")
        target = publish.quotes_file(survey, demo=demo_mode())
        path.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.safe_dump({"citater": proposals}, allow_unicode=True, sort_keys=False)
        path.write_text(_HEADER.format(n=len(proposals), target=target) + body, "utf-8")
        lines.append(f"{survey}: {len(proposals)} candidate quote(s) in {path}")
    return lines or ["No clean data yet: run `fslt-survey build` first."]
