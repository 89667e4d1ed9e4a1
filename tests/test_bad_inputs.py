"""The corpus of bad and awkward inputs in ``tests/data/bad/`` (its README holds the table).

Every entry runs through the library (``read_export`` + ``clean_exports`` against the member
survey and the registry) and through the CLI (``fslt-survey clean`` on a raw folder holding just
that file). The outcome is the table's: a ``SurveyDataError`` naming file, row and column (CLI:
exit code 3 and one message, never a traceback), or an import whose log accounts for every raw
record (CLI: exit code 0 and the same numbers). The table is parsed from the README, so the
documentation and the test cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from fslt_survey import config
from fslt_survey.clean import clean_exports
from fslt_survey.cli import EXIT_INPUT, EXIT_OK, main
from fslt_survey.errors import SurveyDataError
from fslt_survey.ingest import read_export
from tests.conftest import ROOT

BAD = ROOT / "tests" / "data" / "bad"
README = BAD / "README.md"
NOT_CORPUS = {"README.md", "make_corpus.py", "__pycache__"}
#: Entries the test generates instead of committing (name -> make_corpus function).
GENERATED = {"rows_100k.csv": "write_rows_100k"}

_ROW_RE = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|(?P<what>.*)\|\s*(?P<expected>[^|]+?)\s*\|$")
_ERROR_RE = re.compile(
    r"^error: `(?P<message>[^`]+)`(?: row=(?P<row>\d+))?(?: column=`(?P<column>[^`]+)`)?$"
)
_IMPORT_RE = re.compile(
    r"^import: rows_in=(?P<rows_in>\d+) kept=(?P<kept>\d+) excluded=(?P<excluded>\d+)"
    r"(?: unknown=(?P<unknown>\d+))?(?: out_of_range=(?P<out_of_range>\d+))?$"
)


@dataclass(frozen=True)
class Case:
    file: str
    what: str
    error: str | None = None
    row: int | None = None
    column: str | None = None
    rows_in: int = 0
    kept: int = 0
    excluded: int = 0
    unknown: int = 0
    out_of_range: int = 0

    @property
    def name(self) -> str:
        return self.file.rstrip("/")


def load_cases(readme: Path = README) -> list[Case]:
    """The table of the corpus README, one :class:`Case` per row (a malformed row fails)."""
    cases = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = _ROW_RE.match(line.strip())
        if m is None:
            continue
        expected = m["expected"]
        err, imp = _ERROR_RE.match(expected), _IMPORT_RE.match(expected)
        assert err or imp, f"README row for {m['file']}: cannot read {expected!r}"
        if err:
            cases.append(Case(m["file"], m["what"].strip(), err["message"],
                              int(err["row"]) if err["row"] else None, err["column"]))
        else:
            assert imp is not None
            cases.append(Case(m["file"], m["what"].strip(), **{
                k: int(v) for k, v in imp.groupdict().items() if v is not None}))
    return cases


CASES = load_cases()


def test_the_table_lists_every_file_once_and_at_least_40():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "a file is listed twice"
    on_disk = {p.name for p in BAD.iterdir()} - NOT_CORPUS
    assert on_disk == set(names) - set(GENERATED), "README table and folder differ"
    assert len(CASES) >= 40
    assert sum(c.error is not None for c in CASES) >= 15
    assert sum(c.error is None for c in CASES) >= 15


def test_the_corpus_stays_small():
    size = sum(p.stat().st_size for p in BAD.rglob("*") if p.is_file())
    assert size < 2_000_000


# --------------------------------------------------------------------------- helpers


def _sha(path: Path) -> dict[str, str]:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


class Generated:
    """The entries made on demand (once per module) with ``make_corpus.py``."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.made = folder, {}

    def __contains__(self, name: str) -> bool:
        return name in GENERATED

    def __getitem__(self, name: str) -> Path:
        if name not in self.made:
            sys.path.insert(0, str(BAD))
            try:
                import make_corpus
            finally:
                sys.path.remove(str(BAD))
            self.made[name] = getattr(make_corpus, GENERATED[name])(self.folder / name)
        return self.made[name]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Generated:
    return Generated(tmp_path_factory.mktemp("generated"))


def corpus_path(case: Case, generated: Generated) -> Path:
    return generated[case.name] if case.name in generated else BAD / case.name


def names_the_file(exc: SurveyDataError, path: Path) -> bool:
    """The error's file is the corpus file, or (a SurveyXact folder) a file inside it."""
    if exc.file is None:
        return False
    f = Path(exc.file).resolve()
    return f == path.resolve() or path.resolve() in f.parents


def run_library(path: Path, instrument, registry):
    raw = read_export(path)
    return raw, clean_exports(instrument, [(raw, 2025)], registry)


def raw_folder(tmp_path: Path, path: Path) -> Path:
    wave = tmp_path / "raw" / "2025"
    wave.mkdir(parents=True)
    for src in sorted(path.iterdir()) if path.is_dir() else [path]:
        shutil.copyfile(src, wave / src.name)
    return tmp_path / "raw"


def cli_args(raw: Path, out: Path) -> list[str]:
    return ["clean", "medlemsundersoegelse", "--raw", str(raw), "--out", str(out),
            "--registry", str(ROOT / "surveys" / "members.csv")]


def start_cli_process(raw: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "fslt_survey.cli", *cli_args(raw, out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


# --------------------------------------------------------------------------- the corpus


def check_library(case: Case, path: Path, instrument, registry) -> None:
    if case.error is not None:
        with pytest.raises(SurveyDataError, match=re.escape(case.error)) as info:
            run_library(path, instrument, registry)
        exc = info.value
        assert case.error in str(exc), str(exc)
        assert names_the_file(exc, path), f"error names {exc.file!r}, not {path}"
        if case.row is not None:
            assert exc.row == case.row, str(exc)
        if case.column is not None:
            assert exc.column == case.column, str(exc)
        return
    raw, result = run_library(path, instrument, registry)
    log = result.log
    got = (log.rows_in, log.rows_kept, log.rows_excluded, len(log.unknown_values),
           len(log.out_of_range))
    want = (case.rows_in, case.kept, case.excluded, case.unknown, case.out_of_range)
    assert got == want, f"(rows_in, kept, excluded, unknown, out_of_range) = {got}"
    assert log.rows_in == log.rows_kept + log.rows_excluded == len(raw.frame)
    # every raw record is either a kept row or an exclusion, exactly once
    kept = result.data["row"].astype(int).tolist()
    excluded = [e["row"] for e in log.exclusions]
    assert sorted(kept + excluded) == sorted(raw.row_numbers)
    for u in log.unknown_values + log.out_of_range:
        assert u["row"] in raw.row_numbers and u["column"] in raw.frame.columns
    assert log.sources[0]["notes"] == raw.notes  # what the reader handled is in the log


def check_cli_result(case: Case, code: int, out: str, err: str, out_dir: Path,
                     path: Path) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    if case.error is not None:
        assert code == EXIT_INPUT, (code, err)
        assert err.startswith("fslt-survey: error: ") and err.count("fslt-survey:") == 1, err
        assert len(err) < 700, err
        assert case.error in err
        inner = [p.name for p in path.iterdir()] if path.is_dir() else [path.name]
        assert any(name in err for name in inner), err
        if case.row is not None:
            assert f"row {case.row}" in err
        if case.column is not None:
            assert repr(case.column) in err
        assert not out_dir.exists() or not any(out_dir.iterdir())
        return
    assert code == EXIT_OK, (code, err)
    assert f"Rows in: {case.rows_in}; kept: {case.kept}; excluded: {case.excluded}" in out
    log = json.loads((out_dir / "medlemsundersoegelse_log.json").read_text(encoding="utf-8"))
    assert (log["rows_in"], log["rows_kept"], log["rows_excluded"]) == (
        case.rows_in, case.kept, case.excluded)
    assert log["rows_in"] == log["rows_kept"] + log["rows_excluded"]
    assert len(log["unknown_values"]) == case.unknown
    assert len(log["out_of_range"]) == case.out_of_range
    table = pd.read_parquet(out_dir / "medlemsundersoegelse.parquet")
    assert len(table) == case.kept


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case, tmp_path, capsys, member_instrument, registry, generated):
    path = corpus_path(case, generated)
    before = _sha(path)
    raw = raw_folder(tmp_path, path)
    out_dir = tmp_path / "out"
    big = case.name in generated
    # the big file: the CLI runs in a subprocess while the library runs here (two cores)
    proc = start_cli_process(raw, out_dir) if big else None
    try:
        check_library(case, path, member_instrument, registry)
    finally:
        if proc is not None and sys.exc_info()[0] is not None:
            proc.kill()
            proc.wait()
    if proc is not None:
        out, err = proc.communicate(timeout=600)
        code = proc.returncode
    else:
        capsys.readouterr()
        code = main(cli_args(raw, out_dir))
        out, err = capsys.readouterr()
    check_cli_result(case, code, out, err, out_dir, path)
    assert _sha(path) == before, "a raw input changed"


# --------------------------------------------------------------------------- details


def test_danish_numbers_and_dates_are_read_the_danish_way(member_instrument, registry):
    _, result = run_library(BAD / "danish_dates_decimal_comma.csv", member_instrument, registry)
    data = result.data.set_index("row").sort_index()
    assert data["medlemmer"].tolist() == [1200.0, 1200.0, 1200.0, 45.0]
    assert data["frivillige"].tolist() == [12.5, 3.0, 0.5, 7.0]
    assert data["submitted"].tolist()[:3] == [
        pd.Timestamp("2025-12-31 14:05"), pd.Timestamp("2025-02-01 08:00"),
        pd.Timestamp("2025-02-03")]
    assert pd.isna(data.loc[5, "submitted"])


def test_unknown_values_are_listed_with_file_row_column(member_instrument, registry):
    _, result = run_library(BAD / "unknown_labels.csv", member_instrument, registry)
    found = {(u["row"], u["column"], u["value"]) for u in result.log.unknown_values}
    assert found == {(2, "s_6_1", "Meget høj grad"), (3, "s_1", "Kasser"), (4, "s_6_2", "7")}
    assert all(u["file"].endswith("unknown_labels.csv") for u in result.log.unknown_values)
    reasons = result.data.set_index("row")
    assert reasons.loc[2, "behov_rekruttering__missing"] == config.INVALID_ANSWER
    with pytest.raises(SurveyDataError, match="3 unknown or invalid"):
        clean_exports(member_instrument, [(read_export(BAD / "unknown_labels.csv"), 2025)],
                      registry, policy="fail")


def test_out_of_range_and_typed_missing_in_a_number_field(member_instrument, registry):
    _, result = run_library(BAD / "out_of_range_numbers.csv", member_instrument, registry)
    data = result.data.set_index("row")
    assert data["medlemmer"].isna().all()
    assert data.loc[5, "medlemmer__missing"] == "Ved ikke"
    assert {u["value"] for u in result.log.out_of_range} == {"-5", "999999"}
    assert result.log.unknown_values[0]["value"] == "mange"


def test_exclusions_have_their_reasons(member_instrument, registry):
    _, result = run_library(BAD / "tests_duplicates_nonmembers.csv", member_instrument,
                            registry)
    reasons = {e["row"]: e["reason"] for e in result.log.exclusions}
    assert reasons == {2: "duplicate", 4: "test", 5: "not_member", 6: "blank"}
    assert "1 empty row(s) skipped: rows 7" in result.log.sources[0]["notes"]


def test_unknown_option_column_is_listed_not_dropped(member_instrument, registry):
    _, result = run_library(BAD / "sx_unknown_option", member_instrument, registry)
    assert {(u["column"], u["item"]) for u in result.log.unknown_values} == {
        ("s_7_99", "kendskab_tilbud")}


def test_long_cells_survive_whole(member_instrument, registry):
    raw, result = run_library(BAD / "very_long_cell.csv", member_instrument, registry)
    assert len(raw.frame.loc[0, "s_31"]) == 150_000
    assert result.data["stoerste_udfordring"].str.len().max() == 150_000


def test_title_rows_and_notes_sheet_are_noted(member_instrument, registry):
    raw = read_export(BAD / "title_rows_above_header.xlsx")
    assert raw.row_numbers == [5, 6, 7, 8]
    assert any("title row(s) above the header" in n for n in raw.notes)
    raw = read_export(BAD / "data_on_second_sheet.xlsx")
    assert raw.provenance.sheets == ("Svar",)
    assert any("'Om udtrækket' skipped" in n for n in raw.notes)


def test_cli_debug_adds_the_traceback_and_bugs_exit_1(tmp_path, capsys, monkeypatch):
    raw = raw_folder(tmp_path, BAD / "empty.csv")
    assert main(["--debug", *cli_args(raw, tmp_path / "out")]) == EXIT_INPUT
    assert "Traceback" in capsys.readouterr().err

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("fslt_survey.pipeline.clean_directory", boom)
    raw2 = raw_folder(tmp_path / "b", BAD / "header_only.csv")
    assert main(cli_args(raw2, tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err and "--debug" in err


def test_exit_codes_are_documented():
    import fslt_survey.cli as cli

    doc = cli.__doc__ or ""
    for code in (cli.EXIT_OK, cli.EXIT_BUG, cli.EXIT_USAGE, cli.EXIT_INPUT, cli.EXIT_RENDER,
                 cli.EXIT_INTERRUPT):
        assert re.search(rf"^{code}\s+\S", doc, re.MULTILINE), code
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("`0`", "`1`", "`2`", "`3`", "`4`"):
        assert code in readme


def test_cli_usage_error_is_exit_2(capsys):
    with pytest.raises(SystemExit, match=r"^2$") as info:
        main(["clean", "--no-such-option"])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
