"""What a document needs once it leaves the site: its publication date and full addresses.

A PDF is e-mailed, printed and read away from the site, where a relative link such as
``metode.html`` leads nowhere and a reader cannot tell how old the figures are. So a document
with a PDF

- says when it was published: ``date: today`` in ``_quarto.yml`` puts the date in every
  document's title block, in Quarto's long Danish format ("5. december 2026") in both engines;
- links to the site's pages by their full address (:func:`site_link`): the HTML page keeps the
  relative link, the PDF gets the absolute one, printed in full so it works on paper too. The
  address is the project's ``website: site-url:`` (:attr:`fslt_survey.project.Project.site_url`)
  joined with the page's place in the site.

Without ``site-url`` a document that links to the site fails to render, with a message that
says what to add to ``_quarto.yml``: a PDF with a link that leads nowhere would otherwise be
sent out unnoticed, and the fix is one line.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from fslt_survey import config
from fslt_survey.errors import ConfigError
from fslt_survey.project import Project, load_project

__all__ = ["site_address", "site_link"]


def _document_folder(project: Project, document_dir: str | Path | None) -> str:
    """The executing document's folder inside the site ("reports/", or "" at the top)."""
    folder = document_dir or os.environ.get("QUARTO_DOCUMENT_PATH") or Path.cwd()
    try:
        rel = Path(folder).resolve().relative_to(project.root.resolve())
    except ValueError:  # executed outside the project (a copy, a test): the site's top
        return ""
    return "" if rel == Path(".") else rel.as_posix() + "/"


def site_address(
    href: str, *, project: Project | None = None, document_dir: str | Path | None = None
) -> str:
    """The full address of ``href`` (relative to the executing document, as in its Markdown;
    a ``.qmd`` target becomes its ``.html`` page, as Quarto links it).

    >>> p = Project(root=Path("/p"), found_by="", surveys=(), site_url="https://fslt.dk/b/")
    >>> site_address("metode.html", project=p, document_dir="/p/reports")
    'https://fslt.dk/b/reports/metode.html'

    Raises
    ------
    ConfigError
        When the project declares no ``website: site-url:`` (naming ``_quarto.yml``).
    """
    project = project or load_project()
    if project.site_url is None:
        raise ConfigError(
            "website: site-url is not set, so the PDF cannot link to the site (a relative link "
            "such as metode.html leads nowhere once the PDF is sent); add the site's address "
            "under website:",
            file=project.root / config.PROJECT_MARKER,
            expected='site-url: "https://fslt.dk/behovsafdaekning/" (the published address)',
        )
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href
    path = PurePosixPath(parts.path)
    if path.suffix == ".qmd":
        href = href.replace(parts.path, str(path.with_suffix(".html")), 1)
    return urljoin(project.site_url + _document_folder(project, document_dir), href)


def site_link(text: str, href: str, **where: object) -> str:
    """Inline Markdown: ``[text](href)`` on the site; in the PDF the link to the full address,
    with the address printed after it (the reader of a printed copy can type it)."""
    url = site_address(href, **where)  # type: ignore[arg-type]
    return (
        f'[[{text}]({href})]{{.content-visible when-format="html"}}'
        f'[[{text}]({url}) (<{url}>)]{{.content-hidden when-format="html"}}'
    )
