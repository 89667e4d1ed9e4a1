"""The findings of a build, computed once and shared by every page that renders them.

Each page runs in its own kernel, and each built the same deterministic
:class:`~fslt_survey.publish.findings.Findings` store from scratch (the Data page alone took
10-15 s). ``fslt-survey build`` now computes the declared findings once, before rendering, and
writes the store's computed state to ``build/clean/findings/<fingerprint>.pickle``;
:meth:`Findings.load` starts from it when the fingerprint matches.

The fingerprint covers everything a finding depends on: the clean data (its content, columns
and types), the instrument, the population, the confidence level, k, the unit, the measures the
indicator declarations add (as specifications: the same indicators read from the YAML file or
from the validated indicator set give the same key) and the toolkit's own code (its source
files), so a changed input or a changed method can never be served a stale finding; a missing
or unreadable cache is simply recomputed. Only what the build's precomputation holds (the
declared catalogue) is written, so the findings table a page publishes is the same with or
without the cache.

The file is internal build output like the clean data beside it (it holds unsuppressed
estimates) and is never published.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey._atomic import atomic_path

__all__ = ["fingerprint", "persist", "restore"]

CACHE_VERSION = 1
_STATE = ("_memo", "_families", "_tabs")


@cache
def _code_hash() -> str:
    """The toolkit's source files, hashed once per process: a change of method is a new key."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def fingerprint(store: Any) -> str:
    """The key of a store's inputs (module docstring)."""
    h = hashlib.sha256(f"v{CACHE_VERSION}:{_code_hash()}".encode())
    data: pd.DataFrame = store.data
    h.update(repr([(str(c), str(t)) for c, t in data.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    for part in (store.instrument, store.population, store.conf, store.k, store.unit,
                 store.indicator_specs()):
        h.update(repr(part).encode())
    return h.hexdigest()


def _path(store: Any, clean_dir: Path) -> Path:
    return Path(clean_dir) / "findings" / f"{fingerprint(store)}.pickle"


def restore(store: Any, clean_dir: str | Path) -> bool:
    """Fill ``store`` with the findings the build computed for the same inputs; False when
    there are none (the store then computes on demand, as without a cache)."""
    try:
        with open(_path(store, Path(clean_dir)), "rb") as fh:
            # the build's own output, beside the clean data it was computed from
            state = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return False
    if not isinstance(state, dict) or set(state) != set(_STATE):
        return False
    store._memo.update(state["_memo"])
    store._families.update(state["_families"])
    store._tabs = _Tables({**state["_tabs"], **store._tabs})
    return True


class _Packed(bytes):
    """One cached table (or pair of tables), still pickled."""


class _Tables(dict):  # type: ignore[type-arg]
    """The store's tables, each unpickled when it is first asked for.

    The cache holds two tables for each item and wave (~150 small frames for the member
    survey); unpickling them all took longer than a page's own computing, and a page reads
    only the few items it shows. ``in`` and iteration see every entry; reading one unpacks it.
    """

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, _Packed):
            value = pickle.loads(value)  # written by persist() from the same inputs
            super().__setitem__(key, value)
        return value


def _is_design(key: Any) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] == "design"


def persist(store: Any, clean_dir: str | Path) -> Path:
    """Write what ``store`` has computed (see :func:`restore`); returns the file written. Older
    fingerprints of the same folder are removed."""
    path = _path(store, Path(clean_dir))
    state = {name: dict(getattr(store, name)) for name in _STATE}
    # a wave's survey design holds the wave's data: rebuilding it is cheaper than unpickling
    # it in every page (it was nine tenths of the file)
    state["_tabs"] = {
        k: v if isinstance(v, _Packed) else _Packed(pickle.dumps(v, pickle.HIGHEST_PROTOCOL))
        for k, v in state["_tabs"].items()  # dict.items: packed entries stay packed
        if not _is_design(k)
    }
    with atomic_path(path) as tmp:
        tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    for old in path.parent.glob("*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return path
