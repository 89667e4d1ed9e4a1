"""The whole release audited as an intruder reads it (issue 18).

The demo build is audited as built (0 disclosed), then the recoveries the issue found by hand
are seeded into a copy of the built site - hiding cells the way a per-table suppression would,
while another published figure still prints them - and the audit must catch each one and name
the figures that combine. A control for each shows that the seeded figure is what discloses.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fslt_survey.build import audited
from fslt_survey.cli import EXIT_INPUT, EXIT_OK, main
from fslt_survey.project import load_project
from fslt_survey.publish.release_audit import DisclosureError, audit_release, html_tables

MEMBERS = "medlemsundersoegelse"


@pytest.fixture(scope="module")
def project(site_project: Path):
    return load_project(site_project)


@pytest.fixture
def release(site_dir: Path, tmp_path: Path) -> Path:
    """A copy of what a reader holds: the downloads and the Metode page."""
    dest = tmp_path / "_site"
    shutil.copytree(site_dir / "reports" / "downloads", dest / "reports" / "downloads")
    for page in ("metode.html", "moeder.html"):
        shutil.copy2(site_dir / "reports" / page, dest / "reports" / page)
    return dest


def _csv(site: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(
        site / "reports" / "downloads" / name,
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )


def _write(site: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(site / "reports" / "downloads" / name, sep=";", index=False, encoding="utf-8-sig")


def _hide(site: Path, name: str, item: str, answers: set[str]) -> None:
    """Hide answers of an item in a distribution download, as per-table suppression does."""
    f = _csv(site, name)
    rows = (f["spoergsmaal"] == item) & f["svar"].isin(answers)
    assert rows.sum() == len(answers), "the seed must hit the published rows"
    for col in ("antal", "andel_pct", "ki_nedre_pct", "ki_oevre_pct"):
        f.loc[rows, col] = ""
    f.loc[rows, "skjult"] = "ja"
    _write(site, name, f)


def _drop_findings(site: Path, ids: set[str]) -> None:
    f = _csv(site, "fund.csv")
    assert ids <= set(f["id"])
    _write(site, "fund.csv", f[~f["id"].isin(ids)])


def _drop_trend(site: Path, item: str) -> None:
    f = _csv(site, "udvikling_2025_2027.csv")
    _write(site, "udvikling_2025_2027.csv", f[~f["id"].str.startswith(item + ".")])


def _members(site: Path, project):
    return next(a for a in audit_release(site, project) if a.survey == MEMBERS)


def _disclosed(site: Path, project) -> dict[str, object]:
    return {r.cell: r for r in _members(site, project).report.disclosed}


def test_the_demo_release_discloses_nothing_and_reads_every_kind_of_figure(site_dir, project):
    audits = {a.survey: a for a in audit_release(site_dir, project)}
    assert set(audits) == {MEMBERS, "moedeevaluering"}
    for a in audits.values():
        assert a.report.ok, a.report.explain()
    members = audits[MEMBERS]
    assert members.k == 3 and audits["moedeevaluering"].k == 5
    assert {
        "reports/downloads/fund.csv",
        "reports/downloads/behov_efter_type_2027.csv",
        "reports/downloads/udvikling_2025_2027.csv",
        "reports/metode.html",
    } <= set(members.sources)
    cells = [r.cell for r in members.report.ranges]
    assert any("/I alt/" in c for c in cells)  # distributions hide counts
    assert any("/I alt/" not in c for c in cells)  # and so do the groups of the heat map


def test_fewer_than_a_quarter_of_the_needs_by_group_cells_are_hidden(site_dir):
    """Issue 18: small types are merged into the declared broader groups (and the groups show
    the share answering one of the two largest answers), rather than rows of hidden cells."""
    f = _csv(site_dir, "behov_efter_type_2027.csv")
    groups = f[f["gruppe"] != "I alt"]
    assert groups["gruppe"].nunique() == 3 and len(groups) == 36
    assert set(groups["maaling"]) == {"andel i høj eller nogen grad"}
    assert (groups["skjult"] == "ja").sum() < len(groups) / 4


def test_a_top2_share_pins_the_two_hidden_satisfaction_cells(release, project):
    """Kommune, "Tilfredshed med samarbejdet": the table hides "Meget tilfreds" and "Meget
    utilfreds"; the findings still print the top-2 share 36,2 % of 58."""
    _hide(release, "kommune_2027.csv", "kommune_tilfreds", {"Meget tilfreds", "Meget utilfreds"})
    _drop_findings(release, {"kommune_tilfreds.top1.2027", "kommune_tilfreds.meget-utilfreds.2027"})
    found = _disclosed(release, project)
    top = found["2027/I alt/kommune_tilfreds/Meget tilfreds"]
    bottom = found["2027/I alt/kommune_tilfreds/Meget utilfreds"]
    assert (top.low, top.high, bottom.low, bottom.high) == (8, 8, 3, 3)
    # the top-2 share is printed twice (the findings and the 2025-2027 change): either pins
    assert any(
        re.search(r"kommune_tilfreds\.top2\.2025-2027 2027|kommune_tilfreds\.top2\.2027", f)
        for f in top.facts
    ), top.facts
    assert any("kommune_2027.csv" in f for f in top.facts)


def test_without_the_top2_share_the_table_alone_protects_them(release, project):
    _hide(release, "kommune_2027.csv", "kommune_tilfreds", {"Meget tilfreds", "Meget utilfreds"})
    _drop_findings(
        release,
        {f"kommune_tilfreds.{m}.2027" for m in ("top1", "top2", "meget-utilfreds")},
    )
    _drop_trend(release, "kommune_tilfreds")
    assert not any("kommune_tilfreds" in c for c in _disclosed(release, project))


def test_an_indicator_of_47_percent_of_32_pins_helt_enig_and_helt_uenig(release, project):
    """§18-processen: the indicator's top-2 share pins the two hidden ends of the scale."""
    _hide(release, "kommune_2027.csv", "paragraf18_proces", {"Helt enig", "Helt uenig"})
    _drop_findings(release, {"paragraf18_proces.top1.2027", "paragraf18_proces.helt-uenig.2027"})
    found = _disclosed(release, project)
    assert (
        found["2027/I alt/paragraf18_proces/Helt enig"].low,
        found["2027/I alt/paragraf18_proces/Helt uenig"].low,
    ) == (5, 3)


def test_a_count_hidden_in_a_download_but_printed_as_a_finding_is_disclosed(release, project):
    _hide(release, "kommune_2027.csv", "paragraf18_proces", {"Helt uenig", "Overvejende uenig"})
    found = _disclosed(release, project)
    cell = found["2027/I alt/paragraf18_proces/Helt uenig"]
    assert cell.pinned
    assert any(f.startswith("downloads/fund.csv paragraf18_proces.") for f in cell.facts)


def _hide_response(site: Path, groups: set[str]) -> None:
    """The Metode page as per-table suppression wrote it: for small types the respondents and
    non-respondents are hidden (the registry count shown), and so are their share of the
    respondents and their response rate."""
    page = site / "reports" / "metode.html"
    html = page.read_text(encoding="utf-8")
    hide = {0: (0, 1), 1: (1, 2)}  # per table: which number columns are hidden
    for group in groups:
        rows = list(re.finditer(rf"<tr>\s*<td[^>]*>{re.escape(group)}</td>(.*?)</tr>", html, re.S))
        assert len(rows) >= 2, group
        for table, row in reversed(list(enumerate(rows[:2]))):
            cells = list(re.finditer(r"(<td[^>]*>)([^<]*)(</td>)", row.group(1)))
            text = row.group(1)
            for i in sorted(hide[table], reverse=True):
                c = cells[i]
                text = text[: c.start(2)] + ".." + text[c.end(2) :]
            html = html[: row.start(1)] + text + html[row.end(1) :]
    page.write_text(html, encoding="utf-8")


def test_registry_counts_and_item_bases_recover_hidden_non_respondents(release, project):
    """Metode, "Svar efter foreningstype": respondents hidden for two types are recovered from
    the registry counts, the total and the by-type download's item bases."""
    _hide_response(release, {"Selvhjælpsgruppe eller netværk", "Ældre og seniorer"})
    tables = dict(html_tables(release / "reports" / "metode.html"))
    by_type = tables["Svar efter foreningstype, 2027"]
    assert [r[1:3] for r in by_type if r[0] == "Ældre og seniorer"] == [["..", ".."]]
    found = _disclosed(release, project)
    assert (
        found["2027/Ældre og seniorer/ikke svarede"].high
        - found["2027/Ældre og seniorer/ikke svarede"].low
        < 3
    )
    facts = found["2027/Ældre og seniorer/svarede"].facts
    # the group's item base (its broader group's, with the declared groups) pins it
    assert any(f.startswith("downloads/behov_efter_type_2027.csv") for f in facts), facts


def test_the_cli_and_the_build_refuse_a_disclosing_release(release, project, capsys):
    root = str(project.root)
    assert main(["--project-dir", root, "audit", "--site", str(release)]) == EXIT_OK
    assert "0 disclosed" in capsys.readouterr().out
    _hide(release, "kommune_2027.csv", "kommune_tilfreds", {"Meget tilfreds", "Meget utilfreds"})
    assert main(["--project-dir", root, "audit", "--site", str(release)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "discloses hidden counts" in err and "kommune_tilfreds.top2" in err
    with pytest.raises(DisclosureError, match="not publishable"):
        audited(release, project)
    assert not release.exists() and (release.parent / "_site.afvist" / "reports").is_dir()


def _audit_of(site: Path, project, survey: str):
    return next(a for a in audit_release(site, project) if a.survey == survey)


def test_a_meetings_share_hidden_beside_its_years_share_is_recovered(release, project):
    """Netværksmøder: a meeting's hidden share is pinned by the year's share, the other
    meetings' shares and the evaluations counted (the recovery "n = 42-44" of issue 18)."""
    page = release / "reports" / "moeder.html"
    html = page.read_text(encoding="utf-8")
    start = html.index("<caption>Andel positive svar pr. møde</caption>")
    row = re.compile(r"(<td[^>]*>M2025-02</td>.*?)(<td[^>]*>)100\s%(</td>\s*</tr>)", re.S)
    seeded, n = row.subn(r"\1\2..\3", html[start:], count=1)
    assert n == 1
    page.write_text(html[:start] + seeded, encoding="utf-8")
    audit = _audit_of(release, project, "moedeevaluering")
    assert "reports/moeder.html" in audit.sources
    found = {r.cell: r for r in audit.report.disclosed}
    nobody = found["2025/M2025-02/deltage_igen/-"]  # every participant said yes or maybe
    assert (nobody.low, nobody.high) == (0, 0)
    assert any("pr. år" in f for f in nobody.facts)


def test_the_demo_meetings_page_passes_the_audit(site_dir, project):
    """The year shares that would reveal the download's hidden cells are hidden (before the
    fix the audit pinned "Nye kontakter: I nogen grad" = 4 in 2026)."""
    audit = _audit_of(site_dir, project, "moedeevaluering")
    assert "reports/moeder.html" in audit.sources and audit.report.ok
    assert len(audit.report.ranges) >= 20
