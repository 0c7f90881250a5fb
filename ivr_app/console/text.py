"""The console's words in Spanish and English; the reader's choice is kept in their session.

Pages take `t("key")`; scripts get the same table as JSON (`script_text()`), so a
page and its live updates always speak one language.
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context, request, session

LANGUAGES = ("es", "en")
NATIVE_NAMES = {"es": "Español", "en": "English"}  # each in itself, on the switch
CLOCKS = {"es": "%d/%m/%Y %H:%M", "en": "%m/%d/%Y %I:%M %p"}  # how each locale writes a time

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
        "none_m": "Ninguno", "nothing": "Nada",
        "accept": "Aceptar", "escalate": "Pasar a supervisor", "escalate_note":
            "Nota para el supervisor", "schedule_callback": "Programar devolución",
        "callback_when": "Cuándo", "callback_number": "Número", "done": "Hecho.",
        "my_queues": "Mis filas", "waiting": "En espera", "position": "Lugar",
        "topic": "Tema", "waited": "Esperó", "estimate": "Estimado",
        "callbacks_due": "Devoluciones pendientes", "due": "Para", "state": "Estado",
        "attempts": "Intentos", "messages": "Mensajes de voz", "play": "Escuchar",
        "texts": "Mensajes de texto", "language_remembered": "idioma recordado",
        "agents": "Agentes", "late": "Atrasadas", "missed": "Perdidas",
        "queues": "Filas", "nobody_waiting": "Nadie espera.",
        "more_waiting": "y {n} más en la fila",
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
        "opened_live": "Abierto desde la versión {version}, la activa.",
        "opened_draft": "Abierto desde el borrador de {who} ({when}), editado a partir de la "
                        "versión {version}.",
        "opened_version": "Abierto desde la versión registrada {version} ({when}); al guardar, "
                          "este texto se activa en lugar de la versión {live}.",
        "answering": "La versión {version} atiende las llamadas.",
        "none_answering": "Ninguna versión atiende las llamadas: cada llamada pasa directo a "
                          "una persona hasta que se corrija el archivo.",
        "live_changed": "La versión {live} se activó después de la versión {base} desde la "
                        "que edita: al guardar se le mostrará qué cambió y no se activará "
                        "nada sin que usted lo vea.",
        "disk_refused": "El archivo en disco no pasa la revisión (así lo dice "
                        "«python -m ivr_app lint»); sigue atendiendo la versión indicada arriba:",
        "diagram": "Diagrama", "escape": "0 / agente → persona",
        "scorecard": "Estándar GetHuman: los nueve puntos", "pass": "Cumple",
        "fail": "No cumple",
        "line_col": "línea {line}, columna {column}", "open": "Abrir en el editor",
        "replay": "Probar en un día de llamadas",
        "replay_hint": "Las llamadas grabadas de ese día, con las mismas respuestas, en el "
                       "texto del editor: nada de la línea en vivo cambia.",
        "replay_day": "Día", "replay_run": "Reproducir", "replay_bad_day": "Elija un día.",
        "replay_calls": "Llamadas reproducidas: {n}.", "replay_happened": "Lo que pasó",
        "replay_draft": "Con este texto", "replay_what": "Cómo terminan",
        "replay_self-service": "Autoservicio", "replay_person": "Con una persona",
        "replay_hung-up": "Colgaron en los menús",
        "replay_unanswered": "Sin respuesta grabada (el texto pide más de lo que contestaron)",
        "replay_refused": "Llamadas con respuestas que no se aceptan",
        "replay_questions": "Preguntas hasta una persona (mediana)",
        "replay_seconds": "Segundos hasta una persona (mediana)",
        "replay_person_at": "Persona en {where}",
        "replay_left": "Fuera: {n} ({why})", "replay_another-flow": "otro flujo",
        "replay_tried": "probadas desde la consola",
        "replay_greeted": "contestaron antes por una llamada anterior o una devolución",
        "replay_changed": "Llamadas que terminarían en otro lugar",
        "replay_call": "Llamada",
        "replay_same": "Todas terminarían donde terminaron.",
        "try_call": "Probar una llamada", "try_start": "Llamar", "try_hangup": "Colgar",
        "try_say": "Decir", "try_silence": "Silencio", "try_heard": "Se escucha",
        "try_version": "Se prueba el texto del editor (versión {version}).",
        "try_idle": "Sin llamada. «Llamar» marca el texto del editor.",
        "try_state_flow": "En el flujo: responde sus preguntas.",
        "try_state_line": "En la fila de {queue}, lugar {position}.",
        "try_state_told": "Espera anunciada: {wait}.",
        "try_state_ringing": "Sonando al agente {agent}.",
        "try_connected": "Conectada con el agente {agent}.",
        "try_state_person": "Transferida al número {number}.",
        "try_ended_caller": "Llamada terminada: usted colgó.",
        "try_ended_agent": "Llamada terminada: el agente colgó.",
        "try_ended_line": "Llamada terminada: la línea colgó.",
        "try_ended_goodbye": "Llamada terminada: el flujo se despidió y colgó.",
        "try_hint_one_key": "Esta pregunta toma una tecla: se envía en cuanto la marca.",
        "try_hint_number": "Marque el número y termine con {key}; tras {seconds} s sin otra "
                           "tecla, se envía lo marcado.",
        "try_hint_speech": "También puede escribir lo que diría la persona y elegir «Decir».",
        "try_keys": "Marcado: {keys}", "try_keypad": "Teclado del teléfono",
        "try_words": "Lo que dice la persona", "try_recording": "(se reproduce una grabación)",
        "metrics": "Métricas", "day": "Día", "all_flows": "Todos", "show": "Mostrar",
        "csv": "Descargar CSV", "calls_per_hour": "Llamadas por hora",
        "outcomes": "Cómo terminaron", "zero_outs": "Dónde marcan 0, por menú",
        "to_person": "Del inicio a una persona", "abandoned": "Abandonos en la fila",
        "est_vs_real": "Espera estimada contra real", "callbacks": "Devoluciones",
        "on_time": "A tiempo", "p50": "mediana", "p90": "p90", "calls": "llamadas",
        "self-service": "Autoservicio", "person": "Con una persona", "callback":
            "Devolución", "hung-up": "Colgó en los menús", "in-line": "Abandonó en la fila",
        "no_data": "Sin datos para este día.", "seconds": "s",
        "fcr": "Resueltas al primer contacto", "fcr_queue":
            "Resueltas al primer contacto, por fila", "fcr_agent":
            "Resueltas al primer contacto, por agente", "fcr_flow":
            "Resueltas al primer contacto, por flujo", "fcr_trend":
            "Resueltas al primer contacto, día por día", "no_fcr":
            "Ninguna llamada llegó a una persona.", "repeats":
            "Volvieron a llamar en menos de {hours} h", "surveys_answered":
            "Encuestas respondidas", "survey_solved": "Dijeron «resuelto»",
        "rating_mean": "Calificación media (1 a 5)", "no_surveys": "Sin encuestas este día.",
        "demo_legs": "Llamadas que hizo la línea (simulador de Twilio)",
        "answer": "Contestar", "press": "Marcar", "hang_up": "Colgar",
        "to": "Llamada a", "purpose": "Para qué", "cancelled": "Canceladas",
        "pending": "Pendientes",
        "locale": "es-MX", "login_needed": "Entre para ver esta página.",
        "role_agent": "agente", "role_supervisor": "supervisor", "actions": "Acciones",
        "step": "Paso", "what": "Qué pasó", "words": "Palabras",
        "not_told": "no se le anunció", "told_wait_unknown": "sin estimado (no había agentes)",
        "told_wait_under_minute": "menos de un minuto", "told_wait_one_minute": "un minuto",
        "told_wait_minutes": "{minutes} minutos",
        "no_calls_day": "Ninguna llamada este día.",
        "no_person_day": "Ninguna llamada llegó a una persona este día.",
        "nobody_waited": "Nadie esperó en la fila este día.",
        "no_waits_day": "Nadie con una espera anunciada fue atendido este día.",
        "chart_hours": "Hora del día", "max": "máx.",
        "shortcuts": "Atajos de teclado", "key_accept": "a", "key_hangup": "c",
        "key_wrap": "r", "shortcut_accept": "aceptar la llamada que suena",
        "shortcut_hangup": "colgar la llamada en curso",
        "shortcut_wrap": "ir al código de cierre", "hung_up": "Llamada colgada.",
        "code_resolved": "Resuelto", "code_follow-up": "Requiere seguimiento",
        "code_escalated": "Pasado a supervisor", "code_wrong-number": "Número equivocado",
        "code_other": "Otro",
        "cb_requested": "solicitada", "cb_waiting": "esperando su turno",
        "cb_dialing": "marcando", "cb_connected": "conectada",
        "cb_retry-wait": "se reintentará", "cb_completed": "completada",
        "cb_missed": "no se logró", "cb_cancelled": "cancelada",
        "call_queued": "en cola", "call_ringing": "sonando", "call_in-progress": "en curso",
        "call_completed": "terminada", "call_busy": "ocupado", "call_failed": "falló",
        "call_no-answer": "sin respuesta", "call_canceled": "cancelada",
        "ev_enter": "entró", "ev_digits": "marcó", "ev_speech": "dijo",
        "step_remembered": "¿por la llamada anterior?",
        "ev_silence": "no respondió", "ev_unclear": "no se entendió",
        "ev_unheard": "no se reconoció a tiempo",
        "purpose_agent": "Llamar a un agente", "purpose_callback": "Devolver una llamada",
        "purpose_other": "Otra llamada", "demo_in_room": "(en conversación)",
        "demo_waiting_room": "(esperando, con música)",
        "kind_language": "idioma", "kind_menu": "menú", "kind_collect": "datos",
        "kind_say": "mensaje", "kind_branch": "condición",
        "kind_transfer": "transferencia", "kind_goodbye": "despedida",
        "kind_person": "persona", "to_person_box": "persona: {queue}",
        "point_1": "Una persona desde cada pregunta", "point_2":
            "Se anuncian la espera y el lugar", "point_3": "Nunca se pregunta dos veces",
        "point_4": "Devolución si la espera es larga", "point_5":
            "Teclas para todo lo que se dice", "point_6": "Mensajes cortos",
        "point_7": "Sin publicidad antes del servicio", "point_8": "Nunca se corta",
        "point_9": "Idiomas", "how_console": "en la consola", "how_rollback": "vuelta atrás",
        "how_disk": "en el archivo", "who_disk": "el archivo en disco",
        "edge_key": "tecla {choice}", "edge_otherwise": "si no", "edge_open": "{hours} abierto",
        "edge_closed": "{hours} cerrado", "edge_set": "{var} con valor",
        "edge_not_set": "{var} sin valor", "edge_in": "{var} en {values}",
        "editor_label": "Texto del flujo {name}", "editor_keys":
            "Tab sangra la línea; Esc y luego Tab sale del editor.",
        "diagram_scroll": "Diagrama del flujo",
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
        "none_m": "None", "nothing": "Nothing",
        "accept": "Accept", "escalate": "Escalate to a supervisor", "escalate_note":
            "Note for the supervisor", "schedule_callback": "Schedule a callback",
        "callback_when": "When", "callback_number": "Number", "done": "Done.",
        "my_queues": "My queues", "waiting": "Waiting", "position": "Place",
        "topic": "Topic", "waited": "Waited", "estimate": "Estimate",
        "callbacks_due": "Callbacks due", "due": "Due", "state": "State",
        "attempts": "Tries", "messages": "Voice messages", "play": "Play",
        "texts": "Text messages", "language_remembered": "language remembered",
        "agents": "Agents", "late": "Late", "missed": "Missed",
        "queues": "Queues", "nobody_waiting": "Nobody is waiting.",
        "more_waiting": "and {n} more in line",
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
        "opened_live": "Opened from version {version}, the live one.",
        "opened_draft": "Opened from the draft by {who} ({when}), edited from version "
                        "{version}.",
        "opened_version": "Opened from recorded version {version} ({when}); saving makes "
                          "this text live in place of version {live}.",
        "answering": "Version {version} answers calls.",
        "none_answering": "No version answers calls: every caller goes straight to a person "
                          "until the file is fixed.",
        "live_changed": "Version {live} went live after version {base}, which you are "
                        "editing: saving will show you what changed, and nothing goes live "
                        "before you have seen it.",
        "disk_refused": "The file on disk is refused (as “python -m ivr_app lint” says); the "
                        "version named above goes on answering calls:",
        "diagram": "Diagram", "escape": "0 / agent → person",
        "scorecard": "GetHuman standard: the nine points", "pass": "Pass", "fail": "Fail",
        "line_col": "line {line}, column {column}", "open": "Open in the editor",
        "replay": "Try on a day of calls",
        "replay_hint": "That day's recorded calls, with the same answers, on the editor's "
                       "text: nothing of the live line changes.",
        "replay_day": "Day", "replay_run": "Replay", "replay_bad_day": "Choose a day.",
        "replay_calls": "Calls replayed: {n}.", "replay_happened": "What happened",
        "replay_draft": "With this text", "replay_what": "How they end",
        "replay_self-service": "Self-service", "replay_person": "With a person",
        "replay_hung-up": "Hung up in the menus",
        "replay_unanswered": "No recorded answer (the text asks more than they answered)",
        "replay_refused": "Calls with answers not taken",
        "replay_questions": "Questions to a person (median)",
        "replay_seconds": "Seconds to a person (median)",
        "replay_person_at": "Person at {where}",
        "replay_left": "Left out: {n} ({why})", "replay_another-flow": "another flow",
        "replay_tried": "tried from the console",
        "replay_greeted": "asked about an earlier call or a callback first",
        "replay_changed": "Calls that would end elsewhere",
        "replay_call": "Call",
        "replay_same": "Every call would end where it ended.",
        "try_call": "Try a call", "try_start": "Call", "try_hangup": "Hang up",
        "try_say": "Say", "try_silence": "Silence", "try_heard": "Heard",
        "try_version": "Trying the editor's text (version {version}).",
        "try_idle": "No call. Call dials the editor's text.",
        "try_state_flow": "In the flow: answering its questions.",
        "try_state_line": "In line for {queue}, place {position}.",
        "try_state_told": "Wait told: {wait}.",
        "try_state_ringing": "Ringing agent {agent}.",
        "try_connected": "Connected to agent {agent}.",
        "try_state_person": "Put through to {number}.",
        "try_ended_caller": "Call ended: you hung up.",
        "try_ended_agent": "Call ended: the agent hung up.",
        "try_ended_line": "Call ended: the line hung up.",
        "try_ended_goodbye": "Call ended: the flow said goodbye and hung up.",
        "try_hint_one_key": "This question takes one key: it is sent as soon as you press it.",
        "try_hint_number": "Type the number and end it with {key}; after {seconds} s without "
                           "another key, what you typed is sent.",
        "try_hint_speech": "You can also type what the caller would say and choose Say.",
        "try_keys": "Pressed: {keys}", "try_keypad": "Phone keypad",
        "try_words": "What the caller says", "try_recording": "(a recording plays)",
        "metrics": "Metrics", "day": "Day", "all_flows": "All", "show": "Show",
        "csv": "Download CSV", "calls_per_hour": "Calls per hour",
        "outcomes": "How calls ended", "zero_outs": "Where callers press 0, per menu",
        "to_person": "Call start to a person", "abandoned": "Hung up in line",
        "est_vs_real": "Estimated against actual wait", "callbacks": "Callbacks",
        "on_time": "On time", "p50": "median", "p90": "p90", "calls": "calls",
        "self-service": "Self-service", "person": "Reached a person", "callback":
            "Callback", "hung-up": "Hung up in the menus", "in-line": "Hung up in line",
        "no_data": "No data for this day.", "seconds": "s",
        "fcr": "Resolved at first contact", "fcr_queue":
            "Resolved at first contact, per queue", "fcr_agent":
            "Resolved at first contact, per agent", "fcr_flow":
            "Resolved at first contact, per flow", "fcr_trend":
            "Resolved at first contact, day by day", "no_fcr":
            "No call reached a person.", "repeats": "Called again within {hours} h",
        "surveys_answered": "Surveys answered", "survey_solved": "Said \"solved\"",
        "rating_mean": "Mean rating (1 to 5)", "no_surveys": "No surveys this day.",
        "demo_legs": "Calls the line placed (Twilio stand-in)",
        "answer": "Answer", "press": "Press", "hang_up": "Hang up",
        "to": "Call to", "purpose": "What for", "cancelled": "Cancelled", "pending": "Pending",
        "locale": "en-US", "login_needed": "Sign in to see this page.",
        "role_agent": "agent", "role_supervisor": "supervisor", "actions": "Actions",
        "step": "Step", "what": "What happened", "words": "Words",
        "not_told": "not told", "told_wait_unknown": "no estimate (no agents signed in)",
        "told_wait_under_minute": "less than a minute", "told_wait_one_minute": "one minute",
        "told_wait_minutes": "{minutes} minutes",
        "no_calls_day": "No calls this day.",
        "no_person_day": "No call reached a person this day.",
        "nobody_waited": "Nobody waited in line this day.",
        "no_waits_day": "No caller told a wait was answered this day.",
        "chart_hours": "Hour of the day", "max": "max",
        "shortcuts": "Keyboard shortcuts", "key_accept": "a", "key_hangup": "h",
        "key_wrap": "w", "shortcut_accept": "accept the ringing call",
        "shortcut_hangup": "hang up the call in progress",
        "shortcut_wrap": "go to the wrap-up code", "hung_up": "Call hung up.",
        "code_resolved": "Resolved", "code_follow-up": "Needs follow-up",
        "code_escalated": "Escalated", "code_wrong-number": "Wrong number",
        "code_other": "Other",
        "cb_requested": "requested", "cb_waiting": "waiting for its turn",
        "cb_dialing": "dialling", "cb_connected": "connected",
        "cb_retry-wait": "will try again", "cb_completed": "completed",
        "cb_missed": "missed", "cb_cancelled": "cancelled",
        "call_queued": "queued", "call_ringing": "ringing", "call_in-progress": "in progress",
        "call_completed": "ended", "call_busy": "busy", "call_failed": "failed",
        "call_no-answer": "no answer", "call_canceled": "cancelled",
        "ev_enter": "reached", "ev_digits": "pressed", "ev_speech": "said",
        "step_remembered": "about the earlier call?",
        "ev_silence": "no answer", "ev_unclear": "not understood",
        "ev_unheard": "not recognised in time",
        "purpose_agent": "Ringing an agent", "purpose_callback": "Calling a customer back",
        "purpose_other": "Other call", "demo_in_room": "(talking)",
        "demo_waiting_room": "(waiting, with music)",
        "kind_language": "language", "kind_menu": "menu", "kind_collect": "details",
        "kind_say": "message", "kind_branch": "condition",
        "kind_transfer": "transfer", "kind_goodbye": "goodbye",
        "kind_person": "person", "to_person_box": "person: {queue}",
        "point_1": "A person from every question", "point_2": "Wait and position announced",
        "point_3": "Never asked twice", "point_4": "Callbacks when the wait is long",
        "point_5": "Keys for everything spoken", "point_6": "Short prompts",
        "point_7": "No advertising before service", "point_8": "Never disconnected",
        "point_9": "Languages", "how_console": "in the console", "how_rollback": "rollback",
        "how_disk": "in the file", "who_disk": "the file on disk",
        "edge_key": "key {choice}", "edge_otherwise": "otherwise", "edge_open": "{hours} open",
        "edge_closed": "{hours} closed", "edge_set": "{var} set",
        "edge_not_set": "{var} not set", "edge_in": "{var} in {values}",
        "editor_label": "Text of the flow {name}", "editor_keys":
            "Tab indents the line; Esc then Tab leaves the editor.",
        "diagram_scroll": "Flow diagram",
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


def when(iso: str) -> str:
    """A moment (ISO 8601) as the reader's locale writes it: day first and 24 hours in
    Mexico, month first and AM/PM in the United States."""
    try:
        moment = dt.datetime.fromisoformat(iso).astimezone()
    except (TypeError, ValueError):
        return iso
    return moment.strftime(CLOCKS[language()])


def script_text() -> dict[str, str]:
    """The whole table in the reader's language, for the page's scripts."""
    return TEXT[language()]
