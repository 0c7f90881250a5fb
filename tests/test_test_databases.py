"""Test runs side by side on one Redis: each test process flushes a database of its own."""

from __future__ import annotations

import os

import pytest

from tests.conftest import own_redis_url


def _in_a_child(answer) -> str:
    """What `answer()` gives in a forked process that has ended by the time it returns."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write, answer().encode())
        except RuntimeError as exc:
            os.write(write, f"refused: {exc}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as said:
        return said.read()


def test_a_mutation_runs_children_given_a_range_never_share_a_database(monkeypatch):
    monkeypatch.setenv("IVR_TEST_REDIS_DB", "14-15")
    mine = own_redis_url()
    theirs = _in_a_child(own_redis_url)
    assert {mine.rsplit("/", 1)[1], theirs.rsplit("/", 1)[1]} == {"14", "15"}
    assert own_redis_url() == mine, "a process keeps the one it took"
    assert _in_a_child(own_redis_url) == theirs, "an ended child's database is free again"
    holding = _in_a_child(lambda: own_redis_url() + " " + _in_a_child(own_redis_url))
    assert "refused: every test database of IVR_TEST_REDIS_DB=14-15 is taken" in holding


@pytest.mark.parametrize("given, used", [("9", "9"), (None, "13")])
def test_a_single_number_is_used_as_it_is(monkeypatch, given, used):
    if given is None:
        monkeypatch.delenv("IVR_TEST_REDIS_DB", raising=False)
    else:
        monkeypatch.setenv("IVR_TEST_REDIS_DB", given)
    assert own_redis_url() == f"redis://127.0.0.1:6379/{used}"
