"""Execute a parsed ``.qmd`` and turn the cells' outputs into pandoc markdown.

The result is one markdown body (the "executed markdown") plus the figure files it refers to;
both HTML and Typst are produced from it, and it is what the cache stores.
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError
from fslt_survey.render.kernel import kernel_session, strip_ansi
from fslt_survey.render.outputs import OutputContext, cell_markdown
from fslt_survey.render.pool import KernelPool
from fslt_survey.render.project import DocConfig
from fslt_survey.render.qmd import INLINE_TOKEN, CodeCell, MarkdownChunk, QmdDocument
from fslt_survey.render.results import CellExecutionError

#: Cell options and their defaults (Quarto's, for the Jupyter engine).
DEFAULT_OPTIONS: dict[str, Any] = {
    "eval": True,
    "echo": True,
    "output": True,
    "warning": True,
    "error": False,
    "include": True,
}
INLINE_MIME = "application/vnd.fslt.inline+json"
_TRACE_LINE = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")

SETUP_CODE = """\
def __fslt_setup():
    try:
        import matplotlib
    except ImportError:
        return
    ip = get_ipython()
    ip.run_line_magic("matplotlib", "inline")
    from matplotlib_inline.backend_inline import set_matplotlib_formats
    set_matplotlib_formats({fmt!r})
    matplotlib.rcParams["figure.figsize"] = ({width!r}, {height!r})
    matplotlib.rcParams["figure.dpi"] = {dpi!r}
    matplotlib.rcParams["savefig.dpi"] = {dpi!r}
__fslt_setup()
del __fslt_setup

def __fslt_inline_format(value):
    md = getattr(value, "_repr_markdown_", None)
    if callable(md):
        out = md()
        if out is not None:
            return out[0] if isinstance(out, tuple) else out
    return str(value)

def __fslt_inline_show(values):
    from IPython.display import display
    display({{{mime!r}: {{"values": values}}}}, raw=True)

def __fslt_watch():
    # the files this kernel writes (an open for writing, or the target of a rename such as an
    # atomic write's), so that documents executing side by side tell their files apart
    import os, sys
    written = set()
    write = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            if (mode and any(c in mode for c in "wxa+")) or (not mode and (flags or 0) & write):
                written.add(os.path.abspath(os.fsdecode(path)))
        elif event == "os.rename" and not isinstance(args[1], int):
            written.add(os.path.abspath(os.fsdecode(args[1])))
    sys.addaudithook(hook)
    return written
__fslt_written = __fslt_watch()
del __fslt_watch
"""
#: Asks the kernel for the files it wrote (shown with the inline mime type).
WRITTEN_CODE = "__fslt_inline_show(sorted(__fslt_written))"


@dataclass
class ExecutionResult:
    """Executed markdown (body only) and the files it references.

    Parameters
    ----------
    markdown:
        Pandoc markdown with all code replaced by its (visible) results.
    files:
        Paths, relative to the document folder, of the figure files the cells produced
        (``<stem>_files/figure-html/...``); they live under the work folder given to
        :func:`execute_document`.
    warnings:
        Non-fatal problems found while executing.
    written:
        Real paths of the files the kernel's own code opened for writing or renamed into
        place (not those a subprocess wrote); ``None`` when nothing was executed.
    """

    markdown: str
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: frozenset[str] | None = None


def yaml_scalar(value: Any) -> Any:
    """Interpret a ``-P key:value`` string like Quarto (YAML 1.2 core scalars).

    Examples
    --------
    >>> [yaml_scalar(v) for v in ["2025", "0.5", "true", "null", "Frivillighed", "no"]]
    [2025, 0.5, True, None, 'Frivillighed', 'no']
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~", ""):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return value


def parameters_code(params: dict[str, Any], file: str) -> str:
    """The source of the injected parameters cell."""
    lines = ["# Injected parameters"]
    for key, value in params.items():
        if not str(key).isidentifier() or keyword.iskeyword(str(key)):
            raise RenderError(
                "parameter name is not a valid Python variable name",
                file=file,
                expected="a name like 'tema' or 'year'",
                found=str(key),
            )
        lines.append(f"{key} = {yaml_scalar(value)!r}")
    return "\n".join(lines)


def _options(cfg: DocConfig, cell: CodeCell) -> dict[str, Any]:
    opts = dict(DEFAULT_OPTIONS)
    opts.update({k: v for k, v in cfg.execute.items() if k in DEFAULT_OPTIONS})
    opts.update(cell.options)
    return opts


def _cell_error(cell_result: Any, what: str, rel: str, first_line: int, line_of: Any) -> None:
    errors = [o for o in cell_result.outputs if o.get("output_type") == "error"]
    if not errors:
        return
    err = errors[0]
    ename, evalue = err.get("ename", "Error"), strip_ansi(str(err.get("evalue", "")))
    tb = strip_ansi("\n".join(err.get("traceback", [])))
    exact = first_line
    for m in _TRACE_LINE.finditer(tb):
        if int(m.group(1)) == cell_result.get("execution_count"):
            exact = line_of(int(m.group(2)))
            break
    evalue_line = evalue.strip().splitlines()[0] if evalue.strip() else ""
    if len(evalue_line) > 300:
        evalue_line = evalue_line[:297] + "..."
    at = f", error at line {exact}" if exact != first_line else ""
    raise CellExecutionError(
        message=f"{what} (line {first_line}{at}) failed: {ename}: {evalue_line}".rstrip(": "),
        file=rel,
        row=exact,
        cell=what,
        line=first_line,
        exception=f"{ename}: {evalue_line}",
        traceback=tb,
    )


def figure_settings(cfg: DocConfig) -> dict[str, Any]:
    """Figure size/format/resolution (``fig-width``... from the html or pdf format)."""
    opts = cfg.format_options("html") if "html" in cfg.kinds else cfg.format_options("typst")
    fmt = str(opts.get("fig-format", "retina"))
    dpi = int(opts.get("fig-dpi", 96))
    if fmt == "retina":
        fmt, dpi = "png", dpi * 2
    if fmt not in ("png", "svg"):
        fmt = "png"
    return {
        "fmt": fmt,
        "dpi": dpi,
        "width": float(opts.get("fig-width", 7)),
        "height": float(opts.get("fig-height", 5)),
    }


def execute_document(
    doc: QmdDocument,
    cfg: DocConfig,
    *,
    params: dict[str, Any] | None,
    work_dir: Path,
    project_root: Path,
    shortcodes: Any = None,
    pool: KernelPool | None = None,
    cwd: Path | None = None,
) -> ExecutionResult:
    """Run every cell of ``doc`` in one fresh kernel and build the executed markdown.

    Parameters
    ----------
    doc, cfg:
        The parsed document and its merged options.
    params:
        ``-P`` style parameters, injected after the cell tagged ``parameters``.
    work_dir:
        Folder that receives ``<stem>_files/figure-html/``.
    project_root:
        Exported to the kernel as ``QUARTO_PROJECT_ROOT`` (Quarto's name for it).
    shortcodes:
        Optional ``fn(text) -> text`` applied to the document's own markdown.
    pool:
        Where the document's kernel comes from (forked ahead); ``None``: a kernel of its own.
    cwd:
        Where the cells run (default: the document's folder).

    Raises
    ------
    CellExecutionError
        When a cell (or inline expression) raises and ``error: true`` is not set.
    """
    html_opts = cfg.format_options("html")
    ctx = OutputContext(
        rel=cfg.rel,
        stem=cfg.stem,
        work_dir=work_dir,
        fig_format="png",
        code_fold=html_opts.get("code-fold", False),
    )
    fig = figure_settings(cfg)
    ctx.fig_format = fig["fmt"]
    params = dict(params or {})
    offsets = _inline_offsets(doc)

    def md_text(chunk: MarkdownChunk, values: list[str]) -> str:
        text = chunk.text
        for i, value in enumerate(values):
            text = text.replace(INLINE_TOKEN.format(i + offsets[chunk.line]), value)
        return shortcodes(text) if shortcodes else text

    if not doc.needs_kernel:
        parts = [md_text(c, []) for c in doc.chunks if isinstance(c, MarkdownChunk)]
        return ExecutionResult("\n\n".join(parts).strip() + "\n", [], ctx.warnings)

    parts: list[str] = []
    param_cell = next((c for c in doc.cells if "parameters" in c.tags), None)
    with kernel_session(
        cwd or doc.path.parent, project_root, timeout=cfg.execute.get("timeout"),
        document=doc.path, pool=pool,
    ) as kernel:
        setup = kernel.run(SETUP_CODE.format(mime=INLINE_MIME, **fig))
        _cell_error(setup, "the engine's setup code", cfg.rel, 1, lambda k: 1)
        if params and param_cell is None:
            inj = kernel.run(parameters_code(params, cfg.rel))
            _cell_error(inj, "the injected parameters", cfg.rel, 1, lambda k: 1)
        for chunk in doc.chunks:
            if isinstance(chunk, MarkdownChunk):
                parts.append(md_text(chunk, _inline_values(kernel, chunk, cfg.rel)))
                continue
            opts = _options(cfg, chunk)
            outputs = _run_cell(kernel, chunk, opts, fig, cfg.rel) if opts.get("eval", True) \
                else []
            parts.append(cell_markdown(chunk, outputs, opts, ctx))
            if chunk is param_cell and params:
                inj = kernel.run(parameters_code(params, cfg.rel))
                _cell_error(inj, "the injected parameters", cfg.rel, chunk.line, lambda k: 1)
        written = _shown_values(kernel.run(WRITTEN_CODE))
    body = "\n\n".join(p for p in parts if p.strip())
    return ExecutionResult(
        body.strip() + "\n", ctx.files, ctx.warnings,
        frozenset(os.path.realpath(p) for p in written),
    )


def _inline_offsets(doc: QmdDocument) -> dict[int, int]:
    """Markdown chunk's line -> the number of inline expressions before it (their tokens are
    numbered through the document)."""
    offsets, count = {}, 0
    for chunk in doc.chunks:
        if isinstance(chunk, MarkdownChunk):
            offsets[chunk.line] = count
            count += len(chunk.inline)
    return offsets


def _inline_values(kernel: Any, chunk: MarkdownChunk, rel: str) -> list[str]:
    """The formatted values of a markdown chunk's inline ``{python}`` expressions, evaluated in
    the kernel in one go (an error names the expression and its line)."""
    if not chunk.inline:
        return []
    code = ["__fslt_v = []"]
    code += [f"__fslt_v.append(__fslt_inline_format(({e})))" for e, _ in chunk.inline]
    code.append("__fslt_inline_show(__fslt_v)")
    res = kernel.run("\n".join(code))
    first = chunk.inline[0][1]
    lines = [first] + [ln for _, ln in chunk.inline] + [first]
    _cell_error(
        res,
        f"inline expression `{{python}} {chunk.inline[0][0]}`"
        if len(chunk.inline) == 1
        else "an inline `{python}` expression",
        rel,
        first,
        lambda k: lines[min(k - 1, len(lines) - 1)],
    )
    return _shown_values(res)


def _shown_values(res: Any) -> list[str]:
    """The values a run displayed with the inline mime type (the last display wins)."""
    values: list[str] = []
    for out in res.outputs:
        if INLINE_MIME in out.get("data", {}):
            values = list(out["data"][INLINE_MIME]["values"])
    return values


def _run_cell(
    kernel: Any, cell: CodeCell, opts: dict[str, Any], fig: dict[str, Any], rel: str
) -> list[dict[str, Any]]:
    """Run one code cell (with its own ``fig-width``/``fig-height`` for its duration); its
    outputs. An error stops the render unless the cell says ``error: true``."""
    resize = "fig-width" in cell.options or "fig-height" in cell.options
    if resize:
        w = float(cell.options.get("fig-width", fig["width"]))
        h = float(cell.options.get("fig-height", fig["height"]))
        kernel.run(f"import matplotlib as __m; __m.rcParams['figure.figsize'] = ({w!r}, {h!r})")
    res = kernel.run(cell.source)
    if resize:
        kernel.run(f"__m.rcParams['figure.figsize'] = ({fig['width']!r}, {fig['height']!r})")
    if not opts.get("error", False):
        _cell_error(res, cell.name, rel, cell.line, lambda k: cell.line + k)
    return [dict(o) for o in res.outputs]
