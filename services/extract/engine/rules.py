"""Named rules: every finding says which rule read it, and every rule brings sentences that are its tests.

A rule is declared once, next to the code or the pattern it names, with the field of the `Extraction` its
findings go to and two kinds of example: sentences where it must read something (`examples`) and
sentences where it must not (`counterexamples`). tests/unit/extract/test_rules.py runs them all;
`provnews rules` lists them and, with `--precision`, scores each against the gold sets, so a rule that
never fires or is mostly wrong shows up by its name.

A filter (kind "filter") is a rule that drops a candidate: its examples are sentences in which its
field must stay empty, its counterexamples sentences in which the field must not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Field = Literal["persons", "organizations", "locations", "provinces", "legal_documents", "metrics", "topics"]


@dataclass(frozen=True)
class Rule:
    id: str
    field: Field
    summary: str
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    kind: Literal["finder", "filter"] = "finder"


_REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    field: Field,
    summary: str,
    *,
    examples: tuple[str, ...] = (),
    counterexamples: tuple[str, ...] = (),
    kind: Literal["finder", "filter"] = "finder",
) -> str:
    """Declare a rule; returns its id, for the findings it makes to carry."""
    if id in _REGISTRY:
        raise ValueError(f"rule {id!r} is declared twice")
    _REGISTRY[id] = Rule(id, field, summary, tuple(examples), tuple(counterexamples), kind)
    return id


def all_rules() -> list[Rule]:
    """Every declared rule, once the engine's modules are imported (importing `extract` does that)."""
    import services.extract.engine.pipeline  # noqa: F401 - the modules declare their rules on import

    return sorted(_REGISTRY.values(), key=lambda r: r.id)


def get(rule_id: str) -> Rule:
    all_rules()
    return _REGISTRY[rule_id]
