"""`python -m ivr_app up`: Redis, then the Procfile's web and worker, from one command."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from honcho.environ import parse as parse_dotenv

from ivr_app.platform.redis_server import RedisUnavailable, ensure_redis, stop_redis
from ivr_app.platform.security import HOST_HEADER_NOTICE

ROOT = Path(__file__).resolve().parents[2]  # where the Procfile and flows/ live

NO_TOKEN_NOTICE = """\
*** TWILIO_AUTH_TOKEN is not set: running with IVR_INSECURE_DEV=1, so request signatures
*** are NOT checked. Fine for the simulator; real Twilio traffic needs TWILIO_AUTH_TOKEN."""

# What a newcomer does next, as the README's "A call, from the terminal" says it.
CALL_AND_HOLD = (".venv/bin/python -m ivr_app simulate flows/main.yaml --from +525511112222 "
                 '--script "1,0" --wait-for-agent 120')
TRY_IT = f"""\
Next, in another terminal (README.md, "A call, from the terminal"):
  1. Make the console's users (each password is asked twice):
       .venv/bin/python -m ivr_app user add admin --role supervisor
       .venv/bin/python -m ivr_app user add ana --role agent
  2. Open http://127.0.0.1:{{port}}/ , sign in as ana and click Disponible (EN for English).
  3. Call the line (1: Spanish, 0: a person) and hold until Ana accepts:
       {CALL_AND_HOLD}
"""

DEMO_NOTICE = """\
*** No Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): the line's own calls (ringing
*** agents, calling customers back) go to a built-in Twilio stand-in, shown in the console."""

# Starts a Twilio stand-in for a web app on `port`; returns its settings and how to stop it.
DemoTwilio = Callable[[int], tuple[dict[str, str], Callable[[], None]]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server started next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port: int) -> dict[str, str]:
    """Build the children's environment: .env under the real one, the venv's bin on PATH."""
    dotenv = ROOT / ".env"
    env = {**(parse_dotenv(dotenv.read_text()) if dotenv.exists() else {}), **os.environ}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    return env


def up(*, port: int = 8000, data_dir: Path = Path("var"), demo: DemoTwilio | None = None) -> int:
    """Run the whole product in the foreground until Ctrl-C, starting Redis if none answers;
    without a Twilio account, `demo` plays Twilio for the calls the line places."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    env = _environment(port)
    redis_dir = data_dir / "redis"
    try:
        if not env.get("REDIS_SENTINELS"):  # with Sentinel, its master is the Redis
            env["REDIS_URL"] = ensure_redis(env.get("REDIS_URL"), redis_dir)
    except RedisUnavailable as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    env.setdefault("AGENTS_FILE", str(ROOT / "ivr_app" / "demo" / "agents.yaml"))
    stop_demo: Callable[[], None] | None = None
    if demo is not None and not (env.get("TWILIO_ACCOUNT_SID") or env.get("TWILIO_AUTH_TOKEN")):
        settings, stop_demo = demo(port)
        env.update(settings)
        print(DEMO_NOTICE, file=sys.stderr)
    if not env.get("TWILIO_AUTH_TOKEN"):
        env["IVR_INSECURE_DEV"] = "1"
        print(NO_TOKEN_NOTICE, file=sys.stderr)
    elif not env.get("PUBLIC_BASE_URL"):
        print(HOST_HEADER_NOTICE, file=sys.stderr)
    print(TRY_IT.format(port=port))
    # -e /dev/null: .env is merged above already, under the real environment.
    args = ["-f", str(ROOT / "Procfile"), "-d", str(ROOT), "-e", os.devnull, "-p", str(port)]
    honcho = subprocess.Popen([sys.executable, "-m", "honcho", "start", *args], cwd=ROOT, env=env)
    previous = signal.signal(signal.SIGTERM, lambda *_: honcho.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return honcho.wait()
            except KeyboardInterrupt:  # honcho got the terminal's SIGINT too; this is for kill -INT
                honcho.send_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if stop_demo is not None:
            stop_demo()
        if not env.get("REDIS_SENTINELS"):
            stop_redis(env["REDIS_URL"], redis_dir)  # only if it is the one started above
