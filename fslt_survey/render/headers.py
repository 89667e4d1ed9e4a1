"""What goes around a page's body: ``css``, ``include-in-header``, ``-before/-after-body``.

As in Quarto:

* ``css`` (HTML): one stylesheet or a list, linked after the engine's own stylesheet, so its
  rules win; a path is looked up next to the document first, then in the project root, and the
  file is published with the page;
* ``include-in-header``, ``include-before-body``, ``include-after-body``: one entry or a list,
  each a file name (looked up like ``css``), ``{file: name}`` or ``{text: "..."}``; the content
  is inserted raw into the page's ``<head>``, the start or the end of its body, in HTML; in
  Typst into the document's preamble, before or after the body (Quarto's ``typst`` format does
  the same), so raw Typst ``#set`` and ``#let`` rules go in ``include-in-header``.

The included text is part of the page's output key, so editing an included file rebuilds the
pages that include it (nothing is executed again).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError

#: Option -> pandoc's command-line flag.
INCLUDES = {
    "include-in-header": "--include-in-header",
    "include-before-body": "--include-before-body",
    "include-after-body": "--include-after-body",
}


def _entries(value: Any) -> list[Any]:
    if value is None or value is False:
        return []
    return list(value) if isinstance(value, list) else [value]


def find_file(name: str, doc_dir: Path, root: Path, *, file: str, option: str) -> Path:
    """``name`` next to the document, else in the project root (``/name``: the root)."""
    if name.startswith("/"):
        candidates = [root / name.lstrip("/")]
    else:
        candidates = [doc_dir / name, root / name]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise RenderError(
        f"`{option}:` file not found",
        file=file,
        expected=f"a file next to the document or in the project root: {name}",
        found=name,
    )


def css_hrefs(opts: dict[str, Any], doc_dir: Path, root: Path, *, file: str) -> list[str]:
    """The ``css`` files as links relative to the document (where the page is published)."""
    hrefs = []
    for entry in _entries(opts.get("css")):
        path = find_file(str(entry), doc_dir, root, file=file, option="css")
        hrefs.append(Path(os.path.relpath(path, doc_dir)).as_posix())
    return hrefs


def include_texts(
    opts: dict[str, Any], doc_dir: Path, root: Path, *, file: str
) -> dict[str, list[str]]:
    """The texts of the include options that are set, per option, in order."""
    out: dict[str, list[str]] = {}
    for option in INCLUDES:
        texts = []
        for entry in _entries(opts.get(option)):
            if isinstance(entry, dict) and "text" in entry:
                texts.append(str(entry["text"]))
                continue
            name = str(entry.get("file")) if isinstance(entry, dict) else str(entry)
            path = find_file(name, doc_dir, root, file=file, option=option)
            texts.append(path.read_text(encoding="utf-8"))
        if texts:
            out[option] = texts
    return out


def include_args(includes: dict[str, list[str]], folder: Path) -> list[str]:
    """Pandoc arguments for ``includes``, written as files into ``folder``."""
    args: list[str] = []
    for option, texts in includes.items():
        for i, text in enumerate(texts):
            path = folder / f"{option}-{i}.txt"
            path.write_text(text, encoding="utf-8")
            args += [INCLUDES[option], str(path)]
    return args
