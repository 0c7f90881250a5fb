"""Callbacks that keep the caller's place: the offer dialog, number checks, lining up and
placing the call when its turn comes, and a customer with a pending callback calling in.

May import: ivr_app.line, ivr_app.call, ivr_app.services, ivr_app.flow, ivr_app.state,
ivr_app.platform and speech; never the API or the console. The record and its states are
in ivr_app.state.callbacks.
"""
