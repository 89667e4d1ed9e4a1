"""The analyst's real path (issue 14): project discovery, the project as data, demo vs real,
the cache key, git hygiene, confidential documents and the CLI edges."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fslt_survey import config, project
from fslt_survey.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from tests.site_fixture import copy_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_env(monkeypatch):
    for var in (*config.DATA_VARIABLES, "FSLT_DEMO"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.fixture
def proj(tmp_path, clean_env) -> Path:
    """A copy of the project (sources only) outside the repository, as the working directory."""
    root = copy_project(tmp_path / "projekt")
    clean_env.chdir(root)
    return root


# --------------------------------------------------------------------------- discovery


def test_project_is_found_from_a_subfolder_like_quarto(proj):
    sub = proj / "reports" / "feedback"
    root, how = config.find_project(sub)
    assert root == proj.resolve() and "_quarto.yml above" in how
    # paths follow the working directory when used, not the package's location at import
    assert proj.resolve() / "build" / "clean" == config.CLEAN_DIR
    assert config.clean_dir() == proj.resolve() / "build" / "clean"


def test_environment_overrides_and_quarto_variable(proj, tmp_path, clean_env):
    other = copy_project(tmp_path / "andet")
    clean_env.setenv("QUARTO_PROJECT_DIR", str(other))
    assert config.find_project() == (other.resolve(), "$QUARTO_PROJECT_DIR")
    clean_env.setenv("QUARTO_PROJECT_ROOT", str(other / "reports"))  # a document's folder
    assert config.find_project()[0] == other.resolve()
    clean_env.setenv("FSLT_PROJECT_ROOT", str(proj))
    assert config.find_project() == (proj.resolve(), "$FSLT_PROJECT_ROOT")


def test_outside_any_project_is_a_usage_error_saying_how_to_start(tmp_path, clean_env, capsys):
    clean_env.chdir(tmp_path)
    assert main(["render"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "not inside an fslt-survey project" in err and "--project-dir" in err


def test_project_dir_option_after_the_command(proj, tmp_path, clean_env, capsys):
    clean_env.chdir(tmp_path)
    assert main(["validate", "medlemsundersoegelse", "--project-dir", str(proj)]) == EXIT_OK
    assert str(proj) in capsys.readouterr().out


# --------------------------------------------------------------------------- demo vs real


def test_real_build_without_raw_exports_is_an_error_not_the_demo(proj, capsys):
    code = main(["build", "--engine", "builtin", "--registry", "surveys/members.csv"])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "medlemsundersoegelse/raw" in err and "demo" in err
    assert not (proj / "build" / "clean" / "medlemsundersoegelse.parquet").exists()


def test_real_data_without_registry_is_an_error(proj, capsys):
    raw = proj / "surveys" / "medlemsundersoegelse" / "raw"
    shutil.copytree(proj / "surveys" / "demo" / "medlemsundersoegelse", raw)
    assert main(["clean", "medlemsundersoegelse"]) == EXIT_INPUT
    assert "FSLT_REGISTRY" in capsys.readouterr().err


def test_real_clean_data_is_never_overwritten_by_demo_data(proj, capsys):
    raw = proj / "surveys" / "medlemsundersoegelse" / "raw"
    shutil.copytree(proj / "surveys" / "demo" / "medlemsundersoegelse", raw)
    args = ["clean", "medlemsundersoegelse", "--registry", "surveys/members.csv"]
    assert main(args) == EXIT_OK
    log = proj / "build" / "clean" / "medlemsundersoegelse_log.json"
    before = log.read_bytes()
    assert main(["clean", "medlemsundersoegelse", "--demo"]) == EXIT_INPUT
    assert "real exports" in capsys.readouterr().err
    assert log.read_bytes() == before
    # the published pages say "demo" only when the data is
    from fslt_survey.report import data_notice

    assert "fiktive demodata" not in data_notice()
    assert main(["clean", "medlemsundersoegelse", "--demo", "--out", "build/demo"]) == EXIT_OK
    assert "fiktive demodata" in data_notice(proj / "build" / "demo")


def test_no_page_hard_codes_the_demo_notice():
    for page in (ROOT / "reports").rglob("*.qmd"):
        assert "fiktive demodata" not in page.read_text(encoding="utf-8"), page


def test_project_declaration_units_and_misspelled_survey(proj, capsys):
    p = project.load_project()
    assert [(s.name, s.unit_plural) for s in p.surveys] == [
        ("medlemsundersoegelse", "foreninger"),
        ("moedeevaluering", "deltagere"),
    ]
    assert main(["clean", "medlemsundersoegelze", "--demo"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "medlemsundersoegelse" in err and "moedeevaluering" in err


# --------------------------------------------------------------------------- cache key


def test_registry_contents_are_in_every_page_cache_key(proj, tmp_path, clean_env):
    reg = tmp_path / "medlemmer.csv"
    shutil.copy(proj / "surveys" / "members.csv", reg)
    clean_env.setenv("FSLT_REGISTRY", str(reg))
    before = project.cache_inputs(proj)
    with reg.open("a", encoding="utf-8") as fh:
        fh.write("F999,Ny forening,Idræt,Under 25,Lyngby,2026\n")
    after = project.cache_inputs(proj)
    assert before != after
    # the registry the clean data was linked against is kept beside it (a depends file)
    assert "build/clean/registry.csv" in (proj / "_quarto.yml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- git, site, CLI


def test_gitignore_covers_raw_exports_and_build_outputs():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = [
        "surveys/medlemsundersoegelse/raw/2025/dataset.csv",
        "surveys/moedeevaluering/raw/2026/svar.xlsx",
        "surveys/raw/2025/x.csv",
        "build/clean/medlemsundersoegelse.parquet",
        "build/feedback/F001.pdf",
        "build/handouts/frivillige.pdf",
        "build/forms/medlemsundersoegelse-2027.xlsx",
        "_site/index.html",
        ".fslt-cache/render/files.json",
    ]
    done = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted(done.stdout.split()) == sorted(paths)


def test_confidential_documents_are_refused_in_the_site(proj, capsys):
    code = main(["render", "reports/feedback/feedback.qmd", "-P", "forening:F001"])
    assert code == EXIT_USAGE
    assert "confidential" in capsys.readouterr().err
    assert not (proj / "_site").exists()
    assert main(["render", "reports/handout/handout.qmd"]) == EXIT_USAGE


def test_cli_edges(proj, capsys):
    # --debug after the command, validate by survey name
    assert main(["validate", "medlemsundersoegelse", "--debug"]) == EXIT_OK
    assert main(["render", "reports/ingen.qmd"]) == EXIT_USAGE
    assert "no such document" in capsys.readouterr().err
    assert main(["render", "-P", ":x"]) == EXIT_USAGE


def test_registry_copy_is_what_the_pages_read(proj):
    from fslt_survey.store import clean_registry

    assert main(["clean", "moedeevaluering", "--demo"]) == EXIT_OK
    copy = proj / "build" / "clean" / "registry.csv"
    assert clean_registry() == copy
    assert copy.read_bytes() == (proj / "surveys" / "members.csv").read_bytes()
    assert json.loads((proj / "build/clean/moedeevaluering_log.json").read_text("utf-8"))


# --------------------------------------------------------------------------- not asked


@pytest.fixture(scope="module")
def member_report():
    from fslt_survey.codebook import load_instrument
    from fslt_survey.pipeline import clean_survey
    from fslt_survey.registry import load_registry
    from fslt_survey.report import Report

    result = clean_survey("medlemsundersoegelse", demo=True)
    data = result.data
    return Report(
        page="test",
        instrument=load_instrument(ROOT / "surveys/medlemsundersoegelse/instrument.yml"),
        data=data,
        registry=load_registry(ROOT / "surveys/members.csv"),
        log=result.log.to_dict(),
        wave=2027,
        waves=[2025, 2027],
    )


def _without(r, item_id: str, *, multi: bool):
    """The report with one item as the cleaner leaves it when the export lacks it."""
    import dataclasses

    import pandas as pd

    it = r.instrument.item(item_id)
    data = r.data.copy()
    latest = data["wave"] == 2027
    for col in it.columns:
        if col == it.missing_column:
            data.loc[latest, col] = "Ikke besvaret"
        else:
            data.loc[latest, col] = pd.NA
    return dataclasses.replace(r, data=data, cache={}), it


def test_an_item_not_in_the_export_is_published_as_not_asked(member_report):
    from fslt_survey.report import multi_block, single_block

    r, it = _without(member_report, "rolle", multi=False)
    text = single_block(r, it, chart=False)
    assert "blev ikke stillet i 2027" in text
    assert "|" not in text and "Basis: 0" not in text  # no table of zeros
    r, it = _without(member_report, "kendskab_tilbud", multi=True)
    text = multi_block(r, it, chart=False)
    assert "blev ikke stillet i 2027" in text and "Basis: 0" not in text
    # the untouched item is still published with its base, in the survey's unit
    text = single_block(member_report, "rolle", chart=False)
    assert "Basis:" in text and "foreninger, der har svaret" in text


def test_an_option_not_in_the_export_is_not_shown_as_zero(member_report):
    import dataclasses

    from fslt_survey.report import multi_block

    it = member_report.instrument.item("kendskab_tilbud")
    new = it.scale.substantive[-1]
    log = dict(member_report.log)
    log["not_in_export"] = [{"item": it.id, "option": new.key, "wave": 2027}]
    r = dataclasses.replace(member_report, log=log, cache={})
    text = multi_block(r, it, chart=False)
    assert f"Ikke spurgt i 2027: »{new.label}«" in text
    table_rows = [line for line in text.splitlines() if line.startswith(f"| {new.label} ")]
    assert table_rows == []


def test_registry_from_danish_excel_is_read_like_an_export(tmp_path):
    """cp1252 with ``;`` (Danish Excel's "CSV") and XLSX: the same reader as the exports."""
    import pandas as pd

    from fslt_survey.registry import load_registry

    committed = load_registry(ROOT / "surveys" / "members.csv")
    raw = pd.read_csv(ROOT / "surveys" / "members.csv", comment="#", dtype=str)
    raw.loc[0, "name"] = "Ældresagen Lyngby-Taarbæk"  # æ/å in cp1252
    raw.to_csv(tmp_path / "medlemmer.csv", sep=";", index=False, encoding="cp1252")
    raw.to_excel(tmp_path / "medlemmer.xlsx", index=False)
    for name in ("medlemmer.csv", "medlemmer.xlsx"):
        reg = load_registry(tmp_path / name)
        assert len(reg) == len(committed)
        assert reg.loc[0, "name"] == "Ældresagen Lyngby-Taarbæk"
        assert list(reg["association_id"]) == list(committed["association_id"])


def test_unknown_ids_in_the_attendance_are_listed_not_counted(proj, tmp_path, capsys):
    lines = (proj / "surveys" / "members.csv").read_text("utf-8").splitlines()
    attended = (proj / "surveys" / "netvaerk" / "fremmoede.csv").read_text("utf-8")
    kept = [line for line in lines if not line.startswith(("F085,", "F090,"))]
    assert len(kept) == len(lines) - 2 and ",F090," in attended
    reg = tmp_path / "medlemmer.csv"
    reg.write_text("\n".join(kept) + "\n", "utf-8")
    code = main(["build", "--demo", "--registry", str(reg), "--engine", "builtin", "--quiet"])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "unknown association_id 'F090'" in err and "'F085'" in err and "fremmoede.csv" in err
    assert not (proj / "_site").exists()


def test_clean_table_as_xlsx_and_data_dictionary_for_colleagues(proj):
    from openpyxl import load_workbook

    assert main(["clean", "medlemsundersoegelse", "--demo"]) == EXIT_OK
    out = proj / "build" / "clean"
    import pandas as pd

    data = pd.read_parquet(out / "medlemsundersoegelse.parquet")
    sheet = load_workbook(out / "medlemsundersoegelse.xlsx", read_only=True)["Data"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == list(data.columns)
    assert sheet.max_row == len(data) + 1
    book = load_workbook(out / "medlemsundersoegelse_ordbog.xlsx", read_only=True)["Ordbog"]
    rows = list(book.iter_rows(values_only=True))
    assert rows[0] == ("Kolonne", "Spørgsmål", "Type", "Svarmuligheder", "Runder")
    assert sorted(r[0] for r in rows[1:]) == sorted(data.columns)  # every column described
    by_col = {r[0]: r for r in rows[1:]}
    assert "rekruttere nye frivillige" in by_col["behov_rekruttering"][1]
    assert "I høj grad" in by_col["behov_rekruttering"][3]


def test_build_warns_when_git_tracks_a_raw_export_or_the_registry(proj, tmp_path):
    from fslt_survey.build import tracked_inputs

    if shutil.which("git") is None:
        pytest.skip("git not installed")
    raw = proj / "surveys" / "medlemsundersoegelse" / "raw" / "2025"
    raw.mkdir(parents=True)
    (raw / "dataset.csv").write_text("a;b\n1;2\n", "utf-8")
    reg = proj / "medlemmer.csv"
    reg.write_text("x\n", "utf-8")
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    p = project.load_project()
    assert tracked_inputs(p, reg) == []
    # forced past .gitignore (git add -f), as happens by mistake
    subprocess.run(["git", "-C", str(proj), "add", "-f", str(raw / "dataset.csv"), str(reg)],
                   check=True)
    assert sorted(tracked_inputs(p, reg)) == [
        "medlemmer.csv",
        "surveys/medlemsundersoegelse/raw/2025/dataset.csv",
    ]


def test_validate_accepts_a_survey_folder(proj, capsys):
    assert main(["validate", "surveys/moedeevaluering"]) == EXIT_OK
    assert "instrument 'moedeevaluering'" in capsys.readouterr().out


def test_data_page_downloads_follow_the_declared_surveys(proj):
    from fslt_survey import report
    from fslt_survey.report.downloads import download_tables

    for name in ("medlemsundersoegelse", "moedeevaluering"):
        assert main(["clean", name, "--demo"]) == EXIT_OK
    tables = download_tables(report.load("data"))
    stem = next(s for s in tables if s.startswith("moedeevaluering_"))
    text, frame = tables[stem]
    assert "basis: deltagere" in text and len(frame) > 0
    # a survey taken out of the declaration is no longer published
    q = proj / "_quarto.yml"
    q.write_text(q.read_text("utf-8").replace(
        "    - name: moedeevaluering\n      unit: deltager\n", ""), "utf-8")
    assert not any(s.startswith("moedeevaluering_") for s in download_tables(report.load("data")))


def test_documents_are_relative_to_the_working_directory_like_quarto(proj, clean_env, capsys):
    clean_env.chdir(proj / "reports")
    assert main(["render", "feedback/feedback.qmd"]) == EXIT_USAGE
    assert "confidential" in capsys.readouterr().err
    assert main(["render", "reports/index.qmd"]) == EXIT_USAGE  # not found from here
    assert "no such document" in capsys.readouterr().err
