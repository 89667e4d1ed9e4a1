"""What a host project tells the engine, so that the engine names nothing of its own host.

A host (e.g. a toolkit whose reports are rendered here) may declare:

* ``config_key``: its own key in ``_quarto.yml`` and front matter (e.g. ``my-tool:``); the engine
  never passes it to pandoc, and reads ``<config_key>: depends:`` (file globs whose content goes
  into each page's execution fingerprint);
* ``cache_inputs``: a callable ``fn(project_root)`` returning extra paths or values whose
  content (for paths) or text (for anything else, e.g. ``(name, value)`` pairs) goes into every
  page's fingerprint: the host package's source files, its project declaration, the data files
  and environment variables that choose what the pages read;
* ``kernel_env``: a callable ``fn(project_root) -> dict`` of extra environment variables for the
  kernels (added to Quarto's own ``QUARTO_PROJECT_ROOT``/``QUARTO_DOCUMENT_PATH``/...);
* ``preload``: modules the kernels' fork server imports before the first document (what the
  host's pages import inside its functions, which the documents' own top-level imports do not
  show; :mod:`fslt_survey.render.pool`).

Install it once with :func:`configure`; without a host the engine renders plain Quarto projects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Host", "configure", "current", "inputs_fingerprint"]


@dataclass(frozen=True)
class Host:
    """The host project's hooks (see the module docstring)."""

    config_key: str | None = None
    cache_inputs: Callable[[Path], Iterable[object]] | None = None
    kernel_env: Callable[[Path], Mapping[str, str]] | None = None
    preload: tuple[str, ...] = ()
    #: folders of fonts the host's figures name (given to Typst, which embeds only its own
    #: fonts otherwise: an SVG chart whose text is text needs its font to be drawn as made)
    font_paths: tuple[Path, ...] = ()


_HOST = Host()


def configure(host: Host) -> Host:
    """Install ``host`` for every following render; returns the previous one."""
    global _HOST
    previous, _HOST = _HOST, host
    return previous


def current() -> Host:
    """The installed host (a plain ``Host()`` when none was configured)."""
    return _HOST


def inputs_fingerprint(project_root: Path, host: Host | None = None) -> str:
    """sha256 over the host's ``cache_inputs(project_root)``: file contents for paths, text
    for values.

    A folder contributes its ``*.py`` files (names and contents), without ``__pycache__``.
    """
    host = host or _HOST
    h = hashlib.sha256()
    for item in host.cache_inputs(Path(project_root)) if host.cache_inputs else ():
        if isinstance(item, Path) and item.is_dir():
            for path in sorted(item.rglob("*.py")):
                if "__pycache__" not in path.parts:
                    h.update(path.relative_to(item).as_posix().encode() + b"\0")
                    h.update(path.read_bytes() + b"\0")
        elif isinstance(item, Path):
            h.update(item.as_posix().encode() + b"\0")
            h.update((item.read_bytes() if item.is_file() else b"<missing>") + b"\0")
        else:
            h.update(str(item).encode() + b"\0")
    return h.hexdigest()
