"""One build of the demo site per test session, for every test that checks the rendered pages.

Import the fixtures into a test module, or into ``conftest.py`` to share one build between all
modules (``tests/test_site.py``, ``tests/test_accessibility.py``)::

    from tests.site_fixture import site_dir, site_project, site_render  # noqa: F401

The Quarto project (``_quarto.yml``, ``reports/``, ``surveys/``) is copied to a temporary
folder, the bundled demo exports are cleaned into the copy's ``build/clean/`` and the site is
rendered there with the built-in engine. Nothing in the working tree is written (not
``build/clean/``, ``_site/``, ``reports/figurer/`` nor the render cache), so the tests do not race
with a build someone runs at the same time, and they always execute every page.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fslt_survey.render import RenderResult

ROOT = Path(__file__).resolve().parent.parent
#: Generated next to the sources; never copied.
_GENERATED = ("figurer", "downloads", "*_files", ".quarto", "__pycache__", "raw", "*.html", "*.pdf")


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """The Quarto project without outputs: ``_quarto.yml`` (+ ``_variables.yml``), ``reports/``
    and ``surveys/``."""
    dest.mkdir(parents=True)
    for name in ("_quarto.yml", "_variables.yml"):
        if (root / name).exists():
            shutil.copy2(root / name, dest / name)
    ignore = shutil.ignore_patterns(*_GENERATED)
    for folder in ("reports", "surveys"):
        shutil.copytree(root / folder, dest / folder, ignore=ignore)
    return dest


def build_demo_site(project: Path, engine: str = "builtin") -> RenderResult:
    """``fslt-survey build`` inside ``project``: clean the demo exports, render the site."""
    from fslt_survey.build import clean_all
    from fslt_survey.render import render_project

    clean_all(project / "build" / "clean", demo=True)
    old = os.environ.get("FSLT_PROJECT_ROOT")
    os.environ["FSLT_PROJECT_ROOT"] = str(project)  # the kernels read the copy's data
    try:
        return render_project(project, engine=engine, output_dir=project / "_site", progress=False)
    finally:
        if old is None:
            os.environ.pop("FSLT_PROJECT_ROOT", None)
        else:
            os.environ["FSLT_PROJECT_ROOT"] = old


@pytest.fixture(scope="session")
def site_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the project (sources only) for the session's site build."""
    return copy_project(tmp_path_factory.mktemp("demo-site") / "project")


@pytest.fixture(scope="session")
def site_render(site_project: Path) -> RenderResult:
    """The demo site, cleaned and rendered once per session."""
    return build_demo_site(site_project)


@pytest.fixture(scope="session")
def site_dir(site_render: RenderResult) -> Path:
    """The folder holding the rendered demo site (what ``fslt-survey build`` puts in ``_site/``)."""
    return Path(site_render.output_dir)
