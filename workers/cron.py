"""Periodic jobs, run by `rq cron workers/cron.py` (see the Procfile)."""

from rq import cron

from workers.callbacks import reconcile

# Callbacks are records first: every minute, any that lost its job or its call is repaired.
cron.register(reconcile, queue_name="default", interval=60)
