"""What a supervisor sees when a flow file is wrong: every problem, with its line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import yaml

from ivr_app.__main__ import lint_command, main
from ivr_app.flow.builtins import MESSAGES
from ivr_app.flow.errors import FlowError
from ivr_app.flow.model import Bands, Utterance
from ivr_app.flow.validate import load_flow

HEAD = """\
languages:
  es: {voice: Polly.Mia, locale: es-MX}
  en: {voice: Polly.Joanna, locale: en-US}
human:
  queue: support
start: menu
"""

MENU = """\
nodes:
  menu:
    type: menu
    prompt: {es: Hola, en: Hello}
    options:
      - {key: 1, say: {es: [factura], en: [bill]}, goto: bye}
  bye:
    type: goodbye
    prompt: {es: Adiós, en: Bye}
"""


def write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    return [str(p) for p in caught.value.problems]


def test_a_minimal_flow_loads(tmp_path):
    flow = load_flow(write(tmp_path, HEAD + MENU))
    assert flow.start == "menu" and flow.default_language == "es"


def test_demo_flow_with_key_0_rebound_is_refused_with_its_line(tmp_path, capsys):
    text = Path("flows/main.yaml").read_text()
    broken = text.replace("      - key: 4\n", "      - key: 0\n", 1)
    path = write(tmp_path, broken, "main.yaml")
    line = broken.splitlines().index("      - key: 0") + 1
    assert lint_command([str(path)]) == 1
    assert f"{path}:{line}:14: key 0 is reserved: it always takes the caller to a person " \
        "[escape]" in capsys.readouterr().out


def test_demo_flow_with_a_typo_in_a_goto_is_refused_with_its_line(tmp_path, capsys):
    text = Path("flows/main.yaml").read_text()
    broken = text.replace("goto: cancel_menu", "goto: cancel_mneu", 1)
    path = write(tmp_path, broken, "main.yaml")
    line = next(i for i, s in enumerate(broken.splitlines(), 1) if "cancel_mneu" in s)
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{line}:15: goto target 'cancel_mneu' is not a node; did you mean " \
        "'cancel_menu'? [unknown-target]" in out
    assert "never reached" in out  # cancel_menu is now unreachable, reported in the same run


def test_every_problem_is_reported_in_one_run(tmp_path):
    path = write(tmp_path, HEAD + textwrap.dedent("""\
        nodes:
          menu:
            type: menu
            prompt: {es: Hola}
            options:
              - {key: 1, say: {es: [hablar con un agente], en: [x]}, goto: bye}
              - {key: 1, sai: {es: [a], en: [b]}, goto: byee}
          bye:
            type: goodbye
            prompt: {es: Adiós, en: Bye}
            prompt: {es: Adiós, en: Bye}
          lost:
            type: say
            prompt: {es: a, en: b}
            next: lost
        """))
    f = str(path)
    assert problems(path) == [
        f"{f}:10:13: prompt has no 'en' translation [translation]",
        f"{f}:12:29: phrase 'hablar con un agente' contains the escape word 'agente', "
        "which always reaches a person [escape]",
        f"{f}:13:15: key '1' is already used on line 12 [duplicate-key]",
        f"{f}:13:18: option: unknown field 'sai'; did you mean 'say'? expected one of "
        "'key', 'say', 'goto' [unknown-field]",
        f"{f}:13:49: goto target 'byee' is not a node; did you mean 'bye'? [unknown-target]",
        f"{f}:17:5: duplicate key 'prompt' (first defined on line 16) [duplicate-key]",
        f"{f}:18:3: node 'lost' is never reached from start 'menu' [unreachable]",
        f"{f}:18:3: node 'lost' leads neither to a person nor to a goodbye [dead-end]",
        f"{f}:18:3: nodes lost -> lost form a loop that never asks the caller anything "
        "[silent-loop]",
    ]


def test_missing_human_target_is_refused(tmp_path):
    text = HEAD.replace("human:\n  queue: support\n", "") + MENU
    assert problems(write(tmp_path, text)) == [
        f"{tmp_path}/flow.yaml:1:1: flow: missing required field 'human' [required]"]


def test_escape_word_bound_to_an_option_is_refused(tmp_path):
    text = HEAD + MENU.replace("say: {es: [factura], en: [bill]}",
                               "say: {es: [factura], en: [operator]}")
    [message] = problems(write(tmp_path, text))
    assert "phrase 'operator' contains the escape word 'operator'" in message


def test_menu_over_the_option_limit_is_refused(tmp_path):
    options = "".join(f"      - {{key: {k}, goto: bye}}\n" for k in range(1, 7))
    text = HEAD + MENU.replace(
        "      - {key: 1, say: {es: [factura], en: [bill]}, goto: bye}\n", options)
    [message] = problems(write(tmp_path, text))
    assert message.endswith("menu has 6 options; the limit is 5 (set max_options, or split "
                            "the menu) [too-many-options]")
    assert load_flow(write(tmp_path, "max_options: 6\n" + text, "six.yaml"))


def test_wrong_types_and_ranges_say_what_was_expected(tmp_path):
    text = "retries: 5\ntimeout: soon\n" + HEAD + MENU.replace("type: goodbye", "type: goodby")
    found = problems(write(tmp_path, text))
    assert any("'retries' must be from 1 to 3, not 5 [range]" in p for p in found)
    assert any("'timeout' must be a number, not text [type]" in p for p in found)
    assert any("unknown node type 'goodby'; did you mean 'goodbye'?" in p for p in found)


def test_python_tags_are_refused_and_never_run(tmp_path):
    text = HEAD + MENU.replace("queue: support", "queue: !!python/object/apply:os.system [x]")
    text = text.replace("human:\n  queue: support", "human:\n  queue: !!python/name:os.system")
    found = problems(write(tmp_path, text))
    assert any("tag 'tag:yaml.org,2002:python/name:os.system' is not allowed" in p
               for p in found)


def test_yaml_syntax_errors_have_a_location(tmp_path):
    [message] = problems(write(tmp_path, HEAD + "nodes: [\n"))
    assert message.startswith(f"{tmp_path}/flow.yaml:8:1: YAML syntax:")


def test_oversized_files_are_refused(tmp_path):
    path = write(tmp_path, HEAD + MENU + "#" * 300_000 + "\n")
    [message] = problems(path)
    assert "the limit is 262144" in message


def test_alias_bombs_are_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    found = problems(write(tmp_path, bomb))
    assert any("more than 50000 values" in p for p in found)


def test_supervisor_queue_must_exist_to_transfer_there(tmp_path):
    text = HEAD + MENU.replace("type: goodbye\n    prompt: {es: Adiós, en: Bye}",
                               "type: transfer\n    queue: supervisor")
    [message] = problems(write(tmp_path, text))
    assert "queue 'supervisor' needs human.supervisor_queue" in message


def test_languages_without_built_in_messages_need_them(tmp_path):
    text = HEAD.replace("  en: {voice: Polly.Joanna, locale: en-US}\n",
                        "  pt: {voice: Polly.Camila, locale: pt-BR}\n")
    text += MENU.replace("en:", "pt:")
    [message] = problems(write(tmp_path, text))
    assert "language 'pt' has no built-in messages; add messages.pt with escape, no_input" \
        in message


def test_lint_of_a_folder_checks_every_flow(tmp_path, capsys):
    write(tmp_path, HEAD + MENU, "good.yaml")
    write(tmp_path, "languages: 3\n", "bad.yaml")
    assert lint_command([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path}/good.yaml: ok" in out
    assert f"{tmp_path}/bad.yaml:1:12: 'languages' must be a mapping, not a number [type]" in out


def test_an_escape_word_that_is_a_supervisor_word_is_refused(tmp_path):
    text = "escape_words: {en: [manager]}\n" + HEAD.replace(
        "  es: {voice: Polly.Mia, locale: es-MX}\n", "") + MENU.replace(
        "prompt: {es: Hola, en: Hello}", "prompt: {en: Hello}").replace(
        "say: {es: [factura], en: [bill]}", "say: {en: [bill]}").replace(
        "prompt: {es: Adiós, en: Bye}", "prompt: {en: Bye}")
    [message] = problems(write(tmp_path, text))
    assert "escape word 'manager' contains 'manager', which takes callers to the " \
        "supervisors [escape]" in message


def test_tags_on_lists_are_refused_too(tmp_path):
    text = HEAD + MENU.replace("say: {es: [factura], en: [bill]}",
                               "say: {es: !!python/tuple [factura], en: [bill]}")
    found = problems(write(tmp_path, text))
    assert any("tag 'tag:yaml.org,2002:python/tuple' is not allowed in a flow file" in p
               for p in found), found


def test_the_supervisor_key_cannot_be_the_callback_key(tmp_path):
    text = HEAD.replace("  queue: support\n", "  queue: support\n  supervisor_key: 1\n") + MENU
    [message] = problems(write(tmp_path, text))
    assert message.endswith(":6:19: supervisor_key 1 is taken: while waiting, 1 asks for a "
                            "callback; choose another key [escape]")


SURVEY = "{resolved: {es: a, en: b}, rating: {es: c, en: d}, thanks: {es: e, en: f}"
ACCEPTED = {
    "speech bands at their edges": (
        "speech_bands: {es: {accept: 1, confirm: 0}, en: {accept: 0.5, confirm: 0.5}}\n",
        lambda f: f.speech_bands, {"es": Bands(1.0, 0.0), "en": Bands(0.5, 0.5)}),
    "callbacks at their edges": (
        "callbacks: {offer_after: 0, max_hold: 604800, offer_after_by_queue: {support: 0},"
        " countries: [US]}\n",
        lambda f: (f.callbacks.offer_after, f.callbacks.max_hold,
                   f.callbacks.offer_after_by_queue, f.callbacks.countries),
        (0, 604800, {"support": 0}, ("US",))),
    "a caller remembered for an hour": (
        "returning: {within_hours: 1, ask: {es: '{when}', en: '{topic}'},"
        " topics: {billing: {es: a, en: b}}, open_issues: [billing]}\n",
        lambda f: (f.returning.within_hours, f.returning.open_issues), (1, ("billing",))),
    "a caller remembered for a month": (
        "returning: {within_hours: 720, ask: {es: a, en: b}, topics: {x: {es: a, en: b}}}\n",
        lambda f: f.returning.within_hours, 720),
    "the shortest survey": ("survey: " + SURVEY.replace(" rating: {es: c, en: d},", "")
                            + ", seconds: 10}\n", lambda f: f.survey.seconds, 10),
    "the longest survey, filled by its questions' waits": (
        "timeout: 15\nsurvey: " + SURVEY + ", seconds: 30}\n", lambda f: f.survey.seconds, 30),
    "hours up to midnight, and a holiday": (
        "hours: {all: {timezone: UTC, weekly: {tue-thu: '00:00-24:00', sat-sun: '00:30-00:59',"
        " sat: '23:00-23:59'}, holidays: [2026-12-25]}}\n",
        lambda f: (sorted(f.hours["all"].weekly), f.hours["all"].weekly[1],
                   f.hours["all"].weekly[5], f.hours["all"].holidays),
        ([1, 2, 3, 5, 6], ((dt.time(0, 0), dt.time.max),),
         ((dt.time(0, 30), dt.time(0, 59)), (dt.time(23, 0), dt.time(23, 59))),
         {dt.date(2026, 12, 25)})),
    "queue names as agents hear them": ("queues: {support: {es: Soporte}}\n",
                                        lambda f: f.queue_names, {"support": {"es": "Soporte"}}),
    "escape words added to the built-in ones": (
        "escape_words: {en: [help desk]}\n", lambda f: f.escape_words["en"][-2:],
        ("person", "help desk")),
}


@pytest.mark.parametrize("top, read, expected", ACCEPTED.values(), ids=ACCEPTED)
def test_a_flow_at_the_edge_of_each_rule_is_accepted_as_written(tmp_path, top, read,
                                                                 expected):
    assert read(load_flow(write(tmp_path, top + HEAD + MENU))) == expected


@pytest.mark.parametrize("span", ["20:00-08:00", "08:00-08:00", "24:00-24:30", "23:00-25:00",
                                  "08:60-09:00", "08:00-09:60", 9])
def test_a_span_that_is_not_a_time_of_day_is_refused_at_its_line(tmp_path, span):
    text = f"hours:\n  all:\n    timezone: UTC\n    weekly: {{sat: {span!r}}}\n" + HEAD + MENU
    assert problems(write(tmp_path, text)) == [
        f"{tmp_path}/flow.yaml:4:19: {span!r} is not a time span like \"08:00-20:00\" [type]"]


def test_a_caller_comes_back_to_the_menu_and_sayings_in_a_row_reach_the_goodbye(tmp_path):
    """A loop through a question is no silent loop; a chain of sayings is no dead end."""
    nodes = MENU.replace("goto: bye}", "goto: first}\n      - {key: 2, goto: again}") + """\
  again: {type: say, prompt: {es: {play: "https://example.com/a.wav"}, en: Again}, next: menu}
  first: {type: say, prompt: {es: Uno, en: One}, next: second}
  second: {type: say, prompt: {es: Dos, en: Two}, next: bye}
"""
    flow = load_flow(write(tmp_path, HEAD + nodes))
    assert flow.nodes["first"].next == "second" and flow.nodes["again"].next == "menu"
    assert flow.nodes["again"].prompt["es"] == Utterance(play="https://example.com/a.wav")


def test_a_language_without_built_in_words_takes_the_escape_words_it_is_given(tmp_path):
    flow = {"languages": {"pt": {"voice": "Polly.Camila", "locale": "pt-BR"}},
            "messages": {"pt": dict(MESSAGES["en"])}, "escape_words": {"pt": ["atendente"]},
            "human": {"queue": "support"}, "start": "bye",
            "nodes": {"bye": {"type": "goodbye", "prompt": {"pt": "Tchau"}}}}
    loaded = load_flow(write(tmp_path, yaml.safe_dump(flow)))
    assert loaded.escape_words["pt"] == ("atendente",)
