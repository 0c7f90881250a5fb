"""The JSON API for agents and supervisors (bearer token). The top of the house beside the
console: nothing imports it but create_app.

May import: ivr_app.survey, ivr_app.callbacks, ivr_app.line, ivr_app.call, ivr_app.services,
ivr_app.flow, ivr_app.state, ivr_app.platform and speech; not the console, nor the Twilio stand-ins.
"""
