"""The analyst's real path from a normal install (issue 14, "Done when").

A wheel of the package is built once per session and installed (not editable) into a fresh
virtual environment; in a copy of the project folder outside the repository, ``fslt-survey
build --demo`` must build the site there and write nothing into site-packages. The new venv
gets the dependencies through a ``.pth`` line to this interpreter's site-packages (no network),
but its own site-packages comes first, so ``fslt_survey`` is the installed wheel.

Slow (about a minute): marked ``slow`` and part of the default run, which CI runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.site_fixture import copy_project

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the package installed from a wheel built from this checkout."""
    base = tmp_path_factory.mktemp("install")
    dist = base / "dist"
    src = base / "src"  # build from a copy: the wheel build writes build/ and *.egg-info
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "_site", ".fslt-cache", "*.egg-info", "__pycache__",
            "tests", "benchmarks", "analyses", ".pytest_cache", ".ruff_cache",
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "-w", str(dist), "--no-deps",
         "-q"],
        check=True,
    )
    wheel = next(dist.glob("fslt_survey-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )
    # the dependencies of this environment, after the new venv's own site-packages
    (purelib / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
         str(wheel)],
        check=True,
    )
    return env_dir


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def _run(env_dir: Path, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FSLT_", "QUARTO_", "PYTHON", "VIRTUAL_ENV"))}
    clean.update(env)
    return subprocess.run(
        [str(env_dir / "bin" / "fslt-survey"), *args],
        cwd=cwd, capture_output=True, text=True, env=clean, timeout=900, check=False,
    )


VOLUNTEER_PAGE = """---
title: "Frivilliges udbytte"
description: "hvad de frivillige får ud af at være med"
---

```{python}
#| output: asis
from fslt_survey import report

r = report.load("frivillige", survey="frivilligundersoegelse")
print(report.data_notice())
print(report.single_block(r, "udbytte", chart=False))
```
"""


def add_volunteer_survey(project: Path) -> None:
    """A new survey with another unit - an instrument, a config entry and a page, no Python:
    the README's "A new survey" steps."""
    name = "frivilligundersoegelse"
    (project / "surveys" / name).mkdir()
    text = (project / "surveys/moedeevaluering/instrument.yml").read_text("utf-8")
    (project / "surveys" / name / "instrument.yml").write_text(
        text.replace("instrument: moedeevaluering", f"instrument: {name}").replace(
            "title: Evaluering af netværksmøde", "title: Frivilligundersøgelsen"
        ),
        "utf-8",
    )
    shutil.copytree(project / "surveys/demo/moedeevaluering", project / "surveys/demo" / name)
    (project / "reports" / "frivillige.qmd").write_text(VOLUNTEER_PAGE, "utf-8")
    qfile = project / "_quarto.yml"
    q = qfile.read_text("utf-8")
    listed = "    - reports/data.qmd\n"
    q = q.replace(listed, listed + "    - reports/frivillige.qmd\n", 1)
    q = q.replace(
        "    - name: moedeevaluering\n      unit: deltager\n",
        f"    - name: moedeevaluering\n      unit: deltager\n    - name: {name}\n"
        "      unit: frivillig\n",
        1,
    )
    qfile.write_text(q, "utf-8")


def test_wheel_install_builds_the_demo_site_in_the_project_folder(installed, tmp_path):
    py = installed / "bin" / "python"
    where = subprocess.run(
        [str(py), "-c", "import fslt_survey; print(fslt_survey.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.strip()
    site_packages = Path(where).resolve().parent.parent
    assert site_packages.is_relative_to(installed), where  # the wheel, not this checkout
    before = _snapshot(site_packages)

    project = copy_project(tmp_path / "mit-projekt")
    add_volunteer_survey(project)
    # outside any project: exit 2 and how to start one
    outside = _run(installed, ["build", "--demo"], cwd=tmp_path)
    assert outside.returncode == 2, outside.stderr
    assert "not inside an fslt-survey project" in outside.stderr
    # real mode without raw exports: exit 3 naming what is missing, no demo fallback
    real = _run(installed, ["build", "--engine", "builtin"], cwd=project / "reports")
    assert real.returncode == 3, real.stderr
    assert "registry" in real.stderr and not (project / "_site").exists()

    done = _run(installed, ["build", "--demo", "--engine", "builtin", "--quiet"],
                cwd=project / "reports")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DEMO" in done.stdout and "found by _quarto.yml above" in done.stdout
    assert (project / "_site" / "reports" / "index.html").is_file() or (
        project / "_site" / "index.html"
    ).is_file()
    assert (project / "build" / "clean" / "medlemsundersoegelse.parquet").is_file()
    assert "fiktive demodata" in (project / "_site" / "reports" / "behov.html").read_text("utf-8")
    # the new survey was cleaned by build and published in its own unit and source
    assert "frivilligundersoegelse:" in done.stdout
    page = (project / "_site" / "reports" / "frivillige.html").read_text("utf-8")
    assert "frivillige, der har svaret" in page and "foreninger, der har svaret" not in page
    assert "frivillige.html" in (project / "_site" / "reports" / "index.html").read_text("utf-8")
    after = _snapshot(site_packages)
    assert after == before, sorted(after - before)[:10]


def test_readme_workflow_real_exports_and_real_registry(installed, tmp_path):
    """The README's workflow on a temporary project: real exports in surveys/<survey>/raw/,
    the real registry outside the project, `fslt-survey build` - real data, no demo notice."""
    project = copy_project(tmp_path / "rigtigt")
    add_volunteer_survey(project)
    for name in ("medlemsundersoegelse", "moedeevaluering", "frivilligundersoegelse"):
        shutil.copytree(project / "surveys/demo" / name, project / "surveys" / name / "raw")
    registry = tmp_path / "sikkert" / "medlemmer.csv"
    registry.parent.mkdir()
    shutil.copy(project / "surveys/members.csv", registry)
    done = _run(installed, ["build", "--engine", "builtin", "--quiet"], cwd=project,
                FSLT_REGISTRY=str(registry))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Data: REAL exports" in done.stdout
    assert "surveys/medlemsundersoegelse/raw/2025" in done.stdout
    for page in ("behov", "opfoelgning", "frivillige"):
        html = (project / "_site" / "reports" / f"{page}.html").read_text("utf-8")
        assert "fiktive demodata" not in html, page
    # demo data never replaces the real clean data
    demo = _run(installed, ["clean", "medlemsundersoegelse", "--demo"], cwd=project)
    assert demo.returncode == 3 and "real exports" in demo.stderr
