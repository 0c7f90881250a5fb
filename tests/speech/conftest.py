"""Fixtures of the speech tests: the models this run has, recordings served as Twilio does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import Call
from tests.conftest import TOKEN
from tests.support.spoken import ACCOUNT, KO_MODEL, MENUS, flow_text, model_folder, wideband_copy


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VOSK_MODELS_DIR with every model this run has, one sub-folder per language."""
    folder = tmp_path_factory.mktemp("models")
    for lang in MENUS:
        found = model_folder(lang)
        if found is not None:
            (folder / lang).symlink_to(found.resolve())
    return folder


@pytest.fixture(scope="session")
def wideband_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VOSK_MODELS_DIR whose Korean model refuses 8 kHz audio, as the small Spanish and
    English models do: the packaged model without `--allow-upsample`."""
    folder = tmp_path_factory.mktemp("wideband")
    wideband_copy(KO_MODEL, folder / "ko")
    return folder


@pytest.fixture
def recordings() -> Iterator[RecordingServer]:
    """Twilio's recordings API on 127.0.0.1, with the test account's credentials."""
    server = RecordingServer(ACCOUNT, TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def speech_call(make_app: Callable[..., Any], redis: Any, tmp_path: Path, models_dir: Path,
                recordings: RecordingServer) -> Callable[..., Call]:
    """A caller on the one-menu line in `lang`; keyword arguments go to the app's config."""

    def dial(lang: str, retries: int = 2, **config: Any) -> Call:
        flows = tmp_path / lang
        flows.mkdir(exist_ok=True)
        (flows / "line.yaml").write_text(flow_text(lang, retries), encoding="utf-8")
        app = make_app(**{"FLOWS_DIR": str(flows), "IVR_FLOW": "line",
                          "VOSK_MODELS_DIR": str(models_dir), "TWILIO_ACCOUNT_SID": ACCOUNT,
                          "TWILIO_API_BASE": recordings.base, **config})
        return Call(app, TOKEN, recordings=recordings).dial()

    return dial
