"""ensure_redis against real redis-server processes: reuse, start, persist, refuse."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_py

from ivr_app.platform.redis_server import RedisUnavailable, answers, ensure_redis, reap, stop_redis
from tests.conftest import aof_written
from tests.support.servers import free_port


@pytest.fixture
def spare_url() -> Iterator[Callable[[], str]]:
    """Hand out URLs on free ports; whatever answers on them is shut down after the test."""
    urls: list[str] = []

    def make() -> str:
        urls.append(f"redis://127.0.0.1:{free_port()}/0")
        return urls[-1]

    yield make
    for url in urls:
        if answers(url):
            client = redis_py.Redis.from_url(url)
            pid = client.info("server")["process_id"]
            client.shutdown(nosave=True)
            reap(pid)



def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_returns_the_given_url_when_it_answers(redis_url: str, tmp_path: Path) -> None:
    assert ensure_redis(redis_url, tmp_path / "unused") == redis_url
    assert not (tmp_path / "unused").exists(), "nothing should have been started"


def test_starts_a_persistent_server_when_nothing_answers(spare_url, tmp_path: Path) -> None:
    url = spare_url()
    data_dir = tmp_path / "data" / "redis"
    assert not answers(url)

    assert ensure_redis(url, data_dir) == url

    client = redis_py.Redis.from_url(url, decode_responses=True)
    assert client.ping()
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
    assert client.config_get("save")["save"] != ""
    assert client.config_get("bind") == {"bind": "127.0.0.1"}
    assert client.config_get("dir") == {"dir": str(data_dir.resolve())}
    assert {"redis.conf", "redis.log", "appendonly.aof"} <= {p.name for p in data_dir.iterdir()}

    client.set("survives", "a crash")
    aof = data_dir / "appendonly.aof"
    assert wait_for(lambda: b"survives" in aof.read_bytes()), "the write never reached the AOF"


def test_data_survives_a_killed_server(spare_url, tmp_path: Path) -> None:
    url = spare_url()
    ensure_redis(url, tmp_path)
    client = redis_py.Redis.from_url(url)
    client.set("callback:CA1", b"pending")
    assert wait_for(lambda: aof_written(client)), "the write never reached the AOF"
    pid = client.info("server")["process_id"]
    os.kill(pid, signal.SIGKILL)
    reap(pid)
    assert not answers(url)

    assert ensure_redis(url, tmp_path) == url
    assert client.get("callback:CA1") == b"pending"


def test_without_persistence_nothing_is_written(spare_url, tmp_path: Path) -> None:
    url = spare_url()
    ensure_redis(url, tmp_path, persistent=False)
    client = redis_py.Redis.from_url(url, decode_responses=True)
    assert client.config_get("appendonly") == {"appendonly": "no"}
    assert client.config_get("save") == {"save": ""}
    client.set("k", "v")
    assert not list(tmp_path.glob("*.aof")) and not list(tmp_path.glob("*.rdb"))


def test_stop_redis_stops_only_the_server_of_its_data_dir(spare_url, tmp_path: Path) -> None:
    url = spare_url()
    ensure_redis(url, tmp_path / "mine", persistent=False)

    assert stop_redis(url, tmp_path / "someone-else") is False
    assert answers(url)

    assert stop_redis(url, tmp_path / "mine") is True
    assert not answers(url)


def test_port_taken_by_something_else_is_reported(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(RedisUnavailable, match=f"port {port} .* taken by something"):
            ensure_redis(f"redis://127.0.0.1:{port}/0", tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_a_server_that_fails_to_start_is_explained(spare_url, tmp_path: Path) -> None:
    (tmp_path / "appendonly.aof").write_bytes(b"this is not an append-only file\r\n")
    started = time.monotonic()
    with pytest.raises(RedisUnavailable, match="(?s)last lines of .*redis.log.*append only file"):
        ensure_redis(spare_url(), tmp_path)
    assert time.monotonic() - started < 5, "a crash should be noticed without waiting it out"
