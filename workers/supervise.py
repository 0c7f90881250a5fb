"""Keep a process running: `python -m workers.supervise rq worker ...` (see the Procfile).

An RQ worker quits when Redis goes away under it (a restart, a Sentinel failover), and
a Procfile runner such as honcho would then stop everything. Here the command is started
again after a short pause (doubling up to 30 s while it keeps failing fast), until a
SIGTERM or SIGINT asks this process to stop; that signal is passed on to the command,
and this process exits 0 once it has ended.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY_AFTER = 60.0  # a run this long resets the pause


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
        child = subprocess.Popen(argv)
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
