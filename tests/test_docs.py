"""The docs name only what exists: a map that drifts from the code is worse than none.

Every file path, every dotted Python name and every relative link written in the Markdown
docs and in the product's docstrings is looked up here. Nothing is listed by hand: the names
are read from the texts, the answers from the tree and the code's syntax trees.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("ivr_app", "speech", "workers")
CODE_ROOTS = (*PRODUCT, "bench", "tests")
# A file named alone (no folder) is checked when it is one of these: other names in the
# docs are examples a reader supplies (`wav: answer.wav`) or files the line writes at run time.
CHECKED_SUFFIXES = (".py", ".md")
FILE_SUFFIX = re.compile(r"\.(py|md|yaml|yml|toml|txt|tsv|html|js|css|png|wav|json|conf|log)$")
PATH_TOKEN = re.compile(r"[\w.\-/<>*]*[\w/]")
DOTTED = re.compile(r"(?<![\w./-])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?![\w/-])")
ROOTED = re.compile(r"(?<![\w./-])(?:ivr_app|speech|workers|bench)\.[\w.]*\w")
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "flows" / "README.md",
             ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [path for path in found if path.exists()]


def docstrings() -> list[tuple[Path, str]]:
    """(file, docstring) for every module, class and function of the product."""
    out = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                              | ast.AsyncFunctionDef) and (doc := ast.get_docstring(node)):
                    out.append((path, doc))
    return out


def sources() -> list[tuple[Path, str, str]]:
    """(file, all its text, the parts that are code) for every doc and docstring checked."""
    out = []
    for path in markdown_files():
        text = path.read_text(encoding="utf-8")
        out.append((path, text, "\n".join(CODE.findall(text))))
    # In a docstring, code is in backticks; a bare dotted name is checked when it starts
    # with a package of the repository (the example code there names local variables).
    out += [(path, doc, "\n".join(CODE.findall(doc) + ROOTED.findall(doc)))
            for path, doc in docstrings()]
    return out


# ---- file paths


def bases(path: Path) -> list[Path]:
    """Where a path written in `path` may start: the repository, ivr_app, the file's folders."""
    found = [ROOT, ROOT / "ivr_app"]
    folder = path.parent
    while folder != ROOT and ROOT in folder.parents:
        found.append(folder)
        folder = folder.parent
    return found


def path_claims(text: str) -> set[str]:
    """Relative paths the text names: ones under a folder, and Python or Markdown files."""
    claims = set()
    for token in PATH_TOKEN.findall(text):
        token = re.sub(r"(:\d+)+$", "", token).rstrip(".")  # flows/main.yaml:52:18
        if not token or token.startswith("/") or re.search(r"[<>*]|\.\.|//", token):
            continue  # a route, a pattern, a placeholder or a URL's remainder
        if "/" in token or token.endswith(CHECKED_SUFFIXES):
            claims.add(token)
    return claims


@cache
def kept_out() -> set[str]:
    """The folders .gitignore keeps out of the repository (`var`, `models`, ...): what the
    running line makes there is not a file of the repository, made yet or not."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().strip("/") for line in lines if line.strip()[:1] not in ("", "#")}


def missing_path(token: str, written_in: Path) -> bool:
    """A path is looked up from where its first part exists; a file named alone, anywhere in
    the code. A first part that exists nowhere (`and/or`) or that the repository keeps out
    (`var/models`, made at run time) is not a path of this repository."""
    if "/" not in token:
        return not any((base / token).exists() for base in bases(written_in)) and not any(
            next((ROOT / root).rglob(token), None) for root in CODE_ROOTS)
    first = token.split("/")[0]
    if first in kept_out():
        return False
    starts = [base for base in bases(written_in) if (base / first).exists()]
    return bool(starts) and not any((base / token).exists() for base in starts)


# ---- dotted names


@cache
def module_files() -> dict[str, Path]:
    """Every module of the repository by dotted name (packages by their __init__)."""
    paths = [ROOT / "wsgi.py", *(p for root in CODE_ROOTS for p in (ROOT / root).rglob("*.py"))]
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(paths)}


@cache
def defined(module: str) -> dict[str, ast.AST]:
    """What a module defines at its top: functions, classes and assigned names."""
    tree = ast.parse(module_files()[module].read_text(encoding="utf-8"))
    return {name: node for node in tree.body for name in _names(node)}


def _names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def members(cls: ast.ClassDef) -> set[str]:
    """A class's methods, class attributes and the attributes its methods set on self."""
    found = {name for node in cls.body for name in _names(node)}
    for node in ast.walk(cls):
        if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name) and node.value.id == "self"):
            found.add(node.attr)
    return found


def resolves(module: str, rest: list[str]) -> bool:
    """`module` then attributes `rest`: submodules first, then what the code defines."""
    while rest and f"{module}.{rest[0]}" in module_files():
        module, rest = f"{module}.{rest[0]}", rest[1:]
    if not rest:
        return True
    node = defined(module).get(rest[0])
    if node is None:
        return False
    if len(rest) == 1:
        return True
    return isinstance(node, ast.ClassDef) and len(rest) == 2 and rest[1] in members(node)


def starts_of(first: str) -> list[tuple[str, list[str]]]:
    """(module, attributes) a dotted name's first part may mean: a module by its full name,
    within ivr_app or by its last part (`call.voice`, `spec`), or a class by its name."""
    modules = module_files()
    found = [(name, []) for name in (first, f"ivr_app.{first}") if name in modules]
    found += [(name, []) for name in modules
              if name.rsplit(".", 1)[-1] == first and name.split(".")[0] in PRODUCT]
    found += [(name, [first]) for name in modules
              if name.split(".")[0] in PRODUCT and isinstance(defined(name).get(first),
                                                               ast.ClassDef)]
    return found


@cache
def string_constants(folder: str) -> set[str]:
    """Every string literal of the code under `folder`."""
    return {node.value for path in (ROOT / folder).rglob("*.py")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def dotted_claims(code: str) -> set[str]:
    return {name for name in DOTTED.findall(code) if not FILE_SUFFIX.search(name)}


def missing_name(name: str) -> bool:
    first, *rest = name.split(".")
    starts = starts_of(first)
    if not starts:
        return False  # not a name of this code: `e.g`, `request.form`
    if any(resolves(module, [*attrs, *rest]) for module, attrs in starts):
        return False
    if name in string_constants("ivr_app"):
        return False  # a logger's name: `ivr_app.access`
    # A field of the flow language (`callbacks.max_hold`): each key is named by its schema.
    return not set(name.split(".")) <= string_constants("ivr_app/flow")


# ---- links


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"`|\*\*?", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def broken_link(target: str, written_in: Path) -> str | None:
    if re.match(r"[a-z]+:", target):
        return None  # https:, mailto:
    file, _, anchor = target.partition("#")
    path = (written_in.parent / file).resolve() if file else written_in
    if not path.exists():
        return f"{target}: no such file"
    if anchor and path.suffix == ".md" and anchor not in anchors(path):
        return f"{target}: no heading '{anchor}' in {path.relative_to(ROOT)}"
    return None


# ---- the tests


def where(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_path_the_docs_name_exists():
    missing = sorted({f"{where(path)}: {token}" for path, text, _ in sources()
                      for token in path_claims(text) if missing_path(token, path)})
    assert missing == []


def test_every_dotted_name_the_docs_use_exists():
    missing = sorted({f"{where(path)}: {name}" for path, _, code in sources()
                      for name in dotted_claims(code) if missing_name(name)})
    assert missing == []


def test_every_relative_link_and_anchor_resolves():
    broken = sorted({f"{where(path)}: {error}" for path in markdown_files()
                     for target in LINK.findall(CODE.sub("", path.read_text(encoding="utf-8")))
                     if (error := broken_link(target, path))})
    assert broken == []


def test_every_whole_flow_the_docs_show_loads():
    """A YAML example with `start:` and `nodes:` is a whole flow: the loader must take it."""
    flows = [(path, block) for path in markdown_files()
             for block in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
             if re.search(r"^start:", block, re.M) and re.search(r"^nodes:", block, re.M)]
    assert len(flows) >= 2  # the README's and the flow manual's
    for path, block in flows:
        validate(parse(block, where(path)), "example")  # raises FlowError with every problem


@pytest.mark.parametrize("wrong, why", [
    ("`ivr_app/call/voise.py`", "a misspelt file"),
    ("`console/measures.py`", "a file that moved"),
    ("see ivr_app/state/nothing.py", "a path outside code marks"),
    ("`call.voice.human_on_eror`", "a misspelt function"),
    ("`call.voice.human_on_error`", "a function placed in the wrong module"),
    ("`CallStore.no_such_method`", "a method that does not exist"),
    ("`ivr_app.line.wait.estimate`", "a name defined nowhere"),
    ("[the wait](ivr_app/line/waits.py)", "a link to a missing file"),
    ("[speech](#no-such-heading)", "an anchor to a missing heading"),
])
def test_a_wrong_reference_is_caught(wrong, why):
    doc = ROOT / "docs" / "speech.md"  # read as if it were written there
    found = ({t for t in path_claims(wrong) if missing_path(t, doc)}
             | {n for n in dotted_claims("\n".join(CODE.findall(wrong)))
                if missing_name(n)}
             | {t for t in LINK.findall(wrong) if broken_link(t, doc)})
    assert found, why


def test_right_references_pass():
    doc = ROOT / "docs" / "speech.md"
    right = ("`ivr_app/state/calls.py`, `state/calls.py`, `state/`, `speech/fetch.py`, `wsgi.py`,"
             " `state.calls.CALL_TTL`, `ivr_app.state.calls`, `CallStore.commit`,"
             " `ivr_app.state.calls.CallStore.ttl`, `flows/main.yaml:52:18`, `callbacks.max_hold`,"
             " `ivr_app.access`, `wav: answer.wav`, `var/models/es`, `/voice/step`, and/or,"
             " [models](#models), [the plan](capacity.md#one-redis-primary)")
    assert {t for t in path_claims(right) if missing_path(t, doc)} == set()
    assert {n for n in dotted_claims(right) if missing_name(n)} == set()
    assert {t for t in LINK.findall(right) if broken_link(t, doc)} == set()


def test_the_readme_is_a_front_door_a_newcomer_reads_at_once():
    """The set-up commands and one call at most 150 lines in: the rest lives in docs/."""
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150
