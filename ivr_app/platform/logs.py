"""The web process's log: one line per webhook (`ivr_app.access`) and the app's own notes.

The access line is written on every request a caller waits on, so it is made cheaply: no
look-up of the calling source line, thread or process, the line put together directly with
its time stamp made once per second, and lines written out together at most FLUSH_S apart
(as nginx's `access_log ... flush=`), a warning or worse at once. While the handler
configure() set up is the only one that would see it, the line goes straight into it, as
that handler would write it, without a log record (`_written_directly`).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response, request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FLUSH_S = 0.5
FORM = "application/x-www-form-urlencoded"
STARTED = "ivr.started"  # the request's start (perf_counter), in its WSGI environ
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
access = logging.getLogger("ivr_app.access")
ACCESS_LINE = "%s %s %s %d %.1f ms"  # call sid, method, path, status, milliseconds


class StampedFormatter(logging.Formatter):
    """FORMAT's line, put together directly, with the date and time made once per second."""

    def __init__(self) -> None:
        super().__init__(FORMAT)
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            return super().format(record)
        record.message = record.getMessage()
        return f"{self.formatTime(record)} {record.levelname} {record.name}: {record.message}"

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return self.stamp(record.created)

    def stamp(self, created: float) -> str:
        """The date and time of a record made at `created` (time.time()), as logging writes it."""
        second = int(created)
        if second != self._second:  # one thread may redo it at worst: same text
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second))
            self._second = second
        return f"{self._stamp},{int((created - second) * 1000):03d}"  # LogRecord's msecs


class BatchedHandler(logging.StreamHandler):
    """Writes lines into a buffer, out to the file at most FLUSH_S apart (a timer writes the
    last ones out), and at once for a warning or worse."""

    def __init__(self, stream: io.TextIOBase):
        super().__init__(stream)
        self._timer: threading.Timer | None = None
        # gunicorn forks its workers from the master: nothing buffered is copied into them,
        # and the parent's timer thread is not theirs.
        os.register_at_fork(before=self.flush, after_in_child=self._forked)

    def _forked(self) -> None:
        self._timer = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(self.format(record), record.levelno >= logging.WARNING)
        except Exception:
            self.handleError(record)

    def write(self, line: str, at_once: bool = False) -> None:
        """One formatted line into the buffer; out to the file now if `at_once`, else soon.
        Called with the handler's lock held (Handler.handle takes it)."""
        self.stream.write(line + self.terminator)
        if at_once:
            self.flush()
        elif self._timer is None:
            self._timer = threading.Timer(FLUSH_S, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self.lock:
            self._timer = None
            if not self.stream.closed:  # closed by logging.shutdown at exit
                self.stream.flush()


def configure(level: int | str, filename: str | None = None) -> None:
    """The root logger writes to stderr (or `filename`) in FORMAT, if nothing set it up yet.

    Records skip what no line of this process shows (logging's documented optimisations):
    the calling source line and the thread. The process stays: gunicorn's own lines, in the
    same process, show it (`[%(process)d]`).
    """
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    if logging.getLogger().handlers:
        return
    stream = open(filename or sys.stderr.fileno(), "a" if filename else "w",  # noqa: SIM115
                  buffering=1 << 16, encoding="utf-8", closefd=bool(filename))
    handler = BatchedHandler(stream)
    handler.setFormatter(StampedFormatter())
    logging.basicConfig(level=level, handlers=[handler])


def init_app(app: Flask) -> None:
    """One access line per request: the call, the route, the status and how long it took,
    from when the request reached the app (its clock starts outside Flask: a request hook
    costs every request a dispatch)."""
    app.wsgi_app = _clocked(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(access_line)


def _clocked(wsgi_app: WSGIApplication) -> WSGIApplication:
    def started(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[STARTED] = time.perf_counter()
        return wsgi_app(environ, start_response)

    return started


def access_line(response: Response) -> Response:
    """Logs the request's line; the request is reached once (each proxy hop costs)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    env = req.environ
    took = (time.perf_counter() - env.get(STARTED, time.perf_counter())) * 1000
    form = response.status_code != 413 and \
        env.get("CONTENT_TYPE", "").startswith(FORM)  # a refused body stays unread
    query = env.get("QUERY_STRING")
    args = (req.form.get("CallSid", "-") if form else "-", env["REQUEST_METHOD"],
            f"{req.path}?{query}" if query else req.path, response.status_code, took)
    if not _written_directly(ACCESS_LINE % args):
        access.info(ACCESS_LINE, *args)
    return response


def _written_directly(message: str) -> bool:
    """Writes an INFO line of `access` into the handler configure() set up, as logging would,
    when nothing else would see its record: that handler alone on the way to the root, no
    filter, no level above INFO. False otherwise (tests capturing records, another logging
    set-up), and nothing written: the caller logs it."""
    if access.disabled or access.filters or not access.isEnabledFor(logging.INFO):
        return False
    logger: logging.Logger | None = access
    while logger is not None and logger is not logging.root:
        if logger.handlers or not logger.propagate:
            return False
        logger = logger.parent
    handlers = logging.root.handlers
    if len(handlers) != 1:
        return False
    handler = handlers[0]
    formatter = handler.formatter
    if type(handler) is not BatchedHandler or type(formatter) is not StampedFormatter or \
            handler.filters or handler.level > logging.INFO:
        return False
    try:
        with handler.lock:  # type: ignore[union-attr]
            handler.write(f"{formatter.stamp(time.time())} INFO {access.name}: {message}")
    except Exception:  # a closed stream: logging reports it (Handler.handleError)
        return False
    return True
