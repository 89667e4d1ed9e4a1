"""Finding the exports below a raw folder: nothing read silently wrong, nothing skipped silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fslt_survey.clean import clean_directory
from fslt_survey.cli import main
from fslt_survey.errors import ReadError, SurveyDataError
from fslt_survey.ingest import EXPORT_SUFFIXES, SX_PARTS, find_exports, read_export
from fslt_survey.ingest.readers import detect_format
from tests.conftest import ROOT

BAD = ROOT / "tests" / "data" / "bad"
CSV = (BAD / "cp1252_semicolon.csv").read_bytes()  # 4 members' answers, cp1252, ";"


def _folder(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "2025").mkdir(parents=True)
    (raw / "2025" / "svar.csv").write_bytes(CSV)
    return raw


def test_every_ending_read_export_reads_is_found(tmp_path):
    raw = _folder(tmp_path)
    for ending in (".tsv", ".tab", ".txt"):
        (raw / "2025" / f"svar{ending}").write_bytes(CSV.replace(b";", b"\t"))
    (raw / "2025" / "gammel.xls").write_bytes((BAD / "legacy_excel97.xlsx").read_bytes())
    found = find_exports(raw)
    names = sorted(p.name for _, p in found.exports)
    assert names == ["gammel.xls", "svar.csv", "svar.tab", "svar.tsv", "svar.txt"]
    assert found.ignored == []
    for _, path in found.exports:  # every one of them is one read_export takes
        if path.suffix != ".xls":
            assert len(read_export(path).frame) == 4
    with pytest.raises(ReadError, match="legacy Excel 97-2003"):  # read, and refused clearly
        read_export(raw / "2025" / "gammel.xls")
    assert {".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".xls", ".sav"} <= EXPORT_SUFFIXES


def test_loose_files_odd_folders_and_notes_are_reported_not_read(tmp_path, member_instrument,
                                                                 registry):
    raw = _folder(tmp_path)
    (raw / "gammel_eksport.csv").write_bytes(CSV)  # loose, directly in raw/
    (raw / "2026-foraar").mkdir()  # not a wave year
    (raw / "2026-foraar" / "svar.csv").write_bytes(CSV)
    (raw / "2025" / "noter.txt").write_text("Husk at rykke Skakklubben.\nSendt 3. marts.\n",
                                            encoding="utf-8")
    (raw / "2025" / "billede.png").write_bytes(b"\x89PNG\r\n")
    (raw / "2025" / ".DS_Store").write_bytes(b"x")  # hidden: not worth a word
    found = find_exports(raw)
    assert [p.name for _, p in found.exports] == ["svar.csv"]
    got = {Path(f["file"]).name: f["reason"] for f in found.ignored}
    assert got == {
        "gammel_eksport.csv": "not in a wave folder (raw/<year>/)",
        "2026-foraar": "folder name is not a wave year",
        "noter.txt": "a text file without a table (notes?)",
        "billede.png": "not an export file ending",
    }
    result = clean_directory(member_instrument, raw, registry)
    log = result.log
    assert log.rows_in == 4  # noter.txt is not a 0-row export
    assert [Path(f["file"]).name for f in log.ignored_files] == list(got)
    summary = log.summary("en")
    assert "Warning: Not read: " in summary and "noter.txt" in summary
    assert "Ikke læst: " in log.summary("da") and "2026-foraar" in log.summary("da")
    assert log.to_dict()["ignored_files"] == log.ignored_files


def test_notes_txt_next_to_a_surveyxact_trio(tmp_path, member_instrument, registry):
    raw = tmp_path / "raw"
    shutil.copytree(BAD / "sx_real_invitees", raw / "2025")
    (raw / "2025" / "noter.txt").write_text("Eksporteret 20. marts\n", encoding="utf-8")
    found = find_exports(raw)
    assert [p.name for _, p in found.exports] == ["dataset.csv"]
    assert len(SX_PARTS) == 3 and detect_format(raw / "2025" / "dataset.csv") == "surveyxact"
    assert clean_directory(member_instrument, raw, registry).log.rows_in == 10


def test_only_unreadable_files_is_no_export(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2025").mkdir(parents=True)
    (raw / "2025" / "noter.txt").write_text("bare noter\n", encoding="utf-8")
    with pytest.raises(SurveyDataError, match="no raw exports found"):
        find_exports(raw)


def test_header_without_rows_warns(tmp_path, member_instrument, registry, capsys):
    raw = tmp_path / "raw"
    (raw / "2025").mkdir(parents=True)
    shutil.copy(BAD / "header_only.csv", raw / "2025" / "svar.csv")
    log = clean_directory(member_instrument, raw, registry).log
    assert log.warnings("en")[0] == f"0 responses in {log.sources[0]['file']}"
    assert log.warnings("da")[0] == f"0 besvarelser i {log.sources[0]['file']}"
    assert main(["clean", "medlemsundersoegelse", "--raw", str(raw), "--out",
                 str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    assert "0 responses in" in out.out + out.err


@pytest.mark.parametrize("name", ["blank_first_line.csv", "unrelated_table.csv"])
def test_files_matching_nothing_are_refused_with_one_message(tmp_path, capsys, name):
    raw = tmp_path / "raw"
    (raw / "2025").mkdir(parents=True)
    shutil.copy(BAD / name, raw / "2025" / name)
    code = main(["clean", "medlemsundersoegelse", "--raw", str(raw), "--out",
                 str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3
    assert name in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) <= 2
