"""The web process loads the models once, in gunicorn's master, and its workers share them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_procfile_builds_the_app_before_forking_the_workers():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    assert "--preload" in web.split() and "wsgi:app" in web.split()


def test_building_the_app_loads_the_models_and_starts_no_thread(make_app, models_dir):
    """What create_app does runs in gunicorn's master with --preload: the models must be
    loaded there to be shared, and threads started there would not reach the workers."""
    ivr = make_app(VOSK_MODELS_DIR=str(models_dir)).extensions["ivr"]
    assert "recognizer" in vars(ivr) and ivr.recognizer.languages() >= {"ko"}
    assert "listener" not in vars(ivr)  # its recognition threads start in each worker
