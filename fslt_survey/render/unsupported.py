"""Quarto features the built-in engine does not implement: stop, never silently differ.

Each check names the file, the feature and what to do instead. ``theme`` is the one exception:
the engine's own stylesheet replaces any Bootswatch theme, which changes the look but not the
content, so it is reported as a warning instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fslt_survey.render.errors import RenderError

USE_QUARTO = "render with Quarto (engine='quarto')"

#: Options (top level or per format) the engine does not implement -> the alternative.
OPTIONS = {
    "filters": f"remove `filters:` or {USE_QUARTO}",
}

#: Div and span classes the engine does not lay out -> the alternative.
CLASSES = {
    "panel-sidebar": "plain sections",
    "panel-fill": "plain sections",
    "panel-center": "plain sections",
    "panel-input": "plain sections",
    "column-page": "the body column",
    "column-page-inset": "the body column",
    "column-screen": "the body column",
    "column-screen-inset": "the body column",
    "column-body-outset": "the body column",
}

_ATTR = re.compile(r"(?:^:{3,}\s*\{([^}\n]*)\}|\]\{([^}\n]*)\})", re.MULTILINE)
_CLASS = re.compile(r"\.([A-Za-z][\w-]*)")


def _feature(file: str | Path, feature: str, alternative: str) -> RenderError:
    return RenderError(
        f"{feature} is not supported by the built-in engine",
        file=str(file),
        expected=alternative,
    )


def check_options(file: str | Path, meta: dict[str, Any], formats: dict[str, Any]) -> None:
    """Refuse unsupported options in the merged metadata or any format's options."""
    scopes = [meta, *(opts for opts in formats.values() if isinstance(opts, dict))]
    for scope in scopes:
        for key, alternative in OPTIONS.items():
            if scope.get(key):
                raise _feature(file, f"`{key}:`", alternative)


def check_markdown(file: str | Path, text: str) -> None:
    """Refuse divs/spans with a layout class the engine does not implement."""
    for m in _ATTR.finditer(text):
        for cls in _CLASS.findall(m.group(1) or m.group(2) or ""):
            if cls in CLASSES:
                raise _feature(file, f"`.{cls}`", f"{CLASSES[cls]}, or {USE_QUARTO}")


def warnings(rel: str, cfg: Any) -> list[str]:
    """What the engine replaces or skips without stopping: ``theme``, unknown formats."""
    out = []
    theme = (cfg.formats.get("html") or {}).get("theme")
    if theme:
        out.append(
            f"{rel}: theme {theme!r} is replaced by the built-in engine's stylesheet "
            "(render with Quarto for the theme)"
        )
    if cfg.skipped_formats:
        out.append(
            f"{rel}: format(s) {', '.join(cfg.skipped_formats)} are not supported by the "
            "built-in engine (html, typst/pdf are); skipped"
        )
    return out
