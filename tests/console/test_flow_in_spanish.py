"""A Spanish-speaking supervisor reads what the checker and the audit say in Spanish, at the
same lines, columns and rules as `lint` prints them in English."""

from __future__ import annotations

import html

from tests.console.test_flow_changes import save


def in_spanish(sol):
    sol.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    return sol


def test_the_checker_answers_a_spanish_supervisor_in_spanish_as_she_types(sol):
    answer = in_spanish(sol).post("/console/flows/main/check",
                                  {"text": "languages: {}\n"}).get_json()
    assert {"line": 1, "column": 12, "message": "'languages' debe declarar al menos un "
            "idioma", "rule": "required"} in answer["problems"]


def test_a_refused_save_lists_its_problems_in_spanish_at_their_lines(sol, flows):
    before = (flows / "main.yaml").read_text()
    line = before.splitlines().index("        goto: goodbye") + 1
    page = save(in_spanish(sol), before.replace("goto: goodbye", "goto: goodby"))
    assert page.status_code == 422
    shown = html.unescape(page.get_data(as_text=True))
    assert (f"línea {line}, columna 15</a>: el destino de goto 'goodby' no es un nodo; "
            "¿quiso decir 'goodbye'? [unknown-target]") in shown


def test_a_file_refused_on_disk_is_explained_in_spanish_in_lints_format(sol, flows):
    path = flows / "main.yaml"
    path.write_text("languages: {}\n")
    refused = in_spanish(sol).get("/console/flows/main/standing").get_json()["refused"]
    assert f"{path}:1:12: 'languages' debe declarar al menos un idioma [required]" in refused


def test_the_scorecard_gives_its_evidence_in_spanish(sol, flows):
    slow = (flows / "main.yaml").read_text().replace("offer_after: 120", "offer_after: 1800")
    assert save(sol, slow).status_code == 302
    page = html.unescape(in_spanish(sol).get("/console/flows/main").get_data(as_text=True))
    card = page[page.index('id="scorecard"'):]
    assert "support ofrece una devolución solo después de 1800 s" in card
    assert "en el motor, la tecla 0 y las " in card and "ninguno colgó" in card
    assert "on the engine" not in card and "offers a callback" not in card
