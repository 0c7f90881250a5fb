"""Checking what a flow says: languages, prompts, phrases, messages and escape words."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from ivr_app.flow import builtins, checker, model, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import Wording, words


def language_code(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in check.languages:
        check.error(path, _undeclared(text), "unknown-language")
        return None
    return text


def languages(check: Checker, value: Any, path: Path_) -> dict[str, model.Voice] | None:
    if not check.expect(value, dict, path, "'languages'"):
        return None
    if not value:
        check.error(path, words("'languages' must declare at least one language",
                                "'languages' debe declarar al menos un idioma"), "required")
    for code, voice in value.items():
        checked = check.fields(voice, (*path, code), spec.LANGUAGE_FIELDS,
                               words("language {code!r}", "idioma {code!r}", code=code))
        if checked and None not in checked.values() and len(checked) == 2:
            check.languages[code] = model.Voice(**checked)
    return check.languages


def escape_words(check: Checker, value: Any, path: Path_) -> dict | None:
    if not check.expect(value, dict, path, "'escape_words'"):
        return None
    supervisor_words = [w for ws in builtins.SUPERVISOR_WORDS.values() for w in ws]
    for lang, given in value.items():
        checked = checker.word_list(check, given, (*path, lang))
        for i, word in enumerate(checked or ()):
            taken = [w for w in supervisor_words if builtins.contains_phrase(word, w)]
            if taken:
                check.error((*path, lang, i), words(
                    "escape word {word!r} contains {taken!r}, which takes callers to the "
                    "supervisors", "la palabra de salida {word!r} contiene {taken!r}, que lleva "
                    "a los supervisores", word=word, taken=taken[0]), "escape")
        if check_language_key(check, lang, path) and checked:
            check.escape_words[lang] = check.escape_words.get(lang, ()) + checked
    return check.escape_words


def check_language_key(check: Checker, lang: str, path: Path_) -> bool:
    if lang not in check.languages:
        check.error((*path, lang), _undeclared(lang), "unknown-language", key=True)
        return False
    return True


def messages(check: Checker, value: Any, path: Path_) -> dict | None:
    if not check.expect(value, dict, path, "'messages'"):
        return None
    table = {k: ("text", False) for k in builtins.MESSAGE_KEYS}
    result = {}
    for lang, texts in value.items():
        if check_language_key(check, lang, path):
            checked = check.fields(texts, (*path, lang), table, f"messages.{lang}")
            result[lang] = {k: v for k, v in (checked or {}).items() if v}
            for key, text in result[lang].items():
                check_placeholders(check, key, text, (*path, lang, key))
    return result


def check_placeholders(check: Checker, key: str, text: str, path: Path_) -> None:
    """A message may only use the {placeholders} it is given when said."""
    allowed = builtins.MESSAGE_FIELDS[key]
    names = ", ".join(f"{{{f}}}" for f in sorted(allowed))
    takes = words("it takes {names}", "admite {names}", names=names) if names else \
        words("it takes no placeholders", "no admite marcadores")
    try:
        fields = [(f, s, c) for _, f, s, c in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        check.error(path, words("message {key!r}: {why}; write braces as {{{{ and }}}}",
                                "mensaje {key!r}: {why}; escriba las llaves como {{{{ y }}}}",
                                key=key, why=exc), "placeholder")
        return
    for name, format_spec, conversion in fields:
        if format_spec or conversion or not name.isidentifier():
            written = checker.placeholder_written(name, format_spec, conversion)
            check.error(path, words(
                "message {key!r}: placeholder {{{written}}} is not a plain name; write it as "
                "{{name}}", "mensaje {key!r}: el marcador {{{written}}} no es un nombre simple; "
                "escríbalo como {{nombre}}", key=key, written=written), "placeholder")
    used = {name for name, _, _ in fields}
    for name in sorted(used - allowed):
        check.error(path, words("message {key!r}: unknown placeholder {{{name}}}; {takes}",
                                "mensaje {key!r}: marcador desconocido {{{name}}}; {takes}",
                                key=key, name=name, takes=takes), "placeholder")


def prompt(check: Checker, value: Any, path: Path_) -> model.Prompt | None:
    if not check.expect(value, dict, path, words("a prompt", "un mensaje")):
        return None
    prompt: model.Prompt = {}
    for lang, said in value.items():
        if not check_language_key(check, lang, path):
            continue
        if isinstance(said, dict):
            checked = check.fields(said, (*path, lang), {"play": ("url", True)},
                                   f"prompt.{lang}")
            if checked and checked.get("play"):
                prompt[lang] = model.Utterance(play=checked["play"])
        else:
            text = checker.text(check, said, (*path, lang))
            if text:
                prompt[lang] = model.Utterance(text=text)
    for lang in check.languages:
        if lang not in value:
            check.error(path, words("prompt has no {lang!r} translation",
                                    "el mensaje no tiene traducción {lang!r}", lang=lang),
                        "translation")
    return prompt


def phrases(check: Checker, value: Any, path: Path_) -> dict[str, tuple[str, ...]] | None:
    if not check.expect(value, dict, path, "'say'"):
        return None
    phrases = {}
    for lang, given in value.items():
        checked = checker.word_list(check, given, (*path, lang))
        if check_language_key(check, lang, path) and checked is not None:
            phrases[lang] = checked
    for lang in check.languages:
        if lang not in value:
            check.error(path, words("'say' has no {lang!r} phrases",
                                    "'say' no tiene frases en {lang!r}", lang=lang),
                        "translation")
    return phrases


def queue_names(check: Checker, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
    """Queue names as agents hear them, per language: {queue: {lang: name}}; a language
    left out says the queue's own name."""
    return _names_per_language(check, value, path, checker.name,
                               lambda key: words("queue {key!r}", "fila {key!r}", key=key))


def reason_names(check: Checker, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
    """The flow's reasons as agents read them, per language: {reason: {lang: words}}; a
    language left out shows the reason as written."""
    return _names_per_language(check, value, path, checker.text,
                               lambda key: words("reason {key!r}", "motivo {key!r}", key=key))


def _names_per_language(check: Checker, value: Any, path: Path_, key_kind: Kind,
                        what: Callable[[str], Wording]) -> dict[str, dict[str, str]] | None:
    if not check.expect(value, dict, path, f"{path[-1]!r}"):
        return None
    names: dict[str, dict[str, str]] = {}
    for key, said in value.items():
        if key_kind(check, key, (*path, key)) is None or not check.expect(
                said, dict, (*path, key), what(key)):
            continue
        names[key] = {}
        for lang, text in said.items():
            checked = checker.text(check, text, (*path, key, lang))
            if check_language_key(check, lang, (*path, key)) and checked:
                names[key][lang] = checked
    return names


def texts(check: Checker, value: Any, path: Path_) -> dict[str, str] | None:
    if not check.expect(value, dict, path, f"{path[-1]!r}"):
        return None
    texts = {}
    for lang, text in value.items():
        if not check_language_key(check, lang, path):
            continue
        if said := checker.text(check, text, (*path, lang)):
            texts[lang] = said
    for lang in check.languages:
        if lang not in value:
            check.error(path, words("{field!r} has no {lang!r} translation",
                                    "{field!r} no tiene traducción {lang!r}", field=path[-1],
                                    lang=lang), "translation")
    return texts


def speech_bands(check: Checker, value: Any, path: Path_) -> dict[str, model.Bands] | None:
    """Per language, how sure a spoken answer must be to be acted on (`accept`) or read
    back for a yes (`confirm`): shares from 0 to 1, confirm no higher than accept."""
    if not check.expect(value, dict, path, "'speech_bands'"):
        return None
    bands = {}
    for lang, given in value.items():
        checked = check.fields(given, (*path, lang), spec.BAND_FIELDS, words(
            "speech bands {lang!r}", "bandas de voz {lang!r}", lang=lang))
        if not check_language_key(check, lang, path) or not checked or len(checked) != 2:
            continue
        if None in checked.values():
            continue
        if checked["confirm"] > checked["accept"]:
            check.error((*path, lang, "confirm"), words(
                "confirm {confirm:g} is above accept {accept:g}: an answer sure enough to act "
                "on would be read back", "confirm {confirm:g} es mayor que accept {accept:g}: "
                "una respuesta lo bastante segura para actuar se leería de vuelta",
                confirm=checked["confirm"], accept=checked["accept"]), "speech-bands")
            continue
        bands[lang] = model.Bands(**checked)
    return bands


def share(check: Checker, value: Any, path: Path_) -> float | None:
    """A number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        check.error(path, words("{field!r} must be a number from 0 to 1",
                                "{field!r} debe ser un número de 0 a 1", field=path[-1]),
                    "type")
        return None
    if not 0 <= value <= 1:
        check.error(path, words("{field!r} must be from 0 to 1, not {value:g}",
                                "{field!r} debe estar entre 0 y 1, no {value:g}",
                                field=path[-1], value=value), "speech-bands")
        return None
    return float(value)


def _undeclared(lang: str) -> Wording:
    return words("language {lang!r} is not declared under 'languages'",
                 "el idioma {lang!r} no está declarado en 'languages'", lang=lang)


KINDS: dict[str, Kind] = {
    "language_code": language_code, "languages": languages, "escape_words": escape_words,
    "messages": messages, "prompt": prompt, "phrases": phrases, "queue_names": queue_names,
    "reason_names": reason_names,
    "texts": texts, "speech_bands": speech_bands, "share": share,
}
