"""The web console for agents and supervisors, served by the same Flask app. The top of the
house beside the JSON API: nothing imports it but create_app and the `user` command.

May import: ivr_app.survey, ivr_app.callbacks, ivr_app.line, ivr_app.call, ivr_app.services,
ivr_app.flow, ivr_app.state, ivr_app.platform, speech, and the simulator of ivr_app.demo
(for "Try a call"); not the API.
"""

from __future__ import annotations

from flask import Flask, redirect, url_for
from werkzeug.wrappers import Response

from ivr_app.call import voice
from ivr_app.console import agent, auth, board, demo, flows, metrics, trial


def init_console(app: Flask) -> None:
    """Sign-in, the console's pages, `/`, `/agent` and `/admin` leading to them, and the
    greeter that starts a tried call on its version."""
    blueprints = (auth.bp, agent.bp, board.bp, demo.bp, flows.bp, metrics.bp, trial.bp)
    auth.init_auth(app, [blueprint.name for blueprint in blueprints])
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.context_processor(auth.template_globals)
    app.extensions[voice.GREETERS].insert(0, trial.greeting)  # before any other greeting
    for path, endpoint in (("/", "console.home"), ("/agent", "agent.page"),
                           ("/admin", "board.page")):
        app.add_url_rule(path, f"to_{endpoint}", _to(endpoint))


def _to(endpoint: str):
    def go() -> Response:
        return redirect(url_for(endpoint))

    return go
