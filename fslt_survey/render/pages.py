"""From executed markdown to the pandoc inputs of one page, and from those to HTML and PDF."""

from __future__ import annotations

import datetime as _dt
import hashlib
import html as _html
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from fslt_survey.render import pandoc
from fslt_survey.render.cache import stable_json
from fslt_survey.render.errors import RenderError
from fslt_survey.render.headers import css_hrefs, include_args, include_texts
from fslt_survey.render.host import current as current_host
from fslt_survey.render.i18n import DATE_FORMATS, format_date, strings
from fslt_survey.render.navigation import search_enabled, search_html, sidebar_html
from fslt_survey.render.project import DocConfig, Project, as_list
from fslt_survey.render.site import (
    CSS_PATH,
    TABSETS_PATH,
    PageInfo,
    footer_metadata,
    local_references,
    navbar_html,
    relative_href,
    source_resources,
)

_SCRIPT_WARNING = re.compile(r"^Scripting warning at .*? column \d+: ")

#: Options that steer the engine and are not passed to pandoc as metadata.
_NOT_METADATA = frozenset(
    {
        "format",
        "execute",
        "jupyter",
        "engine",
        "freeze",
        "resources",
        "aliases",
        "output-file",
        "params",
        "filters",
        "theme",
        "css",
        "include-in-header",
        "include-before-body",
        "include-after-body",
        "embed-resources",
        "self-contained",
        "page-layout",
        "code-fold",
        "code-summary",
        "fig-width",
        "fig-height",
        "fig-dpi",
        "fig-format",
        "keep-md",
        "keep-ipynb",
        "keep-typ",
        "margin",
        "font-paths",
    }
)


def _plain(value: Any) -> str:
    """A metadata value as plain text (for <title> and PDF metadata)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return _plain(value.get("name") or value.get("text") or "")
    text = str(value)
    for ch in "*_`":
        text = text.replace(ch, "")
    return " ".join(text.split())


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, dict):
                name = name.get("literal") or " ".join(
                    str(name.get(k, "")) for k in ("given", "family")
                )
            out.append(str(name or ""))
        else:
            out.append(str(item))
    return [a for a in out if a.strip()]


def _date(value: Any) -> Any:
    if value in ("today", "now"):
        return _dt.date.today().isoformat()
    if value == "last-modified":
        return None  # resolved by the caller from the source file's mtime
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _typst_str(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _typst_margin(value: Any) -> str | None:
    if isinstance(value, dict):
        allowed = ("x", "y", "left", "right", "top", "bottom", "inside", "outside", "rest")
        parts = [f"{k}: {v}" for k, v in value.items() if k in allowed]
        return "(" + ", ".join(parts) + ")" if parts else None
    if isinstance(value, str | int | float):
        return str(value)
    return None


@dataclass
class PageInputs:
    """Everything pandoc needs to write one page in each format, plus its cache key."""

    markdown: dict[str, str] = field(default_factory=dict)  # kind -> markdown with metadata
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    includes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> option
    key: str = ""


@dataclass
class PagePlan:
    """Where one document's outputs go (paths relative to the output folder)."""

    rel: str
    cfg: DocConfig
    html: str | None
    pdf: str | None
    site: bool

    @property
    def page(self) -> str:
        return self.html or self.pdf or self.rel


def build_inputs(
    project: Project,
    plan: PagePlan,
    body: str,
    *,
    pages: dict[str, PageInfo],
    files_prefix: str,
    source_mtime: float,
) -> PageInputs:
    """Metadata, variables and markdown for each of the page's formats."""
    cfg = plan.cfg
    inputs = PageInputs()
    doc_dir = Path(cfg.rel).parent.as_posix()
    for kind in cfg.kinds:
        opts = cfg.format_options(kind)
        lang = str(opts.get("lang") or "en")
        words = strings(lang)
        host_key = current_host().config_key
        meta = {k: v for k, v in opts.items() if k not in _NOT_METADATA and k != host_key}
        meta["lang"] = lang
        if "author" in meta:
            meta["author"] = _authors(meta["author"])
        if "date" in meta:
            date = _date(meta["date"])
            if date is None:
                date = _dt.date.fromtimestamp(source_mtime).isoformat()
            fmt = opts.get("date-format")
            if fmt is not None and fmt not in DATE_FORMATS:
                raise RenderError(
                    f"date-format {fmt!r} is not supported by the built-in engine",
                    file=cfg.rel,
                    expected=f"one of {', '.join(DATE_FORMATS)}, or render with Quarto",
                )
            meta["date-meta"] = str(date)
            meta["date"] = format_date(date, fmt, lang)
        meta["fslt-strings"] = dict(words)
        if isinstance(opts.get("code-summary"), str):
            meta["fslt-strings"]["code-summary"] = opts["code-summary"]
        source_dir = (project.root / cfg.rel).parent
        inputs.includes[kind] = include_texts(opts, source_dir, project.root, file=cfg.rel)
        if kind == "html" and opts.get("css"):
            meta["css"] = css_hrefs(opts, source_dir, project.root, file=cfg.rel)
        variables: dict[str, Any] = {"fslt-files-dir": f"{cfg.stem}_files/"}
        title = _plain(meta.get("title")) or Path(cfg.rel).stem
        if kind == "html":
            variables.update(_html_variables(project, plan, pages, words, body, meta, title))
        else:
            variables.update(_typst_variables(opts, meta, lang, title))
            variables["fslt-typst-files-prefix"] = files_prefix
            variables["fslt-typst-doc-prefix"] = "/" + (doc_dir + "/" if doc_dir != "." else "")
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True, default_flow_style=False)
        inputs.markdown[kind] = f"---\n{front}---\n\n{body}"
        inputs.variables[kind] = variables
        inputs.options[kind] = opts
    inputs.key = _inputs_key(inputs)
    return inputs


def _inputs_key(inputs: PageInputs) -> str:
    """The output cache key: everything pandoc and Typst get, and their versions."""
    payload = {
        "markdown": inputs.markdown,
        "variables": inputs.variables,
        "includes": inputs.includes,
        "toc": {
            k: [
                o.get("toc"),
                o.get("toc-depth"),
                o.get("number-sections"),
                o.get("mainfont"),
                o.get("font-paths"),
            ]
            for k, o in inputs.options.items()
        },
        "pandoc": pandoc.pandoc_version(),
        "typst": pandoc.typst_version(),
        "templates": pandoc.templates_hash(),
    }
    return hashlib.sha256(stable_json(payload).encode("utf-8")).hexdigest()


def _html_variables(
    project: Project,
    plan: PagePlan,
    pages: dict[str, PageInfo],
    words: dict[str, str],
    body: str,
    meta: dict[str, Any],
    title: str,
) -> dict[str, Any]:
    """Template variables of an HTML page (``meta`` gets the site's description and footer)."""
    assert plan.html is not None
    # from the page to the site root (to the project root for flat documents, whose resources
    # are looked up next to the source)
    where = plan.html if plan.site else plan.cfg.rel
    site_title = project.title if plan.site else None
    page_title = f"{title} – {site_title}" if site_title and site_title != title else title
    variables: dict[str, Any] = {
        "fslt-root-prefix": "../" * len(PurePosixPath(where).parent.parts),
        "fslt-pagetitle": _html.escape(page_title),
        "fslt-css": relative_href(plan.html, CSS_PATH),
        "fslt-skip": _html.escape(words["skip"]),
        "fslt-toc": _html.escape(words["toc"]),
        "fslt-other-formats": _html.escape(words["other-formats"]),
    }
    if "panel-tabset" in body:
        variables["fslt-tabsets"] = relative_href(plan.html, TABSETS_PATH)
    if plan.site:
        variables.update(_site_variables(project, plan.html, pages, words, meta))
    if plan.pdf:
        variables["fslt-pdf"] = relative_href(plan.html, plan.pdf)
        variables["fslt-pdf-text"] = _html.escape(words["pdf"])
    return variables


def _site_variables(
    project: Project, page: str, pages: dict[str, PageInfo], words: dict[str, str], meta: Any
) -> dict[str, Any]:
    """Navbar, sidebar, search and footer of a site page."""
    variables: dict[str, Any] = {"fslt-navbar": navbar_html(project, page, pages, words)}
    sidebar = sidebar_html(project, page, pages, words)
    if sidebar:
        variables["fslt-sidebar"] = sidebar
    if search_enabled(project):
        variables["fslt-search"] = search_html(page, words)
    if project.website.get("description") and not meta.get("description"):
        meta["description"] = str(project.website["description"])
    footer = footer_metadata(project, page, pages)
    if footer:
        meta.update(footer)
        variables["fslt-footer"] = "true"
    return variables


def _typst_variables(
    opts: dict[str, Any], meta: dict[str, Any], lang: str, title: str
) -> dict[str, Any]:
    """Template variables of a Typst document (``meta`` gets its section numbering)."""
    region = lang.replace("_", "-").split("-")
    variables: dict[str, Any] = {
        "fslt-typst-title": _typst_str(title),
        "fslt-typst-lang": region[0].lower(),
        "fslt-typst-numbering": _typst_str(str(opts.get("page-numbering", "1 / 1"))),
    }
    if len(region) > 1:
        variables["fslt-typst-region"] = region[1].upper()
    authors = [_typst_str(_plain(a)) for a in _authors(opts.get("author"))]
    if authors:
        variables["fslt-typst-author"] = authors
    margin = _typst_margin(opts.get("margin"))
    if margin:
        variables["fslt-typst-margin"] = margin
    if opts.get("number-sections") and not meta.get("section-numbering"):
        meta["section-numbering"] = "1.1"
    return variables


def _pandoc_variables(variables: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, value in variables.items():
        for v in value if isinstance(value, list) else [value]:
            out.append((key, str(v)))
    return out


@dataclass
class RenderedPage:
    files: dict[str, bytes]  # "html"/"pdf" -> bytes
    resources: list[str]  # files next to the source document that the page refers to
    warnings: list[str]


def write_page(
    project: Project,
    plan: PagePlan,
    inputs: PageInputs,
    *,
    scratch: Path,
) -> RenderedPage:
    """Run pandoc (and Typst) for every format of the page.

    ``scratch`` is a folder inside the project root for the intermediate ``.typ`` file (Typst
    only reads files below its root, and figures live in the cache inside the project).
    """
    cfg = plan.cfg
    doc_dir = (project.root / cfg.rel).parent
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    refs: list[str] = []
    scratch.mkdir(parents=True, exist_ok=True)
    for kind in cfg.kinds:
        markdown = inputs.markdown[kind]
        args = _pandoc_variables(inputs.variables[kind])
        opts = inputs.options[kind]
        folder = Path(tempfile.mkdtemp(dir=scratch, prefix="include-"))
        extra = include_args(inputs.includes.get(kind, {}), folder)
        if kind == "html":
            page, warns = pandoc.markdown_to_html(
                markdown, options=opts, variables=args, file=cfg.rel, extra=extra
            )
            files["html"] = page.encode("utf-8")
            refs += local_references(page)
        else:
            source, warns = pandoc.markdown_to_typst(
                markdown, options=opts, variables=args, file=cfg.rel, extra=extra
            )
            tmp = Path(tempfile.mkdtemp(dir=scratch, prefix="typst-"))
            try:
                typ = tmp / f"{cfg.stem}.typ"
                typ.write_text(source, encoding="utf-8")
                font_paths = [doc_dir / p for p in as_list(opts.get("font-paths"))]
                font_paths += list(current_host().font_paths)
                files["pdf"] = pandoc.compile_typst(
                    typ,
                    root=project.root,
                    font_paths=font_paths,
                    system_fonts=bool(opts.get("mainfont")),
                    file=cfg.rel,
                    warnings=warns,
                )
                if opts.get("keep-typ"):
                    files["typ"] = source.encode("utf-8")
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        for w in warns:
            w = _SCRIPT_WARNING.sub("", w)
            if f"{cfg.rel}: {w}" not in warnings:
                warnings.append(f"{cfg.rel}: {w}")
    skip = (f"{cfg.stem}_files/", "site_libs/", f"{cfg.stem}.pdf")
    resources = source_resources(refs, doc_dir, project.root, skip)
    return RenderedPage(files, resources, warnings)
