"""RQ worker settings (`rq worker -c workers.preload`): the Redis of workers/settings.py, and
the job modules loaded once.

rq imports this module in the worker process itself, so every work horse it forks
already has Flask, twilio and the app loaded; without it each job imports them again
(about 0.2 s of CPU), and callbacks due together start seconds late.
"""

import workers.callbacks  # noqa: F401
import workers.metrics  # noqa: F401
import workers.routing  # noqa: F401
from workers.settings import REDIS_URL, SENTINEL  # noqa: F401  (rq reads them here)
