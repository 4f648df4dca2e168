"""The functions the Airflow DAG calls (``planning.tasks``): what a task does
with input it cannot plan."""

from __future__ import annotations

from datetime import date

import pytest
from airflow.sdk.exceptions import AirflowFailException
from extract_fixtures import MINIMAL_EXTRACT, write_extract

from planning.tasks import run_step, start_run


def test_a_refused_extract_fails_its_task_without_retries(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("PLANNER_OUT_DIR", str(tmp_path / "plans"))
    # 1 of 3 items quarantined: above the gate's 5 %
    extract = write_extract(
        tmp_path / "extract",
        MINIMAL_EXTRACT | {"items.csv": "item_id,uom,unit_cost\nFG1,ea,50\nRM1,kg,2.5\nBAD,ea,-1"},
    )
    run_id = start_run(extract, date(2026, 11, 23), report=lambda _: None)
    with pytest.raises(AirflowFailException, match=r"items\.csv: validation quarantined 1 of 3"):
        run_step("ingest_extract", run_id, report=lambda _: None)
