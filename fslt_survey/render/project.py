"""Read a Quarto project (``_quarto.yml``) and merge its options into each document's.

Only the parts of Quarto's configuration model that the built-in engine acts on are modelled;
every other key is kept and passed on to pandoc as document metadata, as Quarto does.
"""

from __future__ import annotations

import copy
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fslt_survey.render.errors import RenderError
from fslt_survey.render.host import current as current_host

#: Name of the project file.
PROJECT_FILE = "_quarto.yml"
#: Output folder when ``project.output-dir`` is not set.
DEFAULT_OUTPUT_DIR = "_site"
#: Document types the built-in engine can render.
SOURCE_SUFFIXES = (".qmd", ".md")
#: Folders never searched for documents.
SKIP_DIRS = frozenset(
    {"_site", "_freeze", ".quarto", ".venv", "venv", "env", "node_modules", "__pycache__"}
)
#: Quarto format names -> the built-in writer that produces them. ``pdf`` means Typst here.
FORMAT_KINDS = {"html": "html", "typst": "typst", "pdf": "typst"}
#: Top-level keys that configure the project rather than describe a document.
PROJECT_ONLY_KEYS = frozenset({"project", "website", "book", "manuscript"})


#: PyYAML's safe loader, in C when PyYAML was built with libyaml (a warm render parses every
#: document's front matter and cell options).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, file: Path, first_line: int = 1) -> Any:
    """Parse YAML, turning syntax errors into a :class:`RenderError` with the line number."""
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader (in C where available)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = first_line + mark.line if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RenderError(f"invalid YAML: {problem}", file=file, row=row) from None


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into ``base`` the way Quarto merges option layers.

    Mappings are merged key by key (recursively); any other value in ``override`` replaces the
    one in ``base``. Neither argument is modified.

    Examples
    --------
    >>> deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}, "b": 4})
    {'a': {'x': 1, 'y': 3}, 'b': 4}
    """
    if isinstance(base, dict) and isinstance(override, dict):
        out = copy.deepcopy(base)
        for key, value in override.items():
            out[key] = deep_merge(out[key], value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def normalise_formats(value: Any, file: Path | None = None) -> dict[str, dict[str, Any]]:
    """Bring the many spellings of ``format:`` into ``{name: {options}}``.

    ``format: html``, ``format: [html, typst]``, ``format: {html: default}`` and
    ``format: {html: {toc: true}}`` are all accepted.
    """
    if value is None:
        return {}
    if isinstance(value, str):
        return {value: {}}
    if isinstance(value, list):
        return {str(v): {} for v in value}
    if isinstance(value, dict):
        out: dict[str, dict[str, Any]] = {}
        for name, opts in value.items():
            if opts is None or opts == "default" or opts is True:
                out[str(name)] = {}
            elif isinstance(opts, dict):
                out[str(name)] = dict(opts)
            else:
                raise RenderError(
                    f"format {name!r} has options of the wrong type",
                    file=file,
                    expected="a mapping or 'default'",
                    found=repr(opts),
                )
        return out
    raise RenderError("format must be a name, a list or a mapping", file=file, found=repr(value))


def as_list(value: Any) -> list[str]:
    """A string or list of strings as a list (``None`` -> ``[]``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def expand_globs(patterns: list[str], base: Path, *, files_only: bool = True) -> list[Path]:
    """Expand Quarto-style globs relative to ``base``; ``!pattern`` excludes.

    A pattern starting with ``/`` is relative to ``base`` too (Quarto's project-relative
    spelling). ``dir/**`` matches every file below ``dir``. Results are sorted and unique.
    """
    included: dict[Path, None] = {}
    excluded: set[Path] = set()
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.lstrip("/")
        hits: list[Path] = []
        for m in glob.glob(pattern, root_dir=base, recursive=True):
            path = (base / m).resolve()
            if path.is_dir() and files_only:
                if "**" in pattern or not any(ch in pattern for ch in "*?["):
                    # a directory named explicitly (or via **) means everything below it
                    hits += [sub for sub in sorted(path.rglob("*")) if sub.is_file()]
                continue
            hits.append(path)
        for path in hits:
            if negate:
                excluded.add(path)
            else:
                included.setdefault(path)
    return sorted(p for p in included if p not in excluded)


@dataclass
class Project:
    """A Quarto project as the built-in engine sees it.

    Parameters
    ----------
    root:
        Absolute path of the folder holding ``_quarto.yml``.
    config:
        The parsed ``_quarto.yml`` (empty when the folder has none).
    """

    root: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> dict[str, Any]:
        return self.config.get("project") or {}

    @property
    def type(self) -> str:
        return str(self.project.get("type", "default"))

    @property
    def website(self) -> dict[str, Any]:
        return self.config.get("website") or {}

    @property
    def is_website(self) -> bool:
        return self.type == "website" or bool(self.website)

    @property
    def execute_dir(self) -> str:
        """``file`` (cells run in the document's folder) or ``project`` (in the root)."""
        value = str(self.project.get("execute-dir") or "file")
        if value not in ("file", "project"):
            raise RenderError(
                "unknown execute-dir",
                file=self.root / PROJECT_FILE,
                expected="file or project",
                found=value,
            )
        return value

    @property
    def output_dir(self) -> Path:
        return (self.root / str(self.project.get("output-dir") or DEFAULT_OUTPUT_DIR)).resolve()

    @property
    def title(self) -> str | None:
        title = self.website.get("title") or self.config.get("title")
        return str(title) if title is not None else None

    @property
    def resources(self) -> list[str]:
        return as_list(self.project.get("resources"))

    @property
    def depends(self) -> list[str]:
        key = current_host().config_key
        return as_list((self.config.get(key) or {}).get("depends")) if key else []

    @property
    def cache_dir(self) -> Path:
        return self.root / ".fslt-cache" / "render"

    @property
    def document_defaults(self) -> dict[str, Any]:
        """Top-level project options that apply to every document (``lang``, ``execute``...)."""
        host_key = current_host().config_key  # the host's settings stay project-level
        return {
            k: v for k, v in self.config.items() if k not in PROJECT_ONLY_KEYS and k != host_key
        }

    def rel(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes."""
        return Path(os.path.relpath(path.resolve(), self.root)).as_posix()

    def documents(self) -> list[str]:
        """The documents a full render covers, relative to the root, in a stable order.

        ``project.render`` (globs, ``!`` to exclude; ``.qmd`` and ``.md``) decides when
        present; otherwise every ``.qmd`` file whose name and folders do not start with ``_``
        or ``.``, outside the output folder and virtual environments.
        """
        patterns = as_list(self.project.get("render"))
        out_dir = self.output_dir
        if patterns:
            explicit = {
                (self.root / p.lstrip("/")).resolve()
                for p in patterns
                if not p.startswith("!") and not any(ch in p for ch in "*?[")
            }
            found = [
                p
                for p in expand_globs(patterns, self.root)
                if p.suffix in SOURCE_SUFFIXES
                and out_dir not in p.parents
                # wildcards skip _drafts/.hidden files, as Quarto does; explicit names do not
                and (p in explicit or not p.name.startswith(("_", ".")))
            ]
            missing = [
                p
                for p in patterns
                if not p.startswith("!")
                and not any(ch in p for ch in "*?[")
                and not (self.root / p.lstrip("/")).exists()
            ]
            if missing:
                raise RenderError(
                    "project.render lists a file that does not exist",
                    file=self.root / PROJECT_FILE,
                    found=missing[0],
                )
            ordered = []
            # keep the order of explicitly listed files (Quarto renders in that order)
            for p in patterns:
                path = (self.root / p.lstrip("/")).resolve()
                if path in found and path not in ordered:
                    ordered.append(path)
            ordered += [p for p in found if p not in ordered]
            return [self.rel(p) for p in ordered]
        docs = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith((".", "_"))
                and d not in SKIP_DIRS
                and (here / d).resolve() != out_dir
            )
            for name in sorted(filenames):
                # only .qmd: plain .md files here are READMEs and notes, not pages
                if name.startswith((".", "_")) or Path(name).suffix != ".qmd":
                    continue
                docs.append(self.rel(here / name))
        return docs


def load_project(root: Path) -> Project:
    """Read ``root/_quarto.yml`` (if any) into a :class:`Project`."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise RenderError("project folder does not exist", file=root)
    path = root / PROJECT_FILE
    config: Any = {}
    if path.exists():
        config = load_yaml(path.read_text(encoding="utf-8"), path) or {}
        if not isinstance(config, dict):
            raise RenderError(
                "_quarto.yml must be a mapping", file=path, found=type(config).__name__
            )
    return Project(root=root, config=config)


@dataclass
class DocConfig:
    """The options that apply to one document after merging project and front matter.

    Parameters
    ----------
    rel:
        Source path relative to the project root.
    meta:
        Merged top-level metadata (document wins), without ``format`` and project keys.
    formats:
        Quarto format name -> fully merged options for that format (top-level options
        included), only for formats the built-in engine can write.
    execute:
        Merged ``execute`` options (``echo``, ``warning``, ``freeze``...).
    skipped_formats:
        Requested formats the built-in engine cannot write.
    """

    rel: str
    meta: dict[str, Any]
    formats: dict[str, dict[str, Any]]
    execute: dict[str, Any]
    skipped_formats: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        output_file = self.meta.get("output-file")
        if output_file:
            name = Path(str(output_file)).name
            for suffix in (".html", ".htm", ".pdf"):
                if name.endswith(suffix):
                    return name[: -len(suffix)]
            return name
        return Path(self.rel).stem

    @property
    def kinds(self) -> list[str]:
        """Built-in writers needed, in a stable order (``html`` before ``typst``)."""
        kinds = {FORMAT_KINDS[f] for f in self.formats}
        return [k for k in ("html", "typst") if k in kinds]

    def format_options(self, kind: str) -> dict[str, Any]:
        """Merged options for a writer kind (``pdf`` and ``typst`` options combine)."""
        out: dict[str, Any] = {}
        for name, opts in self.formats.items():
            if FORMAT_KINDS[name] == kind:
                out = deep_merge(out, opts)
        return out


#: Directory metadata: options for every document in a folder and below (Quarto's name).
DIRECTORY_METADATA = "_metadata.yml"


def directory_metadata(project: Project, rel: str) -> list[tuple[Path, dict[str, Any]]]:
    """The ``_metadata.yml`` files that apply to document ``rel``, outermost first."""
    found = []
    folder = (project.root / rel).parent.resolve()
    while True:
        file = folder / DIRECTORY_METADATA
        if file.is_file():
            data = load_yaml(file.read_text(encoding="utf-8"), file) or {}
            if not isinstance(data, dict):
                raise RenderError("directory metadata must be a YAML mapping", file=file)
            found.append((file, data))
        if folder == project.root or project.root not in folder.parents:
            break
        folder = folder.parent
    return found[::-1]


def document_config(project: Project, rel: str, front_matter: dict[str, Any]) -> DocConfig:
    """Merge project options, directory metadata and a document's front matter like Quarto.

    Layers, lowest first: the project (``_quarto.yml``), each ``_metadata.yml`` from the
    outermost folder to the document's own, the document's front matter; within a layer its
    top-level options, then its ``format.<name>`` options. The innermost ``format`` list decides
    which formats are rendered.
    """
    file = project.root / rel
    project_top = project.document_defaults
    layers = [(project_top, normalise_formats(project_top.pop("format", None), project.root))]
    for meta_file, data in directory_metadata(project, rel):
        top = dict(data)
        layers.append((top, normalise_formats(top.pop("format", None), meta_file)))
    doc_top = dict(front_matter)
    layers.append((doc_top, normalise_formats(doc_top.pop("format", None), file)))
    for top, _ in layers[1:]:
        for key in PROJECT_ONLY_KEYS:
            top.pop(key, None)

    meta: dict[str, Any] = {}
    execute: dict[str, Any] = {}
    for top, _ in layers:
        meta = deep_merge(meta, top)
        execute = deep_merge(execute, top.get("execute") or {})
    requested = next((f for _, f in reversed(layers) if f), None) or {"html": {}}
    formats: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for name in requested:
        if name not in FORMAT_KINDS:
            skipped.append(name)
            continue
        layered: dict[str, Any] = {}
        for top, fmts in layers:
            layered = deep_merge(deep_merge(layered, top), fmts.get(name, {}))
        formats[name] = layered
    return DocConfig(rel=rel, meta=meta, formats=formats, execute=execute, skipped_formats=skipped)
