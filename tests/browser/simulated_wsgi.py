"""The app as the simulator builds it, for gunicorn: callers in these tests type words."""

from ivr_app import create_app

app = create_app(typed_speech=True)
