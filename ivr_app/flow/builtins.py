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

# A yes or a no to "did you say ...?" (a spoken answer read back, call/bands.py).
YES_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("sí", "si", "correcto"),
    "en": ("yes", "yeah", "correct"),
    "ko": ("네", "예"),
}
NO_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("no",),
    "en": ("no",),
    "ko": ("아니요", "아니"),
}

# How sure a spoken answer must be (accept, confirm): at `accept` or above it is acted on,
# from `confirm` it is read back for a yes first, below it the question is asked again.
# The Korean pair was chosen on the tuning clips of tests/audio only (`python -m
# bench.speech --choose`: the most menu answers reached with at most 1% of off-menu and
# 0.5% of menu answers sent on to a wrong option, then the fewest questions; each clip
# heard with the same dither, so the choice is the same on every run); the others are a
# recogniser's word confidences (Vosk's, with [unk]), where 0.5 was the one bar before:
# 0.4 to 0.7 is now read back.
SPEECH_BANDS: dict[str, tuple[float, float]] = {"ko": (0.95, 0.001)}
DEFAULT_BANDS = (0.7, 0.4)

# At the first question of a caller greeted in the language their number chose before:
# ask the language question after all (call/kept_language.py).
LANGUAGE_KEY = "*"

# Each language's name in each language, written as that language writes it: agents read
# and hear a caller's language by it, and a caller hears their own language offered by its
# name in itself ("For English", "Para español").
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "es": {"es": "español", "en": "inglés"},
    "en": {"es": "Spanish", "en": "English"},
}

DIGIT_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}

# Said in callback times ("el lunes 30 a las 8:00"); Monday first, as datetime.weekday().
WEEKDAY_NAMES: dict[str, tuple[str, ...]] = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# When an earlier call was, as a returning caller hears it: today, yesterday, a weekday.
EARLIER_DAY: dict[str, tuple[str, str, str]] = {
    "es": ("hoy", "ayer", "del {weekday}"),
    "en": ("today", "yesterday", "on {weekday}"),
}

MESSAGES: dict[str, dict[str, str]] = {
    "es": {
        "escape": "Para hablar con una persona, marque cero.",
        "no_input": "No recibimos su respuesta.",
        "not_understood": "No entendimos su respuesta.",
        "to_human": "Le comunicamos con una persona. Un momento, por favor.",
        "confirm_digits": "Usted marcó {digits}. Si es correcto, marque uno. "
                          "Para corregirlo, marque dos.",
        "confirm_choice": "¿Dijo {phrase}? Diga sí o marque uno; si no, diga no o marque "
                          "dos.",
        "keys_again": "Elija con el teclado: {keys}.",
        "key_for": "{phrase}, marque {key}",
        "queue_position": "Usted es el número {position} en la fila.",
        "wait_minutes": "Tiempo estimado de espera: {minutes} minutos.",
        "wait_one_minute": "Tiempo estimado de espera: un minuto.",
        "wait_under_minute": "Tiempo estimado de espera: menos de un minuto.",
        "wait_unknown": "En este momento no hay personas conectadas para atenderle. "
                        "Le atenderemos en cuanto alguien se conecte.",
        "queue_repeat": "Para volver a escuchar su lugar en la fila, marque cero.",
        "queue_supervisor": "Para hablar con un supervisor, marque {key}.",
        "to_supervisor": "Le comunicamos con un supervisor. Un momento, por favor.",
        "queue_unavailable": "Lo sentimos: en este momento no podemos dejarle en espera en "
                             "la fila.",
        "callback_intro": "Le llamamos de {queue}, como nos pidió. Para hablar ahora con "
                          "una persona, marque uno.",
        "callback_later": "Le volveremos a llamar más tarde. Hasta luego.",
        "callback_connecting": "Gracias. Le comunicamos con una persona en un momento.",
        "callback_offer": "Si prefiere que le llamemos cuando sea su turno, sin perder su "
                          "lugar, marque uno.",
        "callback_offer_later": "Si prefiere que le llamemos más tarde, o dejarnos un "
                                "mensaje, marque uno.",
        "callback_closed": "En este momento estamos fuera de horario. Volvemos a atender "
                           "{slot}.",
        "callback_keep_waiting": "Para seguir esperando en la fila, marque cero.",
        "callback_choose": "Para que le devolvamos la llamada, marque uno. Para dejarnos un "
                           "mensaje de voz, marque dos.",
        "callback_number": "Le llamaremos al {number}. Si es correcto, marque uno. Para dar "
                           "otro número, marque dos.",
        "callback_enter_number": "Marque el número al que le llamaremos, con su lada, y "
                                 "después la tecla de gato.",
        "callback_bad_number": "No podemos devolver la llamada a ese número.",
        "callback_when": "Para que le llamemos en cuanto sea su turno, marque uno. Para que "
                         "le llamemos {slot}, marque dos.",
        "callback_record": "Deje su mensaje después del tono. Al terminar, marque la tecla "
                           "de gato.",
        "callback_message_saved": "Recibimos su mensaje.",
        "callback_confirmed_turn": "Listo. Le llamaremos al {number} cuando sea su turno.",
        "callback_confirmed_slot": "Listo. Le llamaremos al {number} {slot}.",
        "callback_goodbye": "Gracias por llamar. Hasta luego.",
        "callback_already": "Ya tiene una devolución de llamada pendiente al {number}.",
        "callback_back_in_line": "Le regresamos a la fila, en el mismo lugar.",
        "callback_pending_slot": "Tiene una devolución de llamada programada para {slot}.",
        "callback_pending_turn": "Tiene una devolución de llamada pendiente: le llamaremos "
                                 "cuando sea su turno.",
        "callback_pending_choices": "Para conservarla, marque uno. Para cancelarla, marque "
                                    "dos. Para hablar con una persona ahora, marque cero.",
        "callback_kept": "Conservamos su devolución de llamada. Hasta luego.",
        "callback_cancelled": "Cancelamos su devolución de llamada.",
        "text_booked": "Le llamaremos {when} desde el {caller_id}. Responda 1 para que le "
                       "llamemos en cuanto haya un agente libre, 2 para cancelar la llamada, "
                       "o ALTO para no recibir más mensajes.",
        "text_moved": "Su llamada se retrasó: le llamaremos {when} desde el {caller_id}. "
                      "Responda 1 para que le llamemos en cuanto haya un agente libre, 2 para "
                      "cancelarla.",
        "text_help": "Responda 1 para que le llamemos en cuanto haya un agente libre, 2 para "
                     "cancelar su devolución de llamada, o ALTO para no recibir más mensajes.",
        "text_turn": "en cuanto sea su turno",
        "text_soon": "Le llamaremos en cuanto haya un agente libre.",
        "text_none": "No tiene devoluciones de llamada pendientes. Llámenos y marque cero "
                     "para hablar con una persona.",
        "text_stopped": "No le enviaremos más mensajes, y cancelamos su devolución de llamada.",
        "language_change": "Para {language}, marque asterisco o diga {language}.",
        "slot_today": "hoy a las {time}",
        "slot_tomorrow": "mañana a las {time}",
        "slot_day": "el {weekday} {day} a las {time}",
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
        "confirm_choice": "Did you say {phrase}? Say yes or press one; if not, say no or "
                          "press two.",
        "keys_again": "Please choose with your keypad: {keys}.",
        "key_for": "for {phrase}, press {key}",
        "queue_position": "You are number {position} in line.",
        "wait_minutes": "Estimated wait: {minutes} minutes.",
        "wait_one_minute": "Estimated wait: one minute.",
        "wait_under_minute": "Estimated wait: less than a minute.",
        "wait_unknown": "Nobody is signed in to take your call right now. "
                        "We will answer as soon as someone is.",
        "queue_repeat": "To hear your place in line again, press zero.",
        "queue_supervisor": "To speak with a supervisor, press {key}.",
        "to_supervisor": "Connecting you with a supervisor. One moment, please.",
        "queue_unavailable": "We are sorry: we cannot keep you waiting in line right now.",
        "callback_intro": "We are calling you back from {queue}, as you asked. To speak "
                          "with a person now, press one.",
        "callback_later": "We will call you again later. Goodbye.",
        "callback_connecting": "Thank you. Connecting you with a person in a moment.",
        "callback_offer": "If you would rather we call you back when it is your turn, "
                          "without losing your place, press one.",
        "callback_offer_later": "To be called back later, or to leave us a message, "
                                "press one.",
        "callback_closed": "We are closed right now. We open again {slot}.",
        "callback_keep_waiting": "To keep waiting in line, press zero.",
        "callback_choose": "To be called back, press one. To leave us a voice message, "
                           "press two.",
        "callback_number": "We will call you at {number}. If that is right, press one. To "
                           "give another number, press two.",
        "callback_enter_number": "Enter the number we should call, with its area code, then "
                                 "the pound key.",
        "callback_bad_number": "We cannot call that number back.",
        "callback_when": "To be called as soon as it is your turn, press one. To be called "
                         "{slot}, press two.",
        "callback_record": "Leave your message after the tone. When you are done, press the "
                           "pound key.",
        "callback_message_saved": "We have your message.",
        "callback_confirmed_turn": "Done. We will call you at {number} when it is your turn.",
        "callback_confirmed_slot": "Done. We will call you at {number} {slot}.",
        "callback_goodbye": "Thank you for calling. Goodbye.",
        "callback_already": "You already have a callback waiting for {number}.",
        "callback_back_in_line": "Back to the line, in the same place.",
        "callback_pending_slot": "You have a callback scheduled for {slot}.",
        "callback_pending_turn": "You have a callback waiting: we will call you when it is "
                                 "your turn.",
        "callback_pending_choices": "To keep it, press one. To cancel it, press two. To speak "
                                    "with a person now, press zero.",
        "callback_kept": "Your callback stays as it is. Goodbye.",
        "callback_cancelled": "Your callback is cancelled.",
        "text_booked": "We will call you {when} from {caller_id}. Reply 1 to be called as "
                       "soon as an agent is free, 2 to cancel the call, or STOP for no more "
                       "texts.",
        "text_moved": "Your callback is running late: we will call you {when} from "
                      "{caller_id}. Reply 1 to be called as soon as an agent is free, 2 to "
                      "cancel it.",
        "text_help": "Reply 1 to be called as soon as an agent is free, 2 to cancel your "
                     "callback, or STOP for no more texts.",
        "text_turn": "as soon as it is your turn",
        "text_soon": "We will call you as soon as an agent is free.",
        "text_none": "You have no callback waiting. Call us and press zero to speak with a "
                     "person.",
        "text_stopped": "You will get no more texts from us, and your callback is cancelled.",
        "language_change": "For {language}, press star or say {language}.",
        "slot_today": "today at {time}",
        "slot_tomorrow": "tomorrow at {time}",
        "slot_day": "on {weekday} the {day} at {time}",
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


def spoken_key(text: str, lang: str) -> str | None:
    """A key said as a word ("dos", "two") or a digit, when that is all that was said."""
    words = normalize(text).split()
    digit_words = DIGIT_WORDS.get(lang, ())
    keys = [str(digit_words.index(w)) if w in digit_words else w for w in words]
    keys = [k for k in keys if k.isdigit() and len(k) == 1]
    return keys[0] if len(keys) == 1 else None


def digits_said(text: str, lang: str) -> str:
    """Digits said one by one, as words or numerals; "" if anything else was said."""
    digit_words = DIGIT_WORDS.get(lang, ())
    out = []
    for word in normalize(text).split():
        if word.isdigit():
            out.append(word)
        elif word in digit_words:
            out.append(str(digit_words.index(word)))
        else:
            return ""
    return "".join(out)


def is_repeat(text: str, lang: str) -> bool:
    """Whether the caller asked to hear the question again."""
    return any(contains_phrase(text, w) for w in REPEAT_WORDS.get(lang, ()))
