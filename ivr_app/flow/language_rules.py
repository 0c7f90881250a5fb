"""Checking what a flow says: languages, prompts, phrases, messages and escape words."""

from __future__ import annotations

import string
from typing import Any

from ivr_app.flow import builtins, model, spec
from ivr_app.flow.hours_rules import HoursChecker
from ivr_app.flow.source import Path_, Source


class LanguageChecker(HoursChecker):
    """Adds the kinds that depend on the declared languages (checked first)."""

    def __init__(self, source: Source):
        super().__init__(source)
        self.languages: dict[str, model.Voice] = {}
        self.escape_words: dict[str, tuple[str, ...]] = dict(builtins.ESCAPE_WORDS)

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
            fields = [(f, s, c) for _, f, s, c in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            self.error(path, f"message {key!r}: {exc}; write braces as {{{{ and }}}}",
                       "placeholder")
            return
        for name, format_spec, conversion in fields:
            if format_spec or conversion or not name.isidentifier():
                written = name + (f"!{conversion}" if conversion else "") + \
                    (f":{format_spec}" if format_spec else "")
                self.error(path, f"message {key!r}: placeholder {{{written}}} is not a plain "
                           "name; write it as {name}", "placeholder")
        used = {name for name, _, _ in fields}
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

    def k_queue_names(self, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
        """Queue names as agents hear them, per language: {queue: {lang: name}}; a language
        left out says the queue's own name."""
        return self._names_per_language(value, path, "queue", self.k_name)

    def k_reason_names(self, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
        """The flow's reasons as agents read them, per language: {reason: {lang: words}};
        a language left out shows the reason as written."""
        return self._names_per_language(value, path, "reason", self.k_text)

    def _names_per_language(self, value: Any, path: Path_, what: str,
                            check_key: Any) -> dict[str, dict[str, str]] | None:
        if not self.expect(value, dict, path, f"{path[-1]!r}"):
            return None
        names: dict[str, dict[str, str]] = {}
        for key, said in value.items():
            if check_key(key, (*path, key)) is None or not self.expect(
                    said, dict, (*path, key), f"{what} {key!r}"):
                continue
            names[key] = {}
            for lang, text in said.items():
                checked = self.k_text(text, (*path, key, lang))
                if self.check_language_key(lang, (*path, key)) and checked:
                    names[key][lang] = checked
        return names

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

