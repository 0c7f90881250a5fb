"""Periodic jobs, run by `rq cron workers/cron.py` (see the Procfile)."""

from rq import cron

from workers.callbacks import reconcile
from workers.routing import release_stuck_offers
from workers.texts import keep_promises

# Callbacks are records first: every minute, any that lost its job or its call is repaired.
cron.register(reconcile, queue_name="default", interval=60)
# An agent whose call outcome never reached us would stay reserved: free them.
cron.register(release_stuck_offers, queue_name="default", interval=60)
# A callback's text that was never sent, or whose time slipped, is sent.
cron.register(keep_promises, queue_name="default", interval=60)
