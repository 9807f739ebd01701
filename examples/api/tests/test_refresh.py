"""POST /coverage/refresh: refreshed, skipped while another session refreshes, waiting."""

import threading
import time

import psycopg
import pytest

from conftest import READER, dsn

LOCK_WAITERS = """
    SELECT count(*) FROM pg_locks
     WHERE locktype = 'advisory' AND NOT granted AND database = (
           SELECT oid FROM pg_database WHERE datname = current_database())"""


def refresh(client, auth, **params):
    response = client.post("/coverage/refresh", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_refresh_returns_refreshed(client, auth):
    result = refresh(client, auth)
    assert result["status"] == "refreshed"
    assert result["duration_seconds"] >= 0
    assert result["entities"] >= 0


def test_full_refresh_changes_nothing_when_nothing_changed(client, auth):
    refresh(client, auth)
    result = refresh(client, auth, full=True)
    assert result["status"] == "refreshed"
    assert result["entities"] == 0


def test_refresh_picks_up_new_rows(client, auth, admin):
    ticker = admin.execute("SELECT key FROM coverage.entity_coverage WHERE coverage IS NULL"
                           " ORDER BY key LIMIT 1").fetchone()[0]
    admin.execute("INSERT INTO trades (ticker, created_time, yes_price, count, taker_side)"
                  " VALUES (%s, '2024-03-02 12:00+00', 50, 1, 'yes')", (ticker,))
    try:
        assert refresh(client, auth)["entities"] == 1
        entity = client.get("/coverage/stats", params={"search": ticker},
                            headers=auth).json()["groups"][0]["entities"][0]
        assert entity["points"] == {"snapshots": 0, "deltas": 0, "trades": 1}
        assert entity["segments"][0]["start"] == entity["segments"][0]["end"]
    finally:
        admin.execute("DELETE FROM trades WHERE ticker = %s", (ticker,))
        refresh(client, auth)
    stats = client.get("/coverage/stats", params={"search": ticker}, headers=auth).json()
    assert stats["groups"][0]["entities"][0]["segments"] == []


def test_refresh_is_skipped_while_another_session_refreshes(client, auth, other_session):
    # coverage.refresh() holds a transaction-scoped advisory lock: a refresh inside an
    # open transaction keeps it until that transaction ends.
    other_session.execute("SELECT * FROM coverage.refresh()")
    result = refresh(client, auth)
    assert result["status"] == "skipped"
    assert result["entities"] == 0
    other_session.rollback()
    assert refresh(client, auth)["status"] == "refreshed"


def test_refresh_with_wait_queues_behind_the_other_session(client, auth, admin,
                                                           other_session):
    other_session.execute("SELECT * FROM coverage.refresh()")
    results = []
    waiter = threading.Thread(target=lambda: results.append(refresh(client, auth, wait=True)))
    waiter.start()
    try:
        # Until the request is seen waiting for the lock, nothing is proven; the deadline
        # only keeps a broken run from hanging.
        deadline = time.monotonic() + 60
        while admin.execute(LOCK_WAITERS).fetchone()[0] == 0:
            assert time.monotonic() < deadline, "the request never waited for the lock"
            assert waiter.is_alive(), f"the request returned instead of waiting: {results}"
            time.sleep(0.05)
        assert results == []
    finally:
        other_session.rollback()
        waiter.join(60)
    assert not waiter.is_alive()
    assert results[0]["status"] == "refreshed"


def test_read_role_cannot_refresh():
    # The API's read connection has only the grants for reading.
    with psycopg.connect(dsn(READER)) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM coverage.refresh()")
