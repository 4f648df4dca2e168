"""Settings every test shares, inherited by the planner processes tests start."""

from __future__ import annotations

import os

# a few seconds of CP-SAT per plant is plenty for the test extracts; the
# schedule's quality is tested in tests/unit/scheduling
os.environ.setdefault("PLANNER_SCHEDULE_TIME_LIMIT", "3")
