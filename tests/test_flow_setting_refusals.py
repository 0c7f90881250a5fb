"""A supervisor's broken setting (hours, callbacks, a returning caller's question, the
survey) is refused with its line, column and the problem named, in English as `lint` prints
it and in Spanish as the console shows it."""

from __future__ import annotations

import pytest

from tests.test_flow_refusals import flow, refusal
from tests.test_lint import MENU

REFUSED = {
    'hours': (
        flow("hours:\n  office:\n    timezone: Mars/Olympus\n    weekly:\n"
         "      fri-mon: '08:00-20:00'\n      mon-tue-wed: '08:00-20:00'\n"
         "      sat: ['20:00-08:00', '9-17']\n      sun: 9\n    holidays: [2026-12-25, tomorrow]\n"
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
        ('7:12 type', '\'9-17\' is not a time span like "08:00-20:00"',
         '\'9-17\' no es un horario como "08:00-20:00"'),
        ('8:12 type', '9 is not a time span like "08:00-20:00"',
         '9 no es un horario como "08:00-20:00"'),
        ('9:28 type', "'tomorrow' is not a date like 2026-12-25",
         "'tomorrow' no es una fecha como 2026-12-25"),
        ('10:8 type', "hours 'lab' must be a mapping, not a number",
         "horario 'lab' debe ser un mapa, no un número"),
        ('11:49 type', "'weekly' must be a mapping, not a number",
         "'weekly' debe ser un mapa, no un número"),
        ('11:62 type', "'holidays' must be a list, not a number",
         "'holidays' debe ser una lista, no un número"),
        ('12:20 unknown-hours', "hours 'nights' are not defined under 'hours' (lab, office, shop)",
         "el horario 'nights' no está definido en 'hours' (lab, office, shop)"),
    ]),
    'hours that are not a mapping': (
        flow("hours: 3\ncallbacks: {hours: nights}\n"), [
        ('1:8 type', "'hours' must be a mapping, not a number",
         "'hours' debe ser un mapa, no un número"),
        ('2:20 unknown-hours', "hours 'nights' are not defined under 'hours' (none are defined)",
         "el horario 'nights' no está definido en 'hours' (no hay ninguno)"),
    ]),
    'returning': (
        flow("returning:\n  ask: {es: '¿Llama por {topic:>9}? {when!r} {who}', "
             "en: 'About {topic'}\n"
         "  topics: {billing: {es: su factura, fr: x}}\n  open_issues: [outage, 3]\n"), [
        ('2:13 placeholder', 'placeholder {topic:>9} is not a plain name; write {when} or {topic}',
         'el marcador {topic:>9} no es un nombre simple; escriba {when} o {topic}'),
        ('2:13 placeholder', 'placeholder {when!r} is not a plain name; write {when} or {topic}',
         'el marcador {when!r} no es un nombre simple; escriba {when} o {topic}'),
        ('2:13 placeholder', 'placeholder {who} is not one of {when}, {topic}',
         'el marcador {who} no es uno de {when}, {topic}'),
        ('2:58 placeholder', "expected '}' before end of string; write braces as {{ and }}",
         "expected '}' before end of string; escriba las llaves como {{ y }}"),
        ('3:21 translation', "'billing' has no 'en' translation",
         "'billing' no tiene traducción 'en'"),
        ('3:38 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
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
    'a topic that is not a mapping': (
        flow("returning: {ask: {es: a, en: b}, topics: {other: 3}}\n"), [
        ('1:50 type', "'other' must be a mapping, not a number",
         "'other' debe ser un mapa, no un número"),
    ]),
    'returning shapes': (
        flow("returning:\n  within_hours: 0\n  ask: 3\n  topics: 3\n"
         "  open_issues: 3\n"), [
        ('2:17 range', "'within_hours' must be hours from 1 to 720, not 0",
         "'within_hours' debe ser de 1 a 720 horas, no 0"),
        ('3:8 type', "'ask' must be a mapping, not a number",
         "'ask' debe ser un mapa, no un número"),
        ('4:11 type', "'topics' must be a mapping, not a number",
         "'topics' debe ser un mapa, no un número"),
        ('5:16 type', "'open_issues' must be a list, not a number",
         "'open_issues' debe ser una lista, no un número"),
    ]),
    'a language not declared, then an empty text: both found': (
        flow("survey: {resolved: {fr: oui, es: '', en: b}, thanks: {es: c, en: d}}\n",
             MENU.replace("{es: Hola, en: Hello}", "{fr: Bonjour, es: '', en: Hello}")), [
        ('1:21 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('1:34 type', "'es' must not be empty", "'es' no debe estar vacío"),
        ('11:14 unknown-language', "language 'fr' is not declared under 'languages'",
         "el idioma 'fr' no está declarado en 'languages'"),
        ('11:31 type', "'es' must not be empty", "'es' no debe estar vacío"),
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
def test_a_broken_setting_is_refused_with_each_problem_at_its_line_in_both_languages(
        text, expected):
    assert refusal(text) == expected
