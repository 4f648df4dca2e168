"""Finite-capacity scheduling of work orders with OR-Tools CP-SAT.

The planner calls ``schedule_operations`` with Polars frames and gets back the
schedule, order completions and a report. The modules, in the order a run uses them:

- ``problem``: the input frame schemas (the optional ones bundled as ``PlantFrames``),
  checked and indexed (``build_problem``);
  ``routing`` builds the frames from work orders, routings and work centers,
  ``calendar`` turns a work center's available windows into unavailable ones.
- ``dispatch``: the dispatching-rule schedule CP-SAT starts from (``best_dispatch``).
- ``assignment``: a schedule in index form, its objective and left shift;
  ``bounds``: lower bounds no schedule can beat.
- ``model``: the CP-SAT model (``build_model``); ``hints``: a schedule as its hint.
- ``lexicographic_solve``: its objective terms minimized one after the other
  (``solve``); ``decomposition``: the same model over rolling windows of a large plant.
- ``schedule_run``: the steps above for one set of frames (``schedule_operations``).
- ``result_frames``: the schedule as frames (``to_schedule_frame``, ``with_timestamps``).

The package's other modules read a plant's work orders from the warehouse, load
capacity and derive the published outputs from the schedule.
"""

from planning.scheduling.calendar import UNAVAILABILITY_SCHEMA, unavailability
from planning.scheduling.dispatch import best_dispatch
from planning.scheduling.errors import SchedulingInputError
from planning.scheduling.lexicographic_solve import solve
from planning.scheduling.model import build_model
from planning.scheduling.problem import (
    OPERATIONS_SCHEMA,
    PERSONNEL_AVAILABILITY_SCHEMA,
    PERSONNEL_SCHEMA,
    RESOURCES_SCHEMA,
    SETUP_TIMES_SCHEMA,
    PlantFrames,
    build_problem,
)
from planning.scheduling.result_frames import (
    ORDER_COMPLETION_SCHEMA,
    SCHEDULE_SCHEMA,
    order_completion_frame,
    to_schedule_frame,
    with_timestamps,
)
from planning.scheduling.routing import operations_from_work_orders, resources_from_work_centers
from planning.scheduling.schedule_run import ScheduleOutcome, ScheduleReport, schedule_operations

__all__ = [
    "OPERATIONS_SCHEMA",
    "ORDER_COMPLETION_SCHEMA",
    "PERSONNEL_AVAILABILITY_SCHEMA",
    "PERSONNEL_SCHEMA",
    "RESOURCES_SCHEMA",
    "SCHEDULE_SCHEMA",
    "SETUP_TIMES_SCHEMA",
    "UNAVAILABILITY_SCHEMA",
    "PlantFrames",
    "ScheduleOutcome",
    "ScheduleReport",
    "SchedulingInputError",
    "best_dispatch",
    "build_model",
    "build_problem",
    "operations_from_work_orders",
    "order_completion_frame",
    "resources_from_work_centers",
    "schedule_operations",
    "solve",
    "to_schedule_frame",
    "unavailability",
    "with_timestamps",
]
