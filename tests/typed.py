"""Holding a TypedDict to what the code produces: ``shape_errors(value, Type)`` lists where
a real answer parts from its declared type (a key missing or unknown, a value of another
type), so a test fails when the builder and the type drift apart."""

from __future__ import annotations

import sys
import types
from typing import Any, Literal, NotRequired, Union, get_args, get_origin

from typing_extensions import get_type_hints, is_typeddict


def _hints(typed: type, extras: bool = False) -> dict[str, Any]:
    """A TypedDict's field types; a name its module imports only for type checking (an
    import cycle at run time) is found in the loaded module that defines it (local names
    take precedence in the lookup, so the type's own module's names go in last)."""
    try:
        return get_type_hints(typed, include_extras=extras)
    except NameError:
        names = {
            name: value
            for module in list(sys.modules.values())
            if module is not None and module.__name__.startswith(("kkpr", "api"))
            for name, value in vars(module).items()
            if isinstance(value, type)
        }
        names.update(vars(sys.modules[typed.__module__]))  # its own names first
        return get_type_hints(typed, localns=names, include_extras=extras)


def keys(typed: type) -> set[str]:
    return set(_hints(typed))


def required(typed: type) -> set[str]:
    """The keys a TypedDict requires (``__required_keys__`` cannot tell a NotRequired
    written as a string, under ``from __future__ import annotations``)."""
    return {k for k, h in _hints(typed, True).items() if get_origin(h) is not NotRequired}


def shape_errors(value: Any, hint: Any, path: str = "$") -> list[str]:
    """Where ``value`` is not of ``hint`` (a TypedDict, a list, a union ... of JSON values)."""
    if hint is Any or hint is object:
        return []
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not {hint.__name__}"]
        hints = _hints(hint)
        out = [f"{path}.{k}: missing" for k in sorted(required(hint) - set(value))]
        out += [f"{path}.{k}: not in {hint.__name__}" for k in sorted(set(value) - set(hints))]
        for k, v in value.items():
            if k in hints:
                out += shape_errors(v, hints[k], f"{path}.{k}")
        return out
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        tries = [shape_errors(value, h, path) for h in get_args(hint)]
        return [] if any(not t for t in tries) else min(tries, key=len)
    if origin is Literal:
        return [] if value in get_args(hint) else [f"{path}: {value!r} not in {get_args(hint)}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        (item,) = get_args(hint)
        return [e for i, v in enumerate(value) for e in shape_errors(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a dict"]
        _key, item = get_args(hint)
        return [e for k, v in value.items() for e in shape_errors(v, item, f"{path}.{k}")]
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if hint is float:  # a JSON number: an int is a float (PEP 484), a bool is not
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, origin or hint)
    return [] if ok else [f"{path}: {value!r} is not {getattr(hint, '__name__', hint)}"]
