"""Parse Quarto markdown (``.qmd``): front matter, markdown, executable cells, shortcodes.

The parser keeps line numbers so that errors point into the ``.qmd`` file the user edits.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError
from fslt_survey.render.project import load_yaml

_EXEC_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,})\s*\{(?P<lang>[A-Za-z0-9_.+-]+)"
    r"(?P<rest>[^{}]*)\}\s*$"
)
_ESCAPED_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})\s*\{\{(?P<lang>[^{}]+)\}\}\s*$")
_PLAIN_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
_OPTION_LINE = re.compile(r"^#\|\s?(?P<yaml>.*)$")
_INLINE = re.compile(r"`\{python\}\s+(?P<expr>[^`\n]+?)\s*`")
_SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*(?P<name>[\w-]+)(?P<args>[^>]*)>\}\}(?!\})")
_ESCAPED_SHORTCODE = re.compile(r"\{\{\{<(?P<body>.*?)>\}\}\}")

#: Placeholder left in markdown where an inline ``{python}`` expression was.
INLINE_TOKEN = "\x00RENDER-INLINE-{}\x00"
#: Languages Quarto treats as diagrams or OJS; shown as code, never executed here.
_NOT_EXECUTED = frozenset({"mermaid", "dot", "ojs"})


@dataclass
class CodeCell:
    """An executable ```` ```{python} ```` cell.

    Parameters
    ----------
    index:
        1-based number of the cell among the document's executable cells.
    line:
        1-based line of the opening fence in the ``.qmd`` file.
    source:
        The cell's code as written, ``#|`` option lines included (so that line ``k`` of the
        cell is line ``line + k`` of the file).
    code:
        The code without option lines (what ``echo`` shows).
    options:
        The parsed ``#|`` options.
    language:
        The engine language (only ``python`` is executed).
    """

    index: int
    line: int
    source: str
    code: str
    options: dict[str, Any] = field(default_factory=dict)
    language: str = "python"

    @property
    def label(self) -> str | None:
        label = self.options.get("label")
        return str(label) if label is not None else None

    @property
    def name(self) -> str:
        """How error messages refer to the cell: its label, or ``cell N``."""
        return f"cell {self.label!r}" if self.label else f"cell {self.index}"

    @property
    def tags(self) -> list[str]:
        tags = self.options.get("tags") or []
        return [str(t) for t in ([tags] if isinstance(tags, str) else tags)]


@dataclass
class MarkdownChunk:
    """Markdown between cells. Inline ``{python}`` expressions are replaced by tokens."""

    text: str
    line: int
    inline: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class QmdDocument:
    """A parsed ``.qmd`` file."""

    path: Path
    front_matter: dict[str, Any]
    chunks: list[MarkdownChunk | CodeCell]
    source: str

    @property
    def cells(self) -> list[CodeCell]:
        return [c for c in self.chunks if isinstance(c, CodeCell)]

    @property
    def needs_kernel(self) -> bool:
        return bool(self.cells) or any(
            c.inline for c in self.chunks if isinstance(c, MarkdownChunk)
        )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], int]:
    """Return the front matter and the 0-based index of the first body line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            data = load_yaml("\n".join(lines[1:i]) + "\n", path, first_line=2) or {}
            if not isinstance(data, dict):
                raise RenderError("front matter must be a YAML mapping", file=path, row=1)
            return data, i + 1
    raise RenderError("front matter is not closed with '---'", file=path, row=1)


def _cell_options(lines: list[str], path: Path, first_line: int) -> tuple[dict[str, Any], int]:
    """Parse the ``#|`` lines at the top of a cell; return options and how many lines."""
    yaml_lines = []
    for line in lines:
        m = _OPTION_LINE.match(line)
        if not m:
            break
        yaml_lines.append(m.group("yaml"))
    if not yaml_lines:
        return {}, 0
    opts = load_yaml("\n".join(yaml_lines), path, first_line=first_line) or {}
    if not isinstance(opts, dict):
        raise RenderError(
            "cell options (#| lines) must be 'key: value' pairs",
            file=path,
            row=first_line,
            found=yaml_lines[0],
        )
    return opts, len(yaml_lines)


def parse_qmd(path: Path, text: str | None = None) -> QmdDocument:
    """Parse a ``.qmd`` (or plain ``.md``) file.

    Parameters
    ----------
    path:
        The file (used for reading when ``text`` is ``None`` and in error messages).
    text:
        The source, if already read.

    Raises
    ------
    RenderError
        For invalid YAML (front matter or ``#|`` options) or an unclosed code fence.
    """
    if text is None:
        text = path.read_text(encoding="utf-8")
    text = text.lstrip("\ufeff")
    front, start = split_front_matter(text, path)
    lines = text.splitlines()
    chunks: list[MarkdownChunk | CodeCell] = []
    md: list[str] = []
    md_start = start + 1
    n_cells = 0
    i = start

    def flush(next_line: int) -> None:
        nonlocal md, md_start
        if md:
            chunks.append(MarkdownChunk("\n".join(md), md_start))
        md = []
        md_start = next_line

    while i < len(lines):
        line = lines[i]
        m = _EXEC_FENCE.match(line)
        esc = None if m else _ESCAPED_FENCE.match(line)
        plain = None if (m or esc) else _PLAIN_FENCE.match(line)
        if not (m or esc or plain):
            md.append(line)
            i += 1
            continue
        fence = (m or esc or plain).group("fence")
        j = _fence_end(lines, i, fence, path)
        body = lines[i + 1 : j]
        if m and m.group("lang").lower() == "python":
            flush(j + 2)
            n_cells += 1
            opts, n_opt = _cell_options(body, path, i + 2)
            chunks.append(
                CodeCell(
                    index=n_cells,
                    line=i + 1,
                    source="\n".join(body),
                    code="\n".join(body[n_opt:]).strip("\n"),
                    options=opts,
                )
            )
        elif m:
            md.extend(_shown_block(m.group("lang").lower(), fence, body, line, path, i + 1))
        elif esc:
            md.extend(_escaped_block(esc.group("lang").strip(), fence, body))
        else:
            md.extend(lines[i : j + 1])
        i = j + 1
    flush(len(lines) + 1)
    _extract_inline(chunks)
    return QmdDocument(path=path, front_matter=front, chunks=chunks, source=text)


def _fence_end(lines: list[str], i: int, fence: str, path: Path) -> int:
    """Index of the line closing the code block opened at line ``i`` with ``fence``."""
    close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    j = i + 1
    while j < len(lines) and not close.match(lines[j]):
        j += 1
    if j >= len(lines):
        raise RenderError(f"code block opened with {fence} is never closed", file=path, row=i + 1)
    return j


def _shown_block(
    lang: str, fence: str, body: list[str], line: str, path: Path, row: int
) -> list[str]:
    """A diagram/OJS cell, which the engine does not run, shown as code (never silently
    dropped); any other language stops the render."""
    if lang not in _NOT_EXECUTED:
        raise RenderError(
            f"the built-in engine only runs python cells, not {{{lang}}}",
            file=path,
            row=row,
            expected="```{python}",
            found=line.strip(),
        )
    return [f"{fence} {{.{lang}}}", *(ln for ln in body if not _OPTION_LINE.match(ln)), fence]


def _escaped_block(lang: str, fence: str, body: list[str]) -> list[str]:
    """```` ```{{python}} ```` shows a cell verbatim, fence included (Quarto's escape)."""
    outer = "`" * (len(fence) + 1)
    return [f"{outer} {{.{lang} .cell-code}}", f"{fence}{{{lang}}}", *body, fence, outer]


def map_outside_fences(text: str, fn: Callable[[str, int], str]) -> str:
    """Apply ``fn(line, index)`` to every line that is not inside a fenced code block."""
    out = []
    fence: str | None = None
    for idx, line in enumerate(text.split("\n")):
        if fence is None:
            m = _PLAIN_FENCE.match(line)
            if m:
                fence = m.group("fence")
                out.append(line)
                continue
            out.append(fn(line, idx))
        else:
            if re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$", line):
                fence = None
            out.append(line)
    return "\n".join(out)


def _extract_inline(chunks: list[MarkdownChunk | CodeCell]) -> None:
    counter = 0
    for chunk in chunks:
        if not isinstance(chunk, MarkdownChunk) or "`{python}" not in chunk.text:
            continue

        def repl_line(line: str, idx: int, chunk: MarkdownChunk = chunk) -> str:
            nonlocal counter

            def repl(m: re.Match[str]) -> str:
                nonlocal counter
                chunk.inline.append((m.group("expr"), chunk.line + idx))
                counter += 1
                return INLINE_TOKEN.format(counter - 1)

            return _INLINE.sub(repl, line)

        chunk.text = map_outside_fences(chunk.text, repl_line)


def _lookup(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_scalar_text(v) for v in value)
    return str(value)


PAGEBREAK = (
    '\n```{=html}\n<div class="page-break" aria-hidden="true"></div>\n```\n\n'
    "```{=typst}\n#pagebreak()\n```\n"
)


def apply_shortcodes(
    text: str, meta: dict[str, Any], variables: dict[str, Any], warnings: list[str], where: str
) -> str:
    """Expand the Quarto shortcodes the built-in engine supports.

    ``{{< pagebreak >}}``, ``{{< meta key >}}`` and ``{{< var key >}}`` (from
    ``_variables.yml``) are expanded; ``{{{< ... >}}}`` is the escape for a literal shortcode.
    Unknown shortcodes (``include``, ``video``...) stop the render with a :class:`RenderError`.
    """
    if "{{<" not in text:
        return text

    def fn(line: str, idx: int) -> str:
        def repl(m: re.Match[str]) -> str:
            name = m.group("name")
            arg = m.group("args").strip().strip("\"'")
            if name == "pagebreak":
                return PAGEBREAK
            if name in ("meta", "var"):
                value = _lookup(meta if name == "meta" else variables, arg)
                if value is None:
                    warnings.append(f"{where}: {{{{< {name} {arg} >}}}} has no value")
                    return "?" + arg
                return _scalar_text(value)
            raise RenderError(
                f"shortcode {{{{< {name} >}}}} is not supported by the built-in engine",
                file=where,
                expected="meta, var or pagebreak shortcodes, or render with Quarto",
            )

        line = _SHORTCODE.sub(repl, line)
        return _ESCAPED_SHORTCODE.sub(lambda m: "{{<" + m.group("body") + ">}}", line)

    return map_outside_fences(text, fn)
