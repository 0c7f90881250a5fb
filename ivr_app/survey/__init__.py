"""After the agent: a flow's survey asks the caller whether their problem was solved.

May import: ivr_app.callbacks, ivr_app.line, ivr_app.call, ivr_app.services, ivr_app.flow,
ivr_app.state, ivr_app.platform and speech; never the API or the console. The answers are
kept in ivr_app.state.surveys and counted in ivr_app.line.resolution.
"""
