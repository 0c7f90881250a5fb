"""A flow can prove it is humane: `audit` scores the GetHuman standard's nine points."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ivr_app.__main__ import lint_command, main
from ivr_app.call import answers, engine
from ivr_app.call.turn import Turn
from ivr_app.flow import builtins
from ivr_app.flow.audit import MAX_BEFORE_SERVICE_S, MAX_LISTEN_S, SPEECH_RATE, audit
from ivr_app.flow.validate import load_flow

BASE: dict[str, Any] = {
    "languages": {"es": {"voice": "Polly.Mia", "locale": "es-MX"},
                  "en": {"voice": "Polly.Joanna", "locale": "en-US"}},
    "human": {"queue": "support"},
    "start": "language",
    "nodes": {
        "language": {"type": "language", "prompt": {"es": "Para español, marque uno.",
                                                    "en": "For English, press two."},
                     "choices": [{"key": 1, "language": "es", "say": ["español"]},
                                 {"key": 2, "language": "en", "say": ["english"]}],
                     "next": "menu"},
        "menu": {"type": "menu", "prompt": {"es": "Para facturas, uno. Para terminar, dos.",
                                            "en": "For bills, one. To end the call, two."},
                 "options": [{"key": 1, "say": {"es": ["factura"], "en": ["bill"]},
                              "goto": "account"},
                             {"key": 2, "say": {"es": ["terminar"], "en": ["end"]},
                              "goto": "bye"}]},
        "account": {"type": "collect", "variable": "account", "length": 4, "confirm": False,
                    "prompt": {"es": "Marque su cuenta.", "en": "Enter your account."},
                    "next": "billing"},
        "billing": {"type": "transfer", "queue": "billing", "reason": "bill"},
        "bye": {"type": "goodbye", "prompt": {"es": "Adiós.", "en": "Goodbye."}},
    },
}


def words(count: int) -> str:
    return " ".join(["palabra"] * count)


def broken(point: int) -> dict[str, Any]:
    """BASE, changed so that it fails `point` and no other."""
    flow = copy.deepcopy(BASE)
    nodes = flow["nodes"]
    if point == 1:  # a language with no words that ask for a person
        flow["languages"]["ko"] = {"voice": "Polly.Seoyeon", "locale": "ko-KR"}
        flow["messages"] = {"ko": dict(builtins.MESSAGES["en"])}
        nodes["language"]["choices"].append({"key": 3, "language": "ko", "say": ["한국어"]})
        for node in nodes.values():
            if "prompt" in node:
                node["prompt"]["ko"] = "한국어 안내입니다."
        for option in nodes["menu"]["options"]:
            option["say"]["ko"] = ["요금"] if option["key"] == 1 else ["종료"]
    elif point == 2:
        flow["messages"] = {"es": {"queue_position": "Espere en la fila, por favor."}}
    elif point == 3:
        nodes["account"]["next"] = "again"
        nodes["again"] = {**nodes["account"], "skip_if_set": False, "next": "billing"}
    elif point == 4:
        flow["callbacks"] = {"offer_after": 1800}
    elif point == 5:
        del nodes["menu"]["options"][0]["key"]
    elif point == 6:
        nodes["account"]["prompt"]["en"] = words(int(MAX_LISTEN_S * SPEECH_RATE) + 5)
    elif point == 7:
        flow["start"] = "welcome"
        nodes["welcome"] = {"type": "say", "next": "language", "prompt": {
            "es": words(int(MAX_BEFORE_SERVICE_S * SPEECH_RATE) + 3), "en": "Hi."}}
    elif point == 8:
        flow["hours"] = {"office": {"timezone": "UTC", "weekly": {"mon-fri": "09:00-17:00"}}}
        flow["callbacks"] = {"hours": "office"}
        nodes["account"]["next"] = "open"
        nodes["open"] = {"type": "branch", "cases": [{"when": {"hours": "office"},
                                                      "goto": "billing"}],
                         "otherwise": "closed"}
        nodes["closed"] = {"type": "goodbye", "prompt": {"es": "Cerrado.", "en": "Closed."}}
    elif point == 9:
        flow["start"] = "menu"
        del nodes["language"]
    return flow


def run_audit(tmp_path: Path, flow: dict[str, Any], capsys) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "main.yaml"
    path.write_text(yaml.safe_dump(flow, allow_unicode=True), encoding="utf-8")
    code = main(["audit", str(path), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_demo_flow_passes_all_nine_points_with_evidence(capsys):
    assert main(["audit", "flows/main.yaml", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["flow"] == "flows/main.yaml"
    assert [p["point"] for p in card["points"]] == list(range(1, 10))
    assert all(p["pass"] and p["evidence"] for p in card["points"])
    assert "key 0 at every one" in card["points"][0]["evidence"]
    assert "agente" in card["points"][0]["evidence"]
    assert "on the engine, key 0 and the 11 escape words at each of 10 questions in es, en: " \
        "all 240 reached a person" in card["points"][0]["evidence"]
    assert "on the engine, silence and a wrong key, 3 times each, at each of 10 questions in " \
        "es, en: all 40 reached a person, none hung up" in card["points"][7]["evidence"]


@pytest.mark.parametrize("point", [1, 2, 3, 4, 6, 7, 8, 9])
def test_a_flow_built_to_fail_one_point_fails_exactly_that_point(tmp_path, capsys, point):
    code, card = run_audit(tmp_path, broken(point), capsys)
    assert code == 1
    assert [p["point"] for p in card["points"] if not p["pass"]] == [point]


def test_the_base_of_those_flows_passes_every_point(tmp_path, capsys):
    code, card = run_audit(tmp_path, BASE, capsys)
    assert code == 0 and all(p["pass"] for p in card["points"])


def test_a_spoken_option_without_a_key_fails_point_5(tmp_path):
    # The loader refuses such a flow already; the audit says so on its own too.
    path = tmp_path / "main.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    flow = load_flow(path)
    menu = flow.nodes["menu"]
    keyless = dataclasses.replace(menu, options=(dataclasses.replace(menu.options[0], key=""),
                                                 *menu.options[1:]))
    flow = dataclasses.replace(flow, nodes=flow.nodes | {"menu": keyless})
    assert [p.point for p in audit(flow) if not p.passed] == [5]


def test_the_evidence_names_what_failed(tmp_path, capsys):
    _, card = run_audit(tmp_path, broken(8), capsys)
    assert "closed" in card["points"][7]["evidence"]
    _, card = run_audit(tmp_path, broken(3), capsys)
    assert "'account' at 'again' after 'account'" in card["points"][2]["evidence"]


def test_lint_shows_failed_points_as_warnings_without_refusing_the_flow(tmp_path, capsys):
    path = tmp_path / "main.yaml"
    path.write_text(yaml.safe_dump(broken(4), allow_unicode=True), encoding="utf-8")
    assert lint_command([str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:1:1: warning: GetHuman point 4 (Callbacks when the wait is long) fails: " \
        "billing offers a callback only after 1800 s; support offers a callback only after " \
        "1800 s [audit]" in out


def test_a_language_that_can_be_chosen_by_key_only_fails_point_9(tmp_path, capsys):
    flow = copy.deepcopy(BASE)
    del flow["nodes"]["language"]["choices"][1]["say"]
    code, card = run_audit(tmp_path, flow, capsys)
    assert [p["point"] for p in card["points"] if not p["pass"]] == [9]
    assert "not choosable by key and by speech: en" in card["points"][8]["evidence"]


def test_a_line_whose_key_0_no_longer_reaches_a_person_fails_point_1(monkeypatch, capsys):
    # The flow is as good as before; the runtime broke, and the audit says where.
    spoken_only = answers.is_escape
    monkeypatch.setattr(answers, "is_escape",
                        lambda flow, event: event.kind != "digits" and spoken_only(flow, event))
    assert main(["audit", "flows/main.yaml", "--json"]) == 1
    card = json.loads(capsys.readouterr().out)
    assert [p["point"] for p in card["points"] if not p["pass"]] == [1]
    assert "20 of 240 failed: key 0 at language (es) -> asked again at language" \
        in card["points"][0]["evidence"]


def test_a_line_that_hangs_up_on_silence_fails_point_8(monkeypatch, capsys):
    monkeypatch.setattr(engine, "_retry", lambda *args: Turn(hangup=True))
    assert main(["audit", "flows/main.yaml", "--json"]) == 1
    card = json.loads(capsys.readouterr().out)
    assert [p["point"] for p in card["points"] if not p["pass"]] == [8]
    assert "40 of 40 failed: silence 3 times at language (es) -> hung up" \
        in card["points"][7]["evidence"]


def test_a_runtime_that_raises_is_a_failed_point_not_a_crashed_audit(monkeypatch, capsys):
    def broken_handle(*args):
        raise KeyError("node")
    monkeypatch.setattr(engine, "handle", broken_handle)
    assert main(["audit", "flows/main.yaml"]) == 1
    out = capsys.readouterr().out
    assert "1. FAIL" in out and "8. FAIL" in out
    assert "key 0 at language (es) -> raised KeyError: 'node'" in out


def test_a_flow_that_puts_every_caller_through_to_a_person_has_nothing_to_escape(tmp_path,
                                                                                capsys):
    flow = {**copy.deepcopy(BASE), "start": "billing"}
    flow["nodes"] = {"billing": BASE["nodes"]["billing"]}
    code, card = run_audit(tmp_path, flow, capsys)
    evidence = {p["point"]: p["evidence"] for p in card["points"]}
    assert "on the engine, nothing to try: the flow asks no question" in evidence[1]
    assert "on the engine, nothing to try: the flow asks no question" in evidence[8]
    assert [p["point"] for p in card["points"] if not p["pass"]] == [9]  # no language menu
