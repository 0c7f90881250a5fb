"""One call's way through a flow: the voice webhooks, the engine that decides each turn,
what an answer means, the TwiML a turn becomes, the one way every question of the line
is asked and read (dialog), and the spoken-answer step.

May import: ivr_app.services, ivr_app.flow, ivr_app.state, ivr_app.platform and speech;
never the line, callbacks or api (they build on this). What must happen above it is
handed in: greeters registered by create_app; and queueing.enter_queue puts a caller in
line by enqueuing the routing job by name.
"""
