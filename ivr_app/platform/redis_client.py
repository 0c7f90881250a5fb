"""Where Redis is: one server (REDIS_URL), or the master that Redis Sentinel names.

With REDIS_SENTINELS set, every process (web, workers and their scheduler, cron, the
commands) asks the sentinels for the master and asks again after a failover, so nothing
is restarted when a replica is promoted. The app's clients time out after REDIS_TIMEOUT
and go through the process's Breaker; RQ's own worker connection is built by RQ from
`rq_settings()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from redis.sentinel import Sentinel

from ivr_app.platform.breaker import Breaker, GuardedRetry


def sentinel_hosts(config: Mapping[str, Any]) -> list[tuple[str, int]]:
    """REDIS_SENTINELS as (host, port) pairs; empty without Sentinel."""
    hosts = []
    for item in str(config.get("REDIS_SENTINELS") or "").split(","):
        host, _, port = item.strip().rpartition(":")
        if host and port.isdigit():
            hosts.append((host, int(port)))
        elif item.strip():
            raise ValueError(f"REDIS_SENTINELS: {item.strip()!r} is not host:port")
    return hosts


def connect(config: Mapping[str, Any], breaker: Breaker, *,
            decode_responses: bool = True) -> redis.Redis:
    """A client whose commands time out after REDIS_TIMEOUT s and go through `breaker`."""
    timeout = config["REDIS_TIMEOUT"]
    options: dict[str, Any] = {"decode_responses": decode_responses, "socket_timeout": timeout,
                               "socket_connect_timeout": timeout,
                               "retry": GuardedRetry(breaker)}
    hosts = sentinel_hosts(config)
    if not hosts:
        return redis.Redis.from_url(config["REDIS_URL"], **options)
    sentinel = Sentinel(hosts, sentinel_kwargs={"socket_timeout": timeout,
                                                "socket_connect_timeout": timeout})
    return sentinel.master_for(config["REDIS_SENTINEL_MASTER"], db=config["REDIS_DB"],
                               password=config["REDIS_PASSWORD"] or None, **options)


def rq_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """RQ's settings for the same Redis: REDIS_URL, or its SENTINEL dictionary."""
    hosts = sentinel_hosts(config)
    if not hosts:
        return {"REDIS_URL": config["REDIS_URL"]}
    return {"SENTINEL": {"INSTANCES": hosts, "MASTER_NAME": config["REDIS_SENTINEL_MASTER"],
                         "DB": config["REDIS_DB"], "PASSWORD": config["REDIS_PASSWORD"] or None,
                         "SENTINEL_KWARGS": {"socket_timeout": config["REDIS_TIMEOUT"]}}}
