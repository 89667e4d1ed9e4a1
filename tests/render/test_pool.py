"""Forked kernels (render.pool, render.forkserver): fast, and each document still on its own.

* every document that executes gets a kernel process of its own, forked from the pre-imported
  server: module state one document changes is not seen by the next one, and the run counts
  the kernels it started (a warm render starts none, not even the server);
* what a kernel imported (also inside functions) is learned: kept in the cache folder and
  imported by the next run's server before its first document;
* a parameterised single document keeps a spare kernel, which the next render of it takes;
* ``RENDER_FORK_KERNELS=0`` (or no ``os.fork``) falls back to a classic kernel per document,
  with the same output; a server that died is replaced.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from fslt_survey.render import RenderError, configure, render_batch, render_document, render_project
from fslt_survey.render import pool as pool_mod
from fslt_survey.render.host import current as current_host

QUARTO = "project:\n  type: website\n  output-dir: _site\n  render: [a.qmd, b.qmd]\nlang: da\n"
DOC_A = """---
title: A
---

```{python}
import json, os
json.MARK = "set by a"
counter = 41

def later():
    import mailbox
    return mailbox.Maildir

later()
print("PID", os.getpid())
```
"""
DOC_B = """---
title: B
---

```{python}
import json, os
print("MARK", getattr(json, "MARK", "unset"), "counter" in globals())
print("PID", os.getpid())
```
"""
PARAM_DOC = """---
title: Ark
params:
  navn: null
format: html
---

```{python}
#| tags: [parameters]
navn = None
```

```{python}
import os
print("NAVN", navn, "PID", os.getpid())
```
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    for name, text in {"_quarto.yml": QUARTO, "a.qmd": DOC_A, "b.qmd": DOC_B}.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def printed(path: Path, word: str) -> list[str]:
    html = path.read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(rf"{word} ([^<\n]*)", html)]


def test_each_document_has_its_own_kernel_and_warm_renders_start_none(tmp_path: Path) -> None:
    root = project(tmp_path)
    cold = render_project(root, engine="builtin", progress=False)
    assert cold.kernels_started == 2
    assert printed(root / "_site" / "b.html", "MARK") == ["unset False"]
    pid_a = printed(root / "_site" / "a.html", "PID")
    pid_b = printed(root / "_site" / "b.html", "PID")
    assert pid_a and pid_b and pid_a != pid_b and str(os.getpid()) not in pid_a + pid_b
    warm = render_project(root, engine="builtin", progress=False)
    assert warm.executed == [] and warm.kernels_started == 0


def test_modules_a_kernel_imported_are_learned_for_the_next_server(tmp_path: Path) -> None:
    root = project(tmp_path)
    render_project(root, engine="builtin", progress=False)
    memo = root / ".fslt-cache" / "render" / "kernel-modules.json"
    learned = json.loads(memo.read_text(encoding="utf-8"))
    assert "mailbox" in learned  # imported inside a function, not at the cell's top level
    pool_mod.close_shared()
    render_project(root, engine="builtin", progress=False, force=True)
    server = next(iter(pool_mod._SHARED.values()))
    assert server.imported is not None and "mailbox" in server.imported


def test_a_parameterised_document_keeps_a_spare_kernel_for_the_next_one(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "ark.qmd").write_text(PARAM_DOC, encoding="utf-8")
    out = tmp_path / "ark"
    render_document(root, "ark.qmd", params={"navn": "Aa"}, output_dir=out, output_name="a")
    assert len(pool_mod._SPARE) == 1
    spare_pid = next(iter(pool_mod._SPARE.values())).pid
    second = render_document(
        root, "ark.qmd", params={"navn": "Bb"}, output_dir=out, output_name="b"
    )
    assert second.executed and printed(out / "b.html", "NAVN") == [f"Bb PID {spare_pid}"]
    assert printed(out / "a.html", "NAVN")[0].startswith("Aa PID")


def test_without_fork_a_classic_kernel_runs_each_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENDER_FORK_KERNELS", "0")
    root = project(tmp_path)
    result = render_project(root, engine="builtin", progress=False)
    assert result.kernels_started == 2
    assert printed(root / "_site" / "b.html", "MARK") == ["unset False"]


def test_a_server_that_died_is_replaced(tmp_path: Path) -> None:
    root = project(tmp_path)
    render_project(root, engine="builtin", progress=False)
    server = next(iter(pool_mod._SHARED.values()))
    server.proc.kill()
    server.proc.wait()
    again = render_project(root, engine="builtin", progress=False, force=True)
    assert again.kernels_started == 2
    assert next(iter(pool_mod._SHARED.values())) is not server


def test_preload_takes_top_level_imports_of_installed_modules_only() -> None:
    cells = ["import json\nfrom email import message\n", "%matplotlib inline", "import not_here_x"]
    names = pool_mod.preload_modules(cells)
    assert {"json", "email"} <= set(names)
    assert "not_here_x" not in names


def test_a_batch_renders_each_parameter_set_in_its_own_kernel(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "ark.qmd").write_text(PARAM_DOC, encoding="utf-8")
    out = tmp_path / "ark"
    batch = [({"navn": n}, f"ark-{n}") for n in ("Aa", "Bb", "Cc")]
    result = render_batch(root, "ark.qmd", batch, output_dir=out)
    assert [d.outputs[0].name for d in result.documents] == [
        "ark-Aa.html",
        "ark-Bb.html",
        "ark-Cc.html",
    ]
    shown = [printed(out / f"ark-{n}.html", "NAVN")[0].split() for n in ("Aa", "Bb", "Cc")]
    assert [s[0] for s in shown] == ["Aa", "Bb", "Cc"]
    assert len({s[2] for s in shown}) == 3  # three kernels, one per sheet
    bad = PARAM_DOC.replace("print(", "assert navn != 'Bb'\nprint(")
    (root / "ark.qmd").write_text(bad, encoding="utf-8")
    with pytest.raises(RenderError, match=r"AssertionError.*\(writing ark-Bb.html\)"):
        render_batch(root, "ark.qmd", batch, output_dir=out)


def test_a_batch_larger_than_the_cache_limit_keeps_every_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The newest execution of every parameter set stays in the cache, however many sheets a
    batch has: none is removed while it is still being converted (a batch of 85 feedback
    sheets lost one mid-run when only the 24 newest executions of a document were kept), and
    a second batch executes nothing. The kernels talk over local (IPC) sockets, so no TCP port
    chosen for one can be taken before it binds it."""
    from fslt_survey.render import cache as cache_mod

    monkeypatch.setattr(cache_mod, "KEEP_PER_DOCUMENT", 1)
    monkeypatch.setattr(cache_mod.RenderCache.prune, "__defaults__", (1,))
    root = project(tmp_path)
    (root / "ark.qmd").write_text(PARAM_DOC, encoding="utf-8")
    out = tmp_path / "ark"
    names = ("Aa", "Bb", "Cc", "Dd", "Ee")
    batch = [({"navn": n}, f"ark-{n}") for n in names]
    first = render_batch(root, "ark.qmd", batch, output_dir=out)
    assert sorted(p.name for p in out.glob("*.html")) == [f"ark-{n}.html" for n in names]
    assert [printed(out / f"ark-{n}.html", "NAVN")[0].split()[0] for n in names] == list(names)
    assert first.kernels_started >= 5  # (and a spare for the next sheet)
    second = render_batch(root, "ark.qmd", batch, output_dir=out)
    assert second.kernels_started == 0 and not any(d.executed for d in second.documents)
    spare = next(iter(pool_mod._SPARE.values()))  # the kernel kept for the next sheet
    assert json.loads(spare.connection_file.read_text(encoding="utf-8"))["transport"] == "ipc"


def test_the_host_names_modules_for_the_server_to_import(tmp_path: Path) -> None:
    previous = current_host()
    configure(replace(previous, preload=("tabnanny",)))
    try:
        pool_mod.close_shared()
        render_project(project(tmp_path), engine="builtin", progress=False)
        server = next(iter(pool_mod._SHARED.values()))
        assert server.imported is not None and "tabnanny" in server.imported
    finally:
        configure(previous)
