"""Checking a flow's `survey:` section: the questions asked after an agent hangs up."""

from __future__ import annotations

from typing import Any

from ivr_app.flow import checker, model, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words


def survey(check: Checker, value: Any, path: Path_) -> model.SurveySettings | None:
    checked = check.fields(value, path, spec.SURVEY_FIELDS, "'survey'")
    if not checked or None in checked.values() or "resolved" not in checked:
        return None
    return model.SurveySettings(**checked)


def survey_seconds(check: Checker, value: Any, path: Path_) -> int | None:
    """The survey's longest: a caller who has just been helped is not kept on the line."""
    low, high = spec.SURVEY_SECONDS
    number = checker.integer(check, value, path)
    if number is not None and not low <= number <= high:
        check.error(path, words("{field!r} must be seconds from {low} to {high}, not {number}",
                                "{field!r} debe ser de {low} a {high} segundos, no {number}",
                                field=path[-1], low=low, high=high, number=number), "range")
        return None
    return number


def survey_fits(check: Checker, flow: model.Flow) -> None:
    """Waiting for the keys of every question fits in the survey's seconds."""
    if flow.survey is None:
        return
    waits = flow.timeout * len(flow.survey.questions())
    if waits > flow.survey.seconds:
        check.error(("survey",), words(
            "{n} questions with the flow's timeout of {timeout} s wait up to {waits} s for "
            "keys, more than the survey's {seconds} s: lower 'timeout' or leave out 'rating'",
            "{n} preguntas con el timeout del flujo de {timeout} s esperan teclas hasta "
            "{waits} s, más que los {seconds} s de la encuesta: baje 'timeout' o quite "
            "'rating'", n=len(flow.survey.questions()), timeout=flow.timeout, waits=waits,
            seconds=flow.survey.seconds), "survey-time", key=True)


KINDS: dict[str, Kind] = {"survey": survey, "survey_seconds": survey_seconds}
