"""Checking a flow's `returning:` section: the question, the topics and how long to wait."""

from __future__ import annotations

import string
from typing import Any

from ivr_app.flow import checker, model, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.language_rules import texts
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words


def returning(check: Checker, value: Any, path: Path_) -> model.ReturningSettings | None:
    checked = check.fields(value, path, spec.RETURNING_FIELDS, "'returning'")
    if not checked or None in checked.values():
        return None
    for lang, text in checked["ask"].items():
        check_fields_of(check, text, (*path, "ask", lang))
    unknown = [t for t in checked.get("open_issues", ()) if t not in checked["topics"]]
    for topic in unknown:
        check.error((*path, "open_issues"), words(
            "open issue {topic!r} is not under returning.topics: name it there, per language",
            "el asunto abierto {topic!r} no está en returning.topics: nómbrelo ahí, en cada "
            "idioma", topic=topic), "unknown-topic")
    if unknown:
        return None
    return model.ReturningSettings(**{**checked, "open_issues": tuple(
        checked.get("open_issues", ()))})


def check_fields_of(check: Checker, text: str, path: Path_) -> None:
    """The question may use {when} and {topic}, written as plain names."""
    try:
        used = [(f, s, c) for _, f, s, c in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        check.error(path, words("{why}; write braces as {{{{ and }}}}",
                                "{why}; escriba las llaves como {{{{ y }}}}", why=exc),
                    "placeholder")
        return
    for name, format_spec, conversion in used:
        if format_spec or conversion:
            written = checker.placeholder_written(name, format_spec, conversion)
            check.error(path, words(
                "placeholder {{{written}}} is not a plain name; write {{when}} or {{topic}}",
                "el marcador {{{written}}} no es un nombre simple; escriba {{when}} o {{topic}}",
                written=written), "placeholder")
        elif name not in spec.RETURNING_PLACEHOLDERS:
            check.error(path, words("placeholder {{{name}}} is not one of {{when}}, {{topic}}",
                                    "el marcador {{{name}}} no es uno de {{when}}, {{topic}}",
                                    name=name), "placeholder")


def hours_count(check: Checker, value: Any, path: Path_) -> int | None:
    number = checker.integer(check, value, path)
    if number is not None and not 1 <= number <= 30 * 24:
        check.error(path, words("{field!r} must be hours from 1 to 720, not {number}",
                                "{field!r} debe ser de 1 a 720 horas, no {number}",
                                field=path[-1], number=number), "range")
        return None
    return number


def topic_names(check: Checker, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
    """What {topic} says for each open issue; none at all would drop the whole
    `returning:` section, so it is named rather than ignored."""
    if not check.expect(value, dict, path, "'topics'"):
        return None
    if not value:
        check.error(path, words("'topics' must name at least one topic",
                                "'topics' debe nombrar al menos un asunto"), "required")
        return None
    named = {topic: texts(check, said, (*path, topic)) for topic, said in value.items()}
    return None if None in named.values() else named


def names(check: Checker, value: Any, path: Path_) -> list[str] | None:
    if not check.expect(value, list, path, f"{path[-1]!r}"):
        return None
    names = [checker.text(check, v, (*path, i)) for i, v in enumerate(value)]
    return None if None in names else names


KINDS: dict[str, Kind] = {"returning": returning, "hours_count": hours_count,
                          "topic_names": topic_names, "names": names}
