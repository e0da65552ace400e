"""The relay killed with SIGKILL while it sends: nothing is lost, at most one repeat per kill in a send.

A small run of bench/kill_test.py (the full one is `python -m bench.kill_test`), on the database
kind the suite runs on: a SQLite file of its own, or a dedicated PostgreSQL database on the
TEST_DATABASE_URL server (never the suite's own database).
"""

from __future__ import annotations

import os

from bench.kill_test import run_kill_test


def test_relay_killed_repeatedly_loses_nothing_and_repeats_at_most_the_message_in_flight():
    result = run_kill_test(
        messages=60, kills=6, database_url=os.environ.get("TEST_DATABASE_URL"),
        database_name=f"tracker_killtest_pytest_{os.getpid()}", log=lambda _line: None,
    )
    assert result["kills"] == 6
    assert result["lost"] == 0, result
    assert result["unexpected"] == 0, result
    assert result["duplicates"] <= result["kills_inside_send"], result
    assert result["final_statuses"] == {"sent": 60}, result
