"""The analyst's real path (issue 14): the project is found where the analyst stands, real data
never falls back to the demo, confidential outputs stay out of the site, and the CLI's edges.

Each test here failed on the toolkit before the project was found from the working directory
(the root used to be the installed package's parent folder, and build silently used the demo).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fslt_survey import config
from fslt_survey.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_project_env(monkeypatch):
    for var in ("FSLT_PROJECT_ROOT", "QUARTO_PROJECT_DIR", "QUARTO_PROJECT_ROOT", "FSLT_REGISTRY"):
        monkeypatch.delenv(var, raising=False)


def _project(tmp_path: Path, *, demo_data: bool = True) -> Path:
    """A copy of the project's configuration and surveys in a folder outside the repository."""
    root = tmp_path / "projekt"
    root.mkdir()
    shutil.copy(ROOT / "_quarto.yml", root / "_quarto.yml")
    ignore = None if demo_data else shutil.ignore_patterns("demo")
    shutil.copytree(ROOT / "surveys", root / "surveys", ignore=ignore)
    shutil.copytree(ROOT / "reports", root / "reports", ignore=shutil.ignore_patterns("figurer"))
    return root


def test_outside_any_project_the_cli_says_so_with_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--demo"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "not inside an fslt-survey project" in err and "--project-dir" in err
    assert "Traceback" not in err


def test_the_project_is_found_from_a_subfolder_and_paths_follow_the_working_directory(
    tmp_path, monkeypatch
):
    project = _project(tmp_path)
    monkeypatch.chdir(project / "reports")
    root, rule = config.find_project()
    assert root == project and "_quarto.yml" in rule
    assert project / "surveys" == config.SURVEYS_DIR
    assert project / "build" / "clean" == config.CLEAN_DIR
    monkeypatch.chdir(ROOT)  # paths are resolved when used, not at import
    assert config.SURVEYS_DIR == ROOT / "surveys"


@pytest.mark.parametrize("var", ["FSLT_PROJECT_ROOT", "QUARTO_PROJECT_DIR"])
def test_environment_variables_name_the_project(tmp_path, monkeypatch, var):
    project = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(var, str(project))
    root, rule = config.find_project()
    assert root == project and var in rule


def test_project_dir_option_wins_and_is_accepted_after_the_command(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = main(["validate", "medlemsundersoegelse", "--project-dir", str(project), "--debug"])
    assert code == EXIT_OK
    assert "OK - instrument 'medlemsundersoegelse'" in capsys.readouterr().out


def test_documented_raw_and_build_locations_are_ignored_by_git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for rel in (
        "surveys/medlemsundersoegelse/raw/2025/dataset.csv",
        "surveys/moedeevaluering/raw/2026/svar.xlsx",
        "surveys/raw/2025/export.csv",
        "build/clean/medlemsundersoegelse.parquet",
        "build/feedback/F001.pdf",
        "_site/index.html",
    ):
        done = subprocess.run(["git", "check-ignore", "-q", rel], cwd=ROOT, check=False)
        assert done.returncode == 0, f"{rel} is not ignored by git"


def test_a_real_build_without_raw_exports_stops_instead_of_using_the_demo(
    tmp_path, monkeypatch, capsys
):
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    monkeypatch.setenv("FSLT_REGISTRY", str(project / "surveys" / "members.csv"))
    assert main(["build", "--quiet"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "no raw exports" in err and "medlemsundersoegelse/raw" in err and "--demo" in err
    assert not (project / "build" / "clean").exists()
    assert not (project / "_site").exists()


def test_real_exports_without_the_real_registry_are_refused(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    wave = project / "surveys" / "medlemsundersoegelse" / "raw" / "2025"
    wave.mkdir(parents=True)
    for part in (project / "surveys" / "demo" / "medlemsundersoegelse" / "2025").iterdir():
        shutil.copy(part, wave / part.name)
    monkeypatch.chdir(project)
    assert main(["clean", "medlemsundersoegelse"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "real member registry" in err and "FSLT_REGISTRY" in err


def test_a_demo_build_never_overwrites_real_clean_data(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    clean = project / "build" / "clean"
    clean.mkdir(parents=True)
    log = {"sources": [{"file": "surveys/medlemsundersoegelse/raw/2025/dataset.csv"}]}
    (clean / "medlemsundersoegelse_log.json").write_text(json.dumps(log), encoding="utf-8")
    (clean / "medlemsundersoegelse.parquet").write_bytes(b"real clean data")
    monkeypatch.chdir(project)
    assert main(["build", "--demo", "--quiet"]) == EXIT_INPUT
    assert "real exports" in capsys.readouterr().err
    assert (clean / "medlemsundersoegelse.parquet").read_bytes() == b"real clean data"


def test_confidential_documents_are_never_rendered_into_the_site(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = main(["render", "reports/feedback/feedback.qmd", "-P", "forening:F001"])
    assert code == EXIT_USAGE
    assert "fslt-survey feedback" in capsys.readouterr().err
    code = main(["render", "reports/handout/handout.qmd"])
    assert code == EXIT_USAGE
    assert "fslt-survey handouts" in capsys.readouterr().err
    code = main(["feedback", "--forening", "F001", "--out", str(ROOT / "_site" / "fb")])
    assert code == EXIT_INPUT
    assert "never written into the published site" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["render", "reports/findes-ikke.qmd"], "no such document"),
        (["render", "-P", "forening"], "-P key:value"),
    ],
)
def test_usage_mistakes_exit_2(monkeypatch, capsys, argv, message):
    monkeypatch.chdir(ROOT)
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_a_misspelled_survey_lists_the_known_ones(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["validate", "medlemsundersogelse"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "unknown survey 'medlemsundersogelse'" in err
    assert "medlemsundersoegelse, moedeevaluering" in err
    assert main(["validate", "surveys/moedeevaluering"]) == EXIT_OK  # a folder works too


def test_the_demo_notice_comes_from_the_data_not_the_page(tmp_path):
    from fslt_survey.store import clean_mode

    page = (ROOT / "reports" / "opfoelgning.qmd").read_text(encoding="utf-8")
    assert "fiktive demodata" not in page  # the page asks FollowUpPage.demo_note()
    for mode, file in (("demo", "surveys/demo/x/2025/dataset.csv"),
                       ("real", "surveys/medlemsundersoegelse/raw/2025/dataset.csv")):
        folder = tmp_path / mode
        folder.mkdir()
        log = {"sources": [{"file": file}]}
        (folder / "s_log.json").write_text(json.dumps(log), encoding="utf-8")
        assert clean_mode("s", folder) == mode
    assert clean_mode("s", tmp_path) is None
