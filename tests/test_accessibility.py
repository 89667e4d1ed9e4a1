"""Accessibility of the published site and PDFs (WCAG 2.1 AA; PDF/UA-1 where Typst allows).

HTML: every page of the rendered site is served on 127.0.0.1 and opened in Debian's headless
Chromium by the Node harness ``tests/a11y/check.js`` (playwright-core + axe-core). It runs the axe
rules tagged ``wcag2a, wcag2aa, wcag21a, wcag21aa`` plus axe's best-practice rules for headings,
landmarks and tables, at a desktop (1280×900) and a mobile (390×844) width, and checks what axe
does not: page language, one ``<h1>``, a caption and header cells on every table, no fallback alt
text, a working skip link, no horizontal scrolling of the page at the mobile width, tables in
their own keyboard-reachable scroll box, images that fit. Full-page screenshots and the JSON
report go to ``tests/artifacts/`` (gitignored).

PDF: fonts embedded (every font has a font file), document title and language set, tagged
(structure tree with H1/H2 headings, figures with alt text), headings as bookmarks, PDF/UA-1.

The browser checks need ``chromium`` and ``npm ci --prefix tests/a11y`` (``scripts/setup-checks``
installs both). Without them the tests are skipped, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest

from fslt_survey.render import RenderResult, render_document, render_project

ROOT = Path(__file__).resolve().parent.parent
A11Y = ROOT / "tests" / "a11y"
ARTIFACTS = ROOT / "tests" / "artifacts"
#: The whole harness run must stay well inside the CI budget (3 minutes for all checks).
HARNESS_TIMEOUT = 170
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def missing(reason: str) -> None:
    """Skip for a missing tool on a developer's machine; fail in CI, which installs it."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set, but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def harness() -> list[str]:
    """The command that runs the Node harness, or a skip (a failure in CI) naming what's missing."""
    node = shutil.which("node")
    if node is None:
        missing("node is not installed (Debian: nodejs; run scripts/setup-checks)")
    for package in ("axe-core/axe.min.js", "playwright-core/package.json"):
        if not (A11Y / "node_modules" / package).is_file():
            missing(f"tests/a11y/node_modules/{package} is missing (run scripts/setup-checks)")
    if chromium_path() is None:
        missing("Chromium is not installed (Debian: chromium; run scripts/setup-checks)")
    return [str(node), str(A11Y / "check.js"), "--chromium", str(chromium_path())]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 and a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_harness(
    harness: list[str], site: Path, *, artifacts: Path, pages: list[str] | None = None
) -> tuple[int, str, dict]:
    """Run the checks on ``site``; returns (exit status, printed summary, JSON report).

    Screenshots go to ``artifacts/screens/``, the report to ``artifacts/a11y-report.json``
    (written by this run to a private file first: other people may run the tests at once).
    """
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="a11y-") as scratch:
        report = Path(scratch) / "a11y-report.json"
        with serve(site) as url:
            args = [*harness, "--site", str(site), "--base-url", url, "--report", str(report)]
            args += ["--screens", str(artifacts / "screens"), "--prints", str(artifacts / "prints")]
            for page in pages or []:
                args += ["--page", page]
            proc = subprocess.run(
                args, capture_output=True, text=True, timeout=HARNESS_TIMEOUT, check=False
            )
        if proc.returncode not in (0, 1) or not report.is_file():
            pytest.fail(
                f"the accessibility harness failed (exit {proc.returncode}):\n"
                f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}",
                pytrace=False,
            )
        text = report.read_text(encoding="utf-8")
    partial = artifacts / f".a11y-report.{os.getpid()}.json"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, artifacts / "a11y-report.json")
    return proc.returncode, proc.stdout, json.loads(text)


def html_pages(site: Path) -> list[str]:
    """Root-relative paths of the site's pages (redirect stubs for aliases left out)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        if "site_libs" in path.parts or 'http-equiv="refresh"' in path.read_text("utf-8"):
            continue
        pages.append(path.relative_to(site).as_posix())
    return pages


# -- the engine's own pages (chrome, callouts, figures, tables, code) -----------------------------

ENGINE_QUARTO = """\
project:
  type: website
  output-dir: _site
  render: [index.qmd, reports/tal.qmd, reports/tom.qmd]
website:
  title: "Tilgængelighedsprøve"
  navbar:
    left:
      - href: index.qmd
        text: Forside
      - href: reports/tal.qmd
        text: Tal og figurer
      - href: reports/tom.qmd
        text: Uden overskrifter
  page-footer:
    left: "Frivilligcenter og Selvhjælp Lyngby-Taarbæk"
    right:
      - text: Tal og figurer
        href: reports/tal.qmd
lang: da
format:
  html:
    toc: true
execute:
  echo: false
  warning: false
"""

ENGINE_INDEX = """\
---
title: "Forside"
subtitle: "En side med alle slags kasser"
description: "Prøveside"
---

Indledning med **fed** tekst, et [link til tallene](reports/tal.qmd) og en fodnote.[^1]

[^1]: Fodnoten.

## Kasser

::: {.callout-note}
## Om data
Alle tal er fiktive.
:::

::: {.callout-tip}
Et tip uden overskrift.
:::

::: {.callout-warning title="Små tal"}
Tal under fem vises ikke.
:::

::: {.callout-important}
Vigtigt.
:::

::: {.callout-caution}
Forsigtig.
:::

## Lister og citater

- Et punkt
- Et punkt med et meget langt ord: Frivilligcenterbehovskortlægningsrapporteringsværktøjet

> Et citat fra en forening.

Ord
: En forklaring.
"""

ENGINE_TAL = """\
---
title: "Tal og figurer"
author: "Analyseteamet"
format:
  html: default
  typst: default
---

## Figur

```{python}
#| label: fig-svar
#| fig-cap: "Svarfordeling"
#| fig-alt: "Søjlediagram: A 3, B 5 og C 2 foreninger"
from matplotlib.figure import Figure
fig = Figure(figsize=(4, 2.5))  # 10 pt text at 4 in: 12 px on a 390 px phone
ax = fig.subplots()
ax.bar(["A", "B", "C"], [3, 5, 2], color="#0072B2")
fig
```

## Tabeller

```{python}
#| label: tbl-bred
#| tbl-cap: "En bred tabel med mange kolonner"
#| output: asis
cols = [f"Kolonne med et langt navn {i}" for i in range(1, 9)]
print("| Svar | " + " | ".join(cols) + " |")
print("|:--|" + "--:|" * len(cols))
for row in ("I høj grad", "I nogen grad", "Ved ikke m.m. (uden for basen)"):
    print(f"| {row} | " + " | ".join("12 %" for _ in cols) + " |")
```

```{python}
#| label: tbl-df
#| tbl-cap: "En tabel fra pandas"
import pandas as pd
pd.DataFrame({"Forening": ["Social", "Kultur"], "Antal": [12, 7]}).set_index("Forening")
```

## Kode

```{python}
#| echo: true
lang = {"nøgle": "værdi", "en anden nøgle": "en lang tekst, der bliver ved", "tal": [1, 2]}
print(lang, "og en lang tekst, der bliver ved og ved og ved og ved og ved og ved og ved")
```
"""

ENGINE_TOM = """\
---
title: "Uden overskrifter"
---

En side uden afsnit: den får ingen tom indholdsfortegnelse.
"""


@pytest.fixture(scope="module")
def engine_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    root = tmp_path_factory.mktemp("a11y-engine") / "project"
    for name, text in {
        "_quarto.yml": ENGINE_QUARTO,
        "index.qmd": ENGINE_INDEX,
        "reports/tal.qmd": ENGINE_TAL,
        "reports/tom.qmd": ENGINE_TOM,
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = render_project(root, engine="builtin", progress=False)
    return root / "_site", result


def test_engine_pages_pass_axe_and_layout_checks(
    harness: list[str], engine_site: tuple[Path, RenderResult]
) -> None:
    site, _ = engine_site
    status, summary, report = run_harness(harness, site, artifacts=ARTIFACTS / "engine")
    assert [p["page"] for p in report["pages"]] == html_pages(site)
    assert status == 0, f"accessibility problems in the engine's pages:\n{summary}"
    assert 'id="TOC"' not in (site / "reports" / "tom.html").read_text(encoding="utf-8")


BROKEN_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Broken</title></head>
<body>
<a href="#nowhere">Spring til indhold</a>
<main id="main">
<h1>En side med fejl</h1>
<p style="color:#aaaaaa">Grå tekst på hvid baggrund</p>
<img src="figur.svg" alt="Figur uden beskrivelse">
<table><tr><td>a</td><td>b</td></tr></table>
<div style="width: 900px">En bred boks</div>
<img src="diagram.svg" alt="Søjlediagram: A 3 og B 5 foreninger" style="width: 100%">
<div style="overflow-x: auto" tabindex="0"><table><caption>Bred</caption>
<tr><th>Svar</th><th style="min-width: 600px">En meget bred kolonne</th></tr>
<tr><td>Ja</td><td>12</td></tr></table></div>
<h1>En anden h1</h1>
</main>
</body>
</html>
"""


def test_the_checks_find_known_problems(harness: list[str], tmp_path: Path) -> None:
    """The harness is not vacuous: a page with planted problems fails on each of them."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "fejl.html").write_text(BROKEN_PAGE, encoding="utf-8")
    (site / "figur.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>', encoding="utf-8"
    )
    (site / "diagram.svg").write_text(  # 8 pt labels on a 540 pt chart: ~5 px on a phone
        '<svg xmlns="http://www.w3.org/2000/svg" width="540pt" height="200pt" '
        'viewBox="0 0 540 200"><text x="10" y="20" style="font-size: 8px">Rekruttering</text>'
        "</svg>",
        encoding="utf-8",
    )
    status, summary, report = run_harness(harness, site, artifacts=tmp_path / "artifacts")
    assert status == 1, summary
    (page,) = report["pages"]
    found = {v["id"] for v in page["violations"]} | {p["rule"] for p in page["layout"]}
    for rule in (
        "color-contrast",  # axe, WCAG 1.4.3
        "page-language",  # lang="en" on a Danish site
        "one-h1",
        "table-caption",
        "table-headers",
        "table-scroll-box",
        "image-alt-text",  # the engine's fallback alt is no alt text
        "page-horizontal-scroll",  # at 390 px
        "chart-text-size",  # chart text under 12 px at 390 px
        "table-scroll-cue",  # a column beyond the screen, no cue that the table scrolls
        "skip-link",
    ):
        assert rule in found, f"{rule} not reported:\n{summary}"


# -- the demo site -------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_site_is_accessible_at_desktop_and_mobile_widths(
    harness: list[str], site_dir: Path
) -> None:
    pages = html_pages(site_dir)
    assert pages, "the demo site has no pages"
    status, summary, report = run_harness(harness, site_dir, artifacts=ARTIFACTS)
    assert [p["page"] for p in report["pages"]] == pages
    assert status == 0, (
        "WCAG 2.1 A/AA problems in the demo site (details, with selectors, in "
        f"tests/artifacts/a11y-report.json; screenshots in tests/artifacts/screens/):\n{summary}"
    )
    for page in report["pages"]:
        for width in ("desktop", "mobile"):
            shot = Path(page["screenshots"][width])
            assert shot.is_file() and shot.stat().st_size > 0, f"no {width} screenshot: {page}"
    assert report["seconds"] < HARNESS_TIMEOUT
    orphans = [o for page in report["pages"] for o in orphaned_headings(page["print"])]
    assert orphans == [], "printed pages end with a heading or caption:\n" + "\n".join(orphans)


def orphaned_headings(printed: dict) -> list[str]:
    """Pages of a printed page (A4, the print stylesheet) whose last line is a heading or a
    caption: what it heads is on the next page (issue 19)."""
    heads = [h for h in printed["headings"] if len(h) >= 3]
    pages = pypdf.PdfReader(printed["pdf"]).pages
    assert pages, printed["pdf"]
    found = []
    for number, pdf_page in enumerate(pages[:-1], start=1):
        lines = [" ".join(x.split()) for x in (pdf_page.extract_text() or "").splitlines()]
        lines = [x for x in lines if x]
        if lines and any(h == lines[-1] or (h.endswith(lines[-1]) and len(lines[-1]) > 8)
                         for h in heads):
            found.append(f"{Path(printed['pdf']).name} page {number}: »{lines[-1]}«")
    return found


def test_orphaned_headings_are_found_in_a_printed_page(tmp_path: Path) -> None:
    """The orphan check is not vacuous: a PDF whose first page ends with a heading is caught."""
    typst = pytest.importorskip("typst")
    src = tmp_path / "side.typ"
    src.write_text(
        "#set page(height: 12cm)\n" + "Tekst. " * 180 + "\n\n== Behov efter gruppe\n\n"
        "#pagebreak()\nTabellen.\n",
        encoding="utf-8",
    )
    pdf = tmp_path / "side.pdf"
    typst.compile(str(src), output=str(pdf))
    found = orphaned_headings({"pdf": str(pdf), "headings": ["Behov efter gruppe"]})
    assert found == ["side.pdf page 1: »Behov efter gruppe«"], found


# -- PDFs ----------------------------------------------------------------------------------------


def _struct_elements(reader) -> list[tuple[str, dict]]:
    """Every element of the PDF's structure tree as (role, dictionary), document order."""
    root = reader.trailer["/Root"].get("/StructTreeRoot")
    if root is None:
        return []
    out: list[tuple[str, dict]] = []
    stack = [root.get_object()]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if not isinstance(node, dict):
            continue
        if "/S" in node:
            out.append((str(node["/S"]), node))
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed(kids))
    return out


def pdf_problems(path: Path, *, title: str | None = None, lang: str = "da") -> list[str]:
    """What keeps the PDF from being accessible: fonts, title, language, tags, bookmarks, UA."""
    reader = pypdf.PdfReader(path)
    problems: list[str] = []
    catalog = reader.trailer["/Root"]
    # fonts: every font has its font program embedded
    for number, page in enumerate(reader.pages, start=1):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            face = descendants[0].get_object() if descendants else font
            descriptor = face.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"page {number}: font {font.get('/BaseFont')} is not embedded")
    # title and language
    meta_title = reader.metadata.title if reader.metadata else None
    if not meta_title:
        problems.append("no /Title in the document information")
    elif title is not None and meta_title != title:
        problems.append(f"/Title is {meta_title!r}, expected {title!r}")
    if str(catalog.get("/Lang", "")).split("-")[0].lower() != lang:
        problems.append(f"catalog /Lang is {catalog.get('/Lang')!r}, expected {lang!r}")
    prefs = catalog.get("/ViewerPreferences", {})
    if not prefs.get("/DisplayDocTitle"):
        problems.append("/ViewerPreferences /DisplayDocTitle is not set (viewers show file name)")
    # tags: a structure tree with headings, H1 first, every figure with alt text
    if not catalog.get("/MarkInfo", {}).get("/Marked"):
        problems.append("not a tagged PDF (/MarkInfo /Marked)")
    elements = _struct_elements(reader)
    headings = [role for role, _ in elements if re.fullmatch(r"/H\d", role)]
    if not headings:
        problems.append("no headings tagged (H1..H6) in the structure tree")
    elif headings[0] != "/H1":
        problems.append(f"the first tagged heading is {headings[0]}, not /H1")
    for role, node in elements:
        if role == "/Figure" and not str(node.get("/Alt", "")).strip():
            problems.append("a /Figure in the structure tree has no /Alt text")
    if len(headings) > 1 and not reader.outline:
        problems.append("the section headings are not bookmarks (no /Outlines)")
    # PDF/UA-1 claimed in the XMP metadata (Typst checked it while writing the PDF)
    xmp = reader.xmp_metadata
    data = xmp.stream.get_data() if xmp is not None else b""
    if b"<pdfuaid:part>1</pdfuaid:part>" not in data:
        problems.append("not PDF/UA-1 (no pdfuaid:part 1 in the XMP metadata)")
    problems += _poppler_problems(path)
    return problems


def _poppler_problems(path: Path) -> list[str]:
    """The same facts read by a second, independent PDF reader (poppler-utils)."""
    if shutil.which("pdffonts") is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            return ["CI is set, but poppler-utils (pdffonts, pdfinfo) is not installed"]
        return []
    problems = []
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    for line in fonts.stdout.splitlines()[2:]:
        columns = line.split()
        # name type... encoding emb sub uni object ID: "emb" is the 5th field from the end
        if len(columns) >= 7 and columns[-5] != "yes":
            problems.append(f"pdffonts: {columns[0]} is not embedded")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    if not re.search(r"^Tagged:\s+yes", info.stdout, re.M):
        problems.append("pdfinfo: the PDF is not tagged")
    return problems


SMALL_DOCUMENT = """\
---
title: "Prøvedokument om æøå"
lang: da
format:
  typst: default
---

Indledning.

## Første afsnit

Tekst med et billede:

![Et lille diagram](diagram.svg){fig-alt="Et blåt rektangel"}

## Andet afsnit

| Svar | Antal |
|:-----|------:|
| Ja   | 12    |
| Nej  | 7     |

: Svar fordelt {#tbl-svar}

### Et underafsnit

Slut.
"""


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    root = tmp_path_factory.mktemp("a11y-pdf") / "project"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "proeve.qmd").write_text(SMALL_DOCUMENT, encoding="utf-8")
    (root / "docs" / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
        '<rect width="120" height="60" fill="#0072B2"/></svg>',
        encoding="utf-8",
    )
    out = root / "out"
    result = render_document(root, "docs/proeve.qmd", output_dir=out, engine="builtin")
    return out / "proeve.pdf", result


def test_small_document_pdf_is_tagged_ua_with_title_language_and_fonts(
    small_pdf: tuple[Path, RenderResult],
) -> None:
    path, result = small_pdf
    assert pdf_problems(path, title="Prøvedokument om æøå") == []
    assert not [w for w in result.warnings + result.documents[0].warnings if "PDF/UA" in w]
    reader = pypdf.PdfReader(path)
    roles = [role for role, _ in _struct_elements(reader)]
    headings = [r for r in roles if re.fullmatch(r"/H\d", r)]
    assert headings == ["/H1", "/H2", "/H2", "/H3"]  # the title, two sections, a subsection
    assert {"/Table", "/TH", "/Figure"} <= set(roles)
    alts = [str(n.get("/Alt")) for r, n in _struct_elements(reader) if r == "/Figure"]
    assert "Et blåt rektangel" in alts
    bookmarks = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert bookmarks == ["Første afsnit", "Andet afsnit"]


def test_pdf_that_cannot_be_ua_is_still_written_and_says_why(tmp_path: Path) -> None:
    """Without a title Typst refuses PDF/UA-1: the engine writes a tagged PDF and warns."""
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "uden.qmd").write_text(
        "---\nlang: da\nformat:\n  typst: default\n---\n\n## Et afsnit\n\nTekst.\n",
        encoding="utf-8",
    )
    result = render_document(root, "docs/uden.qmd", output_dir=tmp_path / "out", engine="builtin")
    pdf = tmp_path / "out" / "uden.pdf"
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    warnings = result.warnings + [w for d in result.documents for w in d.warnings]
    assert any("not PDF/UA-1" in w for w in warnings), warnings


@pytest.mark.slow
def test_demo_site_pdfs_are_accessible(site_dir: Path) -> None:
    pdfs = sorted(site_dir.rglob("*.pdf"))
    assert site_dir / "reports" / "anbefalinger.pdf" in pdfs
    problems = {pdf.relative_to(site_dir).as_posix(): pdf_problems(pdf) for pdf in pdfs}
    problems = {name: found for name, found in problems.items() if found}
    listing = "\n".join(
        f"  {name}: {problem}" for name, found in problems.items() for problem in found
    )
    assert not problems, f"PDF accessibility problems:\n{listing}"


def test_harness_files_are_pinned() -> None:
    """The npm packages are pinned to exact versions and locked (``npm ci`` installs them)."""
    package = json.loads((A11Y / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((A11Y / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("axe-core", "playwright-core"):
        version = package["dependencies"][name]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    text = (A11Y / "check.js").read_text(encoding="utf-8")
    assert '"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"' in text
