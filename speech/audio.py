"""Phone audio in, 16-bit PCM out: WAV files as Twilio serves recordings, decoded by table.

Twilio records calls as 8 kHz mono; a recording is a WAV of 8-bit mu-law or of 16-bit
PCM. Python's `audioop` is gone in 3.13, so mu-law is decoded with a 256-entry table.
"""

from __future__ import annotations

import math
import statistics
import struct
from dataclasses import dataclass

import numpy as np
import soxr

PCM, MU_LAW = 1, 7  # WAVE format tags
EXTENSIBLE = 0xFFFE


class AudioError(ValueError):
    """The bytes are not a recording we can read; the message says what was found."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit little-endian PCM and its sample rate."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


def resample(audio: Audio, rate: int) -> Audio:
    """The same sound at `rate` samples per second (soxr's high quality filter)."""
    if audio.rate == rate or not audio.pcm:
        return Audio(audio.pcm, rate)
    samples = np.frombuffer(audio.pcm[:len(audio.pcm) // 2 * 2], dtype="<i2")
    return Audio(soxr.resample(samples, audio.rate, rate).astype("<i2").tobytes(), rate)


def _mu_law_sample(byte: int) -> int:
    """ITU-T G.711 mu-law to a linear 16-bit sample."""
    u = ~byte & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)
    return 0x84 - magnitude if u & 0x80 else magnitude - 0x84


# each mu-law byte's sample, so a whole recording decodes with one indexing of the array
_MU_LAW_PCM = np.array([_mu_law_sample(b) for b in range(256)], dtype="<i2")


def mu_law_to_pcm(data: bytes) -> bytes:
    """Raw 8-bit mu-law samples to 16-bit little-endian PCM."""
    return _MU_LAW_PCM[np.frombuffer(data, dtype=np.uint8)].tobytes()


def read_wav(data: bytes) -> Audio:
    """A mono mu-law or 16-bit PCM WAV file as PCM; AudioError for anything else."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(f"not a WAV file (starts with {data[:12]!r})")
    fmt, samples = None, None
    at = 12
    while at + 8 <= len(data):
        chunk, size = data[at:at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = data[at + 8:at + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", body)
            if fmt[0] == EXTENSIBLE and len(body) >= 26:
                fmt = (struct.unpack_from("<H", body, 24)[0], *fmt[1:])
        elif chunk == b"data":
            samples = body
        at += 8 + size + (size & 1)
    if fmt is None or samples is None:
        raise AudioError("WAV file without a fmt or data chunk")
    tag, channels, rate, _, _, bits = fmt
    if channels != 1:
        raise AudioError(f"WAV has {channels} channels; expected a mono call recording")
    if tag == MU_LAW and bits == 8:
        return Audio(mu_law_to_pcm(samples), rate)
    if tag == PCM and bits == 16:
        return Audio(samples[:len(samples) // 2 * 2], rate)
    raise AudioError(f"WAV format {tag} with {bits} bits; expected mu-law (7, 8 bits) or "
                     "PCM (1, 16 bits)")


def sounds_like_speech(audio: Audio, min_spread_db: float = 2.3) -> bool:
    """Whether loudness rises and falls as speech does; silence and steady noise do not.

    Models without an [unk] word force any sound onto a menu phrase, often with full
    confidence (white noise came out as a phrase at 1.0), so steady sound is turned
    away before recognition: the loudness of 20 ms frames must spread by `min_spread_db`.
    Measured on tests/audio: steady noises spread by 0.0 to 2.15 dB (brown noise), speech
    by 2.38 (물, a sonorant word, said slowly) to 12 dB. The bar sits just above the noise:
    noise let through is still turned away by the recognizer, a word turned away here is
    lost.
    """
    frame = audio.rate // 50
    count = len(audio.pcm) // 2
    samples = struct.unpack(f"<{count}h", audio.pcm[:count * 2])
    levels = [10 * math.log10(sum(s * s for s in samples[i:i + frame]) / frame + 1.0)
              for i in range(0, count - frame + 1, frame)]
    if len(levels) < 5 or max(levels) < 30.0:  # under a quarter second, or near silence
        return False
    return statistics.pstdev(levels) >= min_spread_db
