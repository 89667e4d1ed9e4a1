"""Durability: raw inputs are only read; outputs appear whole or not at all.

- Raw exports are opened read-only (an audit hook records every ``open`` of a raw file and
  every rename/removal under the raw folder), work when their mode is 0444, are byte-identical
  after a run, and the log's SHA-256 describes them. A raw file that changes while it is being
  cleaned makes the run fail instead of publishing data the log does not describe.
- Every output file is written atomically: a write that fails half-way leaves the previous file.
- ``fslt-survey clean`` killed (SIGKILL) while it reads its 300,000-row input, or half way
  through writing its outputs, leaves the previous outputs byte-identical; ``fslt-survey
  render`` killed while a cell runs leaves the previous ``_site`` byte-identical, and the next
  render succeeds and removes the hidden staging and scratch folders the killed one left (only
  those: folders of other names, or of another output folder, stay).

Where the subprocess is when it is killed is decided by the test, never by a pause in the
library: an audit hook in the test's wrapper halts ``clean`` at a chosen ``open``, and the
report's own cell waits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fslt_survey.cli import EXIT_INPUT, EXIT_OK, main
from fslt_survey.privacy import write_csv_safe, write_xlsx_safe
from fslt_survey.store import write_clean
from tests.conftest import ROOT

BAD = ROOT / "tests" / "data" / "bad"
POSIX = pytest.mark.skipif(os.name != "posix", reason="signals and /proc are POSIX")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "fslt_survey.cli", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the process group of a subprocess this test started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


# --------------------------------------------------------------------------- raw inputs

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_AUDIT: dict[str, object] = {"root": None, "events": [], "installed": False}


def _audit(event: str, args: tuple) -> None:
    root = _AUDIT["root"]
    if root is None or event not in ("open", "os.rename", "os.replace", "os.remove",
                                     "os.truncate", "os.chmod", "shutil.rmtree"):
        return
    paths = [a for a in args if isinstance(a, str | bytes | os.PathLike)]
    if not any(str(root) in os.fsdecode(p) for p in paths if not isinstance(p, int)):
        return
    _AUDIT["events"].append((event, args))  # type: ignore[union-attr]


@contextlib.contextmanager
def audited(root: Path) -> Iterator[list[tuple[str, tuple]]]:
    if not _AUDIT.get("installed"):  # an audit hook cannot be removed: install it once, and
        sys.addaudithook(_audit)  # it records nothing unless a test switches it on
        _AUDIT["installed"] = True
    events: list[tuple[str, tuple]] = []
    _AUDIT.update(root=str(root.resolve()), events=events)
    try:
        yield events
    finally:
        _AUDIT.update(root=None, events=[])


def read_only_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        p.chmod(0o444 if p.is_file() else 0o555)
    folder.chmod(0o555)


def writable_tree(folder: Path) -> None:
    folder.chmod(0o755)
    for p in folder.rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)


@pytest.fixture
def raw_dir(tmp_path) -> Iterator[Path]:
    """Raw exports of every kind for the member survey, read-only: a SurveyXact trio, a
    cp1252 CSV, a workbook with a notes sheet, an SPSS file."""
    wave = tmp_path / "raw" / "2025"
    wave.mkdir(parents=True)
    for src in sorted((BAD / "sx_utf16_tab").iterdir()):
        shutil.copyfile(src, wave / src.name)
    for name in ("cp1252_semicolon.csv", "data_on_second_sheet.xlsx", "unlabelled_codes.sav"):
        shutil.copyfile(BAD / name, wave / name)
    read_only_tree(tmp_path / "raw")
    yield tmp_path / "raw"
    writable_tree(tmp_path / "raw")


def test_raw_inputs_are_opened_read_only_and_left_unchanged(raw_dir, tmp_path, capsys):
    files = sorted(p for p in raw_dir.rglob("*") if p.is_file())
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in files)
    before = {p: sha(p) for p in files}
    with audited(raw_dir) as events:
        code = main(["clean", "medlemsundersoegelse", "--raw", str(raw_dir),
                     "--out", str(tmp_path / "out")])
    assert code == EXIT_OK, capsys.readouterr().err
    opened = [args for event, args in events if event == "open"]
    assert opened, "the audit hook saw no raw file being opened"
    for path, mode, flags in opened:
        if isinstance(mode, str):
            assert not set(mode) & set("wax+"), (path, mode)
        if isinstance(flags, int):
            assert not flags & _WRITE_FLAGS, (path, flags)
    assert not [e for e in events if e[0] != "open"], "something renamed/removed a raw file"
    assert {p: sha(p) for p in files} == before
    log = json.loads((tmp_path / "out" / "medlemsundersoegelse_log.json").read_text("utf-8"))
    logged = {Path(s["file"]).name: s["sha256"] for s in log["sources"]}
    logged |= {Path(p["file"]).name: p["sha256"] for s in log["sources"] for p in s["parts"]}
    assert logged == {p.name: h for p, h in before.items()}
    assert log["rows_in"] == log["rows_kept"] + log["rows_excluded"] > 0


def test_a_raw_file_changed_during_the_run_is_refused(tmp_path, capsys, monkeypatch):
    wave = tmp_path / "raw" / "2025"
    wave.mkdir(parents=True)
    target = wave / "svar.csv"
    shutil.copyfile(BAD / "cp1252_semicolon.csv", target)
    import fslt_survey.pipeline as pipeline

    original = pipeline.clean_directory

    def clean_then_someone_saves(*args, **kwargs):
        result = original(*args, **kwargs)
        with target.open("ab") as fh:  # the analyst saves over the file in Excel meanwhile
            fh.write(b"Lyngby Skakklub;Formand;;;;\r\n")
        return result

    monkeypatch.setattr(pipeline, "clean_directory", clean_then_someone_saves)
    out = tmp_path / "out"
    code = main(["clean", "medlemsundersoegelse", "--raw", str(tmp_path / "raw"),
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "changed while it was being cleaned" in err
    assert "svar.csv" in err and "Traceback" not in err
    assert not out.exists()


# --------------------------------------------------------------------------- atomic writes


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"svar": ["=1+1", "ok"], "n": [1, 2]})


def _failing_to_csv(self, path_or_buf=None, *args, **kwargs):
    target = path_or_buf if hasattr(path_or_buf, "write") else open(path_or_buf, "w")  # noqa: SIM115
    target.write("half a fi")
    target.flush()
    raise OSError("disk full")


def _failing_save(self, filename):
    Path(filename).write_bytes(b"PK\x03\x04 half")
    raise OSError("disk full")


@pytest.mark.parametrize("writer", ["write_csv_safe", "write_xlsx_safe", "write_clean"])
def test_a_failed_write_leaves_the_previous_file(writer, tmp_path, monkeypatch, demo_result):
    out = tmp_path / "out"
    if writer == "write_clean":
        write_clean(demo_result, out)
    elif writer == "write_csv_safe":
        write_csv_safe(_frame(), out / "t.csv")
    else:
        write_xlsx_safe(_frame(), out / "t.xlsx")
    before = snapshot(out)
    if writer == "write_xlsx_safe":
        from openpyxl import Workbook

        monkeypatch.setattr(Workbook, "save", _failing_save)
    else:
        monkeypatch.setattr(pd.DataFrame, "to_csv", _failing_to_csv)
    with pytest.raises(OSError, match="disk full"):
        if writer == "write_clean":
            write_clean(demo_result, out)
        elif writer == "write_csv_safe":
            write_csv_safe(_frame().assign(n=[3, 4]), out / "t.csv")
        else:
            write_xlsx_safe(_frame().assign(n=[3, 4]), out / "t.xlsx")
    assert snapshot(out) == before  # the old files, and no temporary file left behind


@pytest.fixture(scope="module")
def demo_result():
    from fslt_survey.pipeline import clean_survey

    return clean_survey("moedeevaluering", demo=True)


# --------------------------------------------------------------------------- killed clean

EVAL_HEADER = "forening;udbytte;ny_viden;nye_kontakter;tilfreds_moede;deltage_igen"


def evaluation_export(path: Path, n: int, seed: int = 1) -> Path:
    """A meeting-evaluation export of ``n`` participants (likert answers only)."""
    rng = np.random.default_rng(seed)
    grad = np.array(["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke", "Ved ikke"])
    tilfreds = np.array(["Meget tilfreds", "Tilfreds", "Utilfreds", "Ved ikke"])
    janej = np.array(["Ja", "Måske", "Nej"])
    names = np.array(["Lyngby Seniorklub", "Lyngby Skakklub", "Virum Repair Café", ""])
    cols = [names[rng.integers(0, 4, n)], *(grad[rng.integers(0, 5, n)] for _ in range(3)),
            tilfreds[rng.integers(0, 4, n)], janej[rng.integers(0, 3, n)]]
    lines = [EVAL_HEADER, *map(";".join, zip(*cols, strict=True))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_evaluation(tmp_path_factory) -> Path:
    return evaluation_export(tmp_path_factory.mktemp("big") / "svar.csv", 300_000)


def _previous_outputs(tmp_path: Path, capsys) -> tuple[Path, Path, dict[str, bytes]]:
    raw = tmp_path / "raw"
    evaluation_export(raw / "2025" / "svar.csv", 40)
    out = tmp_path / "out"
    assert main(["clean", "moedeevaluering", "--raw", str(raw), "--out", str(out)]) == EXIT_OK
    capsys.readouterr()
    return raw, out, snapshot(out)


def _left_over(out: Path, before: dict[str, bytes]) -> list[str]:
    """Files in ``out`` that are not the previous outputs (must be hidden temporaries)."""
    extra = [name for name in snapshot(out) if name not in before]
    assert all(n.startswith(".") and n.endswith(".tmp") for n in extra), extra
    return extra


#: Runs ``fslt-survey`` with an audit hook that halts the process for good at a chosen
#: ``open`` (of the raw export, or of a temporary output for writing), after writing a marker
#: file: the test then knows exactly where the run is when it kills it. The hook lives here, in
#: the test; the library has no pause of its own.
HALTING_CLI = """\
import os, sys, time
marker, target, mode = sys.argv[1], sys.argv[2], sys.argv[3]

def halt(event, args):
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path, how = os.fsdecode(os.fspath(args[0])), args[1]
    if target in path and (mode == "r" or (isinstance(how, str) and "w" in how)):
        if not os.path.exists(marker):
            with open(marker, "w") as fh:
                fh.write(path)
            while True:
                time.sleep(1)

sys.addaudithook(halt)
from fslt_survey.cli import main
sys.exit(main(sys.argv[4:]))
"""


@POSIX
@pytest.mark.parametrize("when", ["reading", "writing"])
def test_clean_killed_mid_run_leaves_the_previous_outputs(when, tmp_path, capsys,
                                                          big_evaluation):
    raw, out, before = _previous_outputs(tmp_path, capsys)
    shutil.copyfile(big_evaluation, raw / "2025" / "svar.csv")
    marker = tmp_path / "standset.txt"
    target, mode = ((str(raw / "2025" / "svar.csv"), "r") if when == "reading"
                    else (".moedeevaluering.csv.", "w"))  # the clean CSV's temporary file
    proc = subprocess.Popen(
        [sys.executable, "-c", HALTING_CLI, str(marker), target, mode,
         "clean", "moedeevaluering", "--raw", str(raw), "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the run never got there"
            time.sleep(0.01)
    finally:
        kill(proc)
    assert proc.returncode == -signal.SIGKILL
    now = snapshot(out)
    assert {name: now.get(name) for name in before} == before  # byte-identical, all four
    leftovers = _left_over(out, before)
    if when == "reading":
        assert leftovers == []
    else:  # the Parquet file was complete, the CSV half way: nothing of it is visible
        assert len(leftovers) == 4 and (out / Path(marker.read_text()).name).exists()
    # the next run is not disturbed by what the killed one left
    evaluation_export(raw / "2025" / "svar.csv", 50, seed=2)
    assert main(["clean", "moedeevaluering", "--raw", str(raw), "--out", str(out)]) == EXIT_OK
    log = json.loads((out / "moedeevaluering_log.json").read_text("utf-8"))
    assert log["rows_in"] == 50
    assert len(pd.read_parquet(out / "moedeevaluering.parquet")) == 50


# --------------------------------------------------------------------------- killed render

QUARTO_YML = """\
project:
  type: website
  output-dir: _site
website:
  title: "Holdbarhed"
lang: da
execute:
  echo: false
"""

PAGE = """\
---
title: "Forside"
---

Version {version}.

```{{python}}
{code}
print("celle {version}")
```
"""

SLOW = """\
import os, pathlib, time
pathlib.Path({marker!r}).write_text(str(os.getpid()))
for _ in range(1200):
    time.sleep(0.05)
"""


def render(project: Path) -> subprocess.Popen:
    env = {**os.environ, "FSLT_PROJECT_ROOT": str(project)}
    return cli("render", "--engine", "builtin", "--quiet", env=env, start_new_session=True)


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == EXIT_OK, err
    return out, err


def _stop_kernel(marker: Path) -> None:
    """The kernel runs in its own session; it exits when its parent dies (ipykernel's parent
    poller). Wait for that, and kill it by its pid (written by the cell) if it lingers."""
    pid = int(marker.read_text())
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@POSIX
def test_render_killed_mid_run_leaves_the_previous_site(tmp_path):
    project = tmp_path / "projekt"
    project.mkdir()
    (project / "_quarto.yml").write_text(QUARTO_YML, encoding="utf-8")
    page = project / "index.qmd"
    page.write_text(PAGE.format(version=1, code="x = 1"), encoding="utf-8")
    finish(render(project))
    site = project / "_site"
    before = snapshot(site)
    assert "Version 1" in before["index.html"].decode()

    marker = tmp_path / "cellen-koerer.txt"
    page.write_text(PAGE.format(version=2, code=SLOW.format(marker=str(marker))),
                    encoding="utf-8")
    proc = render(project)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():  # the slow cell is running: the render is midway
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the cell never started"
            time.sleep(0.02)
    finally:
        kill(proc)
        if marker.exists():
            _stop_kernel(marker)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(site) == before  # the previous site, byte for byte
    beside = [p.name for p in project.iterdir() if p.name.startswith("._site")]
    assert beside and all("fslt-staging" in name for name in beside), beside  # outside _site
    cache = project / ".fslt-cache" / "render"
    assert [p.name for p in cache.glob("tmp-*")], "the killed render left no scratch folder?"
    others = [project / "._site.fslt-staging-behold", project / ".andet.fslt-staging-abcdef12",
              project / "_site.fslt-staging-abcdef12", cache / "tmp-mine-egne"]
    for folder in others:  # not named by the engine's patterns for this output folder
        (folder / "x").mkdir(parents=True)

    page.write_text(PAGE.format(version=3, code="x = 3"), encoding="utf-8")
    finish(render(project))
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "Version 3" in html and "celle 3" in html and "Version 1" not in html
    assert not [p for p in site.rglob("*") if "fslt-staging" in p.name or p.suffix == ".tmp"]
    # the third render removed what the killed one left behind, and nothing else
    stale = [p.name for p in [*project.iterdir(), *cache.glob("tmp-*"), *cache.rglob(".*-tmp-*")]
             if (p.name.startswith("._site.fslt-") or p.parent == cache or "-tmp-" in p.name)
             and p not in others]
    assert stale == [], stale
    assert all((folder / "x").is_dir() for folder in others)
