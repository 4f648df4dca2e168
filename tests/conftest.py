"""Settings every test shares, inherited by the planner processes tests start."""

from __future__ import annotations

import os

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
