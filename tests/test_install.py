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
    after = _snapshot(site_packages)
    assert after == before, sorted(after - before)[:10]
