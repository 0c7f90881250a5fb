"""Signing in to the console: sessions (Flask-Login), CSRF (Flask-WTF), a rate-limited login
(Flask-Limiter), and the guard every console blueprint puts in front of its views.

Roles are enforced here, on the server: a blueprint guarded for supervisors answers 403 to
an agent whatever the page shows or hides. What sign-in and sessions check is listed in
docs/security.md.
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from redis import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ivr_app.console.text import LANGUAGES, NATIVE_NAMES, language, t, when
from ivr_app.platform.redis_client import sentinel_hosts
from ivr_app.services import services
from ivr_app.state.users import User, Users

log = logging.getLogger(__name__)
bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static")
CONSOLE_PATHS = f"{bp.url_prefix}/"  # the console's pages: the only ones with a session

# Scripts and styles come from this app only, never inline: a transcript that slipped into
# markup could still run nothing.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "media-src 'self'; frame-ancestors 'none'; form-action 'self'")
LOGIN_LIMITS = "10 per minute;50 per hour"  # per address
# per user name and address: one address guessing one name. Per name alone a limit would let
# anyone lock a person out; past SLOW_AFTER wrong passwords for a name in an hour, from every
# address, each attempt for it waits SLOW_STEP seconds more, up to SLOW_MOST, and still counts.
NAME_LIMITS = "5 per minute;20 per hour"
SLOW_AFTER = 10
SLOW_STEP, SLOW_MOST = 0.25, 2.0
NAME_CHARS = 64  # longer than any user name (state/users.py)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address, key_prefix="ivr:limits")


class Person(UserMixin):
    """The signed-in user as Flask-Login sees them."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        """What the session cookie names: the user and their session generation."""
        return f"{self.user.name}:{self.user.sessions}"

    @property
    def is_supervisor(self) -> bool:
        return self.user.is_supervisor


@login_manager.user_loader
def _load(session_id: str) -> Person | None:
    """Read on every request, so a removed user, or one whose sessions ended (signed out,
    a new password), is signed out at once, wherever the cookie was copied to."""
    name, _, sessions = session_id.partition(":")
    user = users().get(name)
    if user is None or not hmac.compare_digest(user.sessions.encode(), sessions.encode()):
        return None
    return Person(user)


def users() -> Users:
    return Users(services().redis)


def init_auth(app: Flask, blueprints: list[str]) -> None:
    """Sessions, CSRF and the login limit for this app; CSRF is checked on console views
    only (Twilio's webhooks and the bearer-token API have no browser session to protect),
    and limits on the console's `blueprints` only."""
    app.session_interface = _SecretFromRedis()
    app.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    _cookies(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limits_storage(app.config))
    login_manager.login_view = "console.login"
    # Said on the login page itself, in the reader's language, and so never left behind
    # for a later page to show.
    login_manager.login_message = "login_needed"
    login_manager.localize_callback = t
    for extension in (csrf, login_manager, limiter):
        _console_only(app, blueprints, extension.init_app)


def _console_only(app: Flask, blueprints: list[str], init: Callable[[Flask], None]) -> None:
    """`init` an extension whose request hooks concern the console alone (CSRF, Flask-Login's
    remember cookie, Flask-Limiter's limits): its hooks go on the console's blueprints, and
    Twilio's webhooks skip them."""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    had = [list(funcs.get(None, ())) for funcs in hooks]
    init(app)
    for funcs, before in zip(hooks, had, strict=True):
        added = [f for f in funcs.get(None, ()) if f not in before]
        funcs[None] = before
        for name in blueprints:
            funcs.setdefault(name, [])[:0] = added  # before the blueprint's own (the guard)


class _SecretFromRedis(SecureCookieSessionInterface):
    """Sessions signed with SECRET_KEY or, without it, with the key every web process shares
    in Redis, read when a request first needs it: nothing at start-up needs Redis, so a
    process started during an outage boots and puts callers through to a person. Only the
    console's pages have sessions: Twilio's webhooks and the API get the null session,
    without reading cookies or making a signer, and never wait for the key."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path != bp.url_prefix and not request.path.startswith(CONSOLE_PATHS):
            return self.make_null_session(app)
        if not app.secret_key:
            try:
                app.config["SECRET_KEY"] = users().session_secret()
            except RedisError as exc:  # no session this time: the console answers 503
                log.warning("console sessions wait for Redis: %s", exc)
        return super().open_session(app, request)


def _unavailable(_: Exception | None = None) -> tuple[str, int]:
    """The console without Redis: a page that says so and comes back by itself. Rendered
    without the app's context processors: Flask-Login's would load the signed-in user from
    Redis again, and fail inside this handler."""
    page = current_app.jinja_env.get_template("console/unavailable.html")
    return page.render(t=t, lang=language()), 503


def _needs_a_secret() -> tuple[str, int] | None:
    return None if current_app.secret_key else _unavailable()


def _cookies(app: Flask) -> None:
    """The session and remember-me cookies: never read by scripts, not sent by other sites'
    posts, and only over HTTPS when the console is served over it."""
    secure = str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    app.config.update(SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")


def _limits_storage(config: Mapping[str, Any]) -> str:
    """The same Redis as the app's (through Sentinel too), in the limits library's terms."""
    hosts = sentinel_hosts(config)
    if not hosts:
        return config["REDIS_URL"]
    where = ",".join(f"{host}:{port}" for host, port in hosts)
    return f"redis+sentinel://{where}/{config['REDIS_SENTINEL_MASTER']}"


def guard(blueprint: Blueprint, supervisors_only: bool = False) -> None:
    """Every view of `blueprint` needs a signed-in user (and the supervisor role), and every
    POST a CSRF token."""

    blueprint.register_error_handler(HTTPException, _error)
    blueprint.register_error_handler(RedisError, _unavailable)
    blueprint.after_request(policy)
    blueprint.before_request(_needs_a_secret)
    blueprint.before_request(functools.partial(_admitted, supervisors_only))


def _admitted(supervisors_only: bool) -> Response | None:
    """Before each view of a guarded blueprint: who may see it, and a POST's CSRF token (a
    function of its own, so that what it decides is looked up at each request)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if supervisors_only and not current_user.is_supervisor:
        abort(403)
    csrf.protect()  # only what changes something (WTF_CSRF_METHODS: a POST), not a GET
    return None


def policy(response: Response) -> Response:
    """Every console answer says where its scripts may come from, and not to sniff types."""
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


bp.after_request(policy)
bp.before_request(_needs_a_secret)
bp.register_error_handler(RedisError, _unavailable)


def _user_name() -> str:
    """The name typed, cut to what a name can be (it goes into limit and counter keys)."""
    return request.form.get("name", "").strip().lower()[:NAME_CHARS]


def _name_at_address() -> str:
    return f"{_user_name()}@{get_remote_address()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMITS, methods=["POST"])
@limiter.limit(NAME_LIMITS, methods=["POST"], key_func=_name_at_address)
def login() -> Response | str | tuple[str, int]:
    """The sign-in form; a wrong name or password says so without telling which."""
    if request.method == "POST":
        csrf.protect()
        name = _user_name()
        time.sleep(slowdown(users().failures(name)))  # the right password too: no tell
        user = users().check(name, request.form.get("password", ""))
        if user is not None:
            login_user(Person(user))
            return redirect(_safe_next(request.args.get("next", "")))
        users().failed(name)
        return render_template("console/login.html", failed=True), 401
    return render_template("console/login.html", failed=False)


def slowdown(failures: int) -> float:
    """How long an attempt for a name waits, after `failures` wrong passwords for it."""
    return min(SLOW_MOST, SLOW_STEP * max(0, failures - SLOW_AFTER + 1))


def _safe_next(target: str) -> str:
    """Only a path on this site: never send a person elsewhere after signing in."""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for("console.home")


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere: every session of the user ends on the server."""
    csrf.protect()
    if current_user.is_authenticated:
        users().end_sessions(current_user.user.name)
    logout_user()
    return redirect(url_for("console.login"))


@bp.post("/language")
def switch_language() -> Response:
    """Switch the interface between Spanish and English (kept in the session)."""
    csrf.protect()
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("back", "")))


@bp.get("")
def home() -> Response:
    """Agents land on their screen, supervisors on the board."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return redirect(url_for("board.page" if current_user.is_supervisor else "agent.page"))


def _error(exc: HTTPException) -> Any:
    """Scripts get errors as JSON they can show; pages get the error page."""
    if request.is_json or request.path.endswith("/live"):
        return jsonify({"error": exc.description}), exc.code
    if exc.code == 403:
        return render_template("console/forbidden.html"), 403
    return exc


@bp.errorhandler(429)
def too_many(_: Exception) -> tuple[str, int]:
    return render_template("console/login.html", failed=False, limited=True), 429


def template_globals() -> dict[str, Any]:
    """What every console template may use: the text in the reader's language, the user."""
    return {"t": t, "me": current_user, "languages": LANGUAGES, "lang": language(),
            "native_names": NATIVE_NAMES, "when": when,
            "demo_line": bool(current_app.config.get("TWILIO_DEMO"))}

