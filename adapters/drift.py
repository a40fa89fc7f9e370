"""Contract drift: fields a peer's answer carries that its contract (our wire models) does
not list.

The wire models ignore such fields rather than refuse the answer: a national system that adds
a field has not broken what the registry uses (pitfalls: strict readers break on harmless
change). But nobody should learn of the change from a breach months later, so every unknown
field is reported to a ``DriftObserver`` as a *path* — ``operation:header.trace_id``,
``officials.pull:items[].work_history[].note`` — never with its value. List positions are
``[]`` so a field is one path however many items carry it; an unknown object is one path, not
descended into. Names that do not look like field names (a number, a name with odd characters
— possibly personal data used as a key) are shown as ``?``.

The sync side records the paths persistently and counts them (``sync.drift``); ``DriftLog``
here is the in-memory observer used when no one else is listening.
"""

from __future__ import annotations

import re
import threading
import types
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Annotated, Protocol, Union, get_args, get_origin

import structlog
from pydantic import BaseModel

log = structlog.get_logger(__name__)

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")
MAX_PATHS_PER_ANSWER = 50
MAX_PATH_CHARS = 300


class DriftObserver(Protocol):
    """Told of the unknown fields of each accepted answer; must not raise."""

    def saw(self, system: str, paths: Sequence[str]) -> None: ...

    def flush(self) -> None:
        """Persist what was seen, if the observer persists anything (called on close)."""


class DriftLog:
    """Logs each (system, path) once per process and counts every sighting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen: Counter[tuple[str, str]] = Counter()

    def saw(self, system: str, paths: Sequence[str]) -> None:
        with self._lock:
            for path in paths:
                key = (system, path)
                if key not in self.seen:
                    log.warning("adapter.contract_drift", system=system, field=path)
                self.seen[key] += 1

    def flush(self) -> None:
        return None


# A child of a field: the model it holds and whether it holds a list of them.
_Child = tuple[type[BaseModel], bool]


def _models_in(annotation: object) -> list[_Child]:
    """The model types an annotation can hold: ``M``, ``M | None``, ``list[M]``,
    ``Annotated[list[M] | None, …]``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models_in(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [c for arg in get_args(annotation) for c in _models_in(arg)]
    if origin in (list, tuple):
        return [(m, True) for arg in get_args(annotation) for m, _ in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    return []


@cache
def _shape(model: type[BaseModel]) -> Mapping[str, tuple[_Child, ...]]:
    """Every key ``model`` reads from its input (names and aliases) → the models below it."""
    shape: dict[str, tuple[_Child, ...]] = {}
    for name, info in model.model_fields.items():
        children = tuple(_models_in(info.annotation))
        shape[name] = children
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str):
                shape[alias] = children
    return shape


def _segment(name: object) -> str:
    return name if isinstance(name, str) and _FIELD_NAME.match(name) else "?"


def unknown_fields(model: type[BaseModel], raw: object, *, prefix: str = "") -> list[str]:
    """Paths of the keys in ``raw`` (an answer that validated as ``model``) that ``model``
    does not read, sorted, at most ``MAX_PATHS_PER_ANSWER``."""
    found: set[str] = set()
    _walk(model, raw, prefix, found)
    return sorted(found)[:MAX_PATHS_PER_ANSWER]


def _walk(model: type[BaseModel], raw: object, path: str, found: set[str]) -> None:
    if not isinstance(raw, dict) or len(found) >= MAX_PATHS_PER_ANSWER:
        return
    shape = _shape(model)
    for key, value in raw.items():
        here = f"{path}.{_segment(key)}" if path else _segment(key)
        children = shape.get(key)
        if children is None:
            found.add(here[:MAX_PATH_CHARS])
            continue
        for child, many in children:
            if many and isinstance(value, list):
                for item in value:
                    _walk(child, item, f"{here}[]", found)
            elif not many and isinstance(value, dict):
                _walk(child, value, here, found)


def report(observer: DriftObserver, system: str, operation: str, paths: Iterable[str]) -> None:
    """Tell ``observer`` of ``paths`` seen in an answer to ``operation``; never raises."""
    named = [f"{operation}:{p}"[:MAX_PATH_CHARS] for p in paths]
    if not named:
        return
    try:
        observer.saw(system, named)
    except Exception:  # drift is bookkeeping: it must never cost the answer
        log.exception("adapter.contract_drift.observer_failed", system=system)
