"""Valid flows broken on purpose, in the data or in the text, for the loader's properties.

`broken_flow_texts()` takes a flow from flowgen.valid_flows() and breaks it.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from tests.flowgen import dump, names, valid_flows

any_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
    st.dates(), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2), max_size=2),
)
# Things a supervisor might paste, mistype, or an attacker might try, in place of a value.
BAD_VALUES = (
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/object:__main__.Evil {a: 1}",
    "!!python/name:os.system",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!custom thing", "!!map [1]",
    "!!int x", "!!float x", "!!bool maybe", "!!timestamp soon", "!!null x", "!!str [1]",
    "2026-02-30", "2026-13-01", "2026-01-01 25:00:00", "&a [*a]", "*nowhere", "<<: {a: 1}",
    "{a: 1, a: 2}", "[1, 2", "'unterminated", "\"bad \\q escape\"", "@reserved", "`tick`",
    ".nan", "-.inf", "0x1F", "0o17", "1_000", "~", "? complex", "|\n  block",
)
ALIAS_BOMB = "bomb: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8))


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _parent(data: Any, path: tuple) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def broken_flow_texts(draw: st.DrawFn) -> str:
    """A valid flow with one to three things broken in its data or its text."""
    data = copy.deepcopy(draw(valid_flows()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        how = draw(st.sampled_from(["delete", "retype", "regoto", "text"]))
        if how == "delete" and paths:
            path = draw(st.sampled_from(paths))
            del _parent(data, path)[path[-1]]
        elif how == "retype" and paths:
            path = draw(st.sampled_from(paths))
            _parent(data, path)[path[-1]] = draw(any_values)
        elif how == "regoto":
            refs = [p for p in paths if p[-1] in ("goto", "next", "otherwise", "start")]
            if refs:
                path = draw(st.sampled_from(refs))
                _parent(data, path)[path[-1]] = draw(st.one_of(names, any_values))
    text = dump(data)
    for _ in range(draw(st.integers(0, 3))):
        text = draw(text_mutations(text))
    return text


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    at = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["duplicate", "tag", "truncate", "unicode", "bomb", "tab"]))
    if how == "duplicate":  # the same key twice, or a list item twice
        lines.insert(at, lines[at])
    elif how == "tag":  # replace a value with something a flow file must refuse
        head, colon, _ = lines[at].partition(": ")
        bad = draw(st.sampled_from(BAD_VALUES))
        lines[at] = f"{head}: {bad}\n" if colon else f"{lines[at].rstrip()} {bad}\n"
    elif how == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    elif how == "unicode":
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.text(min_size=1, max_size=4)) + text[cut:]
    elif how == "bomb":
        lines.insert(at, ALIAS_BOMB)
    elif how == "tab":  # a tab where YAML wants spaces
        lines[at] = "\t" + lines[at].lstrip(" ")
    return "".join(lines)
