"""A flow file can never stop the line: what lint accepts plays, and what it refuses is named.

Loading never raises anything but a located FlowError, and lint refuses what would fail
while a caller is on the line: a TwiML answer over Twilio's 64 KB, a placeholder with a
format spec, a turn longer than the engine plays.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ivr_app.__main__ import lint_command
from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import MAX_DEPTH, parse
from ivr_app.flow.turn_rules import MAX_TURN_NODES, MAX_TWIML_BYTES, WRAPPER_BYTES, turn_bytes
from ivr_app.flow.validate import load_flow, validate
from tests.test_flow_refusals import refusal
from tests.test_webhook import FORM, signed_post

DEMO = Path("flows/main.yaml").read_text(encoding="utf-8")


def refused(tmp_path: Path, text: str, name: str = "main.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    return [str(p) for p in caught.value.problems]


def chain(count: int, text: str, lang: str = "es") -> dict:
    """A flow whose start plays `count` say nodes of `text`, then asks one question."""
    nodes = {f"s{i}": {"type": "say", "prompt": {lang: text}, "next": f"s{i + 1}"}
             for i in range(count)}
    nodes[f"s{count}"] = {"type": "menu", "prompt": {lang: "Marque uno."},
                          "options": [{"key": 1, "goto": "bye"}]}
    nodes["bye"] = {"type": "goodbye", "prompt": {lang: "Adiós."}}
    return {"languages": {lang: {"voice": "Polly.Mia", "locale": "es-MX"}},
            "human": {"queue": "support"}, "start": "s0", "nodes": nodes}


@pytest.mark.parametrize("zone, shown", [("America", "'America'"),
                                         ("Z" * 3000, "'" + "Z" * 60 + "'")])
def test_a_time_zone_written_as_a_region_or_a_very_long_name_is_a_located_error(
        tmp_path, capsys, zone, shown):
    text = DEMO.replace("America/Mexico_City", zone, 1)
    line = DEMO.splitlines().index("    timezone: America/Mexico_City") + 1
    path = tmp_path / "main.yaml"
    path.write_text(text, encoding="utf-8")
    assert lint_command([str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{line}:15: unknown time zone {shown}" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("nested", ["[" * 700 + "]" * 700, "{a: " * 400 + "1" + "}" * 400])
def test_values_nested_hundreds_deep_are_refused_at_their_line_not_by_recursion(tmp_path,
                                                                                 nested):
    problems = refused(tmp_path, "human: {queue: support}\nstart: " + nested + "\n")
    # The file's own mapping is the first level: the bracket that opens level 41 is the 40th.
    column = len("start: ") + 1 + (MAX_DEPTH - 1) * (1 if nested[0] == "[" else 4)
    assert problems == [f"{tmp_path / 'main.yaml'}:2:{column}: values are nested more than "
                        f"{MAX_DEPTH} levels deep [yaml]"]


def test_an_indented_block_nested_deep_is_refused_too(tmp_path):
    text = "nodes:\n" + "".join("  " * i + f"n{i}:\n" for i in range(1, 300)) + "  " * 300 \
        + "x: 1\n"
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and "values are nested more than" in problems[0]


@pytest.mark.parametrize("placeholder", ["{position:>50000000}", "{position!r}",
                                         "{position.real}", "{position[0]}"])
def test_a_message_placeholder_must_be_a_plain_name(tmp_path, placeholder):
    text = DEMO.replace("messages:\n", "messages:\n", 1)
    flow = yaml.safe_load(text)
    flow.setdefault("messages", {}).setdefault("es", {})["queue_position"] = \
        f"Usted es el número {placeholder} en la fila."
    problems = refused(tmp_path, yaml.safe_dump(flow, allow_unicode=True))
    assert any(f"placeholder {placeholder} is not a plain name; write it as {{name}} "
               "[placeholder]" in p for p in problems), problems


def test_a_chain_of_statements_longer_than_a_turn_is_refused(tmp_path):
    problems = refused(tmp_path, yaml.safe_dump(chain(MAX_TURN_NODES + 5, "Hola.")))
    assert any(f"from node 's0', {MAX_TURN_NODES + 6} nodes play without asking anything; a "
               f"turn plays at most {MAX_TURN_NODES}" in p and p.endswith("[long-turn]")
               for p in problems), problems


def test_prompts_that_add_up_past_twilios_64_kb_are_refused(tmp_path):
    # Ampersands grow fivefold as TwiML escapes them: 4 prompts of 4 KB are over 80 KB.
    problems = refused(tmp_path, yaml.safe_dump(chain(4, "&" * 4000)))
    assert any("a turn entering node 's0' can say" in p and "[twiml-size]" in p
               for p in problems), problems


def test_a_long_flow_that_lint_accepts_plays_its_whole_turn_to_the_caller(tmp_path, make_app):
    folder = tmp_path / "flows"
    folder.mkdir()
    flow = chain(MAX_TURN_NODES - 2, "Un aviso & otro <más>.")
    (folder / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    loaded = load_flow(folder / "main.yaml")
    client = make_app(FLOWS_DIR=str(folder)).test_client()
    body = signed_post(client, "/voice", FORM).get_data()
    assert body.count("Un aviso &amp; otro &lt;más&gt;.".encode()) == MAX_TURN_NODES - 2
    assert b"Marque uno." in body and b"<Gather" in body
    nodes, size = turn_bytes(loaded, "es", "s0")
    assert nodes == MAX_TURN_NODES - 1
    assert len(body) <= WRAPPER_BYTES + size <= MAX_TWIML_BYTES


def with_messages(size: int) -> dict:
    """A one-saying flow whose callback greeting alone is `size` characters long."""
    flow = chain(1, "Hola.")
    flow["messages"] = {"es": {"callback_intro": "a" * size + " {queue}"}}
    return flow


HUGE = dict(chain(4, "&" * 4000), messages={"es": {"callback_intro": "&" * 13200 + " {queue}"}})


def test_turns_and_messages_past_twilios_limit_are_named_in_both_languages():
    assert refusal(yaml.safe_dump(HUGE)) == [
        ("7:1 twiml-size", "messages.es add up to 71682 bytes of TwiML; an answer made of them "
         "could pass Twilio's limit of 65536: shorten them", "messages.es suman 71682 bytes de "
         "TwiML; una respuesta hecha con ellos podría pasar el límite de Twilio de 65536: "
         "acórtelos"),
        ("16:3 twiml-size", "a turn entering node 's0' can say 81551 bytes of TwiML in 'es', "
         "over Twilio's limit of 65536: shorten its prompts or ask something between them",
         "un turno que entra al nodo 's0' puede decir 81551 bytes de TwiML en 'es', más que el "
         "límite de Twilio de 65536: acorte sus mensajes o pregunte algo entre ellos")]
    assert refusal(yaml.safe_dump(chain(MAX_TURN_NODES + 5, "Hola."))) == [
        ("12:3 long-turn", "from node 's0', 206 nodes play without asking anything; a turn "
         "plays at most 200: ask something between them", "desde el nodo 's0', 206 nodos suenan "
         "sin preguntar nada; un turno reproduce como máximo 200: pregunte algo entre ellos")]


@pytest.mark.parametrize("make, high, said", [
    (lambda n: chain(1, "a" * n), 70_000,
     f"a turn entering node 's0' can say {MAX_TWIML_BYTES + 1} bytes of TwiML"),
    (with_messages, 70_000,  # the messages, less the document's markup around them
     f"messages.es add up to {MAX_TWIML_BYTES - WRAPPER_BYTES + 1} bytes of TwiML"),
    (lambda n: chain(n, "Hola."), 300, f"from node 's0', {MAX_TURN_NODES + 1} nodes play")])
def test_one_byte_or_node_past_the_limit_is_refused_and_the_limit_itself_is_accepted(
        make, high, said):
    low = 0  # the largest accepted, the smallest refused
    while high - low > 1:
        middle = (low + high) // 2
        try:
            validate(parse(yaml.safe_dump(make(middle)), "main.yaml"), "main")
            low = middle
        except FlowError:
            high = middle
    assert any(said in english for _, english, _ in refusal(yaml.safe_dump(make(high))))


def test_a_turn_too_long_is_refused_where_a_shorter_turn_says_more():
    flow = chain(MAX_TURN_NODES + 3, "Hola.")
    flow["nodes"]["pick"] = {"type": "menu", "prompt": {"es": "Marque uno o dos."},
                             "options": [{"key": 1, "goto": "s0"}, {"key": 2, "goto": "big"}]}
    flow["nodes"]["big"] = {"type": "say", "prompt": {"es": "Aviso. " * 3000}, "next": "bye"}
    flow["start"] = "pick"
    assert [english for _, english, _ in refusal(yaml.safe_dump(flow))] == [
        f"from node 's0', {MAX_TURN_NODES + 4} nodes play without asking anything; a turn "
        f"plays at most {MAX_TURN_NODES}: ask something between them"]
