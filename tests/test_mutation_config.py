"""The mutation-testing setup (``scripts/mutation``, ``tests/mutation/run.py``): configured for
every package the README names, each with tests that exist, and never run by CI."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from tests.mutation.run import (
    ROOT,
    expand,
    load_settings,
    sample,
    score,
    score_of,
    workdir_pyproject,
)

PACKAGES = {"ingest", "clean", "privacy", "stats", "followup"}


def test_every_package_has_source_and_tests() -> None:
    base, packages = load_settings()
    assert set(packages) == PACKAGES
    assert base["source_paths"] == ["fslt_survey/"]
    for package in packages.values():
        mutate = expand(package.mutate, "source files", package.name)
        tests = expand(package.tests, "test files", package.name)
        assert all(m.startswith(f"fslt_survey/{package.name}/") for m in mutate), mutate
        assert all(Path(t).name.startswith("test_") and (ROOT / t).is_file() for t in tests), tests
    assert "tests/test_known_bugs.py" in expand(packages["clean"].tests, "tests", "clean")


def test_the_generated_mutmut_config_selects_one_package() -> None:
    base, _ = load_settings()
    text = workdir_pyproject(base, ["fslt_survey/stats/waves.py"], ["tests/stats/test_waves.py"])
    data = tomllib.loads(text)
    assert data["tool"]["mutmut"]["only_mutate"] == ["fslt_survey/stats/waves.py"]
    assert data["tool"]["mutmut"]["pytest_add_cli_args_test_selection"] == [
        "tests/stats/test_waves.py"]
    assert "fslt-mutation" not in data["tool"]
    assert data["tool"]["pytest"] == tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]


def test_scores_and_samples_come_from_mutmut_result_files(tmp_path: Path) -> None:
    meta = tmp_path / "mutants" / "fslt_survey" / "stats" / "x.py.meta"
    meta.parent.mkdir(parents=True)
    codes = {"m.a__mutmut_1": 1, "m.a__mutmut_2": 0, "m.a__mutmut_3": None,
             "m.a__mutmut_4": 33, "m.a__mutmut_5": 36, "m.a__mutmut_6": 34}
    meta.write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    result, survivors = score(tmp_path, ["fslt_survey/stats/x.py"])
    assert (result.killed, result.survived, result.not_checked, result.no_tests,
            result.timeout, result.skipped) == (1, 1, 1, 1, 1, 1)
    assert result.pct == 50.0  # (killed + timeout) / (killed + timeout + survived + no tests)
    assert survivors == ["m.a__mutmut_2", "m.a__mutmut_4"]
    # the sample runs the unchecked and, again, the survivors (tests may have been added)
    assert sample(tmp_path, ["fslt_survey/stats/x.py"], 1) == [
        "m.a__mutmut_2", "m.a__mutmut_3", "m.a__mutmut_4"]
    assert sample(tmp_path, ["fslt_survey/stats/x.py"], 2) == ["m.a__mutmut_3"]
    sampled_score = score_of(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"],
                             ["m.a__mutmut_1", "m.a__mutmut_3", "m.a__mutmut_5"])
    assert (sampled_score.killed, sampled_score.timeout, sampled_score.not_checked) == (1, 1, 1)
    assert sampled_score.pct == 100.0


def test_mutation_runs_outside_ci() -> None:
    script = ROOT / "scripts" / "mutation"
    assert script.is_file() and os.access(script, os.X_OK)
    for runner in ("scripts/test", ".ci/run"):
        text = (ROOT / runner).read_text(encoding="utf-8")
        assert "mutation" not in text and "mutmut" not in text, runner
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("mutmut") for d in dev["project"]["optional-dependencies"]["dev"])
