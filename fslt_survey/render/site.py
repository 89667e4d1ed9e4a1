"""Website pieces: navbar, footer, links between pages, redirects, resources."""

from __future__ import annotations

import html
import posixpath
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fslt_survey.render.errors import RenderError
from fslt_survey.render.project import Project, expand_globs
from fslt_survey.render.qmd import split_front_matter

#: Where the stylesheet goes in the output folder.
CSS_PATH = "site_libs/engine.css"
#: Where the panel-tabset script goes in the output folder.
TABSETS_PATH = "site_libs/tabsets.js"


@dataclass(frozen=True)
class PageInfo:
    """What other pages need to know about a document to link to it."""

    source: str  # reports/metode.qmd
    output: str  # reports/metode.html
    title: str


def page_info(project: Project, rel: str) -> PageInfo:
    """Title and output path of a document, from its front matter only (cheap)."""
    path = project.root / rel
    try:
        front, _ = split_front_matter(path.read_text(encoding="utf-8").lstrip("\ufeff"), path)
    except (OSError, RenderError):
        front = {}
    name = Path(str(front.get("output-file") or Path(rel).name)).name
    stem = (
        name.rsplit(".", 1)[0] if name.endswith((".html", ".htm", ".pdf", ".qmd", ".md")) else name
    )
    parent = posixpath.dirname(rel)
    output = posixpath.join(parent, stem + ".html") if parent else stem + ".html"
    return PageInfo(source=rel, output=output, title=str(front.get("title") or Path(rel).stem))


def relative_href(from_page: str, target: str) -> str:
    """Link from output page ``from_page`` to output path ``target`` (both root-relative).

    Examples
    --------
    >>> relative_href("reports/a.html", "index.html")
    '../index.html'
    >>> relative_href("index.html", "reports/b.html")
    'reports/b.html'
    """
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(target, start)


def is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme) or href.startswith("//")


def resolve_href(href: str, pages: dict[str, PageInfo]) -> tuple[str | None, str]:
    """Turn a navbar/footer href into (root-relative output path or None, fragment).

    ``reports/x.qmd`` -> ``reports/x.html``; external URLs give ``None``.
    """
    if is_external(href) or href.startswith(("mailto:", "tel:")):
        return None, ""
    path, _, frag = href.partition("#")
    path = path.lstrip("/")
    if path in pages:
        return pages[path].output, frag
    if path.endswith((".qmd", ".md", ".ipynb")):
        return posixpath.splitext(path)[0] + ".html", frag
    return path, frag


def item_parts(item: Any, pages: dict[str, PageInfo]) -> tuple[str, str | None]:
    """(text, href) of a navbar item written as a string or a mapping."""
    if isinstance(item, str):
        href = item
        text = pages[href.lstrip("/")].title if href.lstrip("/") in pages else href
        return text, href
    href = item.get("href") or item.get("file")
    text = item.get("text")
    if text is None and href is not None:
        key = str(href).lstrip("/")
        text = pages[key].title if key in pages else item.get("aria-label") or str(href)
    return str(text or item.get("icon") or ""), (str(href) if href is not None else None)


def link_html(text: str, href: str | None, page: str, pages: dict[str, PageInfo]) -> str:
    if href is None:
        return f"<span>{html.escape(text)}</span>"
    target, frag = resolve_href(href, pages)
    if target is None:
        url = href
        current = False
    else:
        url = relative_href(page, target) + (f"#{frag}" if frag else "")
        current = target == page and not frag
    aria = ' aria-current="page"' if current else ""
    return f'<a href="{html.escape(url)}"{aria}>{html.escape(text)}</a>'


def _items_html(items: list[Any], page: str, pages: dict[str, PageInfo]) -> str:
    out = []
    for item in items or []:
        if isinstance(item, dict) and "menu" in item:
            sub = _items_html(item.get("menu") or [], page, pages)
            label = html.escape(str(item.get("text", "")))
            out.append(f"<li><details><summary>{label}</summary><ul>{sub}</ul></details></li>")
            continue
        text, href = item_parts(item, pages)
        if text.strip("-") == "":
            continue  # a menu separator
        out.append(f"<li>{link_html(text, href, page, pages)}</li>")
    return "".join(out)


def navbar_html(
    project: Project, page: str, pages: dict[str, PageInfo], words: dict[str, str]
) -> str:
    """The site navigation for output page ``page`` (links relative to it)."""
    navbar = project.website.get("navbar") or {}
    if navbar is False:
        navbar = {}
    title = navbar.get("title", project.title)
    parts = [f'<nav class="navbar" aria-label="{html.escape(words["nav"])}">']
    if title or navbar.get("logo"):
        brand = ""
        if navbar.get("logo"):
            logo = relative_href(page, str(navbar["logo"]).lstrip("/"))
            alt = navbar.get("logo-alt") or title or "Logo"
            brand += f'<img src="{html.escape(logo)}" alt="{html.escape(str(alt))}">'
        if title:
            brand += f"<span>{html.escape(str(title))}</span>"
        # the site's home: index.html at the root, else the shallowest */index.html
        homes = sorted(
            (p.output for p in pages.values() if posixpath.basename(p.output) == "index.html"),
            key=lambda out: (out.count("/"), out),
        )
        index = homes[0] if homes else None
        href = navbar.get("href") or (relative_href(page, index) if index else None)
        if href:
            parts.append(f'<a class="navbar-brand" href="{html.escape(href)}">{brand}</a>')
        else:
            parts.append(f'<span class="navbar-brand">{brand}</span>')
    for side in ("left", "right"):
        items = navbar.get(side)
        if items:
            parts.append(f'<ul class="navbar-{side}">{_items_html(items, page, pages)}</ul>')
    parts.append("</nav>")
    return "".join(parts)


def navbar_targets(project: Project, pages: dict[str, PageInfo]) -> list[str]:
    """Root-relative output paths every navbar link points to (internal links only)."""
    navbar = project.website.get("navbar") or {}
    found: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items or []:
            if isinstance(item, dict) and "menu" in item:
                walk(item["menu"])
                continue
            _, href = item_parts(item, pages)
            if href:
                target, _ = resolve_href(href, pages)
                if target is not None:
                    found.append(target)

    if isinstance(navbar, dict):
        walk(navbar.get("left") or [])
        walk(navbar.get("right") or [])
    return found


def _footer_markdown(value: Any, page: str, pages: dict[str, PageInfo]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        links = []
        for item in value:
            text, href = item_parts(item, pages)
            if href is None:
                links.append(text)
                continue
            target, frag = resolve_href(href, pages)
            url = href if target is None else relative_href(page, target)
            url += f"#{frag}" if frag and target is not None else ""
            links.append(f"[{text}](<{url}>)")
        return " · ".join(links)
    return str(value) if value is not None else ""


def footer_metadata(project: Project, page: str, pages: dict[str, PageInfo]) -> dict[str, str]:
    """``fslt-footer-left/center/right`` metadata (markdown) for the page template."""
    footer = project.website.get("page-footer")
    if not footer:
        return {}
    if not isinstance(footer, dict):
        footer = {"center": footer}
    meta = {}
    for side in ("left", "center", "right"):
        if footer.get(side):
            meta[f"fslt-footer-{side}"] = _footer_markdown(footer[side], page, pages)
    return meta


def redirect_page(target_href: str, title: str, lang: str, moved: str) -> str:
    """A tiny HTML page that forwards to ``target_href`` (for Quarto ``aliases``)."""
    url = html.escape(target_href)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        f'<link rel="canonical" href="{url}">\n<title>{html.escape(title)}</title>\n</head>\n'
        f'<body>\n<main><p>{html.escape(moved)} <a href="{url}">{html.escape(title)}</a>.</p>'
        "</main>\n</body>\n</html>\n"
    )


class _RefCollector(HTMLParser):
    ATTRS = frozenset({"src", "href", "poster", "data"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in self.ATTRS:
                self.refs.append(value)
            elif value and name == "srcset":
                self.refs += [part.strip().split()[0] for part in value.split(",") if part.strip()]


def local_references(page_html: str) -> list[str]:
    """Relative URLs an HTML page refers to (images, downloads...), decoded, unique."""
    collector = _RefCollector()
    collector.feed(page_html)
    out: list[str] = []
    for ref in collector.refs:
        if is_external(ref) or ref.startswith(
            ("#", "/", "data:", "mailto:", "tel:", "javascript:")
        ):
            continue
        path = unquote(urlsplit(ref).path)
        if path and path not in out:
            out.append(path)
    return out


def source_resources(
    refs: list[str], doc_dir: Path, root: Path, skip: tuple[str, ...]
) -> list[str]:
    """Those ``refs`` that are files next to the source document (inside the project).

    ``skip`` holds prefixes (like ``<stem>_files/``) that the engine provides itself.
    """
    found = []
    for ref in refs:
        if ref.startswith(skip) or ref.endswith((".html", ".htm")):
            continue
        path = (doc_dir / ref).resolve()
        if path.is_file() and (root == path or root in path.parents):
            found.append(ref)
    return found


def copy_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    shutil.copy2(src, dest)


def copy_globs(patterns: list[str], base: Path, root: Path, staging: Path) -> list[Path]:
    """Copy files matched by ``patterns`` (relative to ``base``) to the same place in
    ``staging`` (relative to the project ``root``); return the destinations."""
    written = []
    for src in expand_globs(patterns, base):
        if root not in src.parents:
            continue
        dest = staging / src.relative_to(root)
        copy_file(src, dest)
        written.append(dest)
    return written
