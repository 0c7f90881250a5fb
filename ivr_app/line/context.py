"""What an agent learns before taking a call, so the caller never repeats themselves.

One dictionary, built from the call's state and its place in line: the JSON
the agent console shows, and the source of the whisper the agent hears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ivr_app.call import turn
from ivr_app.flow.builtins import LANGUAGE_NAMES
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes.language import KEPT
from ivr_app.state.queues import Waiter

if TYPE_CHECKING:
    from ivr_app.services import Services

WHISPER = {
    "es": {
        "intro": "Llamada de la fila {queue}.",
        "callback": "Es una devolución de llamada solicitada hace {minutes} minutos.",
        "callback_one": "Es una devolución de llamada solicitada hace 1 minuto.",
        "reason": "Motivo: {reason}.",
        "var": "{name}: {value}.",
        "said": "El cliente dijo: {text}.",
        "language": "El cliente habla {language}.",
        "fallback": "Ningún agente de su idioma está conectado.",
        "note": "Nota del agente: {note}.",
        "earlier": "Llamó antes por: {reason}.",
        "earlier_note": "Nota de esa llamada: {note}.",
        "accept": "Para aceptar la llamada, marque uno.",
    },
    "en": {
        "intro": "Call from the {queue} queue.",
        "callback": "This is a callback requested {minutes} minutes ago.",
        "callback_one": "This is a callback requested 1 minute ago.",
        "reason": "Reason: {reason}.",
        "var": "{name}: {value}.",
        "said": "The caller said: {text}.",
        "language": "The caller speaks {language}.",
        "fallback": "No agent who speaks their language is signed in.",
        "note": "Agent note: {note}.",
        "earlier": "They called before about: {reason}.",
        "earlier_note": "Note from that call: {note}.",
        "accept": "To accept the call, press one.",
    },
}


# The reasons the line gives, as an agent hears them; a flow's own reasons are said as the
# flow writes them. Those with a {value} start with the same words whatever the value.
REASONS = {
    "es": {
        turn.REASON_ASKED: "pidió hablar con una persona",
        turn.REASON_SUPERVISOR: "pidió hablar con un supervisor",
        turn.REASON_NO_INPUT: "no respondió",
        turn.REASON_NOT_UNDERSTOOD: "no se entendió su respuesta",
        turn.REASON_UNHEARD: "no se reconoció su voz a tiempo",
        turn.REASON_ERROR: "un error de nuestro sistema",
        turn.REASON_ESCALATED: "escalada por {agent}",
        turn.REASON_AGAIN: "llama de nuevo: {reason}",
    },
}


def said_reason(reason: str, lang: str, flow: Flow | None = None) -> str:
    """A reason in `lang`: the line's own ones translated, a flow's by the name `flow`
    gives it in that language, or as written."""
    words = REASONS.get(lang, {})
    if reason in words:
        return words[reason]
    for template, said in words.items():
        head, brace, rest = template.partition("{")
        if brace and reason.startswith(head):
            name = rest.partition("}")[0]
            value = reason[len(head):]
            inner = said_reason(value, lang, flow) if name == "reason" else value
            return said.format(**{name: inner})
    return flow.reason_said(reason, lang) if flow else reason


def call_context(state: dict[str, Any], waiter: Waiter | None,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the call has gathered: caller, language, variables, path, reason, speech."""
    outcome = state.get("outcome") or {}
    variables = {k: v for k, v in state.get("vars", {}).items() if k != "language"}
    said = [{"at": e["at"], "node": e["node"], "text": e["input"],
             "confidence": e.get("confidence")}
            for e in state.get("path", []) if e.get("event") == "speech"]
    context = {
        "call_sid": state.get("sid", ""),
        "caller": state.get("from", ""),
        "language": state.get("lang", ""),
        "language_remembered": KEPT in state,  # not asked: the number chose it before
        "variables": variables,
        "reason": waiter.reason if waiter else outcome.get("reason", ""),
        "queue": waiter.queue if waiter else outcome.get("queue", ""),
        "waiting_since": waiter.entered if waiter else None,
        "path": state.get("path", []),
        "said": said,
        "flow": {"name": state.get("flow", ""), "version": state.get("version", "")},
        "started": state.get("started", ""),
        "earlier": state.get("earlier"),  # a call we remembered, when they go on with it
    }
    return context | (extra or {})


def context_for(ivr: Services, sid: str, waiter: Waiter | None) -> dict[str, Any] | None:
    """What an agent is told about a caller in line: their call's context, or the one a
    callback request kept (with how long ago it was asked for); None if unknown."""
    extra = {"language_fallback": bool(waiter and waiter.language_fallback),
             "notes": ivr.store.notes(sid)}
    if sid.startswith("CB"):
        callback = ivr.callbacks.get(sid)
        if callback is None:
            return None
        minutes = callback.minutes_since_request(ivr.clock())
        # call_sid: the callback itself, what the agent is offered and accepts
        return callback.context | extra | {"callback_minutes": minutes, "call_sid": sid,
                                           "queue": callback.queue, "reason": callback.reason}
    _, state = ivr.store.load(sid)
    return None if state is None else call_context(state, waiter, extra)


def whisper_text(context: dict[str, Any], lang: str, flow: Flow | None = None) -> str:
    """The short summary read to the agent before they accept, in the agent's language: the
    queue and the flow's reasons by the names `flow` gives them in that language, and the
    line's reasons translated."""
    words = WHISPER.get(lang, WHISPER["en"])
    queue = context.get("queue", "")
    parts = [words["intro"].format(queue=flow.queue_said(queue, lang) if flow else queue)]
    minutes = context.get("callback_minutes")
    if minutes is not None:
        parts.append(words["callback_one" if minutes == 1 else "callback"].format(minutes=minutes))
    if context.get("reason"):
        parts.append(words["reason"].format(reason=said_reason(context["reason"], lang, flow)))
    for name, value in context.get("variables", {}).items():
        parts.append(words["var"].format(name=name.replace("_", " "), value=_spoken(value)))
    for item in context.get("said", [])[-2:]:
        parts.append(words["said"].format(text=item["text"]))
    names = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"])
    caller_lang = context.get("language", "")
    parts.append(words["language"].format(language=names.get(caller_lang, caller_lang)))
    if context.get("language_fallback"):
        parts.append(words["fallback"])
    for note in context.get("notes", []):
        parts.append(words["note"].format(note=note))
    earlier = context.get("earlier") or {}
    if earlier:
        parts.append(words["earlier"].format(reason=said_reason(earlier["reason"], lang, flow)))
        parts += [words["earlier_note"].format(note=note) for note in earlier.get("notes", [])]
    parts.append(words["accept"])
    return " ".join(parts)


def _spoken(value: str) -> str:
    """Digits one by one ("1 2 3 4"), so an account number is read, not pronounced."""
    return " ".join(value) if value.isdigit() else value
