"""Result objects and the error raised when a cell fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fslt_survey.render.errors import RenderError


@dataclass
class DocumentResult:
    """What happened to one document.

    Parameters
    ----------
    source:
        The document, relative to the project root (e.g. ``reports/metode.qmd``).
    outputs:
        Absolute paths of the files written for it (HTML page, PDF), in their final place.
    executed:
        ``False`` when the cached execution was reused (nothing was run), ``True`` otherwise.
    seconds:
        Wall-clock time spent on this document.
    warnings:
        Non-fatal problems (missing alt text, unresolved cross-references, unsupported formats).
    """

    source: Path
    outputs: list[Path] = field(default_factory=list)
    executed: bool = True
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class RenderResult:
    """What a call to :func:`fslt_survey.render.render_project` produced.

    Parameters
    ----------
    engine:
        ``"builtin"`` or ``"quarto"``.
    output_dir:
        Absolute path of the folder the outputs were written to.
    documents:
        One :class:`DocumentResult` per rendered document, in render order.
    seconds:
        Total wall-clock time.
    warnings:
        Project-level warnings (e.g. navbar links to pages that are not rendered).
    """

    engine: str
    output_dir: Path
    documents: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    kernels_started: int = 0

    @property
    def outputs(self) -> list[Path]:
        """Every file written, over all documents."""
        return [p for d in self.documents for p in d.outputs]

    @property
    def executed(self) -> list[Path]:
        """The documents whose code was actually run (cache misses)."""
        return [d.source for d in self.documents if d.executed]

    def document(self, source: str | Path) -> DocumentResult:
        """Return the result for one source path (relative to the project root)."""
        wanted = Path(source).as_posix()
        for d in self.documents:
            if d.source.as_posix() == wanted:
                return d
        raise KeyError(wanted)


@dataclass
class CellExecutionError(RenderError):
    """A code cell raised an exception while the document was executed.

    ``str(err)`` is one short line (document, cell, line, exception); the full, colour-free
    traceback is kept in :attr:`traceback` for ``--verbose`` output.
    """

    cell: str | None = None
    line: int | None = None
    exception: str | None = None
    traceback: str = ""


def grouped_warnings(result: RenderResult) -> list[str]:
    """The run's warnings, each said once: the same warning about several documents (say, a
    project-wide ``theme``) becomes one line naming them."""
    docs: dict[str, list[str]] = {}
    for d in result.documents:
        source = d.source.as_posix()
        for w in d.warnings:
            rel, sep, tail = w.partition(": ")
            key = tail if sep and rel == source else w
            docs.setdefault(key, []).append(source)
    out = list(result.warnings)
    for text, sources in docs.items():
        if len(sources) == 1 and not text.startswith(sources[0]):
            out.append(f"{sources[0]}: {text}")
        elif len(sources) == 1:
            out.append(text)
        else:
            out.append(f"{text} ({len(sources)} documents: {', '.join(sources)})")
    return out
