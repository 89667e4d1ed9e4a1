"""What a Quarto website of this kind uses, rendered by the built-in engine as Quarto would.

One small project per feature, rendered with ``engine="builtin"``; the HTML is parsed (an
element tree from :mod:`html.parser`), never matched as text. The behaviour each test expects
is Quarto's, as documented: ``{{< include >}}`` (quarto.org/docs/authoring/includes.html),
panel tabsets (.../interactive/layout.html#tabset-panel), ``_metadata.yml``
(.../projects/quarto-projects.html#directory-metadata), ``css``/``include-in-header``
(.../output-formats/html-basics.html#css-styles, #includes), figure options
(.../computations/execution-options.html#figure-options), ``execute-dir``
(.../projects/code-execution.html#working-dir), margin content
(.../authoring/article-layout.html#margin-content), sidebar navigation
(.../websites/website-navigation.html#side-navigation) and site search
(.../websites/website-search.html, ``search.json``).
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from fslt_survey.render import RenderError, render_project

QUARTO = "project:\n  type: website\n  output-dir: _site\n"
VOID = frozenset({"meta", "link", "img", "br", "hr", "input", "source", "col", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                (v in child.attrs.get(k.rstrip("_"), "").split())
                if k.endswith("_")
                else child.attrs.get(k) == v
                for k, v in attrs.items()
            ):
                found.append(child)
            found += child.all(tag, **attrs)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]

    @property
    def content(self) -> str:
        return " ".join((self.text + " " + " ".join(c.content for c in self.children)).split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data


def parse(path: Path) -> Node:
    tree = _Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    return tree.root


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    for name, text in {"_quarto.yml": QUARTO, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def render(root: Path, **kwargs: object):
    return render_project(root, engine="builtin", progress=False, **kwargs)


# --------------------------------------------------------------------------- include


def test_include_pastes_the_file_before_execution_and_tracks_it(tmp_path: Path) -> None:
    part = "## Fra delen\n\n```{python}\nsvar = 6 * 7\nprint('svar', svar)\n```\n"
    root = make(
        tmp_path,
        {
            "index.qmd": "---\ntitle: Start\n---\n\n{{< include _del.qmd >}}\n\n"
            "Tal: `{python} svar`.\n",
            "_del.qmd": "---\ntitle: ignored\n---\n\n" + part,
        },
    )
    render(root)
    page = parse(root / "_site" / "index.html")
    assert page.one("h2").content == "Fra delen"
    assert "svar 42" in page.content and "Tal: 42." in page.content
    assert "include" not in page.content and "ignored" not in page.content
    (root / "_del.qmd").write_text(part.replace("6 * 7", "6 * 8"), encoding="utf-8")
    again = render(root)
    assert [p.as_posix() for p in again.executed] == ["index.qmd"]
    assert "Tal: 48." in parse(root / "_site" / "index.html").content


def test_a_missing_include_names_the_file_and_line(tmp_path: Path) -> None:
    root = make(
        tmp_path, {"index.qmd": "---\ntitle: A\n---\n\nTekst\n\n{{< include _nej.qmd >}}\n"}
    )
    with pytest.raises(RenderError, match=r"index.qmd, row 7: .*include _nej.qmd.*not found"):
        render(root)


# --------------------------------------------------------------------------- tabsets


TABSET = """---
title: Faner
format:
  html: default
  typst: default
---

::: {.panel-tabset}
## Kommune

Tekst om kommunen.

## Region

Tekst om regionen.
:::
"""


def test_panel_tabset_is_aria_tabs_in_html_and_sections_in_the_pdf(tmp_path: Path) -> None:
    root = make(tmp_path, {"index.qmd": TABSET})
    render(root)
    page = parse(root / "_site" / "index.html")
    tabset = page.one("div", class_="panel-tabset")
    tabs = tabset.one(role="tablist").all("button", role="tab")
    panels = tabset.all(role="tabpanel")
    assert [t.content for t in tabs] == ["Kommune", "Region"]
    assert [t.attrs["aria-selected"] for t in tabs] == ["true", "false"]
    assert [t.attrs["aria-controls"] for t in tabs] == [p.attrs["id"] for p in panels]
    assert [p.attrs["aria-labelledby"] for p in panels] == [t.attrs["id"] for t in tabs]
    assert "Tekst om regionen." in panels[1].content and "kommunen" not in panels[1].content
    script = [s.attrs["src"] for s in page.all("script") if "tabsets" in s.attrs.get("src", "")]
    assert script == ["site_libs/tabsets.js"] and (root / "_site" / script[0]).is_file()
    assert not [h for h in page.all("h2") if h not in tabset.all("h2")]  # no stray heading
    text = PdfReader(root / "_site" / "index.pdf").pages[0].extract_text()
    assert "Kommune" in text and "Tekst om regionen." in text


# --------------------------------------------------------------------------- _metadata.yml


def test_directory_metadata_applies_to_its_folder_below_the_front_matter(tmp_path: Path) -> None:
    cell = "```{python}\nprint('ud')\n```\n"
    root = make(
        tmp_path,
        {
            "_quarto.yml": QUARTO + "execute:\n  echo: false\n",
            "index.qmd": "---\ntitle: Rod\n---\n\n" + cell,
            "afsnit/_metadata.yml": "author: Mappens forfatter\nexecute:\n  echo: true\n",
            "afsnit/a.qmd": "---\ntitle: A\n---\n\n" + cell,
            "afsnit/b.qmd": "---\ntitle: B\nauthor: Sidens forfatter\n---\n\n" + cell,
        },
    )
    render(root)
    site = root / "_site"
    a, b, top = (parse(site / p) for p in ("afsnit/a.html", "afsnit/b.html", "index.html"))
    assert a.one("span", class_="author").content == "Mappens forfatter"
    assert b.one("span", class_="author").content == "Sidens forfatter"
    assert top.all("span", class_="author") == []
    assert a.all("code", class_="python") or a.all("div", class_="sourceCode")  # echo: true
    assert not (top.all("code", class_="python") or top.all("div", class_="sourceCode"))


# --------------------------------------------------------------------------- css, includes


def test_css_and_includes_go_into_head_and_body_and_the_pdf(tmp_path: Path) -> None:
    front = """---
title: Stil
format:
  html:
    css: stil.css
    include-in-header:
      - hoved.html
      - text: '<meta name="x-test" content="tekst">'
    include-after-body: slut.html
  typst:
    include-in-header: opsaet.typ
    include-before-body:
      text: "Indledning fra preamblen."
---

Brødtekst.
"""
    root = make(
        tmp_path,
        {
            "_quarto.yml": QUARTO + "format:\n  html:\n    css: /faelles.css\n",
            "sider/side.qmd": front,
            "sider/stil.css": "h1 { color: #123456; }\n",
            "faelles.css": "body { margin: 0; }\n",
            "sider/hoved.html": '<meta name="x-fil" content="fil">\n',
            "sider/slut.html": '<p id="slut">Sidste ord.</p>\n',
            "sider/opsaet.typ": '#set document(keywords: ("opsaet",))\n',
        },
    )
    render(root)
    page = parse(root / "_site" / "sider" / "side.html")
    head = page.one("head")
    links = [n.attrs["href"] for n in head.all("link", rel="stylesheet")]
    assert links == ["../site_libs/engine.css", "stil.css"]  # the document's css wins
    assert (root / "_site" / "sider" / "stil.css").is_file()
    assert head.one("meta", name="x-fil").attrs["content"] == "fil"
    assert head.one("meta", name="x-test").attrs["content"] == "tekst"
    assert page.one("p", id="slut").content == "Sidste ord."
    pdf = PdfReader(root / "_site" / "sider" / "side.pdf")
    assert "Indledning fra preamblen." in pdf.pages[0].extract_text()
    assert "opsaet" in str(pdf.metadata.get("/Keywords"))


# --------------------------------------------------------------------------- figures


FIGURE = """---
title: Figur
fig-width: 4
fig-height: 3
fig-dpi: 50
fig-format: png
---

```{python}
#| fig-alt: En linje
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
plt.show()
```

```{python}
#| fig-alt: En smal linje
#| fig-width: 2
plt.plot([3, 2, 1])
plt.show()
```
"""


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_figure_size_dpi_and_format_from_the_document_and_the_cell(tmp_path: Path) -> None:
    root = make(tmp_path, {"index.qmd": FIGURE})
    render(root)
    imgs = parse(root / "_site" / "index.html").all("img")
    assert [i.attrs["alt"] for i in imgs] == ["En linje", "En smal linje"]
    files = [root / "_site" / i.attrs["src"] for i in imgs]
    assert [f.suffix for f in files] == [".png", ".png"]
    # 4 x 3 inches at 50 dpi = 200 x 150 px, less the white border matplotlib's inline backend
    # trims (bbox_inches="tight", as under Quarto); the second cell is 2 inches wide
    (w1, h1), (w2, h2) = png_size(files[0]), png_size(files[1])
    assert 160 < w1 <= 200 and 120 < h1 <= 150
    assert 60 < w2 < w1 - 50 and h2 == h1
    svg = FIGURE.replace("fig-format: png", "fig-format: svg")
    (root / "index.qmd").write_text(svg, encoding="utf-8")
    render(root)
    src = parse(root / "_site" / "index.html").all("img")[0].attrs["src"]
    assert src.endswith(".svg")
    svg_root = parse(root / "_site" / src).one("svg")
    assert 200 < float(svg_root.attrs["width"].removesuffix("pt")) <= 4 * 72  # 4 in, trimmed


# --------------------------------------------------------------------------- execute-dir


def test_execute_dir_project_runs_cells_in_the_project_root(tmp_path: Path) -> None:
    cell = "```{python}\nimport os\nprint('cwd', os.getcwd())\n```\n"
    files = {"sider/a.qmd": "---\ntitle: A\n---\n\n" + cell}
    root = make(tmp_path, files)
    render(root)
    assert f"cwd {root / 'sider'}" in parse(root / "_site" / "sider" / "a.html").content
    (root / "_quarto.yml").write_text(QUARTO + "  execute-dir: project\n", encoding="utf-8")
    render(root)
    assert f"cwd {root}" + " " in parse(root / "_site" / "sider" / "a.html").content + " "


# --------------------------------------------------------------------------- margin


def test_margin_content_and_asides_are_asides(tmp_path: Path) -> None:
    doc = (
        "---\ntitle: M\n---\n\nBrødtekst [en sidebemærkning]{.aside}.\n\n"
        "::: {.column-margin}\nI margenen.\n:::\n"
    )
    root = make(tmp_path, {"index.qmd": doc})
    render(root)
    page = parse(root / "_site" / "index.html")
    assert page.one("aside", class_="column-margin").content == "I margenen."
    note = page.one("span", class_="aside")
    assert note.attrs["role"] == "note" and note.content == "en sidebemærkning"


# --------------------------------------------------------------------------- sidebar


SIDEBAR = """website:
  title: Sted
  sidebar:
    title: Sider
    contents:
      - index.qmd
      - section: Analyser
        contents:
          - analyser/a.qmd
          - href: analyser/b.qmd
            text: Den anden
"""


def test_sidebar_lists_pages_and_sections_with_relative_links(tmp_path: Path) -> None:
    page = "---\ntitle: {}\n---\n\nTekst.\n"
    root = make(
        tmp_path,
        {
            "_quarto.yml": QUARTO + SIDEBAR,
            "index.qmd": page.format("Forside"),
            "analyser/a.qmd": page.format("Første"),
            "analyser/b.qmd": page.format("Anden"),
        },
    )
    render(root)
    html = parse(root / "_site" / "analyser" / "a.html")
    nav = html.one("nav", class_="sidebar")
    assert nav.attrs["aria-label"] == "Sider"
    links = [(a.content, a.attrs["href"]) for a in nav.all("a")]
    assert links == [("Forside", "../index.html"), ("Første", "a.html"), ("Den anden", "b.html")]
    assert [a.content for a in nav.all("a", **{"aria-current": "page"})] == ["Første"]
    assert nav.one("li", class_="sidebar-section").all("span")[0].content == "Analyser"
    assert "has-sidebar" in html.one("body").attrs["class"]


# --------------------------------------------------------------------------- search


def test_site_search_indexes_every_page_offline(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "_quarto.yml": QUARTO + "website:\n  title: Sted\n",
            "index.qmd": "---\ntitle: Forside\n---\n\n## Lokaler\n\n"
            "Foreningerne mangler lokaler.\n",
            "om.qmd": "---\ntitle: Om\n---\n\nOm undersøgelsen.\n",
        },
    )
    render(root)
    site = root / "_site"
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))
    by_href = {e["href"]: e for e in entries}
    assert by_href["index.html#lokaler"]["title"] == "Forside"
    assert by_href["index.html#lokaler"]["section"] == "Lokaler"
    assert "mangler lokaler" in by_href["index.html#lokaler"]["text"]
    assert "Om undersøgelsen." in by_href["om.html"]["text"]
    assert all(set(e) >= {"objectID", "href", "title", "section", "text"} for e in entries)
    index = (site / "site_libs" / "search-index.js").read_text(encoding="utf-8")
    assert json.loads(index.split("=", 1)[1].strip().rstrip(";")) == entries
    page = parse(site / "om.html")
    form = page.one("form", role="search")
    assert form.one("label").attrs["for"] == form.one("input").attrs["id"]
    scripts = [s.attrs["src"] for s in page.all("script")]
    assert {"site_libs/search-index.js", "site_libs/search.js"} <= set(scripts)
    for src in scripts:  # nothing from anywhere else
        assert "//" not in src and "fetch(" not in (site / src).read_text(encoding="utf-8")
    (root / "_quarto.yml").write_text(QUARTO + "website:\n  search: false\n", "utf-8")
    render(root)
    assert not (site / "search.json").exists()
    assert parse(site / "om.html").all("form") == []


def test_fork_is_not_needed_for_fidelity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The include path also works with classic kernels (RENDER_FORK_KERNELS=0)."""
    monkeypatch.setenv("RENDER_FORK_KERNELS", "0")
    root = make(
        tmp_path,
        {
            "index.qmd": "---\ntitle: A\n---\n\n{{< include _d.qmd >}}\n",
            "_d.qmd": "`{python} 1+1`\n",
        },
    )
    render(root)
    assert parse(root / "_site" / "index.html").one("main").content.endswith("2")
    assert os.environ["RENDER_FORK_KERNELS"] == "0"


# --------------------------------------------------------------------------- reproducible bytes


def test_the_same_page_gives_the_same_bytes(tmp_path: Path) -> None:
    """Attributes the engine's filters add (table regions, tab panels) come out in one order:
    a Lua table with string keys has none, and two renders of the same source differed."""
    page = (
        "---\ntitle: Tabeller\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Første tabel\n\n"
        "::: {.panel-tabset}\n## En\n\nTekst.\n\n## To\n\nMere tekst.\n:::\n"
    )
    root = make(tmp_path, {"index.qmd": page})
    seen = set()
    for _ in range(4):
        render(root, force=True)
        seen.add((root / "_site" / "index.html").read_bytes())
    assert len(seen) == 1
    html = seen.pop().decode("utf-8")
    assert 'tabindex="0" role="region" aria-label="Første tabel"' in html
