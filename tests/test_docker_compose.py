"""docker-compose.yml, read as YAML (no Docker engine needed): the Airflow 3 stack's
services, their shared settings, wiring, volumes and commands, and .env.example
covering every variable it uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
COMMON = COMPOSE["x-airflow-common"]
PROJECT_MOUNT = "/opt/planner"

# the long-running Airflow 3 components and the command each runs
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
REQUIRED_SERVICES = {"postgres", "redis", "airflow-init", *AIRFLOW_COMMANDS}
# ${VAR}, ${VAR:-default}, ${VAR:?error}, $VAR; `$$` escapes a dollar for the container
VARIABLE = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def env_example() -> list[tuple[str, str, str]]:
    """(name, value, comment just above) of every setting in .env.example."""
    settings, comment = [], ""
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comment = line
        elif match := ENV_LINE.match(line):
            settings.append((match.group(1), match.group(2), comment))
            comment = ""
        else:
            comment = ""
    return settings


def services_merging_the_anchor() -> set[str]:
    """Services whose mapping merges ``<<: *airflow-common``, from the YAML node
    graph (an alias is the anchored node itself)."""
    root = yaml.compose(COMPOSE_TEXT)
    top = {key.value: value for key, value in root.value}
    anchor = top["x-airflow-common"]
    return {
        name.value
        for name, service in top["services"].value
        if any(key.value == "<<" and value is anchor for key, value in service.value)
    }


def mounts(service: dict) -> list[tuple[str, str, str]]:
    """(source, target, mode) of a service's volumes, short or long syntax."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mode = "ro" if volume.get("read_only") else "rw"
            found.append((volume.get("source", ""), volume["target"], mode))
        else:
            # no split at the colon of ${VAR:-default}
            source, target, *mode = re.split(r":(?![^{]*\})", volume)
            found.append((source, target, mode[0] if mode else "rw"))
    return found


def is_named_volume(source: str) -> bool:
    return bool(source) and not source.startswith((".", "/", "~", "$"))


def test_every_required_service_is_there():
    assert set(SERVICES) >= REQUIRED_SERVICES


def test_every_airflow_service_shares_the_common_image_and_environment():
    anchored = services_merging_the_anchor()
    assert anchored == {name for name in SERVICES if name.startswith("airflow-")}
    common_env = COMMON["environment"]
    for name in anchored:
        service = SERVICES[name]
        assert service["image"] == COMMON["image"], name
        assert service["build"] == COMMON["build"], name
        assert service["volumes"] == COMMON["volumes"], name
        # a service may add variables, never change a shared one
        assert {key: service["environment"][key] for key in common_env} == common_env, name


def test_the_image_is_built_from_the_official_airflow_image_the_project_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pinned = project["optional-dependencies"]["airflow"]
    version = next(d.split("==")[1] for d in pinned if d.startswith("apache-airflow=="))
    assert COMMON["build"]["dockerfile"] == "Dockerfile"
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG AIRFLOW_VERSION={version}" in dockerfile
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}", dockerfile, re.M)
    assert COMMON["image"].endswith(f":{version}")
    assert '--editable "/opt/planner[airflow]"' in dockerfile  # the DAG's extra


def test_the_stack_runs_celery_against_postgres_and_redis():
    env = COMMON["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://:@redis:6379/")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://airflow-apiserver:8080/execution/"
    )
    assert "AIRFLOW__API_AUTH__JWT_SECRET" in env
    # Airflow 2 names that Airflow 3 no longer reads
    assert "AIRFLOW__CORE__SQL_ALCHEMY_CONN" not in env
    assert "webserver" not in COMPOSE_TEXT


def test_commands_are_airflow_3_components():
    for name, command in AIRFLOW_COMMANDS.items():
        assert SERVICES[name]["command"] == command, name
    init = SERVICES["airflow-init"]
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    assert init["environment"]["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert "/entrypoint airflow version" in init["command"][-1]


def test_depends_on_names_services_with_what_their_condition_needs():
    for name, service in SERVICES.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{name}: {target} has no healthcheck"
            else:
                assert rule["condition"] == "service_completed_successfully", name
    for name in AIRFLOW_COMMANDS:
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert SERVICES["airflow-worker"]["depends_on"]["airflow-apiserver"] == {
        "condition": "service_healthy"
    }


def test_every_long_running_service_has_a_healthcheck():
    for name in ["postgres", "redis", *AIRFLOW_COMMANDS]:
        assert SERVICES[name]["healthcheck"]["test"], name


def test_every_named_volume_used_is_declared():
    declared = set(COMPOSE.get("volumes") or {})
    used = {
        source
        for service in SERVICES.values()
        for source, _, _ in mounts(service)
        if is_named_volume(source)
    }
    assert used <= declared, used - declared
    assert used, "no named volume at all"


def test_the_dags_folder_is_the_mounted_projects_dags():
    env = COMMON["environment"]
    assert (".", PROJECT_MOUNT, "rw") in mounts(COMMON)
    dags = PurePosixPath(env["AIRFLOW__CORE__DAGS_FOLDER"])
    assert dags == PurePosixPath(PROJECT_MOUNT) / "dags"
    assert (REPO / dags.relative_to(PROJECT_MOUNT)).is_dir()


@pytest.mark.parametrize(
    "variable", ["PLANNER_WAREHOUSE", "PLANNER_OUT_DIR", "PLANNER_EXTRACT_DIR"]
)
def test_planner_paths_lie_on_mounts(variable):
    targets = [PurePosixPath(target) for _, target, _ in mounts(COMMON) if target != "/"]
    in_compose = re.fullmatch(r"\$\{\w+:-(.+)\}", COMMON["environment"][variable]).group(1)
    in_example = dict((name, value) for name, value, _ in env_example())[variable]
    assert in_compose == in_example
    assert any(PurePosixPath(in_compose).is_relative_to(target) for target in targets)


def test_the_extract_is_mounted_read_only():
    modes = {target: mode for _, target, mode in mounts(COMMON)}
    assert modes["/data/extract"] == "ro"


def test_every_variable_the_compose_file_uses_is_in_env_example():
    used = {a or b for a, b in VARIABLE.findall(COMPOSE_TEXT)}
    listed = {name for name, _, _ in env_example()}
    assert used, "no variables found"
    assert used <= listed, f"missing from .env.example: {sorted(used - listed)}"


def test_env_example_documents_every_setting_and_commits_no_secret():
    settings = env_example()
    names = [name for name, _, _ in settings]
    assert len(names) == len(set(names)), "a setting is listed twice"
    for name, _, comment in settings:
        assert comment.startswith("# "), f"{name} has no comment above it"
    values = {name: value for name, value, _ in settings}
    required = {
        "AIRFLOW_UID", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB",
        "PLANNER_WAREHOUSE", "PLANNER_OUT_DIR", "PLANNER_EXTRACT_DIR", "PLANNER_HORIZON_DAYS",
        "PLANNER_MPS_TIME_FENCE_DAYS", "PLANNER_RESCHEDULE_IN_DAYS",
        "PLANNER_ACTION_TOLERANCE_DAYS", "PLANNER_ACTION_TOLERANCE_PCT",
    }  # fmt: skip
    assert required <= set(values)
    assert values["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert values["GX_ANALYTICS_ENABLED"] == "false"
    # secrets are left to fill in, and compose refuses to start without them
    for secret in ("POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_FERNET_KEY",
                   "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"):  # fmt: skip
        assert values[secret] == "", secret
        assert f"${{{secret}:?" in COMPOSE_TEXT, secret


def test_planner_settings_reach_the_containers():
    env = COMMON["environment"]
    for name, _, _ in env_example():
        if name.startswith("PLANNER_") and name != "PLANNER_EXTRACT_SOURCE":
            assert env[name].startswith(f"${{{name}"), name
