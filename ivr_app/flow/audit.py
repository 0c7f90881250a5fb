"""The GetHuman standard's nine points, checked on a flow: is this line humane?

Each point is computed from the flow graph, its messages and its settings, never from a
list kept by hand, and comes with its evidence. What a node contributes is what its type
tells (its Facts, flow/nodes/). Some hold by construction of the runtime
(key 0 at every question, silence and errors end with a person); the audit still names
what makes them hold, so a reader can check it, and call/rehearsal.py proves those on the
engine itself (`scorecard`, what the commands and the console show). Prompt times are
estimated at SPEECH_RATE words a second, a common rate for phone voices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes import of
from ivr_app.flow.nodes.base import Facts
from ivr_app.flow.wording import PRINTED, Wording, joined, words

SPEECH_RATE = 2.5  # words a second (150 a minute)
MAX_LISTEN_S = 20.0  # before the caller hears how to reach a person; and any one prompt
MAX_BEFORE_SERVICE_S = 15.0  # from the greeting to the first question
MAX_OFFER_AFTER_S = 600  # a callback is offered once the estimated wait passes this


@dataclass(frozen=True)
class Point:
    """One point of the standard, passed or not; `said` is its evidence in every language
    of the console, `evidence` the English the commands print."""

    point: int
    name: str
    passed: bool
    said: Wording

    @property
    def evidence(self) -> str:
        return self.said.render(PRINTED)

    def as_json(self) -> dict[str, object]:
        return {"point": self.point, "name": self.name, "pass": self.passed,
                "evidence": self.evidence}


def audit(flow: Flow) -> list[Point]:
    """The nine points, in order."""
    return [check(flow) for check in CHECKS]


def seconds(text: str) -> float:
    """How long a text takes to say, at SPEECH_RATE."""
    return len(re.findall(r"\w+", text)) / SPEECH_RATE


def queues(flow: Flow) -> list[str]:
    """Every queue a caller can wait in for a person."""
    found = [flow.human.queue, flow.human.supervisor_queue]
    found += [flow.queue_for(n) for n in flow.nodes.values() if n.transfers_to() is not None]
    return sorted({q for q in found if q})


def _facts(node: Node) -> Facts:
    return of(node).facts(node)


def _questions(flow: Flow) -> list[Node]:
    return [n for n in flow.nodes.values() if n.asks]


def person_from_every_question(flow: Flow) -> Point:
    missing = [lang for lang in flow.languages if not flow.escape_words.get(lang)]
    escapes = "; ".join(f"{lang}: {', '.join(flow.escape_words.get(lang, ()))}"
                        for lang in flow.languages)
    evidence = words(
        "{n} questions; key 0 at every one (the loader refuses a flow that binds 0), and "
        "escape words {words}: 1 input by key and by speech", "{n} preguntas; la tecla 0 en "
        "cada una (la revisión rechaza un flujo que use el 0), y las palabras de salida "
        "{words}: 1 entrada por tecla y por voz", n=len(_questions(flow)), words=escapes)
    if missing:
        evidence = words("no escape words in {langs}: speech needs more than 1 input",
                         "sin palabras de salida en {langs}: por voz hace falta más de 1 "
                         "entrada", langs=", ".join(missing))
    return Point(1, "A person from every question", not missing, evidence)


def wait_and_position(flow: Flow) -> Point:
    needs = {"queue_position": "{position}", "wait_minutes": "{minutes}", "wait_unknown": ""}
    gaps = [f"{lang}.{key}" for lang in flow.languages for key, field in needs.items()
            if not flow.messages[lang].get(key) or field not in flow.messages[lang][key]]
    evidence = words("queues {queues} announce position and estimate on entering and every "
                     "minute, and say so plainly when nobody is signed in", "las filas "
                     "{queues} anuncian el lugar y el estimado al entrar y cada minuto, y lo "
                     "dicen claramente cuando no hay nadie conectado",
                     queues=", ".join(queues(flow)))
    return Point(2, "Wait and position announced", not gaps, evidence if not gaps else words(
        "messages missing their number: {gaps}", "mensajes sin su número: {gaps}",
        gaps=", ".join(gaps)))


def never_asked_twice(flow: Flow) -> Point:
    twice = []
    for node in flow.nodes.values():
        facts = _facts(node)
        if facts.collects and facts.asks_again:
            earlier = _reaches(flow, facts.collects, node.id)
            if earlier:
                twice.append(words("{var!r} at {node!r} after {earlier!r}",
                                   "{var!r} en {node!r} después de {earlier!r}",
                                   var=facts.collects, node=node.id, earlier=earlier))
    collected = sorted({c for n in flow.nodes.values() if (c := _facts(n).collects)})
    evidence = words("variables {vars} are asked at most once on any path and go to the "
                     "agent's whisper and screen", "las variables {vars} se preguntan a lo "
                     "sumo una vez en cualquier camino y van al aviso y a la pantalla del "
                     "agente", vars=", ".join(collected) or words("none", "ninguna"))
    return Point(3, "Never asked twice", not twice, evidence if not twice else words(
        "asked again: {twice}", "preguntadas de nuevo: {twice}", twice=joined(twice)))


def _reaches(flow: Flow, variable: str, target: str) -> str:
    """A collect node of `variable` from which `target` can be reached, if any."""
    for start in flow.nodes.values():
        if _facts(start).collects != variable:
            continue
        seen, todo = set(), list(start.targets())
        while todo:
            node_id = todo.pop()
            if node_id == target:
                return start.id
            if node_id not in seen and node_id in flow.nodes:
                seen.add(node_id)
                todo.extend(flow.nodes[node_id].targets())
    return ""


def callbacks_offered(flow: Flow) -> Point:
    late = [q for q in queues(flow) if flow.callbacks.threshold(q) > MAX_OFFER_AFTER_S]
    has_hours = any(_facts(n).hours for n in flow.nodes.values())
    after_hours = bool(flow.callbacks.hours) or not has_hours
    problems = [words("{queue} offers a callback only after {after} s",
                      "{queue} ofrece una devolución solo después de {after} s", queue=q,
                      after=flow.callbacks.threshold(q)) for q in late]
    if not after_hours:
        problems.append(words("the flow closes by hours but sets no callbacks.hours for "
                              "after-hours", "el flujo cierra por horario pero no define "
                              "callbacks.hours para fuera de horario"))
    evidence = words("every queue offers a callback above {offer} s of estimated wait or "
                     "{hold} s on hold; after hours: {after}", "cada fila ofrece una "
                     "devolución por encima de {offer} s de espera estimada o {hold} s en "
                     "espera; fuera de horario: {after}", offer=flow.callbacks.offer_after,
                     hold=flow.callbacks.max_hold, after=words(
                         "a callback at the next opening or a voice message",
                         "una devolución al abrir o un mensaje de voz") if after_hours else "-")
    return Point(4, "Callbacks when the wait is long", not problems,
                 evidence if not problems else joined(problems))


def keys_for_speech(flow: Flow) -> Point:
    facts = [(n, _facts(n)) for n in flow.nodes.values()]
    keyless = [f"{n.id}: {c.label}" for n, f in facts
               for c in (*f.choices, *(f.language_choices or ())) if not c.key]
    spoken = sum(1 for _, f in facts for c in f.choices if c.spoken)
    return Point(5, "Keys for everything spoken", not keyless, words(
        "all {n} spoken options have a key", "las {n} opciones habladas tienen tecla",
        n=spoken) if not keyless else words("options with no key: {keyless}",
                                            "opciones sin tecla: {keyless}",
                                            keyless=", ".join(keyless)))


def short_prompts(flow: Flow) -> Point:
    longest_prompt, where = 0.0, ""
    for node in flow.nodes.values():
        for lang, said in node.prompt.items():
            if seconds(said.text) > longest_prompt:
                longest_prompt, where = seconds(said.text), f"{node.id} ({lang})"
    before, path = max(((secs, f"{nodes}, {lang}") for lang in flow.languages
                        for secs, nodes in (_listen_until_question(flow, n.id, lang)
                                            for n in flow.nodes.values())),
                       default=(0.0, ""))
    passed = longest_prompt <= MAX_LISTEN_S and before <= MAX_LISTEN_S
    return Point(6, "Short prompts", passed, words(
        "at {rate:g} words/s: longest prompt {longest:.0f} s ({where}); longest before hearing "
        "how to reach a person {before:.0f} s ({path}); limit {limit:.0f} s",
        "a {rate:g} palabras/s: mensaje más largo {longest:.0f} s ({where}); lo más largo "
        "antes de oír cómo llegar a una persona {before:.0f} s ({path}); límite {limit:.0f} s",
        rate=SPEECH_RATE, longest=longest_prompt, where=where, before=before, path=path,
        limit=MAX_LISTEN_S))


def _listen_until_question(flow: Flow, node_id: str, lang: str,
                           with_question: bool = True) -> tuple[float, str]:
    """The most seconds of prompts a caller hears from `node_id` through statements (every
    branch of a branch node) up to the next question, whose prompt counts when
    `with_question` (the escape note follows it); and the nodes on that path."""
    node = flow.nodes[node_id]
    said = node.prompt.get(lang)
    own = seconds(said.text) if said and (with_question or not node.asks) else 0.0
    onward = [] if node.asks else of(node).passes_to(node)
    best = max((_listen_until_question(flow, t, lang, with_question) for t in onward),
               default=(0.0, ""))
    return own + best[0], node_id + (f" -> {best[1]}" if best[1] else "")


def no_advertising(flow: Flow) -> Point:
    before, path = max((secs, f"{nodes}, {lang}") for lang in flow.languages
                       for secs, nodes in [_listen_until_question(flow, flow.start, lang,
                                                                   with_question=False)])
    return Point(7, "No advertising before service", before <= MAX_BEFORE_SERVICE_S, words(
        "{before:.0f} s of statements before the first question ({path}; limit {limit:.0f} s)",
        "{before:.0f} s de avisos antes de la primera pregunta ({path}; límite {limit:.0f} s)",
        before=before, path=path, limit=MAX_BEFORE_SERVICE_S))


def never_disconnected(flow: Flow) -> Point:
    goodbyes = [n.id for n in flow.nodes.values() if _facts(n).goodbye]
    unchosen = [g for g in goodbyes if not _only_chosen(flow, g)]
    evidence = words("silence, wrong answers and our errors end with a person; the call ends "
                     "only at goodbyes the caller picks in a menu: {goodbyes}", "el silencio, "
                     "las respuestas equivocadas y nuestros errores terminan con una persona; "
                     "la llamada solo termina en despedidas que quien llama elige en un menú: "
                     "{goodbyes}", goodbyes=", ".join(sorted(goodbyes)))
    return Point(8, "Never disconnected", not unchosen, evidence if not unchosen else words(
        "ends the call without the caller choosing it: {nodes}", "termina la llamada sin que "
        "quien llama lo elija: {nodes}", nodes=", ".join(unchosen)))


def _only_chosen(flow: Flow, goodbye: str) -> bool:
    """Every way into `goodbye` is a menu choice, possibly followed by statements."""
    into = [n for n in flow.nodes.values() if goodbye in n.targets()]
    if goodbye == flow.start or not into:
        return False
    for node in into:
        facts = _facts(node)
        if facts.chosen:
            continue
        if not facts.statement or not _only_chosen(flow, node.id):
            return False
    return True


def languages(flow: Flow) -> Point:
    langs = list(flow.languages)
    choosers = [n for n in flow.nodes.values() if _facts(n).language_choices is not None]
    spoken = {c.label for n in choosers for c in _facts(n).language_choices or ()
              if c.key and c.spoken}
    problems = [lang for lang in langs if lang not in spoken] if len(langs) > 1 else []
    chosen = words("; chosen by key and by speech at {nodes}", "; se eligen por tecla y por "
                   "voz en {nodes}", nodes=", ".join(n.id for n in choosers)) if choosers else ""
    evidence = words("{langs}: every prompt in each (the loader refuses a missing "
                     "translation){chosen}", "{langs}: cada mensaje en cada uno (la revisión "
                     "rechaza una traducción que falte){chosen}", langs=", ".join(langs),
                     chosen=chosen)
    return Point(9, "Languages", not problems, evidence if not problems else words(
        "not choosable by key and by speech: {langs}", "no se pueden elegir por tecla y por "
        "voz: {langs}", langs=", ".join(problems)))


CHECKS = (person_from_every_question, wait_and_position, never_asked_twice, callbacks_offered,
          keys_for_speech, short_prompts, no_advertising, never_disconnected, languages)
