"""What a worker process needs to run jobs: the same services the web app uses.

Built once per worker process from the environment (config.py), like wsgi.py
builds the app; tests call `use()` to hand in services of their own.
"""

from __future__ import annotations

from ivr_app.platform.config import settings
from ivr_app.services import Services, build_services

_services: Services | None = None


def current() -> Services:
    """This process's services, built from the environment on first use."""
    global _services
    if _services is None:
        _services = build_services(settings())
    return _services


def use(services: Services | None) -> None:
    """Run this process's jobs with `services` (None: build from the environment again)."""
    global _services
    _services = services
