"""The built-in engine's freeze: executed markdown and rendered pages, keyed by content hashes.

Layout under ``<project>/.fslt-cache/render/``::

    files.json                              stat -> sha256 memo for dependency files
    exec/<doc-slug>/<exec-key>/meta.json    one executed document (markdown, figures, ...)
                              /files/...    <stem>_files/figure-html/* written by the cells
                              /side/...     files the cells wrote next to the document
                              /out/<key>/   rendered HTML/PDF for one set of page inputs
    exec/<doc-slug>/latest-<params>.json    newest key (for ``freeze: true``)

Entries are written to a temporary folder and renamed into place, so a crash never leaves a
half-written entry that a later run would trust. The temporary folder (``.<key>-tmp-XXXXXXXX``)
is locked while it is written, so the next render can tell one that a killed render left
behind from one being written right now (:mod:`fslt_survey.render.housekeeping`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey.render.housekeeping import OwnedFolders, entry_prefix

#: Bump when the executed-markdown format changes in a way old entries cannot satisfy.
CACHE_FORMAT = "3"
#: Executed entries kept per document beyond the newest one of each parameter set.
KEEP_PER_DOCUMENT = 24


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stable_json(value: Any) -> str:
    """JSON with sorted keys; dates and paths as strings (for hashing option trees)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


class FileHasher:
    """sha256 of files, remembered by (size, mtime) in ``files.json`` between runs."""

    def __init__(self, memo: Path) -> None:
        self._memo_path = memo
        self._dirty = False
        try:
            self._memo: dict[str, list[Any]] = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._memo = {}

    def hash(self, path: Path) -> str:
        st = path.stat()
        key = str(path.resolve())
        hit = self._memo.get(key)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            return str(hit[2])
        digest = sha256_file(path)
        self._memo[key] = [st.st_size, st.st_mtime_ns, digest]
        self._dirty = True
        return digest

    def save(self) -> None:
        if not self._dirty:
            return
        self._memo_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._memo_path.parent, prefix=".files-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._memo, f)
        os.replace(tmp, self._memo_path)
        self._dirty = False


def execution_key(
    *,
    source: str,
    rel: str,
    options: dict[str, Any],
    params: dict[str, Any],
    depends: list[tuple[str, str]],
    package_hash: str,
    engine_version: str,
) -> str:
    """The cache key of one document's execution (see the module docstring)."""
    payload = {
        "format": CACHE_FORMAT,
        "engine": engine_version,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "rel": rel,
        "source": sha256_bytes(source.encode("utf-8")),
        "options": options,
        "params": params,
        "depends": depends,
        "package": package_hash,
    }
    return sha256_bytes(stable_json(payload).encode("utf-8"))


def params_id(params: dict[str, Any]) -> str:
    return sha256_bytes(stable_json(params).encode("utf-8"))[:16]


def _slug(rel: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", rel)


@dataclass
class CachedExecution:
    """An executed document read back from the cache."""

    path: Path
    key: str
    markdown: str
    files: list[str] = field(default_factory=list)
    side: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def files_root(self) -> Path:
        """Folder holding ``<stem>_files/`` for this execution."""
        return self.path / "files"

    @property
    def side_root(self) -> Path:
        return self.path / "side"


@dataclass
class CachedOutput:
    """Rendered files (``page.html``, ``page.pdf``) for one set of page inputs."""

    path: Path
    files: dict[str, str]
    resources: list[str]
    warnings: list[str]


class RenderCache:
    """Read and write cache entries under ``root`` (``.fslt-cache/render``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hasher = FileHasher(root / "files.json")
        self._owned = OwnedFolders()

    def _doc_dir(self, rel: str) -> Path:
        return self.root / "exec" / _slug(rel)

    def _atomic_dir(self, target: Path) -> Path:
        """A locked temporary folder beside ``target`` (private, like ``tempfile.mkdtemp``)."""
        return self._owned.make(target.parent, entry_prefix(target.name), mode=0o700)

    def _commit(self, tmp: Path, target: Path) -> None:
        try:
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            try:
                os.replace(tmp, target)
            except OSError:  # another process won the race; theirs is as good as ours
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            self._owned.release(tmp)

    def _discard(self, tmp: Path) -> None:
        """Remove a temporary folder whose entry could not be written."""
        shutil.rmtree(tmp, ignore_errors=True)
        self._owned.release(tmp)

    # -- executions ---------------------------------------------------------------------------

    def load_execution(self, rel: str, key: str) -> CachedExecution | None:
        path = self._doc_dir(rel) / key
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            markdown = (path / "executed.md").read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
        entry = CachedExecution(
            path=path,
            key=key,
            markdown=markdown,
            files=list(meta.get("files", [])),
            side=list(meta.get("side", [])),
            warnings=list(meta.get("warnings", [])),
        )
        if not all((entry.files_root / f).is_file() for f in entry.files):
            return None
        with contextlib.suppress(OSError):  # mark as recently used (pruning keeps the newest)
            os.utime(path / "meta.json")
        return entry

    def latest_execution(self, rel: str, params: dict[str, Any]) -> CachedExecution | None:
        """The newest stored execution for ``rel`` with these params (``freeze: true``)."""
        try:
            pointer = self._doc_dir(rel) / f"latest-{params_id(params)}.json"
            key = json.loads(pointer.read_text(encoding="utf-8"))["key"]
        except (OSError, ValueError, KeyError):
            return None
        return self.load_execution(rel, key)

    def store_execution(
        self,
        rel: str,
        key: str,
        *,
        markdown: str,
        work_dir: Path,
        files: list[str],
        side: dict[str, Path],
        warnings: list[str],
        params: dict[str, Any],
    ) -> CachedExecution:
        """Store an execution: markdown, figure files (under ``work_dir``) and side files."""
        target = self._doc_dir(rel) / key
        tmp = self._atomic_dir(target)
        try:
            for f in files:
                dest = tmp / "files" / f
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(work_dir / f, dest)
            for name, src in side.items():
                dest = tmp / "side" / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
            (tmp / "executed.md").write_text(markdown, encoding="utf-8")
            meta = {
                "rel": rel,
                "created": time.time(),
                "files": files,
                "side": sorted(side),
                "warnings": warnings,
            }
            (tmp / "meta.json").write_text(stable_json(meta), encoding="utf-8")
        except BaseException:
            self._discard(tmp)
            raise
        self._commit(tmp, target)
        pointer = self._doc_dir(rel) / f"latest-{params_id(params)}.json"
        pointer.write_text(json.dumps({"key": key}), encoding="utf-8")
        self.prune(rel)
        entry = self.load_execution(rel, key)
        assert entry is not None
        return entry

    def prune(self, rel: str, keep: int = KEEP_PER_DOCUMENT) -> None:
        """Drop old executions of ``rel``: the newest of each parameter set (``latest-*.json``)
        stays, and of the others the ``keep`` most recently used.

        A batch of parameterised sheets (one per association) stores one execution per sheet
        while earlier sheets are still being converted; each is the newest of its parameters,
        so none is removed under a conversion (and a second batch finds them all).
        """
        doc_dir = self._doc_dir(rel)
        dirs = [p for p in doc_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if len(dirs) <= keep:
            return  # nothing to drop: the pointers need not be read
        newest = set()
        for pointer in doc_dir.glob("latest-*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                newest.add(json.loads(pointer.read_text(encoding="utf-8"))["key"])
        entries = []
        for p in dirs:
            if p.name not in newest:
                try:
                    entries.append(((p / "meta.json").stat().st_mtime, p))
                except OSError:
                    entries.append((0.0, p))
        for _, p in sorted(entries, reverse=True)[keep:]:
            shutil.rmtree(p, ignore_errors=True)

    # -- rendered outputs ---------------------------------------------------------------------

    def load_output(self, entry: CachedExecution, key: str, base: Path) -> CachedOutput | None:
        """Rendered files for ``key``, if their source resources are unchanged.

        ``base`` is the folder that resource paths are relative to (the document's folder).
        """
        path = entry.path / "out" / key
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for name, digest in meta.get("resource_hashes", {}).items():
            src = base / name
            if not src.is_file() or self.hasher.hash(src) != digest:
                return None
        files = dict(meta.get("files", {}))
        if not all((path / f).is_file() for f in files.values()):
            return None
        return CachedOutput(path, files, list(meta.get("resources", [])), meta.get("warnings", []))

    def store_output(
        self,
        entry: CachedExecution,
        key: str,
        *,
        files: dict[str, bytes],
        resources: list[str],
        base: Path,
        warnings: list[str],
    ) -> CachedOutput:
        """Store rendered files (name -> bytes) and the resources they reference."""
        target = entry.path / "out" / key
        tmp = self._atomic_dir(target)
        try:
            names = {}
            for kind, data in files.items():
                name = f"page.{kind}"
                (tmp / name).write_bytes(data)
                names[kind] = name
            hashes = {r: self.hasher.hash(base / r) for r in resources if (base / r).is_file()}
            meta = {
                "files": names,
                "resources": resources,
                "resource_hashes": hashes,
                "warnings": warnings,
            }
            (tmp / "meta.json").write_text(stable_json(meta), encoding="utf-8")
        except BaseException:
            self._discard(tmp)
            raise
        self._commit(tmp, target)
        out_root = entry.path / "out"
        outs = sorted(
            (p for p in out_root.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in outs[8:]:
            shutil.rmtree(old, ignore_errors=True)
        return CachedOutput(target, names, resources, warnings)
