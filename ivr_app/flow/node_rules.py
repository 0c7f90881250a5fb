"""Checking nodes: their fields by type, menu options, keys, phrases and conditions."""

from __future__ import annotations

import difflib
from typing import Any

from ivr_app.flow import builtins, model, spec
from ivr_app.flow.checker import NAME
from ivr_app.flow.returning_rules import ReturningChecker
from ivr_app.flow.source import Path_, Source


class NodeChecker(ReturningChecker):
    """Adds the node kinds; remembers every goto so unknown targets can be reported."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.refs: list[tuple[str, Path_]] = []

    def k_node_ref(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None:
            self.refs.append((text, path))
        return text

    def k_key(self, value: Any, path: Path_) -> str | None:
        key = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if key == "0":
            self.error(path, "key 0 is reserved: it always takes the caller to a person",
                       "escape")
            return None
        if key not in spec.KEYS:
            self.error(path, f"key must be one of {' '.join(spec.KEYS)}, not {value!r}", "type")
            return None
        return key

    def k_nodes(self, value: Any, path: Path_) -> dict[str, model.Node] | None:
        if not self.expect(value, dict, path, "'nodes'"):
            return None
        nodes = {}
        for node_id, item in value.items():
            node = self.node(node_id, item, (*path, node_id))
            if node is not None:
                nodes[node_id] = node
        return nodes

    def k_node_type(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and text not in spec.NODE_FIELDS:
            hint = difflib.get_close_matches(text, list(spec.NODE_FIELDS), n=1)
            did_you_mean = f"did you mean {hint[0]!r}? " if hint else ""
            self.error(path, f"unknown node type {text!r}; {did_you_mean}expected one of "
                       f"{', '.join(spec.NODE_FIELDS)}", "type")
            return None
        return text

    def node(self, node_id: str, value: Any, path: Path_) -> model.Node | None:
        before = len(self.problems)
        if not NAME.match(node_id):
            self.error(path, f"node id {node_id!r} is not a valid name", "type", key=True)
        if not self.expect(value, dict, path, f"node {node_id!r}"):
            return None
        if "type" not in value:
            self.error(path, f"node {node_id!r}: missing required field 'type'; expected one "
                       f"of {', '.join(spec.NODE_FIELDS)}", "required", key=True)
            return None
        node_type = self.k_node_type(value["type"], (*path, "type"))
        if node_type is None:
            return None
        table = spec.COMMON_NODE_FIELDS | spec.NODE_FIELDS[node_type]
        table.pop("type")
        checked = self.fields(value, path, table, f"node {node_id!r}", extra=("type",))
        builder = getattr(self, f"build_{node_type}", None)
        if checked is not None and builder is not None:
            checked = builder(checked, path)
        if checked is None or len(self.problems) > before:
            return None
        cls = {"language": model.LanguageNode, "menu": model.MenuNode,
               "collect": model.CollectNode, "branch": model.BranchNode, "say": model.SayNode,
               "transfer": model.TransferNode, "goodbye": model.GoodbyeNode}[node_type]
        return cls(id=node_id, type=node_type, **checked)

    def build_collect(self, checked: dict, path: Path_) -> dict | None:
        if checked.get("length") is None:
            return None
        checked["min_length"], checked["max_length"] = checked.pop("length")
        return checked

    def build_transfer(self, checked: dict, path: Path_) -> dict:
        if checked.get("queue") == "supervisor":
            self.need_supervisor((*path, "queue"))
        return checked

    def need_supervisor(self, path: Path_) -> None:
        human = self.source.data.get("human") if isinstance(self.source.data, dict) else None
        if not isinstance(human, dict) or "supervisor_queue" not in human:
            self.error(path, "queue 'supervisor' needs human.supervisor_queue", "required")

    def k_options(self, value: Any, path: Path_) -> tuple[model.Option, ...] | None:
        if not self.expect(value, list, path, "'options'"):
            return None
        limit = self.source.data.get("max_options", spec.LIMITS["max_options"][2])
        if isinstance(limit, int) and len(value) > limit:
            self.error(path, f"menu has {len(value)} options; the limit is {limit} "
                       "(set max_options, or split the menu)", "too-many-options")
        if not value:
            self.error(path, "a menu needs at least one option", "required")
        items = [self.fields(item, (*path, i), spec.OPTION_FIELDS, "option")
                 for i, item in enumerate(value)]
        self.distinct_keys(items, path)
        self.no_escape_phrases([(c.get("say") or {}, (*path, i, "say"))
                                for i, c in enumerate(items) if c])
        return tuple(model.Option(c["key"], c.get("say") or {}, c["goto"])
                     for c in items if c and c.get("key") and c.get("goto"))

    def k_choices(self, value: Any, path: Path_) -> tuple[model.LanguageChoice, ...] | None:
        if not self.expect(value, list, path, "'choices'"):
            return None
        items = [self.fields(item, (*path, i), spec.CHOICE_FIELDS, "choice")
                 for i, item in enumerate(value)]
        self.distinct_keys(items, path)
        self.no_escape_phrases([({c["language"]: c.get("say") or ()}, (*path, i, "say"))
                                for i, c in enumerate(items) if c and c.get("language")])
        return tuple(model.LanguageChoice(c["key"], c["language"], c.get("say") or ())
                     for c in items if c and c.get("key") and c.get("language"))

    def distinct_keys(self, items: list[dict | None], path: Path_) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            key = (item or {}).get("key")
            if key in seen:
                line, _ = self.source.where((*path, seen[key], "key"))
                self.error((*path, i, "key"), f"key {key!r} is already used on line {line}",
                           "duplicate-key")
            elif key:
                seen[key] = i

    def no_escape_phrases(self, groups: list[tuple[dict[str, tuple[str, ...]], Path_]]) -> None:
        """Refuse phrases an escape word would also match, and phrases used twice."""
        owners: dict[tuple[str, str], Path_] = {}
        for phrases, path in groups:
            for lang, words in phrases.items():
                for i, phrase in enumerate(words):
                    where = (*path, lang, i)
                    escape = [w for w in self.all_escape_words()
                              if builtins.contains_phrase(phrase, w)]
                    if escape:
                        self.error(where, f"phrase {phrase!r} contains the escape word "
                                   f"{escape[0]!r}, which always reaches a person", "escape")
                    norm = (lang, builtins.normalize(phrase))
                    if norm in owners and owners[norm][:-2] != path:
                        line, _ = self.source.where(owners[norm])
                        self.error(where, f"phrase {phrase!r} is also used on line {line}",
                                   "duplicate-phrase")
                    owners.setdefault(norm, where)

    def all_escape_words(self) -> list[str]:
        return [w for words in self.escape_words.values() for w in words]

    def k_cases(self, value: Any, path: Path_) -> tuple[model.Case, ...] | None:
        if not self.expect(value, list, path, "'cases'"):
            return None
        cases = []
        for i, item in enumerate(value):
            checked = self.fields(item, (*path, i), spec.CASE_FIELDS, "case")
            if checked and checked.get("when") and checked.get("goto"):
                cases.append(model.Case(checked["when"], checked["goto"]))
        return tuple(cases)

    def k_condition(self, value: Any, path: Path_) -> model.Condition | None:
        checked = self.fields(value, path, spec.CONDITION_FIELDS, "'when'")
        if checked is None or None in checked.values():
            return None
        tests = [k for k in ("equals", "in", "is_set") if k in checked]
        if "hours" in checked:
            if "var" in checked or tests:
                self.error(path, "'when' with 'hours' takes only 'open'", "condition")
                return None
            return model.Condition(hours=checked["hours"], open=checked.get("open", True))
        if "var" not in checked or len(tests) != 1 or "open" in checked:
            self.error(path, "'when' needs 'hours' (with optional 'open'), or 'var' with "
                       "exactly one of 'equals', 'in', 'is_set'", "condition")
            return None
        return model.Condition(var=checked["var"], equals=checked.get("equals"),
                               one_of=checked.get("in"), is_set=checked.get("is_set"))

