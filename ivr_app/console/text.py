"""The console's words in Spanish and English; the reader's choice is kept in their session.

Pages take `t("key")`; scripts get the same table as JSON (`script_text()`), so a
page and its live updates always speak one language.
"""

from __future__ import annotations

from flask import has_request_context, request, session

LANGUAGES = ("es", "en")

TEXT: dict[str, dict[str, str]] = {
    "es": {
        "title": "Consola de atención", "sign_in": "Entrar", "sign_out": "Salir",
        "name": "Usuario", "password": "Contraseña", "login_failed":
            "Usuario o contraseña incorrectos.", "login_limited":
            "Demasiados intentos. Espere un minuto e intente de nuevo.",
        "forbidden": "Esta página es solo para supervisores.",
        "unavailable": "La consola no puede leer sus datos (Redis no responde). Las "
                       "llamadas siguen llegando a una persona. Esta página vuelve sola en "
                       "cuanto Redis responda.",
        "nav_agent": "Mi pantalla", "nav_board": "Tablero", "nav_flows": "Flujos",
        "nav_metrics": "Métricas", "reconnecting": "Sin conexión; reintentando…",
        "no_agent": "No hay un agente «{agent}» en la lista de agentes; un supervisor "
                    "debe agregarlo para que usted reciba llamadas.",
        "status": "Estado", "available": "Disponible", "away": "Ausente",
        "wrap-up": "Cierre", "busy": "En llamada", "offered": "Sonando",
        "since": "desde", "wrap_code": "Código de cierre", "wrap_note": "Nota de cierre",
        "save_wrap_up": "Guardar cierre", "set": "Cambiar",
        "ringing": "Llamada entrante", "on_call": "En llamada con", "no_call":
            "Sin llamada. Cuando suene una, aquí verá todo lo que el cliente ya dijo.",
        "caller": "Número", "language": "Idioma", "queue": "Fila", "reason": "Motivo",
        "variables": "Datos", "path": "Recorrido", "said": "Lo que dijo",
        "wait_told": "Espera anunciada", "wait_had": "Espera real", "notes": "Notas",
        "earlier": "Llamadas y devoluciones anteriores de este número", "none": "Ninguna",
        "accept": "Aceptar", "escalate": "Pasar a supervisor", "escalate_note":
            "Nota para el supervisor", "schedule_callback": "Programar devolución",
        "callback_when": "Cuándo", "callback_number": "Número", "done": "Hecho.",
        "my_queues": "Mis filas", "waiting": "En espera", "position": "Lugar",
        "topic": "Tema", "waited": "Esperó", "estimate": "Estimado",
        "callbacks_due": "Devoluciones pendientes", "due": "Para", "state": "Estado",
        "attempts": "Intentos", "messages": "Mensajes de voz", "play": "Escuchar",
        "agents": "Agentes", "late": "Atrasadas", "missed": "Perdidas",
        "queues": "Filas", "nobody_waiting": "Nadie espera.",
        "flows": "Flujos", "flow": "Flujo", "lint": "Revisión", "ok": "correcto",
        "problems": "{n} problema(s)", "live": "atiende llamadas", "version": "Versión",
        "edit": "Editar", "save": "Guardar y activar", "saved":
            "Versión {version} activada.", "draft_kept":
            "El flujo tiene errores: se guardó como borrador y no atiende llamadas. "
            "La versión {version} sigue activa.",
        "draft": "Borrador", "history": "Versiones activadas", "who": "Quién",
        "when": "Cuándo", "how": "Cómo", "rollback": "Volver a esta versión",
        "rolled_back": "Se volvió a la versión {version}.", "active": "activa",
        "conflict": "Otra persona activó la versión {live} después de la versión {base} que "
                    "usted editaba: su texto se guardó como borrador y no se activó. Revise "
                    "los cambios y vuelva a guardar.",
        "not_loadable": "ya no pasa la revisión",
        "diagram": "Diagrama", "escape": "0 / agente → persona",
        "scorecard": "Estándar GetHuman: los nueve puntos", "pass": "Cumple",
        "fail": "No cumple",
        "line_col": "línea {line}, columna {column}", "open": "Abrir en el editor",
        "try_call": "Probar una llamada", "try_start": "Llamar", "try_hangup": "Colgar",
        "try_say": "Decir", "try_silence": "Silencio", "try_heard": "Se escucha",
        "try_ended": "Llamada terminada: {ending}", "try_version":
            "Se prueba el texto del editor (versión {version}).",
        "metrics": "Métricas", "day": "Día", "all_flows": "Todos", "show": "Mostrar",
        "csv": "Descargar CSV", "calls_per_hour": "Llamadas por hora",
        "outcomes": "Cómo terminaron", "zero_outs": "Dónde marcan 0, por menú",
        "to_person": "Del inicio a una persona", "abandoned": "Abandonos en la fila",
        "est_vs_real": "Espera estimada contra real", "callbacks": "Devoluciones",
        "on_time": "A tiempo", "p50": "mediana", "p90": "p90", "calls": "llamadas",
        "self-service": "Autoservicio", "person": "Con una persona", "callback":
            "Devolución", "hung-up": "Colgó en los menús", "in-line": "Abandonó en la fila",
        "no_data": "Sin datos para este día.", "seconds": "s",
        "demo_legs": "Llamadas que hizo la línea (simulador de Twilio)",
        "answer": "Contestar", "press": "Marcar", "hang_up": "Colgar",
        "to": "A", "purpose": "Para", "cancelled": "Canceladas", "pending": "Pendientes",
    },
    "en": {
        "title": "Contact console", "sign_in": "Sign in", "sign_out": "Sign out",
        "name": "User", "password": "Password", "login_failed":
            "Wrong user name or password.", "login_limited":
            "Too many attempts. Wait a minute and try again.",
        "forbidden": "This page is for supervisors only.",
        "unavailable": "The console cannot read its data (Redis does not answer). Calls "
                       "still reach a person. This page comes back by itself as soon as "
                       "Redis answers.",
        "nav_agent": "My screen", "nav_board": "Board", "nav_flows": "Flows",
        "nav_metrics": "Metrics", "reconnecting": "Connection lost; retrying…",
        "no_agent": "There is no agent “{agent}” in the roster; a supervisor must add one "
                    "before calls can reach you.",
        "status": "Status", "available": "Available", "away": "Away",
        "wrap-up": "Wrap-up", "busy": "On a call", "offered": "Ringing",
        "since": "since", "wrap_code": "Wrap-up code", "wrap_note": "Wrap-up note",
        "save_wrap_up": "Save wrap-up", "set": "Set",
        "ringing": "Incoming call", "on_call": "On a call with", "no_call":
            "No call. When one rings, everything the caller already said shows here.",
        "caller": "Number", "language": "Language", "queue": "Queue", "reason": "Reason",
        "variables": "Details", "path": "Path", "said": "What they said",
        "wait_told": "Wait told", "wait_had": "Wait had", "notes": "Notes",
        "earlier": "Earlier calls and callbacks from this number", "none": "None",
        "accept": "Accept", "escalate": "Escalate to a supervisor", "escalate_note":
            "Note for the supervisor", "schedule_callback": "Schedule a callback",
        "callback_when": "When", "callback_number": "Number", "done": "Done.",
        "my_queues": "My queues", "waiting": "Waiting", "position": "Place",
        "topic": "Topic", "waited": "Waited", "estimate": "Estimate",
        "callbacks_due": "Callbacks due", "due": "Due", "state": "State",
        "attempts": "Tries", "messages": "Voice messages", "play": "Play",
        "agents": "Agents", "late": "Late", "missed": "Missed",
        "queues": "Queues", "nobody_waiting": "Nobody is waiting.",
        "flows": "Flows", "flow": "Flow", "lint": "Check", "ok": "ok",
        "problems": "{n} problem(s)", "live": "answers calls", "version": "Version",
        "edit": "Edit", "save": "Save and activate", "saved": "Version {version} is live.",
        "draft_kept": "The flow has errors: it was kept as a draft and answers no calls. "
                      "Version {version} stays live.",
        "draft": "Draft", "history": "Activated versions", "who": "Who", "when": "When",
        "how": "How", "rollback": "Roll back to this version",
        "rolled_back": "Rolled back to version {version}.", "active": "live",
        "conflict": "Someone else made version {live} live after version {base}, which you "
                    "were editing: your text was kept as a draft and is not live. Look at "
                    "what changed, then save again.",
        "not_loadable": "no longer passes the check",
        "diagram": "Diagram", "escape": "0 / agent → person",
        "scorecard": "GetHuman standard: the nine points", "pass": "Pass", "fail": "Fail",
        "line_col": "line {line}, column {column}", "open": "Open in the editor",
        "try_call": "Try a call", "try_start": "Call", "try_hangup": "Hang up",
        "try_say": "Say", "try_silence": "Silence", "try_heard": "Heard",
        "try_ended": "Call ended: {ending}", "try_version":
            "Trying the editor's text (version {version}).",
        "metrics": "Metrics", "day": "Day", "all_flows": "All", "show": "Show",
        "csv": "Download CSV", "calls_per_hour": "Calls per hour",
        "outcomes": "How calls ended", "zero_outs": "Where callers press 0, per menu",
        "to_person": "Call start to a person", "abandoned": "Hung up in line",
        "est_vs_real": "Estimated against actual wait", "callbacks": "Callbacks",
        "on_time": "On time", "p50": "median", "p90": "p90", "calls": "calls",
        "self-service": "Self-service", "person": "Reached a person", "callback":
            "Callback", "hung-up": "Hung up in the menus", "in-line": "Hung up in line",
        "no_data": "No data for this day.", "seconds": "s",
        "demo_legs": "Calls the line placed (Twilio stand-in)",
        "answer": "Answer", "press": "Press", "hang_up": "Hang up",
        "to": "To", "purpose": "For", "cancelled": "Cancelled", "pending": "Pending",
    },
}


def language() -> str:
    """The reader's language: their choice, else their browser's, else Spanish."""
    if not has_request_context():
        return LANGUAGES[0]
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def t(key: str, **values: object) -> str:
    """One piece of interface text in the reader's language (plain text; templates escape)."""
    words = TEXT[language()].get(key) or TEXT["en"].get(key, key)
    return words.format(**values) if values else words


def script_text() -> dict[str, str]:
    """The whole table in the reader's language, for the page's scripts."""
    return TEXT[language()]
