"""The sealed speech clips are the ones whose SHA-256 were committed before any band was
chosen: a clip changed, added or dropped since turns this red (tests/audio/make_sealed.py)."""

from __future__ import annotations

import csv
import hashlib

from tests.support.spoken import AUDIO

SEALED = AUDIO / "sealed"


def test_the_sealed_clips_are_the_committed_ones():
    sums = dict(reversed(line.split("  ", 1))
                for line in (SEALED / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    with (SEALED / "clips.tsv").open(encoding="utf-8") as rows:
        listed = [row["file"] for row in csv.DictReader(rows, delimiter="\t")]
    assert sorted(listed) == sorted(sums)
    assert sorted(p.name for p in SEALED.glob("*.wav")) == sorted(sums)
    assert {name: hashlib.sha256((SEALED / name).read_bytes()).hexdigest()
            for name in listed} == sums
