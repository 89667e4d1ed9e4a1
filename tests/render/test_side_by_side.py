"""Documents execute side by side (issue 20: a cold build near its compute floor).

Two documents of one folder execute at once in their own kernels; each keeps the files its
own cells wrote beside it (told apart by the kernel's record of what it wrote, not by the
folder's before/after, which the other document also changes), an atomic write (a temporary
file renamed into place) included; a warm render puts them back; a failing document stops
the run with its own error.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from fslt_survey.render import RenderError, render_project, schedule
from fslt_survey.render import cache as render_cache

QUARTO = """\
project:
  type: website
  output-dir: _site
  render: [sider/a.qmd, sider/b.qmd, sider/c.qmd]
lang: da
"""

PAGE = """\
---
title: Side {name}
---

```{{python}}
import os, time
from pathlib import Path
start = time.time()
{write}
time.sleep(1.0)
end = time.time()
```

Start `{{python}} repr(start)` slut `{{python}} repr(end)` proces `{{python}} os.getpid()`.
"""

WRITES = {
    "a": 'Path("a.txt").write_text("a", encoding="utf-8")',
    # an atomic write: a temporary file renamed into place
    "b": 'Path("b.tmp").write_text("b", encoding="utf-8"); os.replace("b.tmp", "b.txt")',
    "c": "pass",
}


def _project(root: Path, *, fail: bool = False) -> Path:
    (root / "sider").mkdir(parents=True)
    (root / "_quarto.yml").write_text(QUARTO, encoding="utf-8")
    for name, write in WRITES.items():
        code = "raise ValueError('side c fejler')" if fail and name == "c" else write
        (root / "sider" / f"{name}.qmd").write_text(
            PAGE.format(name=name, write=code), encoding="utf-8"
        )
    return root


def _times(html: str) -> tuple[float, float, int]:
    import re

    m = re.search(r"Start ([\d.]+) slut ([\d.]+) proces (\d+)", html)
    assert m, html[:300]
    return float(m[1]), float(m[2]), int(m[3])


def test_two_documents_execute_at_once_and_keep_their_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule.os, "cpu_count", lambda: 2)
    stored: dict[str, list[str]] = {}
    original = render_cache.RenderCache.store_execution

    def store(self, rel, key, **kw):
        entry = original(self, rel, key, **kw)
        stored[rel] = sorted(entry.side)
        return entry

    monkeypatch.setattr(render_cache.RenderCache, "store_execution", store)
    root = _project(tmp_path / "p")
    result = render_project(root, engine="builtin", progress=False)
    assert all(d.executed for d in result.documents)
    pages = {n: (root / "_site" / "sider" / f"{n}.html").read_text("utf-8") for n in "abc"}
    (a0, a1, pa), (b0, b1, pb), (_, _, pc) = (_times(pages[n]) for n in "abc")
    assert len({pa, pb, pc}) == 3  # each document in a kernel of its own
    assert a0 < b1 and b0 < a1, "a and b did not execute at the same time"
    # each document's own side files, nothing of the other's, the atomic write's final name
    assert stored == {"sider/a.qmd": ["a.txt"], "sider/b.qmd": ["b.txt"], "sider/c.qmd": []}
    # a warm render executes nothing and puts back what went missing
    (root / "sider" / "a.txt").unlink()
    (root / "sider" / "b.txt").unlink()
    again = render_project(root, engine="builtin", progress=False)
    assert not any(d.executed for d in again.documents)
    assert (root / "sider" / "a.txt").read_text("utf-8") == "a"
    assert (root / "sider" / "b.txt").read_text("utf-8") == "b"


def test_one_at_a_time_on_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule.os, "cpu_count", lambda: 1)
    root = _project(tmp_path / "p")
    render_project(root, engine="builtin", progress=False)
    spans = [_times((root / "_site" / "sider" / f"{n}.html").read_text("utf-8")) for n in "abc"]
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        assert end <= start  # one after another


def test_a_failing_document_stops_the_run_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule.os, "cpu_count", lambda: 2)
    root = _project(tmp_path / "p", fail=True)
    with pytest.raises(RenderError, match="side c fejler") as info:
        render_project(root, engine="builtin", progress=False)
    assert "c.qmd" in str(info.value)
    assert not (root / "_site").exists()  # nothing published
