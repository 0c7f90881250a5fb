"""Checking what a caller picks among at a question: keys, and the phrases said for them."""

from __future__ import annotations

from typing import Any

from ivr_app.flow import builtins, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words


def key(check: Checker, value: Any, path: Path_) -> str | None:
    said = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if said == "0":
        check.error(path, words("key 0 is reserved: it always takes the caller to a person",
                                "la tecla 0 está reservada: siempre lleva a una persona"),
                    "escape")
        return None
    if said not in spec.KEYS:
        check.error(path, words("key must be one of {keys}, not {value!r}",
                                "la tecla debe ser una de {keys}, no {value!r}",
                                keys=" ".join(spec.KEYS), value=value), "type")
        return None
    return said


def distinct_keys(check: Checker, items: list[dict | None], path: Path_) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        pressed = (item or {}).get("key")
        if pressed in seen:
            line, _ = check.source.where((*path, seen[pressed], "key"))
            check.error((*path, i, "key"), words(
                "key {key!r} is already used on line {line}",
                "la tecla {key!r} ya se usa en la línea {line}", key=pressed, line=line),
                "duplicate-key")
        elif pressed:
            seen[pressed] = i


def no_escape_phrases(check: Checker,
                      groups: list[tuple[dict[str, tuple[str, ...]], Path_]]) -> None:
    """Refuse phrases an escape word would also match, and phrases used twice."""
    owners: dict[tuple[str, str], Path_] = {}
    escape_words = [w for said in check.escape_words.values() for w in said]
    for phrases, path in groups:
        for lang, said in phrases.items():
            for i, phrase in enumerate(said):
                where = (*path, lang, i)
                escape = [w for w in escape_words if builtins.contains_phrase(phrase, w)]
                if escape:
                    check.error(where, words(
                        "phrase {phrase!r} contains the escape word {word!r}, which always "
                        "reaches a person", "la frase {phrase!r} contiene la palabra de salida "
                        "{word!r}, que siempre lleva a una persona", phrase=phrase,
                        word=escape[0]), "escape")
                norm = (lang, builtins.normalize(phrase))
                if norm in owners and owners[norm][:-2] != path:
                    line, _ = check.source.where(owners[norm])
                    check.error(where, words("phrase {phrase!r} is also used on line {line}",
                                             "la frase {phrase!r} también se usa en la línea "
                                             "{line}", phrase=phrase, line=line),
                                "duplicate-phrase")
                owners.setdefault(norm, where)


KINDS: dict[str, Kind] = {"key": key}
