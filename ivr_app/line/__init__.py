"""Waiting for a person: the hold loop and its honest wait estimate, routing callers to
agents, the agent's leg of a warm transfer (whisper, accept, bridge), and the context an
agent is told.

May import: ivr_app.call and everything below it (ivr_app.services, ivr_app.flow,
ivr_app.state, ivr_app.platform, speech); never the callbacks, the API or the console.
Placing a callback's call when its turn comes is passed in by the worker.
"""
