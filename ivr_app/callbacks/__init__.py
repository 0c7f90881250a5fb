"""Callbacks that keep the caller's place: the offer dialog, number checks, lining up and
placing the call when its turn comes, and a customer with a pending callback calling in.

Builds on ivr_app.line and ivr_app.call; the record and its states are in
ivr_app.state.callbacks. Never imports ivr_app.api.
"""
