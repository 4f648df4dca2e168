"""Publication: a run appears whole under its id, `latest` follows it, failures publish nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from planning.publish import RunFolder, latest_run, new_run_id


def test_run_ids_sort_by_start_time_and_differ_for_the_same_second():
    started = datetime(2026, 11, 25, 2, 0, 0, tzinfo=UTC)
    first, second = new_run_id(started), new_run_id(started)
    assert first.startswith("20261125T020000Z-") and first != second
    assert new_run_id(datetime(2026, 11, 26, tzinfo=UTC)) > first


def test_publish_moves_the_staged_run_into_place_and_switches_latest(tmp_path):
    first = RunFolder(tmp_path, "run-1")
    (first.create() / "orders.csv").write_text("a\n1\n")
    first.publish({"run_id": "run-1", "status": "succeeded"})
    assert latest_run(tmp_path) == tmp_path / "run-1"
    manifest = json.loads((tmp_path / "run-1" / "manifest.json").read_text())
    assert manifest["files"] == [
        {
            "name": "orders.csv",
            "bytes": 4,
            "sha256": "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc",
        }
    ]
    second = RunFolder(tmp_path, "run-2")
    second.create()
    second.publish({"run_id": "run-2"})
    assert latest_run(tmp_path) == tmp_path / "run-2"
    assert (tmp_path / "run-1" / "orders.csv").read_text() == "a\n1\n"
    assert not any((tmp_path / ".staging").iterdir())


def test_a_discarded_run_leaves_latest_alone_and_keeps_its_files_aside(tmp_path):
    good = RunFolder(tmp_path, "run-1")
    good.create()
    good.publish({"run_id": "run-1"})
    bad = RunFolder(tmp_path, "run-2")
    (bad.create() / "partial.csv").write_text("x\n")
    kept = bad.discard({"run_id": "run-2", "status": "failed"})
    assert latest_run(tmp_path) == tmp_path / "run-1"
    assert not (tmp_path / "run-2").exists()
    assert kept == tmp_path / ".failed" / "run-2"
    assert json.loads((kept / "manifest.json").read_text())["status"] == "failed"
    assert (kept / "partial.csv").exists()


def test_latest_run_is_none_before_the_first_run(tmp_path):
    assert latest_run(tmp_path) is None
