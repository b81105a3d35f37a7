"""The engine stays readable: no function of it grows past a cyclomatic complexity of 14 (McCabe), so a new
phrasing becomes a named rule or a small step rather than one more branch of a long `if` chain."""
import ast
from pathlib import Path

import mccabe

ENGINE = Path(__file__).resolve().parents[3] / "services" / "extract" / "engine"
MAX_COMPLEXITY = 14


def _complexities(path: Path) -> list[tuple[str, int, int]]:
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(ast.parse(path.read_text(encoding="utf-8"), str(path)), visitor)
    return [(graph.entity, graph.lineno, graph.complexity()) for graph in visitor.graphs.values()]


def test_no_engine_function_is_too_complex():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 10
    too_complex = [
        f"{path.relative_to(ENGINE)}:{line} {name} ({complexity})"
        for path in files
        for name, line, complexity in _complexities(path)
        if complexity > MAX_COMPLEXITY
    ]
    assert not too_complex, "split these into named steps or rules: " + ", ".join(too_complex)


def test_the_measure_sees_a_long_if_chain():
    source = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(20)) + "    return -1\n"
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(ast.parse(source), visitor)
    assert [g.complexity() for g in visitor.graphs.values()] == [21]
