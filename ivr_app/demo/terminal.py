"""`simulate` on the terminal: the caller types keys, words or `hangup`, or a script does,
and the call's story is printed as it goes (on `up`'s demo line, an agent can take it)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ivr_app.demo.on_the_line import HANG_UP, DemoLine, Watch
from ivr_app.demo.simulator import Call, apply_input, choose_language


def converse(call: Call, path: Path, lang: str | None, script: str | None,
              wait_for_agent: float, line: DemoLine | None) -> None:
    """Dial, then answer from the script or the keyboard, hold for an agent if asked, then
    hang up (typing `hangup`, Ctrl-C or closing the terminal hangs up too: the line and the
    agent hear it). On `up`'s demo line an agent can take the call."""
    print(f"Calling {path} from {call.caller} (call {call.sid})")
    watch = None
    if line is not None:
        line.came_in(call)
        watch = Watch(call, line)
    call.dial()
    if watch is not None:
        watch.start()

    def on_the_line() -> bool:
        return not (watch and watch.ended.is_set()) and (call.waiting or bool(call.room))

    try:  # whatever ends the session (a signal, a terminal gone mid-print): the caller hangs up
        with _stopping_hangs_up():
            try:
                if lang and not choose_language(call, lang):
                    print(f"(the flow did not ask for a language, so --lang {lang} was not used)")
                if script is not None:
                    left = script.split(",")
                    while left and on_the_line() and left[0].strip().lower() != HANG_UP:
                        (watch.act if watch else lambda text: apply_input(call, text))(left.pop(0))
                    if left and left[0].strip().lower() != HANG_UP:
                        print(f"(the call ended before these inputs: {left})")
                else:
                    print('Type keys (e.g. 1 or 12345674), "say: words", "wav: answer.wav" (after '
                          'the beep), "stream: answer.wav" (over the prompt), an empty line for '
                          f"silence, or {HANG_UP} (or Ctrl-D) to hang up.")
                    _type_along(call, watch, on_the_line)
                if wait_for_agent and on_the_line() and not call.room:
                    _hold_for_agent(call, watch, wait_for_agent, script is None, on_the_line)
            except KeyboardInterrupt:  # Ctrl-C: the caller puts the phone down, as `hangup` does
                print("\n(hanging up)")
    finally:
        (watch.hang_up if watch is not None else call.hang_up)()
    print(f"Call ended with: {call.ending}")


@contextmanager
def _stopping_hangs_up() -> Iterator[None]:
    """Closing the terminal (SIGHUP) or stopping the process (SIGTERM) is the caller putting
    the phone down, as Ctrl-C is: else the agent stays on a call with nobody on it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return

    def hang_up(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    before = {sig: signal.signal(sig, hang_up) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _type_along(call: Call, watch: Watch | None, on_the_line: Callable[[], bool]) -> None:
    """The caller's keyboard, until they hang up or the call ends."""
    while on_the_line():
        try:
            typed = input("> ")
        except EOFError:
            print()
            return
        if typed.strip().lower() == HANG_UP:
            return
        (watch.act if watch else lambda text: apply_input(call, text))(typed)


def _hold_for_agent(call: Call, watch: Watch | None, seconds: float, typing: bool,
                    on_the_line: Callable[[], bool]) -> None:
    """--wait-for-agent: hold so a person can accept the call in the console, then stay on
    it until one side hangs up; what the line asks after the agent is answered by typing."""
    if watch is None:
        print("(no demo line: `up` without a Twilio account rings the agents; holding on "
              "alone would change nothing)")
        return
    print(f"(holding up to {seconds:g} s for an agent: accept the call in the console)")
    if not watch.wait_for_agent(seconds):
        print(f"(no agent took the call within {seconds:g} s)")
    elif typing:
        _type_along(call, watch, on_the_line)
    else:
        watch.wait_for_end()
        if on_the_line():  # the agent left and the line asks on (a survey): type the answers
            _type_along(call, watch, on_the_line)
