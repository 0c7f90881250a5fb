"""Hypothesis strategies for call flows: random valid ones, and valid ones broken on purpose.

`valid_flows()` draws a flow dict that `lint` must accept. Its nodes are drawn in
order and wired so that every node is reached from the start (each node after the
first hangs off an earlier one), and so that no loop can go round without asking
the caller something: nodes that may pass the caller on without asking (as their
registered type says: `say`, `branch`, and a `collect` that is skipped once its
variable is set) only point to later nodes; questions (`language`, `menu`, a
`collect` that always asks) point anywhere. A goodbye and a transfer at the end are
there for forward pointers and are dropped when nothing leads to them. Node types
the generator has no fields for (see CAPACITY) are not drawn.

tests/flowgen_broken.py breaks such flows on purpose.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import yaml
from hypothesis import strategies as st

from ivr_app.flow import builtins
from ivr_app.flow.nodes import TYPES

LANGUAGES = {"es": (("Polly.Mia", "Polly.Lupe"), ("es-MX", "es-US", "es-ES")),
             "en": (("Polly.Joanna", "Polly.Matthew"), ("en-US", "en-GB"))}
KEYS = tuple("123456789*#")
BUILTIN_ESCAPE_WORDS = {w for words in builtins.ESCAPE_WORDS.values() for w in words}
# Custom escape announcements a supervisor might write; none is a phrase of a random prompt.
ESCAPE_NOTES = {"es": ("Si desea hablar con un asesor, marque cero.",
                       "Para atención personal, marque cero en cualquier momento."),
                "en": ("To talk to someone, press zero.", "For a person, press 0 at any time.")}
# Not "supervisor" or "manager": said at a question, those go to the supervisors' queue.
EXTRA_ESCAPE_WORDS = {"es": ("ayuda", "ejecutivo", "alguien"),
                      "en": ("help", "someone", "somebody")}
TIMEZONES = ("America/Mexico_City", "UTC", "Europe/Madrid", "America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VARIABLES = ("account", "pin", "zip_code", "order", "plan", "topic")
# The node types drawn, each with how many later nodes may hang off one of it in the
# spanning tree from the start (None: a menu's limit of options).
CAPACITY: dict[str, int | None] = {"language": 1, "menu": None, "collect": 1, "branch": 4,
                                   "say": 1, "transfer": 0, "goodbye": 0}

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Node ids, queues and the like: a letter, then letters, digits, '_', '-' or '.'.
names = st.builds(str.__add__, st.sampled_from(LETTERS),
                  st.text(alphabet=LETTERS + "0123456789_.-", max_size=12))
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñü", min_size=2, max_size=9)
# What a prompt says: letters, marks, digits, punctuation, symbols and spaces of any script.
prompt_texts = st.text(
    alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=40,
).filter(lambda text: bool(text.strip()) and not mentions_escape(text))


def mentions_escape(text: str) -> bool:
    """Whether a text already tells the caller how to reach a person (no note is added)."""
    mentions = [m for ms in builtins.ESCAPE_MENTIONS.values() for m in ms]
    notes = [n for ns in ESCAPE_NOTES.values() for n in ns]
    notes += [m["escape"] for m in builtins.MESSAGES.values()]
    return any(builtins.contains_phrase(text, m) for m in mentions + notes)


def is_escape_free(phrase: str, escape_words: set[str]) -> bool:
    return not any(builtins.contains_phrase(phrase, w) for w in escape_words)


@st.composite
def phrases(draw: st.DrawFn, escape_words: set[str]) -> str:
    """One to three words that no escape word matches."""
    return draw(st.lists(words, min_size=1, max_size=3).map(" ".join)
                .filter(lambda p: is_escape_free(p, escape_words)))


@st.composite
def prompts(draw: st.DrawFn, langs: list[str]) -> dict[str, Any]:
    return {lang: draw(st.one_of(
        prompt_texts,
        names.map(lambda n: {"play": f"https://media.example.com/{n}.mp3"}),
    )) for lang in langs}


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(["gold", "basic", "pro", "yes", "null", "12"]),
                     st.integers(0, 99), st.booleans())


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[str, Any]:
    weekly = {}
    for _ in range(draw(st.integers(1, 3))):
        first = draw(st.integers(0, 6))
        last = draw(st.integers(first, 6))
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
        start = draw(st.integers(0, 22))
        end = draw(st.integers(start + 1, 24))
        span = f"{start:02d}:{draw(st.sampled_from(['00', '30']))}-{end:02d}:00"
        weekly[days] = [span] if draw(st.booleans()) else span
    hours: dict[str, Any] = {"timezone": draw(st.sampled_from(TIMEZONES)), "weekly": weekly}
    if draw(st.booleans()):
        hours["holidays"] = draw(st.lists(
            st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)), max_size=3))
    return hours


@st.composite
def conditions(draw: st.DrawFn, hours: list[str], variables: list[str]) -> dict[str, Any]:
    if hours and draw(st.booleans()):
        when: dict[str, Any] = {"hours": draw(st.sampled_from(hours))}
        if draw(st.booleans()):
            when["open"] = draw(st.booleans())
        return when
    when = {"var": draw(st.sampled_from(variables))}
    test = draw(st.sampled_from(["equals", "in", "is_set"]))
    when[test] = draw({"equals": scalars(), "in": st.lists(scalars(), min_size=1, max_size=3),
                       "is_set": st.booleans()}[test])
    return when


@st.composite
def keys(draw: st.DrawFn, count: int, but: str = "") -> list[Any]:
    """`count` distinct keys other than `but`, digits written as numbers or as quoted text."""
    chosen = draw(st.lists(st.sampled_from([k for k in KEYS if k != but]), min_size=count,
                           max_size=count, unique=True))
    return [int(k) if k.isdigit() and draw(st.booleans()) else k for k in chosen]


@st.composite
def valid_flows(draw: st.DrawFn) -> dict[str, Any]:
    """A flow dict that lint must accept: 1 to 8 nodes, plus a goodbye and a transfer."""
    langs = draw(st.lists(st.sampled_from(sorted(LANGUAGES)), min_size=1, max_size=2,
                          unique=True))
    flow: dict[str, Any] = {"languages": {
        lang: {"voice": draw(st.sampled_from(LANGUAGES[lang][0])),
               "locale": draw(st.sampled_from(LANGUAGES[lang][1]))} for lang in langs}}
    human: dict[str, Any] = {"queue": draw(names)}
    if draw(st.booleans()):
        human["supervisor_queue"] = draw(names)
    if draw(st.booleans()):
        human["reason"] = draw(prompt_texts)
    if draw(st.booleans()):
        human["fallback_number"] = "+1555" + str(draw(st.integers(1000000, 9999999)))
    flow["human"] = human
    for field, (low, high) in {"retries": (1, 3), "timeout": (1, 30),
                               "max_options": (1, 9)}.items():
        if draw(st.booleans()):
            flow[field] = draw(st.integers(low, high))
    escape_words = set(BUILTIN_ESCAPE_WORDS)
    if draw(st.booleans()):
        extra = {lang: draw(st.lists(st.sampled_from(EXTRA_ESCAPE_WORDS[lang]), min_size=1,
                                     max_size=2, unique=True))
                 for lang in draw(st.lists(st.sampled_from(langs), min_size=1, unique=True))}
        flow["escape_words"] = extra
        escape_words |= {w for ws in extra.values() for w in ws}
    if draw(st.booleans()):
        flow["messages"] = {lang: draw(messages(lang)) for lang in langs if draw(st.booleans())}
    hours = {draw(names): draw(weekly_hours()) for _ in range(draw(st.integers(0, 2)))}
    if hours:
        flow["hours"] = hours
    flow["start"], flow["nodes"] = draw(node_graph(langs, flow, escape_words, list(hours)))
    return flow


@st.composite
def messages(draw: st.DrawFn, lang: str) -> dict[str, str]:
    """Overrides of some built-in messages, keeping the built-in's {placeholders}."""
    chosen = draw(st.lists(st.sampled_from(builtins.MESSAGE_KEYS), unique=True))
    texts = {}
    for key in chosen:
        if key == "escape":
            texts[key] = draw(st.sampled_from(ESCAPE_NOTES[lang]))
            continue
        fields = [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(
            builtins.MESSAGES[lang][key]) if name]
        text = draw(prompt_texts).replace("{", "(").replace("}", ")")
        texts[key] = " ".join([text, *fields])
    return texts


@st.composite
def node_graph(draw: st.DrawFn, langs: list[str], flow: dict[str, Any],
               escape_words: set[str], hours: list[str]) -> tuple[str, dict[str, Any]]:
    menu_limit = flow.get("max_options", 5)
    count = draw(st.integers(1, 8))
    all_kinds = [k for k in TYPES if k in CAPACITY]
    # Start with a question or a node leading on to one: flows worth calling.
    first_kinds = [k for k in all_kinds if not TYPES[k].ends]
    kinds = [draw(st.sampled_from(first_kinds if i == 0 else all_kinds))
             for i in range(count)]
    ids = draw(st.lists(names, min_size=count + 2, max_size=count + 2,
                        unique_by=lambda s: s.lower()))
    # Collect nodes: one that skips itself once its variable is set passes the caller on.
    collects = {i: draw(collect_fields()) for i, k in enumerate(kinds) if k == "collect"}
    # Nodes that may move the caller on without asking anything: they only point forward.
    forward_only = {i for i, k in enumerate(kinds) if not (TYPES[k].asks or TYPES[k].ends)
                    or TYPES[k].skips(collects.get(i, {}))}
    capacity = {k: menu_limit if c is None else c for k, c in CAPACITY.items()}
    children: dict[int, list[int]] = {i: [] for i in range(count)}
    for i in range(1, count):  # a spanning tree from the start
        parents = [j for j in range(i) if len(children[j]) < capacity[kinds[j]]]
        if not parents:
            count = i
            break
        children[draw(st.sampled_from(parents))].append(i)
    body, tail = ids[:count], ids[-2:]
    variables = ["language", *VARIABLES]

    def targets(i: int, extra_min: int, extra_max: int) -> list[str]:
        pool = ids[i + 1:count] + tail if i in forward_only else body + tail
        mine = [ids[c] for c in children[i]]
        more = draw(st.lists(st.sampled_from(pool), min_size=max(0, extra_min - len(mine)),
                             max_size=max(0, extra_max - len(mine))))
        return draw(st.permutations(mine + more))

    nodes: dict[str, Any] = {}
    for i, kind in enumerate(kinds[:count]):
        node: dict[str, Any] = {"type": kind}
        if TYPES[kind].fields.get("prompt", ("", False))[1]:  # a prompt it requires
            node["prompt"] = draw(prompts(langs))
        if kind == "language":
            choice_langs = draw(st.lists(st.sampled_from(langs), min_size=1, unique=True))
            node["choices"] = [
                {"key": key, "language": lang,
                 **({"say": draw(st.lists(phrases(escape_words), max_size=2))}
                    if draw(st.booleans()) else {})}
                for key, lang in zip(draw(keys(len(choice_langs))), choice_langs, strict=True)]
            node["next"] = targets(i, 1, 1)[0]
        elif kind == "menu":
            gotos = targets(i, 1, menu_limit)
            said = {lang: draw(st.lists(phrases(escape_words), max_size=2 * len(gotos),
                                        unique_by=builtins.normalize)) for lang in langs}
            options = []
            # with a language question, star may change a remembered language: not an option
            but = builtins.LANGUAGE_KEY if "language" in kinds else ""
            for n, (key, goto) in enumerate(zip(draw(keys(len(gotos), but)), gotos,
                                                strict=True)):
                option: dict[str, Any] = {"key": key}
                if draw(st.booleans()):
                    option["say"] = {lang: said[lang][n::len(gotos)] for lang in langs}
                option["goto"] = goto
                options.append(option)
            node["options"] = options
        elif kind == "collect":
            node.update(collects[i])
            node["next"] = targets(i, 1, 1)[0]
        elif kind == "say":
            node["next"] = targets(i, 1, 1)[0]
        elif kind == "branch":
            otherwise, *gotos = targets(i, 1, 4)
            node["cases"] = [{"when": draw(conditions(hours, variables)), "goto": goto}
                             for goto in gotos]
            node["otherwise"] = otherwise
        elif kind == "transfer":
            node.update(draw(transfer_fields(langs, flow["human"])))
        if draw(st.integers(0, 3)) == 3:  # one node in four stores a variable
            node["set"] = {draw(st.sampled_from(VARIABLES)): draw(scalars())}
        nodes[body[i]] = node
    used = {t for n in nodes.values() for t in _targets(n)}
    if tail[0] in used:
        nodes[tail[0]] = {"type": "goodbye", "prompt": draw(prompts(langs))}
    if tail[1] in used:
        nodes[tail[1]] = {"type": "transfer", **draw(transfer_fields(langs, flow["human"]))}
    return body[0], nodes


@st.composite
def collect_fields(draw: st.DrawFn) -> dict[str, Any]:
    low = draw(st.integers(2, 8))
    high = draw(st.integers(low, 10))
    fields: dict[str, Any] = {
        "variable": draw(st.sampled_from(VARIABLES)),
        "length": low if low == high and draw(st.booleans()) else {"min": low, "max": high},
    }
    for name, values in {"checksum": st.just("luhn"), "confirm": st.booleans(),
                         "skip_if_set": st.booleans()}.items():
        if draw(st.booleans()):
            fields[name] = draw(values)
    return fields


@st.composite
def transfer_fields(draw: st.DrawFn, langs: list[str], human: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["prompt"] = draw(prompts(langs))
    if draw(st.booleans()):
        fields["reason"] = draw(prompt_texts)
    queues = [names] + ([st.just("supervisor")] if "supervisor_queue" in human else [])
    if draw(st.booleans()):
        fields["queue"] = draw(st.one_of(queues))
    return fields


def _targets(node: dict[str, Any]) -> list[str]:
    found = [node.get("next"), node.get("otherwise")]
    found += [item["goto"] for item in node.get("options", []) + node.get("cases", [])]
    return [t for t in found if t]


def dump(flow: dict[str, Any]) -> str:
    return yaml.safe_dump(flow, allow_unicode=True, sort_keys=False)


# -- breaking a valid flow ------------------------------------------------------------------
