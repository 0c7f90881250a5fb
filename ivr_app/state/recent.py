"""The calls whose last step this host's web processes took, so their next step needs no
read first.

Twilio sends a call's next step to any web process. The one that took the step before
knows the call's state; under gunicorn every worker of the host shares what they know
(`share_between_workers`, called by gunicorn.conf.py before the workers start), else each
process keeps its own. The step's script (state/calls.py) commits only if the call is still
at that step, taken at that time, so a stale or damaged entry costs one more round trip,
never a wrong step.
"""

from __future__ import annotations

import mmap
import struct
import threading
import zlib

SIZE = 4096  # calls remembered per process
SHARED_SIZE = 16384  # slots shared by a host's workers: more calls than its 2 cores hold
SLOT = 4096  # bytes a call takes when shared: a state past it is not kept
WAYS = 4  # slots a call may take
_HEAD = struct.Struct("<II")  # the entry's CRC-32 and length
_HEAD_MAX = 160  # bytes read to find an entry's sid and step time
Known = tuple[str, bool, str]  # the state (JSON), whether a stream was live, the step's time


class RecentSteps:
    """Per process, bounded: each call's step, its state (JSON) at that step, whether a
    media stream of it was live when the step before was taken, and when it was taken."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._calls: dict[str, tuple[int, Known]] = {}
        self._lock = threading.Lock()  # gthread workers share it between threads

    def get(self, sid: str, seq: int) -> Known | None:
        """What this process left the call at, if it left it at step `seq`."""
        found = self._calls.get(sid)
        return found[1] if found is not None and found[0] == seq else None

    def put(self, sid: str, seq: int, data: str, streaming: bool, asked: str) -> None:
        """The call is now at step `seq` with this state; the oldest call goes past `size`."""
        with self._lock:
            self._calls.pop(sid, None)
            self._calls[sid] = (seq, (data, streaming, asked))
            if len(self._calls) > self.size:
                del self._calls[next(iter(self._calls))]


class SharedSteps:
    """The same, in memory shared by the processes forked after it was made. Each call has
    WAYS slots it may take (by hashes of its sid), and takes its own, else a free one, else
    the one whose step is oldest: with four ways, a host holding half as many calls as it has
    slots loses about one in fifty to another call, with two, one in ten. Writes are not
    locked between processes: an entry read while another is written fails its CRC and
    counts as not known (choosing a slot reads only heads: a torn one costs a poor choice)."""

    def __init__(self, size: int = SHARED_SIZE):
        self.size = size
        self._memory = mmap.mmap(-1, size * SLOT)  # anonymous and shared: kept across fork

    def get(self, sid: str, seq: int) -> Known | None:
        mine = sid.encode() + b"\n"
        memory, skip = self._memory, _HEAD.size
        for at in self._slots(sid):
            if memory[at + skip:at + skip + len(mine)] != mine:
                continue  # another call's, or empty: not read further
            found = self._entry(at)
            if found is not None and found[0] == sid and found[1] == str(seq):
                return found[4], found[2] == "1", found[3]
        return None

    def put(self, sid: str, seq: int, data: str, streaming: bool, asked: str) -> None:
        entry = f"{sid}\n{seq}\n{int(streaming)}\n{asked}\n\n".encode() + data.encode()
        if len(entry) > SLOT - _HEAD.size:
            return  # a state this large is read from Redis at the next step
        mine = sid.encode()
        at = min(self._slots(sid), key=lambda at: _claim(self._head(at), mine))
        self._memory[at:at + _HEAD.size + len(entry)] = \
            _HEAD.pack(zlib.crc32(entry), len(entry)) + entry

    def _slots(self, sid: str) -> dict[int, None]:
        """The call's slots (offsets), in the order it prefers them: distinct, by double
        hashing (an odd stride over a power-of-two table; fewer if the table is smaller)."""
        digest = zlib.crc32(sid.encode())
        first, stride = digest % self.size, (digest >> 16) * 2 + 1
        return dict.fromkeys((first + k * stride) % self.size * SLOT for k in range(WAYS))

    def _head(self, at: int) -> list[bytes] | None:
        """The slot's sid and step time as written (not checked: for choosing a slot only);
        None if empty."""
        length = _HEAD.unpack_from(self._memory, at)[1]
        if not 0 < length <= SLOT - _HEAD.size:
            return None
        return self._memory[at + _HEAD.size:at + _HEAD.size + _HEAD_MAX].split(b"\n", 4)

    def _entry(self, at: int) -> list[str] | None:
        """The slot's sid, step, stream flag, step time and state; None if empty or damaged."""
        crc, length = _HEAD.unpack_from(self._memory, at)
        if not 0 < length <= SLOT - _HEAD.size:
            return None
        entry = self._memory[at + _HEAD.size:at + _HEAD.size + length]
        if zlib.crc32(entry) != crc:
            return None
        head, _, data = entry.partition(b"\n\n")
        fields = head.decode().split("\n")
        return [*fields, data.decode()] if len(fields) == 4 else None


def _claim(head: list[bytes] | None, sid: bytes) -> tuple[int, float]:
    """Which slot a call takes first: its own, then a free one, then the oldest step's."""
    if head is not None and head[0] == sid:
        return 0, 0.0
    if head is None or len(head) < 4:
        return 1, 0.0
    try:
        return 2, float(head[3])
    except ValueError:
        return 1, 0.0


_shared: SharedSteps | None = None


def share_between_workers() -> None:
    """Called in gunicorn's master before it forks: its workers then share one memory."""
    global _shared
    _shared = SharedSteps()


def recent_steps() -> RecentSteps | SharedSteps:
    """The host's shared memory if the process was forked after it was made, else its own."""
    return _shared if _shared is not None else RecentSteps()
