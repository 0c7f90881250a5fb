"""The house stays one a newcomer can find their way in (ARCHITECTURE.md).

The layers themselves are import-linter contracts in pyproject.toml; these tests run them,
and check what import-linter does not: no import cycle at all (imports inside functions and
under TYPE_CHECKING count), few modules at the top of ivr_app, short files; and ruff's
checks, as pyproject.toml selects them.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ivr_app", "speech", "workers")
MAX_TOP_MODULES = 12
# Product code may run a little longer than a test or a benchmark: one idea per file, split by
# meaning, and a module that reads whole beats two halves made to fit a number.
MAX_LINES = {"ivr_app": 400, "speech": 400, "workers": 400, "tests": 350, "bench": 350}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module `name` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in modules else base)
    return (out & modules.keys()) - {name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan), each as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_layers_hold_as_pyproject_declares_them():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_code_passes_the_linter_pyproject_configures():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_imports_itself_back_even_inside_a_function():
    graph = import_graph()
    assert "ivr_app.call.engine" in graph["ivr_app.call.voice"]  # the graph sees imports
    assert cycles(graph) == []


def test_a_cycle_hidden_in_a_function_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_ivr_app_keeps_few_modules_at_its_top_and_every_part_says_what_it_is_for():
    top = sorted(p.name for p in (ROOT / "ivr_app").glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    for init in (ROOT / "ivr_app").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower(), f"{init}: say what it is for and what it may import"


def test_no_file_is_longer_than_a_newcomer_reads_at_once():
    long = {str(path.relative_to(ROOT)): n
            for folder, cap in MAX_LINES.items()
            for path in (ROOT / folder).rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > cap}
    assert long == {}


def test_benchmarks_stand_on_the_product_not_on_the_tests():
    for path in (ROOT / "bench").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
        assert not any(m == "tests" or m.startswith("tests.") for m in imported), path


@pytest.mark.parametrize("module", sorted(p.stem for p in (ROOT / "bench").glob("*.py")
                                          if p.stem != "__init__"))
def test_every_benchmark_imports(module):
    """A benchmark nobody runs in CI still has to start: every name it imports exists."""
    importlib.import_module(f"bench.{module}")
