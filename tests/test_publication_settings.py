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
    quarto.write_text(text.replace("\nfslt-survey:\n", "\nfslt-survey:\n  confidence: 0.9\n"),
                      encoding="utf-8")
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
