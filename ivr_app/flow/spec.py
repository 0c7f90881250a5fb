"""The flow language's shape: which fields each part allows, and their kinds.

One table, walked by one checker (validate.py, built up from checker.py and the
*_rules.py files, one kind of value per method). Adding a node type means a row
here, a dataclass in model.py and a handler in the engine (answers.py if it asks).
"""

from __future__ import annotations

# field -> (kind, required). Kinds are checker method names in validate.py.
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
    "queues": ("queue_names", False),
    "reasons": ("reason_names", False),
}

RETURNING_FIELDS = {
    "within_hours": ("hours_count", False),
    "ask": ("texts", True),
    "topics": ("topic_names", True),
    "open_issues": ("names", False),
}
RETURNING_PLACEHOLDERS = frozenset({"when", "topic"})

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

NODE_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "language": {
        "prompt": ("prompt", True),
        "choices": ("choices", True),
        "next": ("node_ref", True),
    },
    "menu": {"prompt": ("prompt", True), "options": ("options", True)},
    "collect": {
        "prompt": ("prompt", True),
        "variable": ("name", True),
        "length": ("length", True),
        "checksum": ("checksum", False),
        "confirm": ("bool", False),
        "skip_if_set": ("bool", False),
        "next": ("node_ref", True),
    },
    "branch": {"cases": ("cases", True), "otherwise": ("node_ref", True)},
    "say": {"prompt": ("prompt", True), "next": ("node_ref", True)},
    "transfer": {
        "prompt": ("prompt", False),
        "reason": ("text", False),
        "queue": ("name", False),
    },
    "goodbye": {"prompt": ("prompt", True)},
}

OPTION_FIELDS = {"key": ("key", True), "say": ("phrases", False), "goto": ("node_ref", True)}

CHOICE_FIELDS = {
    "key": ("key", True),
    "language": ("language_code", True),
    "say": ("word_list", False),
}

CASE_FIELDS = {"when": ("condition", True), "goto": ("node_ref", True)}

CONDITION_FIELDS = {
    "hours": ("hours_ref", False),
    "open": ("bool", False),
    "var": ("name", False),
    "equals": ("scalar_text", False),
    "in": ("text_list", False),
    "is_set": ("bool", False),
}

LENGTH_FIELDS = {"min": ("int", True), "max": ("int", True)}

KEYS = tuple("123456789*#")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHECKSUMS = ("luhn",)
LIMITS = {"retries": (1, 3, 2), "timeout": (1, 30, 5), "max_options": (1, 9, 5),
          "attempts": (1, 5, 3)}
MAX_DIGITS = 30
