"""Command line: `python -m ivr_app lint|simulate|audit|replay|graph|up|user|settings|speech`."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import logging
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
import yaml

from ivr_app import create_app
from ivr_app.call import replay
from ivr_app.call.rehearsal import scorecard
from ivr_app.call.stream import StreamServer, in_thread
from ivr_app.demo.demo_line import DemoTwilio
from ivr_app.demo.on_the_line import DemoLine, publish
from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import BASE_URL, DEFAULT_CALLER, Call
from ivr_app.demo.terminal import converse
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.flow.diagram import mermaid
from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import read_file
from ivr_app.flow.staffing import unserved_warnings
from ivr_app.flow.validate import load_flow
from ivr_app.flow.vocabulary import speech_warnings
from ivr_app.platform.clock import utc_now
from ivr_app.platform.config import from_env, settings, settings_command
from ivr_app.platform.launcher import free_port
from ivr_app.state.agents import read_roster
from ivr_app.state.call_log import CallLog
from ivr_app.state.users import ROLES, Users
from speech.fetch import fetch_command
from speech.models import DEFAULT_MODELS_DIR, model_dirs, speech_on_message
from speech.vosk_recognizer import VoskRecognizer

SIMULATED_ACCOUNT = "AC" + "0" * 32
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
DEMO_ROSTER = Path(__file__).parent / "demo" / "agents.yaml"  # lint's roster without AGENTS_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ivr_app")
    commands = parser.add_subparsers(dest="command", required=True)

    lint = commands.add_parser("lint", help="check flow files; exit 1 on any problem")
    lint.add_argument("paths", nargs="*", help="flow files or folders (default: FLOWS_DIR)")

    sim = commands.add_parser("simulate", help="call a flow from the terminal")
    sim.add_argument("flow", help="a flow file, e.g. flows/main.yaml")
    sim.add_argument("--lang", help="answer the language question with this language")
    sim.add_argument("--script", help='inputs separated by commas: keys, "say: words", '
                     '"wav: file.wav" (after the beep), "stream: file.wav" (over the prompt), '
                     'or nothing for silence; e.g. "1,0" or ",,,"')
    sim.add_argument("--from", dest="caller", type=_e164, default=None,
                     help=f"call as this customer, in E.164 (remembered, greeted as calling "
                     f"again; default {DEFAULT_CALLER}, a test call)")
    sim.add_argument("--wait-for-agent", type=float, default=0, metavar="SECONDS",
                     help="once in line, hold this long for an agent to take the call in the "
                     "console (with `up` running without a Twilio account), then stay on it")
    sim.add_argument("--at", help="pretend the call happens at this ISO time "
                     "(for business hours), e.g. 2026-11-25T10:00-06:00")

    audit = commands.add_parser("audit", help="score a flow on the GetHuman standard's nine "
                                "points; exit 1 if any fails")
    audit.add_argument("flow", help="a flow file, e.g. flows/main.yaml")
    audit.add_argument("--json", action="store_true", help="one JSON object")

    replayed = commands.add_parser("replay", help="play a day's recorded calls on a draft "
                                   "flow and report what would have changed")
    replayed.add_argument("flow", help="the draft flow file, e.g. flows/main.yaml")
    replayed.add_argument("--day", type=dt.date.fromisoformat, required=True,
                          help="the day the calls were made, e.g. 2026-12-05 (server time zone)")
    replayed.add_argument("--json", action="store_true", help="one JSON object")

    graph = commands.add_parser("graph", help="print a flow as a Mermaid diagram")
    graph.add_argument("flow")

    speech = commands.add_parser("speech", help="speech models").add_subparsers(
        dest="speech_command", required=True)
    fetch = speech.add_parser("fetch", help="download a language's Vosk model if missing")
    fetch.add_argument("langs", nargs="+", help="es, en, or another with --url")
    fetch.add_argument("--dir", type=Path, help="models folder (default: VOSK_MODELS_DIR)")
    fetch.add_argument("--url", default="", help="another archive (a mirror); needs --sha256")
    fetch.add_argument("--sha256", default="", help="the archive's SHA-256")

    up = commands.add_parser("up", help="run the product: Redis, web and worker")
    up.add_argument("--port", type=int, help="the web process's port (default: PORT)")

    commands.add_parser("settings", help="check the environment's settings; exit 1 if any is "
                        "not valid").add_argument("--markdown", action="store_true",
                                                  help="print docs/configuration.md instead")

    user = commands.add_parser("user", help="console users").add_subparsers(
        dest="user_command", required=True)
    add = user.add_parser("add", help="add a user, or set their role and password; the "
                          "password is asked for, or read from standard input")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--agent", default="", help="the roster agent they answer calls as "
                     "(default: the same name)")
    user.add_parser("remove", help="remove a user").add_argument("name")
    user.add_parser("list", help="list the users")

    args = parser.parse_args(argv)
    if args.command == "lint":
        return lint_command(args.paths)
    if args.command == "simulate":
        return simulate_command(args.flow, args.lang, args.script, args.at,
                                args.caller or DEFAULT_CALLER, args.wait_for_agent,
                                from_given=args.caller is not None)
    if args.command == "graph":
        return graph_command(args.flow)
    if args.command == "audit":
        return audit_command(args.flow, args.json)
    if args.command == "replay":
        return replay_command(args.flow, args.day, args.json)
    if args.command == "user":
        return user_command(args)
    if args.command == "settings":
        return settings_command(args.markdown)
    if args.command == "speech":
        if bool(args.url) != bool(args.sha256):
            parser.error("--url and --sha256 go together")
        return fetch_command(args.langs, args.dir or Path(_models_dir()), args.url, args.sha256)
    os.environ["VOSK_MODELS_DIR"] = _models_dir()  # for the web processes `up` starts
    from ivr_app.platform.launcher import up as run_up

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return run_up(port=args.port or settings()["PORT"], demo=_demo_twilio)


def _demo_twilio(port: int) -> tuple[dict[str, str], Callable[[], None]]:
    """Twilio played in this process for the app on `port` (see demo/demo_line.py)."""
    line = DemoTwilio().start()
    app_url = f"http://127.0.0.1:{port}"
    settings = line.config() | {"TWILIO_DEMO": "1", "TWILIO_CALLER_ID": "+15005550000",
                                "PUBLIC_BASE_URL": app_url}
    withdraw = publish(line.url, app_url)  # for `simulate`: on_the_line.py

    def stop() -> None:
        withdraw()
        line.stop()

    return settings, stop


@contextlib.contextmanager
def _line_redis() -> Iterator[redis.Redis]:
    """The Redis of REDIS_URL, or the one `up` keeps in var/redis (started for the command
    and stopped after, its data staying there)."""
    from ivr_app.platform.redis_server import DEFAULT_URL, answers, ensure_redis, stop_redis

    redis_dir = Path("var") / "redis"
    url = os.environ.get("REDIS_URL") or DEFAULT_URL
    started = not answers(url)
    url = ensure_redis(url, redis_dir)
    connection = redis.Redis.from_url(url, decode_responses=True)
    try:
        yield connection
    finally:
        connection.close()
        if started:
            stop_redis(url, redis_dir)


def user_command(args: argparse.Namespace) -> int:
    """Add, remove or list console users."""
    with _line_redis() as connection:
        return _users(Users(connection), args)


def _users(users: Users, args: argparse.Namespace) -> int:
    try:
        if args.user_command == "list":
            for user in users.all():
                print(f"{user.name}\t{user.role}\tagent {user.agent}")
        elif args.user_command == "remove":
            if not users.remove(args.name):
                print(f"no user {args.name!r}", file=sys.stderr)
                return 1
        else:
            new = users.add(args.name, args.role, _password(), args.agent)
            print(f"{'added' if new else 'updated'} {args.role} {args.name}")
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def replay_command(flow_path: str, day: dt.date, as_json: bool) -> int:
    """A draft flow played on a recorded day's calls, beside what happened."""
    try:
        draft = load_flow(flow_path)
    except FlowError as exc:
        print(exc, file=sys.stderr)
        return 1
    with _line_redis() as connection:
        result = replay.replay_day(draft, CallLog(connection).of_day(day), day)
    print(json.dumps(result.as_dict(), ensure_ascii=False) if as_json
          else replay.report(result), end="" if not as_json else "\n")
    return 0


def _password() -> str:
    """Asked twice at a terminal; otherwise the first line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _models_dir() -> str:
    return os.environ.get("VOSK_MODELS_DIR") or DEFAULT_MODELS_DIR


def lint_command(paths: list[str]) -> int:
    """Print every problem in every flow file as file:line:column; 1 if there were any."""
    files: list[Path] = []
    for item in paths or [os.environ.get("FLOWS_DIR", "flows")]:
        path = Path(item)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        print("no flow files found", file=sys.stderr)
        return 1
    config = from_env() | {"VOSK_MODELS_DIR": _models_dir()}
    recognizer = VoskRecognizer(model_dirs(config))
    roster = os.environ.get("AGENTS_FILE") or str(DEMO_ROSTER)
    served = _served_queues(roster)
    failed = False
    for path in files:
        try:
            flow = load_flow(path)
        except FlowError as exc:
            failed = True
            print(exc)
        else:
            print(f"{path}: ok ({len(flow.nodes)} nodes, version {flow.version})")
            for lang in sorted(recognizer.languages() & set(flow.languages)):
                print(f"{path}: {speech_on_message(lang, recognizer.rate(lang))}")
            source = read_file(path)
            for warning in speech_warnings(source, flow, recognizer, config):
                print(warning)
            if served is not None:
                for warning in unserved_warnings(source, flow, served, roster):
                    print(warning)
            for point in scorecard(flow):
                if not point.passed:
                    print(f"{path}:1:1: warning: GetHuman point {point.point} "
                          f"({point.name}) fails: {point.evidence} [audit]")
    return 1 if failed else 0


def _served_queues(roster: str) -> set[str] | None:
    """The queues the roster's agents serve; None (and a warning) if it cannot be read."""
    try:
        return {queue for agent in read_roster(roster) for queue in agent.queues}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"{roster}:1:1: warning: roster not read, so queues are not checked against "
              f"it: {exc} [unserved-queue]")
        return None


def audit_command(flow_path: str, as_json: bool) -> int:
    """The flow's scorecard: each point, pass or fail, with its evidence."""
    try:
        flow = load_flow(flow_path)
    except FlowError as exc:
        print(exc, file=sys.stderr)
        return 1
    points = scorecard(flow)
    if as_json:
        print(json.dumps({"flow": flow_path, "points": [p.as_json() for p in points]},
                         ensure_ascii=False))
    else:
        for p in points:
            print(f"{p.point}. {'PASS' if p.passed else 'FAIL'}  {p.name}: {p.evidence}")
    return 0 if all(p.passed for p in points) else 1


def graph_command(flow_path: str) -> int:
    try:
        print(mermaid(load_flow(flow_path)), end="")
    except FlowError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _e164(text: str) -> str:
    if not E164.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number in E.164, like "
                                         "+525512345678")
    return text


def simulate_command(flow_path: str, lang: str | None, script: str | None,
                     at: str | None, caller: str = DEFAULT_CALLER,
                     wait_for_agent: float = 0, from_given: bool = False) -> int:
    """Call a flow through the real app, signed as Twilio signs, from the terminal. From
    the default number the call is a test call (it joins TEST_CALLERS): it leaves no wait
    statistics and is not remembered; `--from` calls as that customer would."""
    from ivr_app.platform.redis_server import DEFAULT_URL, answers, ensure_redis, stop_redis

    path = Path(flow_path)
    if not path.exists():
        path = Path(os.environ.get("FLOWS_DIR", "flows")) / f"{flow_path}.yaml"
    try:
        load_flow(path)
    except FlowError as exc:
        print(exc)
        print("fix these first (python -m ivr_app lint)", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.WARNING)
    moment = dt.datetime.fromisoformat(at) if at else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.astimezone()
    token = secrets.token_hex(16)
    redis_dir = Path("var") / "redis"
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_URL
    sentinel = bool(os.environ.get("REDIS_SENTINELS"))  # then its master is the Redis
    started_redis = not sentinel and not answers(redis_url)
    if not sentinel:
        redis_url = ensure_redis(redis_url, redis_dir)
    # Twilio's API: the recordings `wav:` answers, and the moves the stream server makes when
    # a `stream:` answer is heard over the prompt
    recordings = RecordingServer(SIMULATED_ACCOUNT, token)
    rest = TwilioStandin(SIMULATED_ACCOUNT, token, recordings=recordings).start()
    stream_port = free_port()
    stream_url = f"ws://127.0.0.1:{stream_port}/stream"
    config = from_env()
    config |= {
        "FLOWS_DIR": str(path.parent), "IVR_FLOW": path.stem, "TWILIO_AUTH_TOKEN": token,
        "REDIS_URL": redis_url, "VOSK_MODELS_DIR": _models_dir(),
        "TWILIO_ACCOUNT_SID": SIMULATED_ACCOUNT, "TWILIO_API_BASE": rest.url,
        "STREAM_URL": stream_url, "PUBLIC_BASE_URL": BASE_URL,
        # a number given with --from calls as that customer: remembered, greeted again
        "TEST_CALLERS": ",".join(filter(None, (config.get("TEST_CALLERS", ""),
                                               "" if from_given else caller))),
    }
    try:
        app = create_app(config, clock=(lambda: moment) if moment else utc_now,
                         typed_speech=True)
        rest.app = app
        stop_streams = in_thread(StreamServer(app.extensions["ivr"]), "127.0.0.1", stream_port)
        call = Call(app, token, caller=caller, echo=print, recordings=recordings,
                    stream_url=stream_url, rest=rest)
        rest.incoming_call(call.sid, call.caller, call.number)
        converse(call, path, lang, script, wait_for_agent, DemoLine.find())
        stop_streams()
        app.extensions["ivr"].close()
    finally:
        rest.stop()
        recordings.stop()
        if started_redis:  # a Redis this command started for itself; its data stays on disk
            stop_redis(redis_url, redis_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
