"""Background jobs run by `rq worker` (see the Procfile).

The only code that imports everything; the app enqueues its jobs by name.

May import: ivr_app.api, ivr_app.console, ivr_app.survey, ivr_app.callbacks, ivr_app.line,
ivr_app.call, ivr_app.services, ivr_app.flow, ivr_app.state, ivr_app.platform and speech:
all but the Twilio stand-ins."""
