"""Every Quarto feature the built-in engine does not implement stops the render, loudly.

Each case is a small project using one feature; the error must name the file, the feature and
the alternative, and nothing may be written to the output folder. No kernel starts: the checks
run before execution. (What the engine does implement is tested in ``test_fidelity.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fslt_survey.render import RenderError, render_project
from fslt_survey.render.results import grouped_warnings

QUARTO = "project:\n  type: website\n  output-dir: _site\n"
PAGE = "---\ntitle: Side\n---\n\nTekst.\n"

CASES = {
    "filters": ({"index.qmd": "---\ntitle: A\nfilters: [x.lua]\n---\n\nTekst.\n"}, "index.qmd"),
    "panel-fill": ({"index.qmd": PAGE + "\n::: {.panel-fill}\nx\n:::\n"}, "index.qmd"),
    "column-page": ({"index.qmd": PAGE + "\n::: {.column-page}\nBred\n:::\n"}, "index.qmd"),
    "column-screen-inset": (
        {"index.qmd": PAGE + "\nText [bred]{.column-screen-inset}.\n"},
        "index.qmd",
    ),
    "video": ({"index.qmd": PAGE + "\n{{< video https://example.org/v.mp4 >}}\n"}, "index.qmd"),
    "embed": ({"index.qmd": PAGE + "\n{{< embed nb.ipynb#fig >}}\n"}, "index.qmd"),
    "date-format": (
        {"index.qmd": "---\ntitle: A\ndate: 2026-02-12\ndate-format: 'D/M YYYY'\n---\n\nTekst.\n"},
        "index.qmd",
    ),
}


@pytest.mark.parametrize("feature", sorted(CASES))
def test_unsupported_feature_stops_with_file_feature_and_alternative(
    tmp_path: Path, feature: str
) -> None:
    files, where = CASES[feature]
    root = tmp_path / "project"
    for name, text in {"_quarto.yml": QUARTO, "index.qmd": PAGE, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    with pytest.raises(RenderError) as err:
        render_project(root, engine="builtin", progress=False)
    message = str(err.value)
    assert where in message, message
    assert feature in message, message
    assert "not supported by the built-in engine" in message
    assert "Quarto" in message  # the alternative
    assert not (root / "_site").exists()


def test_supported_sources_still_render(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "_quarto.yml").write_text(QUARTO + "format:\n  html:\n    theme: cosmo\n", "utf-8")
    (root / "index.qmd").write_text(PAGE + "\n::: {.callout-note}\nOK\n:::\n", "utf-8")
    result = render_project(root, engine="builtin", progress=False)
    assert (root / "_site" / "index.html").is_file()
    assert any("theme 'cosmo'" in w for d in result.documents for w in d.warnings)


def test_an_unknown_execute_dir_stops_naming_the_project_file(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "_quarto.yml").write_text(QUARTO + "  execute-dir: elsewhere\n", "utf-8")
    (root / "index.qmd").write_text(PAGE, "utf-8")
    with pytest.raises(RenderError, match=r"_quarto.yml: unknown execute-dir.*file or project"):
        render_project(root, engine="builtin", progress=False)


def test_a_project_wide_warning_is_said_once_naming_the_documents(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "b").mkdir(parents=True)
    (root / "_quarto.yml").write_text(QUARTO + "format:\n  html:\n    theme: cosmo\n", "utf-8")
    (root / "index.qmd").write_text(PAGE, "utf-8")
    (root / "b" / "side.qmd").write_text(PAGE, "utf-8")
    result = render_project(root, engine="builtin", progress=False)
    lines = [w for w in grouped_warnings(result) if "theme 'cosmo'" in w]
    assert len(lines) == 1
    assert lines[0].endswith("(2 documents: b/side.qmd, index.qmd)") or lines[0].endswith(
        "(2 documents: index.qmd, b/side.qmd)"
    )


def test_a_date_is_shown_in_quartos_long_format_in_danish(tmp_path: Path) -> None:
    """``date:`` with the default ``date-format`` (long) reads as Quarto shows it for
    ``lang: da``: "12. februar 2026", with the ISO date in the page's metadata."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "_quarto.yml").write_text(QUARTO + "lang: da\n", "utf-8")
    (root / "index.qmd").write_text("---\ntitle: A\ndate: 2026-02-12\n---\n\nTekst.\n", "utf-8")
    render_project(root, engine="builtin", progress=False)
    page = (root / "_site" / "index.html").read_text("utf-8")
    assert '<p class="date">12. februar 2026</p>' in page
    assert 'content="2026-02-12"' in page
