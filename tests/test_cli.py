from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fslt_survey.cli import EXIT_INPUT, EXIT_OK, EXIT_RENDER, EXIT_USAGE, main
from tests.conftest import MEMBER_INSTRUMENT


def test_validate_ok(capsys):
    assert main(["validate", str(MEMBER_INSTRUMENT)]) == EXIT_OK
    assert "OK" in capsys.readouterr().out


def test_validate_bad_instrument_names_file_and_item(tmp_path, capsys):
    bad = tmp_path / "instrument.yml"
    text = MEMBER_INSTRUMENT.read_text(encoding="utf-8").replace("scale: grad", "scale: gard", 1)
    bad.write_text(text, encoding="utf-8")
    assert main(["validate", str(bad)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert str(bad) in err and "unknown scale 'gard'" in err and "item " in err
    assert "Traceback" not in err


def test_clean_demo_writes_tables_and_log(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["clean", "medlemsundersoegelse", "--demo", "--out", str(out)])
    assert code == EXIT_OK
    stdout = capsys.readouterr().out
    assert "Rows in:" in stdout and "warning:" in stdout
    for name in (
        "medlemsundersoegelse.parquet",
        "medlemsundersoegelse.csv",
        "medlemsundersoegelse_log.json",
        "medlemsundersoegelse_log.txt",
    ):
        assert (out / name).stat().st_size > 0
    log = json.loads((out / "medlemsundersoegelse_log.json").read_text(encoding="utf-8"))
    assert log["rows_in"] == log["rows_kept"] + log["rows_excluded"]


def test_clean_strict_refuses_unknown_values(tmp_path, capsys):
    code = main(["clean", "medlemsundersoegelse", "--demo", "--strict", "--out", str(tmp_path)])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Meget høj grad" in err and "row " in err and "column " in err
    assert not (tmp_path / "medlemsundersoegelse.parquet").exists()


def test_clean_bad_raw_file_is_one_clear_message(tmp_path, capsys):
    wave = tmp_path / "raw" / "2025"
    wave.mkdir(parents=True)
    (wave / "svar.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    code = main(
        [
            "clean",
            str(MEMBER_INSTRUMENT.parent),
            "--raw",
            str(tmp_path / "raw"),
            "--out",
            str(tmp_path / "out"),
            "--registry",
            str(MEMBER_INSTRUMENT.parent.parent / "members.csv"),
        ]
    )
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "svar.xlsx" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3


def test_clean_without_raw_folder_explains(tmp_path, capsys):
    survey = tmp_path / "s"
    survey.mkdir()
    shutil.copy(MEMBER_INSTRUMENT, survey / "instrument.yml")
    assert main(["clean", str(survey), "--out", str(tmp_path / "o")]) == EXIT_INPUT
    assert "--demo" in capsys.readouterr().err


def test_render_with_missing_quarto_is_a_render_error(capsys):
    if shutil.which("quarto"):
        pytest.skip("Quarto is installed here")
    assert main(["render", "--engine", "quarto"]) == EXIT_RENDER
    assert "Quarto is not installed" in capsys.readouterr().err


def test_bad_parameter_and_usage(capsys):
    assert main(["render", "-P", "novalue"]) == EXIT_USAGE
    assert "key:value" in capsys.readouterr().err
    assert main([]) == EXIT_USAGE
    with pytest.raises(SystemExit, match=r"^2$") as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_console_script_runs_without_traceback(tmp_path):
    """The installed command itself: a bad file gives exit 3 and one message on stderr."""
    script = Path(sys.executable).with_name("fslt-survey")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "fslt_survey.cli"]
    missing = tmp_path / "none.yml"
    proc = subprocess.run(
        [*cmd, "validate", str(missing)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == EXIT_INPUT
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_demo_data_uses_the_demo_registry_and_real_data_the_configured_one(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("FSLT_REGISTRY", str(tmp_path / "real-members.csv"))
    # the demo exports belong to the fictional registry, whatever FSLT_REGISTRY says
    assert main(["clean", "medlemsundersoegelse", "--demo", "--out", str(tmp_path)]) == EXIT_OK
    # real data is linked to the configured registry: here it is missing, and the error says so
    raw = tmp_path / "raw" / "2025"
    raw.mkdir(parents=True)
    shutil.copy(MEMBER_INSTRUMENT, tmp_path / "instrument.yml")
    code = main(["clean", str(tmp_path), "--raw", str(tmp_path / "raw"), "--out", str(tmp_path)])
    assert code == EXIT_INPUT
    assert "real-members.csv" in capsys.readouterr().err
