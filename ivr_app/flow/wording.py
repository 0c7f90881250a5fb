"""What the checker and the audit say about a flow, in each language of the console.

A message is written once, where it is found, in English and in Spanish, as templates
filled with the same values (`words`); it is put into words only when someone reads it,
in their language. `lint` and `audit` print the English; the console asks for its
reader's. A value may itself be words (a field's owner, a hint), said in the same
language.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PRINTED = "en"  # what the commands print


@dataclass(frozen=True, eq=False)
class Wording:
    """One message in every language of the console (console/text.py), with its values."""

    en: str
    es: str
    values: Mapping[str, Any]

    def render(self, lang: str = PRINTED) -> str:
        template = self.es if lang == "es" else self.en
        return template.format(**{name: said(value, lang) for name, value in
                                  self.values.items()})


def words(en: str, es: str, **values: Any) -> Wording:
    """A message in English and Spanish, `{name}` filled from `values` in either."""
    return Wording(en, es, values)


def said(value: Any, lang: str = PRINTED) -> Any:
    """Words in `lang`; any other value as it is."""
    return value.render(lang) if isinstance(value, Wording) else value


def joined(parts: list[Any]) -> Wording:
    """Several messages as one, "; " between them, each said in the reader's language."""
    names = {f"p{i}": part for i, part in enumerate(parts)}
    template = "; ".join(f"{{{name}}}" for name in names)
    return Wording(template, template, names)


def did_you_mean(given: str, choices: Iterable[str], before: str = "",
                 after: str = " ") -> Wording | str:
    """"did you mean 'x'?" for the closest choice, between `before` and `after`; "" if none
    is close."""
    hint = difflib.get_close_matches(given, list(choices), n=1)
    if not hint:
        return ""
    return words("{before}did you mean {name!r}?{after}", "{before}¿quiso decir {name!r}?{after}",
                 before=before, after=after, name=hint[0])
