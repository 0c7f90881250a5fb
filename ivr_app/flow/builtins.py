"""Words and messages every flow gets for free, per language."""

from __future__ import annotations

import functools
import string
import unicodedata

ESCAPE_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("agente", "asesor", "operador", "operadora", "humano", "persona"),
    "en": ("agent", "operator", "representative", "human", "person"),
}

# Said at any question: straight to the supervisors' queue, when the flow has one.
SUPERVISOR_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("supervisor", "supervisora", "jefe", "encargado", "encargada", "gerente"),
    "en": ("supervisor", "manager"),
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
        "queue_position": "Usted es el número {position} en la fila.",
        "wait_minutes": "Tiempo estimado de espera: {minutes} minutos.",
        "wait_one_minute": "Tiempo estimado de espera: un minuto.",
        "wait_under_minute": "Tiempo estimado de espera: menos de un minuto.",
        "wait_unknown": "En este momento no hay personas conectadas para atenderle. "
                        "Le atenderemos en cuanto alguien se conecte.",
        "queue_repeat": "Para volver a escuchar su lugar en la fila, marque cero.",
        "queue_supervisor": "Para hablar con un supervisor, marque {key}.",
        "to_supervisor": "Le comunicamos con un supervisor. Un momento, por favor.",
        "callback_intro": "Le llamamos por su solicitud: {reason}. Para hablar ahora con "
                          "una persona, marque uno.",
        "callback_later": "Le volveremos a llamar más tarde. Hasta luego.",
        "callback_connecting": "Gracias. Le comunicamos con una persona en un momento.",
        "speech_hint": "También puede decir su respuesta después del tono.",
        "use_keys": "No pudimos reconocer su voz. Por favor, use el teclado.",
    },
    "en": {
        "escape": "To speak with a person, press zero.",
        "no_input": "We did not get your answer.",
        "not_understood": "Sorry, we did not understand that.",
        "to_human": "Connecting you with a person. One moment, please.",
        "confirm_digits": "You entered {digits}. If that is right, press one. "
                          "To change it, press two.",
        "queue_position": "You are number {position} in line.",
        "wait_minutes": "Estimated wait: {minutes} minutes.",
        "wait_one_minute": "Estimated wait: one minute.",
        "wait_under_minute": "Estimated wait: less than a minute.",
        "wait_unknown": "Nobody is signed in to take your call right now. "
                        "We will answer as soon as someone is.",
        "queue_repeat": "To hear your place in line again, press zero.",
        "queue_supervisor": "To speak with a supervisor, press {key}.",
        "to_supervisor": "Connecting you with a supervisor. One moment, please.",
        "callback_intro": "We are calling you back about your request: {reason}. To speak "
                          "with a person now, press one.",
        "callback_later": "We will call you again later. Goodbye.",
        "callback_connecting": "Thank you. Connecting you with a person in a moment.",
        "speech_hint": "You can also say your answer after the tone.",
        "use_keys": "We could not make out what you said. Please use your keypad.",
    },
}

MESSAGE_KEYS = tuple(MESSAGES["en"])

# The {placeholders} each message is given when it is said.
MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    key: frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f)
    for key, text in MESSAGES["en"].items()
}


@functools.lru_cache(maxsize=4096)  # prompts are compared on every step; speech rarely repeats
def normalize(text: str) -> str:
    """Lower-case, drop accents and punctuation: how spoken answers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether normalized `text` contains `phrase` as whole words."""
    return f" {normalize(phrase)} " in f" {normalize(text)} "


def key_word(key: str, lang: str) -> str:
    """A key as the caller's language says it ("nueve"), or the key itself."""
    words = DIGIT_WORDS.get(lang, ())
    return words[int(key)] if key.isdigit() and words else key
