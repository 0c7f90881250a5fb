"""The flow language's shape: which fields each part allows, and their kinds.

Field tables walked by one Checker (validate.py); a kind names a function of
checker.py or a *_rules.py module. Each node type's own fields are in its module
under flow/nodes/.
"""

from __future__ import annotations

# field -> (kind, required); validate.kinds() maps a kind to the function that checks it.
TOP_FIELDS: dict[str, tuple[str, bool]] = {
    "languages": ("languages", True),
    "human": ("human", True),
    "start": ("node_ref", True),
    "nodes": ("nodes", True),
    "retries": ("retries", False),
    "timeout": ("timeout", False),
    "max_options": ("max_options", False),
    "hours": ("hours_map", False),
    "escape_words": ("escape_words", False),
    "messages": ("messages", False),
    "callbacks": ("callbacks", False),
    "returning": ("returning", False),
    "survey": ("survey", False),
    "queues": ("queue_names", False),
    "reasons": ("reason_names", False),
    "speech_bands": ("speech_bands", False),
}

BAND_FIELDS = {"accept": ("share", True), "confirm": ("share", True)}

RETURNING_FIELDS = {
    "within_hours": ("hours_count", False),
    "ask": ("texts", True),
    "topics": ("topic_names", True),
    "open_issues": ("names", False),
}
RETURNING_PLACEHOLDERS = frozenset({"when", "topic"})

SURVEY_FIELDS = {
    "resolved": ("texts", True),
    "rating": ("texts", False),
    "thanks": ("texts", True),
    "callback": ("bool", False),
    "seconds": ("survey_seconds", False),
}
SURVEY_SECONDS = (10, 30)  # the shortest and longest a survey may keep a caller

CALLBACK_FIELDS = {
    "offer_after": ("seconds", False),
    "offer_after_by_queue": ("seconds_by_queue", False),
    "max_hold": ("seconds", False),
    "attempts": ("attempts", False),
    "spacing": ("seconds", False),
    "hours": ("hours_ref", False),
    "region": ("country", False),
    "countries": ("countries", False),
    "sms": ("texts", False),
    "texts": ("bool", False),
}

LANGUAGE_FIELDS = {"voice": ("text", True), "locale": ("text", True)}

HUMAN_FIELDS = {
    "queue": ("name", True),
    "supervisor_queue": ("name", False),
    "reason": ("text", False),
    "fallback_number": ("phone", False),
    "supervisor_key": ("key", False),
}

HOURS_FIELDS = {
    "timezone": ("timezone", True),
    "weekly": ("weekly", True),
    "holidays": ("dates", False),
}

COMMON_NODE_FIELDS = {"type": ("node_type", True), "set": ("variables", False)}

KEYS = tuple("123456789*#")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIMITS = {"retries": (1, 3, 2), "timeout": (1, 30, 5), "max_options": (1, 9, 5),
          "attempts": (1, 5, 3)}
MAX_DIGITS = 30
