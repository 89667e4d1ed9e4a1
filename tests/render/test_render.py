"""Tests for fslt_survey.render: the built-in Quarto-compatible engine (and Quarto, if present).

A tiny Quarto website is built once per module (``site`` fixture); tests that change sources
work on a copy that includes the warm cache, so each of them executes only what it changes.
Outputs are checked by parsing them: HTML with :mod:`html.parser`, PDF with pypdf.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pypdf
import pytest

import fslt_survey.render.engine as render_engine
from fslt_survey.render import (
    CellExecutionError,
    RenderError,
    RenderResult,
    choose_engine,
    render_document,
    render_project,
)
from fslt_survey.render.cache import execution_key
from fslt_survey.render.execute import yaml_scalar
from fslt_survey.render.host import inputs_fingerprint
from fslt_survey.render.project import deep_merge, document_config, load_project
from fslt_survey.render.qmd import CodeCell, parse_qmd
from fslt_survey.render.quarto import quarto_command, quarto_path
from fslt_survey.render.site import PageInfo, navbar_html, relative_href
from fslt_survey.tables import markdown_image

FIG_ALT = "Søjlediagram over svar: A 3, B 5 og C 2"
LINE_ALT = "En linje der stiger jævnt fra 1 til 3"

QUARTO_YML = """\
project:
  type: website
  output-dir: _site
  render:
    - index.qmd
    - reports/*.qmd
  resources:
    - assets/*.txt
website:
  title: "FSLT Testsite"
  navbar:
    left:
      - href: index.qmd
        text: Forside
      - href: reports/metode.qmd
        text: Metode
      - reports/resultater.qmd
  page-footer:
    left: "Frivilligcenter og Selvhjælp Lyngby-Taarbæk"
    right:
      - text: Om metoden
        href: reports/metode.qmd
lang: da
format:
  html:
    toc: true
execute:
  echo: false
  warning: false
  freeze: auto
fslt-survey:
  depends: ["build/clean/**"]
"""

INDEX_QMD = """\
---
title: "Forside"
---

Velkommen. Læs om [metoden](reports/metode.qmd) for {{< meta title >}}.

::: {.callout-note}
## Om data
Alle tal er fiktive.
:::
"""

METODE_QMD = f"""\
---
title: "Metode og æøå"
author: "Analyseteamet"
format:
  html: default
  typst: default
aliases: [gammel-metode.html]
---

## Indledning {{#sec-intro}}

Dansk tekst med æøå og ÆØÅ. Se @fig-svar og @tbl-svar.

```{{python}}
#| tags: [parameters]
tema = "Alle temaer"
```

```{{python}}
#| output: asis
print(f"Valgt tema: **{{tema}}**")
```

```{{python}}
#| label: fig-svar
#| fig-cap: "Svarfordeling"
#| fig-alt: "{FIG_ALT}"
import warnings
import matplotlib.pyplot as plt
warnings.warn("denne advarsel skal ikke vises")
fig, ax = plt.subplots()
ax.bar(["A", "B", "C"], [3, 5, 2])
plt.show()
```

```{{python}}
#| label: tbl-svar
#| tbl-cap: "Svar pr. kategori"
#| output: asis
print("| Kategori | Antal |")
print("|:---------|------:|")
for k, n in [("A", 3), ("B", 5), ("C", 2)]:
    print(f"| {{k}} | {{n}} |")
```

::: {{.callout-warning title="Små tal"}}
Celler med færre end fem svar er *undertrykt*.
:::

::: callout-tip
Et tip uden overskrift.
:::

Antal kategorier: `{{python}} len(["A", "B", "C"])`.

```{{python}}
#| output: asis
from fslt_survey.tables import markdown_image
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3])
fig.savefig("linje.svg")
plt.close(fig)
print(markdown_image("linje.svg", alt="{LINE_ALT}", caption="Linjediagram"))
```
"""

RESULTATER_QMD = """\
---
title: "Resultater"
fslt-survey:
  depends: ["/data/svar.csv"]
---

```{python}
import os, sys
import pandas as pd
svar = pd.read_csv("../data/svar.csv")
print(f"Antal svar: {len(svar)}")
print(f"KERNEL-PYTHON={sys.executable}")
print(f"KERNEL-MPLBACKEND={os.environ.get('MPLBACKEND')}")
```

```{python}
#| echo: true
svar.head(2)
```
"""


def write_project(root: Path) -> Path:
    """A small website: three pages, a data file, a resource, a clean-data folder."""
    files = {
        "_quarto.yml": QUARTO_YML,
        "index.qmd": INDEX_QMD,
        "reports/metode.qmd": METODE_QMD,
        "reports/resultater.qmd": RESULTATER_QMD,
        "reports/_kladde.qmd": "---\ntitle: Kladde\n---\n\nMå ikke renderes.\n",
        "data/svar.csv": "id,svar\n1,A\n2,B\n3,C\n",
        "build/clean/survey.csv": "id,score\n1,4\n",
        "assets/laes-mig.txt": "En ressource.\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# -- parsing helpers ----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_class(self, name: str) -> list[Node]:
        return [n for n in self.iter() if name in n.classes]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node is not self.root and node.tag != tag:
            node = node.parent
        if node is not None and node is not self.root and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(path: Path) -> Node:
    tree = _Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    return tree.root


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def executed(result: RenderResult) -> set[str]:
    return {d.source.as_posix() for d in result.documents if d.executed}


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def pinned_package_hash() -> Iterator[None]:
    """Other people edit the package while tests run; pin its hash so caching is testable."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render_engine, "inputs_fingerprint", lambda root: "pinned-for-tests")
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    root = write_project(tmp_path_factory.mktemp("site") / "project")
    result = render_project(root, engine="builtin", progress=False)
    return root, result


@pytest.fixture
def warm(site: tuple[Path, RenderResult], tmp_path: Path) -> Path:
    """A copy of the rendered project, warm cache and _site included."""
    src, _ = site
    dest = tmp_path / "project"
    shutil.copytree(src, dest, symlinks=True)
    return dest


# -- unit tests ---------------------------------------------------------------------------------


def test_parse_qmd_tracks_lines_and_options(tmp_path: Path) -> None:
    path = tmp_path / "x.qmd"
    path.write_text(METODE_QMD, encoding="utf-8")
    doc = parse_qmd(path)
    cells = doc.cells
    assert doc.front_matter["title"] == "Metode og æøå"
    fig = next(c for c in cells if c.label == "fig-svar")
    assert isinstance(fig, CodeCell)
    assert METODE_QMD.splitlines()[fig.line - 1] == "```{python}"
    assert fig.options["fig-alt"] == FIG_ALT
    assert not fig.code.startswith("#|")
    assert "parameters" in cells[0].tags
    inline = [c for c in doc.chunks if not isinstance(c, CodeCell) and c.inline]
    assert inline and inline[0].inline[0][0] == 'len(["A", "B", "C"])'
    # how errors name a cell: "cell 'fig-svar'", or "cell 1" without a label (not "cell cell 1")
    assert fig.name == "cell 'fig-svar'"
    assert cells[0].label is None and cells[0].name == f"cell {cells[0].index}"


def test_parse_qmd_reports_bad_option_yaml_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.qmd"
    path.write_text("# T\n\n```{python}\n#| echo: [unclosed\nx = 1\n```\n", encoding="utf-8")
    with pytest.raises(RenderError, match="invalid YAML") as err:
        parse_qmd(path)
    assert err.value.row is not None and err.value.row >= 4


def test_yaml_scalars_like_quarto() -> None:
    assert yaml_scalar("2025") == 2025
    assert yaml_scalar("0.25") == 0.25
    assert yaml_scalar("true") is True
    assert yaml_scalar("Frivillighed") == "Frivillighed"
    assert yaml_scalar("no") == "no"  # YAML 1.2: not a boolean


def test_document_options_merge_document_wins(tmp_path: Path) -> None:
    write_project(tmp_path)
    project = load_project(tmp_path)
    cfg = document_config(
        project, "reports/x.qmd", {"execute": {"echo": True}, "format": {"html": {"toc": False}}}
    )
    assert cfg.execute == {"echo": True, "warning": False, "freeze": "auto"}
    assert cfg.formats["html"]["toc"] is False
    assert cfg.formats["html"]["lang"] == "da"
    assert list(cfg.formats) == ["html"]
    assert deep_merge({"a": {"x": 1}}, {"a": {"y": 2}}) == {"a": {"x": 1, "y": 2}}


def test_project_documents_follow_render_list(tmp_path: Path) -> None:
    write_project(tmp_path)
    docs = load_project(tmp_path).documents()
    assert docs == ["index.qmd", "reports/metode.qmd", "reports/resultater.qmd"]


def test_documents_found_without_render_list(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    for name in ["a.qmd", "_b.qmd", "sub/c.qmd", ".skjult/d.qmd", "_site/e.qmd", "README.md",
                 ".venv/x.qmd", "_udkast/f.qmd", "noter.md"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    assert load_project(tmp_path).documents() == ["a.qmd", "sub/c.qmd"]


def test_navbar_links_are_relative_to_the_page(tmp_path: Path) -> None:
    write_project(tmp_path)
    project = load_project(tmp_path)
    pages = {
        "index.qmd": PageInfo("index.qmd", "index.html", "Forside"),
        "reports/metode.qmd": PageInfo("reports/metode.qmd", "reports/metode.html", "Metode"),
        "reports/resultater.qmd": PageInfo(
            "reports/resultater.qmd", "reports/resultater.html", "Resultater"
        ),
    }
    nav = navbar_html(project, "reports/metode.html", pages, {"nav": "Hovedmenu"})
    assert 'href="../index.html"' in nav
    assert 'href="metode.html" aria-current="page"' in nav
    assert ">Resultater</a>" in nav  # text taken from the document's title
    assert relative_href("reports/a.html", "site_libs/engine.css") == "../site_libs/engine.css"
    project.config["website"]["navbar"]["right"] = [
        {"text": "Mere", "menu": ["reports/resultater.qmd", {"text": "---"}]},
        {"text": "FSLT", "href": "https://example.org/"},
    ]
    nav = navbar_html(project, "index.html", pages, {"nav": "Hovedmenu"})
    assert '<summary>Mere</summary><ul><li><a href="reports/resultater.html">' in nav
    assert '<a href="https://example.org/">FSLT</a>' in nav


def test_cache_key_covers_inputs() -> None:
    base = dict(
        source="x",
        rel="a.qmd",
        options={"lang": "da"},
        params={},
        depends=[("d.csv", "1")],
        package_hash="p",
        engine_version="e",
    )
    key = execution_key(**base)
    assert key == execution_key(**base)
    for name, value in [
        ("source", "y"),
        ("options", {"lang": "en"}),
        ("params", {"tema": "x"}),
        ("depends", [("d.csv", "2")]),
        ("package_hash", "q"),
    ]:
        assert execution_key(**{**base, name: value}) != key, name
    assert len(inputs_fingerprint(Path.cwd())) == 64


def test_markdown_image_escapes_alt_text() -> None:
    md = markdown_image("fig ur/a.svg", alt='Søjler: "A" 3\nB 5', caption="Fig", label="fig-a")
    assert md.strip() == '![Fig](<fig ur/a.svg>){#fig-a fig-alt="Søjler: \\"A\\" 3 B 5"}'
    with pytest.raises(ValueError, match="alt text must not be empty"):
        markdown_image("a.svg", alt=" ")


def test_quarto_command_line() -> None:
    cmd = quarto_command(["reports/tema.qmd"], {"tema": "Frivillighed"}, Path("/tmp/out"))
    assert cmd == [
        "render", "reports/tema.qmd", "-P", "tema:Frivillighed", "--output-dir", "/tmp/out",
    ]  # fmt: skip


# -- the rendered site --------------------------------------------------------------------------


def test_site_pages_and_navbar_links_exist(site: tuple[Path, RenderResult]) -> None:
    root, result = site
    out = root / "_site"
    assert result.engine == "builtin"
    assert result.output_dir == out
    assert {d.source.as_posix() for d in result.documents} == {
        "index.qmd",
        "reports/metode.qmd",
        "reports/resultater.qmd",
    }
    assert not (out / "reports" / "_kladde.html").exists()
    for page in ["index.html", "reports/metode.html", "reports/resultater.html"]:
        path = out / page
        assert path.is_file(), page
        doc = parse_html(path)
        navs = [n for n in doc.iter("nav") if n.attrs.get("aria-label")]
        assert navs, f"{page} has no labelled nav"
        hrefs = [a.attrs["href"] for a in navs[0].iter("a")]
        assert len(hrefs) == 4  # brand + three items
        for href in hrefs:
            target = (path.parent / unquote(urlsplit(href).path)).resolve()
            assert target.is_file(), f"{page}: navbar link {href} is broken"
        current = [a for a in navs[0].iter("a") if a.attrs.get("aria-current") == "page"]
        assert len(current) == 1
        assert (path.parent / current[0].attrs["href"]).resolve() == path.resolve()


def test_html_is_danish_accessible_and_offline(site: tuple[Path, RenderResult]) -> None:
    out = site[0] / "_site"
    pages = [p for p in out.rglob("*.html") if p.name != "gammel-metode.html"]
    assert pages
    for page in pages:
        doc = parse_html(page)
        html_el = next(doc.iter("html"))
        assert html_el.attrs.get("lang") == "da"
        for landmark in ("header", "nav", "main", "footer"):
            assert any(True for _ in doc.iter(landmark)), f"{page.name}: no <{landmark}>"
        skip = next(doc.iter("a"))
        assert skip.attrs["href"] == "#main" and "skip-link" in skip.classes
        assert next(doc.iter("main")).attrs.get("id") == "main"
        title = next(doc.iter("title")).text()
        assert title.endswith(" – FSLT Testsite")
        for node in doc.iter():
            for attr in ("src", "href", "srcset", "poster", "data"):
                value = node.attrs.get(attr, "")
                if node.tag == "a" and attr == "href":
                    continue  # ordinary links may point anywhere
                assert not value.startswith(("http://", "https://", "//")), (
                    f"{page.name}: remote resource <{node.tag} {attr}={value}>"
                )
            if node.tag == "link" and node.attrs.get("rel") == "stylesheet":
                css = (page.parent / node.attrs["href"]).resolve()
                assert css.is_file()
                assert "http" not in css.read_text(encoding="utf-8").lower().replace(
                    "http-equiv", ""
                )
        for script in (n for n in doc.iter() if n.tag == "script"):
            # only the engine's own scripts (site search, tabsets), from the site itself
            src = script.attrs.get("src", "")
            assert "site_libs/" in src and not script.text().strip(), page.name
            code = (page.parent / src).read_text(encoding="utf-8")
            assert "fetch(" not in code and "XMLHttpRequest" not in code and "import(" not in code
            if not src.endswith("search-index.js"):  # the index is the pages' text (data)
                assert "http" not in code


def test_images_have_alt_text_from_fig_alt(site: tuple[Path, RenderResult]) -> None:
    out = site[0] / "_site"
    imgs = []
    for page in out.rglob("*.html"):
        for img in parse_html(page).iter("img"):
            assert img.attrs.get("alt", "").strip(), f"{page.name}: <img> without alt"
            src = page.parent / unquote(img.attrs["src"])
            assert src.is_file(), f"{page.name}: missing image {img.attrs['src']}"
            imgs.append(img)
    alts = {img.attrs["alt"] for img in imgs}
    assert FIG_ALT in alts  # from #| fig-alt on a cell
    assert LINE_ALT in alts  # from {fig-alt="..."} in markdown printed by a cell (markdown_image)
    metode = parse_html(out / "reports" / "metode.html")
    fig = next(f for f in metode.iter("figure") if f.attrs.get("id") == "fig-svar")
    assert "Svarfordeling" in next(fig.iter("figcaption")).text()
    assert "figure-html" in next(fig.iter("img")).attrs["src"]


def test_tables_callouts_crossrefs_in_html(site: tuple[Path, RenderResult]) -> None:
    out = site[0] / "_site"
    doc = parse_html(out / "reports" / "metode.html")
    wraps = doc.find_class("table-wrap")
    assert wraps and all(w.attrs.get("tabindex") == "0" for w in wraps)
    table = next(t for t in doc.iter("table") if t.attrs.get("id") == "tbl-svar")
    assert isinstance(table.parent, Node) and "table-wrap" in table.parent.classes
    assert "Svar pr. kategori" in next(table.iter("caption")).text()
    assert [td.text() for td in table.iter("td")][:2] == ["A", "3"]
    warning = doc.find_class("callout-warning")
    assert warning and "callout" in warning[0].classes
    assert warning[0].find_class("callout-title")[0].text().strip() == "Små tal"
    tip = doc.find_class("callout-tip")[0]
    assert tip.find_class("callout-title")[0].text().strip() == "Tip"  # default Danish title
    links = {a.attrs.get("href"): a.text() for a in doc.iter("a")}
    assert links.get("#fig-svar") == "Figur\xa01"
    assert links.get("#tbl-svar") == "Tabel\xa01"
    text = next(doc.iter("main")).text()
    assert "Antal kategorier: 3." in " ".join(text.split())  # inline {python} expression
    assert "skal ikke vises" not in text  # warning: false drops warnings
    index = parse_html(out / "index.html")
    note = index.find_class("callout-note")[0]
    assert note.find_class("callout-title")[0].text().strip() == "Om data"
    assert "for Forside." in " ".join(next(index.iter("main")).text().split())  # {{< meta >}}
    assert {a.attrs.get("href") for a in index.iter("a")} >= {"reports/metode.html"}


def test_kernel_is_this_interpreter_and_code_runs_in_document_folder(
    site: tuple[Path, RenderResult],
) -> None:
    doc = parse_html(site[0] / "_site" / "reports" / "resultater.html")
    text = next(doc.iter("main")).text()
    assert "Antal svar: 3" in text  # read ../data/svar.csv relative to the document
    assert f"KERNEL-PYTHON={sys.executable}" in text
    assert "KERNEL-MPLBACKEND=Agg" in text
    code = [c for c in doc.iter("code") if "svar.head(2)" in c.text()]
    assert code, "echo: true on the cell shows its code"
    assert "pd.read_csv" not in text  # execute: echo: false hides the others


def test_no_kernel_is_left_running(site: tuple[Path, RenderResult]) -> None:
    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("needs /proc to list child processes")
    me = str(os.getpid())
    children = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if fields[1] == me and b"ipykernel_launcher" in cmdline:
            children.append(cmdline.decode())
    assert children == []


def test_pdf_link_aliases_and_resources(site: tuple[Path, RenderResult]) -> None:
    out = site[0] / "_site"
    doc = parse_html(out / "reports" / "metode.html")
    pdf_links = [a for a in doc.iter("a") if a.attrs.get("href") == "metode.pdf"]
    assert pdf_links and "PDF" in pdf_links[0].text()
    redirect = parse_html(out / "reports" / "gammel-metode.html")
    refresh = [m for m in redirect.iter("meta") if m.attrs.get("http-equiv") == "refresh"]
    assert refresh and refresh[0].attrs["content"].endswith("url=metode.html")
    assert (out / "assets" / "laes-mig.txt").read_text(encoding="utf-8") == "En ressource.\n"
    assert (out / "site_libs" / "engine.css").is_file()
    footer = next(parse_html(out / "index.html").iter("footer"))
    assert [a.attrs["href"] for a in footer.iter("a")] == ["reports/metode.html"]


def test_typst_pdf_title_text_and_embedded_fonts(site: tuple[Path, RenderResult]) -> None:
    root, result = site
    pdf = root / "_site" / "reports" / "metode.pdf"
    assert pdf in result.document("reports/metode.qmd").outputs
    reader = pypdf.PdfReader(pdf)
    assert reader.metadata is not None and reader.metadata.title == "Metode og æøå"
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "æøå og ÆØÅ" in flat
    assert "Valgt tema: Alle temaer" in flat
    assert "Figur 1" in flat and "Tabel 1" in flat  # captions and cross-references
    assert "Små tal" in flat and "undertrykt" in flat  # the callout survived Typst
    assert "Antal kategorier: 3" in flat
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc_font = descendants[0].get_object() if descendants else font
            descriptor = desc_font["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                f"font {font.get('/BaseFont')} is not embedded"
            )
            fonts += 1
    assert fonts > 0


# -- caching and freeze -------------------------------------------------------------------------


def test_warm_rebuild_executes_nothing_and_is_fast(warm: Path) -> None:
    before = tree_hashes(warm / "_site")
    t0 = time.perf_counter()
    result = render_project(warm, engine="builtin", progress=False)
    elapsed = time.perf_counter() - t0
    assert executed(result) == set()
    assert elapsed < 2.0, f"warm rebuild took {elapsed:.2f}s"
    after = tree_hashes(warm / "_site")
    assert after.keys() == before.keys()
    assert after["reports/metode.html"] == before["reports/metode.html"]
    # a mere touch (same content) is not a change
    (warm / "reports" / "metode.qmd").touch()
    assert executed(render_project(warm, engine="builtin", progress=False)) == set()


def test_editing_one_document_reexecutes_only_it(warm: Path) -> None:
    path = warm / "reports" / "resultater.qmd"
    path.write_text(path.read_text(encoding="utf-8") + "\nEn ny sætning.\n", encoding="utf-8")
    result = render_project(warm, engine="builtin", progress=False)
    assert executed(result) == {"reports/resultater.qmd"}
    assert "En ny sætning." in (warm / "_site" / "reports" / "resultater.html").read_text("utf-8")


def test_changing_a_dependency_reexecutes_dependants(warm: Path) -> None:
    (warm / "data" / "svar.csv").write_text("id,svar\n1,A\n2,B\n3,C\n4,A\n", encoding="utf-8")
    result = render_project(warm, engine="builtin", progress=False)
    assert executed(result) == {"reports/resultater.qmd"}
    assert "Antal svar: 4" in (warm / "_site" / "reports" / "resultater.html").read_text("utf-8")
    # the project-level depends glob (build/clean/**) covers every document
    (warm / "build" / "clean" / "survey.csv").write_text("id,score\n1,5\n", encoding="utf-8")
    result = render_project(warm, engine="builtin", progress=False)
    assert executed(result) == {"index.qmd", "reports/metode.qmd", "reports/resultater.qmd"}


def test_force_reexecutes_everything(warm: Path) -> None:
    result = render_project(warm, engine="builtin", progress=False, force=True)
    assert executed(result) == {"index.qmd", "reports/metode.qmd", "reports/resultater.qmd"}


def test_only_renders_some_pages_with_params_and_keeps_the_rest(warm: Path) -> None:
    result = render_project(
        warm,
        engine="builtin",
        progress=False,
        only=["reports/metode.qmd"],
        params={"tema": "Sundhed og trivsel"},
    )
    assert [d.source.as_posix() for d in result.documents] == ["reports/metode.qmd"]
    assert executed(result) == {"reports/metode.qmd"}  # new params, new execution
    page = parse_html(warm / "_site" / "reports" / "metode.html")
    assert "Valgt tema: Sundhed og trivsel" in " ".join(next(page.iter("main")).text().split())
    # a partial render keeps the other pages of the site
    assert (warm / "_site" / "index.html").is_file()
    assert (warm / "_site" / "reports" / "resultater.html").is_file()


# -- parameters and single documents ------------------------------------------------------------


def test_render_document_with_params_outside_the_site(warm: Path, tmp_path: Path) -> None:
    site_before = tree_hashes(warm / "_site")
    out = tmp_path / "handouts"
    result = render_document(
        warm,
        "reports/metode.qmd",
        params={"tema": "Frivillighed"},
        output_dir=out,
        output_name="metode-frivillighed",
        engine="builtin",
    )
    assert result.document("reports/metode.qmd").executed
    html_path = out / "metode-frivillighed.html"
    assert result.documents[0].outputs[:2] == [html_path, out / "metode-frivillighed.pdf"]
    doc = parse_html(html_path)
    assert "Valgt tema: Frivillighed" in " ".join(next(doc.iter("main")).text().split())
    assert not [n for n in doc.iter("nav") if n.attrs.get("aria-label")]  # no site navbar
    for img in doc.iter("img"):
        assert (out / unquote(img.attrs["src"])).is_file()
    assert any("metode-frivillighed_files" in img.attrs["src"] for img in doc.iter("img"))
    assert tree_hashes(warm / "_site") == site_before  # the site is not touched
    again = render_document(
        warm,
        "reports/metode.qmd",
        params={"tema": "Frivillighed"},
        output_dir=out,
        output_name="metode-frivillighed",
        engine="builtin",
    )
    assert not again.documents[0].executed


# -- failures -----------------------------------------------------------------------------------


def test_failing_cell_names_document_cell_and_line_and_keeps_site(warm: Path) -> None:
    site_before = tree_hashes(warm / "_site")
    path = warm / "reports" / "resultater.qmd"
    source = path.read_text(encoding="utf-8")
    bad = source + textwrap.dedent(
        """
        ```{python}
        #| label: beregn-andel
        andel = 1
        andel = andel / 0
        ```
        """
    )
    path.write_text(bad, encoding="utf-8")
    fence_line = bad.splitlines().index("#| label: beregn-andel")  # 0-based fence = 1-based - 1
    with pytest.raises(CellExecutionError, match="cell 'beregn-andel'") as err:
        render_project(warm, engine="builtin", progress=False)
    message = str(err.value)
    assert "reports/resultater.qmd" in message
    assert "'beregn-andel'" in message
    assert f"line {fence_line}" in message
    assert "ZeroDivisionError" in message and "division by zero" in message
    assert "Traceback" not in message and "\n" not in message
    assert err.value.row == fence_line + 3  # the failing statement itself
    assert "andel = andel / 0" in err.value.traceback
    assert isinstance(err.value, RenderError)
    assert tree_hashes(warm / "_site") == site_before
    assert not [p for p in warm.iterdir() if "fslt-staging" in p.name]


# -- folders left by killed renders ------------------------------------------------------------

HOLD_A_FOLDER = """\
import sys, time
from pathlib import Path
from fslt_survey.render.housekeeping import OwnedFolders
path = OwnedFolders().make(Path(sys.argv[1]), sys.argv[2])
print(path, flush=True)
time.sleep(600)
"""


def _aged(path: Path, seconds: float = 60.0) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_remove_stale_takes_only_unlocked_old_folders_of_its_own_patterns(tmp_path: Path) -> None:
    import signal
    import subprocess

    from fslt_survey.render.housekeeping import remove_stale

    out, cache = tmp_path / "_site", tmp_path / ".fslt-cache" / "render"
    out.mkdir()
    key = "ab" * 32
    stale = [
        _aged(tmp_path / "._site.fslt-staging-0a1b2c3d"),
        _aged(tmp_path / "._site.fslt-old-0a1b2c3d"),  # a swap that was cut short
        _aged(cache / "tmp-0a1b2c3d"),
        _aged(cache / "exec" / "index.qmd" / f".{key[:12]}-tmp-k2j4_x9z"),
        _aged(cache / "exec" / "index.qmd" / key / "out" / f".{key[:12]}-tmp-k2j4_x9z"),
    ]
    keep = [
        _aged(tmp_path / "._site.fslt-staging-andet"),  # not an engine name
        _aged(tmp_path / ".andet.fslt-staging-0a1b2c3d"),  # another output folder's
        _aged(tmp_path / "_site.fslt-staging-0a1b2c3d"),  # not hidden
        _aged(cache / "tmp-mine-egne"),
        _aged(cache / "exec" / "index.qmd" / key),  # a cache entry
        tmp_path / "._site.fslt-staging-1a1b2c3d",  # newer than the run
    ]
    keep[-1].mkdir()
    (tmp_path / "._site.fslt-staging-2a1b2c3d").write_text("a file, not a folder")
    (tmp_path / "._site.fslt-staging-3a1b2c3d").symlink_to(keep[0])
    # a folder held by a live render in another process, old as it may be
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_FOLDER, str(tmp_path), "._site.fslt-staging-"],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert line.startswith(str(tmp_path)), line
        live = _aged(Path(line))
        started = time.time() - 1
        removed = remove_stale(out, cache, started)
        assert sorted(removed) == sorted(stale)
        assert not any(p.exists() for p in stale)
        assert all(p.exists() for p in keep) and live.is_dir()
        assert (tmp_path / "._site.fslt-staging-2a1b2c3d").is_file()
        assert (tmp_path / "._site.fslt-staging-3a1b2c3d").is_symlink() and keep[0].is_dir()
        os.killpg(proc.pid, signal.SIGKILL)  # the render dies: its lock goes with it
        proc.wait(timeout=60)
        assert remove_stale(out, cache, started) == [live] and not live.exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
    # the previous site of a swap stays while the output folder is missing (swap under way)
    old = _aged(tmp_path / "._site.fslt-old-4a1b2c3d")
    shutil.rmtree(out)
    assert remove_stale(out, cache, started) == [] and old.is_dir()


def test_engine_choice() -> None:
    with pytest.raises(RenderError, match=r"unknown render engine .*found 'latex'"):
        choose_engine("latex")
    if quarto_path() is None:
        assert choose_engine("auto") == "builtin"
        with pytest.raises(RenderError, match="Quarto is not installed"):
            choose_engine("quarto")


# -- real Quarto --------------------------------------------------------------------------------


def test_real_quarto_renders_the_same_sources(tmp_path: Path) -> None:
    if shutil.which("quarto") is None:
        pytest.skip("Quarto is not installed (cannot be installed on this machine; see README)")
    root = write_project(tmp_path / "project")
    result = render_project(root, engine="quarto", progress=False)
    assert result.engine == "quarto"
    for page in ["index.html", "reports/metode.html", "reports/resultater.html"]:
        assert (root / "_site" / page).is_file()
    html = (root / "_site" / "reports" / "metode.html").read_text(encoding="utf-8")
    assert FIG_ALT in html and "Svar pr. kategori" in html
