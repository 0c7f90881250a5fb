"""`python -m ivr_app speech fetch es|en`: the official small Vosk model, checked, unpacked.

No package registry carries the Spanish or English models, so they come from the
Vosk project's own site, once, on a machine with internet. The archive must match
the checksum below before anything is unpacked; a model already in place is kept.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import requests

from speech.models import is_model

CHUNK = 1 << 20
TIMEOUT = 20  # seconds to connect, and between bytes


@dataclass(frozen=True)
class Archive:
    url: str
    sha256: str


# The small models the Vosk project publishes; sizes 39,817,833 and 41,205,931 bytes.
OFFICIAL = {
    "es": Archive("https://alphacephei.com/vosk/models/vosk-model-small-es-0.42.zip",
                  "09b239888f633ef2f0b4e09736e3d9936acfd810bc65d53fad45261762c6511f"),
    "en": Archive("https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
                  "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"),
}


class FetchError(Exception):
    """The model could not be fetched; the message says why and how to add it by hand."""


def fetch(lang: str, models_dir: Path, archive: Archive) -> Path:
    """Download, verify and unpack `archive` into models_dir/lang; return that folder."""
    target = models_dir / lang
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=f".{lang}-") as tmp:
        zipped = Path(tmp) / "model.zip"
        digest = _download(archive.url, zipped)
        if digest != archive.sha256:
            raise FetchError(f"{archive.url} has checksum {digest}, expected {archive.sha256}: "
                             "not unpacked")
        unpacked = _unpack(zipped, Path(tmp) / "unpacked")
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)  # same file system: the model appears whole or not at all
    return target


def _download(url: str, into: Path) -> str:
    """Stream `url` to a file; return the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=TIMEOUT) as got:
            got.raise_for_status()
            with into.open("wb") as out:
                for chunk in got.iter_content(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"could not download {url}: {exc}") from exc
    return digest.hexdigest()


def _unpack(zipped: Path, into: Path) -> Path:
    """Unzip, refusing paths that leave the folder; the model folder inside it."""
    try:
        with zipfile.ZipFile(zipped) as archive:
            for name in archive.namelist():
                if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
                    raise FetchError(f"archive entry {name!r} points outside the model folder")
            archive.extractall(into)
    except zipfile.BadZipFile as exc:
        raise FetchError(f"not a zip archive: {exc}") from exc
    found = [into, *sorted(p for p in into.iterdir() if p.is_dir())]
    for folder in found:
        if is_model(folder):
            return folder
    raise FetchError("the archive holds no Vosk model (no am/final.mdl and conf/mfcc.conf)")


def fetch_command(langs: list[str], models_dir: Path, url: str = "", sha256: str = "") -> int:
    """Fetch each language's model unless it is there; 1 if any could not be had."""
    failed = False
    for lang in langs:
        target = models_dir / lang
        if is_model(target):
            print(f"{lang}: model already in {target}")
            continue
        archive = Archive(url, sha256) if url else OFFICIAL.get(lang)
        if archive is None:
            failed = True
            print(f"{lang}: no official model is known; give --url and --sha256",
                  file=sys.stderr)
            continue
        print(f"{lang}: downloading {archive.url}")
        try:
            print(f"{lang}: model ready in {fetch(lang, models_dir, archive)}")
        except (FetchError, OSError) as exc:
            failed = True
            print(f"{lang}: {exc}\n{lang}: speech stays off for {lang!r} until a model is in "
                  f"{target}: download {archive.url} elsewhere, check its SHA-256 is "
                  f"{archive.sha256}, and unzip it there", file=sys.stderr)
    return 1 if failed else 0
