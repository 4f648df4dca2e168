"""The nightly job one task at a time: the functions the Airflow DAG calls.

Each takes and returns what XCom carries (run ids, folder names, plant ids),
reads its settings from the environment when it starts, and holds the
warehouse's run lock while it works. The steps are ``planning.pipeline``'s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from planning.config import Settings
from planning.errors import InvalidExtractError, PublicationRefusedError, StepFailedError
from planning.lock import run_lock
from planning.pipeline import STEPS, list_plants, schedule_one_plant
from planning.publish import new_run_id
from planning.run import PlanRun, Report, begin_run, fail_run, publish_run
from planning.validation.summary import MASTER_FILES


def extract_is_ready(extract_dir: Path) -> bool:
    """The night's extract is complete: its manifest (written last by the ERP
    export) and the master files are there."""
    folder = Path(extract_dir)
    return (folder / "manifest.json").exists() and all(
        (folder / f"{name}.csv").exists() or (folder / f"{name}.parquet").exists()
        for name in MASTER_FILES
    )


def start_run(extract_dir: Path, as_of: date, report: Report = print) -> str:
    """Open a run with settings from the environment; returns its id."""
    settings = Settings.from_env()
    run_id = new_run_id(datetime.now(UTC))
    with run_lock(settings.warehouse, run_id):
        begin_run(extract_dir, as_of, settings, report, run_id=run_id)
    return run_id


def run_step(name: str, run_id: str, report: Report = print, **arguments: str) -> str:
    """Run one of ``STEPS``, or ``schedule_one_plant`` with ``plant=``, for a run in
    progress, holding the run lock meanwhile; returns the run id for the next task.
    Input that cannot be planned, or that the publication gate refuses, raises
    Airflow's AirflowFailException: retrying would fail the same way."""
    settings = Settings.from_env()
    step = {step.__name__: step for step in (*STEPS, schedule_one_plant)}[name]
    try:
        with run_lock(settings.warehouse, run_id):
            step(PlanRun.resume(run_id, settings), report=report, **arguments)
    except (InvalidExtractError, PublicationRefusedError) as error:
        # the same extract fails the same way again: the task fails without retries
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(error)) from error
    return run_id


def plants_of(run_id: str) -> list[str]:
    """The plants a run in progress schedules, for the DAG to map over."""
    return list_plants(PlanRun.resume(run_id, Settings.from_env()))


def finish_run(run_id: str, report: Report = print) -> str:
    """Publish a run whose steps all succeeded; returns the published folder."""
    settings = Settings.from_env()
    with run_lock(settings.warehouse, run_id):
        outcome = publish_run(PlanRun.resume(run_id, settings), report)
    return str(outcome.folder)


def abandon_run(run_id: str, reason: str, report: Report = print) -> None:
    """Discard a run one of whose steps failed (its files go to ``.failed``)."""
    settings = Settings.from_env()
    with run_lock(settings.warehouse, run_id):
        run = PlanRun.resume(run_id, settings)
        fail_run(run, StepFailedError(reason), report)
