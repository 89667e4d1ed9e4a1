"""The README's examples run, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_python_examples_run(capsys):
    blocks = _blocks("python")
    assert blocks
    for code in blocks:
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    assert "%" in capsys.readouterr().out


def test_two_commands_exist_and_ci_runs_the_test_command():
    text = README.read_text(encoding="utf-8")
    root = README.parent
    for script in ("scripts/build", "scripts/test"):
        assert f"./{script}" in text
        assert (root / script).stat().st_mode & 0o111
    assert "fslt-survey build" in (root / "scripts" / "build").read_text(encoding="utf-8")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in ci
