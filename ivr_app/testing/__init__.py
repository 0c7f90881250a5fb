"""Stand-ins for Twilio that tests, benchmarks and `simulate` share, the way flask.testing
ships with Flask: a caller that plays TwiML and signs requests, a local REST API, recordings
served over HTTP, and real RQ worker processes.

Imports nothing of ivr_app but ivr_app.platform: it drives the app from outside, as
Twilio would.
"""
