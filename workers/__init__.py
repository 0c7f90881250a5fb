"""Background jobs run by `rq worker` (see the Procfile)."""
