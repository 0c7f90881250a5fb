"""Records kept in Redis, one module per kind, each naming its keys once: a call's state and
answers, the waiting lines, the agent roster, callback records, wait statistics.

Plain stores that take a Redis connection.

May import: ivr_app.platform only.
"""
