"""The compute floor of a render: the pages' Python cells, one after another, in ONE interpreter.

No kernel, no pandoc, no Typst: each page's code cells (and its inline ``{python}``
expressions, formatted with ``str``) are executed with :func:`exec` in a fresh namespace, in
the page's folder, with the variables the engine gives its kernels (Quarto's
``QUARTO_PROJECT_ROOT``... and the host's). Imports are paid once, by the first page that
needs them, as they would be by a render that had no overhead at all around the computation.

Run in a fresh interpreter (the caller starts ``python -m benchmarks.floor ROOT DOC...``); it
prints one JSON object (its last line): ``{"seconds": total, "documents": {rel: seconds}}``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _code_of(path: Path) -> list[str]:
    """The page's executable Python, in order: cells, then each paragraph's inline values."""
    from fslt_survey.render.qmd import CodeCell, parse_qmd

    doc = parse_qmd(path, path.read_text("utf-8"))
    code = []
    for chunk in doc.chunks:
        if isinstance(chunk, CodeCell):
            if chunk.language == "python" and chunk.options.get("eval", True) is not False:
                code.append(chunk.code)
        elif chunk.inline:
            code.append("str((" + ")), str((".join(e for e, _ in chunk.inline) + "))")
    return code


def run_page(root: Path, rel: str) -> float:
    """Seconds to run one page's code in a fresh namespace (in this interpreter)."""
    from fslt_survey.render.kernel import kernel_env

    path = root / rel
    code = _code_of(path)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(kernel_env(root, path))
    os.chdir(path.parent)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # captured, as a kernel captures it
            for source in code:
                exec(compile(source, str(path), "exec"), namespace)  # the page's own code
        return time.perf_counter() - t0
    finally:
        _close_figures()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def _close_figures() -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def main(argv: list[str]) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import fslt_survey  # noqa: F401 - the host configures the engine's kernel variables

    root = Path(argv[0]).resolve()
    t0 = time.perf_counter()
    per_doc = {rel: run_page(root, rel) for rel in argv[1:]}
    print(json.dumps({"seconds": time.perf_counter() - t0, "documents": per_doc}))


if __name__ == "__main__":
    main(sys.argv[1:])
