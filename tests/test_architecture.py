"""The house stays one a newcomer can find their way in (ARCHITECTURE.md).

The layers themselves are import-linter contracts in pyproject.toml; these tests run them,
and check what import-linter does not: no import cycle at all (imports inside functions and
under TYPE_CHECKING count), few modules at the top of ivr_app, short files; and ruff's
checks, as pyproject.toml selects them.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import tomllib
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


def contracts() -> list[dict]:
    with (ROOT / "pyproject.toml").open("rb") as toml:
        return tomllib.load(toml)["tool"]["importlinter"]["contracts"]


def parts() -> list[str]:
    """The parts the contracts speak of: each layer, the parts left out of the layers, and
    the other packages of the repository."""
    found = []
    for contract in contracts():
        if contract["type"] == "layers":
            for container in contract["containers"]:
                names = [n for layer in contract["layers"] for n in re.split(r"[|:]", layer)]
                names += [n for n in contract.get("exhaustive_ignores", []) if n != "__main__"]
                found += [f"{container}.{n.strip()}" for n in names]
    return found + [p for p in PACKAGES if p != "ivr_app"]


def within(name: str, modules: list[str]) -> bool:
    return any(name == m or name.startswith(f"{m}.") for m in modules)


def allowed_imports(part: str) -> set[str]:
    """The other parts `part` may import, as the import-linter contracts have it."""
    refused = set()
    for contract in contracts():
        if contract["type"] == "forbidden" and within(part, contract["source_modules"]):
            refused |= {p for p in parts() if within(p, contract["forbidden_modules"])}
        elif contract["type"] == "layers":
            for container in contract["containers"]:
                layers = [[f"{container}.{n.strip()}" for n in re.split(r"[|:]", layer)]
                          for layer in contract["layers"]]
                for level, layer in enumerate(layers):
                    if part in layer:  # not above it, nor beside it unless joined by ':'
                        refused |= {p for upper in layers[:level] for p in upper}
                        if "|" in contract["layers"][level]:
                            refused |= set(layer)
    return set(parts()) - refused - {part}


def stated_imports(package: Path) -> set[str] | None:
    """What a package's docstring says it may import: its `May import:` sentence."""
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    rule = re.search(r"^May import: ((?:[^.;:]|\.\w)*)", doc or "", re.M)  # to . ; or :
    if rule is None:
        return None
    return set(re.findall(r"ivr_app\.\w+|\bspeech\b|\bworkers\b", rule.group(1)))


def test_ivr_app_keeps_few_modules_at_its_top():
    top = sorted(p.name for p in (ROOT / "ivr_app").glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


@pytest.mark.parametrize("part", [p for p in parts() if (ROOT / p.replace(".", "/")).is_dir()])
def test_every_part_says_what_it_may_import_as_its_contracts_enforce(part):
    stated = stated_imports(ROOT / part.replace(".", "/"))
    assert stated is not None, f"{part}: say what it is for, and what it may import in a line " \
                               "that starts 'May import:'"
    assert stated == allowed_imports(part), f"{part}: its docstring and pyproject.toml disagree"


def test_the_contracts_read_as_the_map_draws_them():
    assert allowed_imports("ivr_app.flow") == {"ivr_app.platform", "speech"}
    assert "ivr_app.state" not in allowed_imports("ivr_app.flow")  # beside it, not below
    assert "ivr_app.line" not in allowed_imports("ivr_app.call")  # above it
    assert "ivr_app.demo" in allowed_imports("ivr_app.console")  # Try a call
    assert allowed_imports("speech") == set()


def test_no_file_is_longer_than_a_newcomer_reads_at_once():
    long = {str(path.relative_to(ROOT)): n
            for folder, cap in MAX_LINES.items()
            for path in (ROOT / folder).rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > cap}
    assert long == {}


def test_benchmarks_stand_on_the_product_and_the_shared_rigs_not_on_the_tests():
    """bench/ may start the rigs of tests/support (servers, workers, clips), never a test."""
    for path in (ROOT / "bench").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
        tests = {m for m in imported if m == "tests" or m.startswith("tests.")}
        assert all(m.startswith("tests.support.") for m in tests), (path, tests)


def test_the_product_never_imports_the_tests():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
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
