"""The toolkit as host of the render engine: the hooks ``fslt_survey.render`` is given.

The engine (``fslt_survey/render/``) imports nothing from the toolkit; the toolkit tells it
what it needs here, once, when ``fslt_survey`` is imported (:func:`configure_render`):

* the ``fslt-survey:`` key of ``_quarto.yml`` and front matter is the toolkit's own
  (``fslt-survey: depends:`` lists the data files each page's fingerprint covers);
* every page's fingerprint covers the toolkit's own source files (a change to the package
  re-executes the pages that use it) and :func:`fslt_survey.project.cache_inputs`: the project
  declaration, the member registry (by contents) and the environment variables that choose data;
* the kernels' fork server imports the modules the pages use inside the toolkit (``PRELOAD``);
* the charts' font (DejaVu Sans, which ships with matplotlib) is given to Typst, so the text of
  an SVG chart in a PDF is drawn in the font it was laid out in;
* kernels get ``FSLT_PROJECT_ROOT`` (where :mod:`fslt_survey.config` finds the project's data)
  pointing at the project being rendered, unless the user pointed it elsewhere on purpose.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from fslt_survey.project import cache_inputs
from fslt_survey.render.host import Host, configure

CONFIG_KEY = "fslt-survey"
PACKAGE_DIR = Path(__file__).resolve().parent


def _cache_inputs(project_root: Path) -> list[object]:
    return [PACKAGE_DIR, *cache_inputs(project_root)]


def _kernel_env(project_root: Path) -> dict[str, str]:
    return {"FSLT_PROJECT_ROOT": os.environ.get("FSLT_PROJECT_ROOT", str(project_root))}


#: What the report pages use inside the toolkit's functions (imported once by the engine's
#: kernel fork server instead of once per page): the page packages, parquet, scipy, openpyxl.
PRELOAD = (
    "fslt_survey.report",
    "fslt_survey.followup",
    "fslt_survey.network",
    "fslt_survey.publish",
    "pyarrow.parquet",
    "scipy.stats",
    "openpyxl",
    "matplotlib.backends.backend_svg",
    "fslt_survey.plots.warm",  # (draws one chart: fonts and the SVG writer ready in each kernel)
)

def _chart_fonts() -> tuple[Path, ...]:
    """matplotlib's own fonts (DejaVu Sans, which the charts use), found without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return tuple(p for f in folders if (p := Path(f) / "mpl-data" / "fonts" / "ttf").is_dir())


HOST = Host(
    config_key=CONFIG_KEY, cache_inputs=_cache_inputs, kernel_env=_kernel_env, preload=PRELOAD,
    font_paths=_chart_fonts(),
)


def configure_render() -> Host:
    """Install the toolkit's hooks in the render engine (idempotent); returns them."""
    configure(HOST)
    return HOST
