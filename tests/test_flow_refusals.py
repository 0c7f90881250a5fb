"""A supervisor's broken flow is refused with its line, column and the problem named, in
English as `lint` prints it and in Spanish as the console shows it: what a flow says and
how it is laid out. One flow per section, every problem of it found in one run (the settings:
tests/test_flow_setting_refusals.py; the edges each rule accepts: tests/test_lint.py)."""

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
    'sections that are not mappings': (
        flow("speech_bands: 3\nescape_words: 3\nmessages: 3\nqueues: 3\ncallbacks: 3\n"
         "returning: 3\nsurvey: 3\n"), [
        ('1:15 type', "'speech_bands' must be a mapping, not a number",
         "'speech_bands' debe ser un mapa, no un número"),
        ('2:15 type', "'escape_words' must be a mapping, not a number",
         "'escape_words' debe ser un mapa, no un número"),
        ('3:11 type', "'messages' must be a mapping, not a number",
         "'messages' debe ser un mapa, no un número"),
        ('4:9 type', "'queues' must be a mapping, not a number",
         "'queues' debe ser un mapa, no un número"),
        ('5:12 type', "'callbacks' must be a mapping, not a number",
         "'callbacks' debe ser un mapa, no un número"),
        ('6:12 type', "'returning' must be a mapping, not a number",
         "'returning' debe ser un mapa, no un número"),
        ('7:9 type', "'survey' must be a mapping, not a number",
         "'survey' debe ser un mapa, no un número"),
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
    'message placeholders': (
        flow("messages:\n  en:\n    no_input: 'We did not {hear'\n"
         "    keys_again: 'Choose {keys!r} or {keys:>4}'\n"
         "    key_for: 'for {phrase}, press {digit}'\n    escape: 'Press zero, {name}.'\n"
         "  fr: {escape: x}\n  es: 3\n"), [
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
        ('5:14 placeholder', "message 'key_for': unknown placeholder {digit}; it takes {key}, "
         '{phrase}',
         "mensaje 'key_for': marcador desconocido {digit}; admite {key}, {phrase}"),
        ('6:13 placeholder', "message 'escape': unknown placeholder {name}; it takes no "
         'placeholders',
         "mensaje 'escape': marcador desconocido {name}; no admite marcadores"),
        ('7:3 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('8:7 type', 'messages.es must be a mapping, not a number',
         'messages.es debe ser un mapa, no un número'),
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
    'no language at all': (
        flow("", "nodes:\n  menu: {type: goodbye, prompt: {}}\n").replace(
            HEAD.split("human:")[0], "languages: {}\n"), [
        ('1:12 required', "'languages' must declare at least one language",
         "'languages' debe declarar al menos un idioma"),
    ]),
    'prompts and phrases': (
        flow("", MENU.replace("{es: Hola, en: Hello}", "{es: Hola, fr: Bonjour}")
         .replace("{es: [factura], en: [bill]}", "{es: [factura], fr: [facture]}")
         .replace("goto: bye}\n", "goto: bye}\n      - {key: 2, say: 3, goto: note}\n")
         .replace("{es: Adiós, en: Bye}", "{es: {play: 3, loop: 2}, en: {}}")
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
        ('16:28 unknown-field', "prompt.es: unknown field 'loop'; expected one of 'play'",
         "prompt.es: campo desconocido 'loop'; se espera uno de 'play'"),
        ('16:42 required', "prompt.en: missing required field 'play'",
         "prompt.en: falta el campo obligatorio 'play'"),
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
    'nodes': (
        flow("", MENU + "  Bad-Id!: {type: goodbye, prompt: {es: a, en: b}, colour: red}\n"
         "  gone: 3\n"
         "  nothing: {prompt: {es: a, en: b}}\n  typo: {type: goodby}\n  odd: {type: [menu]}\n"), [
        ('16:3 unreachable', "node 'Bad-Id!' is never reached from start 'menu'",
         "al nodo 'Bad-Id!' nunca se llega desde el inicio 'menu'"),
        ('16:3 type', "node id 'Bad-Id!' is not a valid name",
         "el id de nodo 'Bad-Id!' no es un nombre válido"),
        ('16:52 unknown-field', "node 'Bad-Id!': unknown field 'colour'; expected one of 'set', "
         "'prompt', 'type'",
         "nodo 'Bad-Id!': campo desconocido 'colour'; se espera uno de 'set', 'prompt', 'type'"),
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
        ('19:16 type', "unknown node type 'goodby'; did you mean 'goodbye'? expected one of "
         'branch, collect, goodbye, language, menu, say, transfer',
         "tipo de nodo desconocido 'goodby'; ¿quiso decir 'goodbye'? se espera uno de branch, "
         'collect, goodbye, language, menu, say, transfer'),
        ('20:3 unreachable', "node 'odd' is never reached from start 'menu'",
         "al nodo 'odd' nunca se llega desde el inicio 'menu'"),
        ('20:15 type', "'type' must be text, not a list",
         "'type' debe ser texto, no una lista"),
    ]),
    'a start that is not a name': (
        flow().replace("start: menu", "start: [menu]"), [
        ('6:8 type', "'start' must be text, not a list",
         "'start' debe ser texto, no una lista"),
    ]),
    'nodes that are not a mapping': (
        flow("", "nodes: 3\n"), [
        ('6:8 unknown-target', "start 'menu' is not a node",
         "el inicio 'menu' no es un nodo"),
        ('7:8 type', "'nodes' must be a mapping, not a number",
         "'nodes' debe ser un mapa, no un número"),
    ]),
    'a start that is not a node': (
        flow().replace("start: menu", "start: mnu"), [
        ('6:8 unknown-target', "start 'mnu' is not a node; did you mean 'menu'?",
         "el inicio 'mnu' no es un nodo; ¿quiso decir 'menu'?"),
    ]),
    'a loop that never asks': (
        flow("", MENU.replace("goto: bye}\n", "goto: bye}\n      - {key: 2, goto: into}\n")
         + "  into: {type: say, prompt: {es: a, en: b}, next: lost}\n"
         "  lost: {type: say, prompt: {es: c, en: d}, next: found}\n"
         "  found: {type: say, prompt: {es: e, en: f}, next: lost}\n"), [
        ('17:3 dead-end', "node 'into' leads neither to a person nor to a goodbye",
         "el nodo 'into' no lleva ni a una persona ni a una despedida"),
        ('18:3 dead-end', "node 'lost' leads neither to a person nor to a goodbye",
         "el nodo 'lost' no lleva ni a una persona ni a una despedida"),
        ('18:3 silent-loop', 'nodes lost -> found -> lost form a loop that never asks the caller '
         'anything',
         'los nodos lost -> found -> lost forman un ciclo que nunca pregunta nada a quien llama'),
        ('19:3 dead-end', "node 'found' leads neither to a person nor to a goodbye",
         "el nodo 'found' no lleva ni a una persona ni a una despedida"),
    ]),
    "a language node's choices": (
        flow("", MENU.replace("nodes:\n", "nodes:\n  pick:\n    type: language\n"
         "    prompt: {es: Elija, en: Choose}\n    choices:\n      - {key: 1, language: es}\n"
         "      - {key: 2, language: fr, say: [francais]}\n      - {key: 3, language: [en]}\n"
         "    next: menu\n")).replace("start: menu", "start: pick"), [
        ('13:28 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('14:28 type', "'language' must be text, not a list",
         "'language' debe ser texto, no una lista"),
    ]),
    'keys and phrases': (
        flow("", MENU.replace("      - {key: 1,", "      - {key: 0, goto: bye}\n"
         "      - {key: '%', goto: bye}\n"
         "      - say: {es: [Factura], en: [hablar con un agente]}\n"
         "        key: 1\n        goto: bye\n"
         "      - {key: 1,")), [
        ('12:15 escape', 'key 0 is reserved: it always takes the caller to a person',
         'la tecla 0 está reservada: siempre lleva a una persona'),
        ('13:15 type', "key must be one of 1 2 3 4 5 6 7 8 9 * #, not '%'",
         "la tecla debe ser una de 1 2 3 4 5 6 7 8 9 * #, no '%'"),
        ('14:35 escape', "phrase 'hablar con un agente' contains the escape word 'agente', which "
         'always reaches a person',
         "la frase 'hablar con un agente' contiene la palabra de salida 'agente', que siempre "
         'lleva a una persona'),
        ('17:15 duplicate-key', "key '1' is already used on line 15",
         "la tecla '1' ya se usa en la línea 15"),
        ('17:29 duplicate-phrase', "phrase 'factura' is also used on line 14",
         "la frase 'factura' también se usa en la línea 14"),
    ]),
}


@pytest.mark.parametrize("text, expected", REFUSED.values(), ids=REFUSED)
def test_a_broken_flow_is_refused_with_each_problem_at_its_line_in_both_languages(
        text, expected):
    assert refusal(text) == expected

