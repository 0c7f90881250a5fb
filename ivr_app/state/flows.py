"""The last good version of each flow, kept in Redis so a restarted process can serve it,
and the text of each version calls are using, so any process can finish them on it.

A process that starts while the flow file on disk is broken (or gone) would otherwise
have nothing but the fallback to answer with. The last good record has no TTL: it is
configuration, replaced each time a new version loads. A version's text is kept by the
step commits of the calls using it (state/calls.py), and expires with them.
"""

from __future__ import annotations

import logging

import redis

from ivr_app.state.calls import FLOW_SOURCE_KEY

LAST_GOOD_KEY = "ivr:flow:{name}:last_good"  # hash: version, text

log = logging.getLogger(__name__)


class LastGoodFlows:
    """The last good versions best effort both ways: Redis being down never stops a flow
    from loading. A version a call needs is read as any call state is (a failure is raised)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def save(self, name: str, version: str, text: str) -> None:
        try:
            self.redis.hset(LAST_GOOD_KEY.format(name=name),
                            mapping={"version": version, "text": text})
        except redis.RedisError as exc:
            log.warning("flow %s version %s not kept in Redis (%s)", name, version, exc)

    def load(self, name: str) -> str | None:
        try:
            return self.redis.hget(LAST_GOOD_KEY.format(name=name), "text")
        except redis.RedisError as exc:
            log.warning("last good version of flow %s not read from Redis (%s)", name, exc)
            return None

    def version(self, name: str, version: str) -> str | None:
        """The text of a flow version calls are using, if it is still kept."""
        return self.redis.get(FLOW_SOURCE_KEY.format(name=name, version=version))
