"""`speech fetch`: the model archive from a local server, checked before it is unpacked."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ivr_app.__main__ import main
from speech.fetch import OFFICIAL
from speech.models import is_model


def model_zip(entries: dict[str, bytes] | None = None) -> bytes:
    """A small archive shaped like an official model: one folder with the model inside."""
    entries = entries or {"vosk-model-small-xx/am/final.mdl": b"acoustic model",
                          "vosk-model-small-xx/conf/mfcc.conf": b"--sample-frequency=16000",
                          "vosk-model-small-xx/README": b"small model"}
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return data.getvalue()


@pytest.fixture
def archive_server() -> Iterator[dict[str, Any]]:
    """Serves `served["body"]` at /model.zip on 127.0.0.1."""
    served: dict[str, Any] = {"body": b"", "hits": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served["hits"] += 1
            found = self.path == "/model.zip"
            self.send_response(200 if found else 404)
            body = served["body"] if found else b""
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    served["url"] = f"http://127.0.0.1:{server.server_address[1]}/model.zip"
    yield served
    server.shutdown()
    server.server_close()


def fetch(models: Path, served: dict[str, Any], sha256: str = "") -> int:
    digest = sha256 or hashlib.sha256(served["body"]).hexdigest()
    return main(["speech", "fetch", "es", "--dir", str(models), "--url", served["url"],
                 "--sha256", digest])


def test_the_official_archives_are_the_small_spanish_and_english_models():
    assert OFFICIAL["es"].url.endswith("/vosk-model-small-es-0.42.zip")
    assert OFFICIAL["en"].url.endswith("/vosk-model-small-en-us-0.15.zip")
    assert all(len(a.sha256) == 64 for a in OFFICIAL.values())


def test_a_verified_archive_is_unpacked_into_the_language_folder(tmp_path, archive_server):
    archive_server["body"] = model_zip()
    assert fetch(tmp_path, archive_server) == 0
    assert is_model(tmp_path / "es")
    assert (tmp_path / "es" / "README").read_bytes() == b"small model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["es"]  # nothing left behind


def test_a_model_already_there_is_not_downloaded_again(tmp_path, archive_server, capsys):
    archive_server["body"] = model_zip()
    fetch(tmp_path, archive_server)
    assert fetch(tmp_path, archive_server) == 0
    assert archive_server["hits"] == 1
    assert f"es: model already in {tmp_path / 'es'}" in capsys.readouterr().out


def test_a_wrong_checksum_unpacks_nothing_and_says_how_to_add_the_model(tmp_path,
                                                                      archive_server, capsys):
    archive_server["body"] = model_zip()
    assert fetch(tmp_path, archive_server, sha256="0" * 64) == 1
    assert list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    assert "expected " + "0" * 64 + ": not unpacked" in err
    assert f"speech stays off for 'es' until a model is in {tmp_path / 'es'}" in err


def test_an_archive_reaching_outside_its_folder_is_refused(tmp_path, archive_server, capsys):
    archive_server["body"] = model_zip({"../../evil.txt": b"x"})
    assert fetch(tmp_path, archive_server) == 1
    assert "'../../evil.txt' points outside the model folder" in capsys.readouterr().err
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_server_that_does_not_answer_is_a_clear_failure(tmp_path, archive_server, capsys):
    archive_server["url"] = archive_server["url"].replace("model.zip", "missing.zip")
    assert fetch(tmp_path, archive_server, sha256="1" * 64) == 1
    assert "could not download" in capsys.readouterr().err
