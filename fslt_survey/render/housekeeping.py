"""Folders a render owns, and the removal of those that a killed render left behind.

The built-in engine works in folders of its own, named by fixed patterns:

* ``.<out>.fslt-staging-XXXXXXXX`` beside the output folder ``<out>``: the new site (or
  document) is built there and then moved into place;
* ``.<out>.fslt-old-XXXXXXXX`` beside it: the previous site, for the moment of the swap;
* ``.fslt-cache/render/tmp-XXXXXXXX``: the run's scratch folder (executions, Typst sources);
* ``.<key>-tmp-XXXXXXXX`` inside ``.fslt-cache/render/exec/``: a cache entry being written.

A render that is killed (SIGKILL, out of memory, power cut) cannot remove them, so each run
holds an exclusive advisory lock (``flock``) on its staging, scratch and cache-entry folders for
as long as it uses them; the operating system drops the lock when the process ends, however it
ends. At its start a run removes (:func:`remove_stale`) the folders that match these patterns
and nothing else, that are older than the run, and whose lock it can take: nobody uses them.
A run that is still working, e.g. a parallel worker of the host (a batch of parameterised
sheets) rendering into the same folder, holds its locks, so its folders stay. A previous site
(``fslt-old``) is removed only when the output folder exists, i.e. after the swap. Where
``flock`` is not available (Windows, or a file system without locks) only folders older than
a day count as left behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

from fslt_survey.render.project import SKIP_DIRS

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "SCRATCH_PREFIX",
    "UNLOCKED_STALE_AFTER",
    "OwnedFolders",
    "entry_prefix",
    "old_prefix",
    "remove_stale",
    "staging_prefix",
]

log = logging.getLogger("fslt_survey.render")

#: Without a lock to ask, a folder must be this many seconds older than the run to be removed.
UNLOCKED_STALE_AFTER = 24 * 3600.0
#: Name prefix of a run's scratch folder inside the render cache.
SCRATCH_PREFIX = "tmp-"
_SUFFIX = r"[A-Za-z0-9_]{8}"  # uuid4().hex[:8] (and tempfile.mkdtemp's eight characters)
_LOCKED, _BUSY, _NO_LOCKS = "locked", "busy", "no-locks"


def staging_prefix(out: Path) -> str:
    """Name prefix of the staging folders of output folder ``out`` (beside it)."""
    return f".{out.name}.fslt-staging-"


def old_prefix(out: Path) -> str:
    """Name prefix of the previous site during the swap (beside ``out``)."""
    return f".{out.name}.fslt-old-"


def entry_prefix(name: str) -> str:
    """Name prefix of the temporary folder of cache entry ``name`` (beside the entry)."""
    return f".{name[:12]}-tmp-"


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(re.escape(prefix) + _SUFFIX)


_ENTRY_RE = re.compile(r"\.[0-9A-Za-z_-]{1,12}-tmp-" + _SUFFIX)


def _open_dir(path: Path) -> int | None:
    if fcntl is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags)
    except OSError:
        return None


def _try_lock(fd: int | None) -> str:
    """Take the exclusive lock of an open folder without waiting."""
    if fd is None or fcntl is None:
        return _NO_LOCKS
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return _BUSY
    except OSError:  # the file system has no locks
        return _NO_LOCKS
    return _LOCKED


class OwnedFolders:
    """Folders one run has made and holds locked until it releases them.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     owned = OwnedFolders()
    ...     path = owned.make(Path(tmp), "tmp-")
    ...     print(path.name.startswith("tmp-"), path.is_dir())
    ...     owned.release(path)
    True True
    """

    def __init__(self) -> None:
        self._fds: dict[str, int | None] = {}

    def make(self, parent: Path, prefix: str, *, mode: int = 0o777) -> Path:
        """Create ``parent/<prefix>XXXXXXXX`` (``mode`` minus the umask) and lock it."""
        parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            path = parent / f"{prefix}{uuid.uuid4().hex[:8]}"
            try:
                os.mkdir(path, mode)
            except FileExistsError:
                continue
            fd = _open_dir(path)
            if _try_lock(fd) == _BUSY:
                # another run's clean-up took it in the instant between mkdir and lock (the
                # folder was too new for that, but be safe): it removes it; take another name
                os.close(fd)  # type: ignore[arg-type]
                continue
            self._fds[str(path)] = fd
            return path
        raise FileExistsError(f"no free folder name {prefix}XXXXXXXX in {parent}")

    def release(self, path: Path) -> None:
        """Drop the lock of ``path`` (made by :meth:`make`; the folder may have moved)."""
        fd = self._fds.pop(str(path), None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def release_all(self) -> None:
        for path in list(self._fds):
            self.release(Path(path))


def _matching(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [folder / e.name for e in entries if pattern.fullmatch(e.name)]
    except OSError:
        return []


def _remove_if_stale(path: Path, started: float) -> bool:
    """Remove ``path`` if it is a folder older than ``started`` that nobody holds locked."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_mtime >= started:  # not ours, or not stale
        return False
    fd = _open_dir(path)
    try:
        state = _try_lock(fd)
        if state == _BUSY or (state == _NO_LOCKS and st.st_mtime >= started - UNLOCKED_STALE_AFTER):
            return False
        shutil.rmtree(path, ignore_errors=True)  # while holding the lock: its owner is gone
        return not path.exists()
    finally:
        if fd is not None:
            os.close(fd)


def _cache_entries(cache_root: Path) -> Iterator[Path]:
    """Temporary cache-entry folders: ``exec/<doc>/.<key>-tmp-*`` and ``.../out/.<key>-tmp-*``."""
    exec_root = cache_root / "exec"
    for doc_dir in _matching(exec_root, re.compile(r"[^.].*")):
        yield from _matching(doc_dir, _ENTRY_RE)
        for entry in _matching(doc_dir, re.compile(r"[0-9a-f]{64}")):
            yield from _matching(entry / "out", _ENTRY_RE)


def remove_stale(out: Path, cache_root: Path, started: float) -> list[Path]:
    """Remove what killed renders left for output folder ``out`` and render cache ``cache_root``.

    Only folders named by this engine's own patterns (see the module docstring), older than
    ``started`` (the start of the calling run, as :func:`time.time`) and not locked by a live
    run are removed. Never raises: a folder that cannot be removed now is tried next time.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed: list[Path] = []
    candidates = [
        *_matching(out.parent, _pattern(staging_prefix(out))),
        *_matching(cache_root, _pattern(SCRATCH_PREFIX)),
        *_cache_entries(cache_root),
    ]
    # the previous site of a swap: listed first, then removed only if the output folder exists,
    # so a swap in progress (output folder renamed away for an instant) is never disturbed
    olds = _matching(out.parent, _pattern(old_prefix(out)))
    if olds and out.is_dir():
        candidates += olds
    for path in candidates:
        try:
            if _remove_if_stale(path, started):
                removed.append(path)
        except OSError as exc:  # pragma: no cover - permissions, a vanished folder
            log.debug("could not remove %s: %s", path, exc)
    for path in removed:
        log.info("removed %s, left behind by an interrupted render", path)
    return removed


def snapshot(folder: Path, exclude: set[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of files below ``folder``, skipping hidden/tool folders and ``exclude``
    (how the engine tells which files a document's cells wrote)."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS and (here / d).resolve() not in exclude
        ]
        for name in filenames:
            path = here / name
            try:
                st = path.stat()
            except OSError:
                continue
            out[path.relative_to(folder).as_posix()] = (st.st_mtime_ns, st.st_size)
    return out
