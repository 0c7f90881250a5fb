"""A recording to what the caller said, inside the time a phone step can wait.

Twilio waits 15 s for an answer; the caller waits in silence. The whole step, download
and recognition, gets a budget of a few seconds: past it, or on any failure, `hear`
returns None and the caller is asked to use keys instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from speech import Heard, Recognizer
from speech.audio import AudioError, read_wav, sounds_like_speech
from speech.recording import RecordingUnavailable

log = logging.getLogger(__name__)

Fetch = Callable[[str, float], bytes]  # (recording sid, deadline) -> WAV bytes


class Listener:
    """Fetches and recognises recordings within `budget` seconds each."""

    def __init__(self, recognizer: Recognizer, fetch: Fetch, budget: float,
                 clock: Callable[[], float] = time.monotonic, threads: int = 2):
        self.recognizer = recognizer
        self.fetch = fetch
        self.budget = budget
        self.clock = clock
        # Recognition runs on these threads so a slow one can be given up on; it finishes
        # in the background, and a busy pool makes later ones wait (and give up) too.
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="speech")

    def hear(self, recording: str, lang: str, phrases: Sequence[str]) -> Heard | None:
        """What the recording says among `phrases`; None if too slow or failed."""
        deadline = self.clock() + self.budget
        try:
            audio = read_wav(self.fetch(recording, deadline))
        except (RecordingUnavailable, AudioError) as exc:
            log.warning("speech: no recording to recognise: %s", exc)
            return None
        if not sounds_like_speech(audio):
            return Heard()  # silence or a steady noise: nothing was said
        job = self._pool.submit(self.recognizer.recognize, audio, lang, phrases)
        try:
            return job.result(timeout=max(0.0, deadline - self.clock()))
        except FutureTimeout:
            log.warning("speech: recognition took more than %.1f s; asking for keys",
                        self.budget)
        except Exception:
            log.exception("speech: recognition failed; asking for keys")
        return None

    def close(self) -> None:
        """Stop taking work (tests build many apps); running recognitions finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)
