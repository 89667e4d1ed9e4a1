"""The one YAML loader of the project's data files, and the list of problems they collect.

Instruments, recommendation rules, indicators, network data and the action plan are YAML files
the centre edits by hand. Each is read with :func:`read_yaml` (UTF-8, safe loading, dates kept
as text so that a bad date is reported rather than parsed into something else) and validated
into a :class:`Problems` list that is raised once, naming the file and every problem, with the
error class of the caller (``CodebookError`` for instruments, ``ConfigError`` otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import yaml

from fslt_survey import config
from fslt_survey.errors import ConfigError, SurveyDataError

__all__ = ["Problems", "check_goal", "open_entry", "read_front_matter", "read_yaml",
           "require_mapping"]


# libyaml's parser when PyYAML was built with it (the wheels are): the same YAML, several times
# faster than the pure-Python parser, which every page of a render pays for its data files
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as text, so a bad date is reported, not a crash."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(
    path: str | Path, what: str, *, error: type[SurveyDataError] = ConfigError
) -> Any:
    """Parse a YAML file; ``what`` names it in errors ("instrument file", "indicator file").

    Raises ``error`` (``ConfigError`` by default) with the file and, for syntax errors, the
    row: when the file is missing, not UTF-8 or not valid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise error(f"{what} is a folder, not a file", file=path) from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} is not UTF-8", file=path, expected="UTF-8 text", found=str(exc)
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=path,
            row=mark.line + 1 if mark else None,
        ) from None


def require_mapping(
    data: Any, message: str, path: str | Path | None, *,
    error: type[SurveyDataError] = ConfigError,
) -> dict[str, Any]:
    """``data`` (a parsed file) itself, when it is a mapping; else ``error(message)`` naming
    the file and the type found ("an indicator file must be a YAML mapping")."""
    if not isinstance(data, dict):
        raise error(message, file=path, expected="mapping", found=type(data).__name__)
    return data


class Problems:
    """Collects every validation problem of one file before raising once.

    >>> pr = Problems("surveys/indicators.yml", "indicator file")
    >>> pr.add("indicator i1", "unknown item 'x'")
    >>> pr.items
    ["indicator i1: unknown item 'x'"]
    """

    def __init__(
        self,
        path: str | Path | None,
        what: str,
        *,
        error: type[SurveyDataError] = ConfigError,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.what = what
        self.error = error
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}" if where else what)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            raise self.error(
                f"invalid {self.what} ({n} problem{'s' if n != 1 else ''})",
                file=self.path,
                problems=self.items,
            )


def open_entry(
    spec: Any, n: int, what: str, id_pattern: re.Pattern[str], id_chars: str,
    keys: Collection[str], problems: list[str],
) -> tuple[str, Callable[[str], None]] | None:
    """The checks every entry of a list-of-mappings file starts with (indicators, initiatives).

    ``spec`` must be a mapping with an ``id`` matching ``id_pattern`` (``id_chars`` describes it
    in the problem) and no key outside ``keys``. Returns the id and a ``bad(text)`` that records
    a problem under it ("indicator i1: ..."), or ``None`` (problem recorded) when the entry has
    no usable id.

    >>> problems = []
    >>> iid, bad = open_entry({"id": "a", "x": 1}, 1, "indicator", re.compile("[a-z]+$"),
    ...                       "a-z", {"id"}, problems)
    >>> problems
    ["indicator a: unknown key 'x'"]
    """
    if not isinstance(spec, dict):
        problems.append(f"{what} {n}: must be a mapping")
        return None
    iid = spec.get("id")
    if not isinstance(iid, str) or not id_pattern.match(iid):
        problems.append(f"{what} {n}: missing or invalid id {iid!r} ({id_chars})")
        return None

    def bad(text: str) -> None:
        problems.append(f"{what} {iid}: {text}")

    for key in sorted(set(spec) - set(keys)):
        bad(f"unknown key {key!r}")
    return iid, bad


def check_goal(goal: Any, bad: Callable[[str], None]) -> None:
    """A strategy goal must be one of :data:`fslt_survey.config.GOALS` (not ``true``/``false``,
    which YAML reads from ``yes``/``no`` and which equal 1/0)."""
    if isinstance(goal, bool) or goal not in config.GOALS:
        bad(f"goal must be one of {sorted(config.GOALS)}, found {goal!r}")


def read_front_matter(path: str | Path) -> dict[str, Any]:
    """The YAML front matter of a Quarto document (``---`` ... ``---`` at the top), or {}."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise ConfigError("front matter is not closed with ---", file=path, row=1)
    try:
        data = yaml.load(text[3:end], Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML front matter: {exc}", file=path) from None
    return data if isinstance(data, dict) else {}
