"""Material planning in Polars: MPS, multi-level MRP and DRP, lot sizing,
pegging, action messages and exceptions (CONTRACT.md section 3)."""

from planning.mrp.engine import PLAN_TABLES, MaterialPlan, plan_materials
from planning.mrp.inputs import PlanningInputs, read_planning_inputs

__all__ = [
    "PLAN_TABLES",
    "MaterialPlan",
    "PlanningInputs",
    "plan_materials",
    "read_planning_inputs",
]
