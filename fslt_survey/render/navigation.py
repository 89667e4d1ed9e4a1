"""A website's sidebar and its offline search (Quarto's ``website: sidebar:`` and ``search``).

* ``sidebar``: a mapping (or a list of them; the first whose contents hold the page is used)
  with ``title`` and ``contents``: page paths, ``{href, text}`` items, ``{section, contents}``
  groups, or ``auto`` (every page of the site). It is drawn as a ``<nav>`` beside the page.
* ``search`` (on by default for websites, as in Quarto; ``search: false`` turns it off): at the
  end of every render the site's pages are read back and indexed into ``search.json``
  (Quarto's name and fields: ``objectID``, ``href``, ``title``, ``section``, ``text``) and
  ``site_libs/search-index.js`` (the same, for pages opened from disk, where a browser may not
  fetch files); ``site_libs/search.js`` searches it in the page. Nothing is requested from
  anywhere else.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fslt_survey.render.project import Project
from fslt_survey.render.site import PageInfo, item_parts, link_html, relative_href, resolve_href

TEMPLATES = Path(__file__).parent / "templates"
SEARCH_SCRIPT = TEMPLATES / "search.js"
SEARCH_JSON = "search.json"
SEARCH_INDEX = "site_libs/search-index.js"
SEARCH_JS = "site_libs/search.js"


def _sidebars(project: Project) -> list[dict[str, Any]]:
    value = project.website.get("sidebar")
    if isinstance(value, dict):
        return [value]
    return [s for s in value or [] if isinstance(s, dict)]


def _contents(items: Any, pages: dict[str, PageInfo]) -> list[Any]:
    if items == "auto" or items is None:
        return sorted(pages)
    return list(items) if isinstance(items, list) else [items]


def _targets(items: list[Any], pages: dict[str, PageInfo]) -> list[str]:
    found = []
    for item in items:
        if isinstance(item, dict) and "section" in item:
            found += _targets(_contents(item.get("contents"), pages), pages)
            if item.get("href"):
                found.append(resolve_href(str(item["href"]), pages)[0] or "")
            continue
        _, href = item_parts(item, pages)
        if href:
            found.append(resolve_href(href, pages)[0] or "")
    return found


def _items_html(items: list[Any], page: str, pages: dict[str, PageInfo]) -> str:
    out = []
    for item in items:
        if isinstance(item, dict) and "section" in item:
            sub = _items_html(_contents(item.get("contents"), pages), page, pages)
            label = html.escape(str(item["section"]))
            if item.get("href"):
                label = link_html(str(item["section"]), str(item["href"]), page, pages)
            out.append(f'<li class="sidebar-section"><span>{label}</span><ul>{sub}</ul></li>')
            continue
        text, href = item_parts(item, pages)
        if text.strip("-") == "":
            continue
        out.append(f"<li>{link_html(text, href, page, pages)}</li>")
    return "".join(out)


def sidebar_html(
    project: Project, page: str, pages: dict[str, PageInfo], words: dict[str, str]
) -> str | None:
    """The sidebar for output page ``page``, or None when the site has none."""
    bars = _sidebars(project)
    if not bars:
        return None
    bar = next(
        (b for b in bars if page in _targets(_contents(b.get("contents"), pages), pages)),
        bars[0],
    )
    items = _items_html(_contents(bar.get("contents"), pages), page, pages)
    title = bar.get("title")
    head = f'<p class="sidebar-title">{html.escape(str(title))}</p>' if title else ""
    label = html.escape(str(title or words["sidebar"]))
    return f'<nav class="sidebar" aria-label="{label}">{head}<ul>{items}</ul></nav>'


def search_enabled(project: Project) -> bool:
    return project.is_website and project.website.get("search", True) is not False


def search_html(page: str, words: dict[str, str]) -> str:
    """The search box of output page ``page`` (scripts loaded from ``site_libs``)."""
    root = relative_href(page, "index.html")[: -len("index.html")]
    return (
        f'<form class="site-search" role="search" data-root="{html.escape(root)}" '
        f'data-none="{html.escape(words["search-none"])}">'
        f'<label for="site-search-q">{html.escape(words["search"])}</label>'
        '<input id="site-search-q" type="search" autocomplete="off">'
        '<ul class="site-search-results" aria-live="polite"></ul></form>'
        f'<script src="{html.escape(relative_href(page, SEARCH_INDEX))}" defer></script>'
        f'<script src="{html.escape(relative_href(page, SEARCH_JS))}" defer></script>'
    )


class _PageText(HTMLParser):
    """Title, and the text of each section (by its heading), of one rendered page."""

    SKIP = frozenset({"script", "style", "nav", "header", "footer", "form"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[dict[str, Any]] = [{"id": "", "heading": "", "text": []}]
        self._skip = 0
        self._in: str | None = None
        self._section = ""  # id of the <section> just opened (pandoc's --section-divs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "section":
            self._section = dict(attrs).get("id") or ""
        elif tag in ("h1", "h2", "h3", "title"):
            self._in = tag
            if tag in ("h2", "h3") and not self._skip:
                anchor = dict(attrs).get("id") or self._section
                self.sections.append({"id": anchor, "heading": "", "text": []})

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._skip:
            return
        elif self._in in ("h2", "h3"):
            self.sections[-1]["heading"] += data
        elif self._in != "h1":
            self.sections[-1]["text"].append(data)


def page_entries(rel: str, text: str) -> list[dict[str, str]]:
    """Quarto's ``search.json`` entries for one page (``rel``: its path in the site)."""
    if 'http-equiv="refresh"' in text:
        return []  # an alias (redirect page)
    parser = _PageText()
    parser.feed(text)
    title = " ".join(parser.title.split()).split(" – ")[0]
    entries = []
    for sec in parser.sections:
        body = " ".join(" ".join(sec["text"]).split())
        if not body and not sec["heading"]:
            continue
        href = rel + (f"#{sec['id']}" if sec["id"] else "")
        entries.append(
            {
                "objectID": href,
                "href": href,
                "title": title,
                "section": " ".join(sec["heading"].split()),
                "text": body,
            }
        )
    return entries


def search_entries(site: Path, memo: Path | None = None) -> list[dict[str, str]]:
    """The entries of every page of the built site ``site``; pages whose HTML is unchanged
    since the last run are taken from ``memo`` (a JSON file) instead of being parsed again."""
    try:
        old = json.loads(memo.read_text(encoding="utf-8")) if memo else {}
    except (OSError, ValueError):
        old = {}
    new: dict[str, Any] = {}
    entries = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("site_libs/"):
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        hit = old.get(rel) if isinstance(old, dict) else None
        found = hit[1] if hit and hit[0] == digest else page_entries(rel, data.decode("utf-8"))
        new[rel] = [digest, found]
        entries += found
    if memo is not None and new != old:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    return entries


def write_search(site: Path, memo: Path | None = None) -> None:
    """Index the built site into ``search.json`` and the offline script next to it."""
    entries = search_entries(site, memo)
    data = json.dumps(entries, ensure_ascii=False, indent=0)
    (site / SEARCH_JSON).write_text(data, encoding="utf-8")
    index = site / SEARCH_INDEX
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(f"window.RENDER_SEARCH = {data};\n", encoding="utf-8")
    (site / SEARCH_JS).write_bytes(SEARCH_SCRIPT.read_bytes())


def sidebar_targets(project: Project, pages: dict[str, PageInfo]) -> list[str]:
    """Root-relative output paths the sidebars link to (internal links only)."""
    found = []
    for bar in _sidebars(project):
        found += [t for t in _targets(_contents(bar.get("contents"), pages), pages) if t]
    return [posixpath.normpath(t) for t in found]
