"""Twilio played locally, for trying the line without an account: a caller that plays TwiML
and signs requests (`simulate`, the console's Try a call), Twilio's REST API on 127.0.0.1
(the calls `up`'s demo line places, shown and answered in the console), recordings served as
Twilio serves them, and a Media Stream client. The tests and benchmarks drive the app with
the same pieces, so a simulated call takes the path a phone call takes.

May import: ivr_app.platform and speech (to read WAV clips); it drives the app from
outside, as Twilio would.
"""
