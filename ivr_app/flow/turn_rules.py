"""What one turn of a call can cost, so that every turn lint accepts can be played.

A turn plays every statement node (a say, a branch, a collect skipped because its
variable is known) up to the next question or ending, all in one TwiML document.
Twilio refuses a document over 64 KB and the engine plays at most MAX_TURN_NODES
nodes in one turn, so lint refuses a flow whose longest turn passes either: such a
turn would end the call with the reason "our error". Sizes are upper bounds, per
language, of the text as TwiML escapes it plus the markup around it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from ivr_app.flow import spec
from ivr_app.flow.model import Flow, Node, Utterance
from ivr_app.flow.nodes import of
from ivr_app.flow.wording import Wording, words

MAX_TWIML_BYTES = 64 * 1024  # Twilio's limit for one TwiML document
MAX_TURN_NODES = 200  # nodes the engine walks in one turn
WRAPPER_BYTES = 1024  # Gather, Record, Redirect or Enqueue with their URLs, the XML header
RETRY_MESSAGES = ("no_input", "not_understood", "use_keys", "callback_cancelled")

Finding = tuple[str, Wording, str]  # (node id, message, rule)


def say_bytes(flow: Flow, lang: str, text: str) -> int:
    """Bytes of <Say> with this language's voice around `text`, escaped as TwiML is."""
    voice = flow.languages[lang]
    markup = f'<Say language="{voice.locale}" voice="{voice.voice}"></Say>'
    return len(markup.encode()) + len(escape(text).encode())


def utterance_bytes(flow: Flow, lang: str, said: Utterance | None) -> int:
    if said is None:
        return 0
    if said.play:
        return len(f"<Play>{escape(said.play)}</Play>".encode())
    return say_bytes(flow, lang, said.text)


def turn_bytes(flow: Flow, lang: str, node_id: str) -> tuple[int, int]:
    """The most nodes and TwiML bytes a turn that enters `node_id` can play in `lang`."""
    return _longest(flow, lang)[node_id]


def check_turns(flow: Flow) -> list[Finding]:
    """Turns too long for the engine or too large for Twilio, and message documents too."""
    findings: list[Finding] = []
    for lang in flow.languages:
        longest = _longest(flow, lang)
        lead = max(say_bytes(flow, lang, flow.messages[lang][k]) for k in RETRY_MESSAGES)
        node_id, (count, size) = max(longest.items(), key=lambda item: item[1][1])
        total = WRAPPER_BYTES + lead + size
        if total > MAX_TWIML_BYTES:
            findings.append((node_id, words(
                "a turn entering node {node!r} can say {total} bytes of TwiML in {lang!r}, "
                "over Twilio's limit of {limit}: shorten its prompts or ask something between "
                "them", "un turno que entra al nodo {node!r} puede decir {total} bytes de TwiML "
                "en {lang!r}, más que el límite de Twilio de {limit}: acorte sus mensajes o "
                "pregunte algo entre ellos", node=node_id, total=total, lang=lang,
                limit=MAX_TWIML_BYTES), "twiml-size"))
        node_id, (count, size) = max(longest.items(), key=lambda item: item[1][0])
        if count > MAX_TURN_NODES:
            findings.append((node_id, words(
                "from node {node!r}, {count} nodes play without asking anything; a turn plays "
                "at most {limit}: ask something between them", "desde el nodo {node!r}, "
                "{count} nodos suenan sin preguntar nada; un turno reproduce como máximo "
                "{limit}: pregunte algo entre ellos", node=node_id, count=count,
                limit=MAX_TURN_NODES), "long-turn"))
        every_message = sum(say_bytes(flow, lang, t) for t in flow.messages[lang].values())
        if WRAPPER_BYTES + every_message > MAX_TWIML_BYTES:
            findings.append(("", words(
                "messages.{lang} add up to {size} bytes of TwiML; an answer made of them could "
                "pass Twilio's limit of {limit}: shorten them", "messages.{lang} suman {size} "
                "bytes de TwiML; una respuesta hecha con ellos podría pasar el límite de "
                "Twilio de {limit}: acórtelos", lang=lang, size=every_message,
                limit=MAX_TWIML_BYTES), "twiml-size"))
    return findings


def _ends_with(flow: Flow, lang: str, node: Node) -> int:
    """Bytes of what a turn says when it stops at `node`: a question or an ending."""
    kind = of(node)
    if kind.question is None:
        said = utterance_bytes(flow, lang, node.prompt.get(lang))
        person = node.transfers_to() is not None
        return said + (say_bytes(flow, lang, flow.messages[lang]["to_human"]) if person else 0)
    question = kind.question(node, lang)
    size = 0
    for other in question.languages:
        words = flow.messages[other]
        said = utterance_bytes(flow, other, node.prompt.get(other))
        if question.confirms:
            digits = " ".join("9" * spec.MAX_DIGITS)
            said = max(said, say_bytes(flow, other,
                                       words["confirm_digits"].replace("{digits}", digits)))
        size += said + say_bytes(flow, other, words["escape"]) + \
            say_bytes(flow, other, words["speech_hint"])
    return size


def _longest(flow: Flow, lang: str) -> dict[str, tuple[int, int]]:
    """Per node, the most (nodes, bytes) a turn entering it plays; iterative, since a
    chain of statements may be longer than Python's recursion allows."""
    done: dict[str, tuple[int, int]] = {}
    opened: set[str] = set()  # a loop back to one of these adds nothing (lint refuses it)
    for first in flow.nodes:
        stack = [first]
        while stack:
            node_id = stack[-1]
            node = flow.nodes[node_id]
            onward = [t for t in of(node).passes_to(node) if t in flow.nodes]
            waiting = [t for t in onward if t not in done and t not in opened]
            if node_id not in done and node_id not in opened and waiting:
                opened.add(node_id)
                stack.extend(waiting)
                continue
            stack.pop()
            if node_id not in done:
                done[node_id] = _through(flow, lang, node,
                                         [done.get(t, (0, 0)) for t in onward])
    return done


def _through(flow: Flow, lang: str, node: Node,
             onward: list[tuple[int, int]]) -> tuple[int, int]:
    if not of(node).passes_to(node):
        return 1, _ends_with(flow, lang, node)
    own = utterance_bytes(flow, lang, node.prompt.get(lang)) if not node.asks else 0
    nodes = 1 + max((count for count, _ in onward), default=0)
    size = own + max((size for _, size in onward), default=0)
    if node.asks:  # a collect that asks when its variable is not known yet
        size = max(size, _ends_with(flow, lang, node))
    return nodes, size
