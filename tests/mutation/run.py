"""Run mutmut one package at a time and print the mutation score per package.

``scripts/mutation`` calls this; it is never part of ``scripts/test`` or CI (a run takes from
minutes to hours on two shared cores). The packages, the files mutated and the tests run for each
are configured in ``pyproject.toml`` under ``[tool.fslt-mutation.packages.<name>]``; the shared
mutmut settings are in ``[tool.mutmut]``. Each package gets its own working folder
``build/mutation/<name>/`` (its own ``mutants/`` and mutmut state, so a test selection for one
package never invalidates the cached results of another; rerunning resumes where it stopped).

Usage::

    scripts/mutation                      # every configured package
    scripts/mutation privacy stats        # some packages
    scripts/mutation followup --mutate 'fslt_survey/followup/feedback.py'   # a documented sample
    scripts/mutation clean --tests 'tests/clean/test_clean*.py' 'tests/test_known_bugs.py'
    scripts/mutation stats --sample 5     # every 5th mutant (by name): the unchecked and the
                                          # survivors are run; the sample's score is printed
    scripts/mutation stats --sample 5 --report   # the sample's score, running nothing
    scripts/mutation privacy --report     # scores and surviving mutants of the last run only
    scripts/mutation privacy --show       # ... plus the diff of every surviving mutant
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What each package's working folder links to (the tests read the instruments, the demo exports
#: and the report sources relative to the project root).
LINKED = ("fslt_survey", "tests", "surveys", "reports", "analyses", "_quarto.yml", "README.md")
#: mutmut's exit codes per mutant (see ``mutmut.stats.status_by_exit_code``).
KILLED = {1, 3}
TIMEOUT = {24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34, 37}


@dataclass(frozen=True)
class Package:
    name: str
    mutate: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass
class Score:
    killed: int = 0
    timeout: int = 0
    survived: int = 0
    no_tests: int = 0
    skipped: int = 0
    other: int = 0
    not_checked: int = 0

    @property
    def checked(self) -> int:
        return self.killed + self.timeout + self.survived + self.no_tests + self.other

    def add(self, code: int | None) -> None:
        """Count one mutant by mutmut's exit code (``None``: not run yet)."""
        if code is None:
            self.not_checked += 1
        elif code in KILLED:
            self.killed += 1
        elif code in TIMEOUT:
            self.timeout += 1
        elif code in SURVIVED:
            self.survived += 1
        elif code in NO_TESTS:
            self.no_tests += 1
        elif code in SKIPPED:
            self.skipped += 1
        else:
            self.other += 1

    @property
    def pct(self) -> float:
        return 100.0 * (self.killed + self.timeout) / self.checked if self.checked else float("nan")


def load_settings(pyproject: Path = ROOT / "pyproject.toml") -> tuple[dict, dict[str, Package]]:
    """The shared ``[tool.mutmut]`` table and the configured packages."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    tool = data.get("tool", {})
    base = dict(tool.get("mutmut", {}))
    packages = {
        name: Package(name, tuple(spec["mutate"]), tuple(spec["tests"]))
        for name, spec in tool.get("fslt-mutation", {}).get("packages", {}).items()
    }
    if not packages:
        raise SystemExit("scripts/mutation: no [tool.fslt-mutation.packages.*] in pyproject.toml")
    return base, packages


def expand(patterns: tuple[str, ...], what: str, package: str) -> list[str]:
    """Project-relative paths matching the glob patterns; an empty match is an error."""
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, root_dir=ROOT, recursive=True))
        matches = [m for m in matches if not m.endswith("__init__.py") or m == pattern]
        found.extend(m for m in matches if m not in found)
    if not found:
        raise SystemExit(f"scripts/mutation: {package}: no {what} match {list(patterns)}")
    return found


def toml_value(value: object) -> str:
    # JSON strings, numbers, booleans and lists of them are valid TOML values.
    return json.dumps(value, ensure_ascii=False)


def workdir_pyproject(base: dict, mutate: list[str], tests: list[str]) -> str:
    """The project's pyproject.toml with ``[tool.mutmut]`` set for one package."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip().startswith(("[tool.mutmut]", "[tool.fslt-mutation"))
        if not skipping:
            kept.append(line)
    settings = dict(base)
    settings["only_mutate"] = mutate
    settings["pytest_add_cli_args_test_selection"] = tests
    table = "\n".join(f"{key} = {toml_value(value)}" for key, value in settings.items())
    return "\n".join(kept).rstrip() + "\n\n[tool.mutmut]\n" + table + "\n"


def prepare(workdir: Path, pyproject: str, fresh: bool) -> None:
    if fresh and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = workdir / name
        if (ROOT / name).exists() and not link.is_symlink():
            link.symlink_to(ROOT / name)
    target = workdir / "pyproject.toml"
    if not target.exists() or target.read_text(encoding="utf-8") != pyproject:
        target.write_text(pyproject, encoding="utf-8")


def score(workdir: Path, mutate: list[str]) -> tuple[Score, list[str]]:
    """Counts from mutmut's per-file result files and the names of the surviving mutants."""
    total = Score()
    survivors: list[str] = []
    for path in mutate:
        meta = workdir / "mutants" / (path + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in sorted(codes.items()):
            total.add(code)
            if code in SURVIVED | NO_TESTS:
                survivors.append(name)
    return total, survivors


def mutant_codes(workdir: Path, mutate: list[str]) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for path in mutate:
        meta = workdir / "mutants" / (path + ".meta")
        if meta.exists():
            codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def sampled(codes: dict[str, int | None], every: int) -> list[str]:
    """The systematic sample: every ``every``-th mutant, sorted by name."""
    return sorted(codes)[::every]


def sample(workdir: Path, mutate: list[str], every: int) -> list[str]:
    """The mutants of the sample (every ``every``-th by name) still to run: those without a
    result and the survivors, which are run again so that tests added since count (a killed
    mutant stays killed).

    The mutants must exist: when they do not, mutmut is run once with a name that matches none,
    which generates them (and collects which tests cover which function) and then stops.
    """
    if not mutant_codes(workdir, mutate):
        run_mutmut(workdir, ["run", "fslt_survey.generate-only.*"])
    codes = mutant_codes(workdir, mutate)
    again = SURVIVED | NO_TESTS
    return [n for n in sampled(codes, every) if codes[n] is None or codes[n] in again]


def score_of(codes: dict[str, int | None], names: list[str]) -> Score:
    """The score of the named mutants only (e.g. a sample)."""
    total = Score()
    for name in names:
        total.add(codes.get(name))
    return total


def run_mutmut(workdir: Path, args: list[str]) -> int:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.call([sys.executable, "-m", "mutmut", *args], cwd=workdir, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n")[0])
    parser.add_argument("packages", nargs="*", help="configured package names (default: all)")
    parser.add_argument("--mutate", nargs="+", help="override the files mutated (globs)")
    parser.add_argument("--tests", nargs="+", help="override the test files run (globs)")
    parser.add_argument("--mutants", nargs="+", default=[], help="only these mutant names/globs")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="a systematic sample: every N-th mutant by name (those not yet "
                        "checked and the survivors are run; the score is the sample's)")
    parser.add_argument("--max-children", type=int, default=1, help="parallel workers (default 1)")
    parser.add_argument("--fresh", action="store_true", help="forget the previous run's results")
    parser.add_argument("--report", action="store_true", help="only print the last run's scores")
    parser.add_argument("--show", action="store_true", help="print each surviving mutant's diff")
    args = parser.parse_args(argv)

    base, packages = load_settings()
    unknown = [p for p in args.packages if p not in packages]
    if unknown:
        parser.error(f"unknown package(s) {unknown}; configured: {sorted(packages)}")
    chosen = [packages[p] for p in args.packages] if args.packages else list(packages.values())
    root_of_work = ROOT / "build" / "mutation"

    lines = []
    status = 0
    for package in chosen:
        mutate = expand(tuple(args.mutate or package.mutate), "source files", package.name)
        tests = expand(tuple(args.tests or package.tests), "test files", package.name)
        workdir = root_of_work / package.name
        if not args.report:
            prepare(workdir, workdir_pyproject(base, mutate, tests), args.fresh)
            print(f"== {package.name}: mutating {len(mutate)} file(s), running {tests}", flush=True)
            names = list(args.mutants)
            if args.sample:
                names = sample(workdir, mutate, args.sample)
            # mutmut forgets, when it starts, the results of functions whose tests changed, so a
            # sample is run again until none of its mutants is left unchecked
            for _ in range(3 if args.sample else 1):
                if args.sample:
                    print(f"== {package.name}: {len(names)} mutants of the sample to run",
                          flush=True)
                    if not names:
                        break
                code = run_mutmut(
                    workdir, ["run", "--max-children", str(args.max_children), *names]
                )
                status = status or code
                if args.sample:
                    codes = mutant_codes(workdir, mutate)
                    names = [n for n in sampled(codes, args.sample) if codes[n] is None]
        result, survivors = score(workdir, mutate)
        if args.sample:
            codes = mutant_codes(workdir, mutate)
            names = sampled(codes, args.sample)
            result = score_of(codes, names)
            survivors = [n for n in names if codes[n] in SURVIVED | NO_TESTS]
        if args.show and survivors:
            for name in survivors:
                run_mutmut(workdir, ["show", name])
        elif survivors:
            print(f"-- {package.name}: surviving mutants (scripts/mutation {package.name} "
                  "--report --show for the diffs):")
            print("\n".join(f"   {name}" for name in survivors))
        what = f"sample 1/{args.sample} of {len(mutant_codes(workdir, mutate))}" if (
            args.sample) else "all mutants"
        lines.append(
            f"{package.name:<10} {what}: {result.pct:5.1f} %  killed {result.killed}, timeout "
            f"{result.timeout}, survived {result.survived}, no tests {result.no_tests}, "
            f"skipped {result.skipped}, not checked {result.not_checked}"
        )
    print("\nmutation score (killed + timeout) / checked, per package:")
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
