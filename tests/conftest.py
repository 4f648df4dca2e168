"""Settings every test shares, inherited by the planner processes tests start."""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import settings

# a few seconds of CP-SAT per plant is plenty for the test extracts; the
# schedule's quality is tested in tests/unit/scheduling
os.environ.setdefault("PLANNER_SCHEDULE_TIME_LIMIT", "3")

# Property tests take their example count from a profile: `make test` checks each
# property on a few random networks, `make test-slow` (HYPOTHESIS_PROFILE=thorough)
# on ten times as many. A test that plans twice per example asks for half the count.
# No deadline: a plan's time varies with the network and the machine's load.
settings.register_profile("fast", max_examples=20, deadline=None, database=None)
settings.register_profile("thorough", max_examples=200, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject.toml) runs `make test` (`-m "not slow"`) on every core; any
    other run, which may hold slow tests, runs in one process: they time CP-SAT on
    two cores and `planner run` end to end, which tests beside them would slow."""
    return None if "not slow" in config.option.markexpr else 0


# The fixtures of tests/integration/conftest.py that build a warehouse with `dbt build`.
WAREHOUSE_FIXTURES = ("tiny_warehouse", "tiny_marts", "tiny_plan")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With pytest-xdist's default distribution, send every test of the modules that
    use the dbt warehouses to one worker, so each warehouse is built once a session,
    not once per worker; every other test goes to whichever worker is free.

    (The `xdist_group` mark would say the same, but pytest-xdist 3.8 loses it on
    pytest 9.2's node ids.) A module counts when its source names a fixture above.
    """
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    @functools.cache
    def uses_warehouses(module: str) -> bool:
        source = (config.rootpath / module).read_text(encoding="utf-8")
        return any(fixture in source for fixture in WAREHOUSE_FIXTURES)

    class WarehouseTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "dbt warehouses" if uses_warehouses(module) else nodeid

    return WarehouseTestsTogether(config, log)
