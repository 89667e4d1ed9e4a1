"""As a user installs it: a built wheel in a fresh virtual environment, run in a copy of the
project folder outside the repository (issue 14's "done when").

Before the project was found from the working directory, this build failed with "instrument file
not found" under site-packages, and ``render`` wrote ``_site/`` into site-packages.
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

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    """A fresh venv with the toolkit installed from a freshly built wheel (its dependencies are
    taken from the test environment, so nothing is downloaded)."""
    work = tmp_path_factory.mktemp("install")
    dist = work / "dist"
    source = work / "source"  # build from a copy: setuptools writes build/ into the source
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "fslt_survey", source / "fslt_survey",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(dist), str(source)],
        check=True,
        cwd=work,
    )
    wheel = next(dist.glob("fslt_survey-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )
    # the dependencies come from the test environment's site-packages (a path line: its .pth
    # files, such as the editable install of this repository, are not processed)
    (purelib / "zz_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
         str(wheel)],
        check=True,
    )
    return env_dir


def _copy_project(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(ROOT / "_quarto.yml", dest / "_quarto.yml")
    skip = shutil.ignore_patterns("figurer", "downloads", "__pycache__")
    for folder in ("surveys", "reports"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=skip)
    return dest


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_wheel_install_builds_the_demo_site_in_a_project_elsewhere(wheel_env, tmp_path):
    py = wheel_env / "bin" / "python"
    where = subprocess.run(
        [str(py), "-c", "import fslt_survey; print(fslt_survey.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.strip()
    installed = Path(where).parent
    assert wheel_env in installed.parents  # the wheel's copy, not the repository's
    before = _snapshot(installed)
    project = _copy_project(tmp_path / "projekt")
    env = {k: v for k, v in os.environ.items()
           if k not in ("FSLT_PROJECT_ROOT", "QUARTO_PROJECT_DIR", "FSLT_REGISTRY")}
    done = subprocess.run(
        [str(wheel_env / "bin" / "fslt-survey"), "build", "--demo", "--quiet",
         "--engine", "builtin"],
        cwd=project / "reports",  # from a subfolder, as with Quarto
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "fictional demo data" in done.stdout
    assert (project / "_site" / "index.html").is_file() or (
        project / "_site" / "reports" / "index.html"
    ).is_file()
    assert (project / "build" / "clean" / "medlemsundersoegelse.parquet").is_file()
    assert _snapshot(installed) - before <= {
        p for p in _snapshot(installed) if "__pycache__" in p
    }, "the tool wrote into its installed package"
    # outside any project the installed command refuses, with exit 2
    outside = subprocess.run(
        [str(wheel_env / "bin" / "fslt-survey"), "build", "--demo"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert outside.returncode == 2 and "not inside an fslt-survey project" in outside.stderr
