"""The nightly_planning DAG: it loads cleanly, and a real `airflow dags test`
run on the sample extract publishes the same plan as `planner run`."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
SAMPLE = REPO / "data" / "sample"
AS_OF = "2026-11-23"
BEFORE = ["ingest_extract", "build_extract_marts", "plan_supply"]
AFTER = ["finish_schedule", "build_plan_marts", "write_run_report"]
STEP_TASKS = [*BEFORE, "list_plants", "schedule_plant", *AFTER]


@pytest.fixture(scope="module")
def dag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "false"
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag.dags["nightly_planning"]


def test_the_dag_chains_the_pipeline_steps(dag):
    from planning.pipeline import STEPS

    # the DAG maps one task per plant where the CLI runs schedule_plants
    assert [step.__name__ for step in STEPS] == [*BEFORE, "schedule_plants", *AFTER]
    assert dag.get_task("schedule_plant").is_mapped
    assert {"planning", "nightly"} <= set(dag.tags)
    assert dag.max_active_runs == 1
    assert not dag.catchup
    order = ["wait_for_extract", "start", *STEP_TASKS, "publish"]  # schedule_plant is mapped
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids, (upstream, downstream)
    # every planning step is retried; publishing and discarding are not
    for task_id in ["start", *BEFORE, *AFTER]:
        assert dag.get_task(task_id).retries >= 1, task_id
    assert dag.get_task("publish").retries == 0
    discard = dag.get_task("discard")
    assert discard.trigger_rule == "one_failed"
    assert set(STEP_TASKS) | {"publish"} <= discard.upstream_task_ids
    assert [outlet.name for outlet in dag.get_task("publish").outlets] == ["published_plan"]


# what a DAG file may call at its top level: Airflow's wiring, and the settings
TOP_LEVEL_CALLS = {"Asset", "Settings.from_env", "dag", "datetime", "timedelta", "nightly_planning"}
# the modules the DAG file itself may add at parse time, beyond Airflow's
PARSE_TIME_MODULES = {"planning", "planning.config", "planning.errors"}
PARSE_PROBE = """
import json, runpy, sys, sysconfig
import airflow.sdk  # Airflow's own start-up is not the DAG file's work
dag_file, libraries = sys.argv[1], sysconfig.get_paths()["purelib"]
before = set(sys.modules)
events = []
def by_the_dag_file():
    # the nearest caller that is the DAG file or a library: Airflow reading its
    # cron parser is Airflow's work, a read_csv in the DAG file is the DAG's
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name == dag_file:
            return True
        if name.startswith(libraries):
            return False
        frame = frame.f_back
    return False
def audit(event, args):
    if event == "open" and isinstance(args[0], str) and not args[0].endswith((".py", ".pyc")):
        if by_the_dag_file():
            events.append(["open", args[0]])
    elif event in ("subprocess.Popen", "os.system", "socket.connect") and by_the_dag_file():
        events.append([event, str(args[0])])
sys.addaudithook(audit)
runpy.run_path(dag_file)
added = sorted(name for name in set(sys.modules) - before if not name.startswith("airflow"))
print(json.dumps({"modules": added, "events": events}))
"""


def _calls(node):
    import ast

    for call in (item for item in ast.walk(node) if isinstance(item, ast.Call)):
        yield ast.unparse(call.func)


def test_the_dag_files_hold_wiring_only(tmp_path):
    """Top level: imports, constants, task and DAG definitions, and the DAG call;
    parsing imports no planning code beyond the settings, reads no file and starts
    no process."""
    import ast

    for path in DAGS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for statement in tree.body:
            assert isinstance(
                statement, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.Assign | ast.Expr
            ), f"{path.name}:{statement.lineno}: top-level {type(statement).__name__}"
            if isinstance(statement, ast.FunctionDef):
                calls = [call for item in statement.decorator_list for call in _calls(item)]
            else:
                calls = list(_calls(statement))
            unexpected = [call for call in calls if call not in TOP_LEVEL_CALLS]
            assert not unexpected, f"{path.name}:{statement.lineno}: top-level work {unexpected}"
        env = os.environ | {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "false"}
        probe = subprocess.run(
            [sys.executable, "-c", PARSE_PROBE, str(path)],
            env=env, capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        parsed = json.loads(probe.stdout.strip().splitlines()[-1])
        planning = {name for name in parsed["modules"] if name.split(".")[0] == "planning"}
        assert planning <= PARSE_TIME_MODULES, sorted(planning - PARSE_TIME_MODULES)
        heavy = {"polars", "duckdb", "pandas", "ortools", "great_expectations", "dbt", "numba"}
        assert not heavy & {name.split(".")[0] for name in parsed["modules"]}
        assert parsed["events"] == [], parsed["events"]


def _airflow(args, env):
    airflow = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(airflow), *args], env=env, capture_output=True, text=True, check=False, timeout=900
    )


@pytest.mark.slow
def test_a_real_dag_run_publishes_the_plan_planner_run_publishes(tmp_path):
    env = os.environ | {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "PLANNER_EXTRACT_DIR": str(SAMPLE),
        "PLANNER_OUT_DIR": str(tmp_path / "dag_plans"),
        "PLANNER_WAREHOUSE": str(tmp_path / "dag_warehouse" / "planner.duckdb"),
        "PLANNER_TASK_RETRIES": "0",
        "PLANNER_SCHEDULE_TIME_LIMIT": "3",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }
    migrated = _airflow(["db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stdout[-5000:] + migrated.stderr[-5000:]
    tested = _airflow(["dags", "test", "nightly_planning", AS_OF], env)
    log = tested.stdout + tested.stderr
    assert tested.returncode == 0, log[-10000:]
    assert "state=success" in log, log[-10000:]

    published = (tmp_path / "dag_plans" / "latest").resolve()
    manifest = json.loads((published / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    assert manifest["as_of"] == AS_OF
    assert list(manifest["step_seconds"])[-1] == "write report"
    assert (published / "report.html").stat().st_size > 10_000

    # the same extract and as-of through the CLI gives the same orders, ids included
    cli = subprocess.run(
        [
            str(Path(sys.executable).with_name("planner")), "run", "--extract", str(SAMPLE),
            "--as-of", AS_OF, "--out", str(tmp_path / "cli_plans"),
            "--warehouse", str(tmp_path / "cli_warehouse" / "planner.duckdb"),
        ],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stdout + cli.stderr
    cli_published = (tmp_path / "cli_plans" / "latest").resolve()
    for name in ("work_orders", "purchase_requests", "transfer_orders", "action_messages"):
        dag_file = (published / f"{name}.csv").read_bytes()
        assert dag_file == (cli_published / f"{name}.csv").read_bytes(), name
        assert dag_file.count(b"\n") > 1, name
