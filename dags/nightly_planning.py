"""The nightly planning job as an Airflow 3 DAG: wiring only.

Every task calls a function of ``planning.tasks`` (the steps of
``planning.pipeline``, which ``planner run`` chains in one process) and passes
the run id on by XCom. Settings come from ``PLANNER_*`` environment variables
(``planning.config.Settings``: the extract folder, the plans folder, task
retries ...). The run's as-of date is the logical date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from planning.config import Settings

SETTINGS = Settings.from_env()  # reads only the environment
# downstream DAGs (ERP import, BI refresh) schedule on this
PUBLISHED_PLAN = Asset(name="published_plan", uri=f"file://{SETTINGS.out_dir}/latest")


# planning.pipeline.STEPS, one task each (names checked by the DAG test); the
# plants are scheduled by one mapped task each in between
BEFORE_SCHEDULING = ("ingest_extract", "build_extract_marts", "plan_supply")
AFTER_SCHEDULING = ("finish_schedule", "build_plan_marts", "write_run_report")


def pipeline_step(name: str):
    """The task that runs the pipeline step ``name`` for the planner's run."""

    @task(task_id=name)
    def step(plan_run: str) -> str:
        from planning.tasks import run_step

        return run_step(name, plan_run)

    return step


@dag(
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["planning", "nightly"],
    default_args={"retries": SETTINGS.task_retries, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def nightly_planning():
    @task.sensor(poke_interval=300, timeout=4 * 3600, mode="reschedule")
    def wait_for_extract() -> bool:
        from planning.tasks import extract_is_ready

        return extract_is_ready(SETTINGS.extract_dir)

    @task
    def start(logical_date=None) -> str:
        from planning.tasks import start_run

        return start_run(SETTINGS.extract_dir, logical_date.date())

    @task
    def list_plants(plan_run: str) -> list[str]:
        from planning.tasks import plants_of

        return plants_of(plan_run)

    @task(map_index_template="{{ task.op_kwargs['plant'] }}")
    def schedule_plant(plan_run: str, plant: str) -> str:
        from planning.tasks import run_step

        return run_step("schedule_one_plant", plan_run, plant=plant)

    @task(outlets=[PUBLISHED_PLAN], retries=0)
    def publish(plan_run: str) -> str:
        from planning.tasks import finish_run

        return finish_run(plan_run)

    @task(trigger_rule="one_failed", retries=0)
    def discard(plan_run: str) -> None:
        from planning.tasks import abandon_run

        abandon_run(plan_run, "a task of the nightly_planning DAG run failed; see its logs")

    plan_run = start()  # the planner's run id (Airflow reserves "run_id")
    wait_for_extract() >> plan_run
    steps, done = [], plan_run
    for name in BEFORE_SCHEDULING:
        done = pipeline_step(name)(done)
        steps.append(done)
    plants = list_plants(done)
    scheduled = schedule_plant.partial(plan_run=plan_run).expand(plant=plants)
    steps += [plants, scheduled]
    done = pipeline_step(AFTER_SCHEDULING[0])(plan_run)
    scheduled >> done
    steps.append(done)
    for name in AFTER_SCHEDULING[1:]:
        done = pipeline_step(name)(done)
        steps.append(done)
    steps.append(publish(done))
    steps >> discard(plan_run)


nightly_planning()
