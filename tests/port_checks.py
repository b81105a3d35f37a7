"""Whether a class answers a port (a typing.Protocol) as the port declares it: each method present, of the same
kind (a coroutine, an async generator where the port returns an AsyncIterator, or a plain function), with the
same parameters. Static type checkers would say so too; this makes it a test that runs in the unit tier."""
from __future__ import annotations

import inspect


def port_methods(port: type) -> dict[str, object]:
    """The methods a Protocol declares, its bases' included (not typing's own)."""
    methods: dict[str, object] = {}
    for klass in reversed(port.__mro__):
        if getattr(klass, "_is_protocol", False) and klass.__module__ != "typing":
            methods.update({name: member for name, member in vars(klass).items()
                            if inspect.isfunction(member) and not name.startswith("_")})
    return methods


def _kind(function) -> str:
    if inspect.iscoroutinefunction(function):
        return "coroutine"
    if inspect.isasyncgenfunction(function) or "AsyncIterator" in str(function.__annotations__.get("return", "")):
        return "async iterator"
    return "function"


def _parameters(function) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


def port_mismatches(port: type, cls: type) -> list[str]:
    """How `cls` differs from `port`, one line each; empty when it answers every method."""
    problems = []
    for name, declared in port_methods(port).items():
        made = getattr(cls, name, None)
        if not inspect.isfunction(made):
            problems.append(f"{cls.__name__}.{name} is missing")
            continue
        if _kind(made) != _kind(declared):
            problems.append(f"{cls.__name__}.{name} is a {_kind(made)}, the port says {_kind(declared)}")
        if _parameters(made) != _parameters(declared):
            problems.append(f"{cls.__name__}.{name}{inspect.signature(made)} differs from the port's "
                            f"{name}{inspect.signature(declared)}")
    return problems
