"""The calls whose last step this process took, so their next step needs no read first.

Twilio sends a call's next step to any web process; when it comes back to the one that
took the step before, that process already knows the call's state. The step's script
(state/calls.py) checks that the call is still at that step, so a stale entry costs one
more round trip, never a wrong step: a call's state changes only by a commit, and every
commit moves its step on.
"""

from __future__ import annotations

import threading

SIZE = 4096  # calls remembered per process: a few MB of JSON at most


class RecentSteps:
    """Per process, bounded: each call's step, its state (JSON) at that step, and whether
    a media stream of it was live when the step before was taken."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._calls: dict[str, tuple[int, str, bool]] = {}
        self._lock = threading.Lock()  # gthread workers share it between threads

    def get(self, sid: str, seq: int) -> tuple[str, bool] | None:
        """The call's state and stream flag if this process left it at step `seq`."""
        known = self._calls.get(sid)
        if known is None or known[0] != seq:
            return None
        return known[1], known[2]

    def put(self, sid: str, seq: int, data: str, streaming: bool) -> None:
        """The call is now at step `seq` with this state; the oldest call goes past `size`."""
        with self._lock:
            self._calls.pop(sid, None)
            self._calls[sid] = (seq, data, streaming)
            if len(self._calls) > self.size:
                del self._calls[next(iter(self._calls))]
