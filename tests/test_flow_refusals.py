"""A supervisor's broken flow is refused with its line, column and the problem named, in
English as `lint` prints it and in Spanish as the console shows it. One flow per section,
every problem of it found in one run (the edges each rule accepts: tests/test_lint.py)."""

from __future__ import annotations

import pytest

from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.test_lint import HEAD, MENU


def flow(top: str = "", nodes: str = MENU) -> str:
    """The smallest flow lint accepts, with `top` written above it (its lines come first)."""
    return top + HEAD + nodes


def refusal(text: str) -> list[tuple[str, str, str]]:
    """Each problem as ("line:column rule", what lint prints, what a Spanish reader sees)."""
    with pytest.raises(FlowError) as refused:
        validate(parse(text, "flow.yaml"), "flow")
    return [(f"{p.line}:{p.column} {p.rule}", p.said("en"), p.said("es"))
            for p in refused.value.problems]


REFUSED = {
    'speech bands that are not a mapping': (
        flow("speech_bands: 3\n"), [
        ('1:15 type', "'speech_bands' must be a mapping, not a number",
         "'speech_bands' debe ser un mapa, no un número"),
    ]),
    'speech bands of each language': (
        flow("speech_bands:\n  es: 3\n  en: {accept: yes, confirm: high}\n"
         "  fr: {accept: 1.5, confirm: -0.5}\n"), [
        ('2:7 type', "speech bands 'es' must be a mapping, not a number",
         "bandas de voz 'es' debe ser un mapa, no un número"),
        ('3:16 type', "'accept' must be a number from 0 to 1",
         "'accept' debe ser un número de 0 a 1"),
        ('3:30 type', "'confirm' must be a number from 0 to 1",
         "'confirm' debe ser un número de 0 a 1"),
        ('4:3 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('4:16 speech-bands', "'accept' must be from 0 to 1, not 1.5",
         "'accept' debe estar entre 0 y 1, no 1.5"),
        ('4:30 speech-bands', "'confirm' must be from 0 to 1, not -0.5",
         "'confirm' debe estar entre 0 y 1, no -0.5"),
    ]),
    'confirm above accept, in every language': (
        flow("speech_bands:\n  es: {accept: 0.5, confirm: 0.6}\n"
         "  en: {accept: 0.2, confirm: 0.3}\n"), [
        ('2:30 speech-bands', 'confirm 0.6 is above accept 0.5: an answer sure enough to act on '
         'would be read back',
         'confirm 0.6 es mayor que accept 0.5: una respuesta lo bastante segura para actuar se '
         'leería de vuelta'),
        ('3:30 speech-bands', 'confirm 0.3 is above accept 0.2: an answer sure enough to act on '
         'would be read back',
         'confirm 0.3 es mayor que accept 0.2: una respuesta lo bastante segura para actuar se '
         'leería de vuelta'),
    ]),
    'escape words that are not a mapping': (
        flow("escape_words: 3\n"), [
        ('1:15 type', "'escape_words' must be a mapping, not a number",
         "'escape_words' debe ser un mapa, no un número"),
    ]),
    'escape words': (
        flow("escape_words: {es: [gerente general], en: [help desk], fr: [factura]}\n",
         MENU.replace("en: [bill]", "en: [operator]")), [
        ('1:21 escape', "escape word 'gerente general' contains 'gerente', which takes callers "
         'to the supervisors',
         "la palabra de salida 'gerente general' contiene 'gerente', que lleva a los supervisores"),
        ('1:56 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('13:44 escape', "phrase 'operator' contains the escape word 'operator', which always "
         'reaches a person',
         "la frase 'operator' contiene la palabra de salida 'operator', que siempre lleva a una "
         'persona'),
    ]),
    'messages that are not a mapping': (
        flow("messages: 3\n"), [
        ('1:11 type', "'messages' must be a mapping, not a number",
         "'messages' debe ser un mapa, no un número"),
    ]),
    'message placeholders': (
        flow("messages:\n  en:\n    no_input: 'We did not {hear'\n"
         "    keys_again: 'Choose {keys!r} or {keys:>4}'\n"
         "    queue_position: 'You are number {place}.'\n    escape: 'Press zero, {name}.'\n"
         "  fr: {escape: x}\n"), [
        ('3:15 placeholder', "message 'no_input': expected '}' before end of string; write "
         'braces as {{ and }}',
         "mensaje 'no_input': expected '}' before end of string; escriba las llaves como {{ y }}"),
        ('4:17 placeholder', "message 'keys_again': placeholder {keys!r} is not a plain name; "
         'write it as {name}',
         "mensaje 'keys_again': el marcador {keys!r} no es un nombre simple; escríbalo como "
         '{nombre}'),
        ('4:17 placeholder', "message 'keys_again': placeholder {keys:>4} is not a plain name; "
         'write it as {name}',
         "mensaje 'keys_again': el marcador {keys:>4} no es un nombre simple; escríbalo como "
         '{nombre}'),
        ('5:21 placeholder', "message 'queue_position': unknown placeholder {place}; it takes "
         '{position}',
         "mensaje 'queue_position': marcador desconocido {place}; admite {position}"),
        ('6:13 placeholder', "message 'escape': unknown placeholder {name}; it takes no "
         'placeholders',
         "mensaje 'escape': marcador desconocido {name}; admite ningún marcador"),
        ('7:3 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
    ]),
    'languages': (
        flow().replace("  en: {voice: Polly.Joanna, locale: en-US}\n",
                       "  en: {voice: Polly.Joanna, locale: en-US}\n"
                       "  fr: 3\n  pt: {voice: Polly.Camila}\n"), [
        ('4:7 type', "language 'fr' must be a mapping, not a number",
         "idioma 'fr' debe ser un mapa, no un número"),
        ('5:7 required', "language 'pt': missing required field 'locale'",
         "idioma 'pt': falta el campo obligatorio 'locale'"),
    ]),
    'prompts and phrases': (
        flow("", MENU.replace("{es: Hola, en: Hello}", "{es: Hola, fr: Bonjour}")
         .replace("{es: [factura], en: [bill]}", "{es: [factura], fr: [facture]}")
         .replace("goto: bye}\n", "goto: bye}\n      - {key: 2, say: 3, goto: note}\n")
         .replace("{es: Adiós, en: Bye}", "{es: {play: 3}, en: Bye}")
         + "  note: {type: say, prompt: 3, next: bye}\n"), [
        ('10:13 translation', "prompt has no 'en' translation",
         "el mensaje no tiene traducción 'en'"),
        ('10:24 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('12:23 translation', "'say' has no 'en' phrases",
         "'say' no tiene frases en 'en'"),
        ('12:39 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('13:23 type', "'say' must be a mapping, not a number",
         "'say' debe ser un mapa, no un número"),
        ('16:25 type', "'3' must be an http(s) URL",
         "'3' debe ser una URL http(s)"),
        ('17:29 type', 'a prompt must be a mapping, not a number',
         'un mensaje debe ser un mapa, no un número'),
    ]),
    'queue and reason names': (
        flow("queues: {support: 3, 'no name': {es: x}}\n"
         "reasons: {billing: 3, other: {fr: autre}}\n"), [
        ('1:19 type', "queue 'support' must be a mapping, not a number",
         "fila 'support' debe ser un mapa, no un número"),
        ('1:33 type', "'no name' is not a valid name: use letters, digits, '_', '-' or '.', "
         'starting with a letter',
         "'no name' no es un nombre válido: use letras, dígitos, '_', '-' o '.', empezando por "
         'una letra'),
        ('2:20 type', "reason 'billing' must be a mapping, not a number",
         "motivo 'billing' debe ser un mapa, no un número"),
        ('2:31 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
    ]),
    'hours': (
        flow("hours:\n  office:\n    timezone: Mars/Olympus\n    weekly:\n"
         "      fri-mon: '08:00-20:00'\n      mon-tue-wed: '08:00-20:00'\n"
         "      sat: ['20:00-08:00', '24:00-25:00', '9-17']\n    holidays: [2026-12-25, tomorrow]\n"
         "  lab: 3\n  shop: {timezone: America/Mexico_City, weekly: 3, holidays: 3}\n"
         "callbacks: {hours: nights}\n"), [
        ('3:15 type', "unknown time zone 'Mars/Olympus'; use a name like 'America/Mexico_City'",
         "zona horaria desconocida 'Mars/Olympus'; use un nombre como 'America/Mexico_City'"),
        ('5:7 type', "'fri-mon' is not a day or day range like 'mon-fri'",
         "'fri-mon' no es un día ni un rango de días como 'mon-fri'"),
        ('6:7 type', "'mon-tue-wed' is not a day or day range like 'mon-fri'",
         "'mon-tue-wed' no es un día ni un rango de días como 'mon-fri'"),
        ('7:12 type', '\'20:00-08:00\' is not a time span like "08:00-20:00"',
         '\'20:00-08:00\' no es un horario como "08:00-20:00"'),
        ('7:12 type', '\'24:00-25:00\' is not a time span like "08:00-20:00"',
         '\'24:00-25:00\' no es un horario como "08:00-20:00"'),
        ('7:12 type', '\'9-17\' is not a time span like "08:00-20:00"',
         '\'9-17\' no es un horario como "08:00-20:00"'),
        ('8:28 type', "'tomorrow' is not a date like 2026-12-25",
         "'tomorrow' no es una fecha como 2026-12-25"),
        ('9:8 type', "hours 'lab' must be a mapping, not a number",
         "horario 'lab' debe ser un mapa, no un número"),
        ('10:49 type', "'weekly' must be a mapping, not a number",
         "'weekly' debe ser un mapa, no un número"),
        ('10:62 type', "'holidays' must be a list, not a number",
         "'holidays' debe ser una lista, no un número"),
        ('11:20 unknown-hours', "hours 'nights' are not defined under 'hours' (lab, office, shop)",
         "el horario 'nights' no está definido en 'hours' (lab, office, shop)"),
    ]),
    'hours that are not a mapping': (
        flow("hours: 3\ncallbacks: {hours: nights}\n"), [
        ('1:8 type', "'hours' must be a mapping, not a number",
         "'hours' debe ser un mapa, no un número"),
        ('2:20 unknown-hours', "hours 'nights' are not defined under 'hours' (none are defined)",
         "el horario 'nights' no está definido en 'hours' (no hay ninguno)"),
    ]),
    'nodes': (
        flow("", MENU + "  Bad-Id!: {type: goodbye, prompt: {es: a, en: b}}\n  gone: 3\n"
         "  nothing: {prompt: {es: a, en: b}}\n  typo: {type: goodby}\n"), [
        ('16:3 unreachable', "node 'Bad-Id!' is never reached from start 'menu'",
         "al nodo 'Bad-Id!' nunca se llega desde el inicio 'menu'"),
        ('16:3 type', "node id 'Bad-Id!' is not a valid name",
         "el id de nodo 'Bad-Id!' no es un nombre válido"),
        ('17:3 unreachable', "node 'gone' is never reached from start 'menu'",
         "al nodo 'gone' nunca se llega desde el inicio 'menu'"),
        ('17:9 type', "node 'gone' must be a mapping, not a number",
         "nodo 'gone' debe ser un mapa, no un número"),
        ('18:3 unreachable', "node 'nothing' is never reached from start 'menu'",
         "al nodo 'nothing' nunca se llega desde el inicio 'menu'"),
        ('18:3 required', "node 'nothing': missing required field 'type'; expected one of "
         'branch, collect, goodbye, language, menu, say, transfer',
         "nodo 'nothing': falta el campo obligatorio 'type'; se espera uno de branch, collect, "
         'goodbye, language, menu, say, transfer'),
        ('19:3 unreachable', "node 'typo' is never reached from start 'menu'",
         "al nodo 'typo' nunca se llega desde el inicio 'menu'"),
        ('19:3 dead-end', "node 'typo' leads neither to a person nor to a goodbye",
         "el nodo 'typo' no lleva ni a una persona ni a una despedida"),
        ('19:16 type', "unknown node type 'goodby'; did you mean 'goodbye'? expected one of "
         'branch, collect, goodbye, language, menu, say, transfer',
         "tipo de nodo desconocido 'goodby'; ¿quiso decir 'goodbye'? se espera uno de branch, "
         'collect, goodbye, language, menu, say, transfer'),
    ]),
    'a loop that never asks': (
        flow("", MENU + "  lost: {type: say, prompt: {es: a, en: b}, next: lost}\n"), [
        ('16:3 unreachable', "node 'lost' is never reached from start 'menu'",
         "al nodo 'lost' nunca se llega desde el inicio 'menu'"),
        ('16:3 dead-end', "node 'lost' leads neither to a person nor to a goodbye",
         "el nodo 'lost' no lleva ni a una persona ni a una despedida"),
        ('16:3 silent-loop', 'nodes lost -> lost form a loop that never asks the caller anything',
         'los nodos lost -> lost forman un ciclo que nunca pregunta nada a quien llama'),
    ]),
    'keys and phrases': (
        flow("", MENU.replace("      - {key: 1,", "      - {key: 0, goto: bye}\n"
         "      - {key: '%', goto: bye}\n"
         "      - {key: 1, say: {es: [Factura], en: [hablar con un agente]}, goto: bye}\n"
         "      - {key: 1,")), [
        ('12:15 escape', 'key 0 is reserved: it always takes the caller to a person',
         'la tecla 0 está reservada: siempre lleva a una persona'),
        ('13:15 type', "key must be one of 1 2 3 4 5 6 7 8 9 * #, not '%'",
         "la tecla debe ser una de 1 2 3 4 5 6 7 8 9 * #, no '%'"),
        ('14:44 escape', "phrase 'hablar con un agente' contains the escape word 'agente', which "
         'always reaches a person',
         "la frase 'hablar con un agente' contiene la palabra de salida 'agente', que siempre "
         'lleva a una persona'),
        ('15:15 duplicate-key', "key '1' is already used on line 14",
         "la tecla '1' ya se usa en la línea 14"),
        ('15:29 duplicate-phrase', "phrase 'factura' is also used on line 14",
         "la frase 'factura' también se usa en la línea 14"),
    ]),
    'returning': (
        flow("returning:\n  ask: {es: '¿Llama por {topic}? {when!r} {who}', en: 'About {topic'}\n"
         "  topics: {billing: {es: su factura}}\n  open_issues: [outage, 3]\n"), [
        ('2:13 placeholder', 'placeholder {when} is not one of {when}, {topic}',
         'el marcador {when} no es uno de {when}, {topic}'),
        ('2:13 placeholder', 'placeholder {who} is not one of {when}, {topic}',
         'el marcador {who} no es uno de {when}, {topic}'),
        ('2:55 placeholder', "expected '}' before end of string; write braces as {{ and }}",
         "expected '}' before end of string; escriba las llaves como {{ y }}"),
        ('3:21 translation', "'billing' has no 'en' translation",
         "'billing' no tiene traducción 'en'"),
        ('4:16 unknown-topic', "open issue '3' is not under returning.topics: name it there, per "
         'language',
         "el asunto abierto '3' no está en returning.topics: nómbrelo ahí, en cada idioma"),
        ('4:16 unknown-topic', "open issue 'outage' is not under returning.topics: name it "
         'there, per language',
         "el asunto abierto 'outage' no está en returning.topics: nómbrelo ahí, en cada idioma"),
    ]),
    'returning after a month, about nothing': (
        flow("returning:\n  within_hours: 721\n  ask: {es: a, en: b}\n  topics: {}\n"), [
        ('2:17 range', "'within_hours' must be hours from 1 to 720, not 721",
         "'within_hours' debe ser de 1 a 720 horas, no 721"),
        ('4:11 required', "'topics' must name at least one topic",
         "'topics' debe nombrar al menos un asunto"),
    ]),
    'returning shapes': (
        flow("returning:\n  within_hours: 0\n  ask: {es: a, en: b}\n  topics: 3\n"
         "  open_issues: 3\n"), [
        ('2:17 range', "'within_hours' must be hours from 1 to 720, not 0",
         "'within_hours' debe ser de 1 a 720 horas, no 0"),
        ('4:11 type', "'topics' must be a mapping, not a number",
         "'topics' debe ser un mapa, no un número"),
        ('5:16 type', "'open_issues' must be a list, not a number",
         "'open_issues' debe ser una lista, no un número"),
    ]),
    'a survey too short': (
        flow("survey: {resolved: {es: a, en: b}, thanks: {es: c, en: d}, seconds: 9}\n"), [
        ('1:69 range', "'seconds' must be seconds from 10 to 30, not 9",
         "'seconds' debe ser de 10 a 30 segundos, no 9"),
    ]),
    'a survey its questions outlast': (
        flow("timeout: 8\nsurvey: {resolved: {es: a, en: b}, rating: {es: e, en: f},"
         " thanks: {es: c, en: d}, seconds: 15}\n"), [
        ('2:1 survey-time', "2 questions with the flow's timeout of 8 s wait up to 16 s for "
         "keys, more than the survey's 15 s: lower 'timeout' or leave out 'rating'",
         '2 preguntas con el timeout del flujo de 8 s esperan teclas hasta 16 s, más que los 15 '
         "s de la encuesta: baje 'timeout' o quite 'rating'"),
    ]),
    'callbacks': (
        flow("callbacks: {offer_after: -1, max_hold: 604801, offer_after_by_queue: 3,"
         " region: XX}\n"), [
        ('1:26 range', "'offer_after' must be seconds from 0 to one week, not -1",
         "'offer_after' debe ser de 0 segundos a una semana, no -1"),
        ('1:40 range', "'max_hold' must be seconds from 0 to one week, not 604801",
         "'max_hold' debe ser de 0 segundos a una semana, no 604801"),
        ('1:70 type', "'offer_after_by_queue' must be a mapping, not a number",
         "'offer_after_by_queue' debe ser un mapa, no un número"),
        ('1:81 type', "'XX' is not a two-letter country code like 'MX'",
         "'XX' no es un código de país de dos letras como 'MX'"),
    ]),
    'callbacks to no country': (
        flow("callbacks: {offer_after: 300, countries: []}\n"), [
        ('1:42 required', "'countries' must name at least one country, like [MX]",
         "'countries' debe nombrar al menos un país, como [MX]"),
    ]),
    'callbacks per queue and countries': (
        flow("callbacks: {offer_after_by_queue: {support: 604801}, countries: 3, region: 3}\n"), [
        ('1:45 range', "'support' must be seconds from 0 to one week, not 604801",
         "'support' debe ser de 0 segundos a una semana, no 604801"),
        ('1:65 type', "'countries' must be a list, not a number",
         "'countries' debe ser una lista, no un número"),
        ('1:76 type', "'3' is not a two-letter country code like 'MX'",
         "'3' no es un código de país de dos letras como 'MX'"),
    ]),
}


@pytest.mark.parametrize("text, expected", REFUSED.values(), ids=REFUSED)
def test_a_broken_flow_is_refused_with_each_problem_at_its_line_in_both_languages(
        text, expected):
    assert refusal(text) == expected

