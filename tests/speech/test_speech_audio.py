"""Recordings as Twilio serves them, decoded without audioop."""

from __future__ import annotations

import struct

import pytest

from speech.audio import (
    Audio,
    AudioError,
    mu_law_to_pcm,
    read_wav,
    resample,
    sounds_like_speech,
)
from tests.support.spoken import AUDIO, clips


def wav(fmt_tag: int, channels: int, bits: int, samples: bytes, rate: int = 8000) -> bytes:
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * channels * bits // 8,
                      channels * bits // 8, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_mu_law_decodes_as_g711_says():
    decoded = struct.unpack("<4h", mu_law_to_pcm(bytes([0xFF, 0x7F, 0x00, 0x80])))
    assert decoded == (0, 0, -32124, 32124)


def test_a_phone_clip_decodes_to_its_length_at_8_khz():
    audio = read_wav((AUDIO / "ko-yeyak-175.wav").read_bytes())
    assert audio.rate == 8000
    assert 0.3 < audio.seconds < 0.6


def test_a_16_bit_pcm_recording_is_taken_as_it_is():
    samples = struct.pack("<3h", 1, -2, 3)
    assert read_wav(wav(1, 1, 16, samples)) == Audio(samples, 8000)


@pytest.mark.parametrize(("data", "message"), [
    (b"ID3\x04 an mp3", "not a WAV file"),
    (wav(7, 2, 8, b"\xff\xff"), "WAV has 2 channels; expected a mono call recording"),
    (wav(3, 1, 32, b"\x00" * 4), "WAV format 3 with 32 bits; expected mu-law"),
])
def test_anything_else_is_refused_with_what_was_found(data, message):
    with pytest.raises(AudioError, match=message):
        read_wav(data)


@pytest.mark.parametrize("name", [n for n in clips() if not n.startswith("noise-")])
def test_speech_rises_and_falls(name):
    assert sounds_like_speech(read_wav((AUDIO / name).read_bytes()))


@pytest.mark.parametrize("name", [n for n in clips()
                                  if n.startswith("noise-") and n != "noise-babble.wav"])
def test_steady_noise_is_not_speech(name):
    """Babble is speech, three voices at once: the recognizer turns it away instead."""
    assert not sounds_like_speech(read_wav((AUDIO / name).read_bytes()))


def test_phone_audio_resampled_to_16_khz_keeps_its_length_and_its_sound():
    audio = read_wav((AUDIO / "ko-yeyak-175.wav").read_bytes())
    wide = resample(audio, 16000)
    assert wide.rate == 16000
    assert abs(wide.seconds - audio.seconds) < 0.001
    assert sounds_like_speech(wide)
    assert resample(audio, 8000) == audio
