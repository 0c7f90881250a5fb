"""Stand-ins for Twilio that tests, benchmarks and `simulate` share, the way flask.testing
ships with Flask: a caller that plays TwiML and signs requests, a local REST API, recordings
served over HTTP, and real RQ worker processes.

May import: ivr_app.platform and speech (to read WAV clips); it drives the app from
outside, as Twilio would. One exception, for tests only: spoken.py, the speech tests' one-menu
lines, takes the flow's built-in messages (pyproject.toml lets that one import through).
"""
