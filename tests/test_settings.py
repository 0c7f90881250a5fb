"""Settings as an operator sets them: environment variables, typed, with errors that say
which variable is wrong, and a configuration page that cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_app import create_app
from ivr_app.__main__ import main
from ivr_app.platform.config import SettingsError, from_env, markdown, settings

ROOT = Path(__file__).resolve().parent.parent


def test_numbers_from_the_environment_are_numbers_and_empty_ones_keep_the_default():
    given = from_env({"AGENT_RING_SECONDS": "35", "REDIS_TIMEOUT": "0.25", "REDIS_DB": "",
                      "HOLD_MUSIC_URL": "https://example.com/hold.mp3", "HOME": "/root"})
    assert given == {"AGENT_RING_SECONDS": 35, "REDIS_TIMEOUT": 0.25,
                     "HOLD_MUSIC_URL": "https://example.com/hold.mp3"}
    assert settings(given)["REDIS_DB"] == 0


def test_a_bad_number_names_the_variable_and_what_was_expected():
    with pytest.raises(SettingsError) as raised:
        from_env({"AGENT_RING_SECONDS": "abc", "REDIS_TIMEOUT": "1s", "WRAP_UP_SECONDS": "30"})
    assert str(raised.value) == (
        "settings from the environment are not valid:\n"
        "  REDIS_TIMEOUT='1s': Input should be a valid number, unable to parse string as a "
        "number\n"
        "  AGENT_RING_SECONDS='abc': Input should be a valid integer, unable to parse string "
        "as an integer")


def test_the_app_does_not_start_on_a_bad_setting(monkeypatch):
    monkeypatch.setenv("AGENT_RING_SECONDS", "twenty")
    with pytest.raises(SettingsError, match="AGENT_RING_SECONDS='twenty'"):
        create_app()


def test_ivr_insecure_dev_1_turns_off_the_signature_check_and_nothing_else_does():
    assert from_env({"IVR_INSECURE_DEV": "1"}) == {"INSECURE_DEV": True}
    assert from_env({"IVR_INSECURE_DEV": "0"}) == {"INSECURE_DEV": False}
    assert from_env({"INSECURE_DEV": "1"}) == {}
    assert settings({})["INSECURE_DEV"] is False
    with pytest.raises(SettingsError, match="IVR_INSECURE_DEV='please'"):
        from_env({"IVR_INSECURE_DEV": "please"})


def test_the_settings_command_checks_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("WAIT_ANNOUNCE_SECONDS", "1m")
    assert main(["settings"]) == 1
    assert "WAIT_ANNOUNCE_SECONDS='1m': Input should be a valid integer" in capsys.readouterr().err
    monkeypatch.setenv("WAIT_ANNOUNCE_SECONDS", "90")
    assert main(["settings"]) == 0


def test_the_configuration_page_is_the_table_the_declarations_make(capsys):
    assert main(["settings", "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed == markdown()
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == printed, \
        "run: python -m ivr_app settings --markdown > docs/configuration.md"
    assert "| `AGENT_RING_SECONDS` | integer | `20` | How long an agent's phone rings before " \
        "the next agent is tried. |" in printed
    assert "| `IVR_INSECURE_DEV` | `1` or `0` | `0` |" in printed

