"""Check a parsed flow against the spec and the escape-hatch rules; build a Flow.

Every problem is collected with its line and column, so a supervisor fixes a
file in one pass. The runtime only ever sees flows that got through here.
"""

from __future__ import annotations

import difflib
import hashlib
import string
from pathlib import Path
from typing import Any

import phonenumbers

from . import builtins, model, spec
from .checker import NAME
from .errors import FlowError
from .graph_rules import check_graph
from .hours_rules import HoursChecker
from .source import Path_, Source, read_file


def load_flow(path: str | Path) -> model.Flow:
    """Read, check and build the flow in `path`; raise FlowError listing every problem."""
    return validate(read_file(path), Path(path).stem)


def validate(source: Source, name: str) -> model.Flow:
    """Check a parsed source and build its Flow; raise FlowError listing every problem."""
    checker = _Checker(source)
    flow = checker.build(name)
    if checker.problems or flow is None:
        raise FlowError(checker.problems)
    return flow


class _Checker(HoursChecker):
    """Checks a whole flow: languages first, then everything that depends on them."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.languages: dict[str, model.Voice] = {}
        self.escape_words: dict[str, tuple[str, ...]] = dict(builtins.ESCAPE_WORDS)
        self.refs: list[tuple[str, Path_]] = []

    def build(self, name: str) -> model.Flow | None:
        data = self.source.data
        if not self.expect(data, dict, (), "a flow file"):
            return None
        order = ["languages", "escape_words", "messages", "hours", "callbacks"]
        ordered = {k: data[k] for k in order if k in data} | data
        top = self.fields(ordered, (), spec.TOP_FIELDS, "flow")
        if top is None:
            return None
        nodes = top.get("nodes") or {}
        raw_nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
        for target, path in self.refs:
            if target not in raw_nodes:
                hint = difflib.get_close_matches(target, list(raw_nodes), n=1)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
                self.error(path, f"goto target {target!r} is not a node{did_you_mean}",
                           "unknown-target")
        for path, message, rule in check_graph(data.get("start"), raw_nodes):
            self.error(path, message, rule, key=True)
        human = top.get("human")
        messages = self.messages(top.get("messages") or {})
        if self.problems or not human or not self.languages:
            return None
        start = top["start"]
        return model.Flow(
            name=name,
            version=hashlib.sha256(self.source.text.encode()).hexdigest()[:12],
            languages=self.languages,
            human=human,
            start=start,
            nodes=nodes,
            messages=messages,
            escape_words=self.escape_words,
            hours=top.get("hours") or {},
            callbacks=top.get("callbacks") or model.CallbackSettings(),
            retries=top.get("retries", spec.LIMITS["retries"][2]),
            timeout=top.get("timeout", spec.LIMITS["timeout"][2]),
            max_options=top.get("max_options", spec.LIMITS["max_options"][2]),
        )

    def messages(self, given: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        result = {}
        for lang in self.languages:
            merged = {**builtins.MESSAGES.get(lang, {}), **given.get(lang, {})}
            missing = [k for k in builtins.MESSAGE_KEYS if k not in merged]
            if missing:
                self.error(("languages", lang), f"language {lang!r} has no built-in messages; "
                           f"add messages.{lang} with {', '.join(missing)}", "translation",
                           key=True)
            result[lang] = merged
        return result

    def k_node_ref(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None:
            self.refs.append((text, path))
        return text

    def k_language_code(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and text not in self.languages:
            self.error(path, f"language {text!r} is not declared under 'languages'",
                       "unknown-language")
            return None
        return text

    def k_languages(self, value: Any, path: Path_) -> dict[str, model.Voice] | None:
        if not self.expect(value, dict, path, "'languages'"):
            return None
        if not value:
            self.error(path, "'languages' must declare at least one language", "required")
        for code, voice in value.items():
            checked = self.fields(voice, (*path, code), spec.LANGUAGE_FIELDS,
                                  f"language {code!r}")
            if checked and None not in checked.values() and len(checked) == 2:
                self.languages[code] = model.Voice(**checked)
        return self.languages

    def k_escape_words(self, value: Any, path: Path_) -> dict | None:
        if not self.expect(value, dict, path, "'escape_words'"):
            return None
        supervisor_words = [w for ws in builtins.SUPERVISOR_WORDS.values() for w in ws]
        for lang, words in value.items():
            checked = self.k_word_list(words, (*path, lang))
            for i, word in enumerate(checked or ()):
                taken = [w for w in supervisor_words if builtins.contains_phrase(word, w)]
                if taken:
                    self.error((*path, lang, i), f"escape word {word!r} contains {taken[0]!r}, "
                               "which takes callers to the supervisors", "escape")
            if self.check_language_key(lang, path) and checked:
                self.escape_words[lang] = self.escape_words.get(lang, ()) + checked
        return self.escape_words

    def check_language_key(self, lang: str, path: Path_) -> bool:
        if lang not in self.languages:
            self.error((*path, lang), f"language {lang!r} is not declared under 'languages'",
                       "unknown-language", key=True)
            return False
        return True

    def k_messages(self, value: Any, path: Path_) -> dict | None:
        if not self.expect(value, dict, path, "'messages'"):
            return None
        table = {k: ("text", False) for k in builtins.MESSAGE_KEYS}
        result = {}
        for lang, texts in value.items():
            if self.check_language_key(lang, path):
                checked = self.fields(texts, (*path, lang), table, f"messages.{lang}")
                result[lang] = {k: v for k, v in (checked or {}).items() if v}
                for key, text in result[lang].items():
                    self.check_placeholders(key, text, (*path, lang, key))
        return result

    def check_placeholders(self, key: str, text: str, path: Path_) -> None:
        """A message may only use the {placeholders} it is given when said."""
        allowed = builtins.MESSAGE_FIELDS[key]
        expected = ", ".join(f"{{{f}}}" for f in sorted(allowed)) or "no placeholders"
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            self.error(path, f"message {key!r}: {exc}; write braces as {{{{ and }}}}",
                       "placeholder")
            return
        for name in sorted(used - allowed):
            self.error(path, f"message {key!r}: unknown placeholder {{{name}}}; it takes "
                       f"{expected}", "placeholder")

    def k_prompt(self, value: Any, path: Path_) -> model.Prompt | None:
        if not self.expect(value, dict, path, "a prompt"):
            return None
        prompt: model.Prompt = {}
        for lang, said in value.items():
            if not self.check_language_key(lang, path):
                continue
            if isinstance(said, dict):
                checked = self.fields(said, (*path, lang), {"play": ("url", True)},
                                      f"prompt.{lang}")
                if checked and checked.get("play"):
                    prompt[lang] = model.Utterance(play=checked["play"])
            else:
                text = self.k_text(said, (*path, lang))
                if text:
                    prompt[lang] = model.Utterance(text=text)
        for lang in self.languages:
            if lang not in value:
                self.error(path, f"prompt has no {lang!r} translation", "translation")
        return prompt

    def k_phrases(self, value: Any, path: Path_) -> dict[str, tuple[str, ...]] | None:
        if not self.expect(value, dict, path, "'say'"):
            return None
        phrases = {}
        for lang, words in value.items():
            checked = self.k_word_list(words, (*path, lang))
            if self.check_language_key(lang, path) and checked is not None:
                phrases[lang] = checked
        for lang in self.languages:
            if lang not in value:
                self.error(path, f"'say' has no {lang!r} phrases", "translation")
        return phrases

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

    def k_callbacks(self, value: Any, path: Path_) -> model.CallbackSettings | None:
        checked = self.fields(value, path, spec.CALLBACK_FIELDS, "'callbacks'")
        if checked is None or None in checked.values():
            return None
        if "countries" in checked:
            checked["countries"] = tuple(checked["countries"])
        return model.CallbackSettings(**checked)

    def k_seconds(self, value: Any, path: Path_) -> int | None:
        number = self.k_int(value, path)
        if number is not None and not 0 <= number <= 7 * 24 * 3600:
            self.error(path, f"{path[-1]!r} must be seconds from 0 to one week, not {number}",
                       "range")
            return None
        return number

    def k_seconds_by_queue(self, value: Any, path: Path_) -> dict[str, int] | None:
        if not self.expect(value, dict, path, f"{path[-1]!r}"):
            return None
        result = {name: self.k_seconds(v, (*path, name)) for name, v in value.items()}
        return None if None in result.values() else result

    def k_country(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and text not in phonenumbers.SUPPORTED_REGIONS:
            self.error(path, f"{text!r} is not a two-letter country code like 'MX'", "type")
            return None
        return text

    def k_countries(self, value: Any, path: Path_) -> list[str] | None:
        if not self.expect(value, list, path, "'countries'"):
            return None
        found = [self.k_country(v, (*path, i)) for i, v in enumerate(value)]
        return None if None in found or not found else found

    def k_texts(self, value: Any, path: Path_) -> dict[str, str] | None:
        if not self.expect(value, dict, path, f"{path[-1]!r}"):
            return None
        texts = {}
        for lang, text in value.items():
            if self.check_language_key(lang, path) and (said := self.k_text(text, (*path, lang))):
                texts[lang] = said
        for lang in self.languages:
            if lang not in value:
                self.error(path, f"{path[-1]!r} has no {lang!r} translation", "translation")
        return texts

    def k_human(self, value: Any, path: Path_) -> model.Human | None:
        checked = self.fields(value, path, spec.HUMAN_FIELDS, "'human'")
        if not checked or None in checked.values() or "queue" not in checked:
            return None
        if checked.get("supervisor_key") == "1":
            self.error((*path, "supervisor_key"), "supervisor_key 1 is taken: while waiting, "
                       "1 asks for a callback; choose another key", "escape")
            return None
        return model.Human(**checked)

