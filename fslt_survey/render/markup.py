"""Markdown snippets for report cells (``#| output: asis``) that Quarto and the built-in engine
render the same way. Light on purpose: importing it does not load the render engine.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def _attr(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def markdown_image(
    src: str | Path, *, alt: str, caption: str = "", label: str | None = None
) -> str:
    """An image with alt text (Quarto's ``fig-alt``), optionally a captioned, numbered figure.

    Print it from a cell with ``#| output: asis``; with a caption the image becomes a figure,
    and ``label="fig-..."`` makes it referable as ``@fig-...``. The snippet is surrounded by
    blank lines so that it is a paragraph of its own (pandoc's rule for figures).

    Parameters
    ----------
    src:
        Image path, relative to the document (e.g. what ``Chart.save`` wrote).
    alt:
        What the image shows, for screen readers (required, must not be empty).
    caption:
        Visible caption (markdown).
    label:
        Cross-reference id, starting with ``fig-``.

    Examples
    --------
    >>> print(markdown_image("figurer/behov.svg", alt='Søjler: "Lokaler" 41 %',
    ...                      caption="Behov", label="fig-behov"))
    <BLANKLINE>
    ![Behov](figurer/behov.svg){#fig-behov fig-alt="Søjler: \\"Lokaler\\" 41 %"}
    <BLANKLINE>
    """
    if not str(alt).strip():
        raise ValueError("alt text must not be empty")
    if label is not None and not label.startswith("fig-"):
        raise ValueError("a figure label must start with 'fig-'")
    path = PurePosixPath(Path(src).as_posix()).as_posix()
    target = f"<{path}>" if " " in path else path
    attrs = ([f"#{label}"] if label else []) + [f'fig-alt="{_attr(alt)}"']
    cap = " ".join(str(caption).split())
    return f"\n![{cap}]({target}){{{' '.join(attrs)}}}\n"
