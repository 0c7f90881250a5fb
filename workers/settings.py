"""RQ settings (`rq cron -c workers.settings`): which Redis, the same the app uses.

REDIS_URL, or the master that REDIS_SENTINELS names (RQ then follows a failover by itself).
"""

from ivr_app.platform.config import settings
from ivr_app.platform.redis_client import rq_settings

_redis = rq_settings(settings())
REDIS_URL = _redis.get("REDIS_URL")
SENTINEL = _redis.get("SENTINEL")
