"""gunicorn's settings for the web process (the Procfile, `up`, the tests' and benchmarks'
servers all start gunicorn here, where it reads this file).

A webhook spends much of its time waiting on Redis; threads let a worker answer another
call meanwhile. Two workers for two cores, each with `threads` threads: docs/capacity.md
gives the measurement that chose the number.
"""

workers = 2
worker_class = "gthread"
threads = 8


def on_starting(server: object) -> None:
    """Before the workers are forked: they share what each knows of the calls whose last
    step it took (ivr_app/state/recent.py), so a call's next step, whichever worker takes
    it, is one round trip to Redis."""
    from ivr_app.state.recent import share_between_workers

    share_between_workers()


def post_worker_init(worker: object) -> None:
    """The app is loaded: what it holds lives as long as the worker, so the garbage collector
    is told not to walk it again (gc.freeze). A full collection walked some 87,000 objects
    for nothing, about 28 ms with every thread of the worker stopped."""
    import gc

    gc.freeze()
