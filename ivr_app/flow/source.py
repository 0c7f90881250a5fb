"""Read a flow file into plain data plus the line and column of every value.

PyYAML's own loaders forget where values came from and silently keep the last
of two duplicate keys, so we compose the node tree ourselves and build plain
Python values from it, refusing anything a supervisor would not mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ivr_app.flow.errors import FlowError, Problem, unforeseen
from ivr_app.flow.wording import Wording, words

MAX_BYTES = 256 * 1024
MAX_VALUES = 50_000  # stops alias bombs: "&a [*a, *a, ...]" nested a few levels
MAX_DEPTH = 40  # mappings and lists inside each other; a flow needs about 8

Path_ = tuple[str | int, ...]

_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp")
}


@dataclass
class Source:
    """A parsed flow file: its data and where each piece of it was written."""

    file: str
    text: str
    data: Any
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading; not fatal

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of a path, or of its nearest written parent."""
        marks = self.key_marks if key else self.value_marks
        for cut in range(len(path), -1, -1):
            prefix = path[:cut]
            if prefix in marks:
                return marks[prefix]
            if prefix in self.value_marks:
                return self.value_marks[prefix]
        return (1, 1)


def read_file(path: str | Path) -> Source:
    """Read and parse a flow file; raise FlowError with located problems."""
    return parse(read_text(path), str(path))


def read_text(path: str | Path) -> str:
    """A flow file's text, as `read_file` takes it, not yet parsed; FlowError if it cannot
    be read or is not within MAX_BYTES of UTF-8."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FlowError([Problem.worded(name, 1, 1, words(
            "cannot read file: {why}", "no se puede leer el archivo: {why}", why=exc.strerror),
            "file")]) from exc
    return decoded(raw, name)


def decoded(raw: bytes, name: str = "<flow>") -> str:
    """A flow file's bytes as text, if within MAX_BYTES and UTF-8; FlowError otherwise (the
    console checks an edit's bytes with it before they are written)."""
    if len(raw) > MAX_BYTES:
        raise FlowError([Problem.worded(name, 1, 1, words(
            "file is {size} bytes; the limit is {limit}",
            "el archivo tiene {size} bytes; el límite es {limit}", size=len(raw),
            limit=MAX_BYTES), "file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FlowError([Problem.worded(name, 1, 1, words(
            "file is not UTF-8 text ({why})", "el archivo no es texto UTF-8 ({why})",
            why=exc.reason), "file")]) from exc


def parse(text: str, name: str = "<flow>") -> Source:
    """Parse YAML text into a Source; raise FlowError if it is not YAML at all.

    Problems that still leave usable data (duplicate keys, odd tags) are kept in
    `Source.problems` so the validator can report them with everything else.
    """
    source = Source(name, text, None)
    loader = None
    try:
        try:
            _check_depth(text, name, _FAST_LOADER)
            loader = yaml.SafeLoader(text)
            root = loader.get_single_node()
        except (FlowError, yaml.YAMLError, UnicodeError):  # UnicodeError: a lone surrogate
            # Refused: again as PyYAML alone refuses it, so that the first problem it finds
            # is the one named, in its words.
            if loader is not None:
                loader.dispose()
            _check_depth(text, name, yaml.SafeLoader)
            loader = yaml.SafeLoader(text)
            root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FlowError([Problem.worded(name, line, col, _syntax(
            exc.problem or exc.context or "invalid YAML"), "yaml")]) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, by position
        before = text[:exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = words("character U+{code:04X} is not allowed in a flow file",
                        "el carácter U+{code:04X} no se admite en un archivo de flujo",
                        code=code)
        raise FlowError([Problem.worded(name, line, col, message, "yaml")]) from exc
    except yaml.YAMLError as exc:
        raise FlowError([Problem.worded(name, 1, 1, _syntax(exc), "yaml")]) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise FlowError([Problem.worded(name, 1, 1, words("file is empty",
                                                          "el archivo está vacío"), "yaml")])
    builder = _Builder(source, loader)
    try:
        source.data = builder.build(root, ())
    except Exception as exc:  # a bug in the builder: still a located refusal
        raise unforeseen(name, exc) from exc
    source.problems = builder.problems
    return source


def _syntax(detail: object) -> Wording:
    """PyYAML's own words, which only it has, after ours."""
    return words("YAML syntax: {detail}", "sintaxis YAML: {detail}", detail=detail)


def _tag_refused(node: yaml.Node) -> Wording:
    return words("tag {tag!r} is not allowed in a flow file",
                 "la etiqueta {tag!r} no se admite en un archivo de flujo", tag=node.tag)


# libyaml's parser (in PyYAML's wheels) counts the depth in a tenth of the time of PyYAML's
# own; built without it, PyYAML's counts alone.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_depth(text: str, name: str, loader: type) -> None:
    """Refuse deep nesting before composing: PyYAML composes nodes recursively, and a few
    hundred levels would end in RecursionError. Its parser is not recursive."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise FlowError([Problem.worded(name, mark.line + 1, mark.column + 1, words(
                    "values are nested more than {depth} levels deep",
                    "los valores están anidados a más de {depth} niveles", depth=MAX_DEPTH),
                    "yaml")])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


class _Builder:
    def __init__(self, source: Source, loader: yaml.SafeLoader):
        self.source = source
        self.loader = loader
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def problem(self, node: yaml.Node, message: Wording, rule: str = "yaml") -> None:
        mark = node.start_mark
        self.problems.append(Problem.worded(self.source.file, mark.line + 1, mark.column + 1,
                                            message, rule))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.count == MAX_VALUES + 1:
                self.problem(node, words(
                    "more than {n} values (aliases expanding too far?)",
                    "más de {n} valores (¿alias que se expanden demasiado?)", n=MAX_VALUES))
            return None
        self.source.value_marks.setdefault(path, (node.start_mark.line + 1,
                                                  node.start_mark.column + 1))
        if id(node) in self.active:
            self.problem(node, words("an alias refers to itself",
                                     "un alias se refiere a sí mismo"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.problem(node, _tag_refused(node))
                return None
            self.active.add(id(node))
            items = [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            self.active.discard(id(node))
            return items
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag not in _SAFE_SCALAR_TAGS:
            self.problem(node, _tag_refused(node))
            return None
        try:
            return self.loader.construct_object(node)
        except Exception as exc:  # "!!int two", "!!bool bye": PyYAML raises all sorts
            self.problem(node, words(
                "cannot read value {value!r} as {tag}: {why}",
                "no se puede leer el valor {value!r} como {tag}: {why}", value=node.value,
                tag=node.tag.rsplit(":", 1)[-1], why=getattr(exc, "problem", None) or exc))
            return None

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        if node.tag != "tag:yaml.org,2002:map":
            self.problem(node, _tag_refused(node))
            return {}
        self.active.add(id(node))
        result: dict = {}
        first_seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, words(
                    "merge keys ('<<') are not supported; write the fields out",
                    "las claves de combinación ('<<') no se admiten; escriba los campos"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, words(
                    "a key must be plain text, not a list or mapping",
                    "una clave debe ser texto simple, no una lista ni un mapa"))
                continue
            key = self._scalar(key_node)
            if isinstance(key, int | float) and not isinstance(key, bool):
                key = key_node.value  # "1:" as a key means the text "1"
            if not isinstance(key, str):
                self.problem(key_node, words("key {key!r} must be text (quote it)",
                                             "la clave {key!r} debe ser texto (entre comillas)",
                                             key=key_node.value))
                continue
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self.problem(key_node, words(
                    "duplicate key {key!r} (first defined on line {line})",
                    "clave repetida {key!r} (definida antes en la línea {line})", key=key,
                    line=line), "duplicate-key")
                continue
            first_seen[key] = key_node
            child = (*path, key)
            self.source.key_marks[child] = (key_node.start_mark.line + 1,
                                            key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        self.active.discard(id(node))
        return result
