"""Pandoc (from ``pypandoc-binary``) and Typst (the ``typst`` package) conversions."""

from __future__ import annotations

import hashlib
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError

TEMPLATES = Path(__file__).parent / "templates"
HTML_TEMPLATE = TEMPLATES / "page.html"
TYPST_TEMPLATE = TEMPLATES / "page.typ"
LUA_FILTER = TEMPLATES / "quarto.lua"
LAYOUT_FILTER = TEMPLATES / "layout.lua"
HIGHLIGHT_THEME = TEMPLATES / "fslt.theme"
CSS_FILE = TEMPLATES / "engine.css"
TABSETS_SCRIPT = TEMPLATES / "tabsets.js"
#: Pandoc's markdown reader with Quarto's defaults.
MARKDOWN_READER = "markdown"
#: Font families bundled with the ``typst`` package (embedded in every PDF we write).
TYPST_FONTS = (
    "Libertinus Serif",
    "New Computer Modern",
    "New Computer Modern Math",
    "DejaVu Sans Mono",
)


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """Path of the pandoc binary shipped with ``pypandoc-binary``."""
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise RenderError("pypandoc-binary is not installed") from exc
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise RenderError(f"pandoc is not available: {exc}") from exc


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    """Version string of the bundled pandoc."""
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0].split()[-1]


@lru_cache(maxsize=1)
def typst_version() -> str:
    import typst

    return str(getattr(typst, "__version__", "unknown"))


@lru_cache(maxsize=1)
def templates_hash() -> str:
    """Hash of every template/filter/stylesheet (part of the engine version in cache keys)."""
    h = hashlib.sha256()
    for path in sorted(TEMPLATES.iterdir()):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def run_pandoc(
    args: list[str], text: str, *, file: str | Path | None = None, cwd: Path | None = None
) -> tuple[str, list[str]]:
    """Run pandoc with ``text`` on stdin; return (stdout, warnings).

    Raises
    ------
    RenderError
        When pandoc exits non-zero (its error message is included).
    """
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=text.encode("utf-8"),
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise RenderError(f"pandoc failed: {tail}", file=file)
    warnings = [
        line.replace("[WARNING]", "").strip()
        for line in stderr.splitlines()
        if line.startswith("[WARNING]")
    ]
    return proc.stdout.decode("utf-8"), warnings


_THEAD = re.compile(r"<thead>(.*?)</thead>", re.S | re.I)
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S | re.I)


def _pandas_index_header(html: str) -> str:
    """Fold the extra header row pandas writes for a named index into the column header.

    ``df.set_index("Forening")`` is shown with an empty top-left header cell and a second header
    row holding only "Forening". Pandoc keeps one header row, so that second row would become a
    data row and the top-left header cell would stay empty (no header for the first column):
    here "Forening" moves into the empty cell and the second row goes.
    """

    def fold(match: re.Match[str]) -> str:
        rows = _ROW.findall(match.group(1))
        if len(rows) != 2:
            return match.group(0)
        top, index = (_CELL.findall(r) for r in rows)
        if (
            len(top) != len(index)
            or len(top) < 2
            or top[0].strip()
            or not index[0].strip()
            or any(c.strip() for c in index[1:])
        ):
            return match.group(0)
        cells = "".join(f"<th>{c}</th>" for c in [index[0], *top[1:]])
        return f"<thead><tr>{cells}</tr></thead>"

    return _THEAD.sub(fold, html)


def html_to_markdown(html: str) -> str:
    """Convert an HTML fragment (e.g. a pandas table) to pandoc markdown."""
    html = _pandas_index_header(html)
    out, _ = run_pandoc(
        [
            "-f",
            "html",
            "-t",
            "markdown-raw_html-native_divs-native_spans-simple_tables-multiline_tables",
            "--wrap=none",
        ],
        html,
    )
    return out.strip()


def _common_args(options: dict[str, Any]) -> list[str]:
    args = ["-f", MARKDOWN_READER, "--lua-filter", str(LAYOUT_FILTER)]
    args += ["--lua-filter", str(LUA_FILTER), "--wrap=none"]
    if options.get("toc"):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth', 3))}"]
    return args


def _variables(variables: list[tuple[str, str]]) -> list[str]:
    args: list[str] = []
    for key, value in variables:
        args += ["-V", f"{key}={value}"]
    return args


def markdown_to_html(
    markdown: str,
    *,
    options: dict[str, Any],
    variables: list[tuple[str, str]],
    file: str,
    extra: list[str] | None = None,
) -> tuple[str, list[str]]:
    """Standalone HTML5 page from executed markdown (with front matter)."""
    args = [
        *_common_args(options),
        "-t",
        "html5",
        "--standalone",
        "--template",
        str(HTML_TEMPLATE),
        "--section-divs",
        "--mathml",
        "--syntax-highlighting",
        str(HIGHLIGHT_THEME),
    ]
    if options.get("number-sections"):
        args.append("--number-sections")
    return run_pandoc(args + (extra or []) + _variables(variables), markdown, file=file)


def markdown_to_typst(
    markdown: str,
    *,
    options: dict[str, Any],
    variables: list[tuple[str, str]],
    file: str,
    extra: list[str] | None = None,
) -> tuple[str, list[str]]:
    """Standalone Typst source from executed markdown (with front matter)."""
    args = [
        *_common_args(options),
        "-t",
        "typst",
        "--standalone",
        "--template",
        str(TYPST_TEMPLATE),
    ]
    return run_pandoc(args + (extra or []) + _variables(variables), markdown, file=file)


#: The PDF standard every PDF is written to when Typst can: PDF/UA-1 (universal accessibility).
#: Typst then checks what it can (document title, alt text on every image, a level-1 first
#: heading ...), tags the PDF (headings, paragraphs, tables with header cells, figures with
#: their alt text), sets the catalog's /Lang and asks viewers to show the title.
PDF_STANDARD = "ua-1"


def compile_typst(
    source: Path,
    *,
    root: Path,
    font_paths: list[Path] | None = None,
    system_fonts: bool = False,
    file: str | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """Compile a ``.typ`` file to PDF bytes with the ``typst`` package.

    Only the fonts bundled with the package are used unless ``system_fonts`` is true (a
    ``mainfont`` was asked for) or ``font_paths`` are given, so PDFs look the same everywhere.

    The PDF is written as PDF/UA-1 (:data:`PDF_STANDARD`). When Typst refuses that for this
    document (say, it has no title, or starts with a level-2 heading), an ordinary tagged PDF
    is written instead and the reason is appended to ``warnings``.
    """
    import typst

    kwargs: dict[str, Any] = {
        "root": str(root),
        "font_paths": [str(p) for p in font_paths or []],
        "ignore_system_fonts": not system_fonts,
        "format": "pdf",
    }
    try:
        try:
            return typst.compile(str(source), pdf_standards=[PDF_STANDARD], **kwargs)
        except typst.TypstError as exc:  # type: ignore[attr-defined]
            reason = str(exc).strip()
            if not reason.startswith("PDF/UA"):
                raise
        pdf = typst.compile(str(source), **kwargs)
    except typst.TypstError as exc:  # type: ignore[attr-defined]
        message = str(exc).strip().splitlines()
        raise RenderError(
            "Typst could not build the PDF: " + (message[0] if message else "unknown error"),
            file=file,
            found="\n".join(message[1:6]) or None,
        ) from exc
    if warnings is not None:
        first = reason.splitlines()[0] if reason else "unknown reason"
        warnings.append(f"the PDF is tagged but not PDF/UA-1 ({first})")
    return pdf
