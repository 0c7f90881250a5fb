"""Keep a process running: `python -m workers.supervise rq worker ...` (see the Procfile).

An RQ worker quits when Redis goes away under it (a restart, a Sentinel failover), and
a Procfile runner such as honcho would then stop everything. Here the command is started
again after a short pause (doubling up to 30 s while it keeps failing fast), until a
SIGTERM or SIGINT asks this process to stop; that signal is passed on to the command,
and this process exits 0 once it has ended.

The command runs in a process group of its own, so a signal sent to this process's group
(honcho stops each Procfile line with `killpg`) reaches it once, from here: a second SIGTERM
would turn an RQ worker's warm shutdown, which lets the job in hand finish, into a cold one.
Should this process die without passing anything on, the command gets a SIGTERM (Linux's
parent-death signal), so it never outlives its supervisor.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY_AFTER = 60.0  # a run this long resets the pause
PR_SET_PDEATHSIG = 1  # prctl(2)
_libc = ctypes.CDLL(None, use_errno=True)


def _ended_with(supervisor: int) -> Callable[[], None]:
    def in_child() -> None:
        """Before exec: SIGTERM when the supervisor dies (prctl's PR_SET_PDEATHSIG)."""
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != supervisor:  # it died before prctl took effect
            os._exit(1)

    return in_child


def supervise(argv: list[str]) -> int:
    """Run `argv` again each time it exits on its own; 0 once told to stop and it has."""
    stop = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, _frame: object) -> None:
        stop.set()
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    pause = FIRST_PAUSE
    while True:
        started = time.monotonic()
        child = subprocess.Popen(argv, process_group=0,
                                 preexec_fn=_ended_with(os.getpid()))
        code = child.wait()
        if stop.is_set():
            return 0
        pause = FIRST_PAUSE if time.monotonic() - started > STEADY_AFTER else pause
        print(f"supervise: {argv[0]} exited with code {code}; starting it again in "
              f"{pause:g} s", file=sys.stderr, flush=True)
        if stop.wait(pause):
            return 0
        pause = min(pause * 2, LONGEST_PAUSE)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m workers.supervise COMMAND [ARGS...]")
    sys.exit(supervise(sys.argv[1:]))
