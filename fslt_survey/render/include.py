"""``{{< include file >}}``: another file's content, pasted in before anything is executed.

As in Quarto, the include is expanded first, so code cells in the included file run as part of
the document; the path is relative to the file that holds the shortcode (``/path`` is relative
to the project root); includes may nest; an included file's own front matter is dropped. The
expanded text is what the engine parses and fingerprints, so editing an included file
re-executes every document that includes it. A missing file or an include that includes itself
stops the render, naming the file and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

from fslt_survey.render.errors import RenderError
from fslt_survey.render.qmd import map_outside_fences, split_front_matter

_INCLUDE = re.compile(r"^\s*(?<!\{)\{\{<\s*include\s+(?P<arg>[^>]*?)\s*>\}\}(?!\})\s*$")
MAX_DEPTH = 20


def expand_includes(text: str, path: Path, root: Path, _stack: tuple[Path, ...] = ()) -> str:
    """``text`` (the content of ``path``) with every include shortcode replaced."""
    if "include" not in text:
        return text
    stack = (*_stack, path.resolve())

    def fn(line: str, idx: int) -> str:
        m = _INCLUDE.match(line)
        if not m:
            return line
        arg = m.group("arg").strip().strip("\"'")
        target = (root / arg.lstrip("/")) if arg.startswith("/") else (path.parent / arg)
        target = target.resolve()
        if target in stack or len(stack) > MAX_DEPTH:
            raise RenderError(
                f"{{{{< include {arg} >}}}} includes itself", file=path, row=idx + 1
            )
        if not target.is_file():
            raise RenderError(
                f"{{{{< include {arg} >}}}}: file not found",
                file=path,
                row=idx + 1,
                expected=f"a file at {target}",
            )
        content = target.read_text(encoding="utf-8").lstrip("\ufeff")
        _front, start = split_front_matter(content, target)
        body = "\n".join(content.splitlines()[start:])
        return expand_includes(body, target, root, stack)

    return map_outside_fences(text, fn)
