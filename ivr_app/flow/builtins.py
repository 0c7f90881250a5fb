"""Words and messages every flow gets for free, per language."""

from __future__ import annotations

import unicodedata

ESCAPE_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("agente", "asesor", "operador", "operadora", "humano", "persona"),
    "en": ("agent", "operator", "representative", "human", "person"),
}

# Phrases that show a prompt already tells the caller how to reach a person.
ESCAPE_MENTIONS: dict[str, tuple[str, ...]] = {
    "es": ("marque cero", "marque 0", "oprima cero", "oprima 0", "presione cero"),
    "en": ("press zero", "press 0", "dial zero", "dial 0"),
}

REPEAT_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("repetir", "repita", "otra vez"),
    "en": ("repeat", "again"),
}

DIGIT_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}

MESSAGES: dict[str, dict[str, str]] = {
    "es": {
        "escape": "Para hablar con una persona, marque cero.",
        "no_input": "No recibimos su respuesta.",
        "not_understood": "No entendimos su respuesta.",
        "to_human": "Le comunicamos con una persona. Un momento, por favor.",
        "confirm_digits": "Usted marcó {digits}. Si es correcto, marque uno. "
                          "Para corregirlo, marque dos.",
    },
    "en": {
        "escape": "To speak with a person, press zero.",
        "no_input": "We did not get your answer.",
        "not_understood": "Sorry, we did not understand that.",
        "to_human": "Connecting you with a person. One moment, please.",
        "confirm_digits": "You entered {digits}. If that is right, press one. "
                          "To change it, press two.",
    },
}

MESSAGE_KEYS = tuple(MESSAGES["en"])


def normalize(text: str) -> str:
    """Lower-case, drop accents and punctuation: how spoken answers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether normalized `text` contains `phrase` as whole words."""
    return f" {normalize(phrase)} " in f" {normalize(text)} "
