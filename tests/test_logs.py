"""The web process's log: lines batched for cheap writes, yet none kept back for long."""

from __future__ import annotations

import logging
import os
import time

from flask import Flask

from ivr_app.platform import logs


def soon(path, found) -> list[str]:
    """The file's lines once `found(lines)` holds, or as they are 3 FLUSH_S from now."""
    deadline = time.monotonic() + logs.FLUSH_S * 3
    while not found(lines := path.read_text().splitlines()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return lines


def test_lines_reach_the_file_together_soon_and_a_warning_at_once(tmp_path):
    path = tmp_path / "web.log"
    stream = path.open("a", buffering=1 << 16, encoding="utf-8")
    handler = logs.BatchedHandler(stream)
    handler.setFormatter(logs.StampedFormatter())
    log = logging.Logger("ivr_app.access")
    log.addHandler(handler)
    log.info("%s %s %d", "CA1", "/voice", 200)
    assert path.read_text() == ""  # still in the buffer
    log.warning("a step reached 0 of 1 replicas")
    written = path.read_text().splitlines()
    assert [line.split(" ", 2)[2] for line in written] == [
        "INFO ivr_app.access: CA1 /voice 200",
        "WARNING ivr_app.access: a step reached 0 of 1 replicas"]
    log.info("%s %s %d", "CA2", "/voice/step?seq=0", 200)
    assert soon(path, lambda lines: len(lines) == 3)[-1].endswith("CA2 /voice/step?seq=0 200")
    stream.close()


def test_the_time_stamp_is_the_one_logging_writes():
    record = logging.LogRecord("x", logging.INFO, "", 0, "m", None, None)
    assert logs.StampedFormatter().format(record) == \
        logging.Formatter(logs.FORMAT).format(record)


def test_a_forked_worker_writes_its_own_lines_soon_and_none_of_its_parents(tmp_path):
    path = tmp_path / "web.log"
    stream = path.open("a", buffering=1 << 16, encoding="utf-8")
    handler = logs.BatchedHandler(stream)
    log = logging.Logger("ivr_app")
    log.addHandler(handler)
    began = time.monotonic()
    log.info("built in the master")  # its timer thread stays in the master
    pid = os.fork()
    if pid == 0:  # the worker
        log.info("a worker's line")
        soon(path, lambda lines: "a worker's line" in lines)
        os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(max(0.0, began + logs.FLUSH_S * 2 - time.monotonic()))  # the master's timer
    assert path.read_text().splitlines() == ["built in the master", "a worker's line"]
    stream.close()


def test_gunicorns_own_lines_still_show_their_process(monkeypatch):
    """configure() is process-wide: gunicorn's error log, in the same process, writes
    `[%(process)d]` on every line (start-up, workers booting) and must still format."""
    monkeypatch.setattr(logging, "logProcesses", True)
    logs.configure("INFO")
    record = logging.getLogger("gunicorn.error").makeRecord(
        "gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (42,), None)
    line = logging.Formatter("[%(process)d] [%(levelname)s] %(message)s").format(record)
    assert line == f"[{os.getpid()}] [INFO] Booting worker with pid: 42"


def test_the_access_line_times_the_whole_request_hooks_included(caplog):
    """The clock starts as the request reaches the app: a slow hook counts in the line."""
    app = Flask(__name__)
    logs.init_app(app)
    app.before_request(lambda: time.sleep(0.05))
    app.get("/slow")(lambda: "")
    with caplog.at_level(logging.INFO, logger="ivr_app.access"):
        app.test_client().get("/slow")
    [line] = [r.getMessage() for r in caplog.records if r.name == "ivr_app.access"]
    assert line.startswith("- GET /slow 200 ") and float(line.split()[-2]) >= 50, line


def test_an_access_line_written_straight_reads_as_the_line_logging_writes(
        tmp_path, monkeypatch, caplog):
    """With configure()'s handler the only one listening, the line skips the log record;
    with anything else on the way (here a filter), logging writes it: the file reads the
    same either way."""
    path = tmp_path / "web.log"
    stream = path.open("a", buffering=1 << 16, encoding="utf-8")
    handler = logs.BatchedHandler(stream)
    handler.setFormatter(logs.StampedFormatter())
    monkeypatch.setattr(logging.root, "handlers", [handler])
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.25)  # the same instant both ways
    app = Flask(__name__)
    logs.init_app(app)
    app.post("/voice/step")(lambda: "")
    form = {"CallSid": "CA" + "1" * 32, "Digits": "1"}
    with caplog.at_level(logging.INFO, logger="ivr_app.access"):
        with monkeypatch.context() as no_record:
            no_record.setattr(logs.access, "handle", None)  # a record made would fail here
            assert app.test_client().post("/voice/step?seq=0", data=form).status_code == 200
        handler.addFilter(lambda record: True)
        assert app.test_client().post("/voice/step?seq=0", data=form).status_code == 200
    handler.flush()
    straight, logged = (line.rsplit(" ", 2)[0] for line in path.read_text().splitlines())
    when = logging.makeLogRecord({"created": 1_796_000_000.25, "msecs": 250.0})
    stamp = logging.Formatter(logs.FORMAT).formatTime(when)
    assert straight == logged == f"{stamp} INFO ivr_app.access: CA{'1' * 32} POST " \
        "/voice/step?seq=0 200"
    stream.close()
