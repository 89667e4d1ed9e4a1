"""The publication settings declared in ``_quarto.yml`` reach every page (issue 14: "the project
as data ... publication settings (suppression k, confidence level). Pages ... follow it").

A demo project declaring ``confidence: 0.9`` is built; every page, the recommendations included,
must name the 90 % level and none may still say 95 %: the intervals are computed at the
declared level, so a heading saying 95 % would misstate every one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.site_fixture import build_demo_site, copy_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_90(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("ci90") / "project")
    quarto = project / "_quarto.yml"
    text = quarto.read_text("utf-8")
    assert "\nfslt-survey:\n" in text
    declared = "\nfslt-survey:\n  confidence: 0.9\n  k: 4\n  min_group: 7\n"
    quarto.write_text(text.replace("\nfslt-survey:\n", declared), encoding="utf-8")
    return Path(build_demo_site(project).output_dir)


def _text(page: Path) -> str:
    html = page.read_text("utf-8").replace("\u00a0", " ")
    return re.sub(r"<[^>]+>", " ", html)


def test_a_declared_confidence_level_is_named_on_every_page(site_90: Path) -> None:
    pages = sorted(site_90.rglob("*.html"))
    assert len(pages) >= 10
    named = []
    for page in pages:
        text = _text(page)
        stated = r"95 ?%[- ]?(konfidens|KI)"  # the level named (not a value such as "89–95 %")
        assert not re.search(stated, text), (page.name, re.findall(r".{60}95 ?%.{30}", text))
        if re.search(r"90 ?%-konfidensinterval", text):
            named.append(page.stem)
    assert {"behov", "kommune", "anbefalinger", "data"} <= set(named), named


def test_the_metode_page_states_the_declared_policy(site_90: Path) -> None:
    """Issue 18: the Metode page states the disclosure policy in plain Danish from the
    settings (here k = 4 and minimum group 7 declared for every survey), not from constants."""
    text = re.sub(r"\s+", " ", _text(next(site_90.rglob("metode.html"))))
    assert "Undersøgelsen tæller foreninger" in text
    assert "færre end 4 foreninger (primær diskretion)" in text
    assert "En gruppe med færre end 7 svar vises ikke for sig selv" in text
    assert "lægges sammen med andre under »Øvrige«" in text
    assert "hvor mange der ikke har svaret, kan vises" in text
    assert "færre end 5 foreninger" not in text and "færre end 3 foreninger" not in text
