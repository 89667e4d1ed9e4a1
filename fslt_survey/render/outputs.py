"""Turn a cell's Jupyter outputs into pandoc markdown (what ``echo``/``output``... show)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey.render.kernel import strip_ansi
from fslt_survey.render.pandoc import html_to_markdown
from fslt_survey.render.project import as_list
from fslt_survey.render.qmd import CodeCell

_OBJECT_REPR = re.compile(r"^<[\w.]+ object( at 0x[0-9a-f]+)?>$")
_IMAGE_EXT = {"image/png": "png", "image/svg+xml": "svg", "image/jpeg": "jpg", "image/gif": "gif"}


def _fence(text: str, char: str = "`") -> str:
    longest = max((len(m) for m in re.findall(rf"{re.escape(char)}+", text)), default=0)
    return char * max(3, longest + 1)


def code_block(text: str, classes: list[str]) -> str:
    """A fenced code block whose fence is longer than any backtick run in ``text``."""
    fence = _fence(text)
    attrs = " ".join("." + c for c in classes)
    return f"{fence} {{{attrs}}}\n{text.rstrip()}\n{fence}"


def _attr_value(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def _output_text(text: str | list[str]) -> str:
    if isinstance(text, list):
        text = "".join(text)
    # emulate a terminal for carriage returns (progress bars): keep what was drawn last
    text = text.replace("\r\n", "\n")
    lines = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n")]
    return strip_ansi("\n".join(lines))


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "cell"


def _wrap_html(html: str, fallback: str) -> str:
    fence = _fence(html)
    return (
        '::: {.content-visible when-format="html"}\n\n'
        f"{fence}{{=html}}\n{html.strip()}\n{fence}\n\n:::\n\n"
        '::: {.content-hidden when-format="html"}\n\n'
        f"{fallback}\n\n:::"
    )


def _strip_style(html: str) -> str:
    """Drop <style> blocks and <div> wrappers (pandas) before converting HTML to markdown."""
    html = re.sub(r"<style[^>]*>.*?</style>", "", html, flags=re.S | re.I)
    return re.sub(r"</?div[^>]*>", "", html, flags=re.I)


@dataclass
class OutputContext:
    """Per-document settings and collected results while cells are turned into markdown.

    Parameters
    ----------
    rel:
        The document, relative to the project root (for messages).
    stem:
        Output file stem; figures go to ``<stem>_files/figure-html/``.
    work_dir:
        Folder that receives ``<stem>_files/``.
    fig_format:
        Preferred image format (``png`` or ``svg``) when a cell offers both.
    code_fold:
        Document default for Quarto's ``code-fold`` (HTML only).
    files, warnings:
        Filled in: figure files written (relative to ``work_dir``) and problems found.
    """

    rel: str
    stem: str
    work_dir: Path
    fig_format: str
    code_fold: Any
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _image(
    cell: CodeCell, opts: dict[str, Any], mime: str, data: Any, n: int, ctx: OutputContext
) -> str:
    ext = _IMAGE_EXT[mime]
    rel_dir = f"{ctx.stem}_files/figure-html"
    name = f"{_safe_name(cell.label or f'cell-{cell.index}')}-{n}.{ext}"
    target = ctx.work_dir / rel_dir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if mime == "image/svg+xml":
        svg = "".join(data) if isinstance(data, list) else str(data)
        target.write_text(svg, encoding="utf-8")
    else:
        target.write_bytes(base64.b64decode("".join(data) if isinstance(data, list) else data))
    ctx.files.append(f"{rel_dir}/{name}")

    caps = as_list(opts.get("fig-cap"))
    alts = as_list(opts.get("fig-alt"))
    caption = caps[n - 1] if n <= len(caps) else ""
    alt = alts[n - 1] if n <= len(alts) else (alts[0] if len(alts) == 1 else "")
    attrs = []
    if cell.label and cell.label.startswith("fig-"):
        attrs.append("#" + (cell.label if n == 1 else f"{cell.label}-{n}"))
    if alt:
        attrs.append(f'fig-alt="{_attr_value(alt)}"')
    if not (alt or caption):
        ctx.warnings.append(
            f"{ctx.rel}: {cell.name} (line {cell.line}) made a figure without fig-alt or "
            "fig-cap; screen-reader users get no description of it"
        )
    src = f"{rel_dir}/{name}"
    src = f"<{src}>" if " " in src else src
    attr_text = "{" + " ".join(attrs) + "}" if attrs else ""
    return f"![{' '.join(str(caption).split())}]({src}){attr_text}"


def _display(
    cell: CodeCell, opts: dict[str, Any], data: dict[str, Any], n_img: int, ctx: OutputContext
) -> tuple[str | None, int]:
    """Markdown for one display_data/execute_result bundle; returns (markdown, images)."""
    asis = opts.get("output") == "asis"
    order = (
        ["image/svg+xml", "image/png"]
        if ctx.fig_format == "svg"
        else ["image/png", "image/svg+xml"]
    )
    for mime in [*order, "image/jpeg", "image/gif"]:
        if mime in data:
            return _image(cell, opts, mime, data[mime], n_img + 1, ctx), 1
    plain = _output_text(data.get("text/plain", ""))
    if "text/markdown" in data:
        return _output_text(data["text/markdown"]), 0
    if "text/html" in data:
        html = _output_text(data["text/html"])
        if 'class="dataframe"' in html and "<table" in html:
            # pandas tables become real (captionable, scrollable, PDF-able) pandoc tables
            return html_to_markdown(_strip_style(html)), 0
        # other formats (Typst) get the same content through pandoc's HTML reader, or the
        # plain-text representation when that yields nothing (e.g. a <script> widget)
        fallback = html_to_markdown(_strip_style(html))
        if not fallback.strip() and plain and not _OBJECT_REPR.match(plain):
            fallback = plain if asis else code_block(plain, ["cell-output", "cell-output-display"])
        return _wrap_html(html, fallback), 0
    if "application/vnd.jupyter.widget-view+json" in data:
        ctx.warnings.append(f"{ctx.rel}: {cell.name} shows a widget; widgets are not supported")
    if plain:
        if asis:
            return plain, 0
        return code_block(plain, ["cell-output", "cell-output-display"]), 0
    return None, 0


def _code_blocks(cell: CodeCell, opts: dict[str, Any], ctx: OutputContext) -> list[str]:
    """The cell's code as shown (``echo``, ``code-fold``; ``echo: fenced`` with its fence)."""
    echo = opts.get("echo", True)
    if not (echo and cell.code.strip()):
        return []
    if echo == "fenced":
        inner = _fence(cell.source)
        return [code_block(f"{inner}{{python}}\n{cell.source}\n{inner}", ["markdown", "cell-code"])]
    fold = opts.get("code-fold", ctx.code_fold)
    classes = ["python", "cell-code"]
    if fold in (True, "true", "show"):
        classes.append("cell-code-fold-open" if fold == "show" else "cell-code-fold")
    return [code_block(cell.code, classes)]


def _merged_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outputs with consecutive writes to the same stream merged into one."""
    merged: list[dict[str, Any]] = []
    for out in outputs:
        if out.get("output_type") != "stream":
            merged.append(out)
        elif (merged and merged[-1].get("output_type") == "stream"
              and merged[-1].get("name") == out.get("name")):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + _output_text(out["text"])}
        else:
            merged.append({**out, "text": _output_text(out["text"])})
    return merged


def _stream_block(out: dict[str, Any], opts: dict[str, Any], asis: bool) -> list[str]:
    """A stream's markdown: stderr as a warning block (unless ``warning: false``), stdout as
    output, or as markdown itself with ``output: asis``."""
    text = out["text"]
    if out.get("name") == "stderr":
        shown = opts.get("warning", True) and text.strip()
        return [code_block(text, ["cell-output", "cell-output-stderr"])] if shown else []
    if asis:
        return [text.strip("\n")]
    return [code_block(text, ["cell-output", "cell-output-stdout"])] if text.strip() else []


def cell_markdown(
    cell: CodeCell, outputs: list[dict[str, Any]], opts: dict[str, Any], ctx: OutputContext
) -> str:
    """Turn one executed cell into pandoc markdown, honouring its options."""
    if not opts.get("include", True):
        return ""
    blocks = _code_blocks(cell, opts, ctx)
    out_blocks: list[str] = []
    if opts.get("output", True) is not False:
        asis = opts.get("output") == "asis"
        n_img = 0
        for out in _merged_streams(outputs):
            kind = out.get("output_type")
            if kind == "stream":
                out_blocks += _stream_block(out, opts, asis)
            elif kind in ("display_data", "execute_result"):
                md, n = _display(cell, opts, out.get("data", {}), n_img, ctx)
                n_img += n
                if md:
                    out_blocks.append(md)
            elif kind == "error":
                tb = strip_ansi("\n".join(out.get("traceback", [])))
                out_blocks.append(code_block(tb, ["cell-output", "cell-output-error"]))
    label = cell.label
    if label and label.startswith("tbl-") and opts.get("tbl-cap") and out_blocks:
        caption = " ".join(str(opts["tbl-cap"]).split())
        out_blocks = [
            f"::: {{#{label} .fslt-tbl}}\n\n" + "\n\n".join(out_blocks) + "\n\n"
            f"::: {{.fslt-tbl-cap}}\n{caption}\n:::\n\n:::"
        ]
    blocks += out_blocks
    if not blocks:
        return ""
    ident = f" #{_safe_name(label)}" if label and not label.startswith(("fig-", "tbl-")) else ""
    return "::: {.cell" + ident + "}\n\n" + "\n\n".join(blocks) + "\n\n:::"
